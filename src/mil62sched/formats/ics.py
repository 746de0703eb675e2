"""iCalendar (RFC 5545): one event per infusion, for Outlook, Google, Apple and Thunderbird.

Events are all-day (DTSTART a plain date) unless a `Timing` asks for timed ones, which carry
their time zone as a VTIMEZONE so 09:00 stays 09:00 across daylight-saving changes.

UIDs are derived from protocol, participant, the blinded schedule name, period and visit code, so
re-importing the same plan updates its events instead of duplicating them, the arms of a blinded
schedule give identical UIDs, and different participants never collide. Unblinded calendars get
UIDs of their own (the same for both arms), so importing the pharmacist's calendar can never
overwrite the events of a blinded calendar with unblinded text.

UIDs use one canonical form of the participant ID, upper case, as the roster treats `ct303-0001`
and `CT303-0001` as one participant; the usual upper-case IDs keep the UIDs they always had.

A later export always wins over an earlier one in clients that follow RFC 5546 (2.1.5: the higher
SEQUENCE wins, then the later DTSTAMP). The tool keeps no state, so SEQUENCE is derived from the
export instant, which only grows: whole seconds since 2025-01-01T00:00:00Z (a 32-bit integer,
RFC 5545 3.3.8, until 2093), the same for every event of an export; DTSTAMP is that instant in
UTC. The instant is `Presentation.stamp` (SOURCE_DATE_EPOCH for a reproducible build, else the
clock; see commands/options.py). Exports of the earlier rule (SEQUENCE 0, 1 or 2) lose to any
export made since.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import IO, TYPE_CHECKING

from mil62sched import __version__
from mil62sched.formats import Format
from mil62sched.formats.presentation import PLAIN, Presentation, Timing, export_instant
from mil62sched.formats.wording import (
    PROVISIONAL_EVENT_NOTE,
    UNBLINDED_NOTICE,
    after_study_completion,
    before_study_start,
    holiday_names,
    label,
    language,
    moved_to,
    period_note,
    reason_text,
    record_text,
    window_text,
)
from mil62sched.i18n import ENGLISH, N_, Words
from mil62sched.model.codes import W1D1
from mil62sched.model.plan import Period, Plan, Visit
from mil62sched.model.protocol import Protocol

if TYPE_CHECKING:
    from icalendar import Calendar, Event, vCalAddress

# Fixed namespace for this tool's UIDs; changing it would duplicate every imported event.
UID_NAMESPACE = uuid.UUID("6f1d2c1e-4b8a-5f4e-9a62-0c3e7d303a62")
UID_DOMAIN = "mil62sched"


def uid(plan: Plan, visit: Visit) -> str:
    """A stable UID: the same for both arms of a blinded schedule, distinct per participant."""
    # Without an ID the start stands in; the space keeps it apart from every valid ID.
    # Upper case is the canonical form: participant IDs are ASCII (parse.check_participant), and
    # the upper-case IDs sites use keep the UIDs already imported.
    who = (
        plan.participant.upper()
        if plan.participant
        else f"no participant, start {plan.start.isoformat()}"
    )
    parts: tuple[str, ...] = (
        plan.protocol.id, who, visit.blinded_schedule, visit.period, str(visit.code),
    )  # fmt: skip
    if plan.unblinded:
        parts += ("unblinded",)
    return f"{uuid.uuid5(UID_NAMESPACE, '|'.join(parts))}@{UID_DOMAIN}"


# Events that will not take place: calendar apps show them cancelled (or remove them).
_CANCELLED = {"missed": N_("MISSED"), "dropped": N_("NOT GIVEN")}


# SEQUENCE counts seconds from here; moving it would make later exports lose to earlier ones.
SEQUENCE_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
LARGEST_SEQUENCE = 2**31 - 1  # RFC 5545 3.3.8: INTEGER is a signed 32-bit number


def sequence(stamp: datetime) -> int:
    """The SEQUENCE of every event exported at `stamp`: whole seconds since SEQUENCE_EPOCH, so
    a later export has the higher one.

    >>> sequence(datetime(2026, 1, 1, tzinfo=UTC))
    31536000
    """
    seconds = (stamp - SEQUENCE_EPOCH) // timedelta(seconds=1)
    return min(max(seconds, 0), LARGEST_SEQUENCE)


def export_stamp(presentation: Presentation) -> datetime:
    """The export instant in UTC, whole seconds: the presentation's stamp, else now."""
    if presentation.stamp is None:
        return export_instant(None)
    return presentation.stamp.astimezone(UTC).replace(microsecond=0)


def calendar_description(protocol: Protocol, tr: Words = ENGLISH) -> str | None:
    """X-WR-CALDESC: the protocol and the version the calendar follows; None when the file
    states no version (a calendar of such a file stays as it was)."""
    if protocol.version is None:
        return None
    return tr(
        "{protocol} ({registry}), protocol version {version}",
        protocol=protocol.id,
        registry=protocol.registry,
        version=protocol.version,
    )


def calendar_name(plan: Plan, who: str | None = None, tr: Words = ENGLISH) -> str:
    """The calendar's display name; loud when the calendar is unblinded."""
    who = who or plan.participant or f"W1D1 {plan.start.isoformat()}"
    name = f"{plan.protocol.id} {plan.arm.name} {who}"
    return tr("UNBLINDED {name}", name=name) if plan.unblinded else name


def new_calendar(
    name: str, presentation: Presentation = PLAIN, description: str | None = None
) -> Calendar:
    """An empty calendar with this tool's PRODID and a display name. It is a METHOD:PUBLISH
    calendar only when the site gives an e-mail address, which every event then names as its
    ORGANIZER (RFC 5546 3.2.1 requires one); without it, a plain RFC 5545 calendar that every
    client imports."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", f"-//mil62sched//mil62sched {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if _organizer(presentation) is not None:
        calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    if description is not None:
        calendar.add("x-wr-caldesc", description)
    return calendar


def _organizer(presentation: Presentation) -> vCalAddress | None:
    """The events' ORGANIZER: the site's e-mail address with its name, when the site has one."""
    contact = presentation.contact
    if contact is None or not contact.email:
        return None
    from icalendar import vCalAddress

    organizer = vCalAddress(f"mailto:{contact.email}")
    organizer.params["cn"] = contact.name
    return organizer


def events(plan: Plan, presentation: Presentation = PLAIN) -> list[Event]:
    """One event per infusion of the plan."""
    stamp = export_stamp(presentation)
    return [_event(plan, visit, stamp, presentation) for visit in plan.visits]


def finish(calendar: Calendar, first: date, last: date) -> str:
    """The calendar as text, with a VTIMEZONE for every zone its events use, covering the
    years from `first` to `last`."""
    add_timezones(calendar, first, last)
    text: str = calendar.to_ical().decode("utf-8")
    return text


def add_timezones(calendar: Calendar, first: date, last: date) -> None:
    """VTIMEZONEs for the zones the events use, one RDATE per line.

    icalendar lists a rule's change dates as one comma-separated RDATE; that is valid RFC 5545,
    but some readers (vobject 0.9) keep only the first date and so put every later summer an hour
    off. One date per RDATE line reads the same everywhere.
    """
    start = date(max(first.year - 1, 1), 1, 1)
    if last.year < 9998:
        calendar.add_missing_timezones(first_date=start, last_date=date(last.year + 2, 1, 1))
    else:
        # icalendar looks a few weeks past the end it is given; at the end of the calendar that
        # overflows, so end as late as it allows (transitions after that date are not listed).
        for month in range(12, 0, -1):
            try:
                calendar.add_missing_timezones(first_date=start, last_date=date(9999, month, 1))
                break
            except OverflowError:
                continue
    for zone in calendar.walk("VTIMEZONE"):
        for rule in zone.subcomponents:
            dates = rule.get("RDATE")
            if dates is None:
                continue
            lists = dates if isinstance(dates, list) else [dates]
            single = [moment.dt for group in lists for moment in group.dts]
            del rule["RDATE"]
            for moment in single:
                rule.add("rdate", moment)


def render(plan: Plan, presentation: Presentation = PLAIN) -> str:
    """The plan as an iCalendar text with CRLF line endings."""
    tr = language(presentation.lang)
    described = calendar_description(plan.protocol, tr)
    calendar = new_calendar(calendar_name(plan, tr=tr), presentation, described)
    for event in events(plan, presentation):
        calendar.add_component(event)
    days = [v.actual or v.date for v in plan.visits]
    return finish(calendar, min(days), max(days))


def _event(plan: Plan, visit: Visit, stamp: datetime, presentation: Presentation) -> Event:
    from icalendar import Alarm, Event

    tr = language(presentation.lang)
    who = f"{plan.participant} " if plan.participant else ""
    loud = tr("UNBLINDED ") if plan.unblinded else ""
    code = f"{visit.period} {tr.code(visit.code)}" if len(plan.periods) > 1 else tr.code(visit.code)
    summary = tr(
        "{loud}{who}{code} infusion: {label}", loud=loud, who=who, code=code, label=label(visit, tr)
    )
    if visit.kind != "infusion":  # no treatment to name
        summary = tr(
            "{loud}{who}{code} {kind} visit", loud=loud, who=who, code=code, kind=tr(visit.kind)
        )
    if visit.status == "done":
        summary += tr(" (done)")
    elif visit.status in _CANCELLED:
        summary = f"{tr(_CANCELLED[visit.status])} {summary}"
    event = Event()
    event.add("uid", uid(plan, visit))
    event.add("dtstamp", stamp)
    event.add("sequence", sequence(stamp))
    day = visit.actual or visit.date
    if presentation.timing is None:
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        start, end = _timed(day, presentation.timing)
        event.add("dtstart", start)
        event.add("dtend", end)
    event.add("summary", summary)
    event.add("description", "\n".join(_description(plan, visit, tr)))
    organizer = _organizer(presentation)
    if organizer is not None:
        event.add("organizer", organizer)
    if visit.status in _CANCELLED:
        event.add("status", "CANCELLED")
    for before in presentation.reminders:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", -before)
        event.add_component(alarm)
    return event


def _timed(day: date, timing: Timing) -> tuple[datetime, datetime]:
    """Local start and end: wall-clock arithmetic, so 09:00 stays 09:00 whatever the offset."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timing.zone)
    start = datetime.combine(day, timing.start, tzinfo=zone)
    return start, start + timing.duration


def _study_dates(plan: Plan, visit: Visit, period: Period, tr: Words = ENGLISH) -> list[str]:
    """The event's line about the registry's study dates: on the first W1D1 when it is before
    the study start, on a visit after the study completion date."""
    protocol = plan.protocol
    lines = []
    first = period is plan.periods[0] and visit.code == W1D1
    if first and before_study_start(plan) and protocol.study_start is not None:
        lines.append(
            tr(
                "Before the study start {date} ({registry} registry): check the start date, or "
                "the protocol's current dates",
                date=protocol.study_start.isoformat(),
                registry=protocol.registry,
            )
        )
    if after_study_completion(plan, visit) and protocol.study_completion is not None:
        lines.append(
            tr(
                "After the study completion date {date} ({registry} registry): check the "
                "protocol's current dates",
                date=protocol.study_completion.isoformat(),
                registry=protocol.registry,
            )
        )
    return lines


def _description(plan: Plan, visit: Visit, tr: Words = ENGLISH) -> list[str]:
    period = next(p for p in plan.periods if p.name == visit.period)
    # A journey's periods each have their own W1D1: name the one this visit counts from.
    first = f"{period.name} W1D1" if len(plan.periods) > 1 else "W1D1"
    names = holiday_names(plan, tr)
    lines = [
        tr(
            "Study day {day} ({code}) of {protocol} ({registry}), {period}",
            day=visit.study_day,
            code=tr.code(visit.code),
            protocol=plan.protocol.id,
            registry=plan.protocol.registry,
            period=tr.sentence(visit.period),
        ),
        tr("Arm: {arm} ({title})", arm=plan.arm.name, title=tr.sentence(plan.arm.title)),
        tr("Participant: {participant}", participant=plan.participant or tr("not given")),
        tr("{first}: {date}", first=first, date=period.start.isoformat()),
        tr("Infusion: {label}", label=label(visit, tr))
        if visit.kind == "infusion"
        else tr("Visit: {kind}", kind=tr(visit.kind)),
    ]
    if visit.window is not None:
        days = tr.sentence(str(visit.window))
        lines.append(tr("Window: {dates} ({days})", dates=window_text(visit), days=days))
    if visit.moved:
        lines.append(tr("Protocol date: {date}", date=visit.target.isoformat()))
    if not visit.target_working and not visit.note:  # a note already says why
        proposal = (
            tr("; nearest working day {date}", date=moved_to(plan, visit.proposed, tr))
            if visit.proposed
            else ""
        )
        lines.append(
            tr(
                "Not a working day on {date}: {reason}{proposal}",
                date=visit.target.isoformat(),
                reason=reason_text(visit.target_reason, tr, names),
                proposal=proposal,
            )
        )
    if visit.holidays_provisional:
        lines.append(tr(PROVISIONAL_EVENT_NOTE))
    version = plan.version_of(visit)
    if version is not None:
        lines.append(tr("Protocol version: {version}", version=version))
    lines += _study_dates(plan, visit, period, tr)
    note = period_note(period, tr)
    if period.assumed and note:
        lines.append(note)
    if visit.note:
        lines.append(tr("Note: {note}", note=tr.sentence(visit.note, names)))
    if visit.status != "planned":
        lines.append(tr("Record: {record}", record=record_text(visit, tr)))
    if plan.unblinded:
        lines.insert(0, tr(UNBLINDED_NOTICE))
    return lines


def write_many(plans: Iterable[Plan], presentation: Presentation, stream: IO[str]) -> None:
    """One calendar of every plan's events, written event by event (a roster may be large).

    The calendar's properties and any VTIMEZONE come first, so clients meet the zone before the
    events that use it; each event's UID is the one `plan` gives the same participant.
    """
    from icalendar import Event

    head = new_calendar(presentation.heading or "roster", presentation)
    if presentation.timing is not None:
        sample = Event()
        sample.add("dtstart", _timed(date(2000, 1, 3), presentation.timing)[0])
        head.add_component(sample)
        add_timezones(head, date(1970, 1, 1), date(2100, 1, 1))
        head.subcomponents = [c for c in head.subcomponents if c.name == "VTIMEZONE"]
    text = head.to_ical().decode("utf-8")
    stream.write(text[: text.rindex("END:VCALENDAR")])
    shown = presentation._replace(stamp=export_stamp(presentation))  # one instant for all
    for plan in plans:
        for event in events(plan, shown):
            stream.write(event.to_ical().decode("utf-8"))
    stream.write("END:VCALENDAR\r\n")


FORMAT = Format(
    name="ics",
    extensions=(".ics",),
    render=render,
    write_roster=write_many,
    named=True,
    timed=True,
)
