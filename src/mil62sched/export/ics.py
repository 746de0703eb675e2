"""iCalendar (RFC 5545): one all-day event per infusion, for Outlook, Google, Apple, Thunderbird.

UIDs are derived from protocol, participant, the blinded schedule name, period and visit code, so
re-importing the same plan updates its events instead of duplicating them, the arms of a blinded
schedule give identical UIDs, and different participants never collide. Unblinded calendars get
UIDs of their own (the same for both arms), so importing the pharmacist's calendar can never
overwrite the events of a blinded calendar with unblinded text.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from mil62sched import __version__
from mil62sched.engine import Plan, Visit
from mil62sched.export.fields import UNBLINDED_NOTICE

# Fixed namespace for this tool's UIDs; changing it would duplicate every imported event.
UID_NAMESPACE = uuid.UUID("6f1d2c1e-4b8a-5f4e-9a62-0c3e7d303a62")
UID_DOMAIN = "mil62sched"


def uid(plan: Plan, visit: Visit) -> str:
    """A stable UID: the same for both arms of a blinded schedule, distinct per participant."""
    # Without an ID the start stands in; the space keeps it apart from every valid ID.
    who = plan.participant or f"no participant, start {plan.start.isoformat()}"
    parts: tuple[str, ...] = (
        plan.protocol.id,
        who,
        plan.schedule.blinded_name,
        visit.period,
        str(visit.code),
    )
    if plan.unblinded:
        parts += ("unblinded",)
    key = "|".join(parts)
    return f"{uuid.uuid5(UID_NAMESPACE, key)}@{UID_DOMAIN}"


def calendar_name(plan: Plan) -> str:
    """The calendar's display name; loud when the calendar is unblinded."""
    who = plan.participant or f"W1D1 {plan.start.isoformat()}"
    name = f"{plan.protocol.id} {plan.schedule.name} {who}"
    return f"UNBLINDED {name}" if plan.unblinded else name


def render(plan: Plan, *, styled: bool = False, stamp: datetime | None = None) -> str:
    """The plan as an iCalendar text with CRLF line endings."""
    stamp = stamp or datetime.now(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", f"-//mil62sched//mil62sched {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", calendar_name(plan))
    calendar.add("x-wr-calname", calendar_name(plan))
    for visit in plan.visits:
        calendar.add_component(_event(plan, visit, stamp))
    text: str = calendar.to_ical().decode("utf-8")
    return text


def _event(plan: Plan, visit: Visit, stamp: datetime) -> Event:
    who = f"{plan.participant} " if plan.participant else ""
    loud = "UNBLINDED " if plan.unblinded else ""
    description = [
        f"Study day {visit.study_day} ({visit.code}) of {plan.protocol.id}"
        f" ({plan.protocol.registry})",
        f"Arm: {plan.schedule.name} ({plan.schedule.title})",
        f"Participant: {plan.participant or 'not given'}",
        f"W1D1: {plan.start.isoformat()}",
        f"Infusion: {visit.treatment.label}",
    ]
    if plan.unblinded:
        description.insert(0, UNBLINDED_NOTICE)
    event = Event()
    event.add("uid", uid(plan, visit))
    event.add("dtstamp", stamp)
    event.add("dtstart", visit.date)
    event.add("dtend", visit.date + timedelta(days=1))
    event.add("summary", f"{loud}{who}{visit.code} infusion: {visit.treatment.label}")
    event.add("description", "\n".join(description))
    event.add("transp", "TRANSPARENT")
    return event
