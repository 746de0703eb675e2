"""The Phase 3 journey: RCP then OLP, with or without the OLP start (issue 3, part 4).

Registry: RCP infusions W1D1, W3D1, W25D1, W27D1; OLP infusions W1D1, W3D1, W27D1, W53D1, W79D1,
W105D1, W131D1 (no W25D1 in the OLP, as written). OLP W3D1 is MIL62 for those who came from
placebo and placebo for those who came from MIL62, so the blinded journey must hide it.

Arithmetic (start Mon 2024-01-01): RCP W3D1 01-15, W25D1 06-17, W27D1 07-01. The assumed OLP W1D1
is RCP W53D1 = study day 365 = 2024-01-01 + 364 days = 2024-12-30 (2024 has 366 days, so +366
would be 2025-01-01). OLP visits count from their own W1D1: W3D1 +14, W27D1 +182, W53D1 +364,
W79D1 +546, W105D1 +728, W131D1 +910 days.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject

from mil62sched import engine, protocol
from mil62sched.errors import UsageError
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Policy, Records, VisitKey
from mil62sched.site import chairs as capacity
from tests.conftest import (
    Run,
    cn_last_official_year,
    error_line,
    normalise_dtstamp,
    renamed_period_protocol,
    without_study_dates,
)

TRIAL = protocol.load()
D = date.fromisoformat
TODAY = "2026-01-01"

RCP = {"W1D1": "2024-01-01", "W3D1": "2024-01-15", "W25D1": "2024-06-17", "W27D1": "2024-07-01"}
# OLP from the assumed W1D1 Mon 2024-12-30:
# W3D1 = 2025-01-13; W27D1 = +182: Dec 31 (+1), Jan 31 (+32), Feb 28 (+60), Mar 31 (+91),
# Apr 30 (+121), May 31 (+152), +30 -> 2025-06-30; W53D1 = +364 -> 2025-12-29 (2025 has 365
# days: 2024-12-30 + 365 = 2025-12-30); W79D1 = 2025-12-29 + 182: Dec 31 (+2), Jan 31 (+33),
# Feb 28 (+61), Mar 31 (+92), Apr 30 (+122), May 31 (+153), +29 -> 2026-06-29;
# W105D1 = 2025-12-29 + 364 -> 2026-12-28; W131D1 = 2026-12-28 + 182: Dec 31 (+3), Jan 31 (+34),
# Feb 28 (+62), Mar 31 (+93), Apr 30 (+123), May 31 (+154), +28 -> 2027-06-28.
OLP_ASSUMED = {
    "W1D1": "2024-12-30",
    "W3D1": "2025-01-13",
    "W27D1": "2025-06-30",
    "W53D1": "2025-12-29",
    "W79D1": "2026-06-29",
    "W105D1": "2026-12-28",
    "W131D1": "2027-06-28",
}
# OLP from a given W1D1 Mon 2025-02-10 (2025-02-03 is 5 weeks after Mon 2024-12-30, +7):
# W3D1 = 02-24; W27D1 = +182: Feb 28 (+18), Mar 31 (+49), Apr 30 (+79), May 31 (+110),
# Jun 30 (+140), Jul 31 (+171), +11 -> 2025-08-11; W53D1 = +364 -> 2026-02-09 (no Feb 29 in
# between, so +365 = 2026-02-10); W79D1 = 2026-02-09 + 182: Feb 28 (+19), Mar 31 (+50),
# Apr 30 (+80), May 31 (+111), Jun 30 (+141), Jul 31 (+172), +10 -> 2026-08-10;
# W105D1 = 2026-02-09 + 364 -> 2027-02-08; W131D1 = 2027-02-08 + 182: Feb 28 (+20), Mar 31 (+51),
# Apr 30 (+81), May 31 (+112), Jun 30 (+142), Jul 31 (+173), +9 -> 2027-08-09.
OLP_GIVEN = {
    "W1D1": "2025-02-10",
    "W3D1": "2025-02-24",
    "W27D1": "2025-08-11",
    "W53D1": "2026-02-09",
    "W79D1": "2026-08-10",
    "W105D1": "2027-02-08",
    "W131D1": "2027-08-09",
}
# Early OLP entry (after a relapse) on Mon 2024-05-06, before RCP W25D1 (06-17):
# W3D1 = 05-20; W27D1 = +182: May 31 (+25), Jun 30 (+55), Jul 31 (+86), Aug 31 (+117),
# Sep 30 (+147), Oct 31 (+178), +4 -> 2024-11-04; W53D1 = +364 -> 2025-05-05 (2024-05-06 to
# 2025-05-06 has no Feb 29: 365 days); W79D1 = 2025-05-05 + 182: May 31 (+26), Jun 30 (+56),
# Jul 31 (+87), Aug 31 (+118), Sep 30 (+148), Oct 31 (+179), +3 -> 2025-11-03;
# W105D1 = 2025-05-05 + 364 -> 2026-05-04; W131D1 = 2026-05-04 + 182: May 31 (+27),
# Jun 30 (+57), Jul 31 (+88), Aug 31 (+119), Sep 30 (+149), Oct 31 (+180), +2 -> 2026-11-02.
OLP_EARLY = {
    "W1D1": "2024-05-06",
    "W3D1": "2024-05-20",
    "W27D1": "2024-11-04",
    "W53D1": "2025-05-05",
    "W79D1": "2025-11-03",
    "W105D1": "2026-05-04",
    "W131D1": "2026-11-02",
}


def keyed(period: str, dates: dict[str, str]) -> dict[str, str]:
    return {f"{period}:{code}": when for code, when in dates.items()}


def cli(run: Run, *extra: str, arm: str = "phase3", start: str = "2024-01-01") -> str:
    result = run("plan", "--arm", arm, "--start", start, *extra)
    assert result.exit_code == 0, result.stderr
    assert without_study_dates(result.stderr) == ""  # issue 9 #12: those warn, on purpose
    return result.stdout


def cli_json(run: Run, *extra: str, arm: str = "phase3", start: str = "2024-01-01") -> Any:
    return json.loads(cli(run, "--format", "json", *extra, arm=arm, start=start))


def planned(document: Any) -> dict[str, str]:
    return {f"{v['period']}:{v['code']}": v["date"] for v in document["visits"]}


def _code(summary: str) -> str:
    """period:code from an event summary such as 'P001 RCP W3D1 infusion: ...'."""
    match = re.search(r"\b(RCP|OLP) (W[0-9]+D[0-9])\b", summary)
    assert match is not None, summary
    return f"{match[1]}:{match[2]}"


def _field(block: str, name: str) -> str:
    """A property's value in an unfolded VEVENT block."""
    match = re.search(rf"^{name}[;:](.*)$", block.replace("\n ", ""), re.M)
    assert match is not None, (name, block)
    return match[1]


def _seq(block: str) -> int:
    return int(_field(block, "SEQUENCE"))


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize("arm", ["phase3", "phase3-mil62", "phase3-placebo"])
def test_journey_without_olp_start_assumes_rcp_w53d1(run: Run, arm: str) -> None:
    document = cli_json(run, arm=arm)
    assert planned(document) == keyed("RCP", RCP) | keyed("OLP", OLP_ASSUMED)
    assert document["periods"] == [
        {"period": "RCP", "start": "2024-01-01", "start_assumed": False, "note": None},
        {
            "period": "OLP",
            "start": "2024-12-30",
            "start_assumed": True,
            "note": "OLP start assumed: RCP W53D1 (study day 365), 2024-12-30; give the real one "
            "(--period-start OLP=DATE, or the roster's olp_start)",
        },
    ]


def test_assumed_olp_start_is_said_in_the_table(run: Run) -> None:
    assert "OLP start assumed" in cli(run)


def test_journey_with_olp_start(run: Run) -> None:
    document = cli_json(run, "--olp-start", "2025-02-10")
    assert planned(document) == keyed("RCP", RCP) | keyed("OLP", OLP_GIVEN)
    assert document["periods"][1] == {
        "period": "OLP",
        "start": "2025-02-10",
        "start_assumed": False,
        "note": None,
    }


def test_visit_codes_restart_in_the_olp_and_study_days_count_from_its_w1d1(run: Run) -> None:
    visits = cli_json(run, "--olp-start", "2025-02-10")["visits"]
    olp = [(v["code"], v["study_day"]) for v in visits if v["period"] == "OLP"]
    # 7(n-1)+1: W1D1 1, W3D1 15, W27D1 183, W53D1 365, W79D1 547, W105D1 729, W131D1 911.
    assert olp == [
        ("W1D1", 1),
        ("W3D1", 15),
        ("W27D1", 183),
        ("W53D1", 365),
        ("W79D1", 547),
        ("W105D1", 729),
        ("W131D1", 911),
    ]
    assert [v["period"] for v in visits] == ["RCP"] * 4 + ["OLP"] * 7


# --- early OLP entry: RCP visits not given -----------------------------------------------------
# RCP visits on or after the OLP start stay in the plan (so a calendar that imported them can
# cancel them) with status "dropped", on their protocol date, with a note; they are not given.


def dropped(document: Any) -> dict[str, str | None]:
    """The note of every dropped visit, by period:code."""
    return {
        f"{v['period']}:{v['code']}": v["note"]
        for v in document["visits"]
        if v["status"] == "dropped"
    }


def not_given(olp_start: str) -> str:
    return f"not given: the participant entered the next period on {olp_start}"


def test_early_olp_entry_drops_rcp_w25d1_and_w27d1(run: Run) -> None:
    # OLP from Mon 2024-05-06: RCP W25D1 (06-17) and W27D1 (07-01) fall after it.
    document = cli_json(run, "--olp-start", "2024-05-06")
    assert planned(document) == keyed("RCP", RCP) | keyed("OLP", OLP_EARLY)
    assert dropped(document) == {
        "RCP:W25D1": not_given("2024-05-06"),
        "RCP:W27D1": not_given("2024-05-06"),
    }
    by_key = {f"{v['period']}:{v['code']}": v for v in document["visits"]}
    for key in ("RCP:W25D1", "RCP:W27D1"):
        assert by_key[key]["date"] == by_key[key]["protocol_date"] == RCP[key[4:]]
        assert (by_key[key]["proposed_date"], by_key[key]["actual_date"]) == (None, None)
    others = {v["status"] for k, v in by_key.items() if k not in ("RCP:W25D1", "RCP:W27D1")}
    assert others == {"planned"}


def test_olp_start_on_rcp_w25d1_drops_it_too(run: Run) -> None:
    # "on or after the OLP start": W25D1 2024-06-17 is the OLP W1D1 -> dropped, W27D1 too.
    document = cli_json(run, "--olp-start", "2024-06-17")
    assert dropped(document) == {
        "RCP:W25D1": not_given("2024-06-17"),
        "RCP:W27D1": not_given("2024-06-17"),
    }


def test_olp_start_between_w25d1_and_w27d1_keeps_w25d1(run: Run) -> None:
    # OLP from Mon 2024-06-24: W25D1 (06-17) before it stays; W27D1 (07-01) is dropped.
    document = cli_json(run, "--olp-start", "2024-06-24")
    assert dropped(document) == {"RCP:W27D1": not_given("2024-06-24")}
    assert planned(document)["RCP:W25D1"] == "2024-06-17"


def test_olp_start_after_the_rcp_drops_nothing(run: Run) -> None:
    # OLP from 2024-07-02, the day after RCP W27D1 (07-01): every RCP visit is given.
    assert dropped(cli_json(run, "--olp-start", "2024-07-02")) == {}
    assert dropped(cli_json(run)) == {}  # nor does the assumed start, RCP W53D1 (2024-12-30)


def test_dropped_visits_are_not_given() -> None:
    result = engine.plan(TRIAL, "phase3", D("2024-01-01"), period_starts={"OLP": D("2024-05-06")})
    assert len(result.visits) == 11  # 4 RCP + 7 OLP, the dropped ones included
    given = [f"{v.period}:{v.code}" for v in result.given]
    assert given == ["RCP:W1D1", "RCP:W3D1"] + [f"OLP:{code}" for code in OLP_EARLY]
    # Chair counts: 2024-06-17 and 07-01 (RCP W25D1, W27D1) take no chair.
    days = capacity.load([result])
    assert sorted(days) == sorted(D(d) for d in [RCP["W1D1"], RCP["W3D1"], *OLP_EARLY.values()])
    assert set(days.values()) == {1}


def test_dropped_visits_are_cancelled_in_the_calendar(run: Run) -> None:
    text = cli(run, "--format", "ics", "--participant", "P001", "--olp-start", "2024-05-06")
    calendar = icalendar.Calendar.from_ical(text)
    events: dict[str, Any] = {_code(str(e["SUMMARY"])): e for e in calendar.walk("VEVENT")}
    assert len(events) == 11
    for key, event in events.items():
        if key in ("RCP:W25D1", "RCP:W27D1"):
            code = key[4:]
            assert str(event["STATUS"]) == "CANCELLED"
            assert str(event["SUMMARY"]) == (
                f"NOT GIVEN P001 RCP {code} infusion: MIL62 1000 mg or matching placebo"
            )
            assert event["DTSTART"].dt == D(RCP[code])  # still on its protocol date
            assert f"Note: {not_given('2024-05-06')}" in str(event["DESCRIPTION"])
        else:
            assert "STATUS" not in event, key
            assert not str(event["SUMMARY"]).startswith("NOT GIVEN"), key
    # A strict, independent parser accepts it.
    assert len(vobject.readOne(text, validate=True).vevent_list) == 11


def test_reexport_after_an_early_olp_entry_cancels_the_dropped_visits(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A first export (assumed OLP start), then a later one with the real, early OLP start: the
    # later one wins for every event (a higher SEQUENCE), cancelling the two RCP visits now not
    # given; RCP W1D1 and W3D1 change in nothing but SEQUENCE.
    def blocks(epoch: str, *extra: str) -> dict[str, str]:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        text = normalise_dtstamp(cli(run, "--format", "ics", "--participant", "P001", *extra))
        # typer's CliRunner hands back LF line ends; the folds are "\n ".
        found = re.findall(r"BEGIN:VEVENT\n.*?END:VEVENT\n", text, re.S)
        return {_code(_field(block, "SUMMARY")): block for block in found}

    before = blocks("1767225600")
    after = blocks("1767225601", "--olp-start", "2024-05-06")  # a second later
    assert set(before) == set(after)
    assert {key: (_seq(before[key]), _seq(after[key])) for key in before} == {
        key: (31536000, 31536001) for key in before
    }
    for key in ("RCP:W1D1", "RCP:W3D1"):
        assert before[key].replace("SEQUENCE:31536000", "SEQUENCE:31536001") == after[key]
    for key in ("RCP:W25D1", "RCP:W27D1"):
        assert _field(before[key], "UID") == _field(after[key], "UID")
        assert "STATUS:CANCELLED" not in before[key]
        assert "STATUS:CANCELLED" in after[key]


def test_dropped_visits_are_not_on_the_calendar_view(run: Run) -> None:
    text = cli(run, "--format", "calendar", "--olp-start", "2024-05-06")
    assert "(blinded): 9 infusions." in text  # 2 RCP + 7 OLP infusions are given
    grid = text.split("\n* ", 1)[0]  # the month grids; the footnotes follow
    # RCP W25D1 (06-17) and W27D1 (07-01) were the only visits in June and July 2024: those
    # months are not drawn, and no W25D1 appears (the OLP has none).
    assert "W25D1" not in grid
    assert "June 2024" not in grid
    assert "July 2024" not in grid
    assert "… 5 months without visits (Jun 2024–Oct 2024) …" in grid
    # The footnotes say why.
    assert f"* RCP W25D1 (2024-06-17): {not_given('2024-05-06')}." in text
    assert f"* RCP W27D1 (2024-07-01): {not_given('2024-05-06')}." in text


def test_dropped_visits_are_not_on_the_agenda_nor_counted_for_chairs(
    run: Run, tmp_path: Path
) -> None:
    # Two participants started 2024-01-01; P001 entered the OLP early (2024-05-06). From 06-17
    # for 21 days (to 07-07), with one chair: only P002's RCP W25D1 (06-17) and W27D1 (07-01) are
    # due, one infusion a day, so no day is over capacity. Neither has a record: their past
    # visits are not listed (issue 16 #2; before it, RCP W1D1 and W3D1 and P001's OLP W1D1 and
    # W3D1 were called overdue), and P001's dropped RCP W25D1 and W27D1 not at all.
    def due(olp_start: str) -> Any:
        roster = tmp_path / f"roster{olp_start}.csv"
        roster.write_text(
            "participant,arm,start,escalate_at,olp_start,window\n"
            f"P001,phase3,2024-01-01,,{olp_start},\n"
            "P002,phase3,2024-01-01,,,\n",
            encoding="utf-8",
        )
        result = run(
            "agenda", str(roster), "--from", "2024-06-17", "--days", "21", "--chairs", "1",
            "--today", "2024-06-17", "--format", "json",
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    early = due("2024-05-06")
    assert early["over_capacity"] == {}
    assert [(i["participant"], i["period"], i["code"], i["flags"]) for i in early["items"]] == [
        ("P002", "RCP", "W25D1", ["due today"]),
        ("P002", "RCP", "W27D1", []),
    ]
    assert [u["participant"] for u in early["untracked"]] == ["P001", "P002"]
    # Without the early entry both participants are due on 06-17 and 07-01: two for one chair.
    assert due("")["over_capacity"] == {"2024-06-17": 2, "2024-07-01": 2}


def test_recorded_olp_w1d1_sets_the_olp_start() -> None:
    result = engine.plan(
        TRIAL,
        "phase3",
        D("2024-01-01"),
        records=Records({VisitKey(VisitCode(1, 1), "OLP"): D("2024-05-06")}),
        policy=Policy(today=D(TODAY)),
    )
    assert [(p.name, p.start, p.assumed) for p in result.periods] == [
        ("RCP", D("2024-01-01"), False),
        ("OLP", D("2024-05-06"), False),
    ]
    olp = {str(v.code): v.date.isoformat() for v in result.visits if v.period == "OLP"}
    assert olp == OLP_EARLY
    # As with --olp-start 2024-05-06: RCP W25D1 and W27D1 are not given.
    assert [f"{v.period}:{v.code}" for v in result.visits if v.status == "dropped"] == [
        "RCP:W25D1",
        "RCP:W27D1",
    ]


def test_recorded_olp_w1d1_must_agree_with_olp_start(run: Run) -> None:
    result = run(
        "plan", "--arm", "phase3", "--start", "2024-01-01", "--olp-start", "2024-05-06",
        "--actual", "OLP:W1D1=2024-05-07", "--today", TODAY,
    )  # fmt: skip
    assert error_line(result) == (
        "OLP:W1D1 was recorded on 2024-05-07 but the OLP start is given as 2024-05-06: they "
        "must agree"
    )


# --- records in a journey -----------------------------------------------------------------------


def test_period_prefixes_pick_the_visit(run: Run) -> None:
    document = cli_json(
        run,
        "--olp-start", "2025-02-10",
        "--actual", "RCP:W3D1=2024-01-16",
        "--actual", "olp:w3d1=2025-02-25",  # prefixes and codes are case-insensitive
        "--missed", "W25D1",  # only in the RCP: a bare code is not ambiguous
        "--today", TODAY,
    )  # fmt: skip
    by_key = {f"{v['period']}:{v['code']}": v for v in document["visits"]}
    assert (by_key["RCP:W3D1"]["actual_date"], by_key["RCP:W3D1"]["deviation_days"]) == (
        "2024-01-16",
        1,
    )
    assert (by_key["OLP:W3D1"]["actual_date"], by_key["OLP:W3D1"]["deviation_days"]) == (
        "2025-02-25",
        1,
    )
    assert by_key["RCP:W25D1"]["status"] == "missed"
    assert by_key["OLP:W27D1"]["status"] == "planned"


def test_bare_code_in_two_periods_is_refused(run: Run) -> None:
    line = error_line(
        run("plan", "--arm", "phase3", "--start", "2024-01-01", "--actual", "W3D1=2024-01-15")
    )
    assert line == "--actual W3D1: phase3 has W3D1 in several periods; use RCP:W3D1 or OLP:W3D1"
    line = error_line(run("plan", "--arm", "phase3", "--start", "2024-01-01", "--missed", "W27D1"))
    assert line == (
        "--missed W27D1: phase3 has W27D1 in several periods; use RCP:W27D1 or OLP:W27D1"
    )


def test_visit_not_in_that_period_is_refused(run: Run) -> None:
    # The OLP has no W25D1 (the registry goes W3D1 -> W27D1).
    line = error_line(
        run("plan", "--arm", "phase3", "--start", "2024-01-01", "--missed", "OLP:W25D1")
    )
    assert line.startswith("--missed OLP:W25D1: not an infusion visit of phase3 (RCP:W1D1, ")
    assert "OLP:W27D1" in line


def test_olp_w1d1_cannot_be_missed() -> None:
    with pytest.raises(UsageError, match="OLP:W1D1 cannot be missed"):
        engine.plan(
            TRIAL,
            "phase3",
            D("2024-01-01"),
            records=Records(missed=frozenset({VisitKey(VisitCode(1, 1), "OLP")})),
        )


@pytest.mark.parametrize(
    ("olp_start", "actual", "message"),
    [
        # An OLP infusion a month before the participant entered the OLP (deviation -46).
        (
            "2024-09-02",
            "OLP:W3D1=2024-08-01",
            "--actual OLP:W3D1=2024-08-01 is not after the OLP W1D1 (2024-09-02)",
        ),
        # W3D1 on the OLP's W1D1 itself: W1D1 is that day by definition.
        (
            "2024-09-02",
            "OLP:W3D1=2024-09-02",
            "--actual OLP:W3D1=2024-09-02 is not after the OLP W1D1 (2024-09-02)",
        ),
        # Without --olp-start the assumed one counts: RCP W53D1, 2024-12-30.
        (
            None,
            "OLP:W3D1=2024-06-01",
            "--actual OLP:W3D1=2024-06-01 is not after the OLP W1D1 (2024-12-30)",
        ),
        # An RCP infusion on or after the OLP start: the participant had left the RCP.
        (
            "2024-05-06",
            "RCP:W25D1=2024-05-06",
            "--actual RCP:W25D1=2024-05-06 is not before the next period's W1D1 (2024-05-06)",
        ),
        (
            "2024-05-06",
            "RCP:W25D1=2024-06-17",
            "--actual RCP:W25D1=2024-06-17 is not before the next period's W1D1 (2024-05-06)",
        ),
        # Journeys name the visit with its period, even when typed without one (W25D1 is only in
        # the RCP): 2024-01-01 is the RCP W1D1 itself.
        (
            None,
            "W25D1=2024-01-01",
            "--actual RCP:W25D1=2024-01-01 is not after the RCP W1D1 (2024-01-01)",
        ),
    ],
)
def test_actual_outside_its_period_is_refused(
    run: Run, olp_start: str | None, actual: str, message: str
) -> None:
    given = ("--olp-start", olp_start) if olp_start else ()
    result = run(
        "plan", "--arm", "phase3", "--start", "2024-01-01", *given, "--actual", actual,
        "--today", TODAY,
    )  # fmt: skip
    assert error_line(result) == message


def test_actual_inside_its_period_is_accepted(run: Run) -> None:
    # The boundaries: RCP W25D1 the day before an OLP entry on 2024-05-06 (done early, -43 from
    # its 06-17) stays done, not dropped; OLP W3D1 the day after the OLP W1D1 is done (-13).
    document = cli_json(
        run, "--olp-start", "2024-05-06", "--actual", "RCP:W25D1=2024-05-05",
        "--actual", "OLP:W3D1=2024-05-07", "--today", TODAY,
    )  # fmt: skip
    by_key = {f"{v['period']}:{v['code']}": v for v in document["visits"]}
    assert (by_key["RCP:W25D1"]["status"], by_key["RCP:W25D1"]["deviation_days"]) == ("done", -43)
    assert (by_key["OLP:W3D1"]["status"], by_key["OLP:W3D1"]["deviation_days"]) == ("done", -13)
    assert dropped(document) == {"RCP:W27D1": not_given("2024-05-06")}


def test_journey_refusal_names_the_period(run: Run) -> None:
    result = run(
        "plan", "--arm", "phase3", "--start", "2024-01-01", "--actual", "RCP:W3D1=2024-01-15",
        "--today", "2024-01-10",
    )  # fmt: skip
    assert error_line(result) == (
        "--actual RCP:W3D1=2024-01-15 is in the future (today is 2024-01-10)"
    )


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arm", "olp_start", "message"),
    [
        (
            "phase3-rcp",
            "2024-06-01",
            "--olp-start was given, but phase3-rcp has no later period OLP: its one period is "
            "RCP; a later period belongs to a journey (phase3, phase3-mil62, phase3-placebo)",
        ),
        (
            "phase1b-500",
            "2024-06-01",
            "--olp-start was given, but phase1b-500 has no later period OLP: its one period is "
            "Phase 1b; a later period belongs to a journey (phase3, phase3-mil62, phase3-placebo)",
        ),
        (
            "phase3-olp",
            "2024-06-01",
            "--olp-start was given, but phase3-olp has no later period OLP: its one period is "
            "OLP; a later period belongs to a journey (phase3, phase3-mil62, phase3-placebo)",
        ),
        ("phase3", "2023-12-01", "OLP start 2023-12-01 must be after the RCP start 2024-01-01"),
        ("phase3", "2024-01-01", "OLP start 2024-01-01 must be after the RCP start 2024-01-01"),
        (
            "phase3",
            "01/06/2024",
            "invalid --olp-start date '01/06/2024' (day/month order is ambiguous): use ISO 8601 "
            "YYYY-MM-DD, e.g. 2024-01-31",
        ),
    ],
)
def test_olp_start_refusals(run: Run, arm: str, olp_start: str, message: str) -> None:
    result = run("plan", "--arm", arm, "--start", "2024-01-01", "--olp-start", olp_start)
    assert error_line(result) == message


# --- blinding -----------------------------------------------------------------------------------


UNBLINDED_WORDS = ("phase3-mil62", "phase3-placebo", "from-mil62", "from-placebo", "UNBLINDED")


@pytest.mark.parametrize("fmt", ["json", "csv", "md", "table", "ics"])
def test_blinded_journey_reveals_no_assignment(run: Run, fmt: str) -> None:
    text = cli(run, "--format", fmt, "--participant", "P001")
    for word in UNBLINDED_WORDS:
        assert word not in text
    assert "Matching placebo" not in text  # the unblinded label of the placebo infusion


def test_blinded_journey_hides_olp_w3d1_and_the_rcp(run: Run) -> None:
    visits = cli_json(run, "--olp-start", "2025-02-10")["visits"]
    shown = {
        f"{v['period']}:{v['code']}": (v["treatment"], v["dose_mg"], v["blinded"]) for v in visits
    }
    hidden = ("MIL62 1000 mg or matching placebo", None, True)
    open_label = ("MIL62 1000 mg", 1000, False)
    assert shown == {
        "RCP:W1D1": hidden,
        "RCP:W3D1": hidden,
        "RCP:W25D1": hidden,
        "RCP:W27D1": hidden,
        "OLP:W1D1": open_label,
        "OLP:W3D1": hidden,  # placebo after MIL62, MIL62 after placebo: must stay hidden
        "OLP:W27D1": open_label,
        "OLP:W53D1": open_label,
        "OLP:W79D1": open_label,
        "OLP:W105D1": open_label,
        "OLP:W131D1": open_label,
    }


@pytest.mark.parametrize("fmt", ["json", "csv", "ics"])
def test_blinded_journey_is_one_schedule_for_every_participant(run: Run, fmt: str) -> None:
    # Two participants, whatever they were randomised to, get the same blinded output up to
    # their ID (the blinded journey takes no assignment, so nothing arm-specific can leak).
    args = ("--format", fmt, "--olp-start", "2024-05-06", "--actual", "RCP:W3D1=2024-01-16")
    one = cli(run, *args, "--participant", "P001", "--today", TODAY)
    two = cli(run, *args, "--participant", "P002", "--today", TODAY)
    if fmt == "ics":
        # UIDs differ per participant by design; everything else must match.
        one, two = (
            "".join(
                line
                for line in normalise_dtstamp(text).splitlines(keepends=True)
                if not line.startswith("UID:")
            )
            for text in (one, two)
        )
    assert one.replace("P001", "P002") == two


def test_unblinded_journeys_differ_only_in_what_is_infused(run: Run) -> None:
    mil62 = cli_json(run, "--participant", "P001", arm="phase3-mil62")
    placebo = cli_json(run, "--participant", "P001", arm="phase3-placebo")
    heads = {k for k in mil62 if k != "visits" and mil62[k] != placebo[k]}
    assert heads == {"arm", "arm_title"}
    assert mil62["notice"] == placebo["notice"] is not None  # both loudly unblinded
    differences = {}
    for one, two in zip(mil62["visits"], placebo["visits"], strict=True):
        fields = {k for k in one if one[k] != two[k]}
        if fields:
            differences[f"{one['period']}:{one['code']}"] = (
                fields,
                one["treatment"],
                two["treatment"],
            )
    both = {"treatment", "dose_mg"}
    assert differences == {
        "RCP:W1D1": (both, "MIL62 1000 mg", "Matching placebo"),
        "RCP:W3D1": (both, "MIL62 1000 mg", "Matching placebo"),
        "RCP:W25D1": (both, "MIL62 1000 mg", "Matching placebo"),
        "RCP:W27D1": (both, "MIL62 1000 mg", "Matching placebo"),
        # OLP W3D1: placebo after MIL62, the second loading dose after placebo.
        "OLP:W3D1": (both, "Matching placebo", "MIL62 1000 mg"),
    }


def test_blinded_and_unblinded_journeys_share_every_date(run: Run) -> None:
    for extra in ((), ("--olp-start", "2024-05-06")):
        dates = [
            planned(cli_json(run, *extra, arm=arm))
            for arm in ("phase3", "phase3-mil62", "phase3-placebo")
        ]
        assert dates[0] == dates[1] == dates[2]


def test_journey_calendar_uids_carry_the_period(run: Run) -> None:
    ics = cli(run, "--format", "ics", "--participant", "P001")
    uids = [line for line in ics.splitlines() if line.startswith("UID:")]
    # 4 RCP + 7 OLP events; RCP:W3D1 and OLP:W3D1 (and the two W1D1, W27D1) must not collide.
    assert len(uids) == len(set(uids)) == 11


def test_unblinded_journeys_share_uids_apart_from_the_blinded_one(run: Run) -> None:
    def uids(arm: str) -> list[str]:
        ics = cli(run, "--format", "ics", "--participant", "P001", arm=arm)
        return [line for line in ics.splitlines() if line.startswith("UID:")]

    blinded, mil62, placebo = uids("phase3"), uids("phase3-mil62"), uids("phase3-placebo")
    assert mil62 == placebo  # the pharmacist's calendar does not tell the arms apart by UID
    assert not set(blinded) & set(mil62)  # and can never overwrite a blinded calendar's events


def test_default_journey_from_2024_is_provisional_because_the_olp_reaches_2027(run: Run) -> None:
    # OLP W131D1 falls on 2027-06-28 (above): provisional while the package has no 2027 schedule.
    unpublished = cn_last_official_year() < 2027
    document = cli_json(run)
    assert document["holidays_provisional"] is unpublished
    flags = {f"{v['period']}:{v['code']}": v["holidays_provisional"] for v in document["visits"]}
    assert [k for k, flag in flags.items() if flag] == (["OLP:W131D1"] if unpublished else [])


# --- a later period by any name (issue 15 #5) ---------------------------------------------------
# A copy of the built-in file whose open-label period is called OLE (`renamed_period_protocol`):
# the same journeys, so the same dates as above, under another name.


def ole_plan(run: Run, tmp_path: Path, *extra: str) -> Any:
    ole = renamed_period_protocol(tmp_path)
    return cli_json(run, "--protocol", str(ole), *extra)


def test_a_later_period_of_another_name_is_assumed_and_the_note_names_a_real_option(
    run: Run, tmp_path: Path
) -> None:
    document = ole_plan(run, tmp_path)
    assert planned(document) == keyed("RCP", RCP) | keyed("OLE", OLP_ASSUMED)
    assert document["periods"][1] == {
        "period": "OLE",
        "start": "2024-12-30",
        "start_assumed": True,
        "note": "OLE start assumed: RCP W53D1 (study day 365), 2024-12-30; give the real one "
        "(--period-start OLE=DATE, or the roster's ole_start)",
    }


@pytest.mark.parametrize("given", ["OLE=2025-02-10", "ole=2025-02-10", " Ole = 2025-02-10 "])
def test_period_start_gives_a_later_period_of_any_name(
    run: Run, tmp_path: Path, given: str
) -> None:
    # Matched ignoring case and spaces around it; the plan says the protocol's own spelling.
    document = ole_plan(run, tmp_path, "--period-start", given)
    assert planned(document) == keyed("RCP", RCP) | keyed("OLE", OLP_GIVEN)
    assert document["periods"][1] == {
        "period": "OLE",
        "start": "2025-02-10",
        "start_assumed": False,
        "note": None,
    }


def test_period_start_and_the_olp_start_shorthand_plan_the_same(run: Run) -> None:
    generic = cli_json(run, "--period-start", "OLP=2025-02-10")
    shorthand = cli_json(run, "--olp-start", "2025-02-10")
    assert planned(generic) == keyed("RCP", RCP) | keyed("OLP", OLP_GIVEN)
    assert generic == shorthand


@pytest.mark.parametrize(
    ("protocol_file", "arm", "given", "message"),
    [
        (
            "ole",
            "phase3",
            ["--olp-start", "2025-02-10"],
            "--olp-start was given, but phase3 has no later period OLP: its periods are RCP, "
            "OLE; a start may be given for OLE",
        ),
        (
            "ole",
            "phase3",
            ["--period-start", "OLP=2025-02-10"],
            "--period-start was given, but phase3 has no later period OLP: its periods are RCP, "
            "OLE; a start may be given for OLE",
        ),
        (
            "built-in",
            "phase3-placebo",
            ["--period-start", "OLE=2025-02-10"],
            "--period-start was given, but phase3-placebo has no later period OLE: its periods "
            "are RCP, OLP; a start may be given for OLP",
        ),
        (
            "built-in",
            "phase3",
            ["--period-start", "RCP=2025-02-10"],  # the first period starts at --start
            "--period-start was given, but phase3 has no later period RCP: its periods are RCP, "
            "OLP; a start may be given for OLP",
        ),
        (
            "ole",
            "phase3-rcp",
            ["--period-start", "OLE=2025-02-10"],
            "--period-start was given, but phase3-rcp has no later period OLE: its one period is "
            "RCP; a later period belongs to a journey (phase3, phase3-mil62, phase3-placebo)",
        ),
        (
            "built-in",
            "phase1b-500",
            ["--olp-start", "2025-02-10"],
            "--olp-start was given, but phase1b-500 has no later period OLP: its one period is "
            "Phase 1b; a later period belongs to a journey (phase3, phase3-mil62, phase3-placebo)",
        ),
        (
            "ole",
            "phase3",
            ["--period-start", "OLE"],
            "invalid --period-start 'OLE': use PERIOD=YYYY-MM-DD",
        ),
        (
            "ole",
            "phase3",
            ["--period-start", "=2025-02-10"],
            "invalid --period-start '=2025-02-10': use PERIOD=YYYY-MM-DD",
        ),
        (
            "ole",
            "phase3",
            ["--period-start", "OLE=2025/02/10"],
            "invalid --period-start date '2025/02/10': use ISO 8601 YYYY-MM-DD, e.g. 2024-01-31",
        ),
        (
            "ole",
            "phase3",
            ["--period-start", "OLE=2025-02-10", "--period-start", "ole=2025-03-10"],
            "the OLE start is given twice (--period-start OLE=2025-02-10 and --period-start "
            "ole=2025-03-10): give it once",
        ),
        (
            "built-in",
            "phase3",
            ["--olp-start", "2025-02-10", "--period-start", "OLP=2025-02-10"],
            "the OLP start is given twice (--olp-start 2025-02-10 and --period-start "
            "OLP=2025-02-10): give it once",
        ),
    ],
)
def test_period_start_refusals_name_what_the_arm_has(
    run: Run, tmp_path: Path, protocol_file: str, arm: str, given: list[str], message: str
) -> None:
    chosen = (
        []
        if protocol_file == "built-in"
        else ["--protocol", str(renamed_period_protocol(tmp_path))]
    )
    result = run("plan", *chosen, "--arm", arm, "--start", "2024-01-01", *given)
    assert error_line(result) == message


def test_the_chinese_note_names_a_real_option_for_a_period_of_another_name(
    run: Run, tmp_path: Path
) -> None:
    ole = renamed_period_protocol(tmp_path)
    args = ["plan", "--protocol", str(ole), "--arm", "phase3", "--start", "2024-01-01"]
    result = run(*args, "--lang", "zh")
    assert result.exit_code == 0, result.stderr
    expected = (
        "OLE 开始日期为推算值（按 RCP W53D1，研究第365天）：2024-12-30；请给出实际日期"
        "（--period-start OLE=日期，或名单的 ole_start 列）"
    )
    # The table wraps its notes, at spaces or between Chinese characters: compared without them.
    assert re.sub(r"\s", "", expected) in re.sub(r"\s", "", result.stdout)
    given = run(*args, "--period-start", "OLE=2025-02-10", "--lang", "zh")
    assert given.exit_code == 0, given.stderr
    assert "开始日期为推算值" not in given.stdout
    # OLE W1D1 (study day 1) on the given day, a Monday (周一).
    assert re.search(r"W1D1\s+OLE\s+1\s+2025-02-10\s+周一", given.stdout), given.stdout


def test_a_period_of_mixed_case_is_named_ignoring_case_everywhere(run: Run, tmp_path: Path) -> None:
    # A later period called "Ole": its start and its visits' records are given in any case, as
    # the OLP's are (test_period_prefixes_pick_the_visit); the plan keeps the protocol's spelling.
    ole = renamed_period_protocol(tmp_path, new="Ole")
    document = cli_json(
        run, "--protocol", str(ole), "--period-start", "OLE=2025-02-10",
        "--actual", "ole:w3d1=2025-02-25", "--today", TODAY,
    )  # fmt: skip
    by_key = {f"{v['period']}:{v['code']}": v for v in document["visits"]}
    assert by_key["Ole:W1D1"]["date"] == "2025-02-10"
    assert (by_key["Ole:W3D1"]["actual_date"], by_key["Ole:W3D1"]["deviation_days"]) == (
        "2025-02-25",
        1,  # OLE W3D1 was due 2025-02-24 (see OLP_GIVEN)
    )


def test_the_engine_takes_a_later_periods_start_by_name_ignoring_case() -> None:
    given = engine.plan(TRIAL, "phase3", D("2024-01-01"), period_starts={"olp": D("2025-02-10")})
    assert [(p.name, p.start, p.assumed) for p in given.periods] == [
        ("RCP", D("2024-01-01"), False),
        ("OLP", D("2025-02-10"), False),
    ]
    twice = {"OLP": D("2025-02-10"), "olp": D("2025-03-10")}
    with pytest.raises(UsageError, match=r"^the OLP start is given twice: give it once$"):
        engine.plan(TRIAL, "phase3", D("2024-01-01"), period_starts=twice)
    with pytest.raises(UsageError) as refused:
        engine.plan(TRIAL, "phase3", D("2024-01-01"), period_starts={"OLX": D("2025-02-10")})
    assert str(refused.value) == (
        "period_start was given, but phase3 has no later period OLX: its periods are RCP, OLP; "
        "a start may be given for OLP"
    )


def test_period_start_refusals_in_chinese(run: Run, tmp_path: Path) -> None:
    ole = renamed_period_protocol(tmp_path)
    args = ["plan", "--protocol", str(ole), "--start", "2024-01-01", "--lang", "zh"]
    assert error_line(run(*args, "--arm", "phase3", "--olp-start", "2025-02-10")) == (
        "--olp-start 已给出，但 phase3 没有后续阶段 OLP：它的阶段为 RCP、OLE；"
        "可给出开始日期的是 OLE"
    )
    assert error_line(run(*args, "--arm", "phase3-rcp", "--period-start", "OLE=2025-02-10")) == (
        "--period-start 已给出，但 phase3-rcp 没有后续阶段 OLE：它只有一个阶段 RCP；后续阶段只属于"
        "全程（phase3、phase3-mil62、phase3-placebo）"
    )
    assert error_line(run(*args, "--arm", "phase3", "--period-start", "OLE")) == (
        "无效的 --period-start 'OLE'：请用 PERIOD=YYYY-MM-DD（阶段=日期）"
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_agenda_plans_a_later_period_of_another_name_from_the_roster(
    run: Run, tmp_path: Path, lang: str
) -> None:
    # P1 on phase3 from Monday 2024-01-01 entered the OLE on Monday 2025-02-10 (the roster's
    # ole_start): its OLE W1D1 is due that day. Assumed, the OLE would have started 2024-12-30.
    ole = renamed_period_protocol(tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_text("participant,arm,start,ole_start\nP1,phase3,2024-01-01,2025-02-10\n")
    args = ["agenda", str(roster), "--protocol", str(ole), "--from", "2025-02-10", "--days", "1"]
    args += ["--today", "2025-02-10", "--no-holidays", "--lang", lang]
    document = json.loads(run(*args, "--format", "json").stdout)
    due = [
        (i["period"], i["code"], i["date"])
        for i in document["items"]
        if "overdue" not in i["flags"]
    ]
    assert due == [("OLE", "W1D1", "2025-02-10")]
    table = run(*args)
    assert table.exit_code == 0, table.stderr
    assert re.search(r"2025-02-10\s+(Mon|周一)\s+P1\s+OLE W1D1", table.stdout), table.stdout


# --- #5: the CSV says when a period's start was assumed ---------------------------------------


def test_csv_says_the_olp_start_was_assumed(run: Run) -> None:
    result = run("plan", "--arm", "phase3", "--start", "2025-03-10", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    # RCP W1D1 2025-03-10 (a Monday); the OLP assumed at RCP W53D1 = +364 days = 2026-03-09.
    starts = {(r["period"], r["period_start"], r["period_start_assumed"]) for r in rows}
    assert starts == {("RCP", "2025-03-10", "false"), ("OLP", "2026-03-09", "true")}
    given = run(
        "plan", "--arm", "phase3", "--start", "2025-03-10", "--olp-start", "2026-03-16",
        "--format", "csv",
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(given.stdout)))
    assert {(r["period"], r["period_start_assumed"]) for r in rows} == {
        ("RCP", "false"), ("OLP", "false"),
    }  # fmt: skip
    assert {r["period_start"] for r in rows if r["period"] == "OLP"} == {"2026-03-16"}


# --- #6: each period's own W1D1 in calendar events --------------------------------------------


def _descriptions(ics: str) -> list[str]:
    calendar = vobject.readOne(ics)
    return [str(event.description.value) for event in calendar.vevent_list]


def test_olp_events_name_the_olp_w1d1_not_the_rcp_start(run: Run) -> None:
    result = run("plan", "--arm", "phase3", "--start", "2025-09-17", "--format", "ics")
    assert result.exit_code == 0, result.stderr
    descriptions = _descriptions(result.stdout)
    olp = [d for d in descriptions if d.splitlines()[0].endswith(", OLP")]
    rcp = [d for d in descriptions if d.splitlines()[0].endswith(", RCP")]
    assert len(olp) == 7
    assert len(rcp) == 4
    assert all("OLP W1D1: 2026-09-16" in d.splitlines() for d in olp)
    assert all("RCP W1D1: 2025-09-17" in d.splitlines() for d in rcp)
    assert not any("2025-09-17" in d for d in olp)
