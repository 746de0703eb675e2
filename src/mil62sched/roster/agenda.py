"""What is due across the site: overdue visits first, then each day's infusions. Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, timedelta

from mil62sched.errors import UsageError
from mil62sched.formats.wording import tracked
from mil62sched.messages import N_, msg
from mil62sched.model.agenda import (
    DUE_TODAY,
    NON_WORKING,
    OVER_CAPACITY,
    OVERDUE,
    WINDOW_OPEN,
    Agenda,
    Due,
    Untracked,
)
from mil62sched.model.plan import Plan, Visit
from mil62sched.site.chairs import chair_date


def agenda(
    plans: Iterable[Plan],
    start: date,
    days: int,
    chairs: int | None = None,
    today: date | None = None,
) -> Agenda:
    """Overdue visits (window closed before `start`, nothing recorded), however far back; visits
    planned before `start` whose window is still open; then visits planned from `start` for
    `days` days, by date, 'due today' on the site's `today` (default `start`). Chairs count
    every infusion of a day, done ones included.

    A participant with no record at all is untracked (`wording.tracked`, the one rule): an
    untracked plan cannot be told from a late one, so their visits before `start` are not
    listed; the agenda names them instead (`Agenda.untracked`)."""
    today = start if today is None else today
    end = last_day(start, days)
    overdue: list[Due] = []
    upcoming: list[Due] = []
    counts: dict[date, int] = {}
    untracked: list[Untracked] = []
    unblinded = False
    for plan in plans:
        unblinded = unblinded or plan.unblinded
        is_tracked = tracked(plan)
        if not is_tracked:
            untracked.append(Untracked(_who(plan), plan.arm.name, plan.arm.masking))
        for visit in plan.visits:
            day = chair_date(visit)
            if day is not None and start <= day <= end:
                counts[day] = counts.get(day, 0) + 1
            if visit.status != "planned" or (not is_tracked and visit.date < start):
                continue
            closes = visit.window_end or visit.date
            if closes < start:
                overdue.append(_due(plan, visit, (OVERDUE,)))
            elif visit.date < start:
                upcoming.append(_due(plan, visit, (WINDOW_OPEN,)))
            elif visit.date <= end:
                flags = []
                if visit.date == today:
                    flags.append(DUE_TODAY)
                if not visit.working_day and not visit.moved:
                    flags.append(NON_WORKING)
                upcoming.append(_due(plan, visit, tuple(flags)))
    full = {} if chairs is None else {d: n for d, n in sorted(counts.items()) if n > chairs}
    upcoming = [
        dataclasses.replace(item, flags=(*item.flags, OVER_CAPACITY))
        if item.visit.date in full
        else item
        for item in upcoming
    ]
    overdue.sort(key=lambda item: (item.closes, item.participant))
    upcoming.sort(key=lambda item: (item.visit.date, item.participant))
    items = tuple(overdue + upcoming)
    return Agenda(start, days, chairs, items, full, unblinded, counts, tuple(untracked))


def last_day(start: date, days: int) -> date:
    """The last day of an agenda of `days` days from `start`; refused past 9999-12-31."""
    try:
        return start + timedelta(days=days - 1)
    except OverflowError:
        raise UsageError(
            msg(
                N_("an agenda of {days} days from {date} would end after 9999-12-31"),
                days=days,
                date=start,
            ),
            accepted=msg(N_("start earlier or cover fewer days")),
        ) from None


def _who(plan: Plan) -> str:
    return plan.participant or f"(W1D1 {plan.start.isoformat()})"


def _due(plan: Plan, visit: Visit, flags: tuple[str, ...]) -> Due:
    code = f"{visit.period} {visit.code}" if len(plan.periods) > 1 else str(visit.code)
    return Due(_who(plan), plan.arm.name, plan.arm.masking, code, visit, flags, plan.policy.site)
