"""Infusion-chair capacity across a site: how many infusions land on each day, and moving the
excess inside their windows where a chair is free. Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from mil62sched.model.codes import W1D1
from mil62sched.model.plan import Plan, Visit, search_order


def chair_date(visit: Visit) -> date | None:
    """The day a visit takes a chair: its actual date when done, none when missed or dropped,
    or when it is not an infusion."""
    if visit.status in ("missed", "dropped") or visit.kind != "infusion":
        return None
    return visit.actual or visit.date


def load(plans: Iterable[Plan]) -> Counter[date]:
    """Infusions per day across the plans."""
    return Counter(day for plan in plans for v in plan.visits if (day := chair_date(v)))


def over(plans: Iterable[Plan], chairs: int) -> dict[date, int]:
    """Days with more infusions than chairs, and how many infusions they have."""
    return {day: count for day, count in sorted(load(plans).items()) if count > chairs}


def balance(
    plans: list[Plan], chairs: int, today: date | None = None
) -> tuple[list[Plan], list[str]]:
    """Move planned infusions off over-full days to the nearest day inside their window that is
    a working day with a free chair (search: +1, -1, +2, -2 ...), never before `today`.

    Day by day, the later-listed participants move first, so the roster's order decides who keeps
    the day. W1D1 never moves (it anchors the participant's timeline), nor does an infusion
    already in the past. Returns the new plans and, for every day still over-full after the
    moves, one sentence naming the infusions that could not be placed.
    """
    counts = load(plans)
    on_day: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for p, plan in enumerate(plans):
        for v, visit in enumerate(plan.visits):
            if visit.status == "planned" and visit.kind == "infusion":
                on_day[visit.date].append((p, v))
    moved: dict[tuple[int, int], date] = {}
    unplaced: list[str] = []
    for day in sorted(d for d in on_day if counts[d] > chairs):
        stuck: list[str] = []
        for p, v in sorted(on_day[day], reverse=True):
            if counts[day] <= chairs:
                break
            plan, visit = plans[p], plans[p].visits[v]
            target = _free_day(plan, visit, counts, chairs, today)
            if target is None:
                stuck.append(f"{_who(plan, visit)} ({_why(visit, today)})")
                continue
            counts[day] -= 1
            counts[target] += 1
            moved[p, v] = target
        if counts[day] > chairs:
            reason = (
                f"could not move {', '.join(sorted(stuck))}"
                if stuck
                else "could not move any: they are done"
            )
            unplaced.append(
                f"{day.isoformat()}: {counts[day]} infusions for {chairs} chair(s); {reason}"
            )
    result = [
        plan._replace(
            visits=tuple(
                _moved(visit, moved[p, v], chairs) if (p, v) in moved else visit
                for v, visit in enumerate(plan.visits)
            ),
        )
        for p, plan in enumerate(plans)
    ]
    return result, unplaced


def _free_day(
    plan: Plan, visit: Visit, counts: Counter[date], chairs: int, today: date | None
) -> date | None:
    if visit.window is None or visit.code == W1D1:
        return None
    if today is not None and visit.date < today:
        return None
    start, end = visit.window.around(visit.target)
    site = plan.policy.site
    for day in search_order(visit.date, (visit.date - start).days, (end - visit.date).days):
        if day == visit.date or counts[day] >= chairs or (today is not None and day < today):
            continue
        if site is None or site.status(day).working:
            return day
    return None


def _who(plan: Plan, visit: Visit) -> str:
    code = f"{visit.period} {visit.code}" if len(plan.periods) > 1 else str(visit.code)
    return f"{plan.participant or plan.start.isoformat()} {code}"


def _why(visit: Visit, today: date | None) -> str:
    if visit.code == W1D1:
        return "W1D1 never moves"
    if visit.window is None:
        return "no window set"
    if today is not None and visit.date < today:
        return "in the past"
    return f"no working day with a free chair in its window {visit.window}"


def _moved(visit: Visit, day: date, chairs: int) -> Visit:
    note = f"moved from {visit.date.isoformat()} to {day.isoformat()}: more than {chairs} infusions"
    # _free_day chose a working day (or the site checks none).
    return visit._replace(date=day, note=note, working_day=True, non_working_reason=None)
