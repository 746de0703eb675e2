"""Site working days: hand-checked against the State Council's holiday notices.

Notices cited below (国务院办公厅关于…年部分节假日安排的通知, General Office of the State Council):
- 2025 notice (国办发明电〔2024〕12号, 2024-11-12): New Year 01-01; Spring Festival 01-28 (Tue)
  to 02-04 (Tue) off, 01-26 (Sun) and 02-08 (Sat) worked; Labour Day 05-01 to 05-05 off,
  04-27 (Sun) worked; Dragon Boat 05-31 (Sat) to 06-02 (Mon) off; National Day and Mid-Autumn
  10-01 (Wed) to 10-08 (Wed) off, 09-28 (Sun) and 10-11 (Sat) worked.
- 2024 notice (国办发明电〔2023〕7号, 2023-10-25): Spring Festival 02-10 to 02-17 off, 02-04 (Sun)
  and 02-18 (Sun) worked, New Year's Eve 02-09 only "encouraged" as a day off; National Day
  10-01 to 10-07 off, 09-29 (Sun) and 10-12 (Sat) worked.
- 2020 notice: National Day and Mid-Autumn (both on 10-01 that year) 10-01 to 10-08 off,
  09-27 (Sun) and 10-10 (Sat) worked.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import stat
import subprocess
import sys
from calendar import isleap
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mil62sched
from mil62sched import cache
from mil62sched.errors import UsageError
from mil62sched.inputs import Reading
from mil62sched.model.plan import DayStatus
from mil62sched.site import holiday_data
from mil62sched.site.workdays import Override, SiteCalendar, load_overrides

SAT, SUN = 5, 6


@pytest.fixture(scope="module")
def china() -> SiteCalendar:
    return SiteCalendar("CN")


def days(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(n) for n in range((end - start).days + 1)]


# --- working days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "pattern"),
    [
        # 2025 notice, National Day + Mid-Autumn: Sat 09-27 weekend, Sun 09-28 worked,
        # 10-01..10-08 off, Sat 10-11 worked, Sun 10-12 weekend.
        ("2025-09-27", "2025-10-12", "-WWW--------WWW-"),
        # 2025 notice, Spring Festival: Sun 01-26 worked, 01-28..02-04 off, Sat 02-08 worked.
        ("2025-01-25", "2025-02-09", "-WW--------WWWW-"),
        # 2024 notice, National Day: Sun 09-29 worked, 10-01..10-07 off, Sat 10-12 worked.
        ("2024-09-28", "2024-10-13", "-WW-------WWWWW-"),
        # 2024 notice, Spring Festival: Sun 02-04 worked, Fri 02-09 (eve) worked,
        # 02-10..02-17 off, Sun 02-18 worked.
        ("2024-02-03", "2024-02-19", "-WWWWWW--------WW"),
    ],
)
def test_golden_weeks_day_by_day(china: SiteCalendar, first: str, last: str, pattern: str) -> None:
    got = "".join("W" if china.status(day).working else "-" for day in days(first, last))
    assert got == pattern


@pytest.mark.parametrize(
    ("day", "weekday"),
    [
        ("2025-09-28", SUN),  # 2025 notice
        ("2025-10-11", SAT),  # 2025 notice
        ("2025-01-26", SUN),  # 2025 notice
        ("2025-02-08", SAT),  # 2025 notice
        ("2025-04-27", SUN),  # 2025 notice, Labour Day
        ("2024-09-29", SUN),  # 2024 notice
        ("2024-10-12", SAT),  # 2024 notice
        ("2024-02-18", SUN),  # 2024 notice
    ],
)
def test_adjusted_working_weekend_day_is_working(
    china: SiteCalendar, day: str, weekday: int
) -> None:
    adjusted = date.fromisoformat(day)
    assert adjusted.weekday() == weekday  # the notice's weekday, checked independently
    # Issue 16: the calendar says it is a make-up working day (调休上班日), so that no format
    # has to work that out from the weekday itself.
    assert china.status(adjusted) == DayStatus(
        working=True, reason=None, provisional=False, make_up=True
    )


@pytest.mark.parametrize(
    ("day", "make_up"),
    [
        # 2026 notice (国办发明电〔2025〕7号): Spring Festival 02-15 (Sun) to 02-23 (Mon) off,
        # Sat 02-14 and Sat 02-28 worked.
        ("2026-02-14", True),
        ("2026-02-28", True),
        ("2026-02-17", False),  # 春节 itself: off
        ("2026-02-21", False),  # a Saturday inside the break: off
        ("2026-03-07", False),  # an ordinary Saturday: off
        ("2026-03-03", False),  # an ordinary Tuesday: worked, but no make-up day
    ],
)
def test_a_make_up_working_day_is_said_to_be_one(
    china: SiteCalendar, day: str, make_up: bool
) -> None:
    status = china.status(date.fromisoformat(day))
    assert status.make_up is make_up
    assert status.working is (make_up or day == "2026-03-03")


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        ("2025-10-01", "National Day"),  # 2025 notice
        ("2025-10-06", "Mid-Autumn Festival"),  # 2025 notice; lunar 8/15 falls on 10-06
        ("2025-01-01", "New Year's Day"),  # 2025 notice
        ("2025-05-31", "Dragon Boat Festival"),  # 2025 notice: a Saturday, named, not "weekend"
        ("2025-03-15", "weekend"),  # an ordinary Saturday
        ("2025-10-04", "weekend"),  # Saturday inside the National Day week
        ("2024-02-17", "weekend"),  # 2024 notice: last day off, a Saturday
    ],
)
def test_reason_for_a_day_off(china: SiteCalendar, day: str, reason: str) -> None:
    assert china.status(date.fromisoformat(day)) == DayStatus(False, reason, False)


def test_day_off_moved_from_a_weekend_names_the_weekend_day_in_iso(china: SiteCalendar) -> None:
    # 2025 notice: Wed 10-08 is off in exchange for working Sat 10-11. The package writes the
    # date US-style (10/11/2025); the site must see ISO.
    assert china.status(date(2025, 10, 8)).reason == "Day off (substituted from 2025-10-11)"


def test_several_holidays_on_one_day_are_joined(china: SiteCalendar) -> None:
    # 2020 notice: Mid-Autumn fell on National Day, 2020-10-01.
    reason = china.status(date(2020, 10, 1)).reason
    assert reason is not None
    assert sorted(reason.split("; ")) == ["Mid-Autumn Festival", "National Day"]


def test_ordinary_weekday_is_working(china: SiteCalendar) -> None:
    assert china.status(date(2025, 9, 30)) == DayStatus(True, None, False)  # Tuesday


def test_lower_case_country_is_accepted() -> None:
    assert SiteCalendar("cn").status(date(2025, 10, 1)).reason == "National Day"


def test_other_country_uses_its_own_holidays() -> None:
    germany = SiteCalendar("DE")
    # 3 October is German Unity Day (a federal holiday); no adjusted working days in Germany.
    assert germany.status(date(2025, 10, 3)) == DayStatus(False, "German Unity Day", False)
    assert germany.status(date(2025, 10, 1)).working  # China's National Day is nothing there


# --- no check -----------------------------------------------------------------------------


def test_no_check_means_every_day_is_working() -> None:
    off = SiteCalendar(None)
    for day in days("2025-10-01", "2025-10-12"):  # holidays and weekends alike
        assert off.status(day) == DayStatus(working=True, reason=None, provisional=False)
    assert not off.provisional(2027)
    assert off.nearest_working_day(date(2025, 10, 4), 0, 0) == date(2025, 10, 4)


def test_no_check_with_overrides_is_refused() -> None:
    with pytest.raises(UsageError, match="override file"):
        SiteCalendar(None, {date(2025, 10, 1): Override("Closed", "holiday")})


# --- nearest working day ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "before", "after", "expected"),
    [
        # 2025 notice. Order 10-03 (off), 10-04 (Sat), 10-02 (off), 10-05 (Sun), 10-01 (off),
        # 10-06 (off), 09-30 (Tue, working): found at -3.
        ("2025-10-03", 3, 3, "2025-09-30"),
        # 10-02..10-06 all off: no working day in the window.
        ("2025-10-04", 2, 2, None),
        # Only later days allowed: 10-05..10-08 are off, Thu 10-09 is the first working day.
        ("2025-10-05", 0, 3, None),
        ("2025-10-05", 0, 4, "2025-10-09"),
        # Sat 09-27: +1 is the adjusted working Sunday 09-28, tried before -1 (Fri 09-26).
        ("2025-09-27", 1, 1, "2025-09-28"),
        # A working target is its own answer.
        ("2025-10-09", 3, 3, "2025-10-09"),
        # A zero window on a holiday finds nothing.
        ("2025-10-01", 0, 0, None),
        # 2024 notice: Sat 10-05 ±2 is 10-03..10-07, all off.
        ("2024-10-05", 2, 2, None),
    ],
)
def test_nearest_working_day(
    china: SiteCalendar, target: str, before: int, after: int, expected: str | None
) -> None:
    found = china.nearest_working_day(date.fromisoformat(target), before, after)
    assert found == (None if expected is None else date.fromisoformat(expected))


def test_negative_window_is_a_programming_error(china: SiteCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        china.nearest_working_day(date(2025, 10, 3), -1, 3)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    target=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    before=st.integers(0, 10),
    after=st.integers(0, 10),
)
def test_nearest_working_day_is_the_closest_in_the_window(
    target: date, before: int, after: int
) -> None:
    china = SiteCalendar("CN")
    found = china.nearest_working_day(target, before, after)
    window = [target + timedelta(offset) for offset in range(-before, after + 1)]
    working = [day for day in window if china.status(day).working]
    if found is None:
        assert working == []
        return
    assert found in working
    distance = abs((found - target).days)
    # Nothing closer works, and on a tie the later day wins.
    assert all(abs((day - target).days) >= distance for day in working)
    assert all(day <= found for day in working if abs((day - target).days) == distance)


# --- provisional years --------------------------------------------------------------------
# The package's coverage is read from the package, never hard-coded: `holidays` is not pinned,
# and a release with the next year's notice makes that year official.


@functools.cache
def adjusted_years(code: str) -> list[int]:
    """The years in which the installed package lists a weekend made a working day."""
    import holidays

    whole = holidays.country_holidays(code, years=range(1980, 2101))
    return sorted({day.year for day in whole.weekend_workdays})


def last_official_cn_year() -> int:
    last = adjusted_years("CN")[-1]
    assert last >= 2025  # the 2025 notice's moves (cited above) are in every supported version
    return last


def de_end_year() -> int:
    import holidays

    return holidays.country_holidays("DE").end_year


def test_china_years_after_the_package_data_are_provisional(china: SiteCalendar) -> None:
    last = last_official_cn_year()
    assert not china.provisional(2024)
    assert not china.provisional(2025)
    assert not china.provisional(last)
    assert china.provisional(last + 1)  # its notice is not in the package
    assert china.provisional(last + 4)
    status = china.status(date(last + 1, 10, 1))
    assert status.provisional
    assert not status.working  # National Day itself is statutory; only the moves are unknown


def test_china_years_before_the_first_notice_are_provisional(china: SiteCalendar) -> None:
    first = adjusted_years("CN")[0]
    assert first <= 2001  # the 2002 notice made Saturday 2001-12-29 a working day
    assert not china.provisional(first)
    assert china.provisional(first - 1)


def test_country_without_adjusted_days_is_provisional_only_outside_package_range() -> None:
    assert adjusted_years("DE") == []  # Germany never moves working days
    end = de_end_year()
    germany = SiteCalendar("DE")
    assert not germany.provisional(2027)
    assert not germany.provisional(end)
    assert germany.provisional(end + 1)  # the package computes holidays up to its end_year


def test_override_row_makes_its_year_official(tmp_path: Path) -> None:
    year = last_official_cn_year() + 1  # provisional in the package
    saturday = next(day for day in days(f"{year}-10-08", f"{year}-10-14") if day.weekday() == SAT)
    path = tmp_path / "holidays.csv"
    # A hypothetical row, as a site would type it from the year's notice.
    path.write_text(f"date,name,kind\n{saturday},National Day make-up,workday\n", encoding="utf-8")
    calendar = SiteCalendar("CN", load_overrides(path, Reading()))
    assert not calendar.provisional(year)
    assert calendar.provisional(year + 1)
    # A weekend day the file makes a working day is a make-up working day (issue 16).
    assert calendar.status(saturday) == DayStatus(True, None, False, make_up=True)
    assert SiteCalendar("CN").status(saturday) == DayStatus(False, "weekend", True)


# --- override file ------------------------------------------------------------------------


def test_override_file_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "holidays.csv"
    text = (
        "date,name,kind\r\n"
        "2025-09-30,Site closed: audit,holiday\r\n"
        "\r\n"
        '2025-10-12,"Make-up clinic, infusions only",workday\r\n'
        "2025-10-08,国庆节 clinic open,workday\r\n"
        ",,\r\n"  # the empty row a spreadsheet leaves at the end
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    overrides = load_overrides(path, Reading())
    assert overrides == {
        date(2025, 9, 30): Override("Site closed: audit", "holiday"),
        date(2025, 10, 12): Override("Make-up clinic, infusions only", "workday"),
        date(2025, 10, 8): Override("国庆节 clinic open", "workday"),
    }
    calendar = SiteCalendar("CN", overrides)
    # A holiday override closes an ordinary Tuesday, with the file's name.
    assert calendar.status(date(2025, 9, 30)) == DayStatus(False, "Site closed: audit", False)
    # A workday override opens a Sunday and a package holiday (2025 notice: 10-08 off): the
    # Sunday is a make-up working day, the Wednesday a holiday the site works (issue 16).
    assert calendar.status(date(2025, 10, 12)) == DayStatus(True, None, False, make_up=True)
    assert calendar.status(date(2025, 10, 8)) == DayStatus(True, None, False)
    # Days the file does not name keep the package's answer.
    assert calendar.status(date(2025, 10, 7)).working is False
    # The search sees the overrides: with 09-30 closed, 10-03 ±3 (09-30..10-06) finds nothing.
    assert calendar.nearest_working_day(date(2025, 10, 3), 3, 3) is None


def test_header_only_file_has_no_overrides(tmp_path: Path) -> None:
    path = tmp_path / "holidays.csv"
    path.write_text("kind,date,name\n", encoding="utf-8")
    assert load_overrides(path, Reading()) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "date,name,kind\n2025-10-01,National Day,holiday\n\n2025-10-02,Day 2,holyday\n",
            "holidays.csv line 4: invalid kind 'holyday': use holiday or workday",
        ),
        (
            "date,name,kind\n2025-13-01,Nothing,holiday\n",
            "holidays.csv line 2: invalid date '2025-13-01': no such day; use year first: "
            "2025-08-18, 2025/8/18, 2025.8.18 or 2025年8月18日",
        ),
        (
            "date,name,kind\n2025-10-01,National Day,holiday\n01/10/2025,National Day,holiday\n",
            "holidays.csv line 3: invalid date '01/10/2025': day-first or month-first: use "
            "year first: 2025-08-18, 2025/8/18, 2025.8.18 or 2025年8月18日",
        ),
        (
            "date,name,kind\n2025-10-01,  ,holiday\n",
            "holidays.csv line 2: empty name",
        ),
        (
            "date,name,kind\n2025-10-01,National Day\n",
            "holidays.csv line 2: missing column 'kind'; use date,name,kind",
        ),
        (
            "date,name,kind\n2025-10-01,National Day,holiday,extra\n",
            "holidays.csv line 2: 4 columns, expected 3 (date,name,kind); "
            "quote a name that contains a comma",
        ),
        (
            "date,name\n2025-10-01,National Day\n",
            "holidays.csv line 1: header 'date,name': missing column 'kind'; use date,name,kind",
        ),
        (
            "date,name,kind,note\n",
            "holidays.csv line 1: header 'date,name,kind,note': unexpected columns; "
            "use date,name,kind",
        ),
        (
            "date,name,kind\n2025-10-01,National Day,holiday\n2025-10-02,x,holiday\n"
            "2025-10-01,Again,workday\n",
            "holidays.csv line 4: duplicate date 2025-10-01 (first on line 2)",
        ),
        (
            "",
            "holidays.csv line 1: empty file: the first line must be date,name,kind",
        ),
    ],
)
def test_bad_override_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "holidays.csv"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))  # CRLF must not shift lines
    with pytest.raises(UsageError) as caught:
        load_overrides(path, Reading())
    assert str(caught.value) == message
    assert caught.value.exit_code == 2


def test_override_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "holidays.csv"
    path.write_bytes("date,name,kind\n2025-10-01,Fête,holiday\n".encode("latin-1"))
    # Auto-detection would read these bytes as GB18030 (é and t make a GB18030 character).
    with pytest.raises(UsageError, match=r"^holidays\.csv: not UTF-8"):
        load_overrides(path, Reading("utf-8"))


def test_missing_override_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read override file .*nothing.csv"):
        load_overrides(tmp_path / "nothing.csv", Reading())


# --- country codes ------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["XX", "CHN", "UK", "", "China"])
def test_unknown_country(code: str) -> None:
    with pytest.raises(UsageError) as caught:
        SiteCalendar(code)
    assert str(caught.value) == (
        f"unknown country {code!r}: use an ISO 3166-1 alpha-2 code supported by the holidays "
        "package, e.g. CN or DE"
    )


# --- in a fresh interpreter (that it does not import holidays: tests/project/test_imports.py) ----

_PROBE = """
import json, sys
from datetime import date, timedelta
import mil62sched.site.workdays as sitecal
calendar = sitecal.SiteCalendar("CN")
start = date(2024, 1, 1)
statuses = [calendar.status(start + timedelta(n)) for n in range(3 * 366)]
print(json.dumps([[s.working, s.reason] for s in statuses]))
"""


def run_python(code: str, cache: Path, *arguments: str) -> str:
    """Run `code` in a fresh interpreter on cache folder `cache`; its standard output. A hang
    fails the test after 20 s instead of blocking the suite."""
    src = str(Path(mil62sched.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": src, "MIL62SCHED_CACHE_DIR": str(cache)}
    result = subprocess.run(
        [sys.executable, "-c", code, *arguments],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=20,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_the_calendar_agrees_with_the_package(tmp_path: Path) -> None:
    # A fresh interpreter: in this one other tests may already have imported holidays. An empty
    # cache folder of its own, so that the package answers rather than the session's cache.
    statuses = json.loads(run_python(_PROBE, tmp_path))

    import holidays

    package = holidays.country_holidays("CN", language="en_US")
    start = date(2024, 1, 1)
    for n, (working, reason) in enumerate(statuses):
        day = start + timedelta(n)
        assert working == package.is_working_day(day), day
        if not working:
            names = package.get_list(day)
            assert (reason == "weekend") == (not names), day


# --- holiday cache ------------------------------------------------------------------------

KEY = holiday_data.package_key()
CN_FILE = f"holidays-CN-{KEY}.json"
DE_FILE = f"holidays-DE-{KEY}.json"
NATIONAL_DAY = date(2025, 10, 1)  # 2025 notice: off
NATIONAL_DAY_INDEX = NATIONAL_DAY.timetuple().tm_yday - 1  # its place in the year's "working"
MOST = holiday_data.MOST_YEARS_CACHED


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder of the test's own, not yet created; each run reads it afresh."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("MIL62SCHED_CACHE_DIR", str(folder))
    new_run()
    yield folder
    new_run()


def new_run() -> None:
    """Forget what this process read from or wrote to the cache, as a new run of the CLI would."""
    holiday_data.country_years.cache_clear()


_ANSWERS_PROBE = """
import json, sys
from datetime import date
from mil62sched.site.workdays import SiteCalendar
answers = {}
for country, asked in json.loads(sys.argv[1]).items():
    calendar = SiteCalendar(country)
    statuses = [calendar.status(date.fromisoformat(day)) for day in asked["days"]]
    answers[country] = {
        "days": [[s.working, s.reason, s.provisional] for s in statuses],
        "provisional": [calendar.provisional(year) for year in asked["years"]],
    }
print(json.dumps({"answers": answers, "holidays_imported": "holidays" in sys.modules}))
"""


def asked() -> dict[str, dict[str, list[Any]]]:
    """The days and years `_ANSWERS_PROBE` asks about, by country."""
    end = de_end_year()
    return {
        "CN": {
            "days": [day.isoformat() for day in days("2024-01-01", "2027-12-31")],
            "years": list(range(2020, 2033)),
        },
        "DE": {
            # Ascension, a working Wednesday, German Unity Day, a Saturday, Christmas, New Year,
            # Christmas in the package's last year.
            "days": [
                "2024-05-09",
                "2025-10-01",
                "2025-10-03",
                "2025-10-04",
                "2025-12-25",
                "2025-12-26",
                "2027-01-01",
                f"{end}-12-25",
            ],
            "years": [2027, end, end + 1],
        },
    }


def ask_in_new_process(cache: Path) -> dict[str, Any]:
    """The answers to `asked()` from a fresh interpreter using the cache folder `cache`."""
    answers: dict[str, Any] = json.loads(run_python(_ANSWERS_PROBE, cache, json.dumps(asked())))
    return answers


def test_cached_answers_equal_the_package_answers(tmp_path: Path) -> None:
    # A regular file where the cache folder should be: nothing can be read or written there.
    (tmp_path / "a-file").write_text("")
    uncached = ask_in_new_process(tmp_path / "a-file" / "cache")
    cold = ask_in_new_process(tmp_path / "cache")  # asks the package, writes the entries
    warm = ask_in_new_process(tmp_path / "cache")  # reads them
    assert uncached["holidays_imported"]
    assert cold["holidays_imported"]
    assert not warm["holidays_imported"]  # nor did SiteCalendar("CN") need it to check "CN"
    assert cold["answers"] == uncached["answers"]
    assert warm["answers"] == uncached["answers"]
    assert sorted(path.name for path in (tmp_path / "cache").iterdir()) == [CN_FILE, DE_FILE]
    # The answers are the hand-checked ones, not merely the same three times.
    last = last_official_cn_year()
    cn, de, cn_days = uncached["answers"]["CN"], uncached["answers"]["DE"], asked()["CN"]["days"]
    assert cn["days"][cn_days.index("2025-10-01")] == [False, "National Day", False]
    assert cn["days"][cn_days.index("2025-10-11")] == [True, None, False]  # a Saturday
    assert cn["days"][cn_days.index("2027-10-01")] == [False, "National Day", last < 2027]
    assert cn["provisional"] == [year > last for year in range(2020, 2033)]
    de_days = asked()["DE"]["days"]
    assert de["days"][de_days.index("2025-10-03")] == [False, "German Unity Day", False]
    assert de["provisional"] == [False, False, True]


# --- the cache key ------------------------------------------------------------------------


def installed_record() -> Path:
    """The holidays package's RECORD, as importlib.metadata finds it: independently of us."""
    [record] = [
        entry
        for entry in importlib.metadata.files("holidays") or []
        if entry.name == "RECORD" and entry.parent.name.endswith(".dist-info")
    ]
    return Path(str(record.locate()))


def site_with_record(site: Path, record: bytes, folder: str) -> Path:
    """A folder laid out like site-packages with a holidays package and its record."""
    (site / "holidays").mkdir(parents=True, exist_ok=True)
    (site / folder).mkdir()
    (site / folder / "RECORD").write_bytes(record)
    return site


def test_key_is_the_installed_record_hashed() -> None:
    record = installed_record()
    assert KEY is not None
    assert len(KEY) == 32
    assert holiday_data.record_key(record.parent.parent) == KEY


def test_key_changes_with_the_record(tmp_path: Path) -> None:
    record = installed_record()
    original = record.read_bytes()
    folder = record.parent.name  # holidays-<version>.dist-info
    same = site_with_record(tmp_path / "same", original, folder)
    assert holiday_data.record_key(same) == KEY  # the same bytes, the same key
    # One file of the package with other content: its hash in the record changes.
    line = b"holidays/countries/china.py,sha256="
    assert line in original
    edited = site_with_record(tmp_path / "edited", original.replace(line, line + b"0", 1), folder)
    upgraded = site_with_record(tmp_path / "upgraded", original, "holidays-999.0.dist-info")
    keys = {KEY, holiday_data.record_key(edited), holiday_data.record_key(upgraded)}
    assert len(keys) == 3
    assert None not in keys


@pytest.mark.parametrize(
    "layout", ["no-dist-info", "another-project", "no-record", "record-a-folder", "record-a-fifo"]
)
def test_no_usable_record_means_no_key(tmp_path: Path, layout: str) -> None:
    site = tmp_path / "site"
    (site / "holidays").mkdir(parents=True)
    folder = site / "holidays-0.109.dist-info"
    if layout == "another-project":
        site_with_record(site, b"holidays_extra/__init__.py,,\n", "holidays-extra-1.0.dist-info")
    elif layout == "no-record":
        folder.mkdir()
    elif layout == "record-a-folder":
        (folder / "RECORD").mkdir(parents=True)
    elif layout == "record-a-fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        folder.mkdir()
        os.mkfifo(folder / "RECORD")
    # In a fresh interpreter: reading a FIFO would hang it, and the timeout would say so.
    code = "import sys, pathlib; from mil62sched.site.holiday_data import record_key; "
    code += "print(record_key(pathlib.Path(sys.argv[1])))"
    assert run_python(code, tmp_path / "cache", str(site)) == "None\n"


# --- the cache entry ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"MIL62SCHED_CACHE_DIR": "/x/m", "XDG_CACHE_HOME": "/x/xdg"}, "/x/m"),
        ({"MIL62SCHED_CACHE_DIR": "", "XDG_CACHE_HOME": "/x/xdg"}, "/x/xdg/mil62sched"),
        ({"XDG_CACHE_HOME": "/x/xdg"}, "/x/xdg/mil62sched"),
        ({"XDG_CACHE_HOME": "relative"}, "/x/home/.cache/mil62sched"),  # the XDG spec: ignore
        ({}, "/x/home/.cache/mil62sched"),
    ],
)
def test_cache_folder_location(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: str
) -> None:
    monkeypatch.delenv("MIL62SCHED_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "/x/home")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert cache.folder() == Path(expected)


def test_no_home_never_caches_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MIL62SCHED_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "")  # Path.home() would say "/"
    monkeypatch.chdir(tmp_path)
    new_run()
    try:
        # platformdirs then asks the password database: never the working folder.
        folder = cache.folder()
        assert folder is None or (folder.is_absolute() and tmp_path not in folder.parents)
        assert SiteCalendar("CN").status(NATIONAL_DAY) == DayStatus(False, "National Day", False)
    finally:
        new_run()
    assert list(tmp_path.iterdir()) == []


def cached_document(folder: Path) -> dict[str, Any]:
    """The CN cache entry, written by a run that asked about 2025, then forgotten by this run."""
    SiteCalendar("CN").status(NATIONAL_DAY)
    new_run()
    document: dict[str, Any] = json.loads((folder / CN_FILE).read_bytes())
    return document


def mark_national_day_working(document: dict[str, Any]) -> dict[str, Any]:
    """The document, changed so that a run that trusts it says 2025-10-01 is worked."""
    year = document["years"]["2025"]
    working = year["working"]
    assert working[NATIONAL_DAY_INDEX] == "-"
    year["working"] = working[:NATIONAL_DAY_INDEX] + "W" + working[NATIONAL_DAY_INDEX + 1 :]
    del year["names"]["2025-10-01"]  # a name is only for a day off
    del year["names_zh"]["2025-10-01"]  # in either language
    return document


def assert_answers_from_the_package(folder: Path) -> None:
    """A run answers as the package does, and leaves a sound entry for the next one."""
    china = SiteCalendar("CN")
    assert china.status(NATIONAL_DAY) == DayStatus(False, "National Day", False)
    assert china.status(date(2025, 10, 11)) == DayStatus(
        True, None, False, make_up=True
    )  # 2025 notice
    rewritten = json.loads((folder / CN_FILE).read_bytes())
    assert rewritten["key"] == KEY
    assert rewritten["years"]["2025"]["working"][NATIONAL_DAY_INDEX] == "-"
    assert rewritten["years"]["2025"]["names"]["2025-10-01"] == "National Day"


def test_cache_entry_is_what_a_warm_run_answers_from(cache_folder: Path) -> None:
    # Without this, the tests below would pass just as well with a cache that is never read.
    document = mark_national_day_working(cached_document(cache_folder))
    (cache_folder / CN_FILE).write_text(json.dumps(document), encoding="utf-8")
    assert SiteCalendar("CN").status(NATIONAL_DAY) == DayStatus(True, None, False)


def test_a_warm_run_knows_the_make_up_working_days(cache_folder: Path) -> None:
    """The cache keeps which weekend days are worked (issue 16): a run that reads its years
    from the entry says Sat 2025-10-11 (2025 notice) is a make-up working day, as the package
    does, and an ordinary Saturday is not."""
    document = cached_document(cache_folder)
    assert document["years"]["2025"]["working"][date(2025, 10, 11).timetuple().tm_yday - 1] == "+"
    (cache_folder / CN_FILE).write_text(json.dumps(document), encoding="utf-8")
    china = SiteCalendar("CN")
    assert china.status(date(2025, 10, 11)) == DayStatus(True, None, False, make_up=True)
    assert china.status(date(2025, 10, 18)) == DayStatus(False, "weekend", False)
    assert china.status(date(2025, 10, 17)) == DayStatus(True, None, False)  # a Friday


def _damage_2025(document: dict[str, Any], key: str, value: Any) -> bytes:
    document["years"]["2025"][key] = value
    return json.dumps(document).encode()


def _more_years(document: dict[str, Any]) -> bytes:
    """Sound years, but more of them than an entry ever keeps."""
    year_2025 = document["years"]["2025"]  # not a leap year
    common = [year for year in range(1901, 1990) if not isleap(year)]
    extra = {str(year): {**year_2025, "names": {}} for year in common[:MOST]}
    return json.dumps({**document, "years": {**document["years"], **extra}}).encode()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda d: b"", id="empty"),
        pytest.param(lambda d: json.dumps(d).encode()[:5000], id="cut-short"),
        pytest.param(lambda d: b"\xff\xfe\x00\x01 not text", id="not-text"),
        pytest.param(lambda d: b"[]", id="a-list"),
        pytest.param(lambda d: b"[" * 100_000 + b"]" * 100_000, id="nested-too-deep"),
        pytest.param(lambda d: json.dumps({**d, "format": 1}).encode(), id="older-format"),
        pytest.param(lambda d: json.dumps({**d, "format": 2.0}).encode(), id="format-a-float"),
        pytest.param(lambda d: json.dumps({**d, "key": "0" * 32}).encode(), id="other-key"),
        pytest.param(lambda d: json.dumps({**d, "country": "DE"}).encode(), id="other-country"),
        pytest.param(lambda d: json.dumps({**d, "years": []}).encode(), id="years-a-list"),
        pytest.param(
            lambda d: json.dumps({**d, "years": 0}).replace('"years": 0', '"years": ' + "1" * 4301),
            id="years-a-4301-digit-number",
        ),
        pytest.param(
            lambda d: json.dumps({**d, "years": {**d["years"], "1" * 4301: d["years"]["2025"]}}),
            id="year-of-4301-digits",
        ),
        pytest.param(
            lambda d: json.dumps({**d, "years": {"2025x": d["years"]["2025"]}}).encode(),
            id="bad-year",
        ),
        pytest.param(
            lambda d: json.dumps({**d, "years": {**d["years"], "0": d["years"]["2025"]}}),
            id="year-0",
        ),
        pytest.param(_more_years, id="too-many-years"),
        pytest.param(
            lambda d: _damage_2025(d, "working", d["years"]["2025"]["working"][:-1]),
            id="day-missing",
        ),
        pytest.param(
            lambda d: _damage_2025(d, "working", d["years"]["2025"]["working"][:-1] + "x"),
            id="unknown-mark",
        ),
        pytest.param(lambda d: _damage_2025(d, "provisional", "no"), id="provisional-text"),
        pytest.param(lambda d: _damage_2025(d, "names", []), id="names-a-list"),
        pytest.param(lambda d: _damage_2025(d, "names", {"2025-10-02": 1}), id="name-a-number"),
        pytest.param(lambda d: _damage_2025(d, "names", {"2025-10-02": ""}), id="name-empty"),
        pytest.param(
            lambda d: _damage_2025(d, "names", {"2025-10-02": "x" * 5000}), id="name-too-long"
        ),
        pytest.param(lambda d: _damage_2025(d, "names", {"2024-10-02": "x"}), id="name-other-year"),
        pytest.param(lambda d: _damage_2025(d, "names", {"2025-W40-4": "x"}), id="name-not-iso"),
        pytest.param(lambda d: _damage_2025(d, "names", {"2025-09-30": "x"}), id="name-working"),
        pytest.param(
            lambda d: _damage_2025(d, "names_zh", {"2025-09-30": "x"}), id="chinese-name-working"
        ),
        pytest.param(lambda d: _damage_2025(d, "names_zh", []), id="chinese-names-a-list"),
    ],
)
def test_damaged_cache_entry_is_ignored_and_rewritten(cache_folder: Path, damage: Any) -> None:
    # On top of each damage, 2025-10-01 is marked worked: a run that used the entry would say so.
    document = mark_national_day_working(cached_document(cache_folder))
    damaged = damage(document)
    (cache_folder / CN_FILE).write_bytes(damaged.encode() if isinstance(damaged, str) else damaged)
    assert_answers_from_the_package(cache_folder)


def test_oversized_cache_entry_is_ignored_and_rewritten(cache_folder: Path) -> None:
    document = json.dumps(mark_national_day_working(cached_document(cache_folder)))
    # Sound JSON, trailing spaces and all: only its size is wrong.
    padded = document + " " * (cache.MAX_ENTRY_BYTES + 1 - len(document))
    (cache_folder / CN_FILE).write_text(padded, encoding="ascii")
    assert_answers_from_the_package(cache_folder)
    assert (cache_folder / CN_FILE).stat().st_size < cache.MAX_ENTRY_BYTES


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_in_place_of_the_cache_entry_never_hangs(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    os.mkfifo(folder / CN_FILE)  # opening it for reading would wait for a writer forever
    probe = "from datetime import date; from mil62sched.site.workdays import SiteCalendar; "
    probe += "print(SiteCalendar('CN').status(date(2025, 10, 1)))"
    for _ in range(2):  # the first run replaces the FIFO with a sound entry; the second reads it
        answer = run_python(probe, folder)
        assert answer == (
            "DayStatus(working=False, reason='National Day', provisional=False, make_up=False)\n"
        )
    assert stat.S_ISREG((folder / CN_FILE).stat().st_mode)


@pytest.mark.parametrize("blocker", ["file-instead-of-folder", "folder-instead-of-entry"])
def test_unwritable_cache_is_ignored(cache_folder: Path, blocker: str) -> None:
    if blocker == "file-instead-of-folder":
        cache_folder.write_text("")
    else:
        (cache_folder / CN_FILE).mkdir(parents=True)
    for _ in range(2):  # the second run finds no cache either
        china = SiteCalendar("CN")
        assert china.status(NATIONAL_DAY) == DayStatus(False, "National Day", False)
        assert china.status(date(2025, 10, 11)) == DayStatus(True, None, False, make_up=True)
        new_run()
    if blocker == "folder-instead-of-entry":  # and no temporary file is left behind
        assert [path.name for path in cache_folder.iterdir()] == [CN_FILE]


def test_entry_for_another_installation_is_not_used(
    cache_folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    document = mark_national_day_working(cached_document(cache_folder))
    (cache_folder / CN_FILE).write_text(json.dumps(document), encoding="utf-8")
    # The package as another installation would record it: one of its files changed.
    record = installed_record()
    line = b"holidays/countries/china.py,sha256="
    edited = record.read_bytes().replace(line, line + b"0", 1)
    site = site_with_record(tmp_path / "site", edited, record.parent.name)
    other = holiday_data.record_key(site)
    assert other is not None
    assert other != KEY
    monkeypatch.setattr(holiday_data, "package_key", lambda: other)
    new_run()
    assert SiteCalendar("CN").status(NATIONAL_DAY) == DayStatus(False, "National Day", False)
    assert sorted(path.name for path in cache_folder.iterdir()) == sorted(
        [CN_FILE, f"holidays-CN-{other}.json"]
    )
    assert json.loads((cache_folder / CN_FILE).read_bytes()) == document  # left alone


def test_no_key_bypasses_the_cache(cache_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(holiday_data, "package_key", lambda: None)
    assert SiteCalendar("CN").status(NATIONAL_DAY) == DayStatus(False, "National Day", False)
    assert not cache_folder.exists()


def test_overrides_are_applied_on_top_and_never_cached(cache_folder: Path) -> None:
    overrides = {
        date(2025, 9, 30): Override("Site closed: audit", "holiday"),
        date(2025, 10, 8): Override("Clinic open", "workday"),
    }
    site = SiteCalendar("CN", overrides)
    assert site.status(date(2025, 9, 30)) == DayStatus(False, "Site closed: audit", False)
    assert site.status(date(2025, 10, 8)) == DayStatus(True, None, False)
    assert not site.status(date(2025, 10, 7)).working  # from the package (and the cache)
    text = (cache_folder / CN_FILE).read_text(encoding="ascii")
    assert "audit" not in text
    assert "Clinic" not in text
    new_run()
    china = SiteCalendar("CN")
    assert china.status(date(2025, 9, 30)) == DayStatus(True, None, False)
    assert not china.status(date(2025, 10, 8)).working  # 2025 notice: off


def test_unknown_country_writes_nothing(cache_folder: Path) -> None:
    with pytest.raises(UsageError, match="unknown country"):
        SiteCalendar("XX")
    assert not cache_folder.exists()


def test_cache_entry_keeps_the_years_nearest_the_last_miss(cache_folder: Path) -> None:
    # Every run reads the whole entry, so a run asking about far years must not bloat it.
    first, last = adjusted_years("CN")[0], last_official_cn_year()
    china = SiteCalendar("CN")
    for year in (2025, 2100, 1960, 9999, 2200, 2300):  # each a miss computing year-2..year+6
        assert china.provisional(year) == (year > last or year < first)
    cached = {int(year) for year in json.loads((cache_folder / CN_FILE).read_bytes())["years"]}
    assert len(cached) == MOST == 40
    assert {2025, 2100, 2200, 2300} <= cached  # 9 years around each of the last four misses...
    assert {1963, 1964, 1965, 1966} <= cached  # ...and the nearest 4 of the others
    assert not {1962, 9999} & cached
    assert date(9999, 12, 25).weekday() == SAT
    assert china.status(date(9999, 12, 25)).reason == "weekend"  # what this run knew, it keeps
