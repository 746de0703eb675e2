"""The schedule engine: expands an arm's visit codes into dated infusions. Pure.

It never reads the clock, the environment or a file: the protocol, the start date and the
options come in (today's date and the site's working-day calendar among them), an immutable
`Plan` comes out.

Dates, in order of derivation:
- target (`protocol_date`): W1D1 of the visit's period + study day - 1; with `anchor="previous"`
  the latest actual visit before it + the study days between them.
- window: target - before ... target + after, when a window is set (the registry states none).
- proposed: the nearest working day inside the window when the target is not a working day.
- planned (`date`): the proposal with `adjust`, else the target.
- actual: what happened, from the site's records. A visit done or missed is history: it gets no
  proposal and no note, and its `date` is its actual date (done) or its target (missed).
- doubts: why a planned date is not firm (`model.plan.doubts`): an assumed period start,
  provisional holiday data, a day after the study completion date. Worked out here, once, for
  every format to show.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Mapping
from datetime import date, timedelta
from typing import NamedTuple

from mil62sched.errors import RecordError, RecordErrors, UsageError
from mil62sched.messages import N_, Listing, Localized, Message, msg
from mil62sched.model.codes import W1D1, VisitCode
from mil62sched.model.plan import (
    Doubt,
    Period,
    Plan,
    Policy,
    Records,
    Status,
    Visit,
    VisitKey,
    WorkingDays,
    assumed_start,
    doubts,
)
from mil62sched.model.protocol import Arm, Kind, Protocol, Schedule, Treatment, Window


def plan(
    protocol: Protocol,
    arm: str,
    start: date,
    *,
    participant: str | None = None,
    escalate_at: VisitCode | None = None,
    period_starts: Mapping[str, date] | None = None,
    window: Window | None = None,
    records: Records | None = None,
    policy: Policy | None = None,
) -> Plan:
    """Expand `arm` into dated infusion visits for a participant whose W1D1 is `start`.

    `window` overrides the policy's window for this participant; `period_starts` gives a later
    period's W1D1 by the period's name (matched ignoring case, `later_period`); `records` the
    visits that happened or were missed.
    """
    return Planner(protocol, policy).plan(
        arm,
        start,
        participant=participant,
        escalate_at=escalate_at,
        period_starts=period_starts,
        window=window,
        records=records,
    )


class Planner:
    """Plans participants on one protocol and policy, working out once what they share: each
    schedule's visits and windows, and the site's answer for each date and window.

    A roster run keeps one for all its participants, who repeat the same schedules and dates.
    """

    def __init__(self, protocol: Protocol, policy: Policy | None = None) -> None:
        self.protocol = protocol
        self.policy = policy or _NO_POLICY
        self._timelines: dict[str, _Timeline] = {}  # by schedule name
        self._days: dict[tuple[date, Window | None], _DayCheck] = {}
        self._arms: dict[str, tuple[_Slots, list[_Timeline], tuple[timedelta, ...]]] = {}
        self._first_days: dict[tuple[str, Window | None], tuple[int, int]] = {}  # `_fits`
        self._stops: dict[tuple[date, Window | None], date | None] = {}  # `_stop`
        windows = [w for s in protocol.schedules.values() for w in s.windows.values()]
        self._widest = max((w.before for w in windows), default=0)

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
        since: date | None = None,
        until: date | None = None,
    ) -> Plan:
        """What the function `plan` returns, on this planner's protocol and policy. For what an
        agenda needs, a plan between two days: `until`, only as far as it (`_stops`); `since`,
        when nothing is recorded, only from it (`_skips`): the recorded visits and the others
        dated between them, each exactly as in the whole plan."""
        protocol, policy = self.protocol, self.policy
        chosen = protocol.arm(arm)
        records = records or _NO_RECORDS
        window = window or policy.window
        escalate_from = None
        if escalate_at is not None:
            escalate_from = _check_escalation(protocol, chosen, escalate_at)
        problems: list[RecordError] = []  # every bad record, reported together at the end
        slots, timelines, offsets = self._arm(chosen)
        keys: _Keyed = {}
        if records.actual or records.missed:
            keys = _resolve_records(chosen, slots, records, problems)
        periods = None
        if not period_starts and not keys:  # the usual: the protocol's own period starts
            periods = _assumed_periods(chosen, offsets, start)
        if periods is None:
            periods = _periods(
                protocol, chosen, offsets, start, period_starts or {}, keys, problems
            )
        if not self._fits(periods, timelines, window):
            _check_fits(chosen, periods, timelines, window)  # refuses, saying why
        stop = None if until is None else self._stop(until, window)
        stops = [None] * len(periods) if stop is None else _stops(periods, timelines, keys, stop)
        next_starts = [later.start for later in periods[1:]] + [None]
        since = None if keys else since  # a record is checked against the visits before it
        skips = [0] * len(periods)
        if since is not None:
            skips = _skips(periods, timelines, next_starts, window, since)
        visits: list[Visit] = []
        for timeline, period, next_start, stop, skip in zip(
            timelines, periods, next_starts, stops, skips, strict=True
        ):
            steps = timeline.steps[skip:] if skip else timeline.steps
            if not steps:
                continue
            if not keys and not visits and stop is not None and _past(period, timeline, skip, stop):
                break  # an agenda's untracked participant with nothing due by its last day
            visits += self._expand(timeline, steps, period, next_start, escalate_from,
                                   window, keys, stop)  # fmt: skip
        if any(map(_PROPOSED, visits)):  # a date is true, None false
            visits = _in_order(visits, _completion(protocol))
        if keys:  # else no actual date to check
            _check_actuals(visits, periods, policy.today, problems)
        _raise_all(problems)
        if until is not None or since is not None:
            first, last = since or date.min, until or date.max
            visits = [
                v for v in visits if v.status in ("done", "missed") or first <= v.date <= last
            ]
        return Plan(
            protocol,
            chosen,
            start,
            participant,
            escalate_from,
            tuple(periods),
            tuple(visits),
            policy,
        )

    def _stop(self, until: date, window: Window | None) -> date | None:
        """`until` + the most days any window (the protocol's, or `window`) opens before its
        visit: a visit whose protocol date is past it is dated after `until`. None past the
        end of the calendar (nothing is past it: plan everything)."""
        key = (until, window)
        if key not in self._stops:
            try:
                self._stops[key] = until + timedelta(
                    days=max(self._widest, window.before if window else 0)
                )
            except OverflowError:
                self._stops[key] = None
        return self._stops[key]

    def _arm(self, arm: Arm) -> tuple[_Slots, list[_Timeline], tuple[timedelta, ...]]:
        """Where the arm's records may belong (`_slots`), its periods' timelines, and how far
        after the previous period's W1D1 each period starts by default (`_assumed_periods`)."""
        known = self._arms.get(arm.name)
        if known is None:
            timelines = [self._timeline(leg.schedule) for leg in arm.legs]
            offsets = tuple(
                _NO_DAYS if leg.starts_at is None else timedelta(leg.starts_at.study_day - 1)
                for leg in arm.legs
            )
            known = self._arms[arm.name] = (_slots(arm), timelines, offsets)
        return known

    def _fits(
        self, periods: list[Period], timelines: list[_Timeline], window: Window | None
    ) -> bool:
        """Whether every period's visits and windows fall inside the calendar (`_check_fits`
        says which does not): each timeline's first days that fit, worked out once."""
        for period, timeline in zip(periods, timelines, strict=True):
            key = (timeline.schedule.name, window)
            first_days = self._first_days.get(key)
            if first_days is None:
                before = max(timeline.before, window.before if window else 0)
                after = max(timeline.after, window.after if window else 0)
                # The day after the last window must exist too (a calendar's end is exclusive).
                first_days = (_FIRST_DAY - timeline.first + before,
                              _LAST_DAY - timeline.last - after - 1)  # fmt: skip
                self._first_days[key] = first_days
            if not first_days[0] <= period.start.toordinal() <= first_days[1]:
                return False
        return True

    def _timeline(self, schedule: Schedule) -> _Timeline:
        known = self._timelines.get(schedule.name)
        if known is None:
            known = self._timelines[schedule.name] = _Timeline.of(schedule)
        return known

    def _expand(
        self,
        timeline: _Timeline,
        steps: tuple[_Step, ...],
        period: Period,
        next_start: date | None,
        escalate_from: VisitCode | None,
        window: Window | None,
        keys: _Keyed,
        stop: date | None = None,
    ) -> list[Visit]:
        """The visits of one period (its `steps`: the timeline's, or the last of them); those
        falling on or after the next period's start are dropped unless they happened, since the
        participant has moved on (into a later period, e.g. after a relapse). With `stop`, the
        first visit after the period's last record whose protocol date is after it is the last
        one planned (`_stops`)."""
        schedule, policy, name = timeline.schedule, self.policy, period.name
        blinded_schedule = schedule.blinded_name
        assumed, completion = assumed_start(period), _completion(self.protocol)
        visits: list[Visit] = []
        # Targets count from the anchor: W1D1, or with anchor "previous" the latest actual visit.
        anchor_date, anchor_offset = period.start, _NO_DAYS
        adjust = policy.adjust
        # The period's records not met yet: planning stops only once there are none left.
        unmet = sum(1 for recorded, _ in keys if recorded == name) if stop is not None else 0
        for step in steps:
            code = step.code
            try:
                target = anchor_date + (step.offset - anchor_offset)
            except OverflowError:
                raise _past_the_calendar(schedule, anchor_date) from None
            visit_window = window or step.window
            day = self._days.get((target, visit_window)) or self._day(
                period, code, target, visit_window
            )
            proposed, note = day.proposed, day.note
            if not day.working and code == W1D1:
                proposed = None
                note = msg(
                    N_(
                        "not a working day ({reason}); W1D1 starts the period's timeline, so it is "
                        "never moved: choose another start date if the site is closed"
                    ),
                    reason=day.reason,
                )
            status: Status = "planned"
            actual = None
            if keys and (name, code) in keys:
                unmet -= 1
                actual = keys[name, code]
                status = "missed" if actual is None else "done"
                # History: a visit done or missed is not proposed another day, nor moved, nor
                # advised; its date is the day it happened, or its protocol date (issue 16).
                proposed = note = None
            elif next_start is not None and target >= next_start:
                status = "dropped"
                note = msg(
                    N_("not given: the participant entered the next period on {date}"),
                    date=next_start,
                )
                proposed = None
            treatment = step.treatment
            if escalate_from is not None:
                treatment = _treatment(schedule, step, escalate_from)
            planned = proposed if (adjust and proposed is not None) else target
            # A proposal is a working day (nearest_working_day): the planned day's status is
            # the target's only when the visit stays on it.
            working, reason = (day.working, day.reason) if planned == target else (True, None)
            if actual is not None and actual != target:
                planned = actual
                working, reason = _working(policy.site, actual)
            # In field order, by position: a roster builds a million of these, and keywords
            # would cost twice as much.
            visit = Visit(
                code, step.study_day, name, treatment, blinded_schedule,
                target, planned, visit_window, day.window_start, day.window_end,
                working, reason, day.provisional, proposed, note,
                status, actual, day.working, day.reason, step.kind, False,
                doubts(status, planned, assumed, day.provisional, completion),
            )  # fmt: skip
            visits.append(visit)
            if actual is not None and policy.anchor == "previous":
                anchor_date, anchor_offset = actual, step.offset
            if stop is not None and target > stop and not unmet:
                break
        return visits

    def _day(
        self, period: Period, code: VisitCode, target: date, window: Window | None
    ) -> _DayCheck:
        """The site's answer for `target` and its window, kept for the next visit they share."""
        try:
            known = _check_day(self.policy.site, target, window)
        except OverflowError:
            raise UsageError(
                msg(
                    N_("the window of {period} {code} ({date}) runs off the calendar"),
                    period=period.name,
                    code=str(code),
                    date=target,
                )
            ) from None
        self._days[target, window] = known
        return known


class _Step(NamedTuple):
    """One visit of a schedule, with what every participant on the schedule shares."""

    code: VisitCode
    study_day: int
    offset: timedelta  # from the period's W1D1: study day - 1
    window: Window | None  # the protocol's window for this visit, if it states one
    treatment: Treatment  # before any escalation
    kind: Kind  # infusion, screening, ...


class _Timeline(NamedTuple):
    """A schedule's visits, worked out once, and how far its windows reach."""

    schedule: Schedule
    steps: tuple[_Step, ...]
    before: int  # the most days any of its windows opens before its visit
    after: int  # the most days any of its windows closes after its visit
    first: int  # the first visit's offset from W1D1 when it comes before W1D1, else 0
    last: int  # the last visit's offset from W1D1
    lead: timedelta  # `first` as days
    days: tuple[int, ...]  # each visit's offset from W1D1, in order

    @classmethod
    def of(cls, schedule: Schedule) -> _Timeline:
        """The timeline of `schedule`."""
        steps = tuple(
            _Step(
                code,
                code.study_day,
                timedelta(days=code.offset),
                schedule.windows.get(code),
                schedule.treatment_at(code),
                schedule.kind_at(code),
            )
            for code in schedule.visits
        )
        windows = schedule.windows.values()
        before = max((w.before for w in windows), default=0)
        after = max((w.after for w in windows), default=0)
        offsets = [code.offset for code in schedule.visits] or [0]
        first = min(offsets[0], 0)
        return cls(
            schedule, steps, before, after, first, offsets[-1], timedelta(days=first),
            tuple(offsets if schedule.visits else ()),
        )  # fmt: skip


class _DayCheck(NamedTuple):
    """The site's answer for a target date and the window around it."""

    window_start: date | None  # None without a window
    window_end: date | None
    working: bool  # True too when working days are not checked
    reason: Localized | None  # why the site is closed; None when it is open
    provisional: bool  # the answer, or one for a day in the window, may still change
    proposed: date | None  # the nearest working day in the window, when the target is not one
    note: Message | None  # why a closed target stays where it is (W1D1 never moves: _expand)


def _working(site: WorkingDays | None, day: date) -> tuple[bool, Localized | None]:
    """Whether the site works on `day`, and why not (working when nothing is checked)."""
    status = site.status(day) if site is not None else None
    return (True, None) if status is None else (status.working, status.reason)


def _check_day(site: WorkingDays | None, target: date, window: Window | None) -> _DayCheck:
    """Whether the site works on `target`, and if not, the working day to propose instead."""
    day = site.status(target) if site is not None else None
    first, last = (None, None) if window is None else window.around(target)
    if site is None or day is None:  # working days are not checked
        return _DayCheck(first, last, True, None, False, None, None)
    if first is None or last is None or first.year == last.year == target.year:
        provisional = site.provisional(target.year)
    else:
        provisional = any(site.provisional(y) for y in range(first.year, last.year + 1))
    proposed: date | None = None
    note: Message | None = None
    if not day.working:
        if window is None:
            note = msg(
                N_("not a working day ({reason}) and no window is set to move it in"),
                reason=day.reason,
            )
        else:
            proposed = site.nearest_working_day(target, window.before, window.after)
            if proposed is None:
                note = msg(
                    N_("not a working day ({reason}) and no working day in the window {window}"),
                    reason=day.reason,
                    window=window.words(),
                )
    return _DayCheck(first, last, day.working, day.reason, provisional, proposed, note)


_PROPOSED = operator.attrgetter("proposed")
_NO_POLICY = Policy()
_NO_RECORDS = Records()
_NO_DAYS = timedelta(0)


def _check_escalation(
    protocol: Protocol, arm: Arm, escalate_at: VisitCode | None
) -> VisitCode | None:
    if escalate_at is None:
        return None
    schedule = arm.legs[0].schedule
    rule = schedule.escalation
    if rule is None or arm.journey:
        escalating = [s.name for s in protocol.schedules.values() if s.escalation]
        raise UsageError(
            msg(N_("does not apply to {arm}"), arm=arm.name),
            accepted=msg(N_("only {names} may escalate"), names=escalating),
            field="escalate_at",
        )
    allowed = [code for code in schedule.infusions if code >= rule.earliest]
    if escalate_at not in allowed:
        raise UsageError(
            msg(N_("is not a visit it may escalate from")),
            value=str(escalate_at),
            accepted=msg(
                N_("{schedule} may escalate to {treatment} from one of {codes}"),
                schedule=schedule.name,
                treatment=Localized(rule.treatment.label),
                codes=[str(code) for code in allowed],
            ),
            field="escalate_at",
        )
    return escalate_at


_Keyed = dict[tuple[str, VisitCode], "date | None"]  # (period, code) -> actual date, None = missed


class _Slots(NamedTuple):
    """Where a record may belong in an arm (`_slots`)."""

    # (period casefolded, or None when a record names none; code) -> the arm's periods it matches
    matches: dict[tuple[str | None, VisitCode], tuple[str, ...]]
    # A record named as the protocol spells its period, or with none, that has one place: that
    # place (the usual record, found in one lookup)
    places: dict[VisitKey, tuple[str, VisitCode]]


def _slots(arm: Arm) -> _Slots:
    """Where a record may belong in `arm`: the periods having its code, matched by the period's
    name ignoring case (`ole:w3d1`), or any period when the record names none."""
    found: dict[tuple[str | None, VisitCode], list[str]] = {}
    for leg in arm.legs:
        for code in leg.schedule.visits:
            for named in (leg.period, None):
                periods = found.setdefault((_casefolded(named), code), [])
                if leg.period not in periods:
                    periods.append(leg.period)
    places = {
        VisitKey(code, named): (periods[0], code)
        for leg in arm.legs
        for named in (leg.period, None)
        for code in leg.schedule.visits
        if len(periods := found[_casefolded(named), code]) == 1
    }
    return _Slots({slot: tuple(periods) for slot, periods in found.items()}, places)


def _matches(slots: _Slots, key: VisitKey) -> tuple[str, ...]:
    """The arm's periods a record `key` may belong in. A period is named ignoring case
    (`ole:w3d1`), whatever case the protocol gives it."""
    return slots.matches.get((_casefolded(key.period), key.code), ())


def _casefolded(period: str | None) -> str | None:
    return None if period is None else period.casefold()


def _resolve_records(
    arm: Arm, slots: _Slots, records: Records, problems: list[RecordError]
) -> _Keyed:
    """Match each recorded visit to one (period, code) of the arm (`slots`, from `_slots`); add
    the others to `problems`."""
    resolved: _Keyed = {}
    if not records.actual and not records.missed:
        return resolved
    entries: list[tuple[VisitKey, date | None]] = [*records.actual.items()]
    if records.missed:
        entries += [(key, None) for key in sorted(records.missed, key=str)]
    for key, when in entries:
        place = slots.places.get(key)
        if place is not None and place not in resolved:
            resolved[place] = when  # the usual record: one place, met once, in one lookup
            continue
        matches = _matches(slots, key)  # its period in another case, or not in one place
        if len(matches) == 1 and (matches[0], key.code) not in resolved:
            resolved[matches[0], key.code] = when
            continue
        source = "missed" if when is None else "actual"

        def refuse(reason: Message, key: VisitKey = key, source: str = source) -> RecordError:
            return RecordError(
                reason, code=str(key.code), period=key.period, record=str(key), source=source
            )

        if not matches:
            known = [
                f"{leg.period}:{code}" if arm.journey else str(code)
                for leg in arm.legs
                for code in leg.schedule.visits
            ]
            problems.append(
                refuse(
                    msg(N_("{record}: not an infusion visit of {arm} ({known})"), arm=arm.name,
                        known=known)
                )
            )  # fmt: skip
            continue
        if len(matches) > 1:
            both = Listing([f"{period}:{key.code}" for period in matches], "or")
            problems.append(
                refuse(
                    msg(
                        N_("{record}: {arm} has {code} in several periods; use {both}"),
                        arm=arm.name,
                        code=str(key.code),
                        both=both,
                    )
                )
            )
            continue
        # One place, taken already.
        problems.append(refuse(msg(N_("{record}: the visit is recorded twice (done and missed?)"))))
    return resolved


def _raise_all(problems: list[RecordError]) -> None:
    """Refuse the records with every problem at once (the first alone when there is one)."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise RecordErrors(problems)


def _assumed_periods(arm: Arm, offsets: tuple[timedelta, ...], start: date) -> list[Period] | None:
    """Each period's W1D1 when nothing is given or recorded: `start`, then each later one
    `offsets` after the previous one's (where the protocol starts it: what `_periods` gives
    then); None past the calendar's end, which `_periods` refuses, saying why."""
    first = arm.legs[0]
    periods = [Period(first.period, first.schedule, start, False)]
    for leg, offset in zip(arm.legs[1:], offsets[1:], strict=True):
        previous = periods[-1]
        try:
            begins = previous.start + offset
        except OverflowError:
            return None
        assert leg.starts_at is not None  # the protocol loader requires it for later legs
        periods.append(
            Period(leg.period, leg.schedule, begins, True, (previous.name, leg.starts_at))
        )
    return periods


def _periods(
    protocol: Protocol,
    arm: Arm,
    offsets: tuple[timedelta, ...],
    start: date,
    given: Mapping[str, date],
    keys: _Keyed,
    problems: list[RecordError],
) -> list[Period]:
    """Each period's W1D1: the start, a given date, a recorded W1D1, or the protocol default
    (`offsets` after the previous one's, as `Planner._arm` works them out).

    A recorded W1D1 that contradicts its period's start goes to `problems` and is set aside."""
    by_period: dict[str, date] = {}  # by the arm's own names of its periods
    for name, when in given.items():
        period = later_period(protocol, arm, name)
        if period in by_period:
            raise UsageError(
                msg(N_("the {period} start is given twice: give it once"), period=period)
            )
        by_period[period] = when
    given = by_period
    first = arm.legs[0]
    recorded_first = keys.get((first.period, W1D1))
    if (first.period, W1D1) in keys and recorded_first != start:
        named = f"{first.period}:W1D1" if arm.journey else "W1D1"
        problems.append(
            RecordError(
                msg(
                    N_(
                        "{visit} is the start ({date}) by definition: to plan from another first "
                        "infusion, change the start date"
                    ),
                    visit=named,
                    date=start,
                ),
                code="W1D1",
                period=first.period,
                field="start",
            )
        )
        del keys[first.period, W1D1]
    periods = [Period(first.period, first.schedule, start, assumed=False)]
    for leg, offset in zip(arm.legs[1:], offsets[1:], strict=True):
        previous = periods[-1]
        assert leg.starts_at is not None  # the protocol loader requires it for later legs
        recorded = keys.get((leg.period, W1D1))
        chosen = given.get(leg.period)
        problem = None
        if (leg.period, W1D1) in keys and recorded is None:
            problem = msg(
                N_("{period}:W1D1 cannot be missed: it is the day the period starts"),
                period=leg.period,
            )
        elif chosen is not None and recorded is not None and chosen != recorded:
            problem = msg(
                N_(
                    "{period}:W1D1 was recorded on {recorded} but the {period} start is given as "
                    "{given}: they must agree"
                ),
                period=leg.period,
                recorded=recorded,
                given=chosen,
            )
        if problem is not None:
            problems.append(RecordError(problem, code="W1D1", period=leg.period))
            del keys[leg.period, W1D1]
            recorded = None
        chosen = chosen or recorded
        if chosen is not None:
            if chosen <= previous.start:
                raise UsageError(
                    msg(
                        N_("{period} start {date} must be after the {previous} start {start}"),
                        period=leg.period,
                        date=chosen,
                        previous=previous.name,
                        start=previous.start,
                    )
                )
            periods.append(Period(leg.period, leg.schedule, chosen, assumed=False))
            continue
        try:
            assumed = previous.start + offset
        except OverflowError:
            raise UsageError(
                msg(
                    N_(
                        "start date {date} is too late: the {period}, assumed to start at "
                        "{previous} {code}, would begin after 9999-12-31"
                    ),
                    date=start,
                    period=leg.period,
                    previous=previous.name,
                    code=str(leg.starts_at),
                )
            ) from None
        periods.append(
            Period(
                leg.period,
                leg.schedule,
                assumed,
                True,
                assumed_at=(previous.name, leg.starts_at),
            )
        )
    return periods


def later_period(protocol: Protocol, arm: Arm, name: str, field: str = "period_start") -> str:
    """The arm's own name of its later period `name`, matched ignoring case and the spaces
    around it (`ole` is OLE); refused naming the periods the arm has. `field` names the input
    that gave it: `period_start`, `olp_start`, a roster's column."""
    later = arm.later_periods
    if name in later:
        return name
    wanted = name.strip().casefold()
    found = [period for period in later if period.casefold() == wanted]
    if len(found) == 1:
        return found[0]
    if arm.journey:
        accepted = msg(
            N_("its periods are {periods}; a start may be given for {later}"),
            periods=list(arm.periods),
            later=list(later),
        )
    else:
        journeys = [candidate.name for candidate in protocol.arms.values() if candidate.journey]
        accepted = (
            msg(
                N_("its one period is {period}; a later period belongs to a journey ({arms})"),
                period=arm.periods[0],
                arms=journeys,
            )
            if journeys
            else msg(
                N_("its one period is {period}; {protocol} has no journey through several periods"),
                period=arm.periods[0],
                protocol=protocol.id,
            )
        )
    raise UsageError(
        msg(N_("was given, but {arm} has no later period {period}"), arm=arm.name,
            period=name.strip()),
        accepted=accepted,
        field=field,
    )  # fmt: skip


def _skips(
    periods: list[Period],
    timelines: list[_Timeline],
    next_starts: list[date | None],
    window: Window | None,
    since: date,
) -> list[int]:
    """How many of each period's first visits a plan with nothing recorded may leave out when
    only the visits from `since` on are wanted: a run of the plan's first visits, each dated
    before `since` whatever its window, ended by one that is not dropped and whose window
    opens after every one of theirs closes. `_in_order` checks a proposal against the day of
    the visit before it, which then cannot matter: the visits kept are planned exactly as in
    the whole plan."""
    # Days as numbers (ordinals): this runs for every participant of an agenda.
    starts = [period.start.toordinal() for period in periods]
    closing = [window.after if window else timeline.after for timeline in timelines]
    first = since.toordinal()
    skips = [0] * len(periods)
    kept = -1  # the period of the first visit kept (its step: skips[kept]); -1: none is kept
    for index, timeline in enumerate(timelines):
        # The visits whose window closes before `since`: their days are in order.
        skips[index] = bisect.bisect_left(timeline.days, first - starts[index] - closing[index])
        if skips[index] < len(timeline.days):
            kept = index
            break
    if kept < 0 or not any(skips):
        return skips  # all left out, or none
    ends = [_AFTER_ALL if day is None else day.toordinal() for day in next_starts]  # dropped on
    opens = [window.before if window else timeline.before for timeline in timelines]
    while kept >= 0 and any(skips):
        closes = _FIRST_DAY - 1  # the latest a visit left out (and not dropped) may be dated
        for index in range(kept + 1):
            days, step = timelines[index].days, skips[index] - 1
            while step >= 0 and starts[index] + days[step] >= ends[index]:
                step -= 1  # dropped: never the day of the visit before another
            if step >= 0:
                closes = max(closes, starts[index] + days[step] + closing[index])
        target = starts[kept] + timelines[kept].days[skips[kept]]
        if target < ends[kept] and target - opens[kept] > closes:
            break
        # Keep the visit before it too, and look again.
        kept = next(index for index in range(kept, -1, -1) if skips[index])
        skips[kept] -= 1
    return skips


_AFTER_ALL = date.max.toordinal() + 1


def _stops(
    periods: list[Period], timelines: list[_Timeline], keys: _Keyed, stop: date
) -> list[date | None]:
    """Where each period's planning may stop when only the visits on or before a day are
    wanted: after its first visit with a protocol date past `stop` (that day + the widest
    window's opening, `Planner._stop`), which can only be dated after that day, as can every
    visit after it (visits keep their order). That visit is still planned, as the one before
    it is checked against it (`_in_order`), and then left out with the others.

    Only the last periods may stop: those with no record after them (records are checked
    against the visits still planned before them, `_check_actuals`), and each followed only
    by periods wholly past `stop` (a later period's visit is checked against the day of the
    last visit before it, which may be in this period). A period with records stops only after
    its last one (`Planner._expand`), and the periods before it go whole. None: plan the whole
    period."""
    stops: list[date | None] = [None] * len(periods)
    recorded = {name for name, _ in keys}
    for index in range(len(periods) - 1, -1, -1):
        period = periods[index]
        stops[index] = stop
        if period.name in recorded or period.start + timelines[index].lead <= stop:
            break  # records or visits on or before the day: the periods before it go whole
    return stops


def _past(period: Period, timeline: _Timeline, skip: int, stop: date) -> bool:
    """Whether, when nothing is recorded or planned yet, nothing of a plan from this period on
    can be dated on or before the day `stop` stands for (`Planner._stop`): the period's first
    visit still to plan (step `skip`) has its protocol date past `stop`, and so has every visit
    after it, the period's own (in order) and every later period's (a period stops only when
    those after it are wholly past `stop`: `_stops`). No visit is planned before them to be
    checked against them (`_in_order`), and no record is left unchecked (a recorded period
    stops only after its last record)."""
    return period.start.toordinal() + timeline.days[skip] > stop.toordinal()


def _check_actuals(
    visits: list[Visit], periods: list[Period], today: date | None, problems: list[RecordError]
) -> None:
    """Actual dates follow visit order (after earlier actual dates, and after earlier visits
    still planned), fall inside their period and lie in the past; a missed visit's day (the
    first of its window) has come."""
    starts = {period.name: period.start for period in periods}
    ends = {period.name: after.start for period, after in zip(periods, periods[1:], strict=False)}
    several = len(periods) > 1

    def named(visit: Visit) -> str:
        return f"{visit.period}:{visit.code}" if several else str(visit.code)

    def refuse(visit: Visit, reason: Message) -> RecordError:
        assert visit.actual is not None
        typed = f"{named(visit)}={visit.actual.isoformat()}"  # only when refused
        return RecordError(
            reason, code=str(visit.code), period=visit.period, record=typed, source="actual"
        )

    previous: Visit | None = None  # the latest visit with an actual date
    pending: Visit | None = None  # the latest visit still planned
    for visit in visits:
        if visit.status == "missed":
            opens = visit.window_start or visit.target
            if today is not None and opens > today:
                problems.append(
                    RecordError(
                        msg(
                            N_(
                                "{record}: its day has not come ({date}; today is {today}): a "
                                "visit is missed once its window has opened"
                            ),
                            date=opens,
                            today=today,
                        ),
                        code=str(visit.code),
                        period=visit.period,
                        record=named(visit),
                        source="missed",
                    )
                )
            continue
        if visit.actual is None:
            if visit.status == "planned":
                pending = visit
            continue

        start, end = starts[visit.period], ends.get(visit.period)
        if today is not None and visit.actual > today:
            problems.append(
                refuse(visit, msg(N_("{record} is in the future (today is {date})"), date=today))
            )
        elif visit.study_day > 1 and visit.actual <= start:  # after W1D1: offset > 0
            problems.append(
                refuse(
                    visit,
                    msg(N_("{record} is not after the {period} W1D1 ({date})"),
                        period=visit.period, date=start)
                )
            )  # fmt: skip
        elif end is not None and visit.actual >= end:
            problems.append(
                refuse(
                    visit,
                    msg(N_("{record} is not before the next period's W1D1 ({date})"), date=end),
                )
            )
        elif (
            previous is not None and previous.actual is not None and visit.actual <= previous.actual
        ):
            problems.append(
                refuse(
                    visit,
                    msg(
                        N_(
                            "{record} is not after {visit}'s actual date {date}: visits happen "
                            "in visit order"
                        ),
                        visit=named(previous),
                        date=previous.actual,
                    ),
                )
            )
        elif pending is not None and visit.actual <= pending.date:
            problems.append(
                refuse(
                    visit,
                    msg(
                        N_(
                            "{record} is not after {visit}, still planned for {date}: visits "
                            "happen in visit order (record {again} first, done or missed)"
                        ),
                        visit=named(pending),
                        date=pending.date,
                        again=named(pending),
                    ),
                )
            )
        else:
            previous = visit


def _completion(protocol: Protocol) -> tuple[date, str] | None:
    """The registry's study completion date and the registry, when the protocol gives it."""
    completion = protocol.study_completion
    return None if completion is None else (completion, protocol.registry)


def with_doubts(plan: Plan) -> Plan:
    """`plan` with every visit's doubts worked out again from its periods, dates and status:
    after a step that changes them (an amendment's merged plan, a move for a free chair)."""
    assumed = {period.name: assumed_start(period) for period in plan.periods}
    completion = _completion(plan.protocol)
    return plan._replace(
        visits=tuple(
            visit._replace(
                doubts=doubts(
                    visit.status,
                    visit.date,
                    assumed.get(visit.period),
                    visit.holidays_provisional,
                    completion,
                )
            )
            for visit in plan.visits
        )
    )


def _assumed(visit: Visit) -> Doubt | None:
    return next((doubt for doubt in visit.doubts if doubt.reason == "assumed-start"), None)


def _in_order(visits: list[Visit], completion: tuple[date, str] | None) -> list[Visit]:
    """Visits keep the protocol's order, a day apart at least: a proposal that would put a
    visit on or before the day of the one before it, or on or after the next one's day (its
    actual date once done, else its protocol date), is withdrawn with a note (the visit stays
    on its protocol date). Only a planned visit has a proposal: one done or missed is history."""
    kept: list[Visit] = []
    last: date | None = None  # the day of the latest visit that takes place
    for index, visit in enumerate(visits):
        if visit.proposed is not None:
            after = visits[index + 1] if index + 1 < len(visits) else None
            following = None if after is None else after.actual or after.target
            if (last is not None and visit.proposed <= last) or (
                following is not None and visit.proposed >= following
            ):
                note = msg(
                    N_(
                        "not a working day ({reason}); the nearest working day in the window, "
                        "{date}, would not keep the visits in order, so it is not moved"
                    ),
                    reason=visit.target_reason,
                    date=visit.proposed,
                )
                visit = visit._replace(
                    proposed=None,
                    date=visit.target,
                    note=note,
                    working_day=visit.target_working,
                    non_working_reason=visit.target_reason,
                    doubts=doubts(
                        visit.status,
                        visit.target,
                        _assumed(visit),
                        visit.holidays_provisional,
                        completion,
                    ),
                )
        if visit.status not in ("missed", "dropped"):
            last = visit.date  # a done visit's is its actual date
        kept.append(visit)
    return kept


def _check_fits(
    arm: Arm, periods: list[Period], timelines: list[_Timeline], window: Window | None
) -> None:
    """Refuse a plan whose last visit, window and calendar end day would pass 9999-12-31."""
    legs = zip(arm.legs, periods, timelines, strict=True)
    for number, (leg, period, timeline) in enumerate(legs):
        first_day = period.start.toordinal()  # W1D1, as days since 0001-01-01 (day 1)
        last = timeline.steps[-1]
        after = max(timeline.after, window.after if window else 0)
        # The day after the last visit's window (a calendar's end is exclusive) must exist.
        if first_day + timeline.last + after + 1 > _LAST_DAY:
            visit = f"{leg.period} {last.code}" if arm.journey else str(last.code)
            what = msg(N_("start date {date}"), date=period.start)
            if number and period.assumed:
                what = msg(
                    N_("start date {date} (with the {period} start {start} assumed)"),
                    date=periods[0].start,
                    period=period.name,
                    start=period.start,
                )
            elif number:
                what = msg(N_("{period} start {date}"), period=period.name, date=period.start)
            raise UsageError(
                msg(
                    N_(
                        "{what} is too late: {schedule}'s last visit {visit} (study day {day}) "
                        "must fall before 9999-12-31"
                    ),
                    what=what,
                    schedule=leg.schedule.name,
                    visit=visit,
                    day=last.study_day,
                )
            )
        before = max(timeline.before, window.before if window else 0)
        if first_day + timeline.first - before < _FIRST_DAY:
            raise UsageError(
                msg(
                    N_(
                        "start date {date} is too early: the window of {code} would begin "
                        "before 0001-01-01"
                    ),
                    date=period.start,
                    code=str(timeline.steps[0].code),
                )
            )


_FIRST_DAY, _LAST_DAY = date.min.toordinal(), date.max.toordinal()


def _past_the_calendar(schedule: Schedule, day: date) -> UsageError:
    """The refusal of a visit counted from `day` that would fall past 9999-12-31."""
    return UsageError(
        msg(
            N_("{schedule} would run past 9999-12-31 from {date}: give an earlier date"),
            schedule=schedule.name,
            date=day,
        )
    )


def _treatment(schedule: Schedule, step: _Step, escalate_from: VisitCode | None) -> Treatment:
    escalation = schedule.escalation
    if (
        escalation is not None
        and escalate_from is not None
        and step.code >= escalate_from
        and step.kind == "infusion"
    ):
        return escalation.treatment
    return step.treatment
