"""Infusion-chair capacity across a site: how many infusions land on each day, and moving the
excess inside their windows where a chair is free. Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from mil62sched.engine import with_doubts
from mil62sched.messages import N_, Message, msg
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
) -> tuple[list[Plan], list[Message]]:
    """Move planned infusions off over-full days to the nearest day inside their window that is
    a working day with a free chair (search: +1, -1, +2, -2 ...), never before `today`.

    Day by day, the later-listed participants move first, so the roster's order decides who keeps
    the day. W1D1 never moves (it anchors the participant's timeline), nor does an infusion
    already in the past. A participant's visits keep their order, as the engine's `--adjust`
    keeps them: a visit moves only to a day after the one before it (its actual date when done)
    and before the one after it, as planned so far. Returns the new plans and, for every day
    still over-full after the moves, one sentence naming the infusions that could not be placed.
    """
    counts = load(plans)
    on_day: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for p, plan in enumerate(plans):
        for v, visit in enumerate(plan.visits):
            if visit.status == "planned" and visit.kind == "infusion":
                on_day[visit.date].append((p, v))
    moved: dict[tuple[int, int], date] = {}
    unplaced: list[Message] = []
    # Every over-full day, also one of done infusions only: each is said, as without --adjust.
    for day in sorted(d for d, count in counts.items() if count > chairs):
        stuck: list[Message] = []
        for p, v in sorted(on_day[day], reverse=True):
            if counts[day] <= chairs:
                break
            plan, visit = plans[p], plans[p].visits[v]
            target, why = _free_day(
                plan, visit, counts, chairs, today, _neighbours(p, v, plans, moved)
            )
            if target is None:
                stuck.append(msg(N_("{visit} ({why})"), visit=_who(plan, visit), why=why))
                continue
            counts[day] -= 1
            counts[target] += 1
            moved[p, v] = target
        if counts[day] > chairs:
            reason = (
                msg(N_("could not move {visits}"), visits=sorted(stuck, key=str))
                if stuck
                else msg(N_("could not move any: they are done"))
            )
            unplaced.append(
                msg(
                    N_("{day}: {count} infusions for {chairs} chair(s); {reason}"),
                    day=day,
                    count=counts[day],
                    chairs=chairs,
                    reason=reason,
                )
            )
    touched = {p for p, _ in moved}
    result = [
        # A day moved to may fall on the other side of the study completion date.
        with_doubts(
            plan._replace(
                visits=tuple(
                    _moved(visit, moved[p, v], chairs) if (p, v) in moved else visit
                    for v, visit in enumerate(plan.visits)
                ),
            )
        )
        if p in touched
        else plan
        for p, plan in enumerate(plans)
    ]
    return result, unplaced


def _neighbours(
    p: int, v: int, plans: list[Plan], moved: dict[tuple[int, int], date]
) -> tuple[date | None, date | None]:
    """The days of the visits before and after visit `v` of plan `p` that take place (not missed
    or dropped): a done visit's actual date, else its planned day as moved so far."""
    visits = plans[p].visits

    def day(index: int) -> date | None:
        visit = visits[index]
        if visit.status in ("missed", "dropped"):
            return None
        return visit.actual or moved.get((p, index), visit.date)

    before = next((d for i in range(v - 1, -1, -1) if (d := day(i)) is not None), None)
    after = next((d for i in range(v + 1, len(visits)) if (d := day(i)) is not None), None)
    return before, after


def _free_day(
    plan: Plan,
    visit: Visit,
    counts: Counter[date],
    chairs: int,
    today: date | None,
    neighbours: tuple[date | None, date | None],
) -> tuple[date | None, Message | None]:
    """The nearest day in the visit's window that is a working day with a free chair, not
    before today, strictly between the days of its neighbouring visits; else None and why."""
    if visit.code == W1D1:
        return None, msg(N_("W1D1 never moves"))
    if visit.window is None:
        return None, msg(N_("no window set"))
    if today is not None and visit.date < today:
        return None, msg(N_("in the past"))
    start, end = visit.window.around(visit.target)
    site = plan.policy.site
    before, after = neighbours
    out_of_order = False
    for day in search_order(visit.date, (visit.date - start).days, (end - visit.date).days):
        if day == visit.date or counts[day] >= chairs or (today is not None and day < today):
            continue
        if site is not None and not site.status(day).working:
            continue
        if (before is not None and day <= before) or (after is not None and day >= after):
            out_of_order = True
            continue
        return day, None
    said = (
        N_("no working day with a free chair in its window {window} that keeps the visits in order")
        if out_of_order
        else N_("no working day with a free chair in its window {window}")
    )
    return None, msg(said, window=visit.window.words())


def _who(plan: Plan, visit: Visit) -> str:
    code = f"{visit.period} {visit.code}" if len(plan.periods) > 1 else str(visit.code)
    return f"{plan.participant or plan.start.isoformat()} {code}"


def _moved(visit: Visit, day: date, chairs: int) -> Visit:
    note = msg(
        N_("moved from {date} to {moved}: more than {chairs} infusions"),
        date=visit.date,
        moved=day,
        chairs=chairs,
    )
    # _free_day chose a working day (or the site checks none).
    return visit._replace(date=day, note=note, working_day=True, non_working_reason=None)
