"""The words people read: titles, notes, window, working-day and record texts, shared by the
table, Markdown, month and calendar formats so they say the same thing the same way."""

from __future__ import annotations

from datetime import date

from mil62sched.model.plan import Period, Plan, Visit

UNBLINDED_NOTICE = "UNBLINDED: reveals the treatment assignment. Unblinded pharmacist only."
PROVISIONAL_NOTICE = (
    "Holiday data provisional: no official adjusted-working-day schedule is installed for some "
    "years of this plan; check against the State Council notice or load it with --holidays. "
    "A year stops being provisional once the installed holidays package carries that year's "
    "State Council notice (its adjusted working days: a newer release of the package), or once "
    "a --holidays file has a row dated in that year (the file is then taken as the site's word "
    "for the whole year)."
)
# The same, short, for one calendar event's description.
PROVISIONAL_EVENT_NOTE = (
    "Holiday data provisional: the year's official schedule is not installed (until the package "
    "carries the year's State Council notice or --holidays has a row in that year)"
)


# English weekday names by date.weekday(); strftime("%A") is slow and follows the locale.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def visit_count(plan: Plan) -> str:
    """How many infusions the plan gives, and other visits when it has some: `4 infusions`,
    `25 infusions, 1 other visit`."""
    given = plan.given
    infusions = sum(visit.kind == "infusion" for visit in given)
    others = len(given) - infusions
    if not others:
        return f"{infusions} infusions"
    return f"{infusions} infusions, {others} other visit{'s' * (others != 1)}"


def period_note(period: Period) -> str | None:
    """The sentence saying a period's start was assumed, and how to give the real one."""
    if period.assumed_at is None:
        return None
    previous, code = period.assumed_at
    name = period.name
    return (
        f"{name} start assumed: {previous} {code} (study day {code.study_day}), "
        f"{period.start.isoformat()}; give the real one (--{name.lower()}-start, or the "
        f"roster's {name.lower()}_start)"
    )


def tracked(plan: Plan) -> bool:
    """Whether the site records this participant's visits (any visit done or missed): only then
    can a planned visit whose window closed be called overdue rather than merely unrecorded."""
    return any(visit.status in ("done", "missed") for visit in plan.visits)


def overdue(plan: Plan, visit: Visit, is_tracked: bool) -> bool | None:
    """A planned visit whose window (or date, without one) closed before the plan's today with
    nothing recorded, as the agenda says; None when the plan has no records at all."""
    today = plan.policy.today
    if not is_tracked or today is None:
        return None
    return visit.status == "planned" and (visit.window_end or visit.date) < today


def after_study_completion(plan: Plan, visit: Visit) -> bool:
    """Whether the visit's day (its actual date once done, else the planned one) falls after
    the protocol's study completion date; False when the protocol gives none."""
    completion = plan.protocol.study_completion
    return completion is not None and (visit.actual or visit.date) > completion


def before_study_start(plan: Plan) -> bool:
    """Whether the plan's W1D1 is before the protocol's study start; False without one."""
    start = plan.protocol.study_start
    return start is not None and plan.start < start


_STUDY_DATES_ADVICE = "dates move by amendment; check the protocol's current dates."


def study_date_notes(plan: Plan) -> list[str]:
    """A sentence for a W1D1 before the study start and one for visits after its completion
    date (registry data: a note, never an error, since dates move by amendment)."""
    protocol = plan.protocol
    lines = []
    if before_study_start(plan):
        assert protocol.study_start is not None
        lines.append(
            f"W1D1 {plan.start.isoformat()} is before the study start "
            f"{protocol.study_start.isoformat()} ({protocol.registry} registry): check the start "
            "date, or the protocol's current dates."
        )
    late = [v for v in plan.given if after_study_completion(plan, v)]
    if late:
        assert protocol.study_completion is not None
        first = late[0]
        where = f"{first.period} {first.code}" if len(plan.periods) > 1 else str(first.code)
        count = f"{len(late)} visit{'s' if len(late) > 1 else ''}"
        lines.append(
            f"{count} after the study completion date {protocol.study_completion.isoformat()} "
            f"({protocol.registry} registry), from {where} "
            f"({(first.actual or first.date).isoformat()}): {_STUDY_DATES_ADVICE}"
        )
    return lines


def roster_study_dates(
    protocol_registry: str, completion: date | None, start: date | None, late: int, early: int
) -> str | None:
    """One sentence for a whole roster: how many participants have visits after the study
    completion date, and how many a W1D1 before the study start; None when none do."""
    parts = []
    if late and completion is not None:
        parts.append(
            f"{late} participant(s) with visits after the study completion date "
            f"{completion.isoformat()}"
        )
    if early and start is not None:
        lead = "" if parts else " participant(s)"
        parts.append(f"{early}{lead} with W1D1 before the study start {start.isoformat()}")
    if not parts:
        return None
    return f"{' and '.join(parts)} ({protocol_registry} registry): {_STUDY_DATES_ADVICE}"


def title(plan: Plan) -> str:
    """A one-line title naming protocol, arm, participant and start."""
    who = f"participant {plan.participant}" if plan.participant else "no participant ID"
    escalation = f", 1000 mg from {plan.escalate_at}" if plan.escalate_at else ""
    return (
        f"{plan.protocol.id} · {plan.arm.name}{escalation} · {who} · W1D1 {plan.start.isoformat()}"
    )


def notes(plan: Plan) -> list[str]:
    """Sentences a reader must not miss: assumptions, provisional data, visits that need care."""
    lines = [note for period in plan.periods if (note := period_note(period))]
    lines += study_date_notes(plan)
    if plan.holidays_provisional:
        lines.append(PROVISIONAL_NOTICE)
    is_tracked = tracked(plan)
    for visit in plan.visits:
        where = f"{visit.period} {visit.code}" if len(plan.periods) > 1 else str(visit.code)
        if overdue(plan, visit, is_tracked):
            closed = (
                "its day has passed (no window)"
                if visit.window_end is None
                else f"its window closed on {visit.window_end.isoformat()}"
            )
            lines.append(
                f"{where} ({visit.date.isoformat()}): overdue: {closed}, nothing recorded."
            )
        if visit.note:
            lines.append(f"{where} ({visit.target.isoformat()}): {visit.note}.")
        elif visit.proposed is not None and not plan.policy.adjust:
            lines.append(
                f"{where} ({visit.target.isoformat()}) is not a working day "
                f"({visit.target_reason}): nearest working day in the window is "
                f"{visit.proposed.isoformat()} (use --adjust to plan on it)."
            )
        elif visit.proposed is not None and visit.moved:
            lines.append(
                f"{where} moved from {visit.target.isoformat()} ({visit.target_reason}) "
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
