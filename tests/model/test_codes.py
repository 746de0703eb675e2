"""Visit codes (WnDm), ISO dates and participant IDs: what is accepted, what is refused and why.

Expected values are worked out by hand from domain.md: study day of WnDm = 7(n-1) + m, and the
date of study day d = start + (d - 1) days (there is no day 0).
"""

from __future__ import annotations

from datetime import date

import pytest

from mil62sched.errors import UsageError
from mil62sched.model.codes import VisitCode
from mil62sched.parse import check_participant, parse_date
from tests.conftest import Run

# --- VisitCode.parse -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "week", "day"),
    [
        ("W1D1", 1, 1),
        ("w1d1", 1, 1),
        ("W3d1", 3, 1),
        ("w25D1", 25, 1),
        ("W209D7", 209, 7),
        ("  W27D1  ", 27, 1),
        ("\tW53D1\n", 53, 1),
    ],
)
def test_parse_accepts_any_case_and_surrounding_whitespace(text: str, week: int, day: int) -> None:
    code = VisitCode.parse(text)
    assert (code.week, code.day) == (week, day)


@pytest.mark.parametrize(("text", "printed"), [("w3d1", "W3D1"), (" w209d7 ", "W209D7")])
def test_codes_print_upper_case_without_whitespace(text: str, printed: str) -> None:
    assert str(VisitCode.parse(text)) == printed


@pytest.mark.parametrize(
    ("text", "study_day"),
    [
        ("W1D1", 1),  # the first infusion; there is no day 0
        ("W1D7", 7),
        ("W2D1", 8),
        ("W3D1", 15),  # 7*2 + 1
        ("W25D1", 169),  # 7*24 + 1
        ("W27D1", 183),  # 7*26 + 1
        ("W53D1", 365),  # 7*52 + 1
        ("W79D1", 547),  # 7*78 + 1
        ("W131D1", 911),  # 7*130 + 1
        ("W209D1", 1457),  # 7*208 + 1
    ],
)
def test_study_day_is_seven_per_week_plus_day(text: str, study_day: int) -> None:
    assert VisitCode.parse(text).study_day == study_day


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        ("W1D1", date(2024, 1, 1), date(2024, 1, 1)),  # W1D1 is the start itself
        ("W1D2", date(2024, 1, 1), date(2024, 1, 2)),
        ("W3D1", date(2024, 1, 1), date(2024, 1, 15)),  # +14
        ("W25D1", date(2024, 1, 1), date(2024, 6, 17)),  # +168 in a leap year
        ("W53D1", date(2024, 1, 1), date(2024, 12, 30)),  # +364, 2024 has 366 days
        ("W53D1", date(2023, 1, 1), date(2023, 12, 31)),  # +364, 2023 has 365 days
        ("W1D7", date(2024, 2, 26), date(2024, 3, 3)),  # crosses 29 February
        ("W1D7", date(2023, 2, 26), date(2023, 3, 4)),  # no 29 February in 2023
        ("W2D1", date(2023, 12, 31), date(2024, 1, 7)),  # crosses a year
    ],
)
def test_date_is_start_plus_study_day_minus_one(text: str, start: date, expected: date) -> None:
    assert VisitCode.parse(text).date_from(start) == expected


@pytest.mark.parametrize("study_day", [1, 2, 7, 8, 14, 15, 169, 183, 365, 1457, 100_000])
def test_from_study_day_round_trips(study_day: int) -> None:
    code = VisitCode.from_study_day(study_day)
    assert code.study_day == study_day
    assert VisitCode.parse(str(code)) == code


@pytest.mark.parametrize(
    ("study_day", "text"), [(1, "W1D1"), (7, "W1D7"), (8, "W2D1"), (15, "W3D1")]
)
def test_from_study_day_gives_the_hand_checked_code(study_day: int, text: str) -> None:
    assert str(VisitCode.from_study_day(study_day)) == text


def test_every_study_day_of_five_years_round_trips() -> None:
    for study_day in range(1, 5 * 366):
        code = VisitCode.from_study_day(study_day)
        assert 1 <= code.day <= 7
        assert code.study_day == study_day


@pytest.mark.parametrize("study_day", [0, -1, -7])
def test_from_study_day_refuses_day_zero_and_before(study_day: int) -> None:
    with pytest.raises(UsageError, match="study days start at 1"):
        VisitCode.from_study_day(study_day)


def test_codes_order_by_study_day() -> None:
    codes = [VisitCode.parse(t) for t in ("W25D1", "W3D1", "W1D7", "W2D1", "W1D1")]
    assert [str(c) for c in sorted(codes)] == ["W1D1", "W1D7", "W2D1", "W3D1", "W25D1"]


@pytest.mark.parametrize(
    "text",
    [
        "W0D1",  # there is no week 0
        "W1D0",  # there is no day 0
        "W1D8",  # a week has 7 days
        "W-1D1",
        "W1",
        "W1D1x",
        "",
        "   ",
        "W1 D1",
        "1D1",
        "W1D",
        "WD1",
        "W1D1D1",
        "W1.5D1",
        "W１D1",  # noqa: RUF001 - a full-width digit must not pass as 1
        # Leading zeros are refused by the current pattern W([1-9][0-9]*)D([1-7]); this pins that
        # behaviour (a coordinator typing W01D1 gets the accepted form back, not a guess).
        "W01D1",
        "W1D01",
    ],
)
def test_parse_refuses_malformed_codes_showing_the_accepted_form(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        VisitCode.parse(text)
    message = str(caught.value)
    assert repr(text) in message  # names what was typed
    assert "WnDm" in message
    assert "W1D1" in message  # an example of the accepted form
    assert "\n" not in message


@pytest.mark.parametrize(("week", "day"), [(0, 1), (1, 0), (1, 8), (-1, 1)])
def test_constructor_refuses_impossible_codes(week: int, day: int) -> None:
    with pytest.raises(UsageError, match="WnDm"):
        VisitCode(week, day)


# --- inputs.parse_date -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01", date(2024, 1, 1)),
        ("2024-02-29", date(2024, 2, 29)),  # 2024 is a leap year
        ("1900-01-01", date(1900, 1, 1)),
        ("9999-12-31", date(9999, 12, 31)),
        (" 2024-01-31\n", date(2024, 1, 31)),
    ],
)
def test_parse_date_accepts_iso_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_parse_date_refuses_day_month_order_as_ambiguous() -> None:
    with pytest.raises(UsageError) as caught:
        parse_date("01/02/2024")
    message = str(caught.value)
    assert "ambiguous" in message
    assert "YYYY-MM-DD" in message
    assert "'01/02/2024'" in message


@pytest.mark.parametrize("text", ["01.02.2024", "1-2-24", "31/12/2024"])
def test_parse_date_calls_other_numeric_orders_ambiguous_too(text: str) -> None:
    with pytest.raises(UsageError, match="ambiguous"):
        parse_date(text)


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30",  # no such day
        "2023-02-29",  # 2023 is not a leap year
        "1900-02-29",  # 1900 is not a leap year (century rule)
        "2024-13-01",
        "2024-00-10",
        "0000-01-01",  # there is no year 0
    ],
)
def test_parse_date_refuses_days_that_do_not_exist(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_date(text)
    message = str(caught.value)
    assert "no such day" in message
    assert repr(text) in message


@pytest.mark.parametrize(
    "text",
    [
        "2024-1-1",
        "20240101",
        "2024/01/01",
        "2024-01-01T00:00",
        "2024-W01-1",
        "2024-001",
        "",
        "today",
        "２０２４-01-01",  # full-width digits
    ],
)
def test_parse_date_refuses_everything_but_yyyy_mm_dd(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_date(text)
    message = str(caught.value)
    assert "YYYY-MM-DD" in message
    assert "ambiguous" not in message


def test_parse_date_names_the_option_in_the_message() -> None:
    with pytest.raises(UsageError, match="invalid --start date '2024-1-1'"):
        parse_date("2024-1-1", "--start date")


# --- inputs.check_participant ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["CT303-0042", "a", "P.1_x-2", "A" * 64, "0", "a..b"])
def test_check_participant_accepts_safe_ids(text: str) -> None:
    assert check_participant(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "A" * 65,
        "",
        "a/b",
        "../etc",
        "a\\b",
        "a b",
        " a",
        "a\n",
        ".",
        "..",
        "Zoë",
        "患者01",
        "İ1",
        "a|b",
        "a;b",
        "a:b",
    ],
)
def test_check_participant_refuses_unsafe_ids(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_participant(text)
    message = str(caught.value)
    assert repr(text) in message
    assert "1-64 letters, digits" in message


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("W0D1", "use WnDm with week n >= 1 and day m from 1 to 7, e.g. W1D1, W3D1, W25D1"),
        ("D0", "use Dn with study day n other than 0 (there is no day 0), e.g. D1, D15, D-28"),
        # Neither a W nor a D code: both accepted forms are named, not only WnDm.
        (
            "X15",
            "use WnDm with week n >= 1 and day m from 1 to 7 (e.g. W1D1, W25D1), or Dn with study "
            "day n other than 0 (e.g. D15, D-28)",
        ),
    ],
)
def test_a_bad_code_is_refused_with_the_forms_that_are_accepted(text: str, accepted: str) -> None:
    with pytest.raises(UsageError) as caught:
        VisitCode.parse(text)
    assert caught.value.line() == f"invalid visit code {text!r}: {accepted}"


def test_the_day_code_forms_are_said_in_chinese(run: Run) -> None:
    result = run("day", "D0", "--start", "2025-01-01", "--lang", "zh")
    assert result.stderr == (
        "mil62sched: error: 无效的访视代码 'D0'：请用 Dn（第 n 天，n 不为 0：没有第 0 天），"
        "例如 D1、D15、D-28\n"
    )
