"""Timed calendar events, reminders and calendar updates (issue 3, parts 5 and 6).

Every calendar is read back by icalendar (which wrote it) and by vobject with validation (an
independent strict parser). US daylight saving in 2024 (America/New_York): clocks went forward
on Sun 2024-03-10 (EST -05:00 -> EDT -04:00) and back on Sun 2024-11-03 (EDT -> EST); in 2025
forward on Sun 2025-03-09. 09:00 local must stay 09:00 on both sides, so its UTC time moves.

Dates: start Mon 2024-02-26 -> W3D1 = +14 = Mon 2024-03-11 (after the March change); W25D1 = +168:
Feb 29 (+3), Mar 31 (+34), Apr 30 (+64), May 31 (+95), Jun 30 (+125), Jul 31 (+156), +12 ->
2024-08-12; W27D1 = 2024-08-26. Start Mon 2024-10-28 -> W3D1 = Mon 2024-11-11 (after the November
change); W25D1 = +168: Oct 31 (+3), Nov 30 (+33), Dec 31 (+64), Jan 31 (+95), Feb 28 (+123),
Mar 31 (+154), +14 -> 2025-04-14 (after 2025-03-09: EDT); W27D1 = 2025-04-28.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta
from typing import Any

import icalendar
import pytest
import vobject
import vobject.icalendar
from dateutil import tz as dateutil_tz

from tests.conftest import ROOT, Run, error_line, normalise_dtstamp, without_study_dates

TODAY = "2026-01-01"
EST, EDT = timedelta(hours=-5), timedelta(hours=-4)
NY = ("--time", "09:00", "--tz", "America/New_York")


def ics(run: Run, *extra: str, arm: str = "phase3-rcp", start: str = "2024-01-01") -> str:
    result = run(
        "plan", "--arm", arm, "--start", start, "--participant", "P001", "--format", "ics", *extra
    )
    assert result.exit_code == 0, result.stderr
    assert without_study_dates(result.stderr) == ""  # issue 9 #12: those warn, on purpose
    return result.stdout


def unfold(text: str) -> str:
    """RFC 5545 3.1: join folded lines; LF line ends."""
    return text.replace("\r\n ", "").replace("\r\n", "\n")


def read_icalendar(text: str) -> dict[str, Any]:
    """icalendar's events by visit code (from the summary)."""
    calendar = icalendar.Calendar.from_ical(text)
    return {_code(str(e["SUMMARY"])): e for e in calendar.walk("VEVENT")}


def read_vobject(text: str) -> tuple[Any, dict[str, Any]]:
    """vobject's calendar (validated) and events by visit code.

    vobject keeps a process-wide TZID -> tzinfo map and does not replace an entry once made, so
    the zones of this text are forgotten first: each calendar is judged by its own VTIMEZONE.
    """
    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in re.findall(r"^TZID:(.+?)\r?$", text, flags=re.MULTILINE):
        registry.pop(tzid, None)
    calendar = vobject.readOne(text, validate=True)
    return calendar, {_code(e.summary.value): e for e in calendar.vevent_list}


def _code(summary: str) -> str:
    match = re.search(r"\b((?:RCP|OLP) )?(W[0-9]+D[0-9])\b", summary)
    assert match is not None, summary
    return (match[1] or "").replace(" ", ":") + match[2]


def vevents(text: str) -> dict[str, str]:
    """Each VEVENT block (DTSTAMP normalised, unfolded) by UID."""
    blocks = re.findall(r"BEGIN:VEVENT\n.*?END:VEVENT\n", unfold(normalise_dtstamp(text)), re.S)
    found = {}
    for block in blocks:
        uid = re.search(r"^UID:(.*)$", block, re.M)
        assert uid is not None
        found[uid[1]] = block
    return found


def field(block: str, name: str) -> str:
    match = re.search(rf"^{name}[;:](.*)$", block, re.M)
    assert match is not None, (name, block)
    return match[1]


def sequence(block: str) -> int:
    return int(field(block, "SEQUENCE"))


# --- timed events across daylight saving --------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (
            "2024-02-26",
            {
                "W1D1": (date(2024, 2, 26), EST),
                "W3D1": (date(2024, 3, 11), EDT),
                "W25D1": (date(2024, 8, 12), EDT),
                "W27D1": (date(2024, 8, 26), EDT),
            },
        ),
        (
            "2024-10-28",
            {
                "W1D1": (date(2024, 10, 28), EDT),
                "W3D1": (date(2024, 11, 11), EST),
                "W25D1": (date(2025, 4, 14), EDT),
                "W27D1": (date(2025, 4, 28), EDT),
            },
        ),
    ],
)
def test_0900_new_york_holds_across_dst_in_icalendar(
    run: Run, start: str, expected: dict[str, tuple[date, timedelta]]
) -> None:
    events = read_icalendar(ics(run, *NY, start=start))
    assert set(events) == set(expected)
    for code, (day, offset) in expected.items():
        begin, end = events[code]["DTSTART"].dt, events[code]["DTEND"].dt
        assert (begin.date(), begin.time(), begin.utcoffset()) == (day, time(9, 0), offset), code
        # 09:00 at -05:00 is 14:00 UTC; at -04:00 it is 13:00 UTC.
        assert begin.astimezone(dateutil_tz.UTC).hour == (14 if offset == EST else 13)
        assert end - begin == timedelta(hours=3)  # the default placeholder length
        assert end.time() == time(12, 0)


def test_timed_events_name_their_zone_and_carry_a_vtimezone(run: Run) -> None:
    text = unfold(ics(run, *NY, start="2024-02-26"))
    assert text.count("BEGIN:VTIMEZONE\n") == 1
    assert "\nTZID:America/New_York\n" in text
    assert "DTSTART;TZID=America/New_York:20240226T090000\n" in text
    assert "DTSTART;TZID=America/New_York:20240311T090000\n" in text
    assert "DTEND;TZID=America/New_York:20240311T120000\n" in text
    assert "VALUE=DATE" not in text


@pytest.mark.parametrize("start", ["2024-02-26", "2024-10-28"])
def test_timed_events_read_by_vobject_at_0900_local(run: Run, start: str) -> None:
    calendar, events = read_vobject(ics(run, *NY, start=start))
    assert calendar.vtimezone.tzid.value == "America/New_York"
    for event in events.values():
        begin = event.dtstart.value
        assert isinstance(begin, datetime)
        assert begin.tzinfo is not None
        assert begin.time() == time(9, 0)
        assert event.dtend.value - begin == timedelta(hours=3)


def _vtimezone_offsets(text: str, moments: list[datetime]) -> list[timedelta | None]:
    """UTC offsets that the calendar's own VTIMEZONE gives (read by dateutil's tzical)."""
    block = re.search(r"BEGIN:VTIMEZONE\n.*?END:VTIMEZONE\n", unfold(text), re.S)
    assert block is not None
    zone = dateutil_tz.tzical(io.StringIO(re.sub(r"^COMMENT:.*\n", "", block[0], flags=re.M)))
    return [zone.get().utcoffset(moment) for moment in moments]


def test_the_vtimezone_itself_gives_the_right_offsets(run: Run) -> None:
    # Read the VTIMEZONE independently of both libraries' own zone data: 09:00 on each visit
    # day is EST before 2024-03-10 and after 2024-11-03, EDT between.
    text = ics(run, *NY, start="2024-02-26")
    moments = [datetime(2024, 2, 26, 9), datetime(2024, 3, 11, 9), datetime(2024, 11, 11, 9)]
    assert _vtimezone_offsets(text, moments) == [EST, EDT, EST]


# vobject 0.9.9 keeps only the first date of a comma-separated RDATE (DaylightOrStandard has no
# RDATE behaviour, so TextBehavior keeps the text before the first comma): the VTIMEZONE must
# give one RDATE per line, or every later summer is read an hour off.
@pytest.mark.parametrize(
    ("start", "offsets"),
    [
        ("2024-02-26", {"W1D1": EST, "W3D1": EDT, "W25D1": EDT, "W27D1": EDT}),
        ("2024-10-28", {"W1D1": EDT, "W3D1": EST, "W25D1": EDT, "W27D1": EDT}),
        # 2045, after the 1970-2038 span that icalendar's VTIMEZONEs used to cover. 2045-01-01
        # is a Sunday: 2024-01-01 (Mon) + 21 years with 6 leap days (2024, 2028, ..., 2044) is
        # +27 days of weekday, i.e. +6. So Feb 1 is a Wednesday, Mar 1 a Wednesday, and the
        # second Sunday of March (EDT from 02:00) is 2045-03-12; Nov 1 is a Wednesday, so the
        # first Sunday of November (EST again) is 2045-11-05. Start Mon 2045-02-27 (Feb 1 + 26):
        # W3D1 = Mon 03-13, the day after the change; W25D1 = +168: Feb 28 (+1), Mar 31 (+32),
        # Apr 30 (+62), May 31 (+93), Jun 30 (+123), Jul 31 (+154), +14 -> 2045-08-14;
        # W27D1 = 2045-08-28.
        ("2045-02-27", {"W1D1": EST, "W3D1": EDT, "W25D1": EDT, "W27D1": EDT}),
    ],
)
def test_0900_new_york_holds_across_dst_in_vobject(
    run: Run, start: str, offsets: dict[str, timedelta]
) -> None:
    _, events = read_vobject(ics(run, *NY, start=start))
    assert {code: e.dtstart.value.utcoffset() for code, e in events.items()} == offsets
    assert {e.dtstart.value.time() for e in events.values()} == {time(9, 0)}


def test_vtimezone_lists_one_rdate_per_line(run: Run) -> None:
    text = unfold(ics(run, *NY, start="2024-10-28"))
    rdates = re.findall(r"^RDATE[;:](.*)$", text, re.M)
    assert rdates  # the zone does change: 2024-11-03, 2025-03-09, ...
    assert [value for value in rdates if "," in value] == []


def test_the_vtimezone_covers_a_plan_after_2038(run: Run) -> None:
    # The 2045 plan above, read by dateutil from the calendar's own VTIMEZONE: 09:00 on
    # 2045-02-27 is EST, on 2045-03-13 and 2045-08-14 EDT, and on 2045-11-06 (the Monday after
    # the 2045-11-05 change) EST again.
    text = ics(run, *NY, start="2045-02-27")
    assert "DTSTART;TZID=America/New_York:20450814T090000\n" in unfold(text)
    moments = [datetime(2045, 2, 27, 9), datetime(2045, 3, 13, 9), datetime(2045, 8, 14, 9)]
    moments.append(datetime(2045, 11, 6, 9))
    assert _vtimezone_offsets(text, moments) == [EST, EDT, EDT, EST]


def test_the_vtimezone_covers_a_plan_in_the_last_year_of_the_calendar(run: Run) -> None:
    # The Gregorian calendar repeats every 400 years, so 9999 has 1999's weekdays: Jan 1 a
    # Friday (2000-01-01 was a Saturday), Mar 1 a Monday -> second Sunday of March 9999-03-14;
    # Nov 1 a Monday -> first Sunday of November 9999-11-07. Start Mon 9999-01-04: W3D1 01-18
    # (EST); W25D1 = +168: Jan 31 (+27), Feb 28 (+55), Mar 31 (+86), Apr 30 (+116),
    # May 31 (+147), +21 -> 9999-06-21 (EDT); W27D1 = 9999-07-05 (EDT).
    _, events = read_vobject(ics(run, *NY, start="9999-01-04"))
    assert {code: e.dtstart.value.utcoffset() for code, e in events.items()} == {
        "W1D1": EST,
        "W3D1": EST,
        "W25D1": EDT,
        "W27D1": EDT,
    }


def test_time_without_tz_uses_the_site_zone_asia_shanghai(run: Run) -> None:
    text = ics(run, "--time", "08:30", start="2024-01-01")
    assert "\nTZID:Asia/Shanghai\n" in unfold(text)
    assert "DTSTART;TZID=Asia/Shanghai:20240115T083000\n" in unfold(text)
    events = read_icalendar(text)
    assert events["W3D1"]["DTSTART"].dt.utcoffset() == timedelta(hours=8)  # no DST in China
    _, vevents_ = read_vobject(text)
    begin = vevents_["W3D1"].dtstart.value
    assert (begin.time(), begin.utcoffset()) == (time(8, 30), timedelta(hours=8))


@pytest.mark.parametrize(("typed", "end"), [("90m", time(10, 30)), ("1h30m", time(10, 30))])
def test_duration(run: Run, typed: str, end: time) -> None:
    events = read_icalendar(ics(run, *NY, "--duration", typed, start="2024-02-26"))
    assert {e["DTEND"].dt.time() for e in events.values()} == {end}


def test_without_time_events_are_all_day(run: Run) -> None:
    text = unfold(ics(run, start="2024-01-01"))
    assert "DTSTART;VALUE=DATE:20240115\n" in text
    assert "DTEND;VALUE=DATE:20240116\n" in text
    assert "VTIMEZONE" not in text


def test_done_visit_is_timed_on_its_actual_day(run: Run) -> None:
    events = read_icalendar(
        ics(run, *NY, "--actual", "W3D1=2024-03-12", "--today", TODAY, start="2024-02-26")
    )
    begin = events["W3D1"]["DTSTART"].dt
    assert (begin.date(), begin.time(), begin.utcoffset()) == (date(2024, 3, 12), time(9), EDT)


# --- reminders ----------------------------------------------------------------------------------


def test_reminders_are_display_alarms_before_each_event(run: Run) -> None:
    text = ics(run, *NY, "--remind", "1d", "--remind", "2h", start="2024-02-26")
    for block in vevents(text).values():
        alarms = re.findall(r"BEGIN:VALARM\n(.*?)END:VALARM\n", block, re.S)
        assert len(alarms) == 2
        assert [field(a, "TRIGGER") for a in alarms] == ["-P1D", "-PT2H"]
        assert {field(a, "ACTION") for a in alarms} == {"DISPLAY"}
        assert all(field(a, "DESCRIPTION") for a in alarms)  # required for DISPLAY (RFC 5545)
    _, events = read_vobject(text)
    for event in events.values():
        triggers = [c.trigger.value for c in event.components() if c.name == "VALARM"]
        assert triggers == [timedelta(days=-1), timedelta(hours=-2)]
    for event in read_icalendar(text).values():
        assert [a["TRIGGER"].dt for a in event.walk("VALARM")] == [
            timedelta(days=-1),
            timedelta(hours=-2),
        ]


def test_reminder_in_minutes(run: Run) -> None:
    text = ics(run, "--remind", "90m", start="2024-01-01")
    assert "TRIGGER:-PT1H30M\n" in unfold(text)


def test_no_reminder_no_alarm(run: Run) -> None:
    assert "VALARM" not in ics(run, *NY, start="2024-02-26")


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--time", "25:00"), "invalid --time '25:00': use HH:MM on the 24-hour clock, e.g. 09:00"),
        (("--time", "24:00"), "invalid --time '24:00': use HH:MM on the 24-hour clock, e.g. 09:00"),
        (("--time", "9am"), "invalid --time '9am': use HH:MM on the 24-hour clock, e.g. 09:00"),
        (("--time", "09:60"), "invalid --time '09:60': use HH:MM on the 24-hour clock, e.g. 09:00"),
        (
            ("--time", "09:00", "--tz", "Mars/Base"),
            "unknown time zone 'Mars/Base': use an IANA name such as Asia/Shanghai or "
            "America/New_York",
        ),
        (
            ("--tz", "America/New_York"),
            "--tz and --duration apply to timed events: give --time HH:MM too",
        ),
        (("--duration", "2h"), "--tz and --duration apply to timed events: give --time HH:MM too"),
        (
            ("--time", "09:00", "--duration", "0m"),
            "invalid --duration '0m': must be longer than zero",
        ),
        (
            ("--remind", "soon"),
            "invalid --remind 'soon': use a number of days, hours and minutes such as 1d, 2h, "
            "90m or 1h30m",
        ),
        (
            ("--remind", "-1d"),
            "invalid --remind '-1d': use a number of days, hours and minutes such as 1d, 2h, "
            "90m or 1h30m",
        ),
        (("--remind", "0h"), "invalid --remind '0h': must be longer than zero"),
    ],
)
def test_bad_timing_options_are_refused(run: Run, args: tuple[str, ...], message: str) -> None:
    result = run("plan", "--arm", "phase3-rcp", "--start", "2024-01-01", "--format", "ics", *args)
    assert error_line(result) == message


# --- calendar updates ---------------------------------------------------------------------------
# SEQUENCE is the export instant (seconds since 2025-01-01T00:00:00Z) and DTSTAMP the same instant,
# so a later export wins in every client that follows RFC 5546; the tests fix both instants with
# SOURCE_DATE_EPOCH: 2026-01-01T00:00:00Z (SEQUENCE 365 * 86400 = 31536000) and a minute later.

FIRST, LATER = "1767225600", "1767225660"
FIRST_SEQUENCE, LATER_SEQUENCE = 31536000, 31536060


def exported(monkeypatch: pytest.MonkeyPatch, at: str, run: Run, *extra: str, **plan: str) -> str:
    """`ics(run, *extra, **plan)` exported at the instant `at` (SOURCE_DATE_EPOCH)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", at)
    return ics(run, *extra, **plan)


def _without_sequence(block: str) -> str:
    return re.sub(r"^SEQUENCE:\d+\n", "", block, flags=re.M)


def assert_update(before: str, after: str, changed: set[str]) -> dict[str, tuple[str, str]]:
    """Same UIDs; every event of the later export has the higher SEQUENCE (it wins); the changed
    events (by code) differ, the rest are identical apart from SEQUENCE (and DTSTAMP)."""
    old, new = vevents(before), vevents(after)
    assert set(old) == set(new)
    by_code = {_code(field(block, "SUMMARY")): uid for uid, block in old.items()}
    for code, uid in by_code.items():
        assert sequence(new[uid]) > sequence(old[uid]), (code, old[uid], new[uid])
        if code in changed:
            assert _without_sequence(old[uid]) != _without_sequence(new[uid]), code
        else:
            assert _without_sequence(old[uid]) == _without_sequence(new[uid]), code
    return {code: (old[uid], new[uid]) for code, uid in by_code.items()}


@pytest.mark.parametrize("timing", [(), NY])
def test_reexport_after_an_actual_date_updates_only_that_event(
    run: Run, monkeypatch: pytest.MonkeyPatch, timing: tuple[str, ...]
) -> None:
    before = exported(monkeypatch, FIRST, run, *timing, "--today", TODAY)
    after = exported(
        monkeypatch, LATER, run, *timing, "--actual", "W3D1=2024-01-18", "--today", TODAY
    )
    pairs = assert_update(before, after, {"W3D1"})
    assert "20240118" in field(pairs["W3D1"][1], "DTSTART")  # the event moved to the actual day
    assert "20240115" in field(pairs["W3D1"][0], "DTSTART")


def test_reexport_after_a_missed_visit_cancels_it(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = exported(monkeypatch, FIRST, run, "--today", TODAY)
    after = exported(monkeypatch, LATER, run, "--missed", "W25D1", "--today", TODAY)
    pairs = assert_update(before, after, {"W25D1"})
    assert field(pairs["W25D1"][1], "STATUS") == "CANCELLED"


def test_reexport_with_adjust_updates_only_the_moved_event(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Start 2025-09-17, window +-3: W3D1 2025-10-01 (National Day) -> 2025-09-30 with --adjust.
    before = exported(monkeypatch, FIRST, run, "--window", "3", start="2025-09-17")
    after = exported(monkeypatch, LATER, run, "--window", "3", "--adjust", start="2025-09-17")
    pairs = assert_update(before, after, {"W3D1"})
    assert field(pairs["W3D1"][1], "DTSTART") == "VALUE=DATE:20250930"


def test_reexport_without_adjust_after_an_adjusted_one_wins(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The issue: the old rule gave the moved W3D1 SEQUENCE 1, then 0 when it moved back, so
    # clients kept 2025-09-30. Now the later export has the higher SEQUENCE.
    before = exported(monkeypatch, FIRST, run, "--window", "3", "--adjust", start="2025-09-17")
    after = exported(monkeypatch, LATER, run, "--window", "3", start="2025-09-17")
    pairs = assert_update(before, after, {"W3D1"})
    assert field(pairs["W3D1"][0], "DTSTART") == "VALUE=DATE:20250930"
    assert field(pairs["W3D1"][1], "DTSTART") == "VALUE=DATE:20251001"
    assert (sequence(pairs["W3D1"][0]), sequence(pairs["W3D1"][1])) == (
        FIRST_SEQUENCE,
        LATER_SEQUENCE,
    )


def test_reexport_after_adjust_and_then_the_actual_raises_sequence_again(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = exported(
        monkeypatch, FIRST, run, "--window", "3", "--adjust", "--today", TODAY, start="2025-09-17"
    )
    second = exported(
        monkeypatch, LATER, run, "--window", "3", "--adjust", "--actual", "W3D1=2025-09-30",
        "--today", TODAY, start="2025-09-17",
    )  # fmt: skip
    assert_update(first, second, {"W3D1"})


def test_reexport_after_reanchoring_raises_the_sequence_of_moved_events(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # W3D1 done 2024-01-18 (+3): W25D1 moves 2024-06-17 -> 06-20 and W27D1 07-01 -> 07-04 (see
    # test_records), so their targets move, not just their planned dates.
    before = exported(monkeypatch, FIRST, run, "--anchor", "previous", "--today", TODAY)
    after = exported(
        monkeypatch, LATER, run, "--anchor", "previous", "--actual", "W3D1=2024-01-18",
        "--today", TODAY,
    )  # fmt: skip
    pairs = assert_update(before, after, {"W3D1", "W25D1", "W27D1"})
    assert {code: (sequence(old), sequence(new)) for code, (old, new) in pairs.items()} == {
        code: (FIRST_SEQUENCE, LATER_SEQUENCE) for code in ("W1D1", "W3D1", "W25D1", "W27D1")
    }
    assert field(pairs["W25D1"][1], "DTSTART") == "VALUE=DATE:20240620"
    assert field(pairs["W27D1"][1], "DTSTART") == "VALUE=DATE:20240704"


def test_reexport_with_the_real_olp_start_raises_the_sequence_of_olp_events(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = exported(monkeypatch, FIRST, run, arm="phase3")
    after = exported(monkeypatch, LATER, run, "--olp-start", "2025-02-10", arm="phase3")
    olp = {f"OLP:{c}" for c in ("W1D1", "W3D1", "W27D1", "W53D1", "W79D1", "W105D1", "W131D1")}
    pairs = assert_update(before, after, olp)
    assert {sequence(new) for code, (_, new) in pairs.items() if code in olp} == {LATER_SEQUENCE}
    # OLP W1D1 moves from the assumed RCP W53D1, 2024-12-30, to the given 2025-02-10.
    assert field(pairs["OLP:W1D1"][0], "DTSTART") == "VALUE=DATE:20241230"
    assert field(pairs["OLP:W1D1"][1], "DTSTART") == "VALUE=DATE:20250210"


def test_giving_the_assumed_olp_start_changes_no_date(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --olp-start 2024-12-30 is the date a first export assumed: exported at the same instant,
    # the same UIDs, dates and SEQUENCE; only the OLP events' descriptions stop calling the
    # start an assumption.
    before, after = (
        vevents(exported(monkeypatch, FIRST, run, arm="phase3")),
        vevents(exported(monkeypatch, FIRST, run, "--olp-start", "2024-12-30", arm="phase3")),
    )
    assert set(before) == set(after)
    for uid, old in before.items():
        new = after[uid]
        assert field(new, "DTSTART") == field(old, "DTSTART")
        assert sequence(old) == sequence(new) == FIRST_SEQUENCE
        olp = _code(field(old, "SUMMARY")).startswith("OLP:")
        assert ("OLP start assumed" in old.replace("\n ", "")) == olp
        assert "OLP start assumed" not in new.replace("\n ", "")
        if not olp:
            assert old == new


def test_every_event_of_an_export_has_the_export_instants_sequence(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Start 2025-09-17, window +-3, --adjust: W3D1 moved to 2025-09-30, W1D1 done, W25D1 missed,
    # W27D1 as planned: the old rule gave 1, 2, 2 and 0; now the state does not matter, only
    # when the calendar was exported.
    later = exported(
        monkeypatch, LATER, run, "--window", "3", "--adjust", "--actual", "W1D1=2025-09-17",
        "--missed", "W25D1", "--today", "2026-06-01", start="2025-09-17",
    )  # fmt: skip
    found = {_code(field(block, "SUMMARY")): sequence(block) for block in vevents(later).values()}
    assert found == dict.fromkeys(("W1D1", "W3D1", "W25D1", "W27D1"), LATER_SEQUENCE)
    assert set(re.findall(r"^DTSTAMP:(\S+)$", unfold(later), re.M)) == {"20260101T000100Z"}


# --- #10: --time and --remind outside calendars -------------------------------------------------

PLAN = ("plan", "--arm", "phase3-rcp", "--start", "2024-03-04")


@pytest.mark.parametrize("fmt", ["csv", "json", "md", "table", "calendar"])
def test_time_and_remind_say_they_are_ignored_outside_calendars(run: Run, fmt: str) -> None:
    plain = run(*PLAN, "--format", fmt)
    result = run(*PLAN, "--format", fmt, "--time", "9:00", "--remind", "1d")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == plain.stdout
    assert result.stderr == (
        "mil62sched: warning: --time and --remind apply to .ics calendars only; "
        f"ignored for {fmt}\n"
    )
    only = run(*PLAN, "--format", fmt, "--remind", "2h")
    assert only.stderr == (
        f"mil62sched: warning: --remind applies to .ics calendars only; ignored for {fmt}\n"
    )


def test_a_calendar_uses_time_and_remind_without_a_warning(run: Run) -> None:
    result = run(*PLAN, "--format", "ics", "--time", "09:00", "--remind", "1d")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert "TRIGGER:-P1D" in result.stdout


def test_roster_time_outside_calendars_is_said_once(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = run("roster", "examples/roster.csv", "--format", "csv", "--time", "09:00")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("--time applies to .ics calendars only; ignored for csv") == 1


def test_tz_without_time_is_still_an_error(run: Run) -> None:
    result = run(*PLAN, "--format", "csv", "--tz", "Asia/Shanghai")
    assert result.exit_code == 2
    assert "give --time HH:MM too" in result.stderr
