"""The words people read: titles, notes, window, working-day and record texts, shared by the
table, Markdown, month and calendar formats so they say the same thing the same way."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from mil62sched.i18n import ENGLISH, N_, Words, words
from mil62sched.messages import LITERAL, Listing, Localized, Message, msg
from mil62sched.messages import WEEKDAYS as ENGLISH_WEEKDAYS
from mil62sched.model.plan import Period, Plan, Visit
from mil62sched.model.protocol import period_start_column

UNBLINDED_NOTICE = N_("UNBLINDED: reveals the treatment assignment. Unblinded pharmacist only.")
PROVISIONAL_NOTICE = N_(
    "Holiday data provisional: no official adjusted-working-day schedule is installed for some "
    "years of this plan; check against the State Council notice or load it with --holidays. "
    "A year stops being provisional once the installed holidays package carries that year's "
    "State Council notice (its adjusted working days: a newer release of the package), or once "
    "a --holidays file has a row dated in that year (the file is then taken as the site's word "
    "for the whole year)."
)
# The same, short, for one calendar event's description.
PROVISIONAL_EVENT_NOTE = N_(
    "Holiday data provisional: the year's official schedule is not installed (until the package "
    "carries the year's State Council notice or --holidays has a row in that year)"
)


# A date a visit moved to (or would move to) that is a weekend day the site works in exchange
# for a holiday, so that nobody takes a Saturday for a mistake (issue 16).
MAKE_UP_DAY = N_("{date} ({weekday}, make-up working day)")


# The contracts' weekday names (CSV, JSON): the catalogue's English ones, by date.weekday();
# strftime("%A") is slow and follows the locale.
WEEKDAYS = ENGLISH_WEEKDAYS


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def visit_count(plan: Plan, tr: Words = ENGLISH) -> str:
    """How many infusions the plan gives, and other visits when it has some: `4 infusions`,
    `25 infusions, 1 other visit`."""
    given = plan.given
    infusions = sum(visit.kind == "infusion" for visit in given)
    others = len(given) - infusions
    if not others:
        return tr("{count} infusions", count=infusions)
    if others == 1:
        return tr("{infusions} infusions, {others} other visit", infusions=infusions, others=others)
    return tr("{infusions} infusions, {others} other visits", infusions=infusions, others=others)


def period_note(period: Period, tr: Words = ENGLISH) -> str | None:
    """The sentence saying a period's start was assumed, and how to give the real one."""
    if period.assumed_at is None:
        return None
    previous, code = period.assumed_at
    name = period.name
    return tr(
        "{name} start assumed: {previous} {code} (study day {day}), {date}; give the real one "
        "(--period-start {name}=DATE, or the roster's {column})",
        name=name,
        previous=previous,
        code=code,
        day=code.study_day,
        date=period.start.isoformat(),
        column=period_start_column(name),
    )


def tracked(plan: Plan) -> bool:
    """Whether the site records this participant's visits (any visit done or missed): only then
    can a planned visit whose window closed be called overdue rather than merely unrecorded."""
    return any(visit.status in ("done", "missed") for visit in plan.visits)


def untracked_note(participants: Sequence[str]) -> Message | None:
    """The agenda's sentence naming every participant with no recorded visit, whose past
    visits it does not flag (`tracked`); None when there is none."""
    if not participants:
        return None
    template = UNTRACKED_ONE if len(participants) == 1 else UNTRACKED_MANY
    return msg(template, count=len(participants), names=list(participants))


UNTRACKED_ONE = N_(
    "{count} participant has no recorded visits: their past visits are not flagged: {names}."
)
UNTRACKED_MANY = N_(
    "{count} participants have no recorded visits: their past visits are not flagged: {names}."
)


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


_STUDY_DATES_ADVICE = N_("dates move by amendment; check the protocol's current dates.")


def study_date_notes(plan: Plan) -> list[Message]:
    """A sentence for a W1D1 before the study start and one for visits after its completion
    date (registry data: a note, never an error, since dates move by amendment)."""
    protocol = plan.protocol
    lines = []
    if before_study_start(plan):
        assert protocol.study_start is not None
        lines.append(
            msg(
                N_(
                    "W1D1 {date} is before the study start {start} ({registry} registry): check "
                    "the start date, or the protocol's current dates."
                ),
                date=plan.start,
                start=protocol.study_start,
                registry=protocol.registry,
            )
        )
    late = [v for v in plan.given if after_study_completion(plan, v)]
    if late:
        assert protocol.study_completion is not None
        first = late[0]
        where = f"{first.period} {first.code}" if len(plan.periods) > 1 else str(first.code)
        count = msg(N_("{count} visits") if len(late) > 1 else N_("{count} visit"), count=len(late))
        lines.append(
            msg(
                N_(
                    "{count} after the study completion date {completion} ({registry} "
                    "registry), from {visit} ({date}): {advice}"
                ),
                count=count,
                completion=protocol.study_completion,
                registry=protocol.registry,
                visit=where,
                date=first.actual or first.date,
                advice=msg(_STUDY_DATES_ADVICE),
            )
        )
    return lines


def roster_study_dates(
    protocol_registry: str, completion: date | None, start: date | None, late: int, early: int
) -> Message | None:
    """One sentence for a whole roster: how many participants have visits after the study
    completion date, and how many a W1D1 before the study start; None when none do."""
    parts: list[Message] = []
    if late and completion is not None:
        parts.append(
            msg(
                N_("{count} participant(s) with visits after the study completion date {date}"),
                count=late,
                date=completion,
            )
        )
    if early and start is not None:
        said = (
            N_("{count} with W1D1 before the study start {date}")
            if parts
            else N_("{count} participant(s) with W1D1 before the study start {date}")
        )
        parts.append(msg(said, count=early, date=start))
    if not parts:
        return None
    return msg(
        N_("{parts} ({registry} registry): {advice}"),
        parts=Listing(parts, "and"),
        registry=protocol_registry,
        advice=msg(_STUDY_DATES_ADVICE),
    )


def make_up_day(plan: Plan, day: date) -> bool:
    """Whether the plan's site works `day` though it is a weekend day (a make-up working day,
    as the site calendar says: `DayStatus.make_up`); False without a working-day check."""
    site = plan.policy.site
    return site is not None and site.status(day).make_up


def moved_to(plan: Plan, day: date, tr: Words = ENGLISH) -> str:
    """The day a visit moved (or would move) to, for a note: its ISO date, and when it is a
    make-up working day, its weekday and that it is one ('2026-02-14 (Saturday, make-up working
    day)')."""
    if not make_up_day(plan, day):
        return day.isoformat()
    return tr(MAKE_UP_DAY, date=day.isoformat(), weekday=tr.weekday(day))


def title(plan: Plan, tr: Words = ENGLISH) -> str:
    """A one-line title naming protocol, arm, participant and start."""
    who = (
        tr("participant {participant}", participant=plan.participant)
        if plan.participant
        else tr("no participant ID")
    )
    escalation = tr(", 1000 mg from {code}", code=plan.escalate_at) if plan.escalate_at else ""
    trial = plan.protocol.id
    if plan.protocol.version is not None:  # a file that states none is named by its id alone
        trial = tr("{protocol} version {version}", protocol=trial, version=plan.protocol.version)
    return f"{trial} · {plan.arm.name}{escalation} · {who} · W1D1 {plan.start.isoformat()}"


def amendment_note(plan: Plan) -> Message | None:
    """The sentence saying from when a plan under an amendment follows the new version."""
    amendment = plan.amendment
    if amendment is None:
        return None
    old = amendment.replaced.version
    template = (
        N_(
            "Protocol version {new} from {date} ({source}); visits before it, and those recorded, "
            "follow version {old}."
        )
        if old is not None
        else N_(
            "Protocol version {new} from {date} ({source}); visits before it, and those recorded, "
            "follow the protocol it amends (no version stated)."
        )
    )
    source = msg(N_("re-consented") if amendment.reconsented else N_("the site's effective date"))
    new = plan.protocol.version or ""  # an amendment states its version (check_versions)
    return msg(template, new=new, date=amendment.switch, source=source, old=old or "")


def about(plan: Plan, tr: Words = ENGLISH, count: bool = True) -> str:
    """The arm in words, how many infusions (when `count`), and the source."""
    if count:
        return tr(
            "{title}: {visits}. Source: {registry} registry text.",
            title=tr.term(plan.arm.title),
            visits=visit_count(plan, tr),
            registry=plan.protocol.registry,
        )
    return tr(
        "{title}. Source: {registry} registry text.",
        title=tr.term(plan.arm.title),
        registry=plan.protocol.registry,
    )


# The names of the countries whose holidays the shipped protocol files use (CN, US); another
# country is said by its ISO code alone.
COUNTRY_NAMES = {"CN": N_("China"), "US": N_("United States")}


def holiday_country(plan: Plan) -> Message:
    """Whose public holidays the plan's working days follow: the country's code and name
    ("CN (China)"), its code alone, or that none are checked."""
    site = plan.policy.site
    country = None if site is None else site.country
    if country is None:
        return msg(N_("not checked (--no-holidays)"))
    name = COUNTRY_NAMES.get(country)
    if name is None:
        return msg(LITERAL, text=country)
    return msg(N_("{country} ({name})"), country=country, name=msg(name))


def holidays_used(plan: Plan) -> Message:
    """The header's line on whose holidays a plan follows ("Holidays: CN (China)"): a site file
    without `country` takes the protocol's, so the reader is told which (issue 16 #11)."""
    return msg(N_("Holidays: {country}"), country=holiday_country(plan))


NOT_WORKING = Localized(N_("not working"))


def reason_text(reason: Localized | None, tr: Words = ENGLISH) -> str:
    """Why a day is not a working day: 'weekend' or the holiday's name, in `tr`'s language
    (the reason's own word: the holidays package's name in Chinese)."""
    return tr.message(Message(LITERAL, {"text": reason or NOT_WORKING}))


def notes(plan: Plan, tr: Words = ENGLISH, *, provisional: bool = True) -> list[str]:
    """Sentences a reader must not miss: assumptions, provisional data, visits that need care.
    `provisional`: with the note on provisional holiday data (a roster says it once)."""
    lines = [note for period in plan.periods if (note := period_note(period, tr))]
    changed = amendment_note(plan)
    lines += [tr.message(changed)] if changed else []
    lines += [tr.message(note) for note in study_date_notes(plan)]
    if provisional and plan.holidays_provisional:
        lines.append(tr(PROVISIONAL_NOTICE))
    is_tracked = tracked(plan)
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
                    note=visit.note,
                )
            )
        elif visit.proposed is not None and not plan.policy.adjust:
            lines.append(
                tr(
                    "{visit} ({date}) is not a working day ({reason}): nearest working day in "
                    "the window is {proposed} (use --adjust to plan on it).",
                    visit=where,
                    date=visit.target.isoformat(),
                    reason=reason_text(visit.target_reason, tr),
                    proposed=moved_to(plan, visit.proposed, tr),
                )
            )
        elif visit.proposed is not None and visit.moved:
            lines.append(
                tr(
                    "{visit} moved from {date} ({reason}) to {moved}.",
                    visit=where,
                    date=visit.target.isoformat(),
                    reason=reason_text(visit.target_reason, tr),
                    moved=moved_to(plan, visit.date, tr),
                )
            )
    return lines


def window_text(visit: Visit) -> str:
    """The window as 'YYYY-MM-DD..YYYY-MM-DD', or '-' without one."""
    if visit.window is None:
        return "-"
    return f"{_iso(visit.window_start)}..{_iso(visit.window_end)}"


def day_text(visit: Visit, tr: Words = ENGLISH) -> str:
    """Working day, or why not, for tables."""
    if visit.working_day:
        return tr("working")
    return reason_text(visit.non_working_reason, tr)


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
    return tr.term(visit.treatment.label)


def language(lang: str) -> Words:
    """The words of a presentation's language."""
    return words(lang)
