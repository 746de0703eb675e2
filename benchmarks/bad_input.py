"""Bad inputs that once ran away (issue 15 #13, #14, #15), timed against floors in one run.

Inputs, generated in a temporary folder:

    rules.toml       the built-in protocol with 20 repeat rules on phase1b-1000 (49 visits each,
                     991 visits in all, near the bound of 1,000 a schedule)
    small.toml       the built-in protocol, unchanged, as a file (so that it is read and checked
                     as rules.toml is)
    invalid-N.toml   the built-in protocol and N schedules, each with one problem (a bad visit
                     code, an unknown key or an unknown treatment), N = 1,000 and 3,000
    bloated.xlsx     a roster of 20 participants whose recorded dimension is A1:XFD1048576, with
                     one empty styled cell at XFD1048576 (Excel's Ctrl+End bloat)
    small.xlsx       the same roster without the bloat
    bomb-N.xlsx      small.xlsx with its text in shared strings and N more that no cell uses,
                     N = 1,000,000 and 10,000,000 (refused: more strings than its cells could use)

Commands, each a process of the installed `mil62sched` (found beside this interpreter), output
discarded:

    many rules       plan --protocol rules.toml --arm phase1b-1000 --start 2025-01-06 --format csv
    invalid N        protocol validate invalid-N.toml                      (exit 1, N problems)
    bloated          roster bloated.xlsx --format csv
    bomb N           roster bomb-N.xlsx --format csv                        (exit 2, refused)

Two floors for each: the same command on the small valid file (small.toml, small.xlsx), and a
Python process that does the least a reader must: parse the TOML file (tomllib), or unzip every
part of the workbook (zipfile). Every round runs every command and floor once, in a new shuffled
order (seeded); medians of wall and CPU time (user and system) are reported, with each run's
peak RSS (os.wait4): on a machine others share, CPU time moves less. Protocol runs share
one cache folder, warmed by a checking run, so a valid file's check is remembered as at a site;
an invalid one is checked at every run. Nothing is asserted: the figures are printed.
Goal: the bloated workbook and the bombs at most 1.25x the same command on small.xlsx; invalid
3,000 at most 3.5x invalid 1,000 (linear, with start-up shared). Needs os.wait4 (Linux, macOS).

    python benchmarks/bad_input.py [--rounds 10] [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

BOMBS = (1_000_000, 10_000_000)
GOAL_WORKBOOK = 1.25
GOAL_LINEAR = 3.5
START = "2025-01-06"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

READ_TOML = "import sys, tomllib; tomllib.loads(open(sys.argv[1], 'rb').read().decode())"
READ_XLSX = (
    "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); [z.read(n) for n in z.namelist()]"
)


@dataclass(frozen=True)
class Command:
    """A command line, the exit status it must end with, and text its output must hold."""

    argv: list[str]
    status: int = 0
    shows: str = ""  # checked in the checking run, on stdout and stderr together


@dataclass(frozen=True)
class Row:
    """A row of the report: a bad input's command against its two floors."""

    label: str
    command: str
    small: str
    read: str


@dataclass
class Runs:
    """Wall seconds, CPU seconds and peak RSS (KiB) of the repeated runs of one command."""

    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)


ROWS = (
    Row("many rules (991 visits)", "rules", "small plan", "read rules.toml"),
    Row("invalid 1,000 schedules", "invalid 1000", "small validate", "read invalid-1000"),
    Row("invalid 3,000 schedules", "invalid 3000", "small validate", "read invalid-3000"),
    Row("bloated to XFD1048576", "bloated", "small roster", "unzip bloated"),
    Row("bomb 1,000,000 (refused)", "bomb 1000000", "small roster", "unzip bomb 1000000"),
    Row("bomb 10,000,000 (refused)", "bomb 10000000", "small roster", "unzip bomb 10000000"),
)


def find_tool() -> Path:
    """The `mil62sched` script installed beside this interpreter."""
    tool = Path(sys.executable).parent / "mil62sched"
    if not tool.exists():
        sys.exit(f"{tool} not found: install the project in this environment (pip install -e .)")
    return tool


def builtin_protocol() -> str:
    """The text of the built-in protocol file, as installed."""
    from importlib.resources import files

    return files("mil62sched").joinpath("protocol/mil62-ct303.toml").read_text(encoding="utf-8")


def write_rules(path: Path, builtin: str) -> None:
    """The built-in file with 20 repeat rules of 49 weekly visits on phase1b-1000 (an open-label
    schedule that no other unblinds), after its last listed visit, W209D1."""
    rules = ", ".join(
        f'{{ every_weeks = 1, from = "W{300 + 50 * n}D1", count = 49 }}' for n in range(20)
    )
    marker = 'name = "phase1b-1000"\n'
    assert marker in builtin, "the built-in file changed: update the benchmark"
    path.write_text(builtin.replace(marker, f"{marker}repeat = [{rules}]\n"), encoding="utf-8")


def write_invalid(path: Path, builtin: str, schedules: int) -> None:
    """The built-in file and `schedules` more, each with one problem."""
    problems = ('visits = ["W1D1", "W0D1"]\ntreatment = "mil62-1000"',
                'visits = ["W1D1"]\ntreatment = "mil62-1000"\nnote = "x"',
                'visits = ["W1D1"]\ntreatment = "no-such-treatment"')  # fmt: skip
    entries = [
        f'[[schedules]]\nname = "bad-{n}"\ntitle = "Bad {n}"\nperiod = "Phase 1b"\n'
        f'masking = "open-label"\n{problems[n % 3]}\ncites = "none"\n'
        for n in range(schedules)
    ]
    # Before the journeys, which are tables of their own after the schedules.
    at = builtin.index("[[journeys]]")
    path.write_text(builtin[:at] + "\n".join(entries) + "\n" + builtin[at:], encoding="utf-8")


def write_roster(path: Path) -> None:
    """A roster workbook of 20 participants (text cells, as openpyxl writes them inline)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Roster"
    sheet.append(["participant", "arm", "start"])
    for number in range(20):
        sheet.append([f"CT303-{number:04d}", "phase3-rcp", f"2025-01-{6 + number:02d}"])
    book.save(path)


def rewritten(source: Path, target: Path, change: object) -> None:
    """`source` with its parts changed by `change(parts)`, written to `target` (deflated)."""
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    change(parts)  # type: ignore[operator]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)


def bloat(parts: dict[str, bytes]) -> None:
    """The dimension A1:XFD1048576 and an empty styled cell at XFD1048576."""
    sheet = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"',
                   parts["xl/worksheets/sheet1.xml"])  # fmt: skip
    far = b'<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"</sheetData>", far + b"</sheetData>")


def bomb(strings: int) -> object:
    """A change that moves the sheet's text into shared strings and adds `strings` more."""

    def change(parts: dict[str, bytes]) -> None:
        items: list[bytes] = []

        def shared(match: re.Match[bytes]) -> bytes:
            items.append(b"<si><t>" + match[2] + b"</t></si>")
            return (
                b'<c r="' + match[1] + b'" t="s"><v>' + str(len(items) - 1).encode() + b"</v></c>"
            )

        inline = rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>([^<]*)</t></is></c>'
        sheet = re.sub(inline, shared, parts["xl/worksheets/sheet1.xml"])
        parts["xl/worksheets/sheet1.xml"] = sheet
        parts["xl/sharedStrings.xml"] = (
            f'<sst xmlns="{MAIN}">'.encode()
            + b"".join(items)
            + b"<si><t>x</t></si>" * strings
            + b"</sst>"
        )
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            f'<Relationship Id="rIdStrings" Type="{RELATIONS}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'.encode(),
        )

    return change


def write_inputs(folder: Path, bombs: tuple[int, ...]) -> None:
    """Every input file of the module's docstring, in `folder`."""
    builtin = builtin_protocol()
    (folder / "small.toml").write_text(builtin, encoding="utf-8")
    write_rules(folder / "rules.toml", builtin)
    for schedules in (1000, 3000):
        write_invalid(folder / f"invalid-{schedules}.toml", builtin, schedules)
    write_roster(folder / "small.xlsx")
    rewritten(folder / "small.xlsx", folder / "bloated.xlsx", bloat)
    for strings in bombs:
        rewritten(folder / "small.xlsx", folder / f"bomb-{strings}.xlsx", bomb(strings))


def commands(tool: str, folder: Path, bombs: tuple[int, ...]) -> dict[str, Command]:
    """The tool's commands and the floors, by name."""
    python = sys.executable
    plan = ["plan", "--arm", "phase1b-1000", "--start", START, "--format", "csv"]
    found = {
        "rules": Command([tool, *plan, "--protocol", str(folder / "rules.toml")], 0, "W1298D1"),
        "small plan": Command([tool, *plan, "--protocol", str(folder / "small.toml")], 0, "W209D1"),
        "read rules.toml": Command([python, "-c", READ_TOML, str(folder / "rules.toml")]),
        "small validate": Command(
            [tool, "protocol", "validate", str(folder / "small.toml")], 0, "valid, 11 arms"
        ),
        "bloated": Command(
            [tool, "roster", str(folder / "bloated.xlsx"), "--format", "csv"], 0, "CT303-0019"
        ),  # fmt: skip
        "small roster": Command(
            [tool, "roster", str(folder / "small.xlsx"), "--format", "csv"], 0, "CT303-0019"
        ),  # fmt: skip
        "unzip bloated": Command([python, "-c", READ_XLSX, str(folder / "bloated.xlsx")]),
    }
    for schedules in (1000, 3000):
        path = str(folder / f"invalid-{schedules}.toml")
        found[f"invalid {schedules}"] = Command(
            [tool, "protocol", "validate", path], 1, f"{schedules} problems; not valid"
        )
        found[f"read invalid-{schedules}"] = Command([python, "-c", READ_TOML, path])
    for strings in bombs:
        path = str(folder / f"bomb-{strings}.xlsx")
        found[f"bomb {strings}"] = Command(
            [tool, "roster", path, "--format", "csv"], 2, "shared strings, more than the cells"
        )
        found[f"unzip bomb {strings}"] = Command([python, "-c", READ_XLSX, path])
    return found


def check(name: str, command: Command, env: dict[str, str]) -> None:
    """Run a command once: it must end with its status and show its text."""
    done = subprocess.run(command.argv, env=env, capture_output=True, text=True)
    if done.returncode != command.status or command.shows not in done.stdout + done.stderr:
        sys.exit(
            f"{name}: exit {done.returncode} (expected {command.status}), expected "
            f"{command.shows!r} in:\n{(done.stdout + done.stderr)[-2000:]}"
        )


def measure(command: Command, env: dict[str, str], errors: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user and system) and peak RSS (KiB) of one run; its exit
    status is checked."""
    with errors.open("wb") as stderr:
        began = time.perf_counter()
        child = subprocess.Popen(command.argv, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != command.status:
        message = errors.read_text(encoding="utf-8", errors="replace")[-2000:]
        sys.exit(f"failed ({status}): {' '.join(command.argv)}\n{message}")
    peak = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss  # bytes there
    return seconds, usage.ru_utime + usage.ru_stime, peak


def main() -> None:
    """Write the inputs, check and time every command, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="timed rounds (default 10)")
    parser.add_argument("--quick", action="store_true", help="2 rounds, no 10,000,000 bomb")
    parser.add_argument("--write-inputs", metavar="FOLDER", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.write_inputs:  # in a process of its own: see below
        write_inputs(Path(arguments.write_inputs), (1_000_000,) if arguments.quick else BOMBS)
        return
    rounds = 2 if arguments.quick else arguments.rounds
    bombs = (1_000_000,) if arguments.quick else BOMBS
    rows = [row for row in ROWS if not row.command.startswith("bomb ") or
            int(row.command.split()[1]) in bombs]  # fmt: skip
    tool = str(find_tool())
    runs: dict[str, Runs] = {}
    with tempfile.TemporaryDirectory(prefix="mil62sched-bad-input-") as folder_name:
        folder = Path(folder_name)
        print("writing the inputs", file=sys.stderr, flush=True)
        # Written by another process: Linux counts a child's peak RSS from its fork, so this
        # process stays as small as it can (building a bomb takes some hundreds of MB).
        quick = ["--quick"] if arguments.quick else []
        subprocess.run(
            [sys.executable, __file__, "--write-inputs", folder_name, *quick], check=True
        )
        sizes = {path.name: path.stat().st_size for path in folder.iterdir()}
        # As after `pip install .` (bytecode written), with a cache folder of the run's own.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["MIL62SCHED_CACHE_DIR"] = str(folder / "cache")
        found = commands(tool, folder, bombs)
        for name, command in found.items():  # also warms the cache and the .pyc files
            check(name, command, env)
        runs = {name: Runs() for name in found}
        order = list(found)
        shuffle = random.Random(62).shuffle
        for number in range(rounds):
            print(f"round {number + 1}/{rounds}", file=sys.stderr, flush=True)
            shuffle(order)
            for name in order:
                seconds, cpu, rss = measure(found[name], env, folder / "stderr.txt")
                runs[name].seconds.append(seconds)
                runs[name].cpu_seconds.append(cpu)
                runs[name].rss_kib.append(rss)
    report(rows, runs, sizes, tool, rounds)


def report(
    rows: list[Row], runs: dict[str, Runs], sizes: dict[str, int], tool: str, rounds: int
) -> None:
    """Print two tables, wall and CPU time, of each bad input against its two floors, and the
    goals on each."""
    load = os.getloadavg()[0]
    print(f"python {platform.python_version()}, {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {load:.2f} at the end; tool: {tool}")  # fmt: skip
    print(f"medians of {rounds} interleaved round(s); peak RSS the largest of the rounds")
    print("input sizes: " + ", ".join(f"{name} {size:,} B" for name, size in sorted(sizes.items())
                                      if name.endswith((".toml", ".xlsx"))))  # fmt: skip
    mib = {name: max(result.rss_kib) / 1024 for name, result in runs.items()}
    for measure, values in (
        ("wall ms", {name: result.seconds for name, result in runs.items()}),
        ("CPU ms (user + system)", {name: result.cpu_seconds for name, result in runs.items()}),
    ):
        ms = {name: statistics.median(seconds) * 1000 for name, seconds in values.items()}
        print()
        print(f"{measure}:")
        header = (
            f"{'case':<27}{'ms':>8}{'MiB':>7}  {'small valid':<15}{'ms':>7}{'ratio':>7}"
            f"  {'reading only':<19}{'ms':>7}{'ratio':>7}"
        )
        print(header)
        print("-" * len(header))
        for row in rows:
            tool_ms = ms[row.command]
            print(
                f"{row.label:<27}{tool_ms:>8.1f}{mib[row.command]:>7.1f}  {row.small:<15}"
                f"{ms[row.small]:>7.1f}{tool_ms / ms[row.small]:>7.2f}  {row.read:<19}"
                f"{ms[row.read]:>7.1f}{tool_ms / ms[row.read]:>7.2f}"
            )
        for row in rows:
            if row.small == "small roster":
                ratio = ms[row.command] / ms[row.small]
                met = "yes" if ratio <= GOAL_WORKBOOK else "no"
                print(f"  {row.label}: {ratio:.2f}x small.xlsx (goal {GOAL_WORKBOOK}x): {met}")
        linear = ms["invalid 3000"] / ms["invalid 1000"]
        met = "yes" if linear <= GOAL_LINEAR else "no"
        print(f"  invalid 3,000 / invalid 1,000: {linear:.2f}x (goal {GOAL_LINEAR}x): {met}")


if __name__ == "__main__":
    main()
