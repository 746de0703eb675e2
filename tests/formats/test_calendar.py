"""The terminal month grids (`plan --format calendar`), read back cell by cell.

Every date asserted here was worked out by hand, in the comments, from the registry text
(seeds/NCT05314010.txt) and the State Council's 2025 holiday notice, not copied from the output.

Weekdays, counted from 1 Jan 2025, a Wednesday (2024 was a leap year starting on a Monday:
366 days = 52 weeks + 2 days, Monday + 2 = Wednesday):
- 1 Sep 2025: 243 days later (31+28+31+30+31+30+31+31), 243 = 34*7 + 5, Wednesday + 5 = Monday.
- 17 Sep 2025 = 1 Sep + 16 days = Monday + 2 = Wednesday. 1 Oct 2025 = 1 Sep + 30 = Wednesday.
- 1 Mar 2026: 1 Jan 2026 is a Thursday (2025 has 365 days: Wednesday + 1); + 59 days (31+28),
  59 = 8*7 + 3, Thursday + 3 = Sunday. 1 Sep 2026 = 1 Jan 2026 + 243 = Thursday + 5 = Tuesday.

Phase 3 RCP from W1D1 = 2025-09-17 (study day of WnDm = 7(n-1) + m, date = start + day - 1):
- W1D1  day 1   -> 2025-09-17 (Wed)
- W3D1  day 15  -> + 14  = 2025-10-01 (Wed): 17 Sep + 13 = 30 Sep, + 1 = 1 Oct
- W25D1 day 169 -> + 168 = 2026-03-04 (Wed): 30 Sep (+13), 31 Oct (+44), 30 Nov (+74),
  31 Dec (+105), 31 Jan (+136), 28 Feb (+164), 4 Mar (+168)
- W27D1 day 183 -> + 182 = 2026-03-18 (Wed): 4 Mar + 14
With --window 3 (3 days either side): 14-20 Sep, 28 Sep-4 Oct, 1-7 Mar, 15-21 Mar.
Months with a visit or a window day: Sep 2025, Oct 2025, Mar 2026; Nov 2025 - Feb 2026 (4 months)
have none.

The Phase 3 journey (RCP then OLP) assumes the OLP starts at RCP W53D1, day 365 -> + 364 days =
52 weeks = 2026-09-16 (17 Sep 2026 is exactly 365 days after 17 Sep 2025, as 2026 is no leap
year; one day earlier). OLP W3D1 = 16 Sep 2026 + 14 = 2026-09-30.

China, 2025 (State Council notice on the 2025 holidays): National Day and Mid-Autumn Festival
together, 1-8 Oct off; Sunday 28 Sep and Saturday 11 Oct are working days instead. So in
October 2025 the days off are 1-8 (Wed-Wed) and Sunday 12; in September 2025 the weekend days
6, 7, 13, 14, 20, 21, 27 are off and Sunday 28 is worked. March 2026 has no public holiday (the
2026 Spring Festival break is in February), so only its weekends are off: 1, 7, 8, 14, 15, 21, 22,
28, 29.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date

import pytest

from mil62sched import engine, protocol
from mil62sched.formats.calendar_grid import GAP, render
from mil62sched.formats.presentation import Presentation
from mil62sched.formats.wording import UNBLINDED_NOTICE
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Plan, Policy, Records, VisitKey
from mil62sched.model.protocol import Window
from mil62sched.site.workdays import SiteCalendar
from tests.conftest import GOLDEN, Run

REGENERATE = os.environ.get("MIL62SCHED_REGENERATE_GOLDEN") == "1"
START = date(2025, 9, 17)
GOLDEN_NAME = "phase3-rcp_2025-09-17_window-3.calendar.txt"
GOLDEN_COMMAND = "plan --arm phase3-rcp --start 2025-09-17 --window 3 --format calendar"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
NARROW = 60  # one month per row: each grid stands alone and is easy to read back


def make_plan(
    arm: str = "phase3-rcp",
    *,
    window: int | None = 3,
    no_site: bool = False,
    records: Records | None = None,
) -> Plan:
    """A plan from 2025-09-17 with China's working days (unless `no_site`) and a ±window."""
    policy = Policy(
        site=None if no_site else SiteCalendar("CN"),
        window=None if window is None else Window(window, window),
    )
    return engine.plan(protocol.load(), arm, START, policy=policy, records=records)


@dataclass
class Cell:
    """One day of a month grid as printed: its number line and the lines under it."""

    number: str
    labels: list[str] = field(default_factory=list)

    @property
    def shaded(self) -> bool:
        return "░" in self.number

    @property
    def adjusted(self) -> bool:
        return "+" in self.number

    @property
    def band(self) -> bool:
        return any(set(label.strip()) == {"."} for label in self.labels)

    @property
    def visit(self) -> str:
        """The label lines that are not the window band, joined by a space."""
        return " ".join(label.strip() for label in self.labels if label.strip().strip("."))


@dataclass
class Month:
    """A month grid read back from plain text: its days and its footnotes."""

    cells: dict[int, Cell]
    footnotes: list[str]


def month(text: str, heading: str) -> Month:
    """Read the grid under `heading` ("October 2025"), printed alone on its row (narrow width)."""
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if line.strip() == heading)
    block = []
    for line in lines[top + 1 :]:
        if not line.strip():
            break
        block.append(line)
    header, rows = block[0], block[1:]
    starts = [header.index(name) - 1 for name in WEEKDAYS]  # each cell begins with a space
    width = starts[1] - starts[0]
    cells: dict[int, Cell] = {}
    week: list[Cell | None] = []
    footnotes: list[str] = []
    for line in rows:
        if ":" in line or footnotes:  # footnotes follow the last week; grid lines have no colon
            footnotes.append(line.strip())
            continue
        parts = [line[start : start + width].ljust(width) for start in starts]
        if any(re.match(r" [ 1-3][0-9]", part) for part in parts):
            week = []
            for part in parts:
                found = re.match(r" ([ 1-3][0-9])", part)
                cell = None
                if found is not None:
                    cell = cells[int(found[1])] = Cell(part)
                week.append(cell)
        else:
            for cell, part in zip(week, parts, strict=True):
                if cell is not None:
                    cell.labels.append(part)
                else:
                    assert not part.strip(), f"text under a day of another month: {line!r}"
    # Footnotes wrap with an indent; join the continuation lines back.
    joined: list[str] = []
    for note in footnotes:
        if joined and not re.match(r"([A-Z][a-z]{2} \d|[A-Z]+ W|W\d|\d{4}:)", note):
            joined[-1] += " " + note
        else:
            joined.append(note)
    return Month(cells, joined)


def headings(text: str) -> list[str]:
    """Every month heading in order, side-by-side ones left to right."""
    pattern = r"(?:January|February|March|April|May|June|July|August|September|October"
    pattern += r"|November|December) \d{4}"
    lines = [line for line in text.splitlines() if "…" not in line]  # not the gap lines
    return [found for line in lines for found in re.findall(pattern, line)]


def flat(text: str) -> str:
    """`text` with its line breaks and runs of spaces as single spaces: wrapping undone."""
    return " ".join(text.split())


def test_october_2025_shows_w3d1_on_national_day_shaded() -> None:
    text = render(make_plan(), Presentation(width=NARROW))
    october = month(text, "October 2025")
    assert sorted(october.cells) == list(range(1, 32))
    # 1 Oct 2025 is a Wednesday, the first day of the National Day holiday: W3D1, shaded.
    assert october.cells[1].visit == "W3D1"
    assert october.cells[1].number.startswith("  1")
    assert october.cells[1].shaded
    # Days off: 1-8 Oct (holiday, including the weekend 4-5) and Sunday 12.
    off = {day for day, cell in october.cells.items() if cell.shaded}
    weekends = {4, 5, 12, 18, 19, 25, 26}  # 1 Oct is a Wednesday, so 4 Oct is a Saturday
    assert off == {1, 2, 3, 6, 7, 8} | weekends
    # Saturday 11 Oct is an adjusted working day: not shaded, marked, explained.
    assert october.cells[11].adjusted
    assert not october.cells[11].shaded
    assert "Oct 11: Saturday made a working day" in october.footnotes
    assert "Oct 1–3: National Day" in october.footnotes
    assert "Oct 6: Mid-Autumn Festival" in october.footnotes
    # The two substituted days carry the package's name, which says where they come from.
    assert "Oct 7: Day off (substituted from 2025-09-28)" in october.footnotes
    assert "Oct 8: Day off (substituted from 2025-10-11)" in october.footnotes
    # The first week starts on Wednesday: Monday and Tuesday of that row are blank.
    lines = text.splitlines()
    first_row = lines[next(i for i, line in enumerate(lines) if line.strip() == "October 2025") + 2]
    assert first_row.startswith(" " * 12 + "  1")


def test_september_28_2025_is_a_working_sunday() -> None:
    september = month(render(make_plan(), Presentation(width=NARROW)), "September 2025")
    assert september.cells[28].adjusted
    assert not september.cells[28].shaded
    assert "Sep 28: Sunday made a working day" in september.footnotes
    # 1 Sep 2025 is a Monday: the weekend days are 6, 7, 13, 14, 20, 21, 27 (28 is worked).
    assert {day for day, cell in september.cells.items() if cell.shaded} == {
        6,
        7,
        13,
        14,
        20,
        21,
        27,
    }
    assert september.cells[17].visit == "W1D1"
    assert {day for day, cell in september.cells.items() if cell.visit} == {17}


def test_windows_are_banded_when_a_window_is_given() -> None:
    text = render(make_plan(window=3), Presentation(width=NARROW))
    september, october, march = (
        month(text, name) for name in ("September 2025", "October 2025", "March 2026")
    )
    # W1D1 14-20 Sep, W3D1 28 Sep-4 Oct, W25D1 1-7 Mar, W27D1 15-21 Mar; the visit day itself
    # shows its code instead of the band.
    assert {d for d, c in september.cells.items() if c.band} == {14, 15, 16, 18, 19, 20, 28, 29, 30}
    assert {d for d, c in october.cells.items() if c.band} == {2, 3, 4}
    assert {d for d, c in march.cells.items() if c.band} == {
        1,
        2,
        3,
        5,
        6,
        7,
        15,
        16,
        17,
        19,
        20,
        21,
    }
    assert march.cells[4].visit == "W25D1"
    assert march.cells[18].visit == "W27D1"
    assert ".... inside a visit window" in flat(text)


def test_no_band_without_a_window() -> None:
    text = render(make_plan(window=None), Presentation(width=NARROW))
    for name in ("September 2025", "October 2025", "March 2026"):
        assert not any(cell.band for cell in month(text, name).cells.values())
    assert "window" not in text.split("Key:")[1].split("*")[0]


def test_months_without_visits_are_skipped() -> None:
    text = render(make_plan(), Presentation(width=NARROW))
    assert headings(text) == ["September 2025", "October 2025", "March 2026"]
    assert "   … 4 months without visits (Nov 2025–Feb 2026) …" in text.splitlines()


def test_months_side_by_side_when_they_fit() -> None:
    wide = render(make_plan(), Presentation(width=100)).splitlines()
    assert any("September 2025" in line and "October 2025" in line for line in wide)
    assert max(len(line) for line in wide) <= 100
    narrow = render(make_plan(), Presentation(width=NARROW)).splitlines()
    assert not any("September 2025" in line and "October 2025" in line for line in narrow)


def test_a_long_plan_prints_only_months_with_visits() -> None:
    # Phase 1b from 2024-01-01 (a Monday), no window: 11 visits in 10 months (W1D1 and W3D1 both
    # in January 2024), per the hand-checked table in tests/formats/test_golden.py.
    plan = engine.plan(protocol.load(), "phase1b-1000", date(2024, 1, 1))
    text = render(plan, Presentation(width=NARROW))
    assert headings(text) == [
        "January 2024",
        "June 2024",
        "July 2024",
        "December 2024",
        "June 2025",
        "December 2025",
        "June 2026",
        "December 2026",
        "June 2027",
        "December 2027",
    ]
    assert "   … 4 months without visits (Feb 2024–May 2024) …" in text.splitlines()
    assert "   … 5 months without visits (Jul 2025–Nov 2025) …" in text.splitlines()
    # After the study completion date 2027-03-31: marked, footnote [1] (issue 16 #3).
    assert month(text, "December 2027").cells[27].visit == "W209D1 [1]"


def test_plain_output_has_no_ansi_and_no_trailing_spaces() -> None:
    text = render(make_plan(), Presentation(styled=False, width=100))
    assert "\x1b" not in text
    assert text.endswith("\n")
    assert all(line == line.rstrip() for line in text.splitlines())
    assert "Key:" in text
    assert "░░░░ weekend or public holiday" in flat(text)
    assert "+ weekend day made a working day" in flat(text)
    assert render(make_plan(), Presentation(styled=False, width=100)) == text  # deterministic


def test_styled_output_has_ansi_and_the_same_picture() -> None:
    styled = render(make_plan(), Presentation(styled=True, width=100))
    assert "\x1b[" in styled
    # The planned visit on a yellow background (SGR 43); 1 Oct, a holiday, red (31) on grey (100).
    visit = re.search(r"\x1b\[([0-9;]*)mW3D1", styled)
    assert visit is not None
    assert "43" in visit[1].split(";")
    holiday = re.search(r"\x1b\[([0-9;]*)m 1\x1b", styled)
    assert holiday is not None
    assert {"31", "100"} <= set(holiday[1].split(";"))
    plain = ANSI.sub("", styled)
    assert "W1D1" in plain
    assert "W25D1" in plain
    assert "░" in plain  # the text mark stays under the colour (issue 9 #9)
    assert "░░░░ weekend or public holiday (grey, holiday dates in red)" in flat(plain)


def test_the_last_month_of_the_calendar() -> None:
    # W1D1 9999-06-16: W27D1 = + 182 days: 30 Jun (+14), 31 Jul (+45), 31 Aug (+76),
    # 30 Sep (+106), 31 Oct (+137), 30 Nov (+167), 15 Dec (+182) -> 9999-12-15.
    plan = engine.plan(protocol.load(), "phase3-rcp", date(9999, 6, 16))
    text = render(plan, Presentation(width=NARROW))
    assert headings(text)[-1] == "December 9999"
    # After the study completion date: marked (issue 16 #3).
    assert month(text, "December 9999").cells[15].visit == "W27D1 [1]"


def test_unblinded_notice_only_on_unblinded_plans() -> None:
    unblinded = render(make_plan("phase3-rcp-mil62"), Presentation(width=100))
    assert unblinded.splitlines()[0].strip() == UNBLINDED_NOTICE
    blinded = render(make_plan("phase3-rcp"), Presentation(width=100))
    assert UNBLINDED_NOTICE not in blinded
    assert "UNBLINDED" not in blinded


def test_blinded_grids_do_not_depend_on_the_arm() -> None:
    # The two RCP arms have the same dates by design; only the title lines may differ.
    mil62, placebo = (
        render(make_plan(arm), Presentation(width=100)).splitlines()
        for arm in ("phase3-rcp-mil62", "phase3-rcp-placebo")
    )
    blinded = render(make_plan("phase3-rcp"), Presentation(width=100)).splitlines()
    assert mil62[3:] == placebo[3:] == blinded[2:]
    text = "\n".join(blinded).lower()
    assert "placebo" not in text
    assert "mg" not in text


def test_journey_codes_carry_their_period() -> None:
    text = render(make_plan("phase3"), Presentation(width=NARROW))
    october = month(text, "October 2025")
    assert october.cells[1].visit == "RCP W3D1"
    september_2026 = month(text, "September 2026")
    # OLP W1D1 assumed at RCP W53D1 = 2026-09-16, OLP W3D1 = 2026-09-30 (module docstring).
    # Its start assumed: marked (issue 16 #3).
    assert september_2026.cells[16].visit == "OLP W1D1 [1]"
    assert september_2026.cells[30].visit == "OLP W3D1 [1]"
    assert "W3D1 infusion visit, under its period (RCP, OLP)" in flat(text)


def test_done_and_missed_visits_are_marked() -> None:
    records = Records(
        actual={VisitKey(VisitCode.parse("W3D1")): date(2025, 9, 30)},
        missed=frozenset({VisitKey(VisitCode.parse("W25D1"))}),
    )
    text = render(make_plan(records=records), Presentation(width=NARROW))
    september, october, march = (
        month(text, name) for name in ("September 2025", "October 2025", "March 2026")
    )
    # Done a day early, on Tuesday 30 Sep: shown there, not on its planned 1 Oct.
    assert september.cells[30].visit == "W3D1✓"
    assert october.cells[1].visit == ""
    assert "W3D1✓: done 2025-09-30 (-1 d, in window)" in september.footnotes
    assert march.cells[4].visit == "W25D1✗"
    assert "W25D1✗: missed (planned 2026-03-04)" in march.footnotes
    assert "W3D1✓ done, on its actual day" in flat(text)
    assert "W3D1✗ missed" in flat(text)


def test_without_a_site_calendar_only_weekends_are_shaded() -> None:
    text = render(make_plan(no_site=True), Presentation(width=NARROW))
    september, october = (month(text, name) for name in ("September 2025", "October 2025"))
    assert not october.cells[1].shaded  # National Day is not known without a site calendar
    assert september.cells[28].shaded  # a plain Sunday then
    assert not any(cell.adjusted for cell in october.cells.values())
    assert october.footnotes == []
    assert "░░░░ weekend." in flat(text)


def test_cli_prints_the_calendar(run: Run) -> None:
    result = run("plan", "--arm", "phase3", "--start", "2025-09-17", "--format", "calendar")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout  # not a terminal
    assert "RCP" in result.stdout
    assert "OLP start assumed" in result.stdout  # the plan's notes come last


def test_golden(run: Run) -> None:
    result = run(*GOLDEN_COMMAND.split())
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN / GOLDEN_NAME
    if REGENERATE:
        golden.write_bytes(result.stdout_bytes)
        pytest.skip(f"regenerated {golden}: re-check it by hand, then run without the env")
    assert result.stdout_bytes == golden.read_bytes()


def test_golden_shows_the_hand_checked_dates() -> None:
    # Read the golden file itself, so a regenerated file with a wrong date fails here.
    text = (GOLDEN / GOLDEN_NAME).read_text(encoding="utf-8")
    assert headings(text) == ["September 2025", "October 2025", "March 2026"]
    lines = text.splitlines()
    assert lines[0] == "MIL62-CT303 · phase3-rcp · no participant ID · W1D1 2025-09-17"
    # Two months side by side at the default width: check the columns by position. The grid is
    # 7 cells of 6 characters ("W27D1" + 1); October starts after September (42) and the gap (2).
    top = next(i for i, line in enumerate(lines) if "September 2025" in line)
    days = " Mo    Tu    We    Th    Fr    Sa    Su"
    assert lines[top + 1] == f"{days}   {GAP}{days}"  # "Su" + 3 spaces ends a 6-character cell
    # September row 3 (15-21) and its label line: W1D1 under Wednesday 17, band 15-20.
    # September: rows 1-7, 8-14 (+ band under 14), 15-21 (+ labels), 22-28 (+ band), 29-30.
    assert lines[top + 3].startswith("  8     9    10    11    12    13░░░ 14░░░")
    assert lines[top + 4].startswith(" " * 37 + ".....")
    assert lines[top + 5].startswith(" 15    16    17    18    19    20░░░ 21░░░")
    assert lines[top + 6].startswith(" ..... ..... W1D1  ..... ..... .....      ")
    # October row 1 (1-5) and its label line, to the right: W3D1 under Wednesday 1.
    # Each cell is a space and 5 characters; Monday and Tuesday 29-30 Sep are not October's.
    assert lines[top + 2][44:] == " " * 12 + "  1░░░  2░░░  3░░░  4░░░  5░░░"
    assert lines[top + 3][44:] == " " * 12 + " W3D1  ..... ..... ....."
    assert lines[top + 4][44:] == "  6░░░  7░░░  8░░░  9    10    11+   12░░░"
    # Sunday 28 Sep is worked (+), not shaded.
    assert lines[top + 7].startswith(" 22    23    24    25    26    27░░░ 28+ ")
    assert lines[top + 8].startswith(" " * 37 + ".....")
    assert lines[top + 9].startswith(" 29    30 ")
    assert lines[top + 10].startswith(" ..... ..... ")
    march = lines.index("                March 2026")
    assert lines[march + 2] == "                                      1░░░"
    # March 2026: rows 1 (+ band), 2-8 (+ labels), 9-15 (+ band under 15), 16-22 (+ labels).
    assert lines[march + 3] == " " * 37 + "....."
    assert lines[march + 4] == "  2     3     4     5     6     7░░░  8░░░"
    assert lines[march + 5] == " ..... ..... W25D1 ..... ..... ....."
    assert lines[march + 7] == " " * 37 + "....."
    assert lines[march + 9] == " ..... ..... W27D1 ..... ..... ....."


# --- #9: the month view's marks do not depend on colour ----------------------------------------


def test_styled_month_view_keeps_the_text_marks_of_the_plain_one() -> None:
    from datetime import date

    from mil62sched import engine, protocol
    from mil62sched.formats import calendar_grid
    from mil62sched.formats.presentation import Presentation
    from mil62sched.model.plan import Policy
    from mil62sched.model.protocol import Window
    from mil62sched.site.workdays import SiteCalendar

    # W3D1 from Wed 2025-09-17 is 2025-10-01: September and October 2025, with weekends, the
    # National Day week (10-01..10-08) and the worked Sundays 09-28 and Saturday 10-11.
    plan = engine.plan(
        protocol.load(),
        "phase3-rcp",
        date(2025, 9, 17),
        window=Window(3, 3),
        policy=Policy(site=SiteCalendar("CN")),
    )
    plain = calendar_grid.render(plan, Presentation(width=100))
    styled = calendar_grid.render(plan, Presentation(styled=True, width=100))
    assert ANSI.search(styled)
    stripped = [line.rstrip() for line in ANSI.sub("", styled).splitlines()]
    plain_lines = plain.splitlines()
    # Every line up to the key is the same text: shading, '+', codes and the window band.
    key = next(i for i, line in enumerate(plain_lines) if line.lstrip().startswith("Key:"))
    assert stripped[:key] == plain_lines[:key]
    assert "░" in "\n".join(stripped[:key])
    # Saturday 2025-09-06 and National Day 2025-10-01 are shaded in text in both.
    assert any(" 6░░░" in line for line in stripped[:key])
    assert any(" 1░░░" in line for line in stripped[:key])
    # The key explains the text marks, and colour as an addition.
    styled_key = " ".join(stripped[key:])
    assert "░░░░ weekend or public holiday" in styled_key
