"""Protocol amendments: a participant's plan under a protocol's new version, and what it
changes for them. Pure, like the engine it plans with.

A participant moves to the new version on their switch date: the roster's `amended_on` (the day
they re-consented) when given, else the site's effective date (`--effective`). Visits before it,
and every visit recorded (done or missed), are history and keep the old version's content; the
visits from it on follow the new file. A visit code in both versions is the same visit (its
calendar UID is kept); a code only in the new one is added; one only in the old one and not yet
happened is removed, kept in the plan as not given (`dropped`) so that a calendar cancels it.
A visit whose window holds the switch date, and which the amendment changes, belongs to neither
version: such a date is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from mil62sched.engine import Planner
from mil62sched.errors import UsageError
from mil62sched.model.amendment import Change, ChangeKind
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Amendment, Period, Plan, Policy, Records, Visit, VisitKey
from mil62sched.model.protocol import Arm, Protocol, Window


def check_versions(old: Protocol, new: Protocol) -> None:
    """Refuse two files that are not a protocol and its amendment: another trial, a new file
    that states no version, the same version twice, or an `amends` naming another version."""
    if old.id != new.id:
        raise UsageError(
            f"the two protocol files are of different trials ({old.id} and {new.id})",
            accepted="an amendment has the id of the protocol it amends",
        )
    if new.version is None:
        raise UsageError(
            f"the new protocol file of {new.id} states no version",
            accepted='give its [protocol] a version (e.g. version = "3.0")',
        )
    if old.version == new.version:
        raise UsageError(
            f"both protocol files are version {new.version!r}",
            accepted="the new file's version differs from the one it amends",
        )
    if new.amends is not None and new.amends != old.version:
        stated = "no version" if old.version is None else f"version {old.version!r}"
        raise UsageError(
            f"the new protocol file amends version {new.amends!r}, but the old file states "
            f"{stated}",
            accepted="amends names the old file's version, or is left out",
        )


def new_arm(old: Protocol, new: Protocol, arm: Arm) -> Arm:
    """The new version's arm of a participant on `arm`: the same name, or the one the new
    file's `arm_map` gives; refused when the new file has no such arm or hides less."""
    name = new.arm_map.get(arm.name, arm.name)
    found = new.arms.get(name)
    if found is None:
        raise UsageError(
            f"arm {arm.name} is not an arm of version {new.version}",
            accepted=f"an arm of {new.id} {new.version} ({', '.join(new.arms)}), or an "
            "arm_map entry in the new file naming it",
        )
    if found.masking != arm.masking:
        raise UsageError(
            f"arm {arm.name} is {arm.masking}, but version {new.version}'s {found.name} is "
            f"{found.masking}",
            accepted="an arm of the same masking: a blinded participant's plan stays blinded",
        )
    return found


class AmendedPlanner:
    """Plans participants of the old version under the new one (`plans`), on one policy and
    effective date; a roster run keeps one for all its participants."""

    def __init__(
        self, old: Protocol, new: Protocol, policy: Policy | None, effective: date | None
    ) -> None:
        check_versions(old, new)
        self.old = Planner(old, policy)
        self.new = Planner(new, policy)
        self.effective = effective

    @property
    def protocol(self) -> Protocol:
        """The new version."""
        return self.new.protocol

    @property
    def replaced(self) -> Protocol:
        """The version it replaces."""
        return self.old.protocol

    def plans(
        self,
        arm: str,
        start: date,
        *,
        participant: str | None = None,
        escalate_at: VisitCode | None = None,
        period_starts: Mapping[str, date] | None = None,
        window: Window | None = None,
        records: Records | None = None,
        amended_on: date | None = None,
    ) -> tuple[Plan, Plan]:
        """The participant's plan on the old version alone, and the mixed plan: old before the
        switch (and every recorded visit), new from it on. `arm` names the old version's arm."""
        switch, reconsented = self._switch(start, participant, amended_on)
        before = self.old.plan(
            arm,
            start,
            participant=participant,
            escalate_at=escalate_at,
            period_starts=period_starts,
            window=window,
            records=records,
        )
        chosen = new_arm(self.old.protocol, self.new.protocol, before.arm)
        who = participant or f"W1D1 {start.isoformat()}"
        _check_periods(before, chosen, switch, who, self.new.protocol)
        # A period that began before the switch keeps the start it had.
        starts = dict(period_starts or {})
        for period in before.periods[1:]:
            if period.start < switch:
                starts.setdefault(period.name, period.start)
        after = self.new.plan(
            chosen.name,
            start,
            participant=participant,
            escalate_at=escalate_at,
            period_starts=starts,
            window=window,
            records=_records_of(records, chosen),
        )
        visits = _merged(before, after, switch, who, "amended_on" if reconsented else "effective")
        periods = _periods(before, after, switch)
        mixed = after._replace(
            periods=periods,
            visits=visits,
            amendment=Amendment(self.old.protocol, switch, reconsented),
        )
        return before, mixed

    def plan(
        self,
        arm: str,
        start: date,
        *,
        participant: str | None = None,
        escalate_at: VisitCode | None = None,
        period_starts: Mapping[str, date] | None = None,
        window: Window | None = None,
        records: Records | None = None,
        amended_on: date | None = None,
    ) -> Plan:
        """The mixed plan alone (see `plans`)."""
        return self.plans(
            arm,
            start,
            participant=participant,
            escalate_at=escalate_at,
            period_starts=period_starts,
            window=window,
            records=records,
            amended_on=amended_on,
        )[1]

    def _switch(
        self, start: date, participant: str | None, amended_on: date | None
    ) -> tuple[date, bool]:
        """The participant's switch date and whether it is their own re-consent."""
        if amended_on is None:
            if self.effective is None:
                raise UsageError(
                    "no date the amendment applies from",
                    accepted="give --effective DATE (the site's approval date) or the roster's "
                    "amended_on",
                )
            return self.effective, False
        today = self.old.policy.today
        who = f"{participant}'s " if participant else ""
        if amended_on < start:
            raise UsageError(
                f"is before {who}start {start.isoformat()}",
                value=amended_on.isoformat(),
                accepted="the day the participant re-consented: from the start to today",
                field="amended_on",
            )
        if today is not None and amended_on > today:
            raise UsageError(
                f"is in the future (today is {today.isoformat()})",
                value=amended_on.isoformat(),
                accepted="the day the participant re-consented: from the start to today",
                field="amended_on",
            )
        return amended_on, True


def _records_of(records: Records | None, arm: Arm) -> Records | None:
    """The records of visits the new version's arm has (the others stay the old version's)."""
    if records is None:
        return None

    def kept(key: VisitKey) -> bool:
        period = None if key.period is None else key.period.casefold()
        return any(
            key.code in leg.schedule.visits and period in (None, leg.period.casefold())
            for leg in arm.legs
        )

    return Records(
        {key: day for key, day in records.actual.items() if kept(key)},
        frozenset(key for key in records.missed if kept(key)),
    )


def _check_periods(before: Plan, arm: Arm, switch: date, who: str, new: Protocol) -> None:
    """Refuse a participant who is in (or still to enter) a period the new arm lacks."""
    for period in before.periods:
        if period.name in arm.periods:
            continue
        still = [
            v
            for v in before.visits
            if v.period == period.name and v.status == "planned" and v.target >= switch
        ]
        if still:
            raise UsageError(
                f"{who} on {before.arm.name} has visits in period {period.name} from "
                f"{switch.isoformat()}, which version {new.version}'s {arm.name} no longer has",
                accepted=f"its periods are {', '.join(arm.periods)}",
            )


def _span(visit: Visit) -> tuple[date, date]:
    """The visit's days: its window, or its protocol date without one."""
    return visit.window_start or visit.target, visit.window_end or visit.target


def _content(visit: Visit) -> tuple[object, ...]:
    """What a visit is, for telling whether the amendment changes it."""
    return (visit.date, visit.window_start, visit.window_end, visit.treatment, visit.status)


def _merged(before: Plan, after: Plan, switch: date, who: str, field: str) -> tuple[Visit, ...]:
    """The mixed plan's visits, in period and study-day order."""
    old = {(v.period, v.code): v for v in before.visits}
    new = {(v.period, v.code): v for v in after.visits}
    order = [p.name for p in before.periods] + [
        p.name for p in after.periods if p.name not in {q.name for q in before.periods}
    ]
    # The UID of a visit follows its blinded schedule: the old version's, for every period it
    # had, so that a kept visit keeps its calendar event (and an arm the new file renamed too).
    schedules = {v.period: v.blinded_schedule for v in before.visits}
    keys = sorted(old.keys() | new.keys(), key=lambda key: (order.index(key[0]), key[1]))
    visits: list[Visit] = []
    for key in keys:
        was, now = old.get(key), new.get(key)
        if was is not None and (was.status in ("done", "missed") or was.target < switch):
            visits.append(was._replace(old_version=True))  # history
            continue
        changed = [v for v in (was, now) if v is not None]
        if was is None or now is None or _content(was) != _content(now):
            _check_split(changed, switch, who, field, journey=len(order) > 1)
        if now is None:
            assert was is not None
            note = (
                f"not given: removed by protocol version {after.protocol.version} from "
                f"{switch.isoformat()}"
            )
            removed = was._replace(status="dropped", note=note, proposed=None, old_version=True)
            visits.append(was._replace(old_version=True) if was.status == "dropped" else removed)
            continue
        if was is None and now.target < switch:
            continue  # added to a past the participant has lived under the old version
        visits.append(now._replace(blinded_schedule=schedules.get(key[0], now.blinded_schedule)))
    return tuple(visits)


def _check_split(visits: list[Visit], switch: date, who: str, field: str, *, journey: bool) -> None:
    """Refuse a switch date inside the window of a visit the amendment changes: it would be
    neither the old version's visit nor the new one's."""
    first = min(_span(v)[0] for v in visits)
    last = max(_span(v)[1] for v in visits)
    if first < switch <= last:
        visit = visits[0]
        code = f"{visit.period} {visit.code}" if journey else str(visit.code)
        option = "--effective" if field == "effective" else "amended_on"
        raise UsageError(
            f"{option} {switch.isoformat()} falls inside {who}'s {code} window "
            f"({first.isoformat()}..{last.isoformat()}), which the amendment changes",
            accepted=f"a date on or before {first.isoformat()}, or after {last.isoformat()}",
        )


def _periods(before: Plan, after: Plan, switch: date) -> tuple[Period, ...]:
    """The new plan's periods; one that began before the switch as the old plan had it
    (assumed or given)."""
    old = {period.name: period for period in before.periods}
    kept = []
    for period in after.periods:
        was = old.get(period.name)
        if was is not None and was.start < switch and was.start == period.start:
            period = period._replace(assumed=was.assumed, assumed_at=was.assumed_at)
        kept.append(period)
    return tuple(kept)


# --- what changes ------------------------------------------------------------------------------


def changes(before: Plan, mixed: Plan) -> list[Change]:
    """Every change the amendment makes to a participant's visits: added, removed, moved (the
    planned date), re-windowed, another treatment; in visit order."""
    assert mixed.amendment is not None, "a plan under an amendment"
    old = {(v.period, v.code): v for v in before.visits}
    journey = len(mixed.periods) > 1 or len(before.periods) > 1
    who = mixed.participant or f"W1D1 {mixed.start.isoformat()}"
    found: list[Change] = []

    def change(visit: Visit, kind: ChangeKind, was: Visit | None, now: Visit | None) -> None:
        found.append(
            Change(
                who, mixed.arm.name, mixed.arm.masking, visit.period, visit.code, kind,
                mixed.amendment.switch, mixed.amendment.reconsented,  # type: ignore[union-attr]
                None if was is None else was.date, None if now is None else now.date,
                None if was is None else _window(was), None if now is None else _window(now),
                None if was is None else _label(was), None if now is None else _label(now),
                journey,
            )
        )  # fmt: skip

    for visit in mixed.visits:
        was = old.get((visit.period, visit.code))
        given_before = was is not None and was.status != "dropped"
        given_now = visit.status != "dropped"
        if given_before and not given_now:
            change(visit, "removed", was, None)
        elif given_now and not given_before:
            change(visit, "added", None, visit)
        elif was is None or not given_now or visit.old_version:
            continue
        else:
            if visit.date != was.date:
                change(visit, "moved", was, visit)
            if _window(visit) != _window(was):
                change(visit, "re-windowed", was, visit)
            if visit.kind == "infusion" and visit.treatment != was.treatment:
                hidden = visit.treatment.blinded or was.treatment.blinded
                change(visit, "treatment-label" if hidden else "treatment", was, visit)
    return found


def _window(visit: Visit) -> tuple[date, date] | None:
    if visit.window_start is None or visit.window_end is None:
        return None
    return visit.window_start, visit.window_end


def _label(visit: Visit) -> str | None:
    return visit.treatment.label if visit.kind == "infusion" else None
