"""The site's working days in plans (issue 3, part 2; issue 9 #4 and #11): visits moved inside
their windows, provisional years, the country, and the site's holiday file. (Windows themselves
are engine/test_windows.py; the SiteCalendar alone and its cache, site/test_site_calendar.py.)

Every expected date below is worked out by hand in a comment. Calendar facts come from the State
Council's holiday notices (国务院办公厅关于…年部分节假日安排的通知):
- 2024: National Day 10-01 (Tue) to 10-07 off; Sun 09-29 and Sat 10-12 worked.
- 2025: Spring Festival 01-28 to 02-04 off, Sun 01-26 and Sat 02-08 worked; National Day and
  Mid-Autumn 10-01 (Wed) to 10-08 (Wed) off, Sun 09-28 and Sat 10-11 worked; New Year 01-01 only.
- 2026: Spring Festival 02-15 to 02-23 off, Sat 02-14 and Sat 02-28 worked.
The installed `holidays` package carries official adjusted working days up to 2026, so CN 2027
and later are "provisional".

Weekday anchors used in the arithmetic: 2024-01-01 is a Monday; 2025-10-01 is a Wednesday (the
2025 notice); 2025-09-28 is a Sunday (the 2025 notice). Every WnD1 falls on the start's weekday,
W3D1 = start + 14 days, W25D1 = start + 168 days, W27D1 = start + 182 days.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from mil62sched import engine, protocol
from mil62sched.errors import UsageError
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Policy
from mil62sched.model.protocol import Window
from mil62sched.site.workdays import SiteCalendar
from tests.conftest import ROOT, Run, cn_last_official_year, error_line
from tests.plans import by_code, plan_json, visits_of

TRIAL = protocol.load()
CN = SiteCalendar("CN")
W1D1, W3D1, W25D1, W27D1 = (VisitCode.parse(c) for c in ("W1D1", "W3D1", "W25D1", "W27D1"))
D = date.fromisoformat


# --- working days -------------------------------------------------------------------------------


def test_public_holiday_is_not_a_working_day() -> None:
    # W25D1 on 2024-10-01 (National Day, Tue): start = 2024-10-01 - 168 days. Back from 10-01:
    # 09-01 (-30), 08-01 (-61), 07-01 (-92), 06-01 (-122), 05-01 (-153), 04-16 (-168): a Tuesday,
    # an ordinary working day. W3D1 = 04-30 (Tue, before the 05-01 Labour Day break): working.
    visits = by_code("phase3-rcp", "2024-04-16", policy=Policy(site=CN))
    assert visits[W25D1].target == D("2024-10-01")
    assert visits[W25D1].working_day is False
    assert visits[W25D1].non_working_reason == "National Day"
    assert (
        str(visits[W25D1].note)
        == "not a working day (National Day) and no window is set to move it in"
    )
    assert visits[W25D1].proposed is None
    assert visits[W3D1].target == D("2024-04-30")
    assert (visits[W3D1].working_day, visits[W3D1].non_working_reason) == (True, None)


def test_ordinary_weekend_day_is_not_working() -> None:
    # Start Sun 2025-09-07 -> W3D1 Sun 2025-09-21, an ordinary weekend (no notice touches it).
    visits = by_code("phase3-rcp", "2025-09-07", policy=Policy(site=CN))
    assert visits[W3D1].target == D("2025-09-21")
    assert (visits[W3D1].working_day, visits[W3D1].non_working_reason) == (False, "weekend")


def test_adjusted_working_sunday_counts_as_working() -> None:
    # Start Sun 2025-09-14 -> W3D1 = 09-14 + 14 = Sun 2025-09-28, worked by the 2025 notice.
    visits = by_code("phase3-rcp", "2025-09-14", window=Window(3, 3), policy=Policy(site=CN))
    w3d1 = visits[W3D1]
    assert w3d1.target == D("2025-09-28")
    assert (w3d1.working_day, w3d1.non_working_reason) == (True, None)
    assert (w3d1.proposed, w3d1.note) == (None, None)


def test_adjusted_working_sunday_is_not_moved_by_adjust(run: Run) -> None:
    # Same participant as above: W3D1 Sun 2025-09-28 stays put with --adjust. W1D1 Sun 09-14 is an
    # ordinary weekend and, being W1D1, is never moved either.
    visits = visits_of(plan_json(run, "--window", "3", "--adjust", start="2025-09-14"))
    w3d1 = visits["RCP:W3D1"]
    assert (w3d1["date"], w3d1["protocol_date"]) == ("2025-09-28", "2025-09-28")
    assert (w3d1["working_day"], w3d1["non_working_reason"], w3d1["proposed_date"]) == (
        True,
        None,
        None,
    )
    assert visits["RCP:W1D1"]["non_working_reason"] == "weekend"


def test_2024_adjusted_working_sunday_counts_as_working() -> None:
    # Start Sun 2024-09-15 -> W3D1 = Sun 2024-09-29, worked by the 2024 notice.
    visits = by_code("phase3-rcp", "2024-09-15", policy=Policy(site=CN))
    assert visits[W3D1].target == D("2024-09-29")
    assert visits[W3D1].working_day is True


def test_national_day_w3d1_gets_the_nearest_working_day_in_the_window(run: Run) -> None:
    # Start Wed 2025-09-17 (a working day) -> W3D1 = 09-17 + 14 = Wed 2025-10-01, National Day.
    # Window +-3: 09-28 .. 10-04. Search order target, +1, -1, ...: 10-01 off, 10-02 off,
    # 09-30 (Tue) working -> proposal 2025-09-30. Without --adjust the plan keeps 10-01.
    document = plan_json(run, "--window", "3", start="2025-09-17")
    w3d1 = visits_of(document)["RCP:W3D1"]
    assert w3d1["date"] == w3d1["protocol_date"] == "2025-10-01"
    assert (w3d1["window_start"], w3d1["window_end"]) == ("2025-09-28", "2025-10-04")
    assert w3d1["working_day"] is False
    assert w3d1["non_working_reason"] == "National Day"
    assert w3d1["proposed_date"] == "2025-09-30"
    assert w3d1["note"] is None
    assert document["adjusted"] is False


def test_adjust_plans_on_the_proposal_and_keeps_the_protocol_date(run: Run) -> None:
    # As above, with --adjust: date 2025-09-30, protocol_date still 2025-10-01.
    document = plan_json(run, "--window", "3", "--adjust", start="2025-09-17")
    w3d1 = visits_of(document)["RCP:W3D1"]
    assert (w3d1["date"], w3d1["protocol_date"]) == ("2025-09-30", "2025-10-01")
    assert w3d1["weekday"] == "Tuesday"
    assert w3d1["proposed_date"] == "2025-09-30"
    assert document["adjusted"] is True
    # Nothing else moves: W1D1 09-17 Wed, W25D1 = 09-17 + 168: Sep 30 (+13), Oct 31 (+44),
    # Nov 30 (+74), Dec 31 (+105), Jan 31 (+136), +32 -> 2026-03-04 (Wed, working);
    # W27D1 = 03-18 (Wed, working).
    dates = {key: v["date"] for key, v in visits_of(document).items()}
    assert dates == {
        "RCP:W1D1": "2025-09-17",
        "RCP:W3D1": "2025-09-30",
        "RCP:W25D1": "2026-03-04",
        "RCP:W27D1": "2026-03-18",
    }


def test_adjust_without_a_window_moves_nothing() -> None:
    # W3D1 2025-10-01 off, no window: nowhere to move it; a note says so.
    visits = by_code("phase3-rcp", "2025-09-17", policy=Policy(site=CN, adjust=True))
    w3d1 = visits[W3D1]
    assert (w3d1.date, w3d1.proposed) == (D("2025-10-01"), None)
    assert str(w3d1.note) == "not a working day (National Day) and no window is set to move it in"


def test_window_with_no_working_day_says_so_plainly(run: Run) -> None:
    # Start Sat 2025-09-20 -> W3D1 = Sat 2025-10-04. Window +-1: 10-03, 10-04, 10-05, all inside
    # the 10-01..10-08 break -> no proposal, a note. W1D1 (Sat 09-20, weekend) gets its own note.
    visits = visits_of(plan_json(run, "--window", "1", "--adjust", start="2025-09-20"))
    w3d1 = visits["RCP:W3D1"]
    assert w3d1["date"] == w3d1["protocol_date"] == "2025-10-04"
    assert (w3d1["window_start"], w3d1["window_end"]) == ("2025-10-03", "2025-10-05")
    assert w3d1["proposed_date"] is None
    # Sat 10-04 is a weekend day inside the break: the package names only the statutory days
    # (10-01..10-03, Mid-Autumn 10-06) and the substituted ones (10-07, 10-08), so "weekend".
    assert w3d1["non_working_reason"] == "weekend"
    assert w3d1["note"] == "not a working day (weekend) and no working day in the window ±1 d"


def test_window_with_no_working_day_on_a_weekday_target() -> None:
    # Start Fri 2025-09-19 -> W3D1 = Fri 2025-10-03. Window +-2: 10-01 .. 10-05, all off.
    visits = by_code("phase3-rcp", "2025-09-19", window=Window(2, 2), policy=Policy(site=CN))
    assert visits[W3D1].target == D("2025-10-03")
    assert visits[W3D1].proposed is None
    assert visits[W3D1].note is not None
    assert "no working day in the window" in str(visits[W3D1].note)
    # A wider window reaches back: +-5 -> 09-28 .. 10-08; order 10-03, 10-04, 10-02, 10-05,
    # 10-01, 10-06 (all off), then 09-30 (-3, Tue) -> 09-30. (+4 = 10-07 comes after -3.)
    visits = by_code("phase3-rcp", "2025-09-19", window=Window(5, 5), policy=Policy(site=CN))
    assert visits[W3D1].proposed == D("2025-09-30")


@pytest.mark.parametrize(
    ("window", "proposal"),
    [
        # Start Wed 2024-12-18 -> W3D1 = Wed 2025-01-01 (New Year's Day; the 2025 notice gives only
        # that day). Tue 12-31 and Thu 01-02 are both working days, one day away each:
        (Window(1, 1), "2025-01-02"),  # +1 is searched before -1: the later day wins a tie
        (Window(1, 0), "2024-12-31"),  # no day after allowed
        (Window(0, 1), "2025-01-02"),
        (Window(0, 0), None),  # only the holiday itself
    ],
)
def test_search_order_target_plus_one_minus_one(window: Window, proposal: str | None) -> None:
    visits = by_code("phase3-rcp", "2024-12-18", window=window, policy=Policy(site=CN))
    assert visits[W3D1].target == D("2025-01-01")
    assert visits[W3D1].non_working_reason == "New Year's Day"
    assert visits[W3D1].proposed == (None if proposal is None else D(proposal))


def test_spring_festival_2026_makeup_saturday_counts_as_working() -> None:
    # Start Sat 2026-01-31 -> W3D1 = Sat 2026-02-14, worked by the 2026 notice: working as it is.
    # W1D1 Sat 01-31 is an ordinary weekend.
    visits = by_code("phase3-rcp", "2026-01-31", window=Window(3, 3), policy=Policy(site=CN))
    assert visits[W3D1].target == D("2026-02-14")
    assert (visits[W3D1].working_day, visits[W3D1].proposed) == (True, None)
    assert visits[W1D1].non_working_reason == "weekend"


def test_spring_festival_2026_week_moves_to_the_makeup_saturday() -> None:
    # Start Mon 2026-02-02 -> W3D1 = Mon 2026-02-16, inside the 02-15..02-23 break.
    # Window 3,0: 02-16 off, (no +), 02-15 (Sun) off, 02-14 (Sat) worked -> 2026-02-14.
    visits = by_code("phase3-rcp", "2026-02-02", window=Window(3, 0), policy=Policy(site=CN))
    assert visits[W3D1].target == D("2026-02-16")
    assert visits[W3D1].working_day is False
    assert visits[W3D1].proposed == D("2026-02-14")


# Issue 16 #5. Start Tue 2025-09-02: W25D1 = day 169 = start + 168 days (24 weeks) = Tue
# 2026-02-17, 春节 (2026 notice: 02-15..02-23 off, Sat 02-14 and Sat 02-28 worked). Window ±3 =
# 02-14..02-20, searched 02-17, 02-18, 02-16, 02-19, 02-15 (Sun), 02-20, 02-14: all off but
# Sat 02-14, a make-up working day. W1D1, W3D1 (Tue 09-16) and W27D1 (Tue 2026-03-03) work.
MAKE_UP_SATURDAY = ("plan", "--arm", "phase3-rcp", "--start", "2025-09-02", "--window", "3")
MOVED_TO_SATURDAY = {
    "en": "W25D1 moved from 2026-02-17 (Chinese New Year (Spring Festival)) to 2026-02-14 "
    "(Saturday, make-up working day).",
    "zh": "W25D1 已从 2026-02-17（春节）移至 2026-02-14（周六，调休上班日）。",
}
PROPOSED_SATURDAY = {
    "en": "nearest working day in the window is 2026-02-14 (Saturday, make-up working day)",
    "zh": "访视窗内最近的工作日为 2026-02-14（周六，调休上班日）",
}


def _unwrapped(text: str) -> str:
    """Text without white space: a note wrapped over lines reads as one."""
    return "".join(text.split())


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("fmt", ["table", "md", "calendar"])
def test_a_visit_moved_to_a_make_up_saturday_says_so_in_its_note(
    run: Run, fmt: str, lang: str
) -> None:
    result = run(*MAKE_UP_SATURDAY, "--adjust", "--format", fmt, "--lang", lang)
    assert result.exit_code == 0, result.stderr
    assert _unwrapped(MOVED_TO_SATURDAY[lang]) in _unwrapped(result.stdout)
    # Without --adjust the proposal says the same of the day it proposes.
    result = run(*MAKE_UP_SATURDAY, "--format", fmt, "--lang", lang)
    assert _unwrapped(PROPOSED_SATURDAY[lang]) in _unwrapped(result.stdout)


def test_a_visit_moved_to_an_ordinary_weekday_gets_no_make_up_remark(run: Run) -> None:
    # The README's W3D1: Wed 2025-10-01 (National Day) moved to Tue 09-30, an ordinary weekday.
    args = ("plan", "--arm", "phase3-rcp", "--start", "2025-09-17", "--window", "3", "--adjust")
    result = run(*args)
    assert "W3D1 moved from 2025-10-01 (National Day) to 2025-09-30." in " ".join(
        result.stdout.split()
    )
    assert "make-up" not in result.stdout


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_calendar_event_of_a_visit_moved_to_a_make_up_saturday_says_so(
    run: Run, lang: str
) -> None:
    import icalendar

    result = run(*MAKE_UP_SATURDAY, "--adjust", "--format", "ics", "--lang", lang)
    assert result.exit_code == 0, result.stderr
    events = icalendar.Calendar.from_ical(result.stdout).walk("VEVENT")
    w25d1 = next(event for event in events if str(event["SUMMARY"]).startswith("W25D1"))
    assert w25d1.decoded("DTSTART") == D("2026-02-14")
    description = str(w25d1["DESCRIPTION"])
    said = {
        "en": "nearest working day 2026-02-14 (Saturday, make-up working day)",
        "zh": "最近的工作日为 2026-02-14（周六，调休上班日）",
    }
    assert said[lang] in description
    others = [event for event in events if event is not w25d1]
    assert not any("make-up" in str(event["DESCRIPTION"]) for event in others)


def test_w1d1_is_never_moved_it_anchors_the_timeline(run: Run) -> None:
    # Start Wed 2025-10-01 (National Day) with a window and --adjust: W1D1 stays, with a note.
    # W3D1 = 10-15 (Wed), an ordinary working day.
    visits = visits_of(plan_json(run, "--window", "3", "--adjust", start="2025-10-01"))
    w1d1 = visits["RCP:W1D1"]
    assert w1d1["date"] == w1d1["protocol_date"] == "2025-10-01"
    assert w1d1["working_day"] is False
    assert w1d1["proposed_date"] is None
    assert w1d1["note"] == (
        "not a working day (National Day); W1D1 starts the period's timeline, so it is never "
        "moved: choose another start date if the site is closed"
    )
    assert visits["RCP:W3D1"]["date"] == "2025-10-15"
    assert visits["RCP:W3D1"]["working_day"] is True


def test_olp_w1d1_is_never_moved_either(run: Run) -> None:
    # The OLP's W1D1 starts its own timeline: OLP entry on Tue 2024-10-01 (National Day, the
    # 2024 notice) stays put with a window and --adjust. RCP W25D1 06-17 and W27D1 07-01 come
    # before it and stay planned. OLP W3D1 = 10-01 + 14 = Tue 10-15, an ordinary working day.
    visits = visits_of(
        plan_json(
            run,
            "--olp-start",
            "2024-10-01",
            "--window",
            "3",
            "--adjust",
            arm="phase3",
            start="2024-01-01",
        )  # fmt: skip
    )
    w1d1 = visits["OLP:W1D1"]
    assert w1d1["date"] == w1d1["protocol_date"] == "2024-10-01"
    assert (w1d1["working_day"], w1d1["proposed_date"]) == (False, None)
    assert w1d1["note"] == (
        "not a working day (National Day); W1D1 starts the period's timeline, so it is never "
        "moved: choose another start date if the site is closed"
    )
    assert (visits["OLP:W3D1"]["date"], visits["OLP:W3D1"]["working_day"]) == ("2024-10-15", True)
    assert {visits[f"RCP:{c}"]["status"] for c in ("W25D1", "W27D1")} == {"planned"}


# --- provisional years --------------------------------------------------------------------------


def test_2027_is_provisional_until_the_package_has_its_schedule(run: Run) -> None:
    # Start 2027-01-04: W27D1 = +182 -> 2027-07-05; every visit is in 2027.
    unpublished = cn_last_official_year() < 2027
    document = plan_json(run, start="2027-01-04")
    assert document["holidays_provisional"] is unpublished
    assert {v["holidays_provisional"] for v in visits_of(document).values()} == {unpublished}


def test_2025_and_2026_are_official(run: Run) -> None:
    # Start 2025-06-02: W27D1 = 2025-06-02 + 182 -> 2025-12-01; all 2025.
    document = plan_json(run, start="2025-06-02")
    assert document["holidays_provisional"] is False
    # Start 2026-01-05: W27D1 = 2026-07-06; all 2026.
    document = plan_json(run, start="2026-01-05")
    assert document["holidays_provisional"] is False


def test_a_plan_crossing_into_2027_is_provisional_only_from_2027() -> None:
    # Start Tue 2026-09-01: W3D1 2026-09-15; W25D1 = 09-01 + 168: Sep 30 (+29), Oct 31 (+60),
    # Nov 30 (+90), Dec 31 (+121), Jan 31 (+152), +16 -> 2027-02-16; W27D1 2027-03-02.
    unpublished = cn_last_official_year() < 2027
    result = engine.plan(TRIAL, "phase3-rcp", D("2026-09-01"), policy=Policy(site=CN))
    flags = {str(v.code): (v.target.isoformat(), v.holidays_provisional) for v in result.visits}
    assert flags == {
        "W1D1": ("2026-09-01", False),
        "W3D1": ("2026-09-15", False),
        "W25D1": ("2027-02-16", unpublished),
        "W27D1": ("2027-03-02", unpublished),
    }
    assert result.holidays_provisional is unpublished


def test_provisional_plan_says_so_in_the_table(run: Run) -> None:
    first_unpublished = cn_last_official_year() + 1
    result = run("plan", "--arm", "phase3-rcp", "--start", f"{first_unpublished}-01-04")
    assert result.exit_code == 0, result.stderr
    assert "provisional" in result.stdout.lower()


def test_no_holidays_switches_the_check_off(run: Run) -> None:
    # 2025-10-01 and a 2027 plan alike: every day working, nothing provisional, no country.
    for start in ("2025-09-17", "2027-01-04"):
        document = plan_json(run, "--no-holidays", "--window", "3", start=start)
        assert document["country"] is None
        assert document["holidays_provisional"] is False
        for visit in visits_of(document).values():
            assert visit["working_day"] is True
            assert (visit["non_working_reason"], visit["proposed_date"], visit["note"]) == (
                None,
                None,
                None,
            )


def test_no_holidays_with_country_or_file_is_refused(run: Run, tmp_path: Path) -> None:
    base = ("plan", "--arm", "phase3-rcp", "--start", "2024-01-01", "--no-holidays")
    message = "--no-holidays turns the working-day check off: drop --holidays and --country"
    assert error_line(run(*base, "--country", "CN")) == message
    file = tmp_path / "h.csv"
    file.write_text("date,name,kind\n2024-01-15,Site closure,holiday\n", encoding="utf-8")
    assert error_line(run(*base, "--holidays", str(file))) == message


# --- country ------------------------------------------------------------------------------------


def test_country_from_the_protocol_is_cn(run: Run) -> None:
    assert plan_json(run, start="2024-01-01")["country"] == "CN"


def test_other_country_uses_its_own_holidays(run: Run) -> None:
    # 2024-10-03 is a Thursday (10-01 is a Tuesday). Start Thu 2024-09-19 -> W3D1 2024-10-03:
    # German Unity Day in Germany; in China inside the 10-01..10-07 break.
    german = plan_json(run, "--country", "de", start="2024-09-19")
    assert german["country"] == "DE"
    w3d1 = visits_of(german)["RCP:W3D1"]
    assert w3d1["date"] == "2024-10-03"
    assert w3d1["working_day"] is False
    assert "Unity" in str(w3d1["non_working_reason"])
    chinese = visits_of(plan_json(run, start="2024-09-19"))["RCP:W3D1"]
    assert chinese["non_working_reason"] == "National Day"
    # And 2024-10-01 (Tue), a German working day: start Tue 2024-09-17 -> W3D1 10-01.
    assert (
        visits_of(plan_json(run, "--country", "DE", start="2024-09-17"))["RCP:W3D1"]["working_day"]
        is True
    )


@pytest.mark.parametrize(
    "typed",
    [
        "XX",
        "China",
        "CHN",
        "",  # e.g. an unset shell variable: refused, not silently the protocol's CN
        " ",
    ],
)
def test_unknown_country_is_refused(run: Run, typed: str) -> None:
    line = error_line(
        run("plan", "--arm", "phase3-rcp", "--start", "2024-01-01", "--country", typed)
    )
    assert line == (
        f"unknown country {typed!r}: use an ISO 3166-1 alpha-2 code supported by the holidays "
        "package, e.g. CN or DE"
    )


def test_engine_refuses_an_unknown_country() -> None:
    with pytest.raises(UsageError, match="unknown country 'XX'"):
        SiteCalendar("XX")


# --- the site's holiday file --------------------------------------------------------------------


def holidays_file(tmp_path: Path, *rows: str, name: str = "site.csv") -> str:
    path = tmp_path / name
    path.write_text("\n".join(["date,name,kind", *rows]) + "\n", encoding="utf-8")
    return str(path)


def test_holiday_file_makes_a_working_day_a_holiday(run: Run, tmp_path: Path) -> None:
    # W3D1 = Mon 2024-01-15, an ordinary working day, closed by the site.
    # Window +-2: 01-15 closed, 01-16 (Tue) working -> proposal 2024-01-16.
    path = holidays_file(tmp_path, "2024-01-15,Site closure,holiday")
    plain = visits_of(plan_json(run, "--window", "2", start="2024-01-01"))["RCP:W3D1"]
    assert plain["working_day"] is True
    w3d1 = visits_of(plan_json(run, "--window", "2", "--holidays", path, start="2024-01-01"))[
        "RCP:W3D1"
    ]
    assert w3d1["working_day"] is False
    assert w3d1["non_working_reason"] == "Site closure"
    assert w3d1["proposed_date"] == "2024-01-16"


def test_holiday_file_makes_a_weekend_day_a_workday(run: Run, tmp_path: Path) -> None:
    # Start Sat 2024-01-06 -> W3D1 = Sat 2024-01-20. Without the file: weekend, and with +-1 the
    # search 01-20 (Sat), 01-21 (Sun), 01-19 (Fri) proposes 2024-01-19. With the file: working.
    plain = visits_of(plan_json(run, "--window", "1", start="2024-01-06"))["RCP:W3D1"]
    assert (plain["working_day"], plain["non_working_reason"]) == (False, "weekend")
    assert plain["proposed_date"] == "2024-01-19"
    path = holidays_file(tmp_path, "2024-01-20,Saturday clinic,workday")
    w3d1 = visits_of(plan_json(run, "--window", "1", "--holidays", path, start="2024-01-06"))[
        "RCP:W3D1"
    ]
    assert (w3d1["working_day"], w3d1["non_working_reason"], w3d1["proposed_date"]) == (
        True,
        None,
        None,
    )


def test_holiday_file_overrides_a_public_holiday(run: Run, tmp_path: Path) -> None:
    # Start Thu 2025-09-18 -> W3D1 = Thu 2025-10-02, National Day break; the site opens that day.
    path = holidays_file(tmp_path, "2025-10-02,Clinic open,workday")
    w3d1 = visits_of(plan_json(run, "--holidays", path, start="2025-09-18"))["RCP:W3D1"]
    assert (w3d1["date"], w3d1["working_day"]) == ("2025-10-02", True)
    # A holiday row renames the day: W3D1 of start Wed 2025-09-17 is 10-01.
    path = holidays_file(tmp_path, "2025-10-01,国庆节,holiday", name="zh.csv")
    w3d1 = visits_of(plan_json(run, "--holidays", path, start="2025-09-17"))["RCP:W3D1"]
    assert w3d1["non_working_reason"] == "国庆节"


def test_holiday_file_with_a_2027_row_makes_2027_official(run: Run, tmp_path: Path) -> None:
    # The site loaded the 2027 notice itself: a row dated 2027 makes the year non-provisional.
    path = holidays_file(tmp_path, "2027-10-01,National Day,holiday")
    document = plan_json(run, "--holidays", path, start="2027-01-04")
    assert document["holidays_provisional"] is False


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            ("2024-01-15,Site closure,holiday", "2024-13-01,Bad month,holiday"),
            "site.csv line 3: invalid date '2024-13-01': no such day; use year first: "
            "2025-08-18, 2025/8/18, 2025.8.18 or 2025年8月18日",
        ),
        (
            ("15/01/2024,Site closure,holiday",),
            "site.csv line 2: invalid date '15/01/2024': day-first or month-first: use year "
            "first: 2025-08-18, 2025/8/18, 2025.8.18 or 2025年8月18日",
        ),
        (
            ("2024-01-15,Site closure,holiday", "2024-01-16,Closed,off"),
            "site.csv line 3: invalid kind 'off': use holiday or workday",
        ),
        (("2024-01-15,,holiday",), "site.csv line 2: empty name"),
        (
            ("2024-01-15,Site closure,holiday", "2024-01-16,x", "2024-01-17,y,holiday"),
            "site.csv line 3: missing column 'kind'; use date,name,kind",
        ),
        (
            ("2024-01-15,Site closure,holiday", "2024-01-15,Again,workday"),
            "site.csv line 3: duplicate date 2024-01-15 (first on line 2)",
        ),
    ],
)
def test_holiday_file_bad_row_is_refused_with_its_line(
    run: Run, tmp_path: Path, rows: tuple[str, ...], message: str
) -> None:
    path = holidays_file(tmp_path, *rows)
    result = run("plan", "--arm", "phase3-rcp", "--start", "2024-01-01", "--holidays", path)
    assert error_line(result) == message


def test_holiday_file_bad_header_is_refused(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "site.csv"
    path.write_text("day,name,kind\n2024-01-15,Site closure,holiday\n", encoding="utf-8")
    result = run("plan", "--arm", "phase3-rcp", "--start", "2024-01-01", "--holidays", str(path))
    assert error_line(result) == (
        "site.csv line 1: header 'day,name,kind': missing column 'date'; use date,name,kind"
    )


def test_missing_holiday_file_is_refused(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "none.csv"
    result = run("plan", "--arm", "phase3-rcp", "--start", "2024-01-01", "--holidays", str(path))
    assert error_line(result) == (f"cannot read override file {path}: No such file or directory")


# --- #4: a moved visit's working-day fields describe its planned date ---------------------------
# phase3-rcp from Wed 2025-09-17, window +-3: W3D1 = 09-17 + 14 = Wed 2025-10-01 (National Day);
# 10-01 and 10-02 are off, 09-30 (Tue) works, so --adjust plans W3D1 on 2025-09-30.

MOVED = ("plan", "--arm", "phase3-rcp", "--start", "2025-09-17", "--window", "3", "--adjust")
AGENDA = (
    "agenda", "examples/roster.csv", "--actuals", "examples/actuals.csv", "--from",
    "2025-09-29", "--today", "2025-09-29",
)  # fmt: skip


def _csv(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


def test_a_moved_visits_fields_describe_the_planned_date_in_csv(run: Run) -> None:
    from mil62sched.formats.csv_rows import HEADER

    result = run(*MOVED, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    w3d1 = next(row for row in _csv(result.stdout) if row["code"] == "W3D1")
    assert (w3d1["date"], w3d1["weekday"], w3d1["protocol_date"]) == (
        "2025-09-30", "Tuesday", "2025-10-01",
    )  # fmt: skip
    assert (w3d1["working_day"], w3d1["non_working_reason"]) == ("true", "")
    assert (w3d1["protocol_date_working_day"], w3d1["protocol_date_non_working_reason"]) == (
        "false", "National Day",
    )  # fmt: skip
    # Added at the end: the columns before them keep their places.
    at = HEADER.index("over_capacity")
    assert HEADER[at + 1 : at + 3] == (
        "protocol_date_working_day", "protocol_date_non_working_reason",
    )  # fmt: skip


def test_a_moved_visits_fields_describe_the_planned_date_in_json(run: Run) -> None:

    result = run(*MOVED, "--format", "json")
    visits = {v["code"]: v for v in json.loads(result.stdout)["visits"]}
    w3d1 = visits["W3D1"]
    assert (w3d1["date"], w3d1["working_day"], w3d1["non_working_reason"]) == (
        "2025-09-30", True, None,
    )  # fmt: skip
    assert (w3d1["protocol_date_working_day"], w3d1["protocol_date_non_working_reason"]) == (
        False, "National Day",
    )  # fmt: skip
    # An unmoved visit: both describe the same day.
    w1d1 = visits["W1D1"]
    assert (w1d1["working_day"], w1d1["protocol_date_working_day"]) == (True, True)


def test_without_adjust_both_describe_the_protocol_date(run: Run) -> None:

    result = run(*MOVED[:-1], "--format", "json")
    w3d1 = next(v for v in json.loads(result.stdout)["visits"] if v["code"] == "W3D1")
    assert (w3d1["date"], w3d1["working_day"], w3d1["non_working_reason"]) == (
        "2025-10-01", False, "National Day",
    )  # fmt: skip
    assert (w3d1["protocol_date_working_day"], w3d1["protocol_date_non_working_reason"]) == (
        False, "National Day",
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_a_moved_visits_row_does_not_carry_the_old_days_holiday(run: Run, fmt: str) -> None:
    result = run(*MOVED, "--format", fmt)
    row = next(line for line in result.stdout.splitlines() if "W3D1" in line and "2025-09" in line)
    assert "2025-09-30" in row
    assert "National Day" not in row
    assert "working" in row
    # The note says why it moved.
    assert "W3D1 moved from 2025-10-01 (National Day) to 2025-09-30." in result.stdout


def test_a_moved_visits_calendar_event_names_the_protocol_dates_holiday(run: Run) -> None:
    result = run(*MOVED, "--format", "ics")
    unfolded = re.sub(r"\r?\n ", "", result.stdout)  # RFC 5545 folding
    event = next(e for e in unfolded.split("BEGIN:VEVENT") if "DTSTART;VALUE=DATE:20250930" in e)
    assert "Protocol date: 2025-10-01" in event
    assert "Not a working day on 2025-10-01: National Day" in event


def test_the_agenda_row_of_a_moved_visit(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    # examples/roster.csv: CT303-0002 (phase3, window 3) starts Wed 2025-09-17, so its RCP W3D1
    # is 2025-10-01, moved by --adjust to Tue 2025-09-30.
    monkeypatch.chdir(ROOT)
    result = run(*AGENDA, "--adjust", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    row = next(r for r in _csv(result.stdout) if r["participant"] == "CT303-0002")
    assert (row["date"], row["weekday"], row["working_day"], row["non_working_reason"]) == (
        "2025-09-30", "Tuesday", "true", "",
    )  # fmt: skip
    assert (
        row["protocol_date"], row["protocol_date_working_day"],
        row["protocol_date_non_working_reason"],
    ) == ("2025-10-01", "false", "National Day")  # fmt: skip
    table = run(*AGENDA, "--adjust")
    line = next(x for x in table.stdout.splitlines() if "CT303-0002" in x)
    assert "National Day" not in line
    assert "non-working" not in line


# --- #11: every bad row of a --holidays file, and what ends "provisional" -----------------------


def test_every_bad_holidays_row_is_reported_and_nothing_written(run: Run, tmp_path: Path) -> None:
    folder = tmp_path
    site = folder / "site.csv"
    site.write_text(
        "date,name,kind\n"
        "2024-01-15,Site closure,holiday\n"  # good
        "2024-13-01,Bad month,holiday\n"  # line 3
        "2024-01-16,Closed,off\n"  # line 4
        "2024-01-17,,holiday\n"  # line 5
        "2024-01-15,Again,workday\n",  # line 6
        encoding="utf-8",
    )
    out = folder / "plan.csv"
    result = run(
        "plan", "--arm", "phase3-rcp", "--start", "2024-01-01", "--holidays", str(site),
        "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "mil62sched: error: site.csv line 3: invalid date '2024-13-01': no such day; use year "
        "first: 2025-08-18, 2025/8/18, 2025.8.18 or 2025年8月18日",
        "mil62sched: error: site.csv line 4: invalid kind 'off': use holiday or workday",
        "mil62sched: error: site.csv line 5: empty name",
        "mil62sched: error: site.csv line 6: duplicate date 2024-01-15 (first on line 2)",
        "mil62sched: error: site.csv: 4 bad rows; nothing written (fix them all)",
    ]
    assert not out.exists()


# The installed holidays package has China's adjusted working days up to 2026 (README): a plan
# from 2026-09-07 reaches W25D1 = 2026-09-07 + 168 days = 2027-02-22, a provisional year.
ENDS_PROVISIONAL = (
    "A year stops being provisional once the installed holidays package carries that year's "
    "State Council notice (its adjusted working days: a newer release of the package), or once "
    "a --holidays file has a row dated in that year (the file is then taken as the site's word "
    "for the whole year)."
)


@pytest.mark.parametrize("fmt", ["table", "md", "calendar"])
def test_the_provisional_notice_says_what_ends_it(run: Run, fmt: str) -> None:
    result = run("plan", "--arm", "phase3-rcp", "--start", "2026-09-07", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    flat = " ".join(line.strip(" *-") for line in result.stdout.splitlines())
    assert ENDS_PROVISIONAL in re.sub(r"\s+", " ", flat)


def test_the_calendar_says_what_ends_provisional(run: Run) -> None:
    result = run("plan", "--arm", "phase3-rcp", "--start", "2026-09-07", "--format", "ics")
    unfolded = re.sub(r"\r?\n ", "", result.stdout)
    assert "until the package carries the year's State Council notice or --holidays " in unfolded


def test_a_holidays_row_in_the_year_ends_provisional(run: Run, tmp_path: Path) -> None:
    # What the notice promises, checked: one row dated 2027 and 2027 is no longer provisional.

    site = tmp_path / "h.csv"
    site.write_text("date,name,kind\n2027-10-01,National Day,holiday\n", encoding="utf-8")
    before = json.loads(
        run("plan", "--arm", "phase3-rcp", "--start", "2026-09-07", "--format", "json").stdout
    )
    after = json.loads(
        run(
            "plan", "--arm", "phase3-rcp", "--start", "2026-09-07", "--holidays", str(site),
            "--format", "json",
        ).stdout
    )  # fmt: skip
    assert before["holidays_provisional"] is True
    assert after["holidays_provisional"] is False
