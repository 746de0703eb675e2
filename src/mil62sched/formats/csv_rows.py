"""CSV: a header and one row per infusion, for spreadsheets."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO, TYPE_CHECKING

from mil62sched.formats import Format
from mil62sched.formats.contract import AGENDA_COLUMNS, agenda_fields
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.formats.wording import WEEKDAYS
from mil62sched.model.plan import Plan

if TYPE_CHECKING:
    from mil62sched.roster.agenda import Agenda

PLAN_COLUMNS = ("protocol", "arm", "masking", "participant", "start")
VISIT_COLUMNS = (
    "code", "study_day", "date", "weekday", "treatment", "dose_mg", "blinded", "period",
    "protocol_date", "window_start", "window_end", "working_day", "non_working_reason",
    "proposed_date", "holidays_provisional", "status", "actual_date", "deviation_days",
    "in_window", "note",
)  # fmt: skip
HEADER = PLAN_COLUMNS + VISIT_COLUMNS


def cell(value: object) -> str:
    """A value as spreadsheet text: booleans as true/false, None as empty.

    Text a spreadsheet would run as a formula (starting with =, +, -, @) gets a leading
    apostrophe; numbers are left alone.

    >>> [cell(True), cell(None), cell(-3), cell("=HYPERLINK()")]
    ['true', '', '-3', "'=HYPERLINK()"]
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def rows(plan: Plan) -> Iterator[list[str]]:
    """One row per infusion, in HEADER's order (the same values as `visit_fields`, which the
    tests hold it to; written out here because a roster may have a million rows)."""
    head = [
        cell(plan.protocol.id), cell(plan.arm.name), plan.arm.masking,
        cell(plan.participant), plan.start.isoformat(),
    ]  # fmt: skip
    for v in plan.visits:
        day, treatment = v.date, v.treatment
        deviation = v.deviation_days
        yield [
            *head,
            str(v.code), str(v.study_day), day.isoformat(), WEEKDAYS[day.weekday()],
            cell(treatment.label), "" if treatment.dose_mg is None else str(treatment.dose_mg),
            _BOOL[treatment.blinded], cell(v.period), v.target.isoformat(),
            _iso(v.window_start), _iso(v.window_end), _BOOL[v.working_day],
            cell(v.non_working_reason), _iso(v.proposed), _BOOL[v.holidays_provisional],
            v.status, _iso(v.actual), "" if deviation is None else str(deviation),
            "" if v.in_window is None else _BOOL[v.in_window], cell(v.note),
        ]  # fmt: skip


_BOOL = {True: "true", False: "false"}


def _iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def render(plan: Plan, presentation: Presentation = PLAIN) -> str:
    """The plan as CSV text with Unix line endings."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows(plan))
    return out.getvalue()


def write_many(plans: Iterable[Plan], presentation: Presentation, stream: IO[str]) -> None:
    """Every plan's rows under one header, written as they come."""
    import csv

    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(HEADER)
    for plan in plans:
        writer.writerows(rows(plan))


def render_agenda(agenda: Agenda, presentation: Presentation = PLAIN) -> str:
    """The agenda as CSV: one row per visit, flags joined by '; '."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(AGENDA_COLUMNS)
    for item in agenda.items:
        values = agenda_fields(item)
        values["flags"] = "; ".join(item.flags)
        writer.writerow([cell(values[name]) for name in AGENDA_COLUMNS])
    return out.getvalue()


FORMAT = Format(
    name="csv",
    extensions=(".csv",),
    render=render,
    write_roster=write_many,
    streams=True,
    render_agenda=render_agenda,
)
