"""Calendar updates that clients following RFC 5545/5546 accept, and UIDs that never move.

RFC 5546 (iTIP) 2.1.5: a client keeps the revision with the higher SEQUENCE, and of two with
the same SEQUENCE the one with the later DTSTAMP. The tool keeps no state, so SEQUENCE is the
export instant in whole seconds since 2025-01-01T00:00:00Z and DTSTAMP the same instant in UTC:
any later export wins. The instant is SOURCE_DATE_EPOCH when it is set (reproducible builds,
https://reproducible-builds.org/specs/source-date-epoch/), else the clock.

Hand check of the instants used below (no program output copied):
- 2025-01-01T00:00:00Z is 1735689600 s after 1970-01-01: 55 years, 14 of them leap (1972 ...
  2024), 55*365 + 14 = 20089 days, 20089 * 86400 = 1735689600.
- 2026-01-01T00:00:00Z = 1735689600 + 365 * 86400 = 1767225600: SEQUENCE 31536000.
- One minute later, 1767225660: SEQUENCE 31536060, DTSTAMP 20260101T000100Z.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
import vobject

from mil62sched import engine, protocol
from mil62sched.formats import ics
from tests.conftest import Run, error_line

NEW_YEAR_2026 = "1767225600"  # 2026-01-01T00:00:00Z
A_MINUTE_LATER = "1767225660"  # 2026-01-01T00:01:00Z
ISSUE = ("plan", "--arm", "phase3-rcp", "--start", "2025-09-17", "--participant", "X1")


def export(run: Run, *args: str) -> str:
    result = run(*args, "--format", "ics")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def events(text: str) -> dict[str, dict[str, str]]:
    """Each VEVENT's unfolded properties (name -> value, parameters dropped), by visit code."""
    unfolded = text.replace("\r\n ", "").replace("\n ", "").replace("\r\n", "\n")
    found = {}
    for block in re.findall(r"BEGIN:VEVENT\n(.*?)END:VEVENT\n", unfolded, re.S):
        fields = {}
        for line in block.splitlines():
            name, _, value = line.partition(":")
            fields.setdefault(name.split(";")[0], value)
        code = re.search(r"\b(W\d+D\d)\b", fields["SUMMARY"])
        assert code is not None, fields["SUMMARY"]
        found[code[1]] = fields
    return found


# --- defect 1: a later export always wins -------------------------------------------------------


def test_dropping_adjust_after_an_adjusted_export_does_not_lower_the_sequence(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The issue's steps: W3D1 2025-10-01 (National Day) is moved to 2025-09-30 by --adjust; the
    # export without --adjust puts it back, and must win over the adjusted one.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NEW_YEAR_2026)
    adjusted = events(export(run, *ISSUE, "--window", "3", "--adjust"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", A_MINUTE_LATER)
    plain = events(export(run, *ISSUE, "--window", "3"))
    assert adjusted["W3D1"]["DTSTART"] == "20250930"
    assert plain["W3D1"]["DTSTART"] == "20251001"
    assert adjusted["W3D1"]["UID"] == plain["W3D1"]["UID"]
    assert int(plain["W3D1"]["SEQUENCE"]) > int(adjusted["W3D1"]["SEQUENCE"])
    assert plain["W3D1"]["DTSTAMP"] > adjusted["W3D1"]["DTSTAMP"]


def test_sequence_and_dtstamp_are_the_export_instant(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NEW_YEAR_2026)
    first = events(export(run, *ISSUE))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", A_MINUTE_LATER)
    later = events(export(run, *ISSUE))
    assert {e["SEQUENCE"] for e in first.values()} == {"31536000"}
    assert {e["DTSTAMP"] for e in first.values()} == {"20260101T000000Z"}
    assert {e["SEQUENCE"] for e in later.values()} == {"31536060"}
    assert {e["DTSTAMP"] for e in later.values()} == {"20260101T000100Z"}


def test_every_later_export_wins_whatever_the_visits_became(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A done visit, a missed one, then a correction back to the plan: each export in turn is
    # later, so each has the higher SEQUENCE for every event (the old rule gave 2, 2, then 0).
    steps = [
        ("--actual", "W3D1=2025-09-30", "--missed", "W25D1"),
        ("--actual", "W3D1=2025-10-02", "--missed", "W25D1"),  # a corrected record
        (),
    ]
    seen: list[dict[str, dict[str, str]]] = []
    for offset, extra in enumerate(steps):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NEW_YEAR_2026) + offset))
        seen.append(events(export(run, *ISSUE, "--today", "2026-06-01", *extra)))
    for earlier, later in zip(seen, seen[1:], strict=False):
        assert set(earlier) == set(later)
        for code in earlier:
            assert earlier[code]["UID"] == later[code]["UID"]
            assert int(later[code]["SEQUENCE"]) > int(earlier[code]["SEQUENCE"]), code


def test_without_source_date_epoch_the_clock_gives_a_recent_sequence(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Any export made now is later than 2026-01-01 and so beats every export made before it,
    # including those of the old rule (SEQUENCE 0, 1 or 2).
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    found = events(export(run, *ISSUE))
    assert {int(e["SEQUENCE"]) >= 31536000 for e in found.values()} == {True}
    assert {e["DTSTAMP"].endswith("Z") for e in found.values()} == {True}


def test_the_same_source_date_epoch_gives_the_same_bytes(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NEW_YEAR_2026)
    first = run(*ISSUE, "--format", "ics").stdout_bytes
    second = run(*ISSUE, "--format", "ics").stdout_bytes
    assert first == second
    assert b"DTSTAMP:20260101T000000Z\r\n" in first
    assert len(vobject.readOne(first.decode("utf-8"), validate=True).vevent_list) == 4


def test_a_roster_calendar_follows_the_same_rule(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("participant,arm,start\nX1,phase3-rcp,2025-09-17\nX2,phase3-rcp,2025-09-24\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", A_MINUTE_LATER)
    result = run("roster", str(roster), "--today", "2026-01-01", "--format", "ics")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert re.findall(r"^SEQUENCE:(\d+)$", text, re.M) == ["31536060"] * 8
    assert re.findall(r"^DTSTAMP:(\S+)$", text, re.M) == ["20260101T000100Z"] * 8
    assert len(vobject.readOne(text, validate=True).vevent_list) == 8


@pytest.mark.parametrize("value", ["", "soon", "-1", "1.5", " 1767225600", "9" * 30])
def test_a_malformed_source_date_epoch_is_refused(
    run: Run, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    result = run(*ISSUE, "--format", "ics")
    assert error_line(result) == (
        f"invalid SOURCE_DATE_EPOCH {value!r}: use a whole number of seconds since "
        "1970-01-01T00:00:00Z, e.g. 1767225600"
    )


def test_sequence_counts_seconds_since_2025_and_stays_a_32_bit_integer() -> None:
    from datetime import UTC, datetime

    assert ics.sequence(datetime(2025, 1, 1, tzinfo=UTC)) == 0
    assert ics.sequence(datetime(2026, 1, 1, tzinfo=UTC)) == 365 * 86400
    assert ics.sequence(datetime(2024, 12, 31, tzinfo=UTC)) == 0  # never negative
    # RFC 5545 3.3.8: INTEGER is -2147483648 to 2147483647; 2**31 s after 2025 is in 2093.
    assert ics.sequence(datetime(2093, 1, 1, tzinfo=UTC)) < 2**31
    assert ics.sequence(datetime(9999, 12, 31, tzinfo=UTC)) == 2**31 - 1


# --- defect 2: one canonical participant ID in UIDs ---------------------------------------------

# UIDs that calendars have already imported, recorded from the code before participant IDs were
# made canonical (the first four are also the README's example). Each is uuid5 of the namespace
# and "protocol|participant|blinded schedule|period|code", checked below from that text.
PINNED = {
    ("phase3-rcp", "2025-08-18", "CT303-0042", "W1D1"): (
        "MIL62-CT303|CT303-0042|phase3-rcp|RCP|W1D1",
        "fb409cde-2d4d-57b5-84bf-ad63c359bfc4@mil62sched",
    ),
    ("phase3-rcp", "2025-08-18", "CT303-0042", "W3D1"): (
        "MIL62-CT303|CT303-0042|phase3-rcp|RCP|W3D1",
        "5ce2bd0f-4293-5199-915c-0ffdc7912b92@mil62sched",
    ),
    ("phase3-rcp", "2025-08-18", "CT303-0042", "W27D1"): (
        "MIL62-CT303|CT303-0042|phase3-rcp|RCP|W27D1",
        "8d6abe3a-d675-5321-9c05-257233984b44@mil62sched",
    ),
    ("phase3", "2024-01-01", "CT303-0001", "OLP W3D1"): (
        "MIL62-CT303|CT303-0001|phase3-olp|OLP|W3D1",
        "b09671c7-9a6e-5659-bc54-7b2ad5f10ebf@mil62sched",
    ),
    ("phase1b-500", "2024-01-01", "P001", "W209D1"): (
        "MIL62-CT303|P001|phase1b-500|Phase 1b|W209D1",
        "0be4d769-cd55-51e4-817b-0c1696a3ede9@mil62sched",
    ),
}


def _uids(arm: str, start: str, participant: str) -> dict[str, str]:
    from datetime import date

    plan = engine.plan(protocol.load(), arm, date.fromisoformat(start), participant=participant)
    several = len(plan.periods) > 1
    return {
        (f"{visit.period} {visit.code}" if several else str(visit.code)): ics.uid(plan, visit)
        for visit in plan.visits
    }


@pytest.mark.parametrize("key", sorted(PINNED))
def test_uids_of_usual_participant_ids_never_move(key: tuple[str, str, str, str]) -> None:
    arm, start, participant, code = key
    _, pinned = PINNED[key]
    assert _uids(arm, start, participant)[code] == pinned


@pytest.mark.parametrize("key", sorted(PINNED))
def test_pinned_uids_are_the_documented_derivation(key: tuple[str, str, str, str]) -> None:
    text, pinned = PINNED[key]
    assert f"{uuid.uuid5(ics.UID_NAMESPACE, text)}@mil62sched" == pinned


@pytest.mark.parametrize(
    ("arm", "start", "spellings"),
    [
        ("phase3-rcp", "2025-08-18", ("ct303-0042", "CT303-0042", "Ct303-0042")),
        ("phase3", "2024-01-01", ("ct303-0001", "CT303-0001")),
        ("phase3-rcp-placebo", "2024-02-29", ("p001", "P001")),
    ],
)
def test_one_participant_in_any_letter_case_gets_the_same_uids(
    arm: str, start: str, spellings: tuple[str, ...]
) -> None:
    found = [_uids(arm, start, participant) for participant in spellings]
    assert all(uids == found[0] for uids in found[1:])


def test_the_cli_gives_a_lower_case_id_the_upper_case_ids_uids(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NEW_YEAR_2026)
    args = ("plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--no-holidays")
    lower = events(export(run, *args, "--participant", "ct303-0042"))
    upper = events(export(run, *args, "--participant", "CT303-0042"))
    assert {c: e["UID"] for c, e in lower.items()} == {c: e["UID"] for c, e in upper.items()}
    assert upper["W1D1"]["UID"] == "fb409cde-2d4d-57b5-84bf-ad63c359bfc4@mil62sched"


# --- issue 19 #8: RFC 5546 3.2.1, PUBLISH needs an ORGANIZER ------------------------------------


def _calendar_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\n ", "").split("\n")


def test_without_a_site_e_mail_a_calendar_has_no_method(run: Run) -> None:
    """RFC 5546 3.2.1: a METHOD:PUBLISH calendar must name its ORGANIZER in every event. Without
    an e-mail to name, the calendar is a plain RFC 5545 object: no METHOD, no ORGANIZER."""
    text = export(run, *ISSUE)
    lines = _calendar_lines(text)
    assert not [line for line in lines if line.startswith(("METHOD", "ORGANIZER"))]
    _read_by_every_parser(text)


def test_a_site_e_mail_makes_the_calendar_a_publish_with_its_organizer(
    run: Run, tmp_path: Path
) -> None:
    site = tmp_path / "site.toml"
    site.write_text('name = "Ward 5 · 五病区"\nemail = "ward5@example.org"\n', encoding="utf-8")
    text = export(run, *ISSUE, "--site", str(site))
    lines = _calendar_lines(text)
    assert "METHOD:PUBLISH" in lines
    organizers = [line for line in lines if line.startswith("ORGANIZER")]
    assert organizers == ['ORGANIZER;CN="Ward 5 · 五病区":mailto:ward5@example.org'] * 4
    calendar = _read_by_every_parser(text)
    assert calendar.method.value == "PUBLISH"
    assert {e.organizer.value for e in calendar.vevent_list} == {"mailto:ward5@example.org"}


def test_a_roster_calendar_names_the_organizer_too(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('name = "Ward 5"\nemail = "ward5@example.org"\n', encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "participant,arm,start\nP1,phase3-rcp,2024-01-01\nP2,phase3-rcp,2024-01-08\n", "utf-8"
    )
    result = run("roster", str(roster), "--format", "ics", "--site", str(site))
    assert result.exit_code == 0, result.stderr
    lines = _calendar_lines(result.stdout)
    assert "METHOD:PUBLISH" in lines
    assert len([line for line in lines if line.startswith("ORGANIZER")]) == 8
    _read_by_every_parser(result.stdout)


@pytest.mark.parametrize("email", ["ward5", "ward5@", "@example.org", "a b@example.org", "a@b"])
def test_a_site_e_mail_that_is_not_one_is_refused(run: Run, tmp_path: Path, email: str) -> None:
    site = tmp_path / "site.toml"
    site.write_text(f'name = "Ward 5"\nemail = "{email}"\n', encoding="utf-8")
    line = error_line(run(*ISSUE, "--site", str(site)), code=2)
    assert line.startswith(f"site file {str(site)!r}: key 'email' is not an e-mail address")


def _read_by_every_parser(text: str) -> vobject.base.Component:
    """The calendar as icalendar, vobject (validating) and dateutil's tzical read it."""
    import io

    from dateutil import tz
    from icalendar import Calendar

    assert len(Calendar.from_ical(text).walk("VEVENT")) >= 4
    calendar = vobject.readOne(text, validate=True)
    tz.tzical(io.StringIO(text))  # no VTIMEZONE in an all-day calendar: it must still parse
    return calendar
