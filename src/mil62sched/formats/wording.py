"""The words people read: titles, notes, window, working-day and record texts, shared by the
table, Markdown, month and calendar formats so they say the same thing the same way."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from mil62sched.i18n import ENGLISH, N_, Words, words
from mil62sched.model.plan import Period, Plan, Visit

UNBLINDED_NOTICE = N_("UNBLINDED: reveals the treatment assignment. Unblinded pharmacist only.")
PROVISIONAL_NOTICE = N_(
    "Holiday data provisional: no official adjusted-working-day schedule is installed for some "
    "years of this plan; check against the State Council notice or load it with --holidays."
)


# English weekday names by date.weekday(); strftime("%A") is slow and follows the locale.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def period_note(period: Period, tr: Words = ENGLISH) -> str | None:
    """The sentence saying a period's start was assumed, and how to give the real one."""
    if period.assumed_at is None:
        return None
    previous, code = period.assumed_at
    name = period.name
    return tr(
        "{name} start assumed: {previous} {code} (study day {day}), {date}; give the real one "
        "(--{option}-start, or the roster's {option}_start)",
        name=name,
        previous=previous,
        code=code,
        day=code.study_day,
        date=period.start.isoformat(),
        option=name.lower(),
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


def title(plan: Plan, tr: Words = ENGLISH) -> str:
    """A one-line title naming protocol, arm, participant and start."""
    who = (
        tr("participant {participant}", participant=plan.participant)
        if plan.participant
        else tr("no participant ID")
    )
    escalation = tr(", 1000 mg from {code}", code=plan.escalate_at) if plan.escalate_at else ""
    return (
        f"{plan.protocol.id} · {plan.arm.name}{escalation} · {who} · W1D1 {plan.start.isoformat()}"
    )


def about(plan: Plan, tr: Words = ENGLISH, count: bool = True) -> str:
    """The arm in words, how many infusions (when `count`), and the source."""
    if count:
        return tr(
            "{title}: {count} infusions. Source: {registry} registry text.",
            title=tr.sentence(plan.arm.title),
            count=len(plan.given),
            registry=plan.protocol.registry,
        )
    return tr(
        "{title}. Source: {registry} registry text.",
        title=tr.sentence(plan.arm.title),
        registry=plan.protocol.registry,
    )


def holiday_names(plan: Plan, tr: Words) -> dict[str, str]:
    """English holiday name -> its name in `tr`'s language, for this plan's days off (the
    `holidays` package's own translation, or a site file's name as it is)."""
    return local_names(plan.policy.site, plan.visits, tr)


def local_names(site: object, visits: Iterable[Visit], tr: Words) -> dict[str, str]:
    """English holiday name -> its name in `tr`'s language, for the days off of `visits`."""
    if not tr.chinese:
        return {}
    local = getattr(site, "local_name", None)  # SiteCalendar; another WorkingDays may lack it
    found: dict[str, str] = {}
    for visit in visits:
        reason = visit.non_working_reason
        if reason and reason != "weekend" and local is not None and reason not in found:
            found[reason] = local(visit.target, tr.lang) or reason
    return found


def reason_text(visit: Visit, tr: Words = ENGLISH, names: dict[str, str] | None = None) -> str:
    """Why the protocol date is not a working day: 'weekend' or the holiday's name."""
    reason = visit.non_working_reason or "not working"
    if not tr.chinese:
        return reason
    return (names or {}).get(reason) or tr.sentence(reason)


def notes(plan: Plan, tr: Words = ENGLISH) -> list[str]:
    """Sentences a reader must not miss: assumptions, provisional data, visits that need care."""
    lines = [note for period in plan.periods if (note := period_note(period, tr))]
    if plan.holidays_provisional:
        lines.append(tr(PROVISIONAL_NOTICE))
    is_tracked = tracked(plan)
    names = holiday_names(plan, tr)
    for visit in plan.visits:
        where = f"{visit.period} {visit.code}" if len(plan.periods) > 1 else str(visit.code)
        if overdue(plan, visit, is_tracked):
            closed = (
                tr("its day has passed (no window)")
                if visit.window_end is None
                else tr("its window closed on {date}", date=visit.window_end.isoformat())
            )
            lines.append(
                tr(
                    "{visit} ({date}): overdue: {closed}, nothing recorded.",
                    visit=where,
                    date=visit.date.isoformat(),
                    closed=closed,
                )
            )
        if visit.note:
            lines.append(
                tr(
                    "{visit} ({date}): {note}.",
                    visit=where,
                    date=visit.target.isoformat(),
                    note=tr.sentence(visit.note, names),
                )
            )
        elif visit.proposed is not None and not plan.policy.adjust:
            lines.append(
                tr(
                    "{visit} ({date}) is not a working day ({reason}): nearest working day in "
                    "the window is {proposed} (use --adjust to plan on it).",
                    visit=where,
                    date=visit.target.isoformat(),
                    reason=reason_text(visit, tr, names),
                    proposed=visit.proposed.isoformat(),
                )
            )
        elif visit.proposed is not None and visit.moved:
            lines.append(
                tr(
                    "{visit} moved from {date} ({reason}) to {moved}.",
                    visit=where,
                    date=visit.target.isoformat(),
                    reason=reason_text(visit, tr, names),
                    moved=visit.date.isoformat(),
                )
            )
    return lines


def window_text(visit: Visit) -> str:
    """The window as 'YYYY-MM-DD..YYYY-MM-DD', or '-' without one."""
    if visit.window is None:
        return "-"
    return f"{_iso(visit.window_start)}..{_iso(visit.window_end)}"


def day_text(visit: Visit, tr: Words = ENGLISH, names: dict[str, str] | None = None) -> str:
    """Working day, or why not, for tables."""
    if visit.working_day:
        return tr("working")
    return reason_text(visit, tr, names)


STATUSES = (N_("planned"), N_("done"), N_("missed"), N_("dropped"))


def record_text(visit: Visit, tr: Words = ENGLISH) -> str:
    """What happened: planned, missed, or done on a date with its deviation."""
    if visit.status != "done" or visit.actual is None:
        return tr(visit.status)
    deviation = visit.deviation_days or 0
    shift = tr("{days:+d} d", days=deviation) if deviation else tr("on time")
    inside = {
        True: tr(", in window"),
        False: tr(", OUTSIDE window"),
        None: "",
    }[visit.in_window]
    return tr(
        "done {date} ({shift}{inside})", date=visit.actual.isoformat(), shift=shift, inside=inside
    )


def label(visit: Visit, tr: Words = ENGLISH) -> str:
    """What is infused, in words ('MIL62 1000 mg or matching placebo' stays as blinded)."""
    return tr.sentence(visit.treatment.label)


def language(lang: str) -> Words:
    """The words of a presentation's language."""
    return words(lang)
