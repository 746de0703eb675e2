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
- actual: what happened, from the site's records.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from mil62sched.errors import RecordError, RecordErrors, UsageError
from mil62sched.model.codes import W1D1, VisitCode
from mil62sched.model.plan import Period, Plan, Policy, Records, Status, Visit, VisitKey
from mil62sched.model.protocol import Arm, Leg, Protocol, Schedule, Treatment, Window


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
    period's W1D1 (e.g. {"OLP": date}); `records` the visits that happened or were missed.
    """
    chosen = protocol.arm(arm)
    policy = policy or _NO_POLICY
    records = records or _NO_RECORDS
    window = window or policy.window
    escalate_from = _check_escalation(protocol, chosen, escalate_at)
    problems: list[RecordError] = []  # every bad record, reported together at the end
    keys = _resolve_records(chosen, records, problems)
    journeys = [name for name, candidate in protocol.arms.items() if candidate.journey]
    periods = _periods(chosen, start, period_starts or {}, keys, journeys, problems)
    _check_fits(chosen, periods, window)
    visits: list[Visit] = []
    for leg, period in zip(chosen.legs, periods, strict=True):
        next_start = _next_start(periods, period)
        visits += _expand(leg, period, next_start, escalate_from, window, keys, policy)
    _check_actuals(visits, periods, policy.today, problems)
    _raise_all(problems)
    return Plan(
        protocol, chosen, start, participant, escalate_from, tuple(periods), tuple(visits), policy
    )


_NO_POLICY = Policy()
_NO_RECORDS = Records()


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
            f"does not apply to {arm.name}",
            accepted=f"only {', '.join(escalating)} may escalate",
            field="escalate_at",
        )
    allowed = [code for code in schedule.visits if code >= rule.earliest]
    if escalate_at not in allowed:
        raise UsageError(
            "is not a visit it may escalate from",
            value=str(escalate_at),
            accepted=f"{schedule.name} may escalate to {rule.treatment.label} from one of "
            f"{', '.join(map(str, allowed))}",
            field="escalate_at",
        )
    return escalate_at


_Keyed = dict[tuple[str, VisitCode], "date | None"]  # (period, code) -> actual date, None = missed


def _resolve_records(arm: Arm, records: Records, problems: list[RecordError]) -> _Keyed:
    """Match each recorded visit to one (period, code) of the arm; add the others to
    `problems`."""
    resolved: _Keyed = {}
    entries: list[tuple[VisitKey, date | None]] = [*records.actual.items()]
    entries += [(key, None) for key in sorted(records.missed, key=str)]
    for key, when in entries:
        matches = [
            leg.period
            for leg in arm.legs
            if key.code in leg.schedule.visits and key.period in (None, leg.period)
        ]
        source = "missed" if when is None else "actual"
        if not matches:
            known = ", ".join(
                f"{leg.period}:{code}" if arm.journey else str(code)
                for leg in arm.legs
                for code in leg.schedule.visits
            )
            problems.append(
                RecordError(
                    f": not an infusion visit of {arm.name} ({known})",
                    code=str(key.code),
                    period=key.period,
                    record=str(key),
                    source=source,
                )
            )
            continue
        if len(matches) > 1:
            both = " or ".join(f"{period}:{key.code}" for period in matches)
            problems.append(
                RecordError(
                    f": {arm.name} has {key.code} in several periods; use {both}",
                    code=str(key.code),
                    period=key.period,
                    record=str(key),
                    source=source,
                )
            )
            continue
        slot = (matches[0], key.code)
        if slot in resolved:
            problems.append(
                RecordError(
                    ": the visit is recorded twice (done and missed?)",
                    code=str(key.code),
                    period=key.period,
                    record=str(key),
                    source=source,
                )
            )
            continue
        resolved[slot] = when
    return resolved


def _raise_all(problems: list[RecordError]) -> None:
    """Refuse the records with every problem at once (the first alone when there is one)."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise RecordErrors(problems)


def _periods(
    arm: Arm,
    start: date,
    given: Mapping[str, date],
    keys: _Keyed,
    journeys: list[str],
    problems: list[RecordError],
) -> list[Period]:
    """Each period's W1D1: the start, a given date, a recorded W1D1, or the protocol default.

    A recorded W1D1 that contradicts its period's start goes to `problems` and is set aside."""
    unknown = set(given) - {leg.period for leg in arm.legs[1:]}
    if unknown:
        period = sorted(unknown)[0]
        raise UsageError(
            f"was given, but {arm.name} has no later {period} period",
            accepted="only a journey through it has one "
            f"({', '.join(journeys) or 'none in this protocol'})",
            field=f"{period.lower()}_start",
        )
    first = arm.legs[0]
    recorded_first = keys.get((first.period, W1D1))
    if (first.period, W1D1) in keys and recorded_first != start:
        named = f"{first.period}:W1D1" if arm.journey else "W1D1"
        problems.append(
            RecordError(
                f"{named} is the start ({start.isoformat()}) by definition: to plan from "
                "another first infusion, change the start date",
                code="W1D1",
                period=first.period,
                field="start",
            )
        )
        del keys[first.period, W1D1]
    periods = [Period(first.period, first.schedule, start, assumed=False, baseline_start=start)]
    for leg in arm.legs[1:]:
        previous = periods[-1]
        assert leg.starts_at is not None  # the protocol loader requires it for later legs
        offset = timedelta(days=leg.starts_at.study_day - 1)
        try:
            baseline = None if previous.baseline_start is None else previous.baseline_start + offset
        except OverflowError:  # only a comparison point for calendar updates: none then
            baseline = None
        recorded = keys.get((leg.period, W1D1))
        chosen = given.get(leg.period)
        problem = None
        if (leg.period, W1D1) in keys and recorded is None:
            problem = f"{leg.period}:W1D1 cannot be missed: it is the day the period starts"
        elif chosen is not None and recorded is not None and chosen != recorded:
            problem = (
                f"{leg.period}:W1D1 was recorded on {recorded.isoformat()} but the "
                f"{leg.period} start is given as {chosen.isoformat()}: they must agree"
            )
        if problem is not None:
            problems.append(RecordError(problem, code="W1D1", period=leg.period))
            del keys[leg.period, W1D1]
            recorded = None
        chosen = chosen or recorded
        if chosen is not None:
            if chosen <= previous.start:
                raise UsageError(
                    f"{leg.period} start {chosen.isoformat()} must be after the "
                    f"{previous.name} start {previous.start.isoformat()}"
                )
            periods.append(
                Period(leg.period, leg.schedule, chosen, assumed=False, baseline_start=baseline)
            )
            continue
        try:
            assumed = previous.start + offset
        except OverflowError:
            raise UsageError(
                f"start date {start.isoformat()} is too late: the {leg.period}, assumed to start "
                f"at {previous.name} {leg.starts_at}, would begin after 9999-12-31"
            ) from None
        periods.append(
            Period(
                leg.period,
                leg.schedule,
                assumed,
                True,
                assumed_at=(previous.name, leg.starts_at),
                baseline_start=baseline,
            )
        )
    return periods


def _next_start(periods: list[Period], period: Period) -> date | None:
    index = periods.index(period)
    return periods[index + 1].start if index + 1 < len(periods) else None


def _expand(
    leg: Leg,
    period: Period,
    next_start: date | None,
    escalate_from: VisitCode | None,
    window: Window | None,
    keys: _Keyed,
    policy: Policy,
) -> list[Visit]:
    """The visits of one period; those falling on or after the next period's start are dropped
    unless they happened, since the participant has moved on (e.g. into the OLP after a relapse)."""
    schedule = leg.schedule
    visits: list[Visit] = []
    anchor_date, anchor_day = period.start, 1
    baseline_start = period.baseline_start or period.start
    for code in schedule.visits:
        slot = (period.name, code)
        target = _later(anchor_date, code.study_day - anchor_day, schedule)
        recorded = keys.get(slot)
        happened = slot in keys and recorded is not None
        visit_window = window or schedule.windows.get(code)
        baseline = _later(baseline_start, code.study_day - 1, schedule)
        dropped = next_start is not None and target >= next_start and slot not in keys
        visit = _visit(
            schedule, period, code, target, visit_window, escalate_from, keys, policy, baseline
        )
        if dropped:
            assert next_start is not None
            note = f"not given: the participant entered the next period on {next_start:%Y-%m-%d}"
            visit = visit._replace(status="dropped", note=note, proposed=None, date=target)
        visits.append(visit)
        if happened and policy.anchor == "previous":
            assert recorded is not None
            anchor_date, anchor_day = recorded, code.study_day
    return visits


def _visit(
    schedule: Schedule,
    period: Period,
    code: VisitCode,
    target: date,
    window: Window | None,
    escalate_from: VisitCode | None,
    keys: _Keyed,
    policy: Policy,
    baseline: date,
) -> Visit:
    """One visit: its working-day check, proposal, planned date and record."""
    site = policy.site
    day = site.status(target) if site is not None else None
    working = day is None or day.working
    proposed: date | None = None
    note: str | None = None
    provisional = False
    try:
        first, last = (None, None) if window is None else window.around(target)
    except OverflowError:
        raise UsageError(
            f"the window of {period.name} {code} ({target.isoformat()}) runs off the calendar"
        ) from None
    if site is not None:
        if first is None or last is None or first.year == last.year == target.year:
            provisional = site.provisional(target.year)
        else:
            provisional = any(site.provisional(y) for y in range(first.year, last.year + 1))
        if not working:
            assert day is not None
            if code == W1D1:
                note = (
                    f"not a working day ({day.reason}); W1D1 starts the period's timeline, so "
                    "it is never moved: choose another start date if the site is closed"
                )
            elif window is None:
                note = f"not a working day ({day.reason}) and no window is set to move it in"
            else:
                proposed = site.nearest_working_day(target, window.before, window.after)
                if proposed is None:
                    note = (
                        f"not a working day ({day.reason}) and no working day in the window "
                        f"{window}"
                    )
    slot = (period.name, code)
    status: Status = "planned"
    if slot in keys:
        status = "missed" if keys[slot] is None else "done"
    return Visit(
        code=code,
        study_day=code.study_day,
        period=period.name,
        treatment=_treatment(schedule, code, escalate_from),
        blinded_schedule=schedule.blinded_name,
        target=target,
        date=proposed if (policy.adjust and proposed is not None) else target,
        window=window,
        window_start=first,
        window_end=last,
        working_day=working,
        non_working_reason=None if day is None else day.reason,
        holidays_provisional=provisional,
        proposed=proposed,
        note=note,
        status=status,
        actual=keys.get(slot),
        baseline=baseline,
    )


def _check_actuals(
    visits: list[Visit], periods: list[Period], today: date | None, problems: list[RecordError]
) -> None:
    """Actual dates follow visit order, fall inside their period, and lie in the past."""
    starts = {period.name: period.start for period in periods}
    ends = {period.name: after.start for period, after in zip(periods, periods[1:], strict=False)}
    several = len(periods) > 1
    previous: Visit | None = None
    for visit in visits:
        if visit.actual is None:
            continue
        name = f"{visit.period}:{visit.code}" if several else str(visit.code)
        typed = f"{name}={visit.actual.isoformat()}"

        def refuse(reason: str, visit: Visit = visit, typed: str = typed) -> RecordError:
            return RecordError(
                reason, code=str(visit.code), period=visit.period, record=typed, source="actual"
            )

        start, end = starts[visit.period], ends.get(visit.period)
        if today is not None and visit.actual > today:
            problems.append(refuse(f"is in the future (today is {today.isoformat()})"))
        elif visit.code != W1D1 and visit.actual <= start:
            problems.append(refuse(f"is not after the {visit.period} W1D1 ({start.isoformat()})"))
        elif end is not None and visit.actual >= end:
            problems.append(refuse(f"is not before the next period's W1D1 ({end.isoformat()})"))
        elif (
            previous is not None and previous.actual is not None and visit.actual <= previous.actual
        ):
            before = f"{previous.period}:{previous.code}" if several else str(previous.code)
            problems.append(
                refuse(
                    f"is not after {before}'s actual date {previous.actual.isoformat()}: "
                    "visits happen in visit order"
                )
            )
        else:
            previous = visit


def _check_fits(arm: Arm, periods: list[Period], window: Window | None) -> None:
    """Refuse a plan whose last visit, window and calendar end day would pass 9999-12-31."""
    for number, (leg, period) in enumerate(zip(arm.legs, periods, strict=True)):
        last = leg.schedule.visits[-1]
        after = max(
            [w.after for w in leg.schedule.windows.values()] + [window.after if window else 0]
        )
        try:
            last.date_from(period.start) + timedelta(days=after + 1)
        except OverflowError:
            visit = f"{leg.period} {last}" if arm.journey else str(last)
            what = f"start date {period.start.isoformat()}"
            if number and period.assumed:
                what = (
                    f"start date {periods[0].start.isoformat()} (with the {period.name} start "
                    f"{period.start.isoformat()} assumed)"
                )
            elif number:
                what = f"{period.name} start {period.start.isoformat()}"
            raise UsageError(
                f"{what} is too late: {leg.schedule.name}'s last visit {visit} "
                f"(study day {last.study_day}) must fall before 9999-12-31"
            ) from None
        before = max(
            [w.before for w in leg.schedule.windows.values()] + [window.before if window else 0]
        )
        try:
            period.start - timedelta(days=before)
        except OverflowError:
            raise UsageError(
                f"start date {period.start.isoformat()} is too early: the window of W1D1 "
                "would begin before 0001-01-01"
            ) from None


def _later(day: date, days: int, schedule: Schedule) -> date:
    """`day` + `days`, refused plainly past the end of the calendar."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise UsageError(
            f"{schedule.name} would run past 9999-12-31 from {day.isoformat()}: "
            "give an earlier date"
        ) from None


def _treatment(schedule: Schedule, code: VisitCode, escalate_from: VisitCode | None) -> Treatment:
    if schedule.escalation is not None and escalate_from is not None and code >= escalate_from:
        return schedule.escalation.treatment
    return schedule.treatment_at(code)
