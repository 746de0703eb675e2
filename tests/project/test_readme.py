"""Every `$ mil62sched ...` example in the README and docs/ runs, and prints what the page shows.

The pages are README.md and every docs/**/*.md. Examples live in ```console blocks: a line
starting with `$ ` is a command (run with bash in a fresh folder, so pipes and `-o` work); the
lines after it, up to the next command, are its expected output (stdout and stderr together).
DTSTAMP values and trailing spaces are normalised."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, normalise_dtstamp

README = ROOT / "README.md"
DOCS = ROOT / "docs"
# python: to read back a workbook (binary output) with openpyxl, a dependency of the package.
_ALLOWED = {"mil62sched", "head", "cat", "printf", "grep", "cut", "test", "python"}
_BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)


def pages() -> list[Path]:
    """The README and every Markdown page under docs/, in a stable order."""
    return [README, *sorted(DOCS.rglob("*.md"))]


def _examples() -> list[tuple[str, list[tuple[str, str]]]]:
    """(block id, [(command, expected output)]) for each console block of every page, commands
    in order; the id names the page (`docs/guides/planning.md 2: mil62sched plan ...`)."""
    found = []
    for page in pages():
        found.extend(_page_examples(page))
    return found


def _page_examples(page: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    found = []
    name = page.relative_to(ROOT).as_posix()
    for number, block in enumerate(_BLOCK.findall(page.read_text(encoding="utf-8")), 1):
        steps: list[tuple[str, str]] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], ""))
            elif steps:
                command, expected = steps[-1]
                steps[-1] = (command, expected + line + "\n")
        first = steps[0][0] if steps else "empty"
        found.append((f"{name} {number}: {first[:60]}", steps))
    return found


def _normalise(text: str) -> str:
    lines = normalise_dtstamp(text.replace("\r\n", "\n")).splitlines()
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def test_readme_has_examples() -> None:
    assert len(_page_examples(README)) >= 5


# Each example runs its commands as a user does, a fresh interpreter each (about half a second of
# CPU apiece, 40 of them): slow, so `-m "not slow"` leaves them to the full run.
@pytest.mark.slow
@pytest.mark.parametrize(("name", "steps"), _examples(), ids=lambda v: str(v)[:70])
def test_readme_example(name: str, steps: list[tuple[str, str]], tmp_path: Path) -> None:
    scripts = Path(sys.executable).parent
    assert shutil.which("mil62sched", path=str(scripts)) is not None, (
        "the mil62sched console script is not installed beside this Python: pip install ."
    )
    env = {**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("FORCE_COLOR", None)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    for command, expected in steps:
        assert command.split()[0] in _ALLOWED, command
        result = subprocess.run(
            ["bash", "-c", f"{command} 2>&1"],
            cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert "Traceback" not in result.stdout
        assert _normalise(result.stdout) == _normalise(expected), command


# --- the usage blocks (README or docs/) against the real --help -----------------------------------

_USAGE = re.compile(r"```\n(mil62sched (\w+) .*?)```", re.DOTALL)
_OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z-]*|-o)\b")


def _usage_blocks() -> dict[str, str]:
    """Each command's usage block (a plain ``` block starting `mil62sched CMD`) in the README or
    a docs/ page; the first one found of a command."""
    blocks: dict[str, str] = {}
    for page in pages():
        for block, command in _USAGE.findall(page.read_text(encoding="utf-8")):
            blocks.setdefault(command, block)
    return blocks


def _help_options(command: str) -> set[str]:
    from typer.testing import CliRunner

    from mil62sched.cli import app

    result = CliRunner().invoke(app, [command, "--help"], prog_name="mil62sched")
    assert result.exit_code == 0, result.output
    found = set(_OPTION.findall(result.output)) - {"--help", "--output"}  # -o stands for it
    # A flag's negative form (`--adjust  --no-adjust`) is its default: the README leaves it out.
    negatives = {f"--no-{name}" for name in re.findall(r"--([a-z-]+)\s+--no-\1\b", result.output)}
    return found - negatives


def test_readme_shows_usage_of_plan_roster_and_agenda() -> None:
    assert {"plan", "roster", "agenda"} <= set(_usage_blocks())


@pytest.mark.parametrize("command", ["plan", "roster", "agenda", "screen"])
def test_readme_usage_names_only_real_options(command: str) -> None:
    shown = set(_OPTION.findall(_usage_blocks()[command]))
    assert shown <= _help_options(command), shown - _help_options(command)


@pytest.mark.parametrize("command", ["plan", "screen"])
def test_readme_usage_names_every_option(command: str) -> None:
    shown = set(_OPTION.findall(_usage_blocks()[command]))
    assert _help_options(command) <= shown, _help_options(command) - shown


@pytest.mark.parametrize("command", ["roster", "agenda", "day", "screen", "amend"])
def test_usage_names_the_arguments_as_help_does(command: str) -> None:
    """The arguments of `COMMAND --help`'s usage line (ROSTER, [CANDIDATES] ...: issue 16 #11)
    are those of the usage block, which may add their extension (ROSTER.csv|ROSTER.xlsx)."""
    from typer.testing import CliRunner

    from mil62sched.cli import app

    result = CliRunner().invoke(app, [command, "--help"], prog_name="mil62sched")
    usage = re.search(rf"Usage: mil62sched {command} \[OPTIONS\] (.*)", result.output)
    assert usage is not None, result.output
    arguments = [word.strip("[]") for word in usage[1].split()]
    assert arguments
    words = re.findall(r"[A-Z][A-Z|]*", _usage_blocks()[command])
    assert [name for name in arguments if name in words] == arguments, (arguments, words)


@pytest.mark.parametrize(
    ("command", "kind"), [("plan", {}), ("roster", {"roster": True}), ("agenda", {"agenda": True})]
)
def test_readme_usage_lists_the_registry_formats(command: str, kind: dict[str, bool]) -> None:
    from mil62sched import formats

    listed = re.search(r"--format ([a-z|]+)", _usage_blocks()[command])
    assert listed is not None
    assert listed[1].split("|") == formats.names(**kind)
