"""The machine contract: the JSON/CSV field names and values of a plan, a visit and an agenda
line, in one place so csv, json and xlsx-like outputs agree (documented in the README)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from mil62sched.formats.wording import UNBLINDED_NOTICE, WEEKDAYS, period_note
from mil62sched.model.plan import Plan, Visit

if TYPE_CHECKING:
    from mil62sched.roster.agenda import Agenda, Due


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
                "note": period_note(period),
            }
            for period in plan.periods
        ],
        "country": None if policy.site is None else policy.site.country,
        "holidays_provisional": plan.holidays_provisional,
        "adjusted": policy.adjust,
        "anchor": policy.anchor,
    }


AGENDA_COLUMNS = (
    "participant", "arm", "masking", "period", "code", "date", "weekday", "window_start",
    "window_end", "treatment", "working_day", "non_working_reason", "flags",
)  # fmt: skip


def agenda_fields(item: Due) -> dict[str, Any]:
    """One agenda line as plain values."""
    visit = item.visit
    return {
        "participant": item.participant,
        "arm": item.arm,
        "masking": item.masking,
        "period": visit.period,
        "code": str(visit.code),
        "date": visit.date.isoformat(),
        "weekday": WEEKDAYS[visit.date.weekday()],
        "window_start": _iso(visit.window_start),
        "window_end": _iso(visit.window_end),
        "treatment": visit.treatment.label,
        "working_day": visit.working_day,
        "non_working_reason": visit.non_working_reason,
        "flags": list(item.flags),
    }


def agenda_document(agenda: Agenda) -> dict[str, Any]:
    """The agenda as JSON-ready values."""
    return {
        "from": agenda.start.isoformat(),
        "to": agenda.end.isoformat(),
        "chairs": agenda.chairs,
        "notice": UNBLINDED_NOTICE if agenda.unblinded else None,
        "over_capacity": {day.isoformat(): n for day, n in agenda.over_capacity.items()},
        "items": [agenda_fields(item) for item in agenda.items],
    }
