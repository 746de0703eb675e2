"""Bad inputs that once ran away (issue 15 #13, #14, #15): the inputs, the commands and their
floors, for `run.py` (the group `bad-input`).

Inputs, written into a folder by a process of their own (`python bad_input.py --write-inputs
FOLDER`: Linux counts a child's peak RSS from its fork, and building a bomb takes some hundreds
of MB, so the timing process stays small):

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

Commands, each a process of the installed `mil62sched`:

    many rules       plan --protocol rules.toml --arm phase1b-1000 --start 2025-01-06 --format csv
    invalid N        protocol validate invalid-N.toml                      (exit 1, N problems)
    bloated          roster bloated.xlsx --format csv
    bomb N           roster bomb-N.xlsx --format csv                        (exit 2, refused)

Two floors for each: the same command on the small valid file (small.toml, small.xlsx), and a
Python process that does the least a reader must (floors/read_toml.py, floors/unzip.py). A valid
protocol file's check is remembered in the run's cache, as at a site that uses one file every
day; an invalid one is checked at every run. Goals: the bloated workbook and the bombs at most
1.25x the same command on small.xlsx; invalid 3,000 at most 3.5x invalid 1,000 (linear, with
start-up shared).
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path

from measure import Command, Row

BOMBS = (1_000_000, 10_000_000)
GOAL_WORKBOOK = 1.25
GOAL_LINEAR = 3.5
START = "2025-01-06"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FLOORS = Path(__file__).parent / "floors"


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

    def tool_run(*argv: str, status: int = 0, shows: str = "") -> Command:
        return Command((tool, *argv), status, shows, warm_up=True)

    def floor(script: str, name: str) -> Command:
        return Command((python, str(FLOORS / script), str(folder / name)), warm_up=True)

    found = {
        "many rules": tool_run(*plan, "--protocol", str(folder / "rules.toml"), shows="W1298D1"),
        "plan on small.toml": tool_run(
            *plan, "--protocol", str(folder / "small.toml"), shows="W209D1"
        ),
        "tomllib rules.toml": floor("read_toml.py", "rules.toml"),
        "validate small.toml": tool_run(
            "protocol", "validate", str(folder / "small.toml"), shows="valid, 11 arms"
        ),
        "bloated": tool_run(
            "roster", str(folder / "bloated.xlsx"), "--format", "csv", shows="CT303-0019"
        ),  # fmt: skip
        "roster small.xlsx": tool_run(
            "roster", str(folder / "small.xlsx"), "--format", "csv", shows="CT303-0019"
        ),  # fmt: skip
        "unzip bloated.xlsx": floor("unzip.py", "bloated.xlsx"),
    }
    for schedules in (1000, 3000):
        found[f"invalid {schedules}"] = tool_run(
            "protocol", "validate", str(folder / f"invalid-{schedules}.toml"), status=1,
            shows=f"{schedules} problems; not valid",
        )  # fmt: skip
        found[f"tomllib invalid-{schedules}"] = floor("read_toml.py", f"invalid-{schedules}.toml")
    for strings in bombs:
        found[f"bomb {strings}"] = tool_run(
            "roster", str(folder / f"bomb-{strings}.xlsx"), "--format", "csv", status=2,
            shows="shared strings, more than the cells",
        )  # fmt: skip
        found[f"unzip bomb-{strings}"] = floor("unzip.py", f"bomb-{strings}.xlsx")
    return found


def rows(bombs: tuple[int, ...]) -> list[Row]:
    """The report's rows: each case against the same command on the small valid file, and
    against reading the file only."""
    cases = [
        ("many rules (991 visits)", "many rules", "plan on small.toml", "tomllib rules.toml",
         None),
        ("invalid 1,000 schedules", "invalid 1000", "validate small.toml",
         "tomllib invalid-1000", None),
        ("invalid 3,000 schedules", "invalid 3000", "validate small.toml",
         "tomllib invalid-3000", None),
        ("bloated to XFD1048576", "bloated", "roster small.xlsx", "unzip bloated.xlsx",
         GOAL_WORKBOOK),
        *((f"bomb {strings:,} (refused)", f"bomb {strings}", "roster small.xlsx",
           f"unzip bomb-{strings}", GOAL_WORKBOOK) for strings in bombs),
    ]  # fmt: skip
    found = []
    for label, command, small, read, goal in cases:
        found.append(Row(label, command, small, small, goal))
        found.append(Row(label, command, read, read.replace("unzip", "unzip of")))
        if command == "invalid 3000":
            found.append(Row(label, command, "invalid 1000", "invalid 1,000", GOAL_LINEAR))
    return found


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Write the bad inputs into FOLDER.")
    parser.add_argument("--write-inputs", metavar="FOLDER", required=True)
    parser.add_argument("--quick", action="store_true", help="no 10,000,000-string bomb")
    arguments = parser.parse_args()
    write_inputs(Path(arguments.write_inputs), BOMBS[:1] if arguments.quick else BOMBS)
