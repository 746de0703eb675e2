"""The roster's fast paths say what the plain ones say: a Planner shared by every participant of
a run (its per-schedule steps and per-date answers are kept between participants), the CSV
exporter's cached cells, and the roster reader's participant index."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mil62sched import engine, protocol
from mil62sched.errors import UsageError
from mil62sched.formats import csv_rows as csv_export
from mil62sched.inputs import Reading
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Policy, Records, VisitKey
from mil62sched.model.protocol import Window
from mil62sched.roster.files import RowError, read_roster
from mil62sched.site.workdays import Override, SiteCalendar

P = protocol.load()
CN = SiteCalendar("CN")
D = date.fromisoformat
W1D1_CLOSED = (
    "not a working day (weekend); W1D1 starts the period's timeline, so it is never moved: "
    "choose another start date if the site is closed"
)

participants = st.lists(
    st.tuples(
        st.sampled_from(sorted(P.arms)),
        st.dates(date(2023, 1, 1), date(2026, 12, 31)),
        st.none() | st.builds(Window, st.integers(0, 5), st.integers(0, 5)),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(roster=participants, adjust=st.booleans(), site_window=st.none() | st.just(Window(2, 2)))
def test_a_shared_planner_plans_each_participant_as_a_fresh_one_would(
    roster: list[tuple[str, date, Window | None]], adjust: bool, site_window: Window | None
) -> None:
    policy = Policy(window=site_window, site=CN, adjust=adjust)
    shared = engine.Planner(P, policy)
    for arm, start, window in roster:
        assert shared.plan(arm, start, window=window) == engine.plan(
            P, arm, start, window=window, policy=policy
        )


def test_w1d1_on_a_closed_day_is_not_moved_though_another_visit_that_day_was() -> None:
    # 2024-06-01 and 2024-06-15 are Saturdays. The first participant's W3D1 falls on 06-15 and
    # moves to Friday 06-14 (06-16 is a Sunday, searched first); the second starts on 06-15.
    planner = engine.Planner(P, Policy(site=CN))
    first = planner.plan("phase3-rcp", D("2024-06-01"), window=Window(3, 3))
    w3d1 = first.visits[1]
    assert (w3d1.code, w3d1.target, w3d1.proposed, w3d1.note) == (
        VisitCode(3, 1),
        D("2024-06-15"),
        D("2024-06-14"),
        None,
    )
    second = planner.plan("phase3-rcp", D("2024-06-15"), window=Window(3, 3))
    w1d1 = second.visits[0]
    assert (w1d1.target, w1d1.working_day, w1d1.proposed) == (D("2024-06-15"), False, None)
    assert str(w1d1.note) == W1D1_CLOSED


def test_a_closed_day_without_a_window_is_not_moved_though_it_was_with_one() -> None:
    planner = engine.Planner(P, Policy(site=CN))
    planner.plan("phase3-rcp", D("2024-06-01"), window=Window(3, 3))
    w3d1 = planner.plan("phase3-rcp", D("2024-06-01")).visits[1]
    assert (w3d1.target, w3d1.window_start, w3d1.proposed) == (D("2024-06-15"), None, None)
    assert str(w3d1.note) == "not a working day (weekend) and no window is set to move it in"


def test_a_visit_after_the_next_period_started_is_dropped_on_its_protocol_date() -> None:
    # phase3: RCP W1D1 2024-01-01 (a Monday), W25D1 on study day 169 = 2024-06-17; with the OLP
    # starting on 2024-06-03 the RCP's W25D1 and W27D1 were never given.
    plan = engine.plan(
        P, "phase3", D("2024-01-01"), period_starts={"OLP": D("2024-06-03")}, policy=Policy(site=CN)
    )
    rcp = [visit for visit in plan.visits if visit.period == "RCP"]
    assert [visit.status for visit in rcp] == ["planned", "planned", "dropped", "dropped"]
    w25d1 = rcp[2]
    assert (w25d1.code, w25d1.target, w25d1.date, w25d1.proposed) == (
        VisitCode(25, 1),
        D("2024-06-17"),
        D("2024-06-17"),
        None,
    )
    assert str(w25d1.note) == "not given: the participant entered the next period on 2024-06-03"


def test_a_site_holiday_named_like_a_formula_is_neutralised_in_every_row() -> None:
    # Monday 2024-01-15 is W3D1 of a start on 2024-01-01; the site's file names it "=1+2".
    site = SiteCalendar("CN", {D("2024-01-15"): Override("=1+2", "holiday")})
    for participant in ("CT303-0001", "CT303-0002"):  # the second one from the cached cells
        plan = engine.plan(
            P, "phase3-rcp", D("2024-01-01"), participant=participant, policy=Policy(site=site)
        )
        row = dict(zip(csv_export.HEADER, list(csv_export.rows(plan))[1], strict=True))
        assert row["code"] == "W3D1"
        assert row["non_working_reason"] == "'=1+2"
        assert row["note"] == "not a working day (=1+2) and no window is set to move it in"


@pytest.mark.parametrize(
    ("arm", "start", "options", "message"),
    [
        (
            "phase3-rcp",
            "0001-01-02",
            {"window": Window(3, 3)},
            "start date 0001-01-02 is too early: the window of W1D1 would begin before 0001-01-01",
        ),
        # W27D1 (study day 183) of a start on 9999-06-26 is 9999-12-25; W3D1 done two days late
        # moves it to 12-27, whose window of 5 days after would end on 12-32.
        (
            "phase3-rcp",
            "9999-06-26",
            {
                "window": Window(0, 5),
                "records": Records({VisitKey(VisitCode(3, 1)): D("9999-07-12")}),
                "policy": Policy(anchor="previous"),
            },
            "the window of RCP W27D1 (9999-12-27) runs off the calendar",
        ),
        # W3D1 on 9999-12-01 puts W25D1, 154 days later, past the calendar.
        (
            "phase3-rcp",
            "9990-01-01",
            {
                "records": Records({VisitKey(VisitCode(3, 1)): D("9999-12-01")}),
                "policy": Policy(anchor="previous"),
            },
            "phase3-rcp would run past 9999-12-31 from 9999-12-01: give an earlier date",
        ),
    ],
)
def test_plans_that_run_off_the_calendar_are_refused_plainly(
    arm: str, start: str, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError) as refused:
        engine.plan(P, arm, D(start), **options)
    assert str(refused.value) == message


def test_a_duplicate_names_the_first_row_and_its_spelling(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "participant,arm,start\n"
        "P1,no-such-arm,2025-01-06\n"
        "p1,phase3-rcp,2025-01-07\n"
        "P2,phase3-rcp,2025-01-08\n"
        "P2,phase3-rcp,2025-01-09\n",
        encoding="utf-8",
    )
    refused = [row for row in read_roster(roster, P, Reading()) if isinstance(row, RowError)]
    assert [str(row) for row in refused[1:]] == [
        "roster.csv line 3: duplicate participant 'p1' (first on line 2, as 'P1': IDs are "
        "compared ignoring case)",
        "roster.csv line 5: duplicate participant 'P2' (first on line 4)",
    ]


def test_an_early_olp_start_that_fits_is_planned_even_where_the_default_would_not() -> None:
    # The default OLP start, RCP W53D1 (9997-08-03), would put OLP W131D1 past the calendar; the
    # OLP given on 9996-08-14 puts it 910 days on: +365 to 9997-08-14, +365 to 9998-08-14, +180
    # (17 to Aug 31, then Sep 30, Oct 31, Nov 30, Dec 31, Jan 31, and 10) -> 9999-02-10.
    plan = engine.plan(P, "phase3", D("9996-08-04"), period_starts={"OLP": D("9996-08-14")})
    last = plan.visits[-1]
    assert (last.period, str(last.code), last.date) == ("OLP", "W131D1", D("9999-02-10"))
