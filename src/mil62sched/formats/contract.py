"""The machine contract: the JSON/CSV field names and values of a plan, a visit and an agenda
line, in one place so csv, json and xlsx-like outputs agree (documented in the README)."""

from __future__ import annotations

from collections.abc import Container, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from mil62sched.formats.wording import (
    UNBLINDED_NOTICE,
    WEEKDAYS,
    after_study_completion,
    before_study_start,
    overdue,
    period_note,
    study_date_notes,
    tracked,
)
from mil62sched.model.plan import Plan, Visit

if TYPE_CHECKING:
    from mil62sched.model.agenda import Agenda, Due, Untracked


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def visit_fields(visit: Visit) -> dict[str, Any]:
    """One infusion visit as plain values, in the JSON contract's names and order."""
    return {
        "code": str(visit.code),
        "study_day": visit.study_day,
        "date": visit.date.isoformat(),
        "weekday": WEEKDAYS[visit.date.weekday()],
        # A visit that is not an infusion gives no treatment (see `kind`).
        "treatment": visit.treatment.label if visit.kind == "infusion" else None,
        "dose_mg": visit.treatment.dose_mg,
        "blinded": visit.treatment.blinded,
        "period": visit.period,
        "protocol_date": visit.target.isoformat(),
        "window_start": _iso(visit.window_start),
        "window_end": _iso(visit.window_end),
        "working_day": visit.working_day,
        "non_working_reason": _plain(visit.non_working_reason),
        "proposed_date": _iso(visit.proposed),
        "holidays_provisional": visit.holidays_provisional,
        "status": visit.status,
        "actual_date": _iso(visit.actual),
        "deviation_days": visit.deviation_days,
        "in_window": visit.in_window,
        "note": _plain(visit.note),
    }


TRACKING_COLUMNS = ("period_start", "period_start_assumed", "overdue", "over_capacity")
# Added after the tracking columns (issue 11): what the visit is for, `infusion` or another kind.
KIND_COLUMNS = ("kind",)


def tracking_fields(
    plan: Plan, visit: Visit, over_full: Container[date] | None = None, *, is_tracked: bool
) -> dict[str, Any]:
    """The visit's fields that need its plan or the site: its period's W1D1 and whether it was
    assumed, overdue, and over capacity (None unless chairs were counted; a missed or dropped
    visit takes no chair)."""
    period = next(p for p in plan.periods if p.name == visit.period)
    takes_none = visit.status in ("missed", "dropped") or visit.kind != "infusion"
    chair = None if takes_none else (visit.actual or visit.date)
    return {
        "period_start": period.start.isoformat(),
        "period_start_assumed": period.assumed,
        "overdue": overdue(plan, visit, is_tracked),
        "over_capacity": None if over_full is None else chair is not None and chair in over_full,
    }


# Added after the tracking columns: `working_day` and `non_working_reason` describe the planned
# `date`; these describe `protocol_date`, i.e. why a moved visit was moved.
PROTOCOL_DATE_COLUMNS = ("protocol_date_working_day", "protocol_date_non_working_reason")


def protocol_date_fields(visit: Visit) -> dict[str, Any]:
    """Whether the visit's protocol date is a working day at the site, and why not."""
    return {
        "protocol_date_working_day": visit.target_working,
        "protocol_date_non_working_reason": _plain(visit.target_reason),
    }


def plan_visits(plan: Plan, over_full: Container[date] | None = None) -> list[dict[str, Any]]:
    """Every visit of the plan with its tracking fields, in the JSON contract's order."""
    is_tracked = tracked(plan)
    return [
        {
            **visit_fields(v),
            **tracking_fields(plan, v, over_full, is_tracked=is_tracked),
            **protocol_date_fields(v),
            "after_study_completion": after_study_completion(plan, v),
            "kind": v.kind,
            "protocol_version": plan.version_of(v),
        }
        for v in plan.visits
    ]


# Added after `kind` (issue 18): the protocol version each visit follows (under an amendment,
# the replaced version's before the participant's switch date).
VERSION_COLUMNS = ("protocol_version",)


def amendment_fields(plan: Plan) -> dict[str, Any]:
    """The plan's protocol version, and under an amendment the version it replaces and the
    participant's switch date (the top level's last fields)."""
    amendment = plan.amendment
    return {
        "protocol_version": plan.protocol.version,
        "amendment": None
        if amendment is None
        else {
            "replaces": amendment.replaced.version,
            "switch_date": amendment.switch.isoformat(),
            "switch_from": "amended_on" if amendment.reconsented else "effective",
        },
    }


# After those: the protocol's study dates (registry data). In CSV, the plan's
# `before_study_start` is repeated on every row, as `start` is.
STUDY_DATE_COLUMNS = ("before_study_start", "after_study_completion")


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
        "study_start": _iso(plan.protocol.study_start),
        "study_completion": _iso(plan.protocol.study_completion),
        "before_study_start": before_study_start(plan),
        "study_dates_note": " ".join(map(str, study_date_notes(plan))) or None,
        **amendment_fields(plan),
    }


AGENDA_COLUMNS = (
    "participant", "arm", "masking", "period", "code", "date", "weekday", "window_start",
    "window_end", "treatment", "working_day", "non_working_reason", "flags",
    "protocol_date", *PROTOCOL_DATE_COLUMNS,
)  # fmt: skip


_NO_VISIT = dict.fromkeys(AGENDA_COLUMNS)  # an agenda line's columns, all empty


def _plain(text: object) -> str | None:
    """A reason or a note in the contract's words, English, as plain text."""
    return None if text is None else str(text)


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
        "non_working_reason": _plain(visit.non_working_reason),
        "flags": list(item.flags),
        "protocol_date": visit.target.isoformat(),
        **protocol_date_fields(visit),
    }


def untracked_fields(untracked: Untracked) -> dict[str, Any]:
    """A participant with no recorded visit, as a JSON `untracked` entry."""
    return {
        "participant": untracked.participant,
        "arm": untracked.arm,
        "masking": untracked.masking,
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
        # Added (issue 16): participants with no recorded visit, whose past visits are not
        # listed, in roster order.
        "untracked": [untracked_fields(untracked) for untracked in agenda.untracked],
    }


def agenda_lines(agenda: Agenda) -> Iterator[dict[str, Any]]:
    """The agenda's CSV (and workbook) lines as plain values: a line per participant with
    no recorded visit first, their visit's columns empty and the flag `untracked` (issue 16),
    then a line per visit. One at a time: a list of them (a line per participant of a large
    roster) kept the collector busy."""
    from mil62sched.model.agenda import UNTRACKED  # not on a plan's way: it loads no agenda

    for untracked in agenda.untracked:
        yield {**_NO_VISIT, **untracked_fields(untracked), "flags": [UNTRACKED]}
    for item in agenda.items:
        yield agenda_fields(item)
