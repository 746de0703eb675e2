"""The registry's study dates (issue 9 #12): visits before the study start or after its
completion date are marked in every format and said once on stderr."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import Run


def _csv(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


# --- #12: study dates (registry: start 2022-08-18, completion 2027-03-31) ----------------------
# phase1b-500 from Mon 2024-01-01 (2024 a leap year: 2025-01-01 = +366, 2026-01-01 = +731,
# 2027-01-01 = +1096, 2028-01-01 = +1461): W157D1 = +1092 = 2026-12-28 (before completion);
# W183D1 = +1274 = 2027-01-01 + 178 = 2027-06-28; W209D1 = +1456 = 2028-01-01 - 5 = 2027-12-27.
# Both after 2027-03-31.

LATE = ("plan", "--arm", "phase1b-500", "--start", "2024-01-01")
AFTER_NOTE = (
    "2 visits after the study completion date 2027-03-31 (NCT05314010 registry), from W183D1 "
    "(2027-06-28): dates move by amendment; check the protocol's current dates."
)
EARLY = ("plan", "--arm", "phase3-rcp", "--start", "2022-08-17")  # a day before the study start
BEFORE_NOTE = (
    "W1D1 2022-08-17 is before the study start 2022-08-18 (NCT05314010 registry): check the "
    "start date, or the protocol's current dates."
)


def test_visits_after_completion_in_csv_and_json(run: Run) -> None:
    import json

    rows = _csv(run(*LATE, "--format", "csv").stdout)
    after = {r["code"]: r["after_study_completion"] for r in rows}
    assert after["W157D1"] == "false"
    assert (after["W183D1"], after["W209D1"]) == ("true", "true")
    assert {r["date"] for r in rows if r["after_study_completion"] == "true"} == {
        "2027-06-28", "2027-12-27",
    }  # fmt: skip
    assert {r["before_study_start"] for r in rows} == {"false"}
    document = json.loads(run(*LATE, "--format", "json").stdout)
    assert (document["study_start"], document["study_completion"]) == ("2022-08-18", "2027-03-31")
    assert document["before_study_start"] is False
    assert document["study_dates_note"] == AFTER_NOTE
    late = [v["code"] for v in document["visits"] if v["after_study_completion"]]
    assert late == ["W183D1", "W209D1"]


def test_the_last_day_of_the_study_is_not_after_it(run: Run) -> None:
    import json

    # W27D1 = start + 182 days; 2026-09-30 + 182 = 2027-03-31 (Oct 31 +31, Nov 30 +61, Dec 31
    # +92, Jan 31 +123, Feb 28 +151, Mar 31 +182); a day later it is 2027-04-01.
    on = json.loads(run("plan", "--arm", "phase3-rcp", "--start", "2026-09-30", "--format",
                        "json").stdout)  # fmt: skip
    assert on["visits"][-1]["date"] == "2027-03-31"
    assert [v["after_study_completion"] for v in on["visits"]] == [False] * 4
    assert on["study_dates_note"] is None
    past = run("plan", "--arm", "phase3-rcp", "--start", "2026-10-01", "--format", "json")
    visits = json.loads(past.stdout)["visits"]
    assert [v["after_study_completion"] for v in visits] == [False, False, False, True]
    assert visits[-1]["date"] == "2027-04-01"


@pytest.mark.parametrize("fmt", ["table", "md", "calendar"])
def test_study_dates_note_in_the_human_formats(run: Run, fmt: str) -> None:
    for command, note in ((LATE, AFTER_NOTE), (EARLY, BEFORE_NOTE)):
        result = run(*command, "--format", fmt)
        assert result.exit_code == 0, result.stderr
        flat = " ".join(line.strip(" *-") for line in result.stdout.splitlines())
        assert note in re.sub(r"\s+", " ", flat)


def test_study_dates_in_calendar_events(run: Run) -> None:
    import vobject

    calendar = vobject.readOne(run(*LATE, "--format", "ics").stdout)
    flagged = [
        event.dtstart.value.isoformat()
        for event in calendar.vevent_list
        # issue 16 #3: a planned visit says it as why its date is to be confirmed
        if "after the study completion date 2027-03-31" in event.description.value.lower()
    ]
    assert flagged == ["2027-06-28", "2027-12-27"]
    early = vobject.readOne(run(*EARLY, "--format", "ics").stdout)
    first = [e for e in early.vevent_list if "Before the study start" in e.description.value]
    assert [e.dtstart.value.isoformat() for e in first] == ["2022-08-17"]


def test_study_dates_warn_once_on_stderr_and_exit_0(run: Run) -> None:
    result = run(*LATE, "--format", "csv")
    assert result.exit_code == 0
    assert result.stderr == f"mil62sched: warning: {AFTER_NOTE}\n"
    early = run(*EARLY)
    assert early.exit_code == 0
    assert early.stderr == f"mil62sched: warning: {BEFORE_NOTE}\n"
    inside = run("plan", "--arm", "phase3-rcp", "--start", "2024-01-01", "--format", "csv")
    assert inside.stderr == ""
    assert {r["after_study_completion"] for r in _csv(inside.stdout)} == {"false"}


def test_a_roster_warns_once_for_all_its_participants(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "site.csv"
    roster.write_text(
        "participant,arm,start\n"
        "A1,phase1b-500,2024-01-01\n"  # W183D1, W209D1 after completion
        "A2,phase1b-1000,2024-01-01\n"  # the same visits
        "B1,phase3-rcp,2022-08-17\n"  # before the start
        "C1,phase3-rcp,2024-01-01\n",  # inside: W27D1 2024-07-01
        encoding="utf-8",
    )
    result = run("roster", str(roster), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "mil62sched: warning: 2 participant(s) with visits after the study completion date "
        "2027-03-31 and 1 with W1D1 before the study start 2022-08-18 (NCT05314010 registry): "
        "dates move by amendment; check the protocol's current dates.\n"
    )
    rows = _csv(result.stdout)
    assert sum(r["after_study_completion"] == "true" for r in rows) == 4
    assert {r["participant"] for r in rows if r["before_study_start"] == "true"} == {"B1"}
