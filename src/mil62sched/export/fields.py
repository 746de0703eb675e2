"""The fields every tabular exporter shares, in one place so csv, md and json agree."""

from __future__ import annotations

from typing import Any

from mil62sched.engine import Plan, Visit

UNBLINDED_NOTICE = "UNBLINDED: reveals the treatment assignment. Unblinded pharmacist only."


def visit_fields(visit: Visit) -> dict[str, Any]:
    """One infusion visit as plain values, in the JSON contract's names and order."""
    return {
        "code": str(visit.code),
        "study_day": visit.study_day,
        "date": visit.date.isoformat(),
        "weekday": visit.date.strftime("%A"),
        "treatment": visit.treatment.label,
        "dose_mg": visit.treatment.dose_mg,
        "blinded": visit.treatment.blinded,
        "period": visit.period,
    }


def plan_fields(plan: Plan) -> dict[str, Any]:
    """The plan's heading values, in the JSON contract's names and order (visits excluded)."""
    return {
        "protocol": plan.protocol.id,
        "registry": plan.protocol.registry,
        "arm": plan.schedule.name,
        "arm_title": plan.schedule.title,
        "participant": plan.participant,
        "start": plan.start.isoformat(),
        "blinded": plan.blinded,
        "masking": plan.schedule.masking,
        "escalate_at": None if plan.escalate_at is None else str(plan.escalate_at),
        "notice": UNBLINDED_NOTICE if plan.unblinded else None,
    }


def title(plan: Plan) -> str:
    """A one-line title naming protocol, arm, participant and start."""
    who = f"participant {plan.participant}" if plan.participant else "no participant ID"
    escalation = f", 1000 mg from {plan.escalate_at}" if plan.escalate_at else ""
    return (
        f"{plan.protocol.id} · {plan.schedule.name}{escalation} · {who} · "
        f"W1D1 {plan.start.isoformat()}"
    )
