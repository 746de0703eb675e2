"""The README and docs/ hold together: the README opens with the two commands CI runs, and every
relative link of every page (README.md, docs/**/*.md) reaches a file, and a heading when it names
one. The console examples of the same pages are run by tests/project/test_readme.py."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.project.test_readme import README, ROOT, pages

# The README opens with these two commands, in this order (issue 17 #6), and .ci/run runs them.
OPENING = [
    "pip install . && mil62sched plan --arm phase3-ocp --start 2024-01-01",
    "pip install '.[test]' && pytest",
]
_FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} +(.+?) *$", re.MULTILINE)


def test_readme_opens_with_the_two_commands() -> None:
    blocks = re.findall(r"```(\w*)\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert [(kind, text.strip()) for kind, text in blocks[:2]] == [("sh", c) for c in OPENING]


def test_ci_runs_the_readme_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in OPENING:
        assert command in ci, f".ci/run does not run the README's `{command}`"


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as `-`.

    >>> slug("中文输出 / Chinese output")
    '中文输出--chinese-output'
    >>> slug("ics (calendar)")
    'ics-calendar'
    """
    text = re.sub(r"[`*]", "", heading).strip().lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading: its text
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading anchor of a Markdown page, with GitHub's -1, -2 ... for repeated ones."""
    found: set[str] = set()
    for heading in _HEADING.findall(_FENCE.sub("", page.read_text(encoding="utf-8"))):
        base = slug(heading)
        name, n = base, 0
        while name in found:
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


def _links() -> list[object]:
    """Each relative link of each page (outside code blocks), as (page, target)."""
    found: list[object] = []
    for page in pages():
        text = _FENCE.sub("", page.read_text(encoding="utf-8"))
        for target in _LINK.findall(text):
            if not re.match(r"[a-z]+:", target):
                name = f"{page.relative_to(ROOT).as_posix()} -> {target}"
                found.append(pytest.param(page, target, id=name))
    return found


def test_pages_have_links() -> None:
    assert len(_links()) >= 10


@pytest.mark.parametrize(("page", "target"), _links())
def test_relative_link_reaches_its_file_and_heading(page: Path, target: str) -> None:
    name = f"{page.relative_to(ROOT).as_posix()} -> {target}"
    path, _, anchor = target.partition("#")
    reached = (page.parent / path).resolve() if path else page
    assert reached.exists(), name
    assert ROOT in reached.parents or reached == ROOT, name
    if anchor:
        assert reached.suffix == ".md", name
        assert anchor in anchors(reached), f"{name}: no such heading"


# --- the protocol file format reference, made from the schema ------------------------------------

SCHEMA = ROOT / "src" / "mil62sched" / "protocol" / "schema.json"


def _protocol_reference() -> Any:
    spec = importlib.util.spec_from_file_location(
        "protocol_reference", ROOT / "tools" / "protocol_reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_protocol_format_page_is_made_from_the_schema() -> None:
    tool = _protocol_reference()
    page = ROOT / "docs" / "reference" / "protocol-format.md"
    assert page.read_text(encoding="utf-8") == tool.render(SCHEMA), (
        f"docs/reference/protocol-format.md is stale: run `{tool.COMMAND}`"
    )


def test_protocol_format_page_follows_an_edited_schema(tmp_path: Path) -> None:
    edited = json.loads(SCHEMA.read_text(encoding="utf-8"))
    edited["properties"]["protocol"]["properties"]["chairs"]["description"] = "Chairs, edited."
    (tmp_path / "schema.json").write_text(json.dumps(edited), encoding="utf-8")
    page = _protocol_reference().render(tmp_path / "schema.json")
    assert "| `chairs` | whole number |  | Chairs, edited. |" in page.splitlines()


def _keys_without_description(node: object, path: str) -> list[str]:
    """Every key of a `properties` table (outside if-conditions) that has no description."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            if isinstance(value, dict) and not value.get("description"):
                found.append(f"{path}.{key}")
        for key, value in node.items():
            if key != "if":
                found += _keys_without_description(value, f"{path}/{key}")
    elif isinstance(node, list):
        for number, value in enumerate(node):
            found += _keys_without_description(value, f"{path}[{number}]")
    return found


def test_every_protocol_key_is_described_in_the_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert _keys_without_description(schema, "") == []
