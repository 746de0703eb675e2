"""The schedule engine: expands a schedule's visit codes into dated infusions. Pure.

It never reads the clock, the environment or a file: the protocol, the start date and the
options come in, an immutable `Plan` comes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mil62sched.codes import VisitCode
from mil62sched.errors import UsageError
from mil62sched.protocol import Protocol, Schedule, Treatment


@dataclass(frozen=True)
class Visit:
    """One infusion visit of a participant: its code, study day, date and what is infused."""

    code: VisitCode
    study_day: int
    date: date
    treatment: Treatment
    period: str


@dataclass(frozen=True)
class Plan:
    """A participant's infusion visits on one schedule, from W1D1 = `start`."""

    protocol: Protocol
    schedule: Schedule
    start: date
    participant: str | None
    escalate_at: VisitCode | None
    visits: tuple[Visit, ...]

    @property
    def blinded(self) -> bool:
        """True when the plan is safe for blinded staff (it hides an assignment)."""
        return self.schedule.masking == "blinded"

    @property
    def unblinded(self) -> bool:
        """True when the plan reveals a blinded assignment: for the unblinded pharmacist only."""
        return self.schedule.masking == "unblinded"


def plan(
    protocol: Protocol,
    arm: str,
    start: date,
    *,
    participant: str | None = None,
    escalate_at: VisitCode | None = None,
) -> Plan:
    """Expand `arm` into dated infusion visits for a participant whose W1D1 is `start`."""
    schedule = protocol.schedule(arm)
    escalate_from = _check_escalation(protocol, schedule, escalate_at)
    last = schedule.visits[-1]
    try:
        # The day after the last visit must exist too: a calendar event ends on it.
        last.date_from(start) + timedelta(days=1)
    except OverflowError:
        raise UsageError(
            f"start date {start.isoformat()} is too late: {schedule.name}'s last visit {last} "
            f"(study day {last.study_day}) must fall before 9999-12-31"
        ) from None
    visits = tuple(
        Visit(
            code=code,
            study_day=code.study_day,
            date=code.date_from(start),
            treatment=_treatment(schedule, code, escalate_from),
            period=schedule.period,
        )
        for code in schedule.visits
    )
    return Plan(protocol, schedule, start, participant, escalate_from, visits)


def _check_escalation(
    protocol: Protocol, schedule: Schedule, escalate_at: VisitCode | None
) -> VisitCode | None:
    if escalate_at is None:
        return None
    rule = schedule.escalation
    if rule is None:
        escalating = [s.name for s in protocol.schedules.values() if s.escalation]
        raise UsageError(
            f"--escalate-at does not apply to {schedule.name}: "
            f"only {', '.join(escalating)} may escalate"
        )
    allowed = [code for code in schedule.visits if code >= rule.earliest]
    if escalate_at not in allowed:
        raise UsageError(
            f"invalid --escalate-at {escalate_at}: {schedule.name} may escalate to "
            f"{rule.treatment.label} from one of {', '.join(map(str, allowed))}"
        )
    return escalate_at


def _treatment(schedule: Schedule, code: VisitCode, escalate_from: VisitCode | None) -> Treatment:
    if schedule.escalation is not None and escalate_from is not None and code >= escalate_from:
        return schedule.escalation.treatment
    return schedule.treatment_at(code)
