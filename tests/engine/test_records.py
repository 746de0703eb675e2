"""Actual and missed visits, deviations and anchoring (issue 3, part 3).

Dates are worked out by hand in the comments. Reference points: 2024-01-01 is a Monday; for
start 2024-01-01, W3D1 = +14 days = 2024-01-15, W25D1 = +168 days = 2024-06-17 (Jan 31 +30,
Feb 29 +59 (leap), Mar 31 +90, Apr 30 +120, May 31 +151, then +17), W27D1 = +182 = 2024-07-01.

With `--anchor previous` a later visit is planned from the latest actual visit before it:
date = actual + (its study day - that visit's study day). `--today` is always given so no test
depends on the real date.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import Result

from mil62sched import engine, protocol
from mil62sched.errors import RecordError, UsageError
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Policy, Records, Visit, VisitKey
from mil62sched.model.protocol import Window
from mil62sched.site.workdays import SiteCalendar
from tests.conftest import Run, error_line, workbook_text

TRIAL = protocol.load()
D = date.fromisoformat
W1D1, W3D1, W25D1, W27D1 = (VisitCode.parse(c) for c in ("W1D1", "W3D1", "W25D1", "W27D1"))
TODAY = "2025-01-01"  # after every actual date used below


def key(code: str, period: str | None = None) -> VisitKey:
    return VisitKey(VisitCode.parse(code), period)


def rcp(
    start: str = "2024-01-01",
    *,
    actual: dict[str, str] | None = None,
    missed: tuple[str, ...] = (),
    window: Window | None = None,
    **policy: object,
) -> dict[str, Visit]:
    """A phase3-rcp plan with records, its visits by code."""
    records = Records(
        {key(code): D(when) for code, when in (actual or {}).items()},
        frozenset(key(code) for code in missed),
    )
    policy.setdefault("today", D(TODAY))
    result = engine.plan(
        TRIAL,
        "phase3-rcp",
        D(start),
        window=window,
        records=records,
        policy=Policy(**policy),  # type: ignore[arg-type]
    )
    return {str(visit.code): visit for visit in result.visits}


def dates(visits: dict[str, Visit]) -> dict[str, str]:
    return {code: visit.date.isoformat() for code, visit in visits.items()}


def cli(run: Run, *extra: str, arm: str = "phase3-rcp", start: str = "2024-01-01") -> Result:
    return run("plan", "--arm", arm, "--start", start, *extra)


def cli_json(run: Run, *extra: str, **kwargs: str) -> dict[str, dict[str, object]]:
    result = cli(run, "--format", "json", *extra, **kwargs)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return {v["code"]: v for v in json.loads(result.stdout)["visits"]}


# --- done and missed ----------------------------------------------------------------------------


def test_nothing_recorded_means_every_visit_is_planned() -> None:
    for visit in rcp().values():
        assert (visit.status, visit.actual, visit.deviation_days, visit.in_window) == (
            "planned",
            None,
            None,
            None,
        )


def test_late_w3d1_is_done_with_its_deviation() -> None:
    # W3D1 planned 2024-01-15, done 2024-01-18: deviation 18 - 15 = +3.
    w3d1 = rcp(actual={"W3D1": "2024-01-18"})["W3D1"]
    assert (w3d1.status, w3d1.actual, w3d1.deviation_days) == ("done", D("2024-01-18"), 3)
    # `date` is the day it happened (issue 16 #1); the protocol date stays the target.
    assert (w3d1.target, w3d1.date) == (D("2024-01-15"), D("2024-01-18"))
    assert w3d1.in_window is None  # no window, no verdict


@pytest.mark.parametrize(
    ("window", "actual", "deviation", "inside"),
    [
        (Window(3, 3), "2024-01-18", 3, True),  # 01-12 .. 01-18: the last day is inside
        (Window(2, 2), "2024-01-18", 3, False),  # 01-13 .. 01-17
        (Window(3, 3), "2024-01-12", -3, True),  # the first day is inside
        (Window(2, 3), "2024-01-12", -3, False),  # 01-13 .. 01-18
        (Window(0, 0), "2024-01-15", 0, True),  # on the day
    ],
)
def test_in_window(window: Window, actual: str, deviation: int, inside: bool) -> None:
    w3d1 = rcp(actual={"W3D1": actual}, window=window)["W3D1"]
    assert (w3d1.deviation_days, w3d1.in_window) == (deviation, inside)


def test_late_w3d1_does_not_move_w25d1_when_anchored_on_w1d1() -> None:
    # The default anchor: W25D1 stays 2024-06-17 and W27D1 2024-07-01 whatever W3D1 did.
    visits = rcp(actual={"W3D1": "2024-01-18"})
    assert dates(visits) == {
        "W1D1": "2024-01-01",
        "W3D1": "2024-01-18",  # a done visit's date is its actual date
        "W25D1": "2024-06-17",
        "W27D1": "2024-07-01",
    }


def test_anchor_previous_moves_later_visits_with_the_late_w3d1() -> None:
    # W3D1 done 2024-01-18 (study day 15). W25D1 = 01-18 + (169 - 15) = 01-18 + 154 days:
    # Jan 31 (+13), Feb 29 (+42), Mar 31 (+73), Apr 30 (+103), May 31 (+134), +20 -> 2024-06-20.
    # W27D1 = 01-18 + (183 - 15) = 01-18 + 168 = 06-20 + 14 = 2024-07-04.
    visits = rcp(actual={"W3D1": "2024-01-18"}, anchor="previous")
    assert dates(visits) == {
        "W1D1": "2024-01-01",
        "W3D1": "2024-01-18",  # a done visit's date is its actual date (issue 16 #1)
        "W25D1": "2024-06-20",
        "W27D1": "2024-07-04",
    }
    assert (visits["W3D1"].actual, visits["W3D1"].target) == (D("2024-01-18"), D("2024-01-15"))


def test_anchor_previous_follows_the_latest_actual() -> None:
    # W3D1 done 01-18 -> W25D1 planned 06-20 (above); W25D1 done 2024-06-24 (study day 169):
    # W27D1 = 06-24 + (183 - 169) = 2024-07-08. Anchored on W1D1 it would stay 2024-07-01.
    actual = {"W3D1": "2024-01-18", "W25D1": "2024-06-24"}
    assert rcp(actual=actual, anchor="previous")["W27D1"].date == D("2024-07-08")
    assert rcp(actual=actual)["W27D1"].date == D("2024-07-01")


def test_anchor_previous_deviation_is_measured_from_the_reanchored_date() -> None:
    # With --anchor previous the protocol date of W25D1 is the re-anchored 2024-06-20, so a W25D1
    # done 2024-06-24 deviates +4; anchored on W1D1 (target 06-17) it deviates +7.
    actual = {"W3D1": "2024-01-18", "W25D1": "2024-06-24"}
    assert rcp(actual=actual, anchor="previous")["W25D1"].deviation_days == 4
    assert rcp(actual=actual)["W25D1"].deviation_days == 7


def test_anchor_previous_early_w3d1_pulls_later_visits_earlier() -> None:
    # W3D1 done 2024-01-12 (-3): W25D1 = 06-17 - 3 = 2024-06-14, W27D1 = 07-01 - 3 = 2024-06-28.
    visits = rcp(actual={"W3D1": "2024-01-12"}, anchor="previous")
    assert (visits["W25D1"].date, visits["W27D1"].date) == (D("2024-06-14"), D("2024-06-28"))


def test_anchor_previous_with_w3d1_on_time_changes_nothing() -> None:
    visits = rcp(actual={"W3D1": "2024-01-15"}, anchor="previous")
    assert dates(visits) == dates(rcp())


def test_missed_visit() -> None:
    visits = rcp(missed=("W3D1",), window=Window(3, 3))
    w3d1 = visits["W3D1"]
    assert (w3d1.status, w3d1.actual, w3d1.deviation_days, w3d1.in_window) == (
        "missed",
        None,
        None,
        None,
    )
    assert w3d1.date == D("2024-01-15")
    assert [v.status for v in visits.values()] == ["planned", "missed", "planned", "planned"]


def test_missed_visit_does_not_reanchor() -> None:
    # Nothing happened at W3D1, so with --anchor previous W25D1 still counts from W1D1: 06-17.
    visits = rcp(missed=("W3D1",), anchor="previous")
    assert dates(visits) == dates(rcp())


def test_anchor_previous_skips_a_missed_visit() -> None:
    # W3D1 done 01-18, W25D1 missed: W27D1 counts from W3D1: 01-18 + 168 = 2024-07-04.
    visits = rcp(actual={"W3D1": "2024-01-18"}, missed=("W25D1",), anchor="previous")
    assert visits["W25D1"].status == "missed"
    assert visits["W27D1"].date == D("2024-07-04")


def test_anchor_previous_then_a_holiday_gets_a_proposal() -> None:
    # Start Mon 2025-04-14 (10-01 is a Wed; 168 days is 24 weeks, so 04-14 + 168 = Mon 09-29).
    # W3D1 planned Mon 04-28, done Wed 04-30 (+2; Labour Day starts 05-01, so a working day).
    # Re-anchored W25D1 = 04-30 + 154: May 31 (+31), Jun 30 (+61), Jul 31 (+92), Aug 31 (+123),
    # Sep 30 (+153), +1 -> Wed 2025-10-01, National Day. Window +-3: 10-01 off, 10-02 off,
    # 09-30 (Tue) working -> proposal 09-30, planned with --adjust. W27D1 = 10-01 + 14 = 10-15.
    visits = rcp(
        "2025-04-14",
        actual={"W3D1": "2025-04-30"},
        window=Window(3, 3),
        anchor="previous",
        adjust=True,
        site=SiteCalendar("CN"),
        today=D("2025-05-01"),
    )
    w25d1 = visits["W25D1"]
    assert (w25d1.target, w25d1.proposed, w25d1.date) == (
        D("2025-10-01"),
        D("2025-09-30"),
        D("2025-09-30"),
    )
    # The protocol date's reason; the planned 09-30 is a working day (issue 9 #4).
    assert (w25d1.target_working, w25d1.target_reason) == (False, "National Day")
    assert (w25d1.working_day, w25d1.non_working_reason) == (True, None)
    assert visits["W27D1"].date == D("2025-10-15")


def test_w1d1_recorded_on_the_start_is_done() -> None:
    visits = rcp(actual={"W1D1": "2024-01-01"})
    assert (visits["W1D1"].status, visits["W1D1"].deviation_days) == ("done", 0)


def test_actual_on_today_is_accepted() -> None:
    w3d1 = rcp(actual={"W3D1": "2024-01-15"}, today=D("2024-01-15"))["W3D1"]
    assert w3d1.status == "done"


# --- refusals, engine ---------------------------------------------------------------------------


def test_actual_after_today_is_refused() -> None:
    with pytest.raises(UsageError, match=r"is in the future \(today is 2024-01-10\)"):
        rcp(actual={"W3D1": "2024-01-15"}, today=D("2024-01-10"))


def test_actual_on_the_previous_actual_is_refused() -> None:
    with pytest.raises(UsageError) as refused:
        rcp(actual={"W3D1": "2024-01-15", "W25D1": "2024-01-15"})
    assert str(refused.value) == (
        "--actual W25D1=2024-01-15 is not after W3D1's actual date 2024-01-15: visits happen "
        "in visit order"
    )


def test_actual_w1d1_on_another_day_is_refused() -> None:
    with pytest.raises(UsageError, match=r"W1D1 is the start \(2024-01-01\) by definition"):
        rcp(actual={"W1D1": "2024-01-02"})


@pytest.mark.parametrize("when", ["2023-12-30", "2024-01-01"])
def test_actual_on_or_before_the_start_is_refused(when: str) -> None:
    # W1D1 happens on the start by definition, recorded or not, so W3D1 (planned 01-15) cannot
    # happen on 2024-01-01 or before it (2023-12-30 would be a deviation of -16).
    with pytest.raises(UsageError) as refused:
        rcp(actual={"W3D1": when})
    assert str(refused.value) == f"--actual W3D1={when} is not after the RCP W1D1 (2024-01-01)"


def test_actual_the_day_after_the_start_is_accepted() -> None:
    # The boundary: 2024-01-02 is after W1D1 (deviation 02 - 15 = -13), so it is recorded.
    w3d1 = rcp(actual={"W3D1": "2024-01-02"})["W3D1"]
    assert (w3d1.status, w3d1.deviation_days) == ("done", -13)


def test_unknown_visit_is_refused() -> None:
    with pytest.raises(UsageError, match=r"--actual W9D1: not an infusion visit of phase3-rcp"):
        rcp(actual={"W9D1": "2024-03-01"})


@pytest.mark.parametrize(
    ("done", "missed"),
    [
        (key("W3D1"), key("D15")),
        (key("W3D1", "RCP"), key("w3d1", "rcp")),
        (key("W3D1"), key("W3D1", "RCP")),
        (key("D15", "Rcp"), key("W3D1")),
    ],
)
def test_a_visit_recorded_done_and_missed_is_refused(done: VisitKey, missed: VisitKey) -> None:
    # W3D1 is study day 15 (D15) of RCP, phase3-rcp's one period, which a record may name in
    # any case or leave out: each pair names the one visit twice.
    records = Records({done: D("2024-01-15")}, frozenset({missed}))
    policy = Policy(today=D(TODAY))
    with pytest.raises(RecordError, match=r"the visit is recorded twice \(done and missed\?\)"):
        engine.plan(TRIAL, "phase3-rcp", D("2024-01-01"), records=records, policy=policy)


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_records_in_json(run: Run) -> None:
    visits = cli_json(
        run,
        "--window",
        "2",
        "--actual",
        "w3d1=2024-01-18",  # codes are case-insensitive
        "--missed",
        "W25D1",
        "--today",
        TODAY,
    )
    w3d1 = visits["W3D1"]
    assert (w3d1["status"], w3d1["actual_date"], w3d1["deviation_days"], w3d1["in_window"]) == (
        "done",
        "2024-01-18",
        3,
        False,  # window 01-13 .. 01-17
    )
    assert (w3d1["date"], w3d1["protocol_date"]) == ("2024-01-18", "2024-01-15")
    w25d1 = visits["W25D1"]
    assert (w25d1["status"], w25d1["actual_date"], w25d1["deviation_days"]) == (
        "missed",
        None,
        None,
    )
    assert visits["W27D1"]["status"] == "planned"


def test_cli_anchor_previous(run: Run) -> None:
    # As in the engine test: W25D1 2024-06-20, W27D1 2024-07-04.
    extra = ("--actual", "W3D1=2024-01-18", "--today", TODAY)
    anchored = cli_json(run, *extra, "--anchor", "previous")
    assert (anchored["W25D1"]["date"], anchored["W27D1"]["date"]) == ("2024-06-20", "2024-07-04")
    plain = cli_json(run, *extra)
    assert (plain["W25D1"]["date"], plain["W27D1"]["date"]) == ("2024-06-17", "2024-07-01")
    assert cli_json(run, *extra, "--anchor", "PREVIOUS")["W25D1"]["date"] == "2024-06-20"


def test_cli_records_in_csv(run: Run) -> None:
    result = cli(run, "--format", "csv", "--actual", "W3D1=2024-01-13", "--today", TODAY)
    assert result.exit_code == 0, result.stderr
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    # 01-13 - 01-15 = -2; a spreadsheet must not read "-2" as a formula, but it is a number.
    assert (rows["W3D1"]["status"], rows["W3D1"]["actual_date"]) == ("done", "2024-01-13")
    assert rows["W3D1"]["deviation_days"] == "-2"
    assert rows["W3D1"]["in_window"] == ""
    assert rows["W1D1"]["status"] == "planned"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--actual", "W3D1"),
            "invalid --actual 'W3D1': use CODE=YYYY-MM-DD, e.g. W3D1=2024-01-17",
        ),
        (
            ("--actual", "W3D1=01/02/2024"),
            "invalid --actual date for W3D1 '01/02/2024' (day/month order is ambiguous): use "
            "ISO 8601 YYYY-MM-DD, e.g. 2024-01-31",
        ),
        (
            ("--actual", "W3D1=2024-02-30"),
            "invalid --actual date for W3D1 '2024-02-30': no such day; use ISO 8601 YYYY-MM-DD, "
            "e.g. 2024-01-31",
        ),
        (
            ("--actual", "W9D1=2024-01-01"),
            "--actual W9D1: not an infusion visit of phase3-rcp (W1D1, W3D1, W25D1, W27D1)",
        ),
        (
            ("--missed", "W9D1"),
            "--missed W9D1: not an infusion visit of phase3-rcp (W1D1, W3D1, W25D1, W27D1)",
        ),
        (
            ("--missed", "W0D1"),
            "invalid --missed 'W0D1': invalid visit code 'W0D1': use WnDm with week n >= 1 and "
            "day m from 1 to 7, e.g. W1D1, W3D1, W25D1",
        ),
        (
            ("--actual", "W3D1=2024-01-15", "--today", "2024-01-10"),
            "--actual W3D1=2024-01-15 is in the future (today is 2024-01-10)",
        ),
        (
            ("--actual", "W3D1=2024-01-15", "--actual", "W25D1=2024-01-10", "--today", TODAY),
            "--actual W25D1=2024-01-10 is not after W3D1's actual date 2024-01-15: visits "
            "happen in visit order",
        ),
        (
            ("--actual", "W3D1=2024-01-15", "--actual", "W25D1=2024-01-15", "--today", TODAY),
            "--actual W25D1=2024-01-15 is not after W3D1's actual date 2024-01-15: visits "
            "happen in visit order",
        ),
        (
            ("--actual", "W3D1=2024-01-15", "--missed", "W3D1"),
            "W3D1 is given as both --actual and --missed",
        ),
        (
            ("--actual", "W3D1=2024-01-15", "--actual", "w3d1=2024-01-16"),
            "--actual W3D1 is given twice",
        ),
        (
            ("--actual", "W3D1=2023-12-30", "--today", TODAY),
            "--actual W3D1=2023-12-30 is not after the RCP W1D1 (2024-01-01)",
        ),
        (
            ("--actual", "w3d1=2024-01-01", "--today", TODAY),  # printed in capitals
            "--actual W3D1=2024-01-01 is not after the RCP W1D1 (2024-01-01)",
        ),
        (
            ("--today", "01/02/2024"),
            "invalid --today date '01/02/2024' (day/month order is ambiguous): use ISO 8601 "
            "YYYY-MM-DD, e.g. 2024-01-31",
        ),
        (("--anchor", "last"), "invalid --anchor 'last': accepted: w1d1, previous"),
        (("--anchor", ""), "invalid --anchor '': accepted: w1d1, previous"),
    ],
)
def test_cli_refusals(run: Run, args: tuple[str, ...], message: str) -> None:
    assert error_line(cli(run, *args)) == message


def test_cli_actual_in_the_future_defaults_to_the_real_today(run: Run) -> None:
    # Without --today the real date is used: a visit in 9999 is always in the future.
    line = error_line(cli(run, "--actual", "W3D1=9999-01-01"))
    assert line.startswith("--actual W3D1=9999-01-01 is in the future (today is ")


def test_one_period_arm_refusal_names_the_visit_as_typed(run: Run) -> None:
    # Not 'Phase 1b:W3D1', a form the CLI itself refuses (the prefix is upper-cased to 'PHASE 1B').
    line = error_line(
        cli(run, "--actual", "W3D1=2024-01-15", "--today", "2024-01-10", arm="phase1b-500")
    )
    assert line == "--actual W3D1=2024-01-15 is in the future (today is 2024-01-10)"
    # Phase 1b infuses at W1D1, W3D1, W25D1, ...: W25D1 on the day of W3D1 names W3D1 bare too.
    line = error_line(
        cli(
            run,
            "--actual",
            "W3D1=2024-01-20",
            "--actual",
            "W25D1=2024-01-20",
            "--today",
            TODAY,
            arm="phase1b-500",
        )  # fmt: skip
    )
    assert line == (
        "--actual W25D1=2024-01-20 is not after W3D1's actual date 2024-01-20: visits happen in "
        "visit order"
    )
    line = error_line(cli(run, "--actual", "W3D1=2024-01-01", "--today", TODAY, arm="phase1b-500"))
    assert line == "--actual W3D1=2024-01-01 is not after the Phase 1b W1D1 (2024-01-01)"


@pytest.mark.parametrize("arm", ["phase3-rcp", "phase1b-500"])
def test_actual_w1d1_on_another_day_is_refused_in_one_line(run: Run, arm: str) -> None:
    line = error_line(cli(run, "--actual", "W1D1=2024-01-02", "--today", TODAY, arm=arm))
    assert line.endswith(
        "W1D1 is the start (2024-01-01) by definition: to plan from another first infusion, "
        "change the start date (--start)"
    )


@pytest.mark.parametrize("arm", ["phase3-rcp", "phase1b-500"])
def test_actual_w1d1_refusal_names_the_visit_as_typed(run: Run, arm: str) -> None:
    line = error_line(cli(run, "--actual", "W1D1=2024-01-02", "--today", TODAY, arm=arm))
    assert line == (
        "W1D1 is the start (2024-01-01) by definition: to plan from another first infusion, "
        "change the start date (--start)"
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("=2024-01-01", "use CODE=YYYY-MM-DD, e.g. W3D1=2024-01-17"),
        (
            "W0D1=2024-01-01",
            "invalid visit code 'W0D1': use WnDm with week n >= 1 and day m from 1 to 7, e.g. "
            "W1D1, W3D1, W25D1",
        ),
        (
            " W0D1 =2024-01-01",  # spaces and all, as typed
            "invalid visit code 'W0D1': use WnDm with week n >= 1 and day m from 1 to 7, e.g. "
            "W1D1, W3D1, W25D1",
        ),
    ],
)
def test_bad_actual_is_echoed_exactly_as_typed(run: Run, typed: str, message: str) -> None:
    line = error_line(cli(run, "--actual", typed, "--today", TODAY))
    assert line == f"invalid --actual {typed!r}: {message}"


# --- a done or missed visit is history (issue 16 #1) ---------------------------------------------
# Wednesday 2025-09-17 + 14 = W3D1 Wednesday 2025-10-01, National Day (1-8 October 2025 are days
# off). With a window of 3 (09-28..10-04) the nearest working day is Tuesday 09-30 (10-01 and
# +1 10-02 are off, -1 09-30 is worked): the proposal of a planned W3D1. Once W3D1 is recorded,
# nothing is proposed, moved or advised for it: `date` is the day it happened; for a missed
# visit, its protocol date.

HISTORY = ("--arm", "phase3-rcp", "--start", "2025-09-17", "--window", "3", "--today", "2026-01-05")


def national_day(**records: object) -> dict[str, Visit]:
    return rcp(
        "2025-09-17", window=Window(3, 3), site=SiteCalendar("CN"), today=D("2026-01-05"),
        **records,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.mark.parametrize("adjust", [False, True])
def test_a_done_visit_is_on_its_actual_day_and_never_proposed_or_moved(adjust: bool) -> None:
    w3d1 = national_day(actual={"W1D1": "2025-09-17", "W3D1": "2025-10-01"}, adjust=adjust)["W3D1"]
    assert (w3d1.status, w3d1.date, w3d1.target, w3d1.proposed, w3d1.note) == (
        "done", D("2025-10-01"), D("2025-10-01"), None, None
    )  # fmt: skip
    assert not w3d1.moved
    # `working_day` is the date's: the visit took place on National Day.
    assert (w3d1.working_day, w3d1.non_working_reason) == (False, "National Day")
    assert (w3d1.target_working, w3d1.target_reason) == (False, "National Day")
    assert (w3d1.deviation_days, w3d1.in_window) == (0, True)


def test_a_late_done_visit_is_on_its_actual_day_without_adjust() -> None:
    # Done on Tuesday 2025-12-30 (a working day), 90 days after its protocol date 10-01.
    w3d1 = national_day(actual={"W3D1": "2025-12-30"})["W3D1"]
    assert (w3d1.date, w3d1.proposed, w3d1.note) == (D("2025-12-30"), None, None)
    assert (w3d1.working_day, w3d1.non_working_reason, w3d1.deviation_days) == (True, None, 90)


@pytest.mark.parametrize("adjust", [False, True])
def test_a_missed_visit_stays_on_its_protocol_date_unproposed(adjust: bool) -> None:
    w3d1 = national_day(missed=("W3D1",), adjust=adjust)["W3D1"]
    assert (w3d1.status, w3d1.date, w3d1.proposed, w3d1.note, w3d1.moved) == (
        "missed", D("2025-10-01"), None, None, False
    )  # fmt: skip
    assert (w3d1.working_day, w3d1.non_working_reason) == (False, "National Day")


def test_a_done_w1d1_on_a_closed_day_gets_no_advice() -> None:
    # W1D1 on National Day is never moved, and while planned the plan says to choose another
    # start; once it happened there is nothing to choose.
    planned = national_day()  # W1D1 Wednesday 2025-09-17: a working day, no note
    assert planned["W1D1"].note is None
    visits = rcp(
        "2025-10-01", actual={"W1D1": "2025-10-01"}, window=Window(3, 3),
        site=SiteCalendar("CN"), today=D("2026-01-05"),
    )  # fmt: skip
    assert visits["W1D1"].note is None
    assert rcp("2025-10-01", site=SiteCalendar("CN"), today=D("2026-01-05"))["W1D1"].note


def test_a_proposal_never_reaches_the_actual_day_of_the_next_visit() -> None:
    # phase1b-500 from Sunday 2024-01-07: W25D1 = +168 = Sunday 2024-06-23 (Jan +24, Feb +29,
    # Mar +31, Apr +30, May +31, Jun +23), W27D1 = +182 = Sunday 2024-07-07. Window 3: W25D1's
    # nearest working day is Monday 06-24 (+1). W27D1 was done on Monday 06-24 (recorded, early):
    # W25D1 cannot be proposed for that day, so it stays on its protocol date (and the record
    # is taken as it is taken without --adjust, where W25D1 is planned for 06-23).
    result = engine.plan(
        TRIAL, "phase1b-500", D("2024-01-07"),
        records=Records({key("W27D1"): D("2024-06-24")}),
        policy=Policy(window=Window(3, 3), site=SiteCalendar("CN"), adjust=True,
                      today=D("2025-01-01")),
    )  # fmt: skip
    visits = {str(visit.code): visit for visit in result.visits}
    w25d1 = visits["W25D1"]
    assert (w25d1.target, w25d1.proposed, w25d1.date) == (D("2024-06-23"), None, D("2024-06-23"))
    assert w25d1.note is not None
    assert "would not keep the visits in order" in str(w25d1.note)
    assert (visits["W27D1"].status, visits["W27D1"].date) == ("done", D("2024-06-24"))


def output_of(run: Run, tmp_path: Path, fmt: str, *args: str) -> str:
    """`plan ARGS --format FMT` as text (a workbook's as all its text)."""
    if fmt == "xlsx":
        target = tmp_path / "plan.xlsx"
        result = run("plan", *args, "--format", fmt, "-o", str(target), "--force")
        assert result.exit_code == 0, result.stderr
        return workbook_text(target.read_bytes())
    result = run("plan", *args, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    return result.stdout


PLAN_FORMATS = ("table", "csv", "json", "md", "ics", "calendar", "xlsx", "html")


@pytest.mark.parametrize("fmt", PLAN_FORMATS)
def test_no_format_moves_or_proposes_a_done_visit(run: Run, tmp_path: Path, fmt: str) -> None:
    # The run: W3D1 done on National Day, --adjust. The proposal 2025-09-30 appears
    # nowhere, nor a move or the advice to adjust; planned, W3D1 would show it.
    done = ("--actual", "W1D1=2025-09-17", "--actual", "W3D1=2025-10-01")
    text = output_of(run, tmp_path, fmt, *HISTORY, "--adjust", *done)
    for proposal in ("2025-09-30", "20250930", "moved from", "--adjust"):
        assert proposal not in text, (fmt, proposal)
    planned = output_of(run, tmp_path, fmt, *HISTORY, "--adjust")
    assert "2025-09-30" in planned or "20250930" in planned or fmt == "calendar"


@pytest.mark.parametrize("fmt", PLAN_FORMATS)
def test_no_format_advises_adjusting_a_done_visit(run: Run, tmp_path: Path, fmt: str) -> None:
    text = output_of(run, tmp_path, fmt, *HISTORY, "--actual", "W3D1=2025-12-30")
    for advice in ("2025-09-30", "20250930", "Proposed", "--adjust"):
        assert advice not in text, (fmt, advice)


def test_a_done_visit_in_json_and_csv_has_its_actual_day_as_date(run: Run, tmp_path: Path) -> None:
    done = ("--actual", "W1D1=2025-09-17", "--actual", "W3D1=2025-10-01", "--adjust")
    w3d1 = cli_json(run, *HISTORY[4:], *done, arm="phase3-rcp", start="2025-09-17")["W3D1"]
    assert (w3d1["date"], w3d1["weekday"], w3d1["actual_date"], w3d1["protocol_date"]) == (
        "2025-10-01", "Wednesday", "2025-10-01", "2025-10-01"
    )  # fmt: skip
    assert (w3d1["proposed_date"], w3d1["note"], w3d1["working_day"]) == (None, None, False)
    assert w3d1["non_working_reason"] == "National Day"
    rows = csv.DictReader(io.StringIO(output_of(run, tmp_path, "csv", *HISTORY, *done)))
    row = next(row for row in rows if row["code"] == "W3D1")
    assert (row["date"], row["proposed_date"], row["note"]) == ("2025-10-01", "", "")


def test_a_done_visits_event_sits_on_its_actual_day_with_its_uid(run: Run, tmp_path: Path) -> None:
    def events(text: str) -> dict[str, tuple[str, str]]:
        found = {}
        for block in text.split("BEGIN:VEVENT")[1:]:
            fields = dict(line.split(":", 1) for line in block.splitlines() if ":" in line)
            code = fields["SUMMARY"].split()[0]
            found[code] = (fields["UID"], fields["DTSTART;VALUE=DATE"])
        return found

    planned = events(output_of(run, tmp_path, "ics", *HISTORY, "--adjust"))
    done = events(
        output_of(run, tmp_path, "ics", *HISTORY, "--adjust", "--actual", "W3D1=2025-10-01")
    )
    assert planned["W3D1"] == (done["W3D1"][0], "20250930")
    assert done["W3D1"][1] == "20251001"


def test_a_roster_keeps_a_done_visit_on_its_actual_day(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("participant,arm,start\nA,phase3-rcp,2025-09-17\n", encoding="utf-8")
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(
        "participant,code,date\nA,W1D1,2025-09-17\nA,W3D1,2025-10-01\n", encoding="utf-8"
    )
    result = run(
        "roster", str(roster), "--actuals", str(actuals), "--window", "3", "--adjust",
        "--today", "2026-01-05", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (plan,) = json.loads(result.stdout)
    w3d1 = next(visit for visit in plan["visits"] if visit["code"] == "W3D1")
    assert (w3d1["date"], w3d1["proposed_date"], w3d1["note"]) == ("2025-10-01", None, None)


# --- #7: plan flags a planned visit whose window has closed -----------------------------------
# phase3-rcp from Wednesday 2025-09-17 with --window 3: W3D1 2025-10-01 (window 09-28..10-04),
# W25D1 2026-03-04 (+168 days). W1D1 done on its day; today 2025-10-10.

OVERDUE_PLAN = (
    "plan", "--arm", "phase3-rcp", "--start", "2025-09-17", "--window", "3",
    "--actual", "W1D1=2025-09-17", "--today", "2025-10-10",
)  # fmt: skip


def test_plan_flags_a_visit_whose_window_closed_with_nothing_recorded(run: Run) -> None:
    result = run(*OVERDUE_PLAN, "--format", "json")
    assert result.exit_code == 0, result.stderr
    visits = {v["code"]: v["overdue"] for v in json.loads(result.stdout)["visits"]}
    assert visits == {"W1D1": False, "W3D1": True, "W25D1": False, "W27D1": False}
    table = run(*OVERDUE_PLAN)
    assert table.exit_code == 0, table.stderr
    assert "W3D1 (2025-10-01): overdue: its window closed on 2025-10-04, nothing recorded." in (
        " ".join(table.stdout.split())
    )
    assert "W25D1 (2026-03-04): overdue" not in table.stdout


def test_a_missed_visit_is_not_overdue_and_an_untracked_plan_is_not_judged(run: Run) -> None:
    missed = run(*OVERDUE_PLAN, "--missed", "W3D1", "--format", "json")
    assert missed.exit_code == 0, missed.stderr
    assert [v["overdue"] for v in json.loads(missed.stdout)["visits"]] == [False] * 4
    untracked = run(
        "plan", "--arm", "phase3-rcp", "--start", "2025-09-17", "--today", "2025-10-10",
        "--format", "json",
    )  # fmt: skip
    assert [v["overdue"] for v in json.loads(untracked.stdout)["visits"]] == [None] * 4


def test_overdue_without_a_window_says_its_day_has_passed(run: Run) -> None:
    # No window: W3D1 (2025-10-01) is overdue from 2025-10-02 on.
    result = run(
        "plan", "--arm", "phase3-rcp", "--start", "2025-09-17", "--actual", "W1D1=2025-09-17",
        "--today", "2025-10-02", "--format", "md",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "- W3D1 (2025-10-01): overdue: its day has passed (no window), nothing recorded.\n" in (
        result.stdout
    )
    on_the_day = run(
        "plan", "--arm", "phase3-rcp", "--start", "2025-09-17", "--actual", "W1D1=2025-09-17",
        "--today", "2025-10-01", "--format", "md",
    )  # fmt: skip
    assert "overdue" not in on_the_day.stdout


# --- visits keep the protocol's order ------------------------------------------------------------


def test_a_proposal_never_puts_w3d1_on_or_before_w1d1(run: Run, tmp_path: Path) -> None:
    # W1D1 Mon 2024-03-04; W3D1 2024-03-18 with a window of 14 days: 03-04..04-01. The site is
    # closed 2024-03-05..2024-04-01, so the only working day in the window is W1D1's own day.
    closed = "\n".join(
        f"2024-{m:02d}-{d:02d},Site closed,holiday"
        for m, d in [(3, day) for day in range(5, 32)] + [(4, 1)]
    )
    holidays = tmp_path / "closed.csv"
    holidays.write_text(f"date,name,kind\n{closed}\n", encoding="utf-8")
    result = run(
        "plan", "--arm", "phase3-rcp", "--start", "2024-03-04", "--holidays", str(holidays),
        "--window", "14", "--adjust", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    import json

    w3d1 = json.loads(result.stdout)["visits"][1]
    assert (w3d1["code"], w3d1["date"], w3d1["proposed_date"]) == ("W3D1", "2024-03-18", None)
    assert "would not keep the visits in order" in w3d1["note"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            # W25D1 done while W3D1 (2024-01-15) is still planned after it.
            ("--start", "2024-01-01", "--actual", "W25D1=2024-01-10", "--today", "2024-02-01"),
            "--actual W25D1=2024-01-10 is not after W3D1, still planned for 2024-01-15: visits "
            "happen in visit order (record W3D1 first, done or missed)",
        ),
        (
            # W27D1 (protocol 2025-09-08) done 181 days early, W3D1 and W25D1 still planned.
            ("--start", "2025-03-10", "--actual", "W27D1=2025-03-11", "--today", "2025-03-11"),
            "--actual W27D1=2025-03-11 is not after W25D1, still planned for 2025-08-25: visits "
            "happen in visit order (record W25D1 first, done or missed)",
        ),
        (
            # Missed six months ahead of its day, 2025-09-08.
            ("--start", "2025-03-10", "--missed", "W27D1", "--today", "2025-03-11"),
            "--missed W27D1: its day has not come (2025-09-08; today is 2025-03-11): a visit is "
            "missed once its window has opened",
        ),
    ],
)
def test_records_out_of_visit_order_are_refused(
    run: Run, args: tuple[str, ...], expected: str
) -> None:
    assert error_line(run("plan", "--arm", "phase3-rcp", *args)) == expected
