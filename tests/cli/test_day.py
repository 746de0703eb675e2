"""`mil62sched day`: visit code <-> study day <-> date (issue 3, part 8).

Study day of WnDm = 7(n-1) + m; date = start + (study day - 1) days; there is no day 0.
Hand arithmetic (start Mon 2024-01-01, a leap year): W25D1 = 7*24 + 1 = 169 -> +168 days:
Jan 31 (+30), Feb 29 (+59), Mar 31 (+90), Apr 30 (+120), May 31 (+151), +17 -> 2024-06-17, a
Monday like every WnD1 of this participant (168 = 24 weeks).
"""

from __future__ import annotations

import pytest

from tests.conftest import Run, error_line


def day(run: Run, what: str, start: str = "2024-01-01") -> str:
    result = run("day", what, "--start", start)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.count("\n") == 1
    return result.stdout.rstrip("\n")


def test_code_to_study_day_and_date(run: Run) -> None:
    assert day(run, "W25D1") == "W25D1 = study day 169 = 2024-06-17 (Monday), for W1D1 2024-01-01"


def test_date_to_study_day_and_code(run: Run) -> None:
    assert (
        day(run, "2024-06-17") == "2024-06-17 (Monday) = study day 169 = W25D1, for W1D1 2024-01-01"
    )


@pytest.mark.parametrize(
    ("what", "start", "line"),
    [
        # The start itself is study day 1, W1D1.
        ("W1D1", "2024-01-01", "W1D1 = study day 1 = 2024-01-01 (Monday), for W1D1 2024-01-01"),
        (
            "2024-01-01",
            "2024-01-01",
            "2024-01-01 (Monday) = study day 1 = W1D1, for W1D1 2024-01-01",
        ),
        # Codes are case-insensitive and printed in capitals: W3D1 = day 15 = 01-01 + 14.
        ("w3d1", "2024-01-01", "W3D1 = study day 15 = 2024-01-15 (Monday), for W1D1 2024-01-01"),
        # Not every day is a WnD1: 06-19 = 06-17 + 2 = day 171 = 7*24 + 3 = W25D3, a Wednesday.
        (
            "2024-06-19",
            "2024-01-01",
            "2024-06-19 (Wednesday) = study day 171 = W25D3, for W1D1 2024-01-01",
        ),
        # Day 7 is W1D7, day 8 is W2D1.
        (
            "2024-01-07",
            "2024-01-01",
            "2024-01-07 (Sunday) = study day 7 = W1D7, for W1D1 2024-01-01",
        ),
        (
            "2024-01-08",
            "2024-01-01",
            "2024-01-08 (Monday) = study day 8 = W2D1, for W1D1 2024-01-01",
        ),
        # W53D1 = day 365 = +364 days: 2024 has 366, so 2024-12-30 (a Monday).
        ("W53D1", "2024-01-01", "W53D1 = study day 365 = 2024-12-30 (Monday), for W1D1 2024-01-01"),
        # From Wed 2025-01-01 (365-day year) day 365 is 2025-12-31, also a Wednesday.
        (
            "W53D1",
            "2025-01-01",
            "W53D1 = study day 365 = 2025-12-31 (Wednesday), for W1D1 2025-01-01",
        ),
        # Leap day: start Wed 2024-02-28 -> W1D2 = 02-29 (Thu), 03-01 = day 3 = W1D3 (Fri).
        ("W1D2", "2024-02-28", "W1D2 = study day 2 = 2024-02-29 (Thursday), for W1D1 2024-02-28"),
        (
            "2024-03-01",
            "2024-02-28",
            "2024-03-01 (Friday) = study day 3 = W1D3, for W1D1 2024-02-28",
        ),
        # W209D1, Phase 1b's last visit: day 1457 = +1456 days. From 2024-01-01, 2028-01-01 is
        # 366 + 365 + 365 + 365 = +1461 days, so +1456 is 5 days earlier: 2027-12-27, a Monday
        # (1456 = 208 weeks).
        (
            "W209D1",
            "2024-01-01",
            "W209D1 = study day 1457 = 2027-12-27 (Monday), for W1D1 2024-01-01",
        ),
    ],
)
def test_conversions(run: Run, what: str, start: str, line: str) -> None:
    assert day(run, what, start) == line


@pytest.mark.parametrize("code", ["W3D1", "W25D1", "W27D1", "W53D1", "W105D1"])
def test_round_trip(run: Run, code: str) -> None:
    forward = day(run, code)
    when = forward.split(" = ")[2].split(" ")[0]
    back = day(run, when)
    assert back.split(" = ")[2].split(",")[0] == code
    assert forward.split(" = ")[1] == back.split(" = ")[1]  # the same study day
    number = forward.split(" = ")[1].removeprefix("study day ")
    assert day(run, number) == forward  # the study day number gives the code's own line


# --- the study-day number form ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "start", "line"),
    [
        # 169 = 7*24 + 1 -> W25D1, the same line as `day W25D1` (arithmetic in the docstring).
        ("169", "2024-01-01", "W25D1 = study day 169 = 2024-06-17 (Monday), for W1D1 2024-01-01"),
        # Day 1 is W1D1, the start itself.
        ("1", "2024-01-01", "W1D1 = study day 1 = 2024-01-01 (Monday), for W1D1 2024-01-01"),
        # 7 - 1 = 6 = 0 weeks + 6 days -> W1D7, a Sunday; 8 - 1 = 7 = 1 week -> W2D1.
        ("7", "2024-01-01", "W1D7 = study day 7 = 2024-01-07 (Sunday), for W1D1 2024-01-01"),
        ("8", "2024-01-01", "W2D1 = study day 8 = 2024-01-08 (Monday), for W1D1 2024-01-01"),
        # 171 - 1 = 170 = 24 weeks + 2 days -> W25D3 = 06-17 + 2, a Wednesday.
        (
            "171",
            "2024-01-01",
            "W25D3 = study day 171 = 2024-06-19 (Wednesday), for W1D1 2024-01-01",
        ),
        # 365 - 1 = 364 = 52 weeks -> W53D1; from Wed 2025-01-01 (365-day year) 2025-12-31.
        (
            "365",
            "2025-01-01",
            "W53D1 = study day 365 = 2025-12-31 (Wednesday), for W1D1 2025-01-01",
        ),
        # 1456 = 208 weeks -> W209D1 = 2027-12-27 (see the conversions above).
        (
            "1457",
            "2024-01-01",
            "W209D1 = study day 1457 = 2027-12-27 (Monday), for W1D1 2024-01-01",
        ),
        # The last day of the calendar: 9999-12-01 + 30 = 9999-12-31. 31 - 1 = 30 = 4 weeks + 2
        # days -> W5D3. The Gregorian calendar repeats every 400 years (146097 days, a whole
        # number of weeks), so 9999-12-31 falls on the weekday of 1999-12-31, a Friday (2000-01-01
        # was a Saturday).
        ("31", "9999-12-01", "W5D3 = study day 31 = 9999-12-31 (Friday), for W1D1 9999-12-01"),
    ],
)
def test_study_day_number(run: Run, what: str, start: str, line: str) -> None:
    assert day(run, what, start) == line


@pytest.mark.parametrize(
    ("what", "start", "message"),
    [
        # There is no day 0: W1D1 is study day 1.
        ("0", "2024-01-01", "study day 0 is before W1D1: study days start at 1"),
        # 32 - 1 = 31 = 4 weeks + 3 days -> W5D4 = 9999-12-01 + 31, one day past the calendar.
        ("32", "9999-12-01", "W5D4 from 9999-12-01 falls after 9999-12-31"),
        # Whole numbers only.
        (
            "1.5",
            "2024-01-01",
            "invalid date (or visit code, or study day number) '1.5': use ISO 8601 YYYY-MM-DD, "
            "e.g. 2024-01-31",
        ),
    ],
)
def test_bad_study_day_number_is_refused(run: Run, what: str, start: str, message: str) -> None:
    assert error_line(run("day", what, "--start", start)) == message


def test_help_names_the_study_day_number_form(run: Run) -> None:
    result = run("day", "--help")
    assert result.exit_code == 0, result.stderr
    arguments = result.stdout.split("Arguments", 1)[1].split("Options", 1)[0]
    assert "study day" in " ".join(arguments.replace("│", " ").split())


@pytest.mark.parametrize(
    ("what", "start", "message"),
    [
        (
            "2023-12-31",
            "2024-01-01",
            "2023-12-31 is before W1D1 2024-01-01: study days start at 1 (there is no day 0)",
        ),
        (
            "W0D1",
            "2024-01-01",
            "invalid visit code 'W0D1': use WnDm with week n >= 1 and day m from 1 to 7, e.g. "
            "W1D1, W3D1, W25D1",
        ),
        (
            "W1D8",
            "2024-01-01",
            "invalid visit code 'W1D8': use WnDm with week n >= 1 and day m from 1 to 7, e.g. "
            "W1D1, W3D1, W25D1",
        ),
        (
            "W3",
            "2024-01-01",
            "invalid visit code 'W3': use WnDm with week n >= 1 and day m from 1 to 7, e.g. "
            "W1D1, W3D1, W25D1",
        ),
        (
            "01/02/2024",
            "2024-01-01",
            "invalid date (or visit code, or study day number) '01/02/2024' (day/month order is "
            "ambiguous): use ISO 8601 YYYY-MM-DD, e.g. 2024-01-31",
        ),
        (
            "2024-02-30",
            "2024-01-01",
            "invalid date (or visit code, or study day number) '2024-02-30': no such day; use ISO "
            "8601 YYYY-MM-DD, e.g. 2024-01-31",
        ),
        (
            "hello",
            "2024-01-01",
            "invalid date (or visit code, or study day number) 'hello': use ISO 8601 YYYY-MM-DD, "
            "e.g. 2024-01-31",
        ),
        (
            "W25D1",
            "01/02/2024",
            "invalid --start date '01/02/2024' (day/month order is ambiguous): use ISO 8601 "
            "YYYY-MM-DD, e.g. 2024-01-31",
        ),
        # 9999-12-31 + 7 days is past the calendar's end.
        ("W2D1", "9999-12-31", "W2D1 from 9999-12-31 falls after 9999-12-31"),
    ],
)
def test_bad_input_is_refused(run: Run, what: str, start: str, message: str) -> None:
    assert error_line(run("day", what, "--start", start)) == message


@pytest.mark.parametrize(
    ("what", "line"),
    [
        # Issue 11: day-numbered codes. D15 is W3D1; D-1 is the day before W1D1 (no day 0), so
        # D-28 is 2024-01-01 - 28 days = 2023-12-04, a Monday (28 = 4 weeks).
        ("D15", "D15 = study day 15 = 2024-01-15 (Monday), for W1D1 2024-01-01"),
        ("d-1", "D-1 = study day -1 = 2023-12-31 (Sunday), for W1D1 2024-01-01"),
        ("D-28", "D-28 = study day -28 = 2023-12-04 (Monday), for W1D1 2024-01-01"),
    ],
)
def test_day_codes(run: Run, what: str, line: str) -> None:
    assert day(run, what) == line


def test_missing_start_is_refused(run: Run) -> None:
    assert error_line(run("day", "W25D1")) == (
        "missing option '--start': W1D1, the first infusion, as YYYY-MM-DD."
    )
