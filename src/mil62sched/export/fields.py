"""The fields every tabular exporter shares, in one place so csv, md, json and table agree."""

from __future__ import annotations

from datetime import date
from typing import Any

from mil62sched.engine import Plan, Visit

UNBLINDED_NOTICE = "UNBLINDED: reveals the treatment assignment. Unblinded pharmacist only."
PROVISIONAL_NOTICE = (
    "Holiday data provisional: no official adjusted-working-day schedule is installed for some "
    "years of this plan; check against the State Council notice or load it with --holidays."
)


# English weekday names by date.weekday(); strftime("%A") is slow and follows the locale.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def visit_fields(visit: Visit) -> dict[str, Any]:
    """One infusion visit as plain values, in the JSON contract's names and order."""
    return {
        "code": str(visit.code),
        "study_day": visit.study_day,
        "date": visit.date.isoformat(),
        "weekday": WEEKDAYS[visit.date.weekday()],
        "treatment": visit.treatment.label,
        "dose_mg": visit.treatment.dose_mg,
        "blinded": visit.treatment.blinded,
        "period": visit.period,
        "protocol_date": visit.target.isoformat(),
        "window_start": _iso(visit.window_start),
        "window_end": _iso(visit.window_end),
        "working_day": visit.working_day,
        "non_working_reason": visit.non_working_reason,
        "proposed_date": _iso(visit.proposed),
        "holidays_provisional": visit.holidays_provisional,
        "status": visit.status,
        "actual_date": _iso(visit.actual),
        "deviation_days": visit.deviation_days,
        "in_window": visit.in_window,
        "note": visit.note,
    }


def plan_fields(plan: Plan) -> dict[str, Any]:
    """The plan's heading values, in the JSON contract's names and order (visits excluded)."""
    policy = plan.policy
    return {
        "protocol": plan.protocol.id,
        "registry": plan.protocol.registry,
        "arm": plan.arm.name,
        "arm_title": plan.arm.title,
        "participant": plan.participant,
        "start": plan.start.isoformat(),
        "blinded": plan.blinded,
        "masking": plan.arm.masking,
        "escalate_at": None if plan.escalate_at is None else str(plan.escalate_at),
        "notice": UNBLINDED_NOTICE if plan.unblinded else None,
        "periods": [
            {
                "period": period.name,
                "start": period.start.isoformat(),
                "start_assumed": period.assumed,
                "note": period.note,
            }
            for period in plan.periods
        ],
        "country": None if policy.site is None else policy.site.country,
        "holidays_provisional": plan.holidays_provisional,
        "adjusted": policy.adjust,
        "anchor": policy.anchor,
    }


def title(plan: Plan) -> str:
    """A one-line title naming protocol, arm, participant and start."""
    who = f"participant {plan.participant}" if plan.participant else "no participant ID"
    escalation = f", 1000 mg from {plan.escalate_at}" if plan.escalate_at else ""
    return (
        f"{plan.protocol.id} · {plan.arm.name}{escalation} · {who} · W1D1 {plan.start.isoformat()}"
    )


def notes(plan: Plan) -> list[str]:
    """Sentences a reader must not miss: assumptions, provisional data, visits that need care."""
    lines = [period.note for period in plan.periods if period.note]
    if plan.holidays_provisional:
        lines.append(PROVISIONAL_NOTICE)
    for visit in plan.visits:
        where = f"{visit.period} {visit.code}" if len(plan.periods) > 1 else str(visit.code)
        if visit.note:
            lines.append(f"{where} ({visit.target.isoformat()}): {visit.note}.")
        elif visit.proposed is not None and not plan.policy.adjust:
            lines.append(
                f"{where} ({visit.target.isoformat()}) is not a working day "
                f"({visit.non_working_reason}): nearest working day in the window is "
                f"{visit.proposed.isoformat()} (use --adjust to plan on it)."
            )
        elif visit.proposed is not None and visit.moved:
            lines.append(
                f"{where} moved from {visit.target.isoformat()} ({visit.non_working_reason}) "
                f"to {visit.date.isoformat()}."
            )
    return lines


def window_text(visit: Visit) -> str:
    """The window as 'YYYY-MM-DD..YYYY-MM-DD', or '-' without one."""
    if visit.window is None:
        return "-"
    return f"{_iso(visit.window_start)}..{_iso(visit.window_end)}"


def day_text(visit: Visit) -> str:
    """Working day, or why not, for tables."""
    if visit.working_day:
        return "working"
    return visit.non_working_reason or "not working"


def record_text(visit: Visit) -> str:
    """What happened: planned, missed, or done on a date with its deviation."""
    if visit.status != "done" or visit.actual is None:
        return visit.status
    deviation = visit.deviation_days or 0
    shift = f"{deviation:+d} d" if deviation else "on time"
    inside = {True: ", in window", False: ", OUTSIDE window", None: ""}[visit.in_window]
    return f"done {visit.actual.isoformat()} ({shift}{inside})"
