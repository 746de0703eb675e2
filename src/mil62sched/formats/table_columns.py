"""The columns of the visit tables (terminal and Markdown): only those the plan has data for."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from mil62sched.formats.wording import day_text, record_text, window_text
from mil62sched.model.plan import Plan, Visit


class Column(NamedTuple):
    """A table column: its heading, its cell text, and whether it is numeric."""

    heading: str
    text: Callable[[Visit], str]
    numeric: bool = False


def columns(plan: Plan) -> list[Column]:
    """Visit, study day, date, weekday, (kind, when not every visit is an infusion), infusion;
    then period, window, working day and record
    when the plan has several periods, a window, a working-day check or recorded visits."""
    chosen = [Column("Visit", lambda v: str(v.code))]
    if len(plan.periods) > 1:
        chosen.append(Column("Period", lambda v: v.period))
    chosen += [
        Column("Study day", lambda v: str(v.study_day), numeric=True),
        Column("Date", lambda v: v.date.isoformat()),
        Column("Weekday", lambda v: f"{v.date:%a}"),
        Column("Infusion", lambda v: v.treatment.label),
    ]
    if any(v.kind != "infusion" for v in plan.visits):  # a protocol with other visits
        chosen.insert(-1, Column("Kind", lambda v: v.kind))
    if any(v.window is not None for v in plan.visits):
        chosen.append(Column("Window", window_text))
    if plan.policy.site is not None:
        chosen.append(Column("Day", day_text))
        if any(v.proposed is not None for v in plan.visits):
            chosen.append(
                Column("Proposed", lambda v: v.proposed.isoformat() if v.proposed else "")
            )
    if any(v.status != "planned" for v in plan.visits):
        chosen.append(Column("Record", record_text))
    return chosen
