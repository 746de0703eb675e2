"""Protocol amendments (issue 18): `protocol diff`, `amend`, and plans under a new version.

The example amendment, examples/protocols/mil62-ct303-amendment-example.toml (made up, marked
so), changes three things against the built-in file: the OLP gains W157D1 and W183D1, the RCP's
W25D1 gets a window of 7 days either side (none before), and the study completion moves from
2027-03-31 to 2028-12-31.

Every date below is worked out by hand: study day of WnDm = 7(n-1)+m, date = start + day - 1.
W25D1 is day 169 (+168), W27D1 day 183 (+182), W53D1 day 365 (+364, where the OLP is assumed to
start), W157D1 day 1093 (+1092), W183D1 day 1275 (+1274). Every WnD1 falls on the start's weekday.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import Result

from mil62sched import amendment, protocol
from mil62sched.errors import UsageError
from mil62sched.formats import ics
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Policy, Records, VisitKey
from tests.conftest import ROOT, Run, error_line, workbook_text

BUILTIN = str(protocol.BUILTIN)
EXAMPLE = ROOT / "examples" / "protocols" / "mil62-ct303-amendment-example.toml"
OLD = protocol.load()
NEW = protocol.load(EXAMPLE)
EFFECTIVE = "2025-12-01"
TODAY = "2026-03-16"

# One participant of each kind the issue names:
# - P1B, Phase 1b 500 mg from 2025-09-15: the example does not touch Phase 1b: no change.
# - RCP, the blinded RCP from Monday 2025-10-06: W25D1 = 2025-10-06 + 168 = 2026-03-23
#   (Oct 31 is +25, Nov 30 +55, Dec 31 +86, Jan 31 +117, Feb 28 +145, Mar 23 +168), after the
#   effective date: its window becomes 2026-03-16..2026-03-30.
# - OLP, the blinded OLP from Monday 2025-08-25: W157D1 = +1092 and W183D1 = +1274. 2025-08-25
#   + 365 = 2026-08-25, + 730 = 2027-08-25, + 1096 = 2028-08-25 (29 February 2028 between), so
#   W157D1 = 2028-08-21; W183D1 = 2028-08-25 + 178 = 2029-02-19 (Aug 31 +6, Sep 30 +36, Oct 31
#   +67, Nov 30 +97, Dec 31 +128, Jan 31 +159, Feb 19 +178).
# - REC, the blinded Phase 3 journey from Monday 2025-07-07 with W1D1, W3D1 and W25D1 recorded:
#   W25D1 = 2025-07-07 + 168 = 2025-12-22 (Jul 31 +24, Aug 31 +55, Sep 30 +85, Oct 31 +116,
#   Nov 30 +146, Dec 22 +168), after the effective date but done: it keeps the old version (no
#   window). The OLP is assumed from RCP W53D1 = 2025-07-07 + 364 = 2026-07-06; OLP W157D1 =
#   2026-07-06 + 1092 = 2029-07-02 (2029-07-06 is +1096) and W183D1 = 2029-07-06 + 178 =
#   2029-12-31 (Jul 31 +25, Aug 31 +56, Sep 30 +86, Oct 31 +117, Nov 30 +147, Dec 31 +178).
# - LATE, the blinded journey from Wednesday 2025-09-17, re-consented on 2026-03-16 (after the
#   effective date): W25D1 = 2025-09-17 + 168 = 2026-03-04 is before it, so keeps no window. OLP
#   from 2025-09-17 + 364 = 2026-09-16; W157D1 = 2026-09-16 + 1092 = 2029-09-12 (2029-09-16 is
#   +1096); W183D1 = 2029-09-16 + 178 = 2030-03-13 (Sep 30 +14, Oct 31 +45, Nov 30 +75, Dec 31
#   +106, Jan 31 +137, Feb 28 +165, Mar 13 +178).
ROSTER = """participant,arm,start,amended_on
P1B,phase1b-500,2025-09-15,
RCP,phase3-rcp,2025-10-06,
OLP,phase3-olp,2025-08-25,
REC,phase3,2025-07-07,
LATE,phase3,2025-09-17,2026-03-16
"""
ACTUALS = """participant,code,date
REC,RCP:W1D1,2025-07-07
REC,RCP:W3D1,2025-07-21
REC,RCP:W25D1,2025-12-22
"""
# participant, code, change, old date, new date, new window start, new window end
EXPECTED = [
    ("RCP", "W25D1", "re-windowed", "2026-03-23", "2026-03-23", "2026-03-16", "2026-03-30"),
    ("OLP", "W157D1", "added", "", "2028-08-21", "", ""),
    ("OLP", "W183D1", "added", "", "2029-02-19", "", ""),
    ("REC", "W157D1", "added", "", "2029-07-02", "", ""),
    ("REC", "W183D1", "added", "", "2029-12-31", "", ""),
    ("LATE", "W157D1", "added", "", "2029-09-12", "", ""),
    ("LATE", "W183D1", "added", "", "2030-03-13", "", ""),
]


def files(tmp_path: Path, roster: str = ROSTER, actuals: str = ACTUALS) -> tuple[str, str]:
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    (tmp_path / "actuals.csv").write_text(actuals, encoding="utf-8")
    return str(tmp_path / "roster.csv"), str(tmp_path / "actuals.csv")


def amend(run: Run, tmp_path: Path, *options: str, new: Path = EXAMPLE) -> Result:
    roster, actuals = files(tmp_path)
    return run(
        "amend", BUILTIN, str(new), roster, "--actuals", actuals, "--today", TODAY,
        "--no-holidays", *options,
    )  # fmt: skip


def variant(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    """The example amendment with each (old, new) text replaced (each must be there)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- protocol diff -----------------------------------------------------------------------------


def test_protocol_diff_lists_the_example_amendments_three_changes(run: Run) -> None:
    result = run("protocol", "diff", "builtin", str(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    heading = " ".join(lines[: lines.index("")])
    assert heading == f"MIL62-CT303: from the built-in protocol (builtin) to {EXAMPLE}"
    assert lines[lines.index("") :] == [
        "",
        "Protocol",
        "  version: none → example-1",
        "  study completion: 2027-03-31 → 2028-12-31",
        "",
        "Schedules",
        "  phase3-rcp: W25D1 window: none → ±7 d",
        "  phase3-rcp-mil62: W25D1 window: none → ±7 d",
        "  phase3-rcp-placebo: W25D1 window: none → ±7 d",
        "  phase3-olp: visits added: W157D1, W183D1",
        "  phase3-olp-from-mil62: visits added: W157D1, W183D1",
        "  phase3-olp-from-placebo: visits added: W157D1, W183D1",
    ]


def test_protocol_diff_in_chinese_lists_visits_with_the_enumeration_comma(run: Run) -> None:
    """Items of a Chinese list are set apart with 、, not ", " (issue 16 #9)."""
    result = run("protocol", "diff", "builtin", str(EXAMPLE), "--lang", "zh")
    assert result.exit_code == 0, result.stderr
    assert "  phase3-olp：新增访视 W157D1、W183D1" in result.stdout.splitlines()
    assert result.stdout.startswith("MIL62-CT303：从 内置方案（builtin） 到")


def test_protocol_diff_of_a_file_with_itself_says_there_is_none(run: Run) -> None:
    result = run("protocol", "diff", BUILTIN, BUILTIN)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "No differences."


def test_protocol_diff_names_removed_visits_treatments_and_journey_starts(
    run: Run, tmp_path: Path
) -> None:
    edited = variant(
        tmp_path,
        "edited.toml",
        ('"W131D1", "W157D1", "W183D1"]', '"W157D1", "W183D1"]'),
        ('label = "MIL62 500 mg"', 'label = "MIL62 600 mg"'),
        ('starts = { OLP = "W53D1" }', 'starts = { OLP = "W57D1" }'),
    )  # fmt: skip
    result = run("protocol", "diff", str(EXAMPLE), str(edited), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[lines.index("") :] == [
        "",
        "Treatments",
        "  mil62-500: MIL62 500 mg (MIL62, 500 mg) → MIL62 600 mg (MIL62, 500 mg)",
        "",
        "Schedules",
        "  phase3-olp: visits removed: W131D1",
        "  phase3-olp-from-mil62: visits removed: W131D1",
        "  phase3-olp-from-placebo: visits removed: W131D1",
        "",
        "Journeys",
        "  phase3: phase3-rcp → phase3-olp (from W53D1) → phase3-rcp → phase3-olp (from",
        "    W57D1)",
        "  phase3-mil62: phase3-rcp-mil62 → phase3-olp-from-mil62 (from W53D1) →",
        "    phase3-rcp-mil62 → phase3-olp-from-mil62 (from W57D1)",
        "  phase3-placebo: phase3-rcp-placebo → phase3-olp-from-placebo (from W53D1) →",
        "    phase3-rcp-placebo → phase3-olp-from-placebo (from W57D1)",
    ]


def test_amend_lists_each_participants_changes_as_worked_out_by_hand(
    run: Run, tmp_path: Path
) -> None:
    result = amend(run, tmp_path, "--effective", EFFECTIVE, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [
        (r["participant"], r["code"], r["change"], r["old_date"], r["new_date"],
         r["new_window_start"], r["new_window_end"])
        for r in rows
    ] == EXPECTED  # fmt: skip
    assert {r["old_version"] for r in rows} == {""}  # the built-in file states none
    assert {r["new_version"] for r in rows} == {"example-1"}
    switches = {r["participant"]: (r["switch_date"], r["switch_from"]) for r in rows}
    assert switches["RCP"] == ("2025-12-01", "effective")
    assert switches["LATE"] == ("2026-03-16", "amended_on")
    # Blinded participants see the blinded label; the OLP's added infusions are open-label.
    assert {r["masking"] for r in rows} == {"blinded"}
    assert rows[0]["new_treatment"] == "MIL62 1000 mg or matching placebo"
    assert {r["new_treatment"] for r in rows[1:]} == {"MIL62 1000 mg"}


def test_amend_counts_the_participants_it_does_not_change_in_one_line(
    run: Run, tmp_path: Path
) -> None:
    result = amend(run, tmp_path, "--effective", EFFECTIVE)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.splitlines()[:2] == [
        "MIL62-CT303: protocol (no version stated) → version example-1",
        "In force from 2025-12-01 (--effective); a participant's amended_on comes first.",
    ]
    assert "RCP          W25D1       2026-03-23  window: none → 2026-03-16..2026-03-30" in text
    assert "REC          OLP W157D1  2029-07-02  added: MIL62 1000 mg" in text
    assert "LATE follows version example-1 from 2026-03-16 (amended_on)." in text
    assert text.endswith("1 participant with no change.\n")
    assert max(len(line) for line in text.splitlines()) <= 80


def test_amend_json_and_every_format(run: Run, tmp_path: Path) -> None:
    result = amend(run, tmp_path, "--effective", EFFECTIVE, "--format", "json")
    document = json.loads(result.stdout)
    assert document["protocol"] == "MIL62-CT303"
    assert document["old_version"] is None
    assert document["new_version"] == "example-1"
    assert document["effective"] == EFFECTIVE
    assert document["notice"] is None
    assert document["participants"] == 5
    assert document["unchanged"] == ["P1B"]
    assert [(c["participant"], c["code"]) for c in document["changes"]] == [
        (row[0], row[1]) for row in EXPECTED
    ]
    for fmt in ("md", "html", "table"):
        shown = amend(run, tmp_path, "--effective", EFFECTIVE, "--format", fmt)
        assert shown.exit_code == 0
        assert "2030-03-13" in shown.stdout
    out = tmp_path / "changes.xlsx"
    assert amend(run, tmp_path, "--effective", EFFECTIVE, "-o", str(out)).exit_code == 0
    text = workbook_text(out.read_bytes())
    assert "sheet: Blinded changes" in text
    assert "LATE" in text
    assert "2030-03-13" in text


def test_amend_in_chinese(run: Run, tmp_path: Path) -> None:
    result = amend(run, tmp_path, "--effective", EFFECTIVE, "--lang", "zh")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "MIL62 1000 mg" in text
    assert "Participant" not in text
    assert "added" not in text
    assert "受试者" in text


# --- bad input: one line each, nothing written --------------------------------------------------


def test_two_files_of_different_trials_are_refused(run: Run, tmp_path: Path) -> None:
    other = variant(tmp_path, "other.toml", ('id = "MIL62-CT303"', 'id = "MIL62-CT304"'))
    out = tmp_path / "changes.csv"
    result = amend(run, tmp_path, "--effective", EFFECTIVE, "-o", str(out), new=other)
    assert error_line(result) == (
        "the two protocol files are of different trials (MIL62-CT303 and MIL62-CT304): an "
        "amendment has the id of the protocol it amends"
    )
    assert not out.exists()


def test_the_same_version_twice_is_refused(run: Run, tmp_path: Path) -> None:
    roster, _ = files(tmp_path)
    result = run("amend", str(EXAMPLE), str(EXAMPLE), roster, "--effective", EFFECTIVE)
    assert error_line(result) == (
        "both protocol files are version 'example-1': the new file's version differs from the "
        "one it amends"
    )


def test_an_unknown_version_in_amends_is_refused(run: Run, tmp_path: Path) -> None:
    amends = variant(
        tmp_path,
        "amends.toml",
        ('version = "example-1"\n', 'version = "example-1"\namends = "9.9"\n'),
    )
    result = amend(run, tmp_path, "--effective", EFFECTIVE, new=amends)
    assert error_line(result) == (
        "the new protocol file amends version '9.9', but the old file states no version: amends "
        "names the old file's version, or is left out"
    )


def test_an_amended_on_before_the_start_or_after_today_is_refused(run: Run, tmp_path: Path) -> None:
    roster, actuals = files(
        tmp_path,
        "participant,arm,start,amended_on\nA,phase3-rcp,2025-10-06,2025-10-05\n"
        "B,phase3-rcp,2025-10-06,2026-03-17\n",
        "participant,code,date\n",
    )
    out = tmp_path / "changes.csv"
    result = run(
        "amend", BUILTIN, str(EXAMPLE), roster, "--today", TODAY, "--effective", EFFECTIVE,
        "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "mil62sched: error: roster.csv line 2: A: amended_on '2025-10-05' is before A's start "
        "2025-10-06: the day the participant re-consented: from the start to today",
        "mil62sched: error: roster.csv line 3: B: amended_on '2026-03-17' is in the future "
        "(today is 2026-03-16): the day the participant re-consented: from the start to today",
        "mil62sched: error: 2 bad row(s); nothing written (fix them)",
    ]
    assert not out.exists()


def test_an_effective_date_inside_a_changed_visits_window_is_refused(
    run: Run, tmp_path: Path
) -> None:
    # RCP's W25D1 is 2026-03-23 with the new window 2026-03-16..2026-03-30: 2026-03-20 splits it.
    roster, _ = files(tmp_path, "participant,arm,start\nRCP,phase3-rcp,2025-10-06\n")
    result = run(
        "amend", BUILTIN, str(EXAMPLE), roster, "--today", TODAY, "--effective", "2026-03-20"
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "mil62sched: error: roster.csv line 2: RCP: --effective 2026-03-20 falls inside RCP's "
        "W25D1 window (2026-03-16..2026-03-30), which the amendment changes: a date on or "
        "before 2026-03-16, or after 2026-03-30"
    )


def test_without_an_effective_date_or_amended_on_a_row_is_refused(run: Run, tmp_path: Path) -> None:
    result = amend(run, tmp_path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "mil62sched: error: roster.csv line 2: P1B: no date the amendment applies from: give "
        "--effective DATE (the site's approval date) or the roster's amended_on"
    )


def test_a_participant_on_an_arm_the_new_file_renames_is_refused_unless_mapped(
    run: Run, tmp_path: Path
) -> None:
    renamed = variant(
        tmp_path,
        "renamed.toml",
        ('name = "phase1b-500"', 'name = "phase1b-low"'),
        ('arm = "phase1b-500"', 'arm = "phase1b-low"'),
        ('phase1b-500 = { etcd', 'phase1b-low = { etcd'),
        ('arms = ["phase1b-500", "phase1b-1000"]', 'arms = ["phase1b-low", "phase1b-1000"]'),
    )  # fmt: skip
    roster, _ = files(tmp_path, "participant,arm,start\nP1B,phase1b-500,2025-09-15\n")
    result = run("amend", BUILTIN, str(renamed), roster, "--effective", EFFECTIVE)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        "mil62sched: error: roster.csv line 2: P1B: arm phase1b-500 is not an arm of version "
        "example-1: an arm of MIL62-CT303 example-1 (phase1b-low, phase1b-1000, "
    )
    mapped = tmp_path / "mapped.toml"
    mapped.write_text(
        renamed.read_text(encoding="utf-8") + '\n[arm_map]\nphase1b-500 = "phase1b-low"\n',
        encoding="utf-8",
    )
    result = run(
        "amend", BUILTIN, str(mapped), roster, "--effective", EFFECTIVE, "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["unchanged"] == ["P1B"]


# --- the mixed plan: removed, moved, history and calendars ------------------------------------


def policy() -> Policy:
    return Policy(today=date(2026, 3, 16))


def test_a_removed_visit_is_not_given_and_its_calendar_event_is_cancelled(
    tmp_path: Path,
) -> None:
    # OLP from 2025-08-25: W131D1 = +910 = 2028-02-21 (2028-02-25 is +914), removed here.
    removed = protocol.load(
        variant(
            tmp_path,
            "removed.toml",
            ('"W131D1", "W157D1", "W183D1"]', '"W157D1", "W183D1"]'),
        )
    )
    planner = amendment.AmendedPlanner(OLD, removed, policy(), date(2025, 12, 1))
    before, mixed = planner.plans("phase3-olp", date(2025, 8, 25), participant="OLP")
    w131 = next(v for v in mixed.visits if str(v.code) == "W131D1")
    assert (w131.status, w131.date, w131.old_version) == ("dropped", date(2028, 2, 21), True)
    assert [
        (c.kind, str(c.code), c.old_date, c.new_date) for c in amendment.changes(before, mixed)
    ] == [
        ("removed", "W131D1", date(2028, 2, 21), None),
        ("added", "W157D1", None, date(2028, 8, 21)),
        ("added", "W183D1", None, date(2029, 2, 19)),
    ]
    # The same UIDs for every visit both versions have, W131D1's among them, now cancelled.
    assert [ics.uid(before, v) for v in before.visits] == [
        ics.uid(mixed, v) for v in mixed.visits if str(v.code) not in ("W157D1", "W183D1")
    ]
    text = ics.render(mixed)
    cancelled = text.split("BEGIN:VEVENT")[7]
    assert ics.uid(before, before.visits[6]) in cancelled.replace("\r\n ", "")
    assert "STATUS:CANCELLED" in cancelled


def test_a_later_olp_start_moves_every_olp_visit_not_yet_happened(tmp_path: Path) -> None:
    # The OLP assumed at RCP W57D1 (day 393, +392) instead of W53D1 (+364): 28 days later.
    # Journey from 2025-08-18: OLP W1D1 2026-08-17 -> 2026-09-14 (+28 d).
    later = protocol.load(
        variant(
            tmp_path,
            "later.toml",
            ('starts = { OLP = "W53D1" }', 'starts = { OLP = "W57D1" }'),
        )  # fmt: skip
    )
    planner = amendment.AmendedPlanner(OLD, later, policy(), date(2025, 12, 1))
    before, mixed = planner.plans("phase3", date(2025, 8, 18), participant="J")
    moved = [
        (str(c.code), c.old_date, c.days)
        for c in amendment.changes(before, mixed)
        if c.kind == "moved"
    ]
    assert moved[0] == ("W1D1", date(2026, 8, 17), 28)
    assert len(moved) == 7
    assert {days for _, _, days in moved} == {28}


def test_history_keeps_the_old_version_and_the_rest_follows_the_new(tmp_path: Path) -> None:
    records = Records(
        {VisitKey(VisitCode.parse("W1D1"), "RCP"): date(2025, 7, 7),
         VisitKey(VisitCode.parse("W3D1"), "RCP"): date(2025, 7, 21),
         VisitKey(VisitCode.parse("W25D1"), "RCP"): date(2025, 12, 22)}
    )  # fmt: skip
    planner = amendment.AmendedPlanner(OLD, NEW, policy(), date(2025, 12, 1))
    before, mixed = planner.plans("phase3", date(2025, 7, 7), participant="REC", records=records)
    versions = [(v.period, str(v.code), mixed.version_of(v)) for v in mixed.visits]
    assert versions[:4] == [
        ("RCP", "W1D1", None), ("RCP", "W3D1", None), ("RCP", "W25D1", None),
        # RCP W27D1 = 2025-07-07 + 182 = 2026-01-05, after the effective date.
        ("RCP", "W27D1", "example-1"),
    ]  # fmt: skip
    assert versions[-1] == ("OLP", "W183D1", "example-1")
    w25 = mixed.visits[2]
    assert (w25.status, w25.window) == ("done", None)  # recorded: not re-windowed
    # A visit kept by the amendment keeps its calendar UID.
    assert [ics.uid(before, v) for v in before.visits] == [
        ics.uid(mixed, v) for v in mixed.visits[:11]
    ]


def test_direct_refusals_of_two_protocols_that_are_not_an_amendment() -> None:
    with pytest.raises(UsageError, match="states no version"):
        amendment.check_versions(NEW, OLD)
    amendment.check_versions(OLD, NEW)  # the example amends the built-in file


# --- plan, roster and agenda under an amendment -------------------------------------------------


def test_plan_under_an_amendment_gives_each_visit_its_version(run: Run) -> None:
    # CT303-0003's OLP from 2025-08-25: W27D1 = +182 = 2026-02-23, after the effective date.
    result = run(
        "plan", "--arm", "phase3-olp", "--start", "2025-08-25", "--participant", "CT303-0003",
        "--protocol", str(EXAMPLE), "--amends", "builtin", "--effective", EFFECTIVE,
        "--no-holidays", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["protocol_version"] == "example-1"
    assert document["amendment"] == {
        "replaces": None, "switch_date": EFFECTIVE, "switch_from": "effective",
    }  # fmt: skip
    assert [(v["code"], v["date"], v["protocol_version"]) for v in document["visits"]] == [
        ("W1D1", "2025-08-25", None),
        ("W3D1", "2025-09-08", None),
        ("W27D1", "2026-02-23", "example-1"),
        ("W53D1", "2026-08-24", "example-1"),
        ("W79D1", "2027-02-22", "example-1"),
        ("W105D1", "2027-08-23", "example-1"),
        ("W131D1", "2028-02-21", "example-1"),
        ("W157D1", "2028-08-21", "example-1"),
        ("W183D1", "2029-02-19", "example-1"),
    ]


def test_effective_without_amends_and_amends_without_effective_are_refused(run: Run) -> None:
    plan = ("plan", "--arm", "phase3-olp", "--start", "2025-08-25")
    assert error_line(run(*plan, "--effective", EFFECTIVE)) == (
        "--effective applies to an amendment: give --amends OLD too"
    )
    assert error_line(run(*plan, "--protocol", str(EXAMPLE), "--amends", "builtin")) == (
        "--amends needs --effective DATE: the day the amendment applies at the site"
    )


def test_the_agenda_under_an_amendment_shows_an_added_visit(run: Run, tmp_path: Path) -> None:
    roster, _ = files(tmp_path, "participant,arm,start\nOLP,phase3-olp,2025-08-25\n")
    agenda = ("agenda", roster, "--from", "2028-08-14", "--days", "14", "--no-holidays")
    before = run(*agenda, "--format", "csv", "--today", TODAY)
    after = run(
        *agenda, "--protocol", str(EXAMPLE), "--amends", "builtin", "--effective", EFFECTIVE,
        "--format", "csv", "--today", TODAY,
    )  # fmt: skip
    assert before.exit_code == after.exit_code == 0, after.stderr
    assert "W157D1" not in before.stdout
    assert "OLP,phase3-olp,blinded,OLP,W157D1,2028-08-21," in after.stdout  # start + 1092 days


def test_a_participant_in_a_period_the_new_file_no_longer_has_is_refused(
    tmp_path: Path,
) -> None:
    from tests.conftest import renamed_period_protocol

    text = renamed_period_protocol(tmp_path).read_text(encoding="utf-8")
    text = text.replace(
        'study_completion = "2027-03-31"\n', 'study_completion = "2027-03-31"\nversion = "2"\n'
    )
    renamed = tmp_path / "renamed.toml"
    renamed.write_text(text, encoding="utf-8")
    planner = amendment.AmendedPlanner(OLD, protocol.load(renamed), policy(), date(2025, 12, 1))
    with pytest.raises(UsageError) as refused:
        planner.plans("phase3-olp", date(2025, 8, 25), participant="OLP")
    assert str(refused.value) == (
        "OLP on phase3-olp has visits in period OLP from 2025-12-01, which version 2's "
        "phase3-olp no longer has: its periods are OLE"
    )


def test_protocol_show_names_a_stated_version_only(run: Run) -> None:
    assert "Protocol version example-1." in run("protocol", "show", str(EXAMPLE)).stdout
    assert "Protocol version" not in run("protocol", "show").stdout  # the registry states none
