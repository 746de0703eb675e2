"""The site agenda: overdue visits first, then what is due day by day, as table, csv or json."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from mil62sched.agenda import OVER_CAPACITY, OVERDUE, Agenda, Due
from mil62sched.export import PLAIN, Presentation
from mil62sched.export.csv import cell
from mil62sched.export.fields import UNBLINDED_NOTICE, day_text, window_text

FORMATS = ("table", "csv", "json")
COLUMNS = (
    "participant", "arm", "masking", "period", "code", "date", "weekday", "window_start",
    "window_end", "treatment", "working_day", "non_working_reason", "flags",
)  # fmt: skip


def fields(item: Due) -> dict[str, Any]:
    """One agenda line as plain values."""
    visit = item.visit
    return {
        "participant": item.participant,
        "arm": item.arm,
        "masking": item.masking,
        "period": visit.period,
        "code": str(visit.code),
        "date": visit.date.isoformat(),
        "weekday": f"{visit.date:%A}",
        "window_start": None if visit.window_start is None else visit.window_start.isoformat(),
        "window_end": None if visit.window_end is None else visit.window_end.isoformat(),
        "treatment": visit.treatment.label,
        "working_day": visit.working_day,
        "non_working_reason": visit.non_working_reason,
        "flags": list(item.flags),
    }


def render(agenda: Agenda, fmt: str, presentation: Presentation = PLAIN) -> str:
    """The agenda in `fmt` (table, csv or json)."""
    if fmt == "json":
        return _json(agenda)
    if fmt == "csv":
        return _csv(agenda)
    return _table(agenda, presentation)


def _heading(agenda: Agenda) -> str:
    chairs = f", {agenda.chairs} chairs a day" if agenda.chairs else ""
    return f"Due {agenda.start.isoformat()} to {agenda.end.isoformat()}{chairs}"


def _json(agenda: Agenda) -> str:
    document = {
        "from": agenda.start.isoformat(),
        "to": agenda.end.isoformat(),
        "chairs": agenda.chairs,
        "notice": UNBLINDED_NOTICE if agenda.unblinded else None,
        "over_capacity": {day.isoformat(): n for day, n in agenda.over_capacity.items()},
        "items": [fields(item) for item in agenda.items],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _csv(agenda: Agenda) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in agenda.items:
        values = fields(item)
        values["flags"] = "; ".join(item.flags)
        writer.writerow([cell(values[name]) for name in COLUMNS])
    return out.getvalue()


def _table(agenda: Agenda, presentation: Presentation) -> str:
    from rich import box
    from rich.table import Table

    from mil62sched.export.table import finish, make_console

    table = Table(box=box.SIMPLE_HEAVY)
    for heading in ("Date", "Day", "Participant", "Visit", "Window", "Infusion", "Flags"):
        table.add_column(heading)
    for item in agenda.items:
        visit = item.visit
        style = None
        if presentation.styled and item.flags:
            style = "red" if OVERDUE in item.flags or OVER_CAPACITY in item.flags else "yellow"
        table.add_row(
            visit.date.isoformat(),
            f"{visit.date:%a} {day_text(visit) if not visit.working_day else ''}".strip(),
            item.participant,
            item.code,
            window_text(visit),
            visit.treatment.label,
            ", ".join(item.flags),
            style=style,
        )
    out = io.StringIO()
    console = make_console(out, presentation)
    if agenda.unblinded:
        console.print(f"[bold white on red] {UNBLINDED_NOTICE} [/]")
    console.print(f"[bold]{_heading(agenda)}[/]")
    if not agenda.items:
        console.print("Nothing due and nothing overdue.")
    else:
        console.print(table)
    for day, count in agenda.over_capacity.items():
        console.print(f"* {day.isoformat()}: {count} infusions for {agenda.chairs} chairs")
    return finish(out.getvalue(), presentation)
