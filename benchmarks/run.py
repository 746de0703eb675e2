"""Every job of `mil62sched` against its floor, side by side in one run (issue 21).

Each job is run as a process of the installed `mil62sched` script (found beside this
interpreter), as a user runs it; its floor is a small Python program (`floors/`) doing the same
work with the least code on the same stack, or the same library doing only its own part. Every
round runs every command once, tool and floors, in a new shuffled order (seeded); the report
gives the median and spread (min-max) of wall and CPU time, the ratio to the floor, the goal,
and whether the two wrote the same (every run's output is fingerprinted). Before any timing,
each floor is checked to write what the tool writes, on a small head of the same inputs. Nothing
is asserted: the figures are printed. Needs os.wait4 (Linux, macOS).

    python benchmarks/run.py [--rounds 3] [--only GROUP,...] [--markdown] [--quick]

Groups (--only): agenda, roster-csv, json, pdf, bad-roster, bad-actuals, ics, xlsx, startup,
bad-input. The default sizes take about half an hour on 2 loaded cores (README.md).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

# Run as a script, this folder comes first on sys.path: nothing here may be named as a package
# that the benchmark imports.
import bad_input
from measure import Command, Failed, Row, Sample, Summary, base_environment, digest, rounds, run

HERE = Path(__file__).resolve().parent
FLOORS = HERE / "floors"
AGENDA_DAY = "2025-05-12"  # --from and --today of the agenda, and the day the actuals are taken
AGENDA_DAYS = "14"
CHECK_PARTICIPANTS = 2_000
VERSIONED = (
    "typer",
    "rich",
    "icalendar",
    "holidays",
    "openpyxl",
    "jinja2",
    "pydantic",
    "platformdirs",
    "mil62sched",
)
GROUPS = (
    "agenda",
    "roster-csv",
    "json",
    "pdf",
    "bad-roster",
    "bad-actuals",
    "ics",
    "xlsx",
    "startup",
    "bad-input",
)


@dataclass(frozen=True)
class Sizes:
    """How big each group's inputs are."""

    participants: int  # agenda, roster to CSV and to JSON
    calendar: int  # participants of the .ics and .xlsx rosters
    cards: tuple[int, ...]  # participants of the --split PDF rosters
    bad_roster: int  # rows of the bad roster, and of the good one it is set against
    bad_actuals: int  # bad rows in the actuals file
    bombs: tuple[int, ...]  # shared strings of the workbook bombs

    def small(self) -> Sizes:
        """The sizes of the check run before timing."""
        return replace(
            self,
            participants=min(self.participants, CHECK_PARTICIPANTS),
            calendar=min(self.calendar, 200),
            cards=(min(self.cards, default=2),) if self.cards else (),
            bad_roster=min(self.bad_roster, CHECK_PARTICIPANTS),
            bad_actuals=min(self.bad_actuals, 50),
        )


@dataclass(eq=False)
class Context:
    """Where a run happens: the tool, the scratch folder, the children's environment."""

    tool: str
    folder: Path
    env: dict[str, str]
    browser: str | None
    progress: Callable[[str], None]

    def path(self, name: str) -> Path:
        """A file of the run's scratch folder."""
        return self.folder / name

    def write(self, kind: str, name: str, *argv: object) -> Path:
        """Write an input of inputs.py into the scratch folder, once, in a process of its own:
        Linux counts in a child's peak RSS the peak of the process that started it, so this one
        must stay small."""
        path = self.path(name)
        if not path.exists():
            self.progress(f"writing {name}")
            script = str(HERE / "inputs.py")
            line = [sys.executable, script, kind, str(path), *map(str, argv)]
            subprocess.run(line, check=True)
        return path

    def roster(self, participants: int) -> Path:
        """The realistic roster of `participants` rows."""
        return self.write("roster", f"roster-{participants}.csv", participants)

    def actuals(self, participants: int) -> Path:
        """The actuals of the realistic roster, taken on the agenda's day."""
        roster = self.roster(participants)
        return self.write("actuals", f"actuals-{participants}.csv", roster, AGENDA_DAY)

    def bad_actuals(self, participants: int, bad: int) -> Path:
        """The actuals with `bad` rows spoiled."""
        good = self.actuals(participants)
        return self.write("bad-actuals", f"actuals-{participants}-{bad}-bad.csv", good, bad)

    def bad_roster(self, participants: int) -> Path:
        """The realistic roster with a misspelt arm on every row."""
        return self.write("bad-roster", f"roster-{participants}-bad.csv", participants)

    def bad_inputs(self, bombs: tuple[int, ...]) -> Path:
        """The folder of bad_input.py's inputs, written once (in a process of its own too)."""
        folder = self.path("bad-input")
        if not folder.exists():
            folder.mkdir()
            self.progress("writing the bad inputs (protocol files, workbooks)")
            quick = ["--quick"] if bombs == bad_input.BOMBS[:1] else []
            script = str(HERE / "bad_input.py")
            line = [sys.executable, script, "--write-inputs", str(folder), *quick]
            subprocess.run(line, check=True)
        return folder

    def reference(self, command: Command, made: Path, keep: Path) -> Path:
        """Run `command` once, untimed, and keep what it made at `made` as `keep`: the input of
        a floor that times only its own part."""
        if not keep.exists():
            self.progress(f"writing {keep.name} with the tool")
            run(command, self.env, self.folder)
            shutil.copyfile(made, keep)
        return keep

    def mil62sched(self, *argv: str, **options: object) -> Command:
        """A command of the tool."""
        return Command((self.tool, *argv), **options)  # type: ignore[arg-type]

    def floor(self, script: str, *argv: str | Path, **options: object) -> Command:
        """A floor program of floors/."""
        line = (sys.executable, str(FLOORS / script), *map(str, argv))
        return Command(line, **options)  # type: ignore[arg-type]


Built = tuple[dict[str, Command], list[Row]]


def of_file(path: Path) -> Callable[[], str]:
    """A fingerprint: the digest of the file at `path`."""
    return lambda: digest(path)


def agenda(ctx: Context, sizes: Sizes) -> Built:
    """`agenda` over the realistic roster, with and without its actuals."""
    n = sizes.participants
    roster, actuals = ctx.roster(n), ctx.actuals(n)
    when = ("--from", AGENDA_DAY, "--today", AGENDA_DAY, "--days", AGENDA_DAYS, "--format", "csv")
    commands = {}
    for name, given in (("actuals", actuals), ("no actuals", None)):
        out, floor_out = ctx.path(f"agenda-{name}-{n}.csv"), ctx.path(f"floor-agenda-{name}.csv")
        more = ("--actuals", str(given)) if given else ()
        commands[f"agenda, {name}"] = ctx.mil62sched(
            "agenda",
            str(roster),
            *more,
            *when,
            "-o",
            str(out),
            "--force",
            fingerprint=of_file(out),
        )
        commands[f"floor agenda, {name}"] = ctx.floor(
            "agenda.py",
            roster,
            given or "-",
            AGENDA_DAY,
            AGENDA_DAYS,
            AGENDA_DAY,
            floor_out,
            fingerprint=of_file(floor_out),
        )
    lines = f"{sum(1 for _ in actuals.open()) - 1:,}"
    return commands, [
        Row(
            f"agenda, {n:,} participants, actuals ({lines} lines)",
            "agenda, actuals",
            "floor agenda, actuals",
            "csv read, dates, sort, write",
            3.0,
            same_output=True,
        ),
        Row(
            f"agenda, {n:,} participants, no actuals",
            "agenda, no actuals",
            "floor agenda, no actuals",
            "csv read, dates, sort, write",
            2.5,
            same_output=True,
        ),
    ]


def roster_csv(ctx: Context, sizes: Sizes) -> Built:
    """`roster --format csv` over the realistic roster, and its peak RSS, against python and
    csv.writer writing the same rows (the issue's floor), and against planning them in plain
    Python (the same work with the least code)."""
    n = sizes.participants
    roster = ctx.roster(n)
    out = ctx.path(f"roster-{n}-out.csv")
    copied, planned = ctx.path("floor-roster-copy.csv"), ctx.path("floor-roster-planned.csv")
    tool = ctx.mil62sched(
        "roster", str(roster), "--format", "csv", "-o", str(out), "--force",
        fingerprint=of_file(out),
    )  # fmt: skip
    reference = ctx.reference(tool, out, ctx.path(f"reference-{n}.csv"))
    commands = {
        f"roster csv {n}": tool,
        "floor csv copy": ctx.floor("csv_copy.py", reference, copied, fingerprint=of_file(copied)),
        "floor csv planned": ctx.floor(
            "roster_csv.py", roster, planned, fingerprint=of_file(planned)
        ),
    }
    label = f"roster --format csv, {n:,} participants (realistic)"
    return commands, [
        Row(label, f"roster csv {n}", "floor csv copy", "csv.reader to csv.writer, same rows",
            3.0, same_output=True, rss_goal_mib=48.0),
        Row(label, f"roster csv {n}", "floor csv planned", "planned in plain Python, csv.writer",
            same_output=True),
    ]  # fmt: skip


def roster_json(ctx: Context, sizes: Sizes) -> Built:
    """`roster --format json` against json.dumps of the same documents, in the same layout."""
    n = sizes.participants
    out, floor_out = ctx.path(f"roster-{n}-out.json"), ctx.path("floor-roster.json")
    tool = ctx.mil62sched(
        "roster",
        str(ctx.roster(n)),
        "--format",
        "json",
        "-o",
        str(out),
        "--force",
        fingerprint=of_file(out),
    )
    reference = ctx.reference(tool, out, ctx.path(f"reference-{n}.json"))
    floor = ctx.floor(
        "json_documents.py", reference, floor_out, self_timed=True, fingerprint=of_file(floor_out)
    )
    row = Row(
        f"roster --format json, {n:,} participants",
        f"roster json {n}",
        "floor json",
        "json.dumps, same layout",
        1.5,
        same_output=True,
    )
    return {f"roster json {n}": tool, "floor json": floor}, [row]


def calendar(ctx: Context, sizes: Sizes, fmt: str) -> Built:
    """`roster --format ics|xlsx` against icalendar or openpyxl writing the same."""
    n = sizes.calendar
    head = ctx.roster(n)
    out, floor_out = ctx.path(f"roster-{n}-out.{fmt}"), ctx.path(f"floor-roster.{fmt}")
    ics = fmt == "ics"
    made = (lambda path: lambda: digest(path)) if ics else sheet_rows
    tool = ctx.mil62sched(
        "roster", str(head), "--format", fmt, "-o", str(out), "--force", fingerprint=made(out)
    )
    reference = ctx.reference(tool, out, ctx.path(f"reference-{n}.{fmt}"))
    script = "ics_events.py" if ics else "xlsx_rows.py"
    floor = ctx.floor(script, reference, floor_out, self_timed=True, fingerprint=made(floor_out))
    label = f"roster --format {fmt}, {n:,} participants"
    what = "icalendar, same events" if ics else "openpyxl write-only, same rows"
    row = Row(label, f"roster {fmt} {n}", f"floor {fmt}", what, same_output=True)
    return {f"roster {fmt} {n}": tool, f"floor {fmt}": floor}, [row]


def sheet_rows(path: Path) -> Callable[[], str]:
    """A fingerprint of a workbook: its sheets' rows, counted in their XML."""

    def rows() -> str:
        found = []
        with zipfile.ZipFile(path) as book:
            for name in sorted(book.namelist()):
                if name.startswith("xl/worksheets/sheet"):
                    count, tail = 0, b""
                    with book.open(name) as sheet:  # read in parts: this process stays small
                        while part := sheet.read(1 << 16):
                            # A "<row " cut in two by the read is counted in the next part.
                            count += (tail + part).count(b"<row ")
                            tail = (tail + part)[-4:]
                    found.append(f"{name}: {count} rows")
        return ", ".join(found)

    return rows


def pdf(ctx: Context, sizes: Sizes) -> Built:
    """`roster --split DIR --format pdf` against one Chromium printing all the cards."""
    commands: dict[str, Command] = {}
    rows = []
    if ctx.browser is None:
        return commands, rows
    for n in sizes.cards:
        head = ctx.roster(n)
        split, floor_out = ctx.path(f"cards-{n}"), ctx.path(f"floor-cards-{n}.pdf")
        cards = ctx.path(f"cards-{n}.html")
        if not cards.exists():
            run(
                ctx.mil62sched("roster", str(head), "--format", "html", "-o", str(cards)),
                ctx.env,
                ctx.folder,
            )
        commands[f"split pdf {n}"] = ctx.mil62sched(
            "roster",
            str(head),
            "--split",
            str(split),
            "--format",
            "pdf",
            "--force",
            "--browser",
            ctx.browser,
            fingerprint=lambda split=split: pages(split),
        )
        commands[f"floor pdf {n}"] = ctx.floor(
            "pdf_print.py",
            cards,
            floor_out,
            ctx.browser,
            fingerprint=lambda out=floor_out: pages(out),
        )
        rows.append(
            Row(
                f"roster --split DIR --format pdf, {n:,} participants",
                f"split pdf {n}",
                f"floor pdf {n}",
                "one Chromium, all the cards",
                1.5,
                same_output=True,
            )
        )
    return commands, rows


def pages(where: Path) -> str:
    """A fingerprint of PDFs: the pages of a file, or of every file in a folder, as pikepdf
    (the tool's own dependency) counts them: a page may be in a compressed object stream."""
    import pikepdf

    files = sorted(where.glob("*.pdf")) if where.is_dir() else [where]
    found = 0
    for path in files:
        with pikepdf.open(path) as printed:
            found += len(printed.pages)
    return f"{found} pages"


def bad_roster(ctx: Context, sizes: Sizes) -> Built:
    """Refusing a roster whose every arm is misspelt, against planning the same roster good."""
    n = sizes.bad_roster
    out = ctx.path(f"roster-{n}-out.csv")
    good = f"roster csv {n}"
    commands = {
        good: ctx.mil62sched(
            "roster",
            str(ctx.roster(n)),
            "--format",
            "csv",
            "-o",
            str(out),
            "--force",
            fingerprint=of_file(out),
        ),
        f"bad roster {n}": ctx.mil62sched(
            "roster",
            str(ctx.bad_roster(n)),
            "--format",
            "csv",
            "-o",
            str(ctx.path("bad-roster-out.csv")),
            "--force",
            status=1,
            shows=f"{n} bad row(s); nothing written",
        ),
    }
    row = Row(
        f"refusing {n:,} bad roster rows (unknown arm)",
        f"bad roster {n}",
        good,
        f"planning the {n:,} good",
        2.0,
    )
    return commands, [row]


def bad_actuals(ctx: Context, sizes: Sizes) -> Built:
    """`agenda` refusing an actuals file with some bad rows, against the same file all good."""
    n, bad = sizes.participants, sizes.bad_actuals
    commands, _ = agenda(ctx, sizes)
    spoiled = ctx.bad_actuals(n, bad)
    commands = {"agenda, actuals": commands["agenda, actuals"]}
    commands[f"agenda, {bad} bad actuals"] = ctx.mil62sched(
        "agenda",
        str(ctx.roster(n)),
        "--actuals",
        str(spoiled),
        "--from",
        AGENDA_DAY,
        "--today",
        AGENDA_DAY,
        "--days",
        AGENDA_DAYS,
        "--format",
        "csv",
        "-o",
        str(ctx.path("agenda-bad-out.csv")),
        "--force",
        status=1,
        shows="bad row(s); nothing written",
    )
    row = Row(
        f"refusing actuals with {bad:,} bad rows, {n:,} participants",
        f"agenda, {bad} bad actuals",
        "agenda, actuals",
        "the same file all good",
        1.1,
    )
    return commands, [row]


def startup(ctx: Context, sizes: Sizes) -> Built:
    """Start-up: `plan` in three formats, `--help`, and first runs, against typer apps."""
    plan = ("plan", "--arm", "phase3-ocp", "--start", "2024-01-01")
    a_file = ctx.path("a-file")
    a_file.touch()
    unwritable = {"MIL62SCHED_CACHE_DIR": str(a_file / "cache")}

    def tool(*argv: str, **options: object) -> Command:
        return ctx.mil62sched(*argv, warm_up=True, **options)

    def floor(name: str, *argv: str, shows: str = "") -> Command:
        return ctx.floor(f"startup_{name}.py", *argv, shows=shows, warm_up=True)

    commands = {
        "plan table": tool(*plan, shows="W1D1"),
        "plan json": tool(*plan, "--format", "json", shows='"W1D1"'),
        "plan ics": tool(*plan, "--format", "ics", shows="BEGIN:VEVENT"),
        "--help": tool("--help", shows="Usage"),
        "plan json, empty cache": tool(*plan, "--format", "json", shows='"W1D1"', fresh_cache=True),
        "plan json, no cache": tool(*plan, "--format", "json", shows='"W1D1"', env=unwritable),
        "typer table": floor("table", shows="W1D1"),
        "typer json": floor("json", shows="W1D1"),
        "typer ics": floor("ics", shows="BEGIN:VEVENT"),
        "typer json --help": floor("json", "--help", shows="Usage"),
        "typer json + holidays": floor("holidays", shows="moved"),
        "python -c pass": Command((sys.executable, "-c", "pass"), warm_up=True),
    }
    goal = 1.25
    return commands, [
        Row("plan (table)", "plan table", "typer table", "typer app, rich table", goal),
        Row("plan --format json", "plan json", "typer json", "typer app, json.dumps", goal),
        Row("plan --format ics", "plan ics", "typer ics", "typer app, one icalendar event", goal),
        Row("mil62sched --help", "--help", "typer json --help", "typer app --help", goal),
        Row(
            "plan json, empty cache (a first run)",
            "plan json, empty cache",
            "typer json + holidays",
            "typer app + holidays (CN)",
            goal,
        ),
        Row(
            "plan json, cache unwritable",
            "plan json, no cache",
            "typer json + holidays",
            "typer app + holidays (CN)",
            goal,
        ),
    ]


def bad_inputs(ctx: Context, sizes: Sizes) -> Built:
    """The bad inputs of issue 15 (bad_input.py)."""
    folder = ctx.bad_inputs(sizes.bombs)
    return bad_input.commands(ctx.tool, folder, sizes.bombs), bad_input.rows(sizes.bombs)


BUILDERS: dict[str, Callable[[Context, Sizes], Built]] = {
    "agenda": agenda,
    "roster-csv": roster_csv,
    "json": roster_json,
    "pdf": pdf,
    "bad-roster": bad_roster,
    "bad-actuals": bad_actuals,
    "ics": lambda ctx, sizes: calendar(ctx, sizes, "ics"),
    "xlsx": lambda ctx, sizes: calendar(ctx, sizes, "xlsx"),
    "startup": startup,
    "bad-input": bad_inputs,
}


def build(ctx: Context, groups: list[str], sizes: Sizes) -> Built:
    """Every command and row of `groups`; a command two groups share (by name) is run once."""
    commands: dict[str, Command] = {}
    rows: list[Row] = []
    for group in groups:
        more, more_rows = BUILDERS[group](ctx, sizes)
        for name, command in more.items():
            if commands.setdefault(name, command).argv != command.argv:
                raise SystemExit(f"two commands named {name!r}: rename one")
        rows += more_rows
    return commands, rows


def check(ctx: Context, groups: list[str], sizes: Sizes) -> None:
    """Run every command once on the small inputs: each must end and speak as it should, and each
    floor must write what its tool command writes."""
    commands, rows = build(ctx, groups, sizes.small())
    found: dict[str, Sample] = {}
    for name, command in sorted(commands.items()):
        ctx.progress(f"checking {name}")
        found[name] = run(command, ctx.env, ctx.folder)
    for row in rows:
        if row.same_output and found[row.command].fingerprint != found[row.floor].fingerprint:
            raise SystemExit(
                f"{row.label}: the floor ({row.floor}) does not write what the tool writes on "
                f"the check's inputs ({found[row.command].fingerprint} against "
                f"{found[row.floor].fingerprint}); nothing timed"
            )


def find_tool() -> str:
    """The `mil62sched` script installed beside this interpreter."""
    tool = Path(sys.executable).parent / ("mil62sched.exe" if os.name == "nt" else "mil62sched")
    if not tool.exists():
        sys.exit(f"{tool} not found: install the project in this environment (pip install -e .)")
    return str(tool)


def find_browser() -> str | None:
    """Debian's Chromium (or another the tool accepts), if installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def machine(browser: str | None) -> list[str]:
    """Lines saying where and on what the run happened."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text(encoding="utf-8").splitlines() if cpuinfo.exists() else []
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    model = models[0] if models else "unknown CPU"
    commit = subprocess.run(
        ["git", "-C", str(HERE), "log", "-1", "--format=%h %cd", "--date=short"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(HERE.parent), "status", "--porcelain", "--", "src"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    found = [f"python {platform.python_version()}"]
    for name in VERSIONED:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    if browser:
        said = subprocess.run([browser, "--version"], capture_output=True, text=True)
        found.append(said.stdout.strip() or browser)
    return [
        f"commit {commit or '(not a git checkout)'}"
        + (" (src/ has uncommitted changes)" if dirty else ""),
        f"{platform.system()} {platform.machine()}, {model}, {os.cpu_count()} CPUs",
        ", ".join(found),
    ]


def seconds(value: float) -> str:
    """Seconds, with the digits that matter."""
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def spread(low: float, median: float, high: float) -> str:
    """A median and its spread."""
    return f"{seconds(median)} ({seconds(low)}-{seconds(high)})"


def report(rows: list[Row], summaries: dict[str, Summary], markdown: bool) -> list[str]:
    """Two tables of every row, in wall time and in CPU time: tool and floor (median and
    spread), the ratio; in the first, the goal and whether the median wall time meets it,
    whether tool and floor wrote the same, and the tool's peak RSS."""
    wall = [
        [
            "job",
            "tool s (min-max)",
            "floor",
            "floor s (min-max)",
            "x floor",
            "goal",
            "met",
            "same output",
            "peak MiB",
        ]
    ]
    cpu = [["job", "tool CPU s (min-max)", "floor CPU s (min-max)", "x floor"]]
    notes = []
    for row in rows:
        tool, floor = summaries[row.command], summaries[row.floor]
        ratio = tool.wall / floor.wall
        met = "" if row.goal is None else ("yes" if ratio <= row.goal else "NO")
        same = ""
        if row.same_output:
            alike = tool.fingerprints == floor.fingerprints and len(tool.fingerprints) == 1
            same = "yes" if alike else "NO"
        wall.append(
            [
                row.label,
                spread(tool.wall_min, tool.wall, tool.wall_max),
                row.floor_label,
                spread(floor.wall_min, floor.wall, floor.wall_max),
                f"{ratio:.2f}",
                "" if row.goal is None else f"≤{row.goal:g}x",
                met,
                same,
                f"{tool.rss_mib:.1f}",
            ]
        )
        cpu_ratio = f"{tool.cpu / floor.cpu:.2f}" if floor.cpu else ""
        cpu.append(
            [
                row.label,
                spread(tool.cpu_min, tool.cpu, tool.cpu_max),
                spread(floor.cpu_min, floor.cpu, floor.cpu_max),
                cpu_ratio,
            ]
        )
        if row.rss_goal_mib is not None:
            ok = "yes" if tool.rss_mib <= row.rss_goal_mib else "NO"
            notes.append(
                f"peak RSS of {row.label}: {tool.rss_mib:.1f} MiB, goal "
                f"≤{row.rss_goal_mib:g} MiB: {ok} (its floor's: {floor.rss_mib:.1f} MiB)"
            )
    return [*table(wall, markdown), "", *table(cpu, markdown), "", *notes]


def table(cells: list[list[str]], markdown: bool) -> list[str]:
    """Rows of cells, the first the header, as text columns or Markdown."""
    if markdown:
        lines = ["| " + " | ".join(row) + " |" for row in cells]
        lines.insert(1, "|" + "---|" * len(cells[0]))
        return lines
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    lines.insert(1, "-" * max(len(line) for line in lines))
    return lines


def main(argv: list[str] | None = None) -> None:
    """Write the inputs, check the floors, time the rounds, print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument(
        "--participants",
        type=int,
        default=100_000,
        help="agenda, roster to CSV and JSON (default 100000)",
    )
    parser.add_argument(
        "--calendar-participants",
        type=int,
        default=1_000,
        help="roster to .ics and .xlsx (default 1000)",
    )
    parser.add_argument(
        "--cards", default="5,20", help="participants of each --split PDF roster (default 5,20)"
    )
    parser.add_argument(
        "--bad-roster-rows",
        type=int,
        help="rows of the bad roster (default --participants, so that its good "
        "twin is the roster-to-CSV run)",
    )
    parser.add_argument(
        "--bad-actuals", type=int, default=2_800, help="bad rows in the actuals file (default 2800)"
    )
    parser.add_argument("--only", help=f"comma-separated groups: {', '.join(GROUPS)}")
    parser.add_argument("--markdown", action="store_true", help="the table in Markdown")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: tiny inputs, one round (figures worth nothing)",
    )
    arguments = parser.parse_args(argv)
    groups = list(GROUPS) if not arguments.only else arguments.only.split(",")
    unknown = [group for group in groups if group not in GROUPS]
    if unknown:
        parser.error(f"unknown group {unknown[0]!r}: accepted: {', '.join(GROUPS)}")
    cards = tuple(int(n) for n in arguments.cards.split(",") if n)
    sizes = Sizes(
        arguments.participants,
        arguments.calendar_participants,
        cards,
        arguments.bad_roster_rows or arguments.participants,
        arguments.bad_actuals,
        bad_input.BOMBS,
    )
    count, warm_ups = arguments.rounds, 2
    if arguments.quick:
        sizes = Sizes(300, 20, (2,), 300, 10, bad_input.BOMBS[:1])
        count, warm_ups = 1, 0
    browser = find_browser()
    began, load = time.perf_counter(), os.getloadavg()

    def progress(line: str) -> None:
        print(f"[{time.perf_counter() - began:6.0f} s] {line}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="mil62sched-bench-") as scratch:
        folder = Path(scratch)
        ctx = Context(find_tool(), folder, base_environment(folder / "cache"), browser, progress)
        try:
            check(ctx, groups, sizes)
            commands, rows = build(ctx, groups, sizes)
            samples = rounds(commands, count, ctx.env, folder, warm_ups=warm_ups, progress=progress)
        except Failed as failure:
            sys.exit(f"a run failed; nothing reported:\n{failure}")
    summaries = {name: Summary.of(found) for name, found in samples.items()}
    end_load = os.getloadavg()
    print(f"mil62sched against its floors, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    for line in machine(browser):
        print(line)
    print(
        f"load average (1, 5, 15 min) {' '.join(f'{x:.2f}' for x in load)} at the start, "
        f"{' '.join(f'{x:.2f}' for x in end_load)} at the end; "
        f"{time.perf_counter() - began:.0f} s in all"
    )
    print(
        f"{count} interleaved round(s) after {warm_ups} warm-up round(s) of the start-up "
        "commands; medians, spread min-max; met: median wall time within the goal"
    )
    print(
        f"command line: python benchmarks/run.py {' '.join(sys.argv[1:] if argv is None else argv)}"
    )
    if "pdf" in groups and browser is None:
        print("pdf: skipped, no Chromium on PATH (Debian: apt-get install chromium)")
    print()
    for line in report(rows, summaries, arguments.markdown):
        print(line)
    if "python -c pass" in summaries:
        print(f"for scale, python -c pass: {summaries['python -c pass'].wall * 1000:.0f} ms")


if __name__ == "__main__":
    main()
