"""The columns of the visit tables (terminal and Markdown): only those the plan has data for."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from mil62sched.formats.certainty import Footnotes
from mil62sched.formats.wording import (
    day_text,
    label,
    record_text,
    window_text,
)
from mil62sched.i18n import ENGLISH, N_, Words
from mil62sched.model.plan import Plan, Visit

# The kinds of visit a protocol file may name (protocol/schema.json), shown in words.
KINDS = (N_("infusion"), N_("screening"), N_("assessment"), N_("end-of-treatment"), N_("follow-up"))


class Column(NamedTuple):
    """A table column: its heading (in English, marked for translation where it is made: also
    the name the terminal table lays the column out by), its cell text, and whether it is
    numeric."""

    heading: str
    text: Callable[[Visit], str]
    numeric: bool = False


def columns(plan: Plan, tr: Words = ENGLISH, footnotes: Footnotes | None = None) -> list[Column]:
    """Visit, study day, date, weekday, (kind, when not every visit is an infusion), infusion;
    then period, window, working day and record
    when the plan has several periods, a window, a working-day check or recorded visits.
    Headings are in English (`tr` translates them for display), cells in `tr`'s language.
    A date that is not firm carries the numbers of its `footnotes` (the caller says them)."""
    notes = Footnotes() if footnotes is None else footnotes
    chosen = [Column(N_("Visit"), lambda v: str(v.code))]
    if len(plan.periods) > 1:
        chosen.append(Column(N_("Period"), lambda v: tr.term(v.period)))
    chosen += [
        Column(N_("Study day"), lambda v: str(v.study_day), numeric=True),
        Column(N_("Date"), lambda v: notes.dated(v, v.date.isoformat())),
        Column(N_("Weekday"), lambda v: tr.weekday(v.date, short=True)),
        Column(N_("Infusion"), lambda v: label(v, tr)),
    ]
    if any(v.kind != "infusion" for v in plan.visits):  # a protocol with other visits
        chosen.insert(-1, Column(N_("Kind"), lambda v: tr(v.kind)))
    if any(v.window is not None for v in plan.visits):
        chosen.append(Column(N_("Window"), window_text))
    if plan.policy.site is not None:
        chosen.append(Column(N_("Day"), lambda v: day_text(v, tr)))
        if any(v.proposed is not None for v in plan.visits):
            chosen.append(
                Column(N_("Proposed"), lambda v: v.proposed.isoformat() if v.proposed else "")
            )
    if any(v.status != "planned" for v in plan.visits):
        chosen.append(Column(N_("Record"), lambda v: record_text(v, tr)))
    return chosen
