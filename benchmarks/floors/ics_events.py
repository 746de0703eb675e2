"""Floor of `mil62sched roster ROSTER --format ics -o OUT`: icalendar building the same events
(each property added with `Component.add`, from the same values) and writing them one at a time,
under the same calendar head, as the tool streams.

The values are the tool's own, read back from its file (REFERENCE) with icalendar, untimed;
only building and writing the calendar is timed, and reported as `<wall s> <CPU s>` on the last
line of stdout.

    python floors/ics_events.py REFERENCE OUT
"""

import sys
import time
from typing import Any

import icalendar

Part = tuple[str, list[tuple[str, Any]], list[Any]]  # name, properties, subcomponents
KINDS = {
    "VCALENDAR": icalendar.Calendar,
    "VEVENT": icalendar.Event,
    "VALARM": icalendar.Alarm,
    "VTIMEZONE": icalendar.Timezone,
    "STANDARD": icalendar.TimezoneStandard,
    "DAYLIGHT": icalendar.TimezoneDaylight,
}


def values(component: icalendar.cal.Component) -> Part:
    """A component's name, its properties' decoded values in order, and its subcomponents'."""
    found = []
    for name in component:
        value = component[name]
        for one in value if isinstance(value, list) else [value]:
            found.append((name, one.dt if hasattr(one, "dt") else component.decoded(name)))
    return component.name, found, [values(part) for part in component.subcomponents]


def build(part: Part) -> icalendar.cal.Component:
    """The component of `part`, built property by property."""
    name, properties, subcomponents = part
    component = KINDS[name]()
    for key, value in properties:
        component.add(key, value)
    for sub in subcomponents:
        component.add_component(build(sub))
    return component


def main(reference: str, out: str) -> None:
    with open(reference, "rb") as stream:
        calendar = icalendar.Calendar.from_ical(stream.read())
    head = values(calendar)
    events = head[2]
    head = (head[0], head[1], [part for part in events if part[0] != "VEVENT"])
    events = [part for part in events if part[0] == "VEVENT"]
    wall_began, cpu_began = time.perf_counter(), time.process_time()
    with open(out, "w", encoding="utf-8", newline="") as target:
        text = build(head).to_ical().decode("utf-8")
        target.write(text[: text.rindex("END:VCALENDAR")])
        for event in events:
            target.write(build(event).to_ical().decode("utf-8"))
        target.write("END:VCALENDAR\r\n")
    print(f"{time.perf_counter() - wall_began:.6f} {time.process_time() - cpu_began:.6f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
