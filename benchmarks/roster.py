"""Roster speed and memory at scale, on two inputs, interleaved and repeated; medians reported.

Inputs (generated, seeded, in a temporary folder):

    uniform    today's input: arms drawn uniformly from nine arms, W1D1 on any day over five
               years (2022-2026), escalate_at and window columns drawn per row
    realistic  a site's Phase 3 mix: mostly blinded phase3 journeys and phase3-rcp, a few
               phase3-olp and phase1b rows; W1D1 on weekdays only over 2024-2025; no per-row
               window, one site window given on the command line (--window 3)

Each repeat runs, for each input in a shuffled order, `mil62sched roster IN.csv -o OUT.csv
--force` on the whole input, the csv-writer floor on that output, and `mil62sched roster ... -o
OUT.ics --force` on the input's first --ics-participants rows. Each run of the tool is a child
process whose wall time and peak RSS (os.wait4) are taken.

Bad input, side by side with good input of the same size (issue 16 #12, issue 21 #5): the
realistic roster with every arm misspelt (`phase3-rcx`, refused row by row with a suggestion)
against planning the realistic roster itself; and the realistic roster with an actuals file of
its W1D1 and W3D1 (done), once good and once with every 36th participant's W3D1 typed W2D1 (a
visit the arm lacks: refused with its line), each run with --today. Goal: bad input at most 2x
the time of the same amount of good input.

The floor is a separate Python process that reads the CSV the tool just wrote into a list of
rows (lists of strings), then times only writing those rows, header included, with csv.writer
to a new file (open, writerows, close). It plans nothing and excludes interpreter start-up and
reading, so it is a hard lower bound for the tool's whole run; its file is checked to be byte
for byte the tool's. Ratio = tool seconds / floor seconds. Goals: CSV at most 4x the floor on
both inputs; peak RSS of a 100,000-participant roster to CSV at most 64 MiB. Nothing is
asserted: the figures are printed. Needs os.wait4 (Linux, macOS).

    python benchmarks/roster.py [--participants 100000] [--ics-participants 10000] [--repeat 3]
    python benchmarks/roster.py --quick
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import itertools
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

CSV_RATIO_GOAL = 4.0
RSS_GOAL_MIB = 64.0
RSS_GOAL_PARTICIPANTS = 100_000
BAD_RATIO_GOAL = 2.0  # refusing bad input against planning as much good input
MISSPELT_ARM = "phase3-rcx"  # one edit from phase3-rcp: the refusal suggests it
BAD_ACTUAL_EVERY = 36  # every 36th participant's W3D1 typed W2D1: about 2.8 % of them
ACTUALS_TODAY = "2026-06-01"  # after every W3D1 of the realistic input (W1D1 in 2024-2025)

UNIFORM_ARMS = (
    "phase1b-500", "phase1b-1000", "phase3-rcp", "phase3-olp", "phase3",
    "phase3-rcp-mil62", "phase3-rcp-placebo", "phase3-olp-from-mil62", "phase3-olp-from-placebo",
)  # fmt: skip

# Share of each arm at a blinded Phase 3 site that also ran a few Phase 1b participants.
REALISTIC_ARMS = {
    "phase3": 60,
    "phase3-rcp": 25,
    "phase3-olp": 7,
    "phase1b-500": 4,
    "phase1b-1000": 4,
}

FLOOR = """\
import csv, sys, time
with open(sys.argv[1], newline="", encoding="utf-8") as stream:
    rows = list(csv.reader(stream))
began = time.perf_counter()
with open(sys.argv[2], "w", newline="", encoding="utf-8") as stream:
    csv.writer(stream, lineterminator=sys.argv[3]).writerows(rows)
print(time.perf_counter() - began)
"""


def write_uniform(path: Path, participants: int, seed: int = 62) -> None:
    """Today's roster: uniform arms, starts over 2022-2026, per-row escalation and windows."""
    chance = random.Random(seed)
    first = date(2022, 1, 3)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["participant", "arm", "start", "escalate_at", "window"])
        for number in range(participants):
            arm = chance.choice(UNIFORM_ARMS)
            start = first + timedelta(days=chance.randrange(5 * 365))
            escalate = chance.choice(["", "W25D1", "W53D1"]) if arm == "phase1b-500" else ""
            window = chance.choice(["", "3", "2,4"])
            writer.writerow([f"P{number:06d}", arm, start.isoformat(), escalate, window])


def write_realistic(path: Path, participants: int, seed: int = 62) -> None:
    """A site's roster: weighted Phase 3 arms, W1D1 on weekdays in 2024-2025, no row windows."""
    chance = random.Random(seed)
    first = date(2024, 1, 1)
    days = (date(2025, 12, 31) - first).days + 1
    weekdays = [d for d in (first + timedelta(n) for n in range(days)) if d.weekday() < 5]
    arms = list(REALISTIC_ARMS)
    weights = list(REALISTIC_ARMS.values())
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["participant", "arm", "start"])
        for number in range(participants):
            arm = chance.choices(arms, weights)[0]
            writer.writerow([f"CT303-{number:06d}", arm, chance.choice(weekdays).isoformat()])


def write_misspelt(source: Path, target: Path) -> None:
    """`source` with the arm of every row misspelt: a roster of bad rows only."""
    with source.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    with target.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(rows[0])
        writer.writerows([row[0], MISSPELT_ARM, *row[2:]] for row in rows[1:])


def write_actuals(source: Path, target: Path, bad: bool) -> int:
    """Each participant's W1D1 and W3D1 of the realistic roster `source`, done on their
    protocol dates; with `bad`, every BAD_ACTUAL_EVERY-th participant's W3D1 typed W2D1.
    Returns how many rows are bad."""
    with source.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))[1:]
    refused = 0
    with target.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["participant", "code", "date"])
        for number, (participant, arm, start) in enumerate(rows):
            period = "RCP:" if arm == "phase3" else ""  # codes repeat in a journey's periods
            first = date.fromisoformat(start)
            second = "W3D1"
            if bad and number % BAD_ACTUAL_EVERY == 0:
                second, refused = "W2D1", refused + 1
            writer.writerow([participant, f"{period}W1D1", start])
            writer.writerow([participant, f"{period}{second}", (first + timedelta(14)).isoformat()])
    return refused


def head(source: Path, target: Path, participants: int) -> None:
    """The header and first `participants` rows of a roster."""
    with source.open(encoding="utf-8") as stream:
        target.write_text("".join(itertools.islice(stream, participants + 1)), encoding="utf-8")


@dataclass(frozen=True)
class Input:
    """One generated roster and the options a site would run it with."""

    name: str
    write: Callable[[Path, int], None]
    options: tuple[str, ...] = ()


REALISTIC_OPTIONS = ("--window", "3")
INPUTS = (Input("uniform", write_uniform), Input("realistic", write_realistic, REALISTIC_OPTIONS))


@dataclass
class BadRuns:
    """Repeated measurements of the bad-input cases and the good input each is set against."""

    misspelt_seconds: list[float] = field(default_factory=list)
    actuals_good_seconds: list[float] = field(default_factory=list)
    actuals_bad_seconds: list[float] = field(default_factory=list)
    bad_actuals: int = 0  # rows of the bad actuals file that are refused


@dataclass
class Runs:
    """Repeated measurements of one input."""

    csv_seconds: list[float] = field(default_factory=list)
    csv_rss_kib: list[int] = field(default_factory=list)
    floor_seconds: list[float] = field(default_factory=list)
    ics_seconds: list[float] = field(default_factory=list)
    ics_rss_kib: list[int] = field(default_factory=list)
    csv_rows: int = 0
    ics_events: int = 0
    floor_identical: bool = True


def find_tool() -> Path:
    """The `mil62sched` script installed beside this interpreter."""
    tool = Path(sys.executable).parent / "mil62sched"
    if not tool.exists():
        sys.exit(f"{tool} not found: install the project in this environment (pip install -e .)")
    return tool


def measure(
    argv: list[str], env: dict[str, str], errors: Path, expect: int = 0
) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process running `argv`, which must end
    with `expect` (1: bad input, refused)."""
    with errors.open("wb") as stderr:
        began = time.perf_counter()
        child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != expect:
        message = errors.read_text(encoding="utf-8", errors="replace").strip()
        sys.exit(f"failed ({child.returncode}): {' '.join(argv)}\n{message}")
    peak = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss  # bytes there
    return seconds, peak


def floor_seconds(tool_output: Path, floor_output: Path) -> float:
    """The floor's writing time for the rows of `tool_output`, with the same line endings."""
    with tool_output.open("rb") as stream:
        ending = "\r\n" if stream.readline().endswith(b"\r\n") else "\n"
    done = subprocess.run(
        [sys.executable, "-c", FLOOR, str(tool_output), str(floor_output), ending],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(done.stdout)


def count_csv_rows(path: Path) -> int:
    """Data rows of a CSV file (records, so quoted line breaks count once)."""
    with path.open(newline="", encoding="utf-8") as stream:
        return sum(1 for _ in csv.reader(stream)) - 1


def count_events(path: Path) -> int:
    """VEVENTs in a calendar file."""
    with path.open(encoding="utf-8") as stream:
        return sum(1 for line in stream if line.startswith("BEGIN:VEVENT"))


def mib(kib: float) -> float:
    """KiB to MiB."""
    return kib / 1024


@dataclass(frozen=True)
class Setup:
    """Where the runs happen: the tool, the scratch folder and the child's environment."""

    tool: str
    folder: Path
    env: dict[str, str]

    def roster(
        self, roster: Path, out: Path, options: tuple[str, ...], expect: int = 0
    ) -> tuple[float, int]:
        """Seconds and peak RSS (KiB) of `mil62sched roster ROSTER -o OUT --force [options]`."""
        argv = [self.tool, "roster", str(roster), "-o", str(out), "--force", *options]
        return measure(argv, self.env, self.folder / "stderr.txt", expect)


@dataclass(frozen=True)
class BadInputs:
    """The bad-input files, made from the realistic input, and the good actuals file."""

    misspelt: Path
    actuals_good: Path
    actuals_bad: Path


def prepare_bad(setup: Setup, realistic: Path, runs: BadRuns) -> BadInputs:
    """Write the bad-input files from the realistic roster."""
    made = BadInputs(
        setup.folder / "misspelt.csv",
        setup.folder / "actuals-good.csv",
        setup.folder / "actuals-bad.csv",
    )
    write_misspelt(realistic, made.misspelt)
    write_actuals(realistic, made.actuals_good, bad=False)
    runs.bad_actuals = write_actuals(realistic, made.actuals_bad, bad=True)
    return made


def run_bad_once(setup: Setup, realistic: Path, made: BadInputs, runs: BadRuns) -> None:
    """The misspelt roster (refused), then the roster with good and bad actuals, in a
    shuffled order (the good roster itself is timed with the realistic input)."""
    out = setup.folder / "bad-out.csv"
    options = REALISTIC_OPTIONS
    with_actuals = (*options, "--today", ACTUALS_TODAY, "--actuals")
    cases: list[Callable[[], None]] = [
        lambda: runs.misspelt_seconds.append(setup.roster(made.misspelt, out, options, 1)[0]),
        lambda: runs.actuals_good_seconds.append(
            setup.roster(realistic, out, (*with_actuals, str(made.actuals_good)))[0]
        ),
        lambda: runs.actuals_bad_seconds.append(
            setup.roster(realistic, out, (*with_actuals, str(made.actuals_bad)), 1)[0]
        ),
    ]
    random.Random(len(runs.misspelt_seconds)).shuffle(cases)
    for case in cases:
        case()


def prepare(setup: Setup, participants: int, ics_participants: int) -> dict[str, tuple[Path, Path]]:
    """Write each input (whole, and its head for .ics), and warm the cache and .pyc files."""
    rosters: dict[str, tuple[Path, Path]] = {}
    for source in INPUTS:
        whole = setup.folder / f"{source.name}.csv"
        part = setup.folder / f"{source.name}-ics.csv"
        warm = setup.folder / f"{source.name}-warm.csv"
        source.write(whole, participants)
        head(whole, part, ics_participants)
        head(whole, warm, 50)
        for fmt in ("csv", "ics"):
            setup.roster(warm, setup.folder / f"warm.{fmt}", source.options)
        rosters[source.name] = whole, part
    return rosters


def run_once(setup: Setup, source: Input, whole: Path, part: Path, result: Runs) -> None:
    """The CSV run on the whole input, the floor on its output, the .ics run on its head."""
    out_csv, out_ics = setup.folder / "out.csv", setup.folder / "out.ics"
    seconds, rss = setup.roster(whole, out_csv, source.options)
    result.csv_seconds.append(seconds)
    result.csv_rss_kib.append(rss)
    result.csv_rows = count_csv_rows(out_csv)
    floor_csv = setup.folder / "floor.csv"
    result.floor_seconds.append(floor_seconds(out_csv, floor_csv))
    result.floor_identical &= filecmp.cmp(out_csv, floor_csv, shallow=False)
    seconds, rss = setup.roster(part, out_ics, source.options)
    result.ics_seconds.append(seconds)
    result.ics_rss_kib.append(rss)
    result.ics_events = count_events(out_ics)


def main() -> None:
    """Generate the inputs, run the repeats and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000, help="CSV runs (100000)")
    parser.add_argument("--ics-participants", type=int, default=10_000, help=".ics runs (10000)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats per input (default 3)")
    parser.add_argument("--quick", action="store_true", help="5,000 / 1,000 participants, 1 repeat")
    arguments = parser.parse_args()
    if arguments.quick:
        participants, ics_participants, repeat = 5_000, 1_000, 1
    else:
        participants, repeat = arguments.participants, arguments.repeat
        ics_participants = arguments.ics_participants
    ics_participants = min(ics_participants, participants)
    tool = str(find_tool())
    runs = {source.name: Runs() for source in INPUTS}
    bad = BadRuns()
    with tempfile.TemporaryDirectory(prefix="mil62sched-roster-") as folder_name:
        folder = Path(folder_name)
        setup = Setup(tool, folder, {**os.environ, "MIL62SCHED_CACHE_DIR": str(folder / "cache")})
        rosters = prepare(setup, participants, ics_participants)
        realistic = rosters["realistic"][0]
        made = prepare_bad(setup, realistic, bad)
        order = [*INPUTS, None]  # None: the bad-input cases
        shuffle = random.Random(62).shuffle
        for number in range(repeat):
            shuffle(order)
            for source in order:
                name = "bad input" if source is None else source.name
                print(f"repeat {number + 1}/{repeat}: {name}", file=sys.stderr, flush=True)
                if source is None:
                    run_bad_once(setup, realistic, made, bad)
                else:
                    run_once(setup, source, *rosters[source.name], runs[source.name])
    report(runs, tool, participants, ics_participants, repeat)
    report_bad(bad, runs["realistic"], participants)


def report(
    runs: dict[str, Runs], tool: str, participants: int, ics_participants: int, repeat: int
) -> None:
    """Print the CSV table, the .ics table and the peak-RSS goal."""
    print(f"python {platform.python_version()}, {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs; tool: {tool}")  # fmt: skip
    print(f"medians of {repeat} interleaved repeat(s); peak RSS is the largest of the repeats")
    print()
    print(f"CSV: {participants:,} participants per input; goal at most {CSV_RATIO_GOAL:g}x floor")
    header = (
        f"{'input':<10}{'rows':>10}{'seconds':>9}{'rows/s':>10}{'floor s':>9}"
        f"{'x floor':>9}{'met':>5}{'peak MiB':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, result in runs.items():
        seconds = statistics.median(result.csv_seconds)
        floor = statistics.median(result.floor_seconds)
        rate, ratio = result.csv_rows / seconds, seconds / floor
        met = "yes" if ratio <= CSV_RATIO_GOAL else "no"
        peak = mib(max(result.csv_rss_kib))
        print(
            f"{name:<10}{result.csv_rows:>10,}{seconds:>9.2f}{rate:>10,.0f}"
            f"{floor:>9.3f}{ratio:>9.2f}{met:>5}{peak:>10.1f}"
        )
    same = all(result.floor_identical for result in runs.values())
    print(f"the floor's files are byte for byte the tool's: {'yes' if same else 'NO'}")
    print()
    print(f".ics: first {ics_participants:,} participants of each input")
    header = f"{'input':<10}{'events':>10}{'seconds':>9}{'events/s':>10}{'peak MiB':>10}"
    print(header)
    print("-" * len(header))
    for name, result in runs.items():
        seconds = statistics.median(result.ics_seconds)
        rate, peak = result.ics_events / seconds, mib(max(result.ics_rss_kib))
        print(f"{name:<10}{result.ics_events:>10,}{seconds:>9.2f}{rate:>10,.0f}{peak:>10.1f}")
    print()
    scale = "" if participants == RSS_GOAL_PARTICIPANTS else f" (this run: {participants:,})"
    print(f"peak RSS goal, {RSS_GOAL_PARTICIPANTS:,} participants to CSV{scale}: "
          f"at most {RSS_GOAL_MIB:g} MiB")  # fmt: skip
    for name, result in runs.items():
        peak = mib(max(result.csv_rss_kib))
        met = "yes" if peak <= RSS_GOAL_MIB else "no"
        print(f"  {name:<10}{peak:>7.1f} MiB  met: {met}")


def report_bad(bad: BadRuns, realistic: Runs, participants: int) -> None:
    """Print each bad-input case beside the good input it is set against, with the ratio."""
    print()
    print(f"bad input: {participants:,} participants (realistic); goal at most "
          f"{BAD_RATIO_GOAL:g}x the good input")  # fmt: skip
    header = f"{'case':<40}{'seconds':>9}  {'good input':<32}{'seconds':>9}{'ratio':>7}{'met':>5}"
    print(header)
    print("-" * len(header))
    refused = f"refuse {bad.bad_actuals:,} of {2 * participants:,} actuals rows"
    rows = (
        (f"refuse {participants:,} rows, arm misspelt", bad.misspelt_seconds,
         "plan them, arm right (to CSV)", realistic.csv_seconds),
        (refused, bad.actuals_bad_seconds, "plan with all actuals good", bad.actuals_good_seconds),
    )  # fmt: skip
    for label, seconds, good_label, good_seconds in rows:
        mine, theirs = statistics.median(seconds), statistics.median(good_seconds)
        ratio = mine / theirs
        met = "yes" if ratio <= BAD_RATIO_GOAL else "no"
        print(f"{label:<40}{mine:>9.2f}  {good_label:<32}{theirs:>9.2f}{ratio:>7.2f}{met:>5}")


if __name__ == "__main__":
    main()
