"""Infusion chairs (issue 4): `capacity.load/over/balance`, and `--chairs N --adjust` on `roster`
and `agenda`, which move infusions inside their windows to working days with a free chair.

Every date is worked out by hand. Three phase3-rcp participants (W3D1 = +14 days, W25D1 = +168
= 24 weeks, W27D1 = +182 = 26 weeks, all on the start's weekday):

- A from Friday 2025-01-10: W3D1 2025-01-24; W25D1: Jan 10 + 21 = Jan 31, +28 = Feb 28, +31 =
  Mar 31, +30 = Apr 30, +31 = May 31, +27 = Jun 27, so Friday 2025-06-27; W27D1 2025-07-11.
- B from Friday 2025-06-13: W3D1 2025-06-27 (the same day as A's W25D1); W25D1 2025-11-28
  (Jun 13 + 17 = Jun 30, +31, +31, +30, +31 = Oct 31, +28 = Nov 28); W27D1 2025-12-12.
- C from Thursday 2025-06-26: W3D1 2025-07-10, W25D1 2025-12-11, W27D1 2025-12-25.

So 2025-06-27 is the only day with two infusions. None of these dates is a mainland China
holiday in 2025 (Spring Festival 28 Jan-4 Feb, Dragon Boat 31 May-2 Jun, National Day 1-8 Oct);
2025-06-28 and 2025-06-29 are a Saturday and a Sunday.

On a full day the participant listed later in the roster moves; the search goes +1, -1, +2, -2
days from the planned date, inside the window, for a working day with a free chair.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import Result

from mil62sched import engine, protocol
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Policy, Records, VisitKey
from mil62sched.model.protocol import Window
from mil62sched.site import chairs as capacity
from mil62sched.site.workdays import SiteCalendar
from tests.conftest import Run

TRIAL = protocol.load()
D = date.fromisoformat
WARNING = "mil62sched: warning: "
STARTS = {"A": "2025-01-10", "B": "2025-06-13", "C": "2025-06-26"}


def roster_file(tmp_path: Path, *who: str, windows: dict[str, str] | None = None) -> str:
    windows = windows or {}
    lines = ["participant,arm,start,window"]
    lines += [f"{p},phase3-rcp,{STARTS[p]},{windows.get(p, '')}" for p in who]
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def dates(result: Result) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(participant, code) -> (planned date, protocol date, note) from roster CSV output."""
    assert result.exit_code == 0, result.stderr
    return {
        (row["participant"], row["code"]): (row["date"], row["protocol_date"], row["note"])
        for row in csv.DictReader(io.StringIO(result.stdout))
    }


def moved_only(got: dict[tuple[str, str], tuple[str, str, str]]) -> dict[tuple[str, str], str]:
    return {key: day for key, (day, target, _) in got.items() if day != target}


def roster(run: Run, path: str, *options: str) -> Result:
    return run("roster", path, "--today", "2025-01-10", "--format", "csv", *options)


def test_chairs_without_adjust_move_nothing(run: Run, tmp_path: Path) -> None:
    result = roster(run, roster_file(tmp_path, "A", "B"), "--window", "2", "--chairs", "1")
    # ...but the over-full day is flagged (issue 9 #3): A's W25D1 and B's W3D1 on 2025-06-27.
    assert result.stderr == f"{WARNING}2025-06-27: 2 infusions for 1 chair(s)\n"
    assert moved_only(dates(result)) == {}


def test_the_later_participant_moves_past_the_weekend_and_a_full_day(
    run: Run, tmp_path: Path
) -> None:
    # B (listed after A) leaves Friday 06-27; window 06-25..06-29. +1 Saturday 06-28: not a
    # working day; -1 Thursday 06-26: C's W1D1 already has the chair; +2 Sunday 06-29: not a
    # working day; -2 Wednesday 06-25: working and free. B's W3D1 goes to 2025-06-25.
    path = roster_file(tmp_path, "A", "B", "C")
    result = roster(run, path, "--window", "2", "--chairs", "1", "--adjust")
    assert result.stderr == ""
    got = dates(result)
    assert moved_only(got) == {("B", "W3D1"): "2025-06-25"}
    assert got["B", "W3D1"] == (
        "2025-06-25",
        "2025-06-27",
        "moved from 2025-06-27 to 2025-06-25: more than 1 infusions",
    )
    assert got["A", "W25D1"][0] == "2025-06-27"
    assert got["C", "W1D1"][0] == "2025-06-26"


def test_without_the_third_participant_the_thursday_is_free(run: Run, tmp_path: Path) -> None:
    # +1 Saturday 06-28 is not a working day; -1 Thursday 06-26 is free.
    result = roster(
        run, roster_file(tmp_path, "A", "B"), "--window", "2", "--chairs", "1", "--adjust"
    )
    assert moved_only(dates(result)) == {("B", "W3D1"): "2025-06-26"}


def test_without_the_working_day_check_the_saturday_is_taken(run: Run, tmp_path: Path) -> None:
    # --no-holidays: every day is a working day, and +1 comes before -1: Saturday 06-28.
    path = roster_file(tmp_path, "A", "B")
    result = roster(run, path, "--no-holidays", "--window", "2", "--chairs", "1", "--adjust")
    assert moved_only(dates(result)) == {("B", "W3D1"): "2025-06-28"}


def test_roster_order_decides_who_keeps_the_day(run: Run, tmp_path: Path) -> None:
    # B listed first now: A (later) moves its W25D1 off 06-27; window 06-25..06-29, -1 06-26.
    path = roster_file(tmp_path, "B", "A")
    result = roster(run, path, "--window", "2", "--chairs", "1", "--adjust")
    assert moved_only(dates(result)) == {("A", "W25D1"): "2025-06-26"}


def test_no_window_keeps_the_date_and_warns(run: Run, tmp_path: Path) -> None:
    # No window anywhere: neither infusion may move. B is tried first, then A; both keep
    # 2025-06-27, which stays over-full: one warning for the day, naming both (in name order)
    # with the reason. The run still succeeds.
    result = roster(run, roster_file(tmp_path, "A", "B"), "--chairs", "1", "--adjust")
    assert moved_only(dates(result)) == {}
    assert result.stderr.splitlines() == [
        f"{WARNING}2025-06-27: 2 infusions for 1 chair(s); could not move A W25D1 (no window "
        "set), B W3D1 (no window set)"
    ]


def test_a_window_with_no_free_working_day_keeps_the_date_and_warns(
    run: Run, tmp_path: Path
) -> None:
    # Window 0,1 (0 before, 1 after) around Friday 06-27: only Saturday 06-28 besides, not a
    # working day. B and then A are tried; nothing moves, and the day is reported once.
    path = roster_file(tmp_path, "A", "B")
    result = roster(run, path, "--window", "0,1", "--chairs", "1", "--adjust")
    assert moved_only(dates(result)) == {}
    assert result.stderr.splitlines() == [
        f"{WARNING}2025-06-27: 2 infusions for 1 chair(s); could not move A W25D1 (no working "
        "day with a free chair in its window -0/+1 d), B W3D1 (no working day with a free chair "
        "in its window -0/+1 d)"
    ]


def test_no_warning_when_another_infusion_frees_the_day(run: Run, tmp_path: Path) -> None:
    # Only A has a window (2): B (later) cannot move; A moves instead, -1 Thursday 06-26.
    path = roster_file(tmp_path, "A", "B", windows={"A": "2"})
    result = roster(run, path, "--chairs", "1", "--adjust")
    assert moved_only(dates(result)) == {("A", "W25D1"): "2025-06-26"}
    assert result.stderr == ""


def test_balance_never_moves_w1d1(run: Run, tmp_path: Path) -> None:
    # P and Q both start Monday 2025-09-15, so all four visits coincide. W1D1 anchors each
    # timeline: neither moves, and 09-15 is reported. Q's later visits (Q is listed later) move
    # +1 to a free Tuesday: W3D1 09-29 -> 09-30; W25D1 (Sep 15 + 15 = Sep 30, +31 +30 +31 +31
    # +28 = Feb 28 is +166) 2026-03-02 -> 03-03; W27D1 2026-03-16 -> 03-17; none a holiday.
    path = tmp_path / "roster.csv"
    path.write_text("participant,arm,start\nP,phase3-rcp,2025-09-15\nQ,phase3-rcp,2025-09-15\n")
    result = roster(run, str(path), "--window", "2", "--chairs", "1", "--adjust")
    got = dates(result)
    assert got["Q", "W1D1"][0] == "2025-09-15"
    assert moved_only(got) == {
        ("Q", "W3D1"): "2025-09-30",
        ("Q", "W25D1"): "2026-03-03",
        ("Q", "W27D1"): "2026-03-17",
    }
    assert result.stderr.splitlines() == [
        f"{WARNING}2025-09-15: 2 infusions for 1 chair(s); could not move P W1D1 (W1D1 never "
        "moves), Q W1D1 (W1D1 never moves)"
    ]


def test_a_moved_infusion_keeps_its_uid_and_bumps_its_sequence(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = roster_file(tmp_path, "A", "B", "C")

    def events(epoch: str, *options: str) -> dict[str, tuple[str, str]]:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)  # the export's instant
        result = run("roster", path, "--today", "2025-01-10", "--window", "2", "--format", "ics",
                     *options)  # fmt: skip
        assert result.exit_code == 0, result.stderr
        blocks = re.findall(r"BEGIN:VEVENT\n.*?END:VEVENT\n", result.stdout, re.DOTALL)
        found = {}
        for block in blocks:
            uid = re.search(r"^UID:(\S+)$", block, re.MULTILINE)
            start = re.search(r"^DTSTART;VALUE=DATE:(\d+)$", block, re.MULTILINE)
            sequence = re.search(r"^SEQUENCE:(\d+)$", block, re.MULTILINE)
            assert uid, block
            assert start, block
            assert sequence, block
            found[uid[1]] = (start[1], sequence[1])
        return found

    before = events("1767225600")  # 2026-01-01T00:00:00Z
    after = events("1767229200", "--chairs", "1", "--adjust")  # an hour later
    assert len(before) == 12
    assert set(before) == set(after)
    moved = {
        uid: (before[uid][0], after[uid][0]) for uid in before if before[uid][0] != after[uid][0]
    }
    # Only B's W3D1 moves, from 06-27 to 06-25; the later export wins for every event: its
    # SEQUENCE is the export's seconds since 2025-01-01 (365 days, then an hour more).
    assert list(moved.values()) == [("20250627", "20250625")]
    assert {sequence for _, sequence in before.values()} == {str(365 * 86400)}
    assert {sequence for _, sequence in after.values()} == {str(365 * 86400 + 3600)}


def test_agenda_with_adjust_and_chairs_shows_the_moved_infusion(run: Run, tmp_path: Path) -> None:
    path = roster_file(tmp_path, "A", "B", "C")
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(
        "participant,code,date\nA,W1D1,2025-01-10\nA,W3D1,2025-01-24\nB,W1D1,2025-06-13\n"
    )
    args = ["agenda", path, "--actuals", str(actuals), "--today", "2025-06-23", "--window", "2"]
    # Monday 2025-06-23 for 7 days (to Sunday 06-29), one chair.
    flagged = run(*args, "--chairs", "1", "--format", "json")
    assert flagged.exit_code == 0, flagged.stderr
    document = json.loads(flagged.stdout)
    assert document["over_capacity"] == {"2025-06-27": 2}
    assert [(i["participant"], i["date"], i["flags"]) for i in document["items"]] == [
        ("C", "2025-06-26", []),
        ("A", "2025-06-27", ["over capacity"]),
        ("B", "2025-06-27", ["over capacity"]),
    ]
    balanced = run(*args, "--chairs", "1", "--adjust", "--format", "json")
    assert balanced.exit_code == 0, balanced.stderr
    assert balanced.stderr == ""
    document = json.loads(balanced.stdout)
    assert document["over_capacity"] == {}
    assert [(i["participant"], i["code"], i["date"], i["flags"]) for i in document["items"]] == [
        ("B", "W3D1", "2025-06-25", []),
        ("C", "W1D1", "2025-06-26", []),
        ("A", "W25D1", "2025-06-27", []),
    ]


def test_agenda_warns_about_infusions_it_could_not_place(run: Run, tmp_path: Path) -> None:
    # No window: A's W25D1 and B's W3D1 both stay on Friday 2025-06-27 (within Monday 06-23 ..
    # Sunday 06-29), which is still over-full: the agenda says so on stderr, the table on stdout.
    path = roster_file(tmp_path, "A", "B")
    result = run(
        "agenda", path, "--today", "2025-06-23", "--days", "7", "--chairs", "1", "--adjust"
    )
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"{WARNING}2025-06-27: 2 infusions for 1 chair(s); could not move A W25D1 (no window "
        "set), B W3D1 (no window set)"
    ]
    assert result.stdout.splitlines()[-1] == "* 2025-06-27: 2 infusions for 1 chair"


def test_balance_never_moves_an_infusion_before_today(run: Run, tmp_path: Path) -> None:
    # A starts Tuesday 2025-09-30 (W1D1 today). B from Tuesday 2025-09-16 (W1D1 done): W3D1 +14
    # = 2025-09-30 too. One chair: B (listed later) looks in its window 09-28..10-02: +1 10-01
    # National Day, -1 Monday 09-29 is yesterday, +2 10-02 National Day, -2 Sunday 09-28
    # (worked, but in the past). Nowhere to go: B stays on 09-30, over capacity, with a warning.
    path = tmp_path / "roster.csv"
    path.write_text("participant,arm,start\nA,phase1b-1000,2025-09-30\nB,phase1b-1000,2025-09-16\n")
    actuals = tmp_path / "actuals.csv"
    actuals.write_text("participant,code,date\nB,W1D1,2025-09-16\n")
    result = run(
        "agenda", str(path), "--actuals", str(actuals), "--today", "2025-09-30", "--days", "7",
        "--window", "2", "--chairs", "1", "--adjust", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    assert [(i["participant"], i["code"], i["date"]) for i in items] == [
        ("A", "W1D1", "2025-09-30"),
        ("B", "W3D1", "2025-09-30"),
    ]
    # A's W1D1 never moves. (Elsewhere B's W27D1, 09-16 + 182 = Tuesday 2026-03-17, meets A's
    # W25D1, 09-30 + 168 = 2026-03-17; B moves +1 to Wednesday 03-18, silently.)
    assert result.stderr.splitlines() == [
        f"{WARNING}2025-09-30: 2 infusions for 1 chair(s); could not move A W1D1 (W1D1 never "
        "moves), B W3D1 (no working day with a free chair in its window ±2 d)"
    ]


def test_a_day_full_of_done_infusions_is_not_warned_with_an_empty_list(
    run: Run, tmp_path: Path
) -> None:
    # Monday 2025-09-29, one chair: A's W3D1 (09-15 + 14) and B's W1D1 (B starts that day) are
    # both done; C's W3D1 (09-15 + 14) is planned there, window 09-27..10-01, and moves +1 to
    # Tuesday 09-30. 09-29 keeps its 2 done infusions, which no one can move.
    path = tmp_path / "roster.csv"
    path.write_text(
        "participant,arm,start\nA,phase1b-1000,2025-09-15\nB,phase1b-1000,2025-09-29\n"
        "C,phase1b-1000,2025-09-15\n"
    )
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(
        "participant,code,date\nA,W1D1,2025-09-15\nA,W3D1,2025-09-29\nB,W1D1,2025-09-29\n"
        "C,W1D1,2025-09-15\n"
    )
    result = run(
        "agenda", str(path), "--actuals", str(actuals), "--today", "2025-09-29", "--days", "3",
        "--window", "2", "--chairs", "1", "--adjust", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    assert [(i["participant"], i["code"], i["date"]) for i in items] == [
        ("C", "W3D1", "2025-09-30")
    ]
    for line in result.stderr.splitlines():
        assert re.search(r"could not move \S", line), line


# --- the pure functions -----------------------------------------------------------------------

SITE = SiteCalendar("CN", None)
TWO_DAYS = Window(2, 2)


def plans(window: Window | None = TWO_DAYS, site: SiteCalendar | None = SITE) -> list[engine.Plan]:
    policy = Policy(window=window, site=site, today=D("2025-01-10"))
    return [
        engine.plan(TRIAL, "phase3-rcp", D(STARTS[p]), participant=p, policy=policy)
        for p in ("A", "B", "C")
    ]


def test_load_and_over_count_infusions_per_day() -> None:
    load = capacity.load(plans())
    assert len(load) == 12 - 1  # 12 infusions, two of them on 2025-06-27
    assert load[D("2025-06-27")] == 2
    assert capacity.over(plans(), 1) == {D("2025-06-27"): 2}
    assert capacity.over(plans(), 2) == {}


def test_load_counts_done_visits_on_their_actual_day_and_not_missed_ones() -> None:
    # A's W3D1 (protocol 2025-01-24) done on 2025-01-23; W25D1 missed.
    records = Records(
        {VisitKey(VisitCode(1, 1)): D("2025-01-10"), VisitKey(VisitCode(3, 1)): D("2025-01-23")},
        frozenset({VisitKey(VisitCode(25, 1))}),
    )
    a = engine.plan(
        TRIAL, "phase3-rcp", D("2025-01-10"), participant="A", records=records,
        policy=Policy(today=D("2025-07-01")),
    )  # fmt: skip
    assert capacity.load([a]) == {D("2025-01-10"): 1, D("2025-01-23"): 1, D("2025-07-11"): 1}


def test_balance_counts_a_done_visit_on_its_day_and_never_moves_it() -> None:
    # Issue 16 #1. A from Monday 2025-11-03: W3D1 (protocol Monday 11-17) done on Tuesday
    # 11-18. B from Tuesday 2025-11-04: W3D1 planned Tuesday 11-18. One chair, today 11-18:
    # the day holds two infusions; the done one is history, so B's moves, within its window
    # 11-16..11-20, to +1 Wednesday 11-19 (a working day, free). A's stays on 11-18, its date.
    window, site, today = Window(2, 2), SiteCalendar("CN"), D("2025-11-18")
    a = engine.plan(
        TRIAL, "phase1b-1000", D("2025-11-03"), participant="A",
        records=Records({VisitKey(VisitCode(3, 1)): D("2025-11-18")}),
        policy=Policy(window=window, site=site, today=today),
    )  # fmt: skip
    b = engine.plan(
        TRIAL, "phase1b-1000", D("2025-11-04"), participant="B",
        policy=Policy(window=window, site=site, today=today),
    )  # fmt: skip
    assert capacity.over([a, b], 1) == {D("2025-11-18"): 2}
    balanced, unplaced = capacity.balance([a, b], 1, today)
    assert unplaced == []
    a_w3d1, b_w3d1 = balanced[0].visits[1], balanced[1].visits[1]
    assert (a_w3d1.status, a_w3d1.date, a_w3d1.target) == ("done", D("2025-11-18"), D("2025-11-17"))
    assert (a_w3d1.note, a_w3d1.moved) == (None, False)
    assert (b_w3d1.date, b_w3d1.target) == (D("2025-11-19"), D("2025-11-18"))
    assert capacity.load(balanced)[D("2025-11-18")] == 1


def test_balance_moves_the_later_participant_and_leaves_the_input_alone() -> None:
    original = plans()
    balanced, unplaced = capacity.balance(original, 1)
    assert unplaced == []
    b_w3d1 = balanced[1].visits[1]
    assert (str(b_w3d1.code), b_w3d1.date, b_w3d1.target) == (
        "W3D1",
        D("2025-06-25"),
        D("2025-06-27"),
    )
    assert str(b_w3d1.note) == "moved from 2025-06-27 to 2025-06-25: more than 1 infusions"
    assert capacity.over(balanced, 1) == {}
    # Plans are immutable: the input still has B's W3D1 on 06-27.
    assert original[1].visits[1].date == D("2025-06-27")
    assert [p.visits for p in balanced][0] == original[0].visits
    assert balanced[2].visits == original[2].visits


def test_balance_without_site_calendar_searches_plus_one_first() -> None:
    balanced, unplaced = capacity.balance(plans(site=None), 1)
    assert unplaced == []
    assert balanced[1].visits[1].date == D("2025-06-28")  # +1, a Saturday, allowed without a check


def test_balance_without_windows_reports_each_infusion_it_could_not_place() -> None:
    balanced, unplaced = capacity.balance(plans(window=None), 1)
    assert [v.date for p in balanced for v in p.visits] == [
        v.date for p in plans(window=None) for v in p.visits
    ]
    assert [str(line) for line in unplaced] == [
        "2025-06-27: 2 infusions for 1 chair(s); could not move A W25D1 (no window set), "
        "B W3D1 (no window set)"
    ]


def test_balance_never_moves_to_a_day_before_today() -> None:
    # Today Friday 2025-06-27: B's W3D1 (window 06-25..06-29) may not go back to Wednesday 06-25
    # (where it goes without `today`) nor Thursday 06-26; +1 Saturday 06-28 and +2 Sunday 06-29
    # are not working days. A's W25D1 has the same window: nothing moves.
    balanced, unplaced = capacity.balance(plans(), 1, D("2025-06-27"))
    assert [v.date for p in balanced for v in p.visits] == [
        v.date for p in plans() for v in p.visits
    ]
    reason = "no working day with a free chair in its window ±2 d"
    assert [str(line) for line in unplaced] == [
        f"2025-06-27: 2 infusions for 1 chair(s); could not move A W25D1 ({reason}), "
        f"B W3D1 ({reason})"
    ]


def test_balance_never_moves_an_infusion_already_in_the_past() -> None:
    # Today Saturday 2025-06-28: both infusions of Friday 06-27 are in the past (not recorded).
    balanced, unplaced = capacity.balance(plans(), 1, D("2025-06-28"))
    assert [v.date for p in balanced for v in p.visits] == [
        v.date for p in plans() for v in p.visits
    ]
    assert [str(line) for line in unplaced] == [
        "2025-06-27: 2 infusions for 1 chair(s); could not move A W25D1 (in the past), "
        "B W3D1 (in the past)"
    ]


def test_balance_may_move_an_infusion_to_today() -> None:
    # The control for the two tests above: today Wednesday 2025-06-25, the first day of B's
    # window. Search +1 Saturday 06-28 (off), -1 Thursday 06-26 (C's W1D1: full), +2 Sunday
    # 06-29 (off), -2 Wednesday 06-25 = today, working and free: B's W3D1 goes there.
    balanced, unplaced = capacity.balance(plans(), 1, D("2025-06-25"))
    assert unplaced == []
    assert balanced[1].visits[1].date == D("2025-06-25")


# --- a participant's visits stay in order (issue 15 #1) -------------------------------------------


def test_agenda_never_moves_an_infusion_onto_the_day_of_the_one_before(
    run: Run, tmp_path: Path
) -> None:
    # CT303-0001 (phase3-rcp) from Monday 2025-03-17: W1D1 03-17, W3D1 03-17 + 14 = 03-31,
    # W25D1 03-17 + 168 = 2025-09-01 (Mar 31 +14, Apr 30 +44, May 31 +75, Jun 30 +105, Jul 31
    # +136, Aug 31 +167, +1). 56 others, two a day from 2025-03-18 to 2025-04-14 (28 days):
    # their W1D1s fill 03-18..04-14 with 2 each, and their W3D1s (+14) add 2 more on 04-01..04-14.
    # Two chairs: 03-31 has 3 infusions (CT303-0028 and -0029 start then, W1D1s that never move,
    # and CT303-0001's W3D1). Its window, ±14 d, is 03-17..04-14: every day of it is full but
    # 03-17, the day of its own W1D1. It must stay on 03-31, said in the warning.
    lines = ["participant,arm,start", "CT303-0001,phase3-rcp,2025-03-17"]
    number = 2
    for days in range(28):
        start = D("2025-03-18") + timedelta(days=days)
        for _ in range(2):
            lines.append(f"CT303-{number:04d},phase3-rcp,{start.isoformat()}")
            number += 1
    path = tmp_path / "chairs.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(
        "agenda", str(path), "--chairs", "2", "--window", "14", "--adjust", "--no-holidays",
        "--today", "2025-03-01", "--from", "2025-03-17", "--days", "15", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    first = [(i["code"], i["date"]) for i in items if i["participant"] == "CT303-0001"]
    assert first == [("W1D1", "2025-03-17"), ("W3D1", "2025-03-31")]
    reason = "no working day with a free chair in its window ±14 d that keeps the visits in order"
    assert (
        f"{WARNING}2025-03-31: 3 infusions for 2 chair(s); could not move CT303-0001 W3D1 "
        f"({reason}), CT303-0028 W1D1 (W1D1 never moves), CT303-0029 W1D1 (W1D1 never moves)"
    ) in result.stderr.splitlines()


def fillers(days: list[str], policy: Policy, each: int = 2) -> list[engine.Plan]:
    """`each` phase3-rcp participants starting on each of `days`: their W1D1s fill those days."""
    return [
        engine.plan(
            TRIAL, "phase3-rcp", D(day), participant=f"F{day[5:7]}{day[8:]}{k}", policy=policy
        )
        for day in days
        for k in range(each)
    ]


def test_balance_never_moves_an_infusion_onto_or_past_the_next_one() -> None:
    # X (phase3-rcp) from Monday 2025-01-06: W25D1 2025-06-23 (Jan 31 +25, Feb 28 +53, Mar 31
    # +84, Apr 30 +114, May 31 +145, +23 = 168), W27D1 06-23 + 14 = 2025-07-07. Window 0 days
    # before, 20 after: W25D1 may go 06-23..07-13. Two chairs. Fillers start two a day on
    # 06-09..06-22, so their W3D1s (+14) fill 06-23..07-06 with 2 each: 06-23 has 3 with X's
    # W25D1. X, listed last, is tried first. The first free day, 07-07, is the day of X's own
    # W27D1, and the free days after it (07-08..07-13) come after W27D1: X's W25D1 stays. The
    # next one tried, the later of the two fillers from 06-09 (F06091), moves its W3D1 +14 to
    # 07-07, between its W1D1 06-09 and its W25D1 11-24.
    policy = Policy(window=Window(0, 20), today=D("2025-01-06"))
    x = engine.plan(TRIAL, "phase3-rcp", D("2025-01-06"), participant="X", policy=policy)
    days = [f"2025-06-{day:02d}" for day in range(9, 23)]
    balanced, unplaced = capacity.balance([*fillers(days, policy), x], 2)
    assert [(str(v.code), v.date) for v in balanced[-1].visits] == [
        ("W1D1", D("2025-01-06")),
        ("W3D1", D("2025-01-20")),
        ("W25D1", D("2025-06-23")),
        ("W27D1", D("2025-07-07")),
    ]
    assert unplaced == []
    moved = [
        (plan.participant, str(v.code), v.target, v.date)
        for plan in balanced
        for v in plan.visits
        if v.moved
    ]
    assert moved == [("F06091", "W3D1", D("2025-06-23"), D("2025-07-07"))]


def test_balance_never_moves_an_infusion_onto_the_actual_day_of_the_one_before() -> None:
    # X (phase3-rcp) from Monday 2025-01-06 had W25D1 (protocol date 2025-06-23) a week late, on
    # Monday 06-30, today. W27D1 is planned for Monday 07-07 (06-23 + 14), window 7 days before,
    # 0 after: 06-30..07-07. Two chairs; fillers start two a day on 07-01..07-07, so 07-07 has
    # 3 and 07-01..07-06 are full. 06-30 has a free chair (X's own W25D1 took one), but it is
    # the day X had W25D1: W27D1 stays on 07-07.
    records = Records(
        {
            VisitKey(VisitCode(1, 1)): D("2025-01-06"),
            VisitKey(VisitCode(3, 1)): D("2025-01-20"),
            VisitKey(VisitCode(25, 1)): D("2025-06-30"),
        }
    )
    policy = Policy(window=Window(7, 0), today=D("2025-06-30"))
    x = engine.plan(
        TRIAL, "phase3-rcp", D("2025-01-06"), participant="X", records=records, policy=policy
    )
    days = [f"2025-07-0{day}" for day in range(1, 8)]
    balanced, unplaced = capacity.balance([x, *fillers(days, policy)], 2, D("2025-06-30"))
    w27d1 = balanced[0].visits[3]
    assert (str(w27d1.code), w27d1.date, w27d1.note) == ("W27D1", D("2025-07-07"), None)
    assert [str(line) for line in unplaced] == [
        "2025-07-07: 3 infusions for 2 chair(s); could not move F07070 W1D1 (W1D1 never moves), "
        "F07071 W1D1 (W1D1 never moves), X W27D1 (no working day with a free chair in its "
        "window -7/+0 d that keeps the visits in order)"
    ]


# A site's roster, drawn: up to 40 participants starting within two weeks of each other, so
# that their visits crowd the chairs; windows up to 30 days either side (wider than the 14 days
# between W1D1 and W3D1, or W25D1 and W27D1); with or without the working-day check and
# --adjust; some with W1D1 done, W3D1 done up to 3 days off its date or missed; a journey
# entering the OLP early, so that RCP visits are dropped. (Without the order check in
# `balance`, every run of this test finds a participant whose visits it puts out of order.)
BASE = D("2025-03-03")
ARMS = ("phase3-rcp", "phase1b-1000", "phase3")
RECORDS = ("none", "w1d1", "w3d1", "w3d1-missed")


class Drawn(NamedTuple):
    """One participant of a drawn roster (kept small, so that a failing example reads well)."""

    arm: str
    start: int  # days after BASE
    recorded: str  # one of RECORDS
    off: int  # days W3D1 was done off its date


class Site(NamedTuple):
    """The drawn site: window, working-day check, --adjust, today, chairs."""

    before: int
    after: int
    working_days: bool
    adjust: bool
    today: int  # days after BASE
    chairs: int


PARTICIPANTS = st.lists(
    st.builds(Drawn, st.sampled_from(ARMS), st.integers(0, 13), st.sampled_from(RECORDS),
              st.integers(-3, 3)),
    min_size=2, max_size=40,
)  # fmt: skip
SITES = st.builds(Site, st.integers(0, 30), st.integers(0, 30), st.booleans(), st.booleans(),
                  st.integers(0, 60), st.integers(1, 3))  # fmt: skip


def roster_plans(participants: list[Drawn], site: Site) -> list[engine.Plan]:
    """The drawn roster planned: W1D1 done when recorded, W3D1 done or missed once its day (or
    its window) has passed; a phase3 participant enters the OLP on day 36, so that RCP W25D1
    and W27D1 are dropped."""
    today = BASE + timedelta(days=site.today)
    policy = Policy(
        window=Window(site.before, site.after),
        site=SITE if site.working_days else None,
        adjust=site.adjust,
        today=today,
    )
    plans = []
    for number, drawn in enumerate(participants):
        start = BASE + timedelta(days=drawn.start)
        first = "RCP" if drawn.arm == "phase3" else None
        w1d1, w3d1 = VisitKey(VisitCode(1, 1), first), VisitKey(VisitCode(3, 1), first)
        recorded = drawn.recorded if start <= today else "none"
        actual: dict[VisitKey, date] = {w1d1: start} if recorded != "none" else {}
        missed: frozenset[VisitKey] = frozenset()
        third = start + timedelta(days=14 + drawn.off)
        if recorded == "w3d1" and third <= today:
            actual[w3d1] = third
        elif recorded == "w3d1-missed" and start + timedelta(days=14 + site.before) <= today:
            missed = frozenset({w3d1})
        early = {"OLP": start + timedelta(days=35)} if drawn.arm == "phase3" else None
        plans.append(
            engine.plan(
                TRIAL,
                drawn.arm,
                start,
                participant=f"P{number}",
                period_starts=early,
                records=Records(actual, missed),
                policy=policy,
            )
        )
    return plans


def taking_place(plan: engine.Plan) -> list[date]:
    """The days of a plan's visits that take place, in visit order."""
    return [v.actual or v.date for v in plan.visits if v.status not in ("missed", "dropped")]


@settings(max_examples=100, deadline=None)
@given(PARTICIPANTS, SITES)
def test_balance_keeps_each_participants_visits_in_order_and_reports_every_full_day(
    participants: list[Drawn], site: Site
) -> None:
    plans = roster_plans(participants, site)
    chairs, today = site.chairs, BASE + timedelta(days=site.today)
    for plan in plans:  # what the engine gives is in order: the property is balance's own
        days = taking_place(plan)
        assert days == sorted(set(days)), plan.participant
    balanced, unplaced = capacity.balance(plans, chairs, today)
    for plan in balanced:
        days = taking_place(plan)
        assert days == sorted(set(days)), [(str(v.code), v.date) for v in plan.visits]
    reported = {D(str(line)[:10]) for line in unplaced}
    assert set(capacity.over(balanced, chairs)) <= reported
    for before, after in zip(plans, balanced, strict=True):
        for old, new in zip(before.visits, after.visits, strict=True):
            if new.date != old.date:  # moved: inside its window, not before today
                assert new.window_start is not None
                assert new.window_end is not None
                assert new.window_start <= new.date <= new.window_end
                assert new.date >= today
