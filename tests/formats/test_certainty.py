"""Dates the program guessed are marked as guesses (issue 16 #3): every planned date has a
certainty, as data on the plan (recorded, planned, or why not firm: an assumed period start,
provisional holiday data, a day after the registry's study completion date), and every output a
person reads marks a date that is not firm and says why once, in a footnote, in its language.
CSV and JSON keep their fields (their goldens pin them byte for byte).

The repro: CT303-0001 of examples/roster.csv, arm phase3 (RCP then OLP), W1D1 Mon 2025-08-18,
window 3, RCP W1D1 done 2025-08-18 and RCP W3D1 done 2025-09-03 (examples/actuals.csv), no
olp_start: the OLP W1D1 is assumed at RCP W53D1. Dates by hand (study day of WnDm = 7(n-1)+m,
date = start + day - 1; 2025-08-18 + 365 days is 2026-08-18, no 29 February between):
  RCP W25D1  day 169, +168: Aug 31 is +13, Sep +43, Oct +74, Nov +104, Dec +135, Jan +166,
             so +168 is 2026-02-02
  RCP W27D1  +182: 2026-02-16
  OLP W1D1   = RCP W53D1, day 365, +364: 2026-08-17 (Mon)
  OLP W3D1   +14 from it: 2026-08-31
  OLP W27D1  +182: Aug 31 +14, Sep +44, Oct +75, Nov +105, Dec +136, Jan +167, Feb 15 +182:
             2027-02-15
  OLP W53D1  +364: 2027-08-16 (2027-08-17 would be +365)
  OLP W79D1  2027-08-16 +182: Aug 31 +15, Sep +45, Oct +76, Nov +106, Dec +137, Jan +168,
             Feb 14 +182: 2028-02-14
  OLP W105D1 2027-08-16 +364, across 2028-02-29: 2028-08-14
  OLP W131D1 2028-08-14 +182: Aug 31 +17, Sep +47, Oct +78, Nov +108, Dec +139, Jan +170,
             Feb 12 +182: 2029-02-12
The registry's study completion is 2027-03-31: OLP W53D1 and later fall after it. Holiday data
is provisional for the years after the last the installed `holidays` package publishes
(`cn_last_official_year`; 2028 and 2029 at least): which dates that marks is worked out from it.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from mil62sched import engine, protocol
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Policy, Records, VisitKey
from mil62sched.model.protocol import Window
from mil62sched.site.workdays import SiteCalendar
from tests.conftest import ROOT, Run, cn_last_official_year

EXAMPLES = ROOT / "examples"
SITE = str(EXAMPLES / "site.toml")
ROSTER = str(EXAMPLES / "roster.csv")
ACTUALS = str(EXAMPLES / "actuals.csv")
REPRO = ("roster", ROSTER, "--actuals", ACTUALS, "--today", "2025-10-01", "--site", SITE)
PLAN = (
    "plan", "--arm", "phase3", "--start", "2025-08-18", "--participant", "CT303-0001",
    "--actual", "RCP:W1D1=2025-08-18", "--actual", "RCP:W3D1=2025-09-03", "--window", "3",
    "--today", "2025-10-01", "--site", SITE,
)  # fmt: skip

ASSUMED, PROVISIONAL, AFTER = "assumed-start", "provisional-holidays", "after-completion"
# (period, code) -> date, and its certainty apart from provisional holiday data (added below).
CT303_0001 = {
    ("RCP", "W1D1"): (date(2025, 8, 18), ("recorded",)),
    ("RCP", "W3D1"): (date(2025, 9, 3), ("recorded",)),
    ("RCP", "W25D1"): (date(2026, 2, 2), ()),
    ("RCP", "W27D1"): (date(2026, 2, 16), ()),
    ("OLP", "W1D1"): (date(2026, 8, 17), (ASSUMED,)),
    ("OLP", "W3D1"): (date(2026, 8, 31), (ASSUMED,)),
    ("OLP", "W27D1"): (date(2027, 2, 15), (ASSUMED,)),
    ("OLP", "W53D1"): (date(2027, 8, 16), (ASSUMED, AFTER)),
    ("OLP", "W79D1"): (date(2028, 2, 14), (ASSUMED, AFTER)),
    ("OLP", "W105D1"): (date(2028, 8, 14), (ASSUMED, AFTER)),
    ("OLP", "W131D1"): (date(2029, 2, 12), (ASSUMED, AFTER)),
}

FOOTNOTES = {
    "en": {
        ASSUMED: "Date to be confirmed: the OLP start is assumed (RCP W53D1).",
        PROVISIONAL: "Date to be confirmed: that year's holiday data is provisional.",
        AFTER: "Date to be confirmed: after the study completion date 2027-03-31 (NCT05314010).",
    },
    "zh": {
        ASSUMED: "日期待定：OLP 开始日期为推算值（按 RCP W53D1）。",
        PROVISIONAL: "日期待定：当年节假日安排为暂定数据。",
        AFTER: "日期待定：晚于研究完成日期 2027-03-31（NCT05314010）。",
    },
}


# The same, as the card says them: after "Date to be confirmed:" once.
WHY = {
    lang: {reason: text.split("：" if lang == "zh" else ": ", 1)[1].rstrip("。.")
           for reason, text in notes.items()}
    for lang, notes in FOOTNOTES.items()
}  # fmt: skip


def expected_certainty() -> dict[tuple[str, str], tuple[str, ...]]:
    """CT303-0001's certainty per visit: the hand-derived reasons, with provisional holiday
    data for a planned date whose window (3 days either side, all in one year) lies in a year
    the installed package does not publish."""
    found = {}
    for key, (day, reasons) in CT303_0001.items():
        if reasons == ("recorded",):
            found[key] = reasons
            continue
        if day.year > cn_last_official_year():
            reasons = tuple(
                r for r in (ASSUMED, PROVISIONAL, AFTER) if r in {*reasons, PROVISIONAL}
            )
        found[key] = reasons or ("planned",)
    return found


def expected_marks() -> dict[tuple[str, str], str]:
    """Each visit's mark: footnotes are numbered in the order the dates meet them."""
    numbers: dict[str, int] = {}
    marks = {}
    for key, reasons in expected_certainty().items():
        doubts = [r for r in reasons if r not in ("recorded", "planned")]
        for reason in doubts:
            numbers.setdefault(reason, len(numbers) + 1)
        marks[key] = ",".join(str(numbers[r]) for r in sorted(doubts, key=numbers.__getitem__))
    return marks


def numbered() -> dict[str, int]:
    """Each reason's footnote number in CT303-0001's outputs."""
    numbers: dict[str, int] = {}
    for reasons in expected_certainty().values():
        for reason in reasons:
            if reason not in ("recorded", "planned"):
                numbers.setdefault(reason, len(numbers) + 1)
    return numbers


def squashed(text: str) -> str:
    """`text` without white space: a footnote may wrap onto several lines."""
    return re.sub(r"\s+", "", text)


def assert_footnotes_once(text: str, lang: str, template: str = "[{n}] {text}") -> None:
    """Each of CT303-0001's footnotes is said exactly once, with its number."""
    flat = squashed(text)
    for reason, number in numbered().items():
        note = squashed(template.format(n=number, text=FOOTNOTES[lang][reason]))
        assert flat.count(note) == 1, (reason, note, text[-2000:])
        assert flat.count(squashed(FOOTNOTES[lang][reason])) == 1, reason


# --- the plan carries it ----------------------------------------------------------------------


def test_ct303_0001_dates_and_their_certainty_are_on_the_plan() -> None:
    rcp = "RCP"
    records = Records(
        actual={
            VisitKey(VisitCode.parse("W1D1"), rcp): date(2025, 8, 18),
            VisitKey(VisitCode.parse("W3D1"), rcp): date(2025, 9, 3),
        }
    )
    plan = engine.plan(
        protocol.load(),
        "phase3",
        date(2025, 8, 18),
        participant="CT303-0001",
        window=Window(3, 3),
        records=records,
        policy=Policy(site=SiteCalendar("CN"), today=date(2025, 10, 1)),
    )
    got = {(v.period, str(v.code)): (v.date, v.certainty) for v in plan.visits}
    want = expected_certainty()
    assert got == {key: (day, want[key]) for key, (day, _) in CT303_0001.items()}
    assumed = next(v for v in plan.visits if v.period == "OLP").doubts[0]
    assert assumed.detail == ("OLP", "RCP W53D1")


def test_a_given_olp_start_is_firm() -> None:
    plan = engine.plan(
        protocol.load(), "phase3", date(2025, 8, 18), period_starts={"OLP": date(2026, 8, 17)}
    )
    assert [v.certainty for v in plan.visits if v.date <= date(2027, 3, 31)] == [("planned",)] * 7


# --- every output a person reads marks the dates and says why once ----------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_table_marks_each_date_and_says_why_once(run: Run, lang: str) -> None:
    result = run(*PLAN, "--lang", lang)
    assert result.exit_code == 0, result.stderr
    marks = expected_marks()
    for key, (day, _) in CT303_0001.items():
        mark = marks[key]
        line = next(row for row in result.stdout.splitlines() if day.isoformat() in row)
        if mark:
            assert f"{day.isoformat()} [{mark}]" in line, line
        else:
            assert f"{day.isoformat()} [" not in line, line
    assert_footnotes_once(result.stdout, lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_markdown_marks_each_date_and_says_why_once(run: Run, lang: str) -> None:
    result = run(*PLAN, "--lang", lang, "--format", "md")
    assert result.exit_code == 0, result.stderr
    assert "| 2029-02-12 \\[1,2,3\\] |" in result.stdout
    assert "| 2025-09-03 |" in result.stdout  # done: recorded, not marked
    assert_footnotes_once(result.stdout, lang, "- \\[{n}\\] {text}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_month_view_marks_each_date_and_says_why_once(run: Run, lang: str) -> None:
    result = run(*PLAN, "--lang", lang, "--format", "calendar")
    assert result.exit_code == 0, result.stderr
    grid = result.stdout
    # The mark goes on a line of its own under the visit code, in the same day column.
    lines = grid.split("Key:")[0].splitlines()  # the grids, not the notes below them
    for code, mark in (("W1D1", "[1]"), ("W131D1", "[1,2,3]")):
        # the OLP's W1D1: the second W1D1 label of the plan
        rows = [i for i, line in enumerate(lines) if re.search(rf"(^| ){code} ", line + " ")]
        row = rows[-1]
        column = re.search(rf"(^| ){code}", lines[row]).end() - len(code)  # type: ignore[union-attr]
        assert lines[row + 1][column:].startswith(mark), (lines[row], lines[row + 1])
    assert_footnotes_once(grid, lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_roster_table_says_each_footnote_once_for_every_participant(
    run: Run, lang: str
) -> None:
    result = run(*REPRO, "--lang", lang)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    row = next(line for line in lines if "CT303-0001" in line and "2029-02-12" in line)
    assert "2029-02-12 [1,2,3]" in row
    # CT303-0002's assumed OLP (W1D1 2026-09-16): the same footnote, not another.
    row = next(line for line in lines if "CT303-0002" in line and "2026-09-16" in line)
    assert f"2026-09-16 [{numbered()[ASSUMED]}]" in row
    assert_footnotes_once(result.stdout, lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ics_says_why_in_each_event_description(run: Run, lang: str, tmp_path: Path) -> None:
    import icalendar

    out = tmp_path / "p.ics"
    result = run(*PLAN, "--lang", lang, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    described = {
        str(event["DTSTART"].dt): str(event["DESCRIPTION"]) for event in calendar.walk("VEVENT")
    }
    words = FOOTNOTES[lang]
    last = described["2029-02-12"]
    assert all(words[reason] in last for reason in (ASSUMED, PROVISIONAL, AFTER)), last
    assert words[ASSUMED] in described["2026-08-17"]
    assert words[AFTER] not in described["2026-08-17"]
    assert not any(text in described["2025-09-03"] for text in words.values())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_agenda_marks_an_assumed_date_and_says_why(run: Run, lang: str) -> None:
    common = ("agenda", ROSTER, "--actuals", ACTUALS, "--site", SITE, "--window", "3")
    result = run(*common, "--from", "2026-08-17", "--days", "1", "--lang", lang)
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "OLP W1D1" in line)
    assert "CT303-0001" in row
    assert "2026-08-17 [1]" in row
    assert squashed(f"[1] {FOOTNOTES[lang][ASSUMED]}") in squashed(result.stdout)
    # A week of firm dates has no mark and no footnote.
    firm = run(*common, "--from", "2025-09-29", "--days", "7", "--lang", lang)
    assert "[1]" not in firm.stdout
    assert FOOTNOTES[lang][ASSUMED][:8] not in firm.stdout


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_agenda_sheet_marks_an_assumed_date_and_says_why(run: Run, lang: str) -> None:
    common = ("agenda", ROSTER, "--actuals", ACTUALS, "--site", SITE, "--window", "3")
    result = run(*common, "--from", "2026-08-17", "--days", "1", "--lang", lang, "--format", "html")
    assert result.exit_code == 0, result.stderr
    page = result.stdout
    assert re.search(r'CT303-0001</td>\s*<td class="code">.*?<sup class="tbc">1</sup>', page, re.S)
    assert page.count(WHY[lang][ASSUMED]) == 1


@pytest.mark.parametrize("lang", ["en", "zh", "both"])
def test_the_card_marks_each_date_and_says_why_once(run: Run, lang: str) -> None:
    chosen = () if lang == "both" else ("--lang", lang)
    result = run(*PLAN, *chosen, "--format", "html")
    assert result.exit_code == 0, result.stderr
    page = result.stdout
    marks = expected_marks()
    for key, (day, _) in CT303_0001.items():
        found = re.search(rf"{day.isoformat()}(<sup class=\"tbc\">([0-9,]+)</sup>)?", page)
        assert found is not None, day
        assert (found[2] or "") == marks[key], (key, found[0])
    # "Date to be confirmed" once, then why each numbered date is (a card has no line to spare).
    for language in ("en", "zh") if lang == "both" else (lang,):
        heading = {"en": "Date to be confirmed:", "zh": "日期待定："}[language]
        assert page.count(f">{heading}</span>") == 1, language
        for reason, number in numbered().items():
            clause = WHY[language][reason].replace("'", "&#39;")
            assert page.count(clause) == 1, (language, reason)
            assert re.search(rf"<sup>{number}</sup>(?:(?!<sup>).)*{re.escape(clause)}", page, re.S)


def test_csv_and_json_keep_their_fields(run: Run) -> None:
    """Nothing of the marks reaches the contract formats: the same columns and keys as a
    plan with no doubt at all (a given OLP start in 2026 and a window in published years)."""
    marked = run(*REPRO, "--format", "csv")
    assert marked.exit_code == 0, marked.stderr
    header = marked.stdout.splitlines()[0]
    plain = run("plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--format", "csv")
    assert header == plain.stdout.splitlines()[0]
    assert "[1" not in marked.stdout
    document = json.loads(run(*REPRO, "--format", "json").stdout)
    keys = set(json.loads(run(*PLAN, "--format", "json").stdout)["visits"][0])
    assert all(set(visit) == keys for row in document for visit in row["visits"])
