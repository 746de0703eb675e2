"""CSV: a header and one row per infusion, for spreadsheets."""

from __future__ import annotations

import functools
import io
from collections.abc import Container, Iterable, Iterator
from datetime import date
from typing import IO, TYPE_CHECKING

from mil62sched.formats import Format
from mil62sched.formats.contract import (
    AGENDA_COLUMNS,
    KIND_COLUMNS,
    PROTOCOL_DATE_COLUMNS,
    STUDY_DATE_COLUMNS,
    TRACKING_COLUMNS,
    VERSION_COLUMNS,
    agenda_lines,
)
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.formats.wording import WEEKDAYS, before_study_start, overdue, tracked
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Plan, Visit
from mil62sched.model.protocol import Treatment
from mil62sched.outputs import csv_cell as cell  # the one rule of every CSV the tool writes

if TYPE_CHECKING:
    from mil62sched.model.agenda import Agenda

PLAN_COLUMNS = ("protocol", "arm", "masking", "participant", "start")
VISIT_COLUMNS = (
    "code", "study_day", "date", "weekday", "treatment", "dose_mg", "blinded", "period",
    "protocol_date", "window_start", "window_end", "working_day", "non_working_reason",
    "proposed_date", "holidays_provisional", "status", "actual_date", "deviation_days",
    "in_window", "note",
)  # fmt: skip
# Columns added later go last, so that a spreadsheet reading columns by position keeps working.
HEADER = (
    PLAN_COLUMNS
    + VISIT_COLUMNS
    + TRACKING_COLUMNS
    + PROTOCOL_DATE_COLUMNS
    + STUDY_DATE_COLUMNS
    + KIND_COLUMNS
    + VERSION_COLUMNS
)


def rows(plan: Plan, over_full: Container[date] | None = None) -> Iterator[list[str]]:
    """One row per infusion, in HEADER's order (the same values as `contract.plan_visits`, which
    the tests hold it to; written out here because a roster may have a million rows, whose
    dates, codes, treatments and notes repeat: each is spelled once, by the cached helpers
    below. Derived from `plan_visits`, the rows took about 5x as long and a roster's planning
    and CSV writing about 2x: benchmarks/csv_rows.py). `over_full`: the site's over-full days,
    when chairs were counted."""
    periods = {p.name: (_iso(p.start), _BOOL[p.assumed]) for p in plan.periods}
    is_tracked = tracked(plan)
    early = _BOOL[before_study_start(plan)]
    completion = plan.protocol.study_completion
    head = [
        cell(plan.protocol.id), cell(plan.arm.name), plan.arm.masking,
        cell(plan.participant), plan.start.isoformat(),
    ]  # fmt: skip
    for v in plan.visits:
        yield [
            *head,
            _code(*v.code, v.code.by_day), str(v.study_day), _iso(v.date),
            WEEKDAYS[v.date.weekday()],
            *_treatment(v.treatment, v.period),
            _iso(v.target), _iso(v.window_start), _iso(v.window_end), _BOOL[v.working_day],
            _text(v.non_working_reason), _iso(v.proposed), _BOOL[v.holidays_provisional],
            v.status, *_record(v), _text(v.note),
            *periods[v.period], _MAYBE[overdue(plan, v, is_tracked)],
            _MAYBE[None if over_full is None else _chair_in(v, over_full)],
            _BOOL[v.target_working], _text(v.target_reason),
            early, _BOOL[completion is not None and (v.actual or v.date) > completion],
            v.kind, cell(plan.version_of(v)),
        ]  # fmt: skip


_BOOL = {True: "true", False: "false"}
_MAYBE = {None: "", True: "true", False: "false"}


def _chair_in(visit: Visit, days: Container[date]) -> bool:
    """Whether the visit takes a chair on one of `days` (a missed or dropped one takes none)."""
    if visit.status in ("missed", "dropped") or visit.kind != "infusion":
        return False
    return (visit.actual or visit.date) in days


@functools.lru_cache(maxsize=4096)
def _iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


@functools.lru_cache(maxsize=256)
def _code(week: int, day: int, by_day: bool) -> str:
    # Cached by all three fields: D15 == W3D1 as visits, but each is printed as written.
    return str(VisitCode(week, day, by_day))


@functools.lru_cache(maxsize=256)
def _treatment(treatment: Treatment, period: str) -> tuple[str, str, str, str]:
    """The treatment, dose_mg, blinded and period cells."""
    dose = "" if treatment.dose_mg is None else str(treatment.dose_mg)
    return cell(treatment.label), dose, _BOOL[treatment.blinded], cell(period)


@functools.lru_cache(maxsize=1024)
def _text(text: object) -> str:
    """A reason or note, in English (a `Localized` reason, a `Message` note): few distinct
    ones, on many rows."""
    return cell(None if text is None else str(text))


def _record(visit: Visit) -> tuple[str, str, str]:
    """The actual_date, deviation_days and in_window cells: empty until the visit is done."""
    if visit.actual is None:
        return _NOT_DONE
    deviation, in_window = visit.deviation_days, visit.in_window
    return (
        visit.actual.isoformat(),
        str(deviation),
        "" if in_window is None else _BOOL[in_window],
    )


_NOT_DONE = ("", "", "")


def render(
    plan: Plan, presentation: Presentation = PLAIN, over_full: Container[date] | None = None
) -> str:
    """The plan as CSV text with Unix line endings."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows(plan, over_full))
    return out.getvalue()


def write_many(
    plans: Iterable[Plan],
    presentation: Presentation,
    stream: IO[str],
    over_full: Container[date] | None = None,
) -> None:
    """Every plan's rows under one header, written as they come."""
    import csv

    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(HEADER)
    for plan in plans:
        writer.writerows(rows(plan, over_full))


def render_agenda(agenda: Agenda, presentation: Presentation = PLAIN) -> str:
    """The agenda as CSV: a row per participant with no recorded visit (flag `untracked`),
    then one row per visit, flags joined by '; '."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(AGENDA_COLUMNS)
    for values in agenda_lines(agenda):
        values["flags"] = "; ".join(values["flags"])
        writer.writerow([cell(values[name]) for name in AGENDA_COLUMNS])
    return out.getvalue()


FORMAT = Format(
    name="csv",
    extensions=(".csv",),
    render=render,
    write_roster=write_many,
    render_agenda=render_agenda,
)
