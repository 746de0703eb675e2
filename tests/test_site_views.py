"""Site views (issue 9): the agenda's 'due today', chairs in every roster format, the CSV's
period starts, overdue planned visits, the pharmacist's split files, calendar names and the
OLP's own W1D1 in calendar events.

Reference dates worked by hand: 2025-09-17 is a Wednesday; W53D1 = study day 365 = start + 364
days, so the RCP's W53D1 from 2025-09-17 is 2026-09-16 (2025-09-17 + 52 weeks), which is where a
`phase3` journey assumes the OLP starts without --olp-start. 2025-10-13 is a Monday;
examples/roster.csv's CT303-0005 starts Monday 2025-09-29, so its W3D1 (+14 days) is 2025-10-13.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import vobject

from tests.conftest import Run, without_study_dates

EXAMPLES = Path(__file__).parent.parent / "examples"
ROSTER = str(EXAMPLES / "roster.csv")
ACTUALS = str(EXAMPLES / "actuals.csv")


def _agenda(run: Run, *args: str) -> list[dict[str, Any]]:
    result = run("agenda", ROSTER, "--actuals", ACTUALS, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    items: list[dict[str, Any]] = json.loads(result.stdout)["items"]
    return items


# --- #2: 'due today' is --today, not --from ---------------------------------------------------


def test_due_today_is_the_sites_today_not_the_first_day(run: Run) -> None:
    items = _agenda(run, "--from", "2025-10-13", "--days", "1", "--today", "2025-10-01")
    on_13 = [item for item in items if item["date"] == "2025-10-13"]
    assert [(i["participant"], i["code"]) for i in on_13] == [("CT303-0005", "W3D1")]
    assert "due today" not in on_13[0]["flags"]


def test_due_today_flags_the_visit_on_today_inside_the_range(run: Run) -> None:
    # From 2025-10-10 for 7 days with today 2025-10-13: CT303-0005's W3D1 is due today.
    items = _agenda(run, "--from", "2025-10-10", "--days", "7", "--today", "2025-10-13")
    due = [(i["participant"], i["code"]) for i in items if "due today" in i["flags"]]
    assert due == [("CT303-0005", "W3D1")]


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


# --- #10: the roster calendar's name -----------------------------------------------------------


def test_roster_calendar_name_does_not_repeat_roster(run: Run) -> None:
    result = run("roster", ROSTER, "--format", "ics")
    assert result.exit_code == 0, result.stderr
    calendar = vobject.readOne(result.stdout)
    assert calendar.x_wr_calname.value == "MIL62-CT303 roster"


# --- #8: the pharmacist's split files cannot be mistaken for the coordinators' ---------------

MIXED = """\
participant,arm,start
CT303-0001,phase3-rcp,2025-09-17
CT303-0002,phase3-rcp-placebo,2025-09-17
CT303-0003,phase1b-500,2025-09-15
"""
MIXED_WARNING = (
    "mil62sched: warning: the roster mixes blinded and unblinded arms (unblinded: "
    "phase3-rcp-placebo); unblinded outputs are for the unblinded pharmacist only\n"
)


def test_split_names_unblinded_files_unblinded(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "site.csv"
    roster.write_text(MIXED, encoding="utf-8")
    folder = tmp_path / "calendars"
    result = run("roster", str(roster), "--today", "2025-09-01", "--split", str(folder))
    assert result.exit_code == 0, result.stderr
    assert sorted(path.name for path in folder.iterdir()) == [
        "CT303-0001.ics", "CT303-0003.ics", "UNBLINDED-CT303-0002.ics",
    ]  # fmt: skip
    assert "UNBLINDED" in (folder / "UNBLINDED-CT303-0002.ics").read_text(encoding="utf-8")
    assert "UNBLINDED" not in (folder / "CT303-0001.ics").read_text(encoding="utf-8")
    assert without_study_dates(result.stderr) == MIXED_WARNING


def test_a_mixed_roster_says_so_before_writing_in_every_format(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "site.csv"
    roster.write_text(MIXED, encoding="utf-8")
    for fmt in ("table", "csv", "json", "ics"):
        result = run("roster", str(roster), "--today", "2025-09-01", "--format", fmt)
        assert result.exit_code == 0, result.stderr
        assert without_study_dates(result.stderr) == MIXED_WARNING, fmt


def test_a_roster_of_one_masking_gives_no_mixing_warning(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "site.csv"
    roster.write_text(MIXED.replace("phase3-rcp-placebo", "phase3-rcp"), encoding="utf-8")
    result = run("roster", str(roster), "--today", "2025-09-01", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert without_study_dates(result.stderr) == ""


# --- #3: --chairs without --adjust flags over-full days in every roster format ----------------
# tests/test_capacity.py's A (from Friday 2025-01-10) and B (from Friday 2025-06-13): A's W25D1
# (+168 days) and B's W3D1 (+14 days) are both Friday 2025-06-27, the only shared day.

CHAIRS_ROSTER = "participant,arm,start\nA,phase3-rcp,2025-01-10\nB,phase3-rcp,2025-06-13\n"
CHAIRS_WARNING = "mil62sched: warning: 2025-06-27: 2 infusions for 1 chair(s)\n"


def _chairs_run(run: Run, tmp_path: Path, fmt: str, *options: str) -> Any:
    roster = tmp_path / "site.csv"
    roster.write_text(CHAIRS_ROSTER, encoding="utf-8")
    return run("roster", str(roster), "--today", "2025-01-10", "--format", fmt, *options)


def test_chairs_warn_for_each_over_full_day_in_every_format(run: Run, tmp_path: Path) -> None:
    for fmt in ("table", "csv", "json", "ics"):
        result = _chairs_run(run, tmp_path, fmt, "--chairs", "1")
        assert result.exit_code == 0, result.stderr
        assert result.stderr == CHAIRS_WARNING, fmt
        assert _chairs_run(run, tmp_path, fmt, "--chairs", "2").stderr == "", fmt


def test_chairs_flag_the_visits_on_an_over_full_day_in_csv_and_json(
    run: Run, tmp_path: Path
) -> None:
    rows = list(
        csv.DictReader(io.StringIO(_chairs_run(run, tmp_path, "csv", "--chairs", "1").stdout))
    )
    full = {(r["participant"], r["code"]) for r in rows if r["over_capacity"] == "true"}
    assert full == {("A", "W25D1"), ("B", "W3D1")}
    assert {r["over_capacity"] for r in rows} == {"true", "false"}
    documents = json.loads(_chairs_run(run, tmp_path, "json", "--chairs", "1").stdout)
    flagged = {
        (d["participant"], v["code"], v["date"])
        for d in documents
        for v in d["visits"]
        if v["over_capacity"]
    }
    assert flagged == {("A", "W25D1", "2025-06-27"), ("B", "W3D1", "2025-06-27")}
    # Without chairs nothing is counted: the field is empty (null), not false.
    plain = _chairs_run(run, tmp_path, "csv")
    assert plain.stderr == ""
    assert {r["over_capacity"] for r in csv.DictReader(io.StringIO(plain.stdout))} == {""}


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


# --- issue 16 #11: which country's holidays a plan uses, said in its header ---------------------

SAKURASTAR = str(EXAMPLES / "protocols" / "satralizumab-sakurastar.toml")
SITE = str(EXAMPLES / "site.toml")  # the Beijing site's file; it sets no country
# SAkuraStar's protocol file says country = "US": a site file without `country` plans on US
# holidays, which the header must say (it did not).
SAKURA_AT_SITE = ("plan", "--protocol", SAKURASTAR, "--arm", "sakurastar-db",
                  "--start", "2025-09-01", "--participant", "SAK-001", "--site", SITE)  # fmt: skip
BUILTIN = ("plan", "--arm", "phase3-rcp", "--start", "2025-09-01", "--participant", "P1")


def _header(run: Run, *args: str) -> str:
    """What a plan says before its table (table: up to the rule; md: up to the pipe table;
    html: the card's text up to its visits), on one line."""
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    if "<html" in text:
        text = re.sub(r"<[^>]+>", " ", text.partition('<table class="visits"')[0])
    else:
        text = re.split(r"━|\n\|", text)[0]
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((*SAKURA_AT_SITE,), "Holidays: US (United States)"),
        ((*SAKURA_AT_SITE, "--lang", "zh"), "节假日：US（美国）"),
        ((*SAKURA_AT_SITE, "--format", "md"), "Holidays: US (United States)"),
        ((*SAKURA_AT_SITE, "--format", "md", "--lang", "zh"), "节假日：US（美国）"),
        ((*BUILTIN,), "Holidays: CN (China)"),
        ((*BUILTIN, "--lang", "zh"), "节假日：CN（中国）"),
        ((*BUILTIN, "--format", "md"), "Holidays: CN (China)"),
        ((*BUILTIN, "--country", "DE"), "Holidays: DE"),
        ((*BUILTIN, "--no-holidays"), "Holidays: not checked (--no-holidays)"),
        ((*BUILTIN, "--no-holidays", "--lang", "zh"), "节假日：不检查（--no-holidays）"),
    ],
)
def test_a_plan_says_whose_holidays_it_uses(run: Run, args: tuple[str, ...], said: str) -> None:
    assert said in _header(run, *args)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ((), "Holidays 节假日 US (United States) US（美国）"),  # a card in both languages
        (("--lang", "zh"), "节假日 US（美国）"),
        (("--lang", "en"), "Holidays US (United States)"),
    ],
)
def test_the_card_says_whose_holidays_it_uses(run: Run, lang: tuple[str, ...], said: str) -> None:
    """The card says it among the facts on top (label, then value), where it takes no line of
    its own: a card still prints on one page."""
    header = _header(run, *SAKURA_AT_SITE, "--format", "html", *lang)
    assert said in header, header
