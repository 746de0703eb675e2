"""The CSV rows of a roster written out by hand, against the same rows derived from the contract.

`formats/csv_rows.rows` spells each row out by hand, with cached cells, though
`formats/contract.plan_visits` (the JSON contract's visit fields, tracking fields, protocol-date
fields, study dates and kind) says the same; `tests/test_csv_rows.py` holds the two to the same
values. This measures whether the hand-written rows are worth their upkeep, in one process, on
the work a roster to CSV does after reading its input:

    rows         turning the plans into rows of cells
    rows + csv   the same, written with csv.writer to memory (as `write_many` writes them)
    roster path  planning every participant, then rows + csv

The roster is run.py's realistic input (inputs.py: weighted arms, W1D1 on weekdays over
2022-2026, per-row windows, olp_start and escalate_at, the CN working-day calendar), planned
once with one shared Planner, as `roster` plans. Both versions' rows are checked to be equal
first. Each round times both versions in a shuffled order; medians are reported, and ratio =
derived / hand. Unlike run.py, this times functions inside one process, importing the package's
modules: it compares two ways of writing the same rows, not the tool with a floor. Nothing is
asserted: the figures are printed.

    python benchmarks/csv_rows.py [--participants 20000] [--repeat 7]
    python benchmarks/csv_rows.py --quick
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import sys
import time
from collections.abc import Callable, Container, Iterable, Iterator
from datetime import date

import inputs

from mil62sched import engine, protocol
from mil62sched.formats import csv_rows
from mil62sched.formats.contract import plan_visits
from mil62sched.formats.wording import before_study_start
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Plan, Policy
from mil62sched.model.protocol import Window
from mil62sched.outputs import csv_cell
from mil62sched.site.workdays import SiteCalendar

Rows = Callable[[Plan], Iterator[list[str]]]


def derived_rows(plan: Plan, over_full: Container[date] | None = None) -> Iterator[list[str]]:
    """The rows of `plan` in HEADER's order, derived from the JSON contract's fields."""
    heads = {
        "protocol": plan.protocol.id,
        "arm": plan.arm.name,
        "masking": plan.arm.masking,
        "participant": plan.participant,
        "start": plan.start.isoformat(),
        "before_study_start": before_study_start(plan),
    }
    for visit in plan_visits(plan, over_full):
        yield [csv_cell(heads[name] if name in heads else visit[name]) for name in csv_rows.HEADER]


def realistic_plans(participants: int) -> Callable[[], list[Plan]]:
    """Planning the realistic roster, as `roster` plans it (a shared Planner, each row's own
    window, escalation and OLP start)."""
    rows = list(inputs.realistic_rows(participants))[1:]
    trial = protocol.load()

    def plan_all() -> list[Plan]:
        planner = engine.Planner(trial, Policy(site=SiteCalendar("CN")))
        plans = []
        for who, arm, start, escalate, olp, window in rows:
            before, _, after = window.partition(",")
            plans.append(
                planner.plan(
                    arm,
                    date.fromisoformat(start),
                    participant=who,
                    escalate_at=VisitCode.parse(escalate) if escalate else None,
                    period_starts={"OLP": date.fromisoformat(olp)} if olp else None,
                    window=Window(int(before), int(after or before)) if window else None,
                )
            )
        return plans

    return plan_all


def just_rows(rows: Rows, plans: Iterable[Plan]) -> None:
    for plan in plans:
        for _ in rows(plan):
            pass


def rows_and_csv(rows: Rows, plans: Iterable[Plan]) -> None:
    writer = csv.writer(io.StringIO(), lineterminator="\n")
    writer.writerow(csv_rows.HEADER)
    for plan in plans:
        writer.writerows(rows(plan))


def seconds(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="2,000 participants, 3 rounds")
    args = parser.parse_args()
    if args.quick:
        args.participants, args.repeat = 2_000, 3
    plan_all = realistic_plans(args.participants)
    plans = plan_all()
    versions: dict[str, Rows] = {"hand": csv_rows.rows, "derived": derived_rows}
    for plan in plans:
        if list(csv_rows.rows(plan)) != list(derived_rows(plan)):
            sys.exit(f"the two versions differ for {plan.participant}: nothing timed")
    order = random.Random(17)
    timed: dict[tuple[str, str], list[float]] = {}
    planning: list[float] = []
    for _ in range(args.repeat):
        planning.append(seconds(plan_all))
        for task in (just_rows, rows_and_csv):
            for name in order.sample(list(versions), len(versions)):
                spent = seconds(lambda: task(versions[name], plans))  # noqa: B023
                timed.setdefault((task.__name__, name), []).append(spent)
    median = {key: statistics.median(values) for key, values in timed.items()}
    planned = statistics.median(planning)
    rows = sum(len(plan.visits) for plan in plans)
    print(f"{args.participants:,} participants, {rows:,} rows, {args.repeat} rounds (medians)")
    print(f"{'':<12} {'hand s':>8} {'derived s':>10} {'ratio':>6}")
    for label, hand, derived in (
        ("rows", median["just_rows", "hand"], median["just_rows", "derived"]),
        ("rows + csv", median["rows_and_csv", "hand"], median["rows_and_csv", "derived"]),
        (
            "roster path",
            planned + median["rows_and_csv", "hand"],
            planned + median["rows_and_csv", "derived"],
        ),
    ):
        print(f"{label:<12} {hand:>8.3f} {derived:>10.3f} {derived / hand:>5.2f}x")


if __name__ == "__main__":
    main()
