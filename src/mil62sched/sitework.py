"""The site-wide commands' work: a roster through the engine to the exporters and the disk.

`roster` streams: each participant is read, planned and written before the next is read, into a
staged output that is published only if every row was valid (or `--skip-bad` was given). Chair
balancing (`--adjust` with chairs) needs every plan at once and so holds the roster in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mil62sched import batch, capacity, export
from mil62sched.agenda import agenda
from mil62sched.engine import Plan, Policy
from mil62sched.errors import BadRowsError, UsageError
from mil62sched.export import Presentation
from mil62sched.options import SiteOptions
from mil62sched.output import staged, staged_folder, write_text
from mil62sched.progress import count_rows, track
from mil62sched.protocol import Protocol

ROSTER_FORMATS = ("table", "csv", "json", "ics")
_SPLIT_EXTENSIONS = {"table": ".txt", "csv": ".csv", "json": ".json", "ics": ".ics"}


@dataclass(frozen=True)
class RosterRun:
    """One pass over a roster with the site's options."""

    protocol: Protocol
    roster: Path
    policy: Policy
    actuals: Path | None = None
    chairs: int | None = None
    balance: bool = False  # move infusions to respect chairs (roster --adjust)
    skip_bad: bool = False

    @classmethod
    def prepare(
        cls,
        protocol: Protocol,
        roster: Path,
        site: SiteOptions,
        today: date,
        actuals: Path | None,
        chairs: int | None,
        skip_bad: bool,
    ) -> RosterRun:
        """A run with the site's options; chairs default to the protocol's."""
        return cls(
            protocol=protocol,
            roster=roster,
            policy=site.policy(protocol, today),
            actuals=actuals,
            chairs=chairs if chairs is not None else protocol.chairs,
            balance=site.adjust,
            skip_bad=skip_bad,
        )

    @property
    def today(self) -> date:
        """The run's today: --today, else the real date."""
        assert self.policy.today is not None  # SiteOptions.policy always sets it
        return self.policy.today


def roster_format(fmt: str | None, output: Path | None, split: Path | None) -> str:
    """The roster's output format: --format, else the output's extension, else table (ics with
    --split)."""
    if output is not None and split is not None:
        raise UsageError("give -o FILE or --split DIR, not both")
    chosen = export.format_for(fmt, output) if fmt or output else ("ics" if split else "table")
    if chosen not in ROSTER_FORMATS:
        accepted = ", ".join(ROSTER_FORMATS)
        raise UsageError(f"format {chosen!r} is not available for a roster: accepted: {accepted}")
    return chosen


def write_roster(
    run: RosterRun,
    fmt: str,
    presentation: Presentation,
    *,
    output: Path | None = None,
    split: Path | None = None,
    force: bool = False,
) -> None:
    """Plan every participant and write them in `fmt`; bad rows are reported after, all at once."""
    tally = batch.Tally()
    plans, unplaced = _balanced(run, _plans(run, tally))
    if split is not None:
        with staged_folder(split, force=force) as folder:
            for plan in plans:
                name = f"{plan.participant}{_SPLIT_EXTENSIONS[fmt]}"
                text = export.exporter(fmt).render(plan, presentation)
                (folder / name).write_text(text, encoding="utf-8", newline="")
            if tally.errors and not run.skip_bad:
                raise _bad_rows(run, tally)  # before the files are moved into place
    else:
        with staged(output, force=force) as stage:
            _write_many(run, fmt, plans, presentation, stage.stream)
            stage.keep = run.skip_bad or not tally.errors
    _report_chairs(unplaced)
    if tally.errors:
        raise _bad_rows(run, tally)


def write_agenda(
    run: RosterRun,
    first: date,
    days: int,
    fmt: str,
    *,
    styled: bool = False,
    output: Path | None = None,
    force: bool = False,
) -> None:
    """The site's agenda from `first` for `days` days."""
    from mil62sched.export import agenda as agenda_export

    if fmt.lower() not in agenda_export.FORMATS:
        raise UsageError(f"unknown format {fmt!r}: accepted: {', '.join(agenda_export.FORMATS)}")
    tally = batch.Tally()
    plans, unplaced = _balanced(run, _plans(run, tally))
    due = agenda(plans, first, days, run.chairs)
    if tally.errors and not run.skip_bad:
        raise _bad_rows(run, tally)
    text = agenda_export.render(due, fmt.lower(), Presentation(styled=styled))
    write_text(text, output, force=force)
    _report_chairs(unplaced)
    if tally.errors:
        raise _bad_rows(run, tally)


def _balanced(run: RosterRun, plans: Iterator[Plan]) -> tuple[Iterator[Plan], list[str]]:
    """The plans with infusions moved off over-full days (roster --adjust with chairs), and a
    warning per day that stays over-full; untouched, and streaming, otherwise."""
    if not run.balance or run.chairs is None:
        return plans, []
    balanced, unplaced = capacity.balance(list(plans), run.chairs, run.today)
    return iter(balanced), unplaced


def _plans(run: RosterRun, tally: batch.Tally) -> Iterator[Plan]:
    plans = batch.expand(run.protocol, run.roster, run.policy, run.actuals, tally)
    return track(plans, count_rows(run.roster), f"Planning {run.roster.name}")


def _write_many(
    run: RosterRun, fmt: str, plans: Iterator[Plan], presentation: Presentation, stream: object
) -> None:
    from typing import IO, cast

    out = cast(IO[str], stream)
    if fmt == "csv":
        from mil62sched.export import csv as csv_export

        csv_export.write_many(plans, presentation, out)
    elif fmt == "json":
        from mil62sched.export import json as json_export

        json_export.write_many(plans, presentation, out)
    elif fmt == "ics":
        from mil62sched.export import ics

        name = f"{run.protocol.id} roster {run.roster.stem}"
        if batch.any_unblinded(run.protocol, run.roster):
            name = f"UNBLINDED {name}"
        ics.write_many(plans, presentation, out, name)
    else:
        from mil62sched.export import table

        out.write(table.render_many(plans, presentation))


def _report_chairs(unplaced: list[str]) -> None:
    import sys

    for line in unplaced:
        sys.stderr.write(f"mil62sched: warning: {line}\n")


def _bad_rows(run: RosterRun, tally: batch.Tally) -> BadRowsError:
    """Every bad row, one line each, and what became of the valid ones."""
    count = len(tally.errors)
    if run.skip_bad:
        summary = f"{count} bad row(s) skipped; {tally.planned} participant(s) written"
    else:
        summary = (
            f"{count} bad row(s); nothing written (fix them, or use --skip-bad to write the "
            f"{tally.planned} valid participant(s))"
        )
    return BadRowsError([str(error) for error in tally.errors], summary)
