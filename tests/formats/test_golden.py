"""Golden files: each exporter's output for a few plans, compared byte for byte.

Every file in `tests/golden/` is listed in `GOLDENS` with the command line that makes it; its name
says what it shows (`<arm>[_<participant>]_<start>.<format>`, `.table.txt` for the terminal table,
options such as `escalate-W53D1` or `window-3-adjust` before the start). The month views
(`*.calendar.txt`) belong to tests/formats/test_calendar.py and are left alone here. Three kinds of
test run on each file:

- `test_output_matches_golden` runs the CLI (through the `run` fixture) and compares its standard
  output with the file byte for byte; for `.ics` both sides go through `normalise_dtstamp` first,
  since DTSTAMP is the time of export.
- `test_golden_has_the_hand_checked_visits` reads the golden file itself (the `.ics` with vobject,
  a second parser) and compares every visit's code, study day, date, weekday and infusion with the
  tables below, which were worked out by hand from the registry text. So a regenerated golden with
  a wrong date fails even though it matches the program.
- `test_golden_has_the_hand_checked_working_days` does the same for what issue 3 added (period,
  protocol date, window, working day and its reason, proposal, provisional holiday data, status,
  notes, SEQUENCE): the expected values come from the State Council notices typed in below
  (`NOTICES`), not from the holidays package the program uses.

To regenerate the goldens deliberately, after a change to an exporter that you meant to make:

    MIL62SCHED_REGENERATE_GOLDEN=1 python -m pytest -q tests/formats/test_golden.py

In that mode the comparison tests write their file (UTF-8, `newline=""` so the calendar keeps
CRLF; DTSTAMP fixed at 19700101T000000Z so a regeneration changes nothing it need not) and are
skipped, so a regeneration run never counts as a pass. Then run the tests again without the
variable, read `git diff tests/golden`, and re-check any date that changed by hand.

Hand check
==========
Registry text (seeds/NCT05314010.txt), infusion visits per arm:

- Phase 1b: "W1D1, W3D1, W25D1, W27D1, W53D1, W79D1, W105D1, W131D1, W157D1, W183D1, and W209D1"
  at 500 mg or 1000 mg; "initially assigned to the 500 mg dose group ... may be escalated to the
  1000 mg dose starting from W25D1" (escalating at W53D1: 500 mg up to W27D1, 1000 mg from W53D1).
- Phase 3 RCP: MIL62 1000 mg or placebo "on W1D1, W3D1, W25D1, and W27D1" (blinded).
- Phase 3 OLP, came from MIL62: MIL62 1000 mg "on W1D1, W27D1, W53D1, W79D1, W105D1, and W131D1,
  along with matching placebo on W3D1"; came from placebo: MIL62 1000 mg "on W1D1, W3D1, W27D1,
  W53D1, W79D1, W105D1, and W131D1". Same 7 visits; no W25D1. Blinded, W3D1 is "MIL62 1000 mg or
  matching placebo".
- The `phase3` journey is the blinded RCP, then the blinded OLP. The registry does not say when a
  participant enters the OLP; without --olp-start the protocol file assumes RCP W53D1 (study day
  365) and every output says so (JSON: periods[1].start_assumed = true, with a note).

Study day of WnDm = 7(n-1) + m; date = W1D1 of its period + (study day - 1) days.

Start 2024-01-01, a Monday (1 Jan 2023 was a Sunday and 2023 has 365 = 52*7 + 1 days). 2024 is a
leap year. Counted by month lengths, days after 1 Jan 2024: 1 Jun 2024 = +152, 1 Jul 2024 = +182,
1 Jan 2025 = +366, 1 Jan 2026 = +731, 1 Jan 2027 = +1096, 1 Jan 2028 = +1461; 1 Jul of the
non-leap years 2025-2027 is 181 days after their 1 Jan.

    code   | study day        | + days | date       | weekday | counted as
    -------+------------------+--------+------------+---------+-----------------------------------
    W1D1   | 7*0   + 1 =    1 |      0 | 2024-01-01 | Mon     | the start
    W3D1   | 7*2   + 1 =   15 |     14 | 2024-01-15 | Mon     | 1 Jan + 14
    W25D1  | 7*24  + 1 =  169 |    168 | 2024-06-17 | Mon     | 1 Jun (+152) + 16
    W27D1  | 7*26  + 1 =  183 |    182 | 2024-07-01 | Mon     | 1 Jul (+182)
    W53D1  | 7*52  + 1 =  365 |    364 | 2024-12-30 | Mon     | 1 Jan 2025 (+366) - 2
    W79D1  | 7*78  + 1 =  547 |    546 | 2025-06-30 | Mon     | 546 - 366 = 180; 1 Jul (181) - 1
    W105D1 | 7*104 + 1 =  729 |    728 | 2025-12-29 | Mon     | 1 Jan 2026 (+731) - 3
    W131D1 | 7*130 + 1 =  911 |    910 | 2026-06-29 | Mon     | 910 - 731 = 179; 1 Jul (181) - 2
    W157D1 | 7*156 + 1 = 1093 |   1092 | 2026-12-28 | Mon     | 1 Jan 2027 (+1096) - 4
    W183D1 | 7*182 + 1 = 1275 |   1274 | 2027-06-28 | Mon     | 1274 - 1096 = 178; 1 Jul (181) - 3
    W209D1 | 7*208 + 1 = 1457 |   1456 | 2027-12-27 | Mon     | 1 Jan 2028 (+1461) - 5

Start 2024-02-29 (leap day), a Thursday (1 Jan 2024 Monday + 59 days = 8 weeks + 3 days). Days
after 29 Feb 2024: 1 Mar = +1, 1 Apr = +32, 1 May = +62, 1 Jun = +93, 1 Jul = +123, 1 Aug = +154.

    code   | study day        | + days | date       | weekday | counted as
    -------+------------------+--------+------------+---------+-----------------------------------
    W1D1   | 7*0   + 1 =    1 |      0 | 2024-02-29 | Thu     | the start
    W3D1   | 7*2   + 1 =   15 |     14 | 2024-03-14 | Thu     | 1 Mar (+1) + 13
    W25D1  | 7*24  + 1 =  169 |    168 | 2024-08-15 | Thu     | 1 Aug (+154) + 14
    W27D1  | 7*26  + 1 =  183 |    182 | 2024-08-29 | Thu     | 1 Aug (+154) + 28

Journey `phase3` from 2024-01-01: the RCP visits are the first four rows of the 2024-01-01 table.
The OLP's W1D1 is assumed at RCP W53D1 = 2024-12-30 (table above), so OLP WnD1 = 2024-12-30 +
7(n-1) days, which is W(n+52)D1 of the 2024-01-01 table (52 weeks later); W3D1 = W55D1 is not in
that table: 2024-12-30 + 14 = 1 Jan 2025 (+2) + 12 = 2025-01-13. None of the RCP visits falls on
or after the OLP start, so all four are kept.

    period code   | study day | + days from 2024-12-30 | date       | weekday | same as
    -------------+-----------+------------------------+------------+---------+----------------
    OLP    W1D1   |         1 |                      0 | 2024-12-30 | Mon     | RCP W53D1
    OLP    W3D1   |        15 |                     14 | 2025-01-13 | Mon     | (2 + 12)
    OLP    W27D1  |       183 |                    182 | 2025-06-30 | Mon     | W79D1 above
    OLP    W53D1  |       365 |                    364 | 2025-12-29 | Mon     | W105D1 above
    OLP    W79D1  |       547 |                    546 | 2026-06-29 | Mon     | W131D1 above
    OLP    W105D1 |       729 |                    728 | 2026-12-28 | Mon     | W157D1 above
    OLP    W131D1 |       911 |                    910 | 2027-06-28 | Mon     | W183D1 above

Windowed plan `phase3-rcp --start 2025-09-17 --window 3 --adjust`. 2025-09-17 is a Wednesday
(1 Jan 2025 was a Wednesday; 17 Sep is day 31+28+31+30+31+30+31+31+17 = 260 of 2025, 259 = 37*7
days later). Days after 17 Sep 2025: 1 Oct = +14, 1 Jan 2026 = +106, 1 Mar 2026 = +165.

    code  | + days | protocol date | window (+-3 d)         | working day?     | planned (--adjust)
    ------+--------+---------------+------------------------+------------------+------------------
    W1D1  |      0 | 2025-09-17 We | 2025-09-14..2025-09-20 | yes              | 2025-09-17
    W3D1  |     14 | 2025-10-01 We | 2025-09-28..2025-10-04 | no: National Day | 2025-09-30 Tu
    W25D1 |    168 | 2026-03-04 We | 2026-03-01..2026-03-07 | yes              | 2026-03-04
    W27D1 |    182 | 2026-03-18 We | 2026-03-15..2026-03-21 | yes              | 2026-03-18

W25D1: 2026-03-01 (+165) + 3; W27D1: + 14 more. W3D1's proposal: the search goes target, +1, -1,
+2, -2, ... (a tie goes later so as not to dose early): 2025-10-01 and 10-02 are days off in the
2025 notice (1-8 October), 2025-09-30 (Tuesday) is an ordinary working day, so 2025-09-30. The
adjusted working Sunday 2025-09-28 is in the window too, but farther away.

Every offset is a multiple of 7, so each visit falls on its period's W1D1 weekday, as the domain
notes require for WnD1. The dates were also cross-checked with GNU `date -d "2024-01-01 + 168
days"` (coreutils, not Python), which agreed on all of them (the 2024-12-30 and 2025-09-17 rows
were added and checked the same way for issue 3).

Working days (issue 3: `plan` checks CN working days by default)
================================================================
The State Council notices (国务院办公厅关于20xx年部分节假日安排的通知), read for these tests:

- 2024 (国办发明电〔2023〕7号, 2023-10-25): 元旦 1月1日放假; 春节 2月10日至17日, 2月4日(日)、
  2月18日(日)上班; 清明 4月4日至6日, 4月7日(日)上班; 劳动节 5月1日至5日, 4月28日(日)、5月11日(六)
  上班; 端午 6月10日; 中秋 9月15日至17日, 9月14日(六)上班; 国庆 10月1日至7日, 9月29日(日)、
  10月12日(六)上班.
- 2025 (国办发明电〔2024〕12号, 2024-11-12): 元旦 1月1日; 春节 1月28日至2月4日, 1月26日(日)、
  2月8日(六)上班; 清明 4月4日至6日; 劳动节 5月1日至5日, 4月27日(日)上班; 端午 5月31日至6月2日;
  国庆、中秋 10月1日至8日, 9月28日(日)、10月11日(六)上班.
- 2026 (notice of 2025-11-04, Xinhua): 元旦 1月1日至3日, 1月4日(日)上班; 春节 2月15日至23日,
  2月14日(六)、2月28日(六)上班; 清明 4月4日至6日; 劳动节 5月1日至5日, 5月9日(六)上班; 端午
  6月19日至21日; 中秋 9月25日至27日; 国庆 10月1日至7日, 9月20日(日)、10月10日(六)上班.

What the regenerated goldens were checked for, by hand, field by field:

- working_day / non_working_reason / the table's "Day" column: every visit above falls on a
  Monday, Wednesday or Thursday (plus the proposal, a Tuesday); of all of them only 2024-01-01
  (New Year's Day, 2024 notice) and 2025-10-01 (National Day, 2025 notice) are days off. All the
  others are ordinary weekdays outside every range above (e.g. 2024-06-17 is a week after the
  Dragon Boat day 6月10日; 2026-03-04 and 03-18 are after the 2026 Spring Festival, 2月15日至23日).
  The names are the holidays package's English ones, checked against the notice's holiday.
- working_day describes the protocol date, not the planned one: the adjusted W3D1 keeps
  working_day = false, reason National Day, while its `date` is 2025-09-30 (see the report; the
  JSON contract does not say which date the field is about).
- note: a visit whose protocol date is a day off and which is not moved says so; W1D1 is never
  moved (it starts the timeline), so W1D1 on 2024-01-01 carries "not a working day (New Year's
  Day); W1D1 starts the period's timeline, so it is never moved: ...". The moved W3D1 has no note
  (md/table list the move instead). Every other visit's note is null.
- holidays_provisional: the installed holidays data has official adjusted working days up to 2026,
  so it is true exactly for the visits whose date (or window) reaches 2027 or later: W183D1
  2027-06-28 and W209D1 2027-12-27 of Phase 1b, OLP W131D1 2027-06-28 of the journey; the plan's
  own flag is true when any visit's is.
- protocol_date equals date wherever nothing moved (all but the adjusted W3D1: 2025-10-01 vs
  2025-09-30); window_start / window_end are null without --window and protocol date -/+ 3 days
  with --window 3; proposed_date is null except the adjusted W3D1 (2025-09-30); status is
  "planned", actual_date / deviation_days / in_window null everywhere (no records given).
- JSON plan fields: periods (one, not assumed, note null; the journey's OLP assumed at
  2024-12-30 with a note naming --olp-start), country "CN", adjusted false (true with --adjust),
  anchor "w1d1". CSV and JSON keep the old fields' names and order; the new ones come after.
- .ics: every event has SEQUENCE:31536000, the export instant the tests fix with SOURCE_DATE_EPOCH
  (`EXPORTED_AT`, 2026-01-01T00:00:00Z) in seconds since 2025-01-01T00:00:00Z: 2025 has 365
  days, 365 * 86400 = 31536000 (see formats/ics.py and tests/formats/test_ics_updates.py), its
  description names the period ("..., OLP"), and the W1D1 event carries the New Year's Day note.
- The md and table Weekday column now shows "Mon"/"Thu" where the md used to say "Monday": a
  change of presentation, the same day.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
import vobject

from mil62sched.formats import names as format_names
from tests.conftest import (
    GOLDEN,
    Run,
    cn_last_official_year,
    normalise_dtstamp,
    without_study_dates,
)

FORMATS = tuple(format_names())

# The export instant of every golden (SOURCE_DATE_EPOCH, 2026-01-01T00:00:00Z): it fixes SEQUENCE
# and DTSTAMP, so a golden calendar is the same bytes on every run.
EXPORTED_AT = "1767225600"
SEQUENCE_AT_EXPORT = 365 * 86400  # seconds from 2025-01-01 to 2026-01-01, hand-counted

REGENERATE = os.environ.get("MIL62SCHED_REGENERATE_GOLDEN") == "1"
# Month views: tests/formats/test_calendar.py; visit cards: tests/formats/test_card.py.
OWNED_ELSEWHERE = (".calendar.txt", ".card.html")

# Golden file name -> the `mil62sched` command line (split on spaces) that prints it.
GOLDENS: dict[str, str] = {
    "phase3-olp_2024-01-01.table.txt": "plan --arm phase3-olp --start 2024-01-01 --format table",
    "phase3-olp_P001_2024-01-01.csv": (
        "plan --arm phase3-olp --start 2024-01-01 --participant P001 --format csv"
    ),
    "phase3-olp_2024-01-01.json": "plan --arm phase3-olp --start 2024-01-01 --format json",
    "phase3-olp_P001_2024-01-01.md": (
        "plan --arm phase3-olp --start 2024-01-01 --participant P001 --format md"
    ),
    "phase3-olp_P001_2024-01-01.ics": (
        "plan --arm phase3-olp --start 2024-01-01 --participant P001 --format ics"
    ),
    "phase3-olp-from-mil62_P001_2024-01-01.json": (
        "plan --arm phase3-olp-from-mil62 --start 2024-01-01 --participant P001 --format json"
    ),
    "phase3-olp-from-mil62_P001_2024-01-01.ics": (
        "plan --arm phase3-olp-from-mil62 --start 2024-01-01 --participant P001 --format ics"
    ),
    "phase3-olp-from-mil62_P001_2024-01-01.table.txt": (
        "plan --arm phase3-olp-from-mil62 --start 2024-01-01 --participant P001 --format table"
    ),
    "phase3-olp-from-placebo_P002_2024-01-01.md": (
        "plan --arm phase3-olp-from-placebo --start 2024-01-01 --participant P002 --format md"
    ),
    "phase1b-500_escalate-W53D1_2024-01-01.csv": (
        "plan --arm phase1b-500 --start 2024-01-01 --escalate-at W53D1 --format csv"
    ),
    "phase3-rcp_P001_2024-02-29.md": (
        "plan --arm phase3-rcp --start 2024-02-29 --participant P001 --format md"
    ),
    "phase3-rcp-placebo_P001_2024-02-29.csv": (
        "plan --arm phase3-rcp-placebo --start 2024-02-29 --participant P001 --format csv"
    ),
    "phase3_P001_2024-01-01.json": (
        "plan --arm phase3 --start 2024-01-01 --participant P001 --format json"
    ),
    "phase3-rcp_window-3-adjust_2025-09-17.csv": (
        "plan --arm phase3-rcp --start 2025-09-17 --window 3 --adjust --format csv"
    ),
}

# The hand-checked tables of the module docstring: code -> (study day, date, weekday).
FROM_2024_01_01 = {
    "W1D1": (1, "2024-01-01", "Mon"),
    "W3D1": (15, "2024-01-15", "Mon"),
    "W25D1": (169, "2024-06-17", "Mon"),
    "W27D1": (183, "2024-07-01", "Mon"),
    "W53D1": (365, "2024-12-30", "Mon"),
    "W79D1": (547, "2025-06-30", "Mon"),
    "W105D1": (729, "2025-12-29", "Mon"),
    "W131D1": (911, "2026-06-29", "Mon"),
    "W157D1": (1093, "2026-12-28", "Mon"),
    "W183D1": (1275, "2027-06-28", "Mon"),
    "W209D1": (1457, "2027-12-27", "Mon"),
}
FROM_2024_02_29 = {
    "W1D1": (1, "2024-02-29", "Thu"),
    "W3D1": (15, "2024-03-14", "Thu"),
    "W25D1": (169, "2024-08-15", "Thu"),
    "W27D1": (183, "2024-08-29", "Thu"),
}
# The journey's OLP, assumed to start at RCP W53D1 = 2024-12-30.
FROM_2024_12_30 = {
    "W1D1": (1, "2024-12-30", "Mon"),
    "W3D1": (15, "2025-01-13", "Mon"),
    "W27D1": (183, "2025-06-30", "Mon"),
    "W53D1": (365, "2025-12-29", "Mon"),
    "W79D1": (547, "2026-06-29", "Mon"),
    "W105D1": (729, "2026-12-28", "Mon"),
    "W131D1": (911, "2027-06-28", "Mon"),
}
# Planned dates with --window 3 --adjust: W3D1 moved from 2025-10-01 (National Day) to 09-30.
FROM_2025_09_17_ADJUSTED = {
    "W1D1": (1, "2025-09-17", "Wed"),
    "W3D1": (15, "2025-09-30", "Tue"),
    "W25D1": (169, "2026-03-04", "Wed"),
    "W27D1": (183, "2026-03-18", "Wed"),
}

# Visit lists and infusions as the registry text states them (see the module docstring).
PHASE1B = (
    "W1D1",
    "W3D1",
    "W25D1",
    "W27D1",
    "W53D1",
    "W79D1",
    "W105D1",
    "W131D1",
    "W157D1",
    "W183D1",
    "W209D1",
)
RCP = ("W1D1", "W3D1", "W25D1", "W27D1")
OLP = ("W1D1", "W3D1", "W27D1", "W53D1", "W79D1", "W105D1", "W131D1")
MIL62_500 = "MIL62 500 mg"
MIL62_1000 = "MIL62 1000 mg"
PLACEBO = "Matching placebo"
BLINDED = "MIL62 1000 mg or matching placebo"

Row = tuple[str, int, str, str, str]  # code, study day, date, weekday (3 letters), infusion


def _rows(
    dates: dict[str, tuple[int, str, str]], codes: tuple[str, ...], infusion: str, **overrides: str
) -> list[Row]:
    return [(code, *dates[code], overrides.get(code, infusion)) for code in codes]


EXPECTED: dict[str, list[Row]] = {
    "phase3-olp_2024-01-01.table.txt": _rows(FROM_2024_01_01, OLP, MIL62_1000, W3D1=BLINDED),
    "phase3-olp_P001_2024-01-01.csv": _rows(FROM_2024_01_01, OLP, MIL62_1000, W3D1=BLINDED),
    "phase3-olp_2024-01-01.json": _rows(FROM_2024_01_01, OLP, MIL62_1000, W3D1=BLINDED),
    "phase3-olp_P001_2024-01-01.md": _rows(FROM_2024_01_01, OLP, MIL62_1000, W3D1=BLINDED),
    "phase3-olp_P001_2024-01-01.ics": _rows(FROM_2024_01_01, OLP, MIL62_1000, W3D1=BLINDED),
    "phase3-olp-from-mil62_P001_2024-01-01.json": _rows(
        FROM_2024_01_01, OLP, MIL62_1000, W3D1=PLACEBO
    ),
    "phase3-olp-from-mil62_P001_2024-01-01.ics": _rows(
        FROM_2024_01_01, OLP, MIL62_1000, W3D1=PLACEBO
    ),
    "phase3-olp-from-mil62_P001_2024-01-01.table.txt": _rows(
        FROM_2024_01_01, OLP, MIL62_1000, W3D1=PLACEBO
    ),
    "phase3-olp-from-placebo_P002_2024-01-01.md": _rows(FROM_2024_01_01, OLP, MIL62_1000),
    "phase1b-500_escalate-W53D1_2024-01-01.csv": _rows(
        FROM_2024_01_01,
        PHASE1B,
        MIL62_1000,
        W1D1=MIL62_500,
        W3D1=MIL62_500,
        W25D1=MIL62_500,
        W27D1=MIL62_500,
    ),
    "phase3-rcp_P001_2024-02-29.md": _rows(FROM_2024_02_29, RCP, BLINDED),
    "phase3-rcp-placebo_P001_2024-02-29.csv": _rows(FROM_2024_02_29, RCP, PLACEBO),
    # The blinded journey: RCP all blinded; OLP open-label MIL62 1000 mg except W3D1.
    "phase3_P001_2024-01-01.json": _rows(FROM_2024_01_01, RCP, BLINDED)
    + _rows(FROM_2024_12_30, OLP, MIL62_1000, W3D1=BLINDED),
    "phase3-rcp_window-3-adjust_2025-09-17.csv": _rows(FROM_2025_09_17_ADJUSTED, RCP, BLINDED),
}


# --- working days: the State Council notices, typed in from the notices themselves -------------


@dataclass(frozen=True)
class Notice:
    """One year's notice: the days off (ranges as the notice gives them) and the weekend days
    made working days (调休上班)."""

    days_off: tuple[tuple[str, str], ...]
    working_weekend_days: tuple[str, ...]


NOTICES: dict[int, Notice] = {
    2024: Notice(
        (("01-01", "01-01"), ("02-10", "02-17"), ("04-04", "04-06"), ("05-01", "05-05"),
         ("06-10", "06-10"), ("09-15", "09-17"), ("10-01", "10-07")),
        ("02-04", "02-18", "04-07", "04-28", "05-11", "09-14", "09-29", "10-12"),
    ),
    2025: Notice(
        (("01-01", "01-01"), ("01-28", "02-04"), ("04-04", "04-06"), ("05-01", "05-05"),
         ("05-31", "06-02"), ("10-01", "10-08")),
        ("01-26", "02-08", "04-27", "09-28", "10-11"),
    ),
    2026: Notice(
        (("01-01", "01-03"), ("02-15", "02-23"), ("04-04", "04-06"), ("05-01", "05-05"),
         ("06-19", "06-21"), ("09-25", "09-27"), ("10-01", "10-07")),
        ("01-04", "02-14", "02-28", "05-09", "09-20", "10-10"),
    ),
}  # fmt: skip
# The first year with no official adjusted-working-day list in the installed holidays data, read
# from the package. The golden files were made when it was 2027: a holidays release with 2027's
# schedule changes their provisional flags, and they must be regenerated and checked again.
FIRST_UNPUBLISHED_YEAR = cn_last_official_year() + 1
# The holiday names the goldens show, each checked against its notice (see the docstring). A
# golden visit on any other day off fails with a KeyError: check that one by hand, then add it.
DAY_OFF_NAMES = {"2024-01-01": "New Year's Day", "2025-10-01": "National Day"}


def _notice_working_day(day: date) -> bool:
    """Mon-Fri outside the notice's days off, or a weekend day the notice makes a working day."""
    notice = NOTICES.get(day.year)
    if notice is None:  # 2027 on: no notice yet; weekends only (the data is provisional)
        return day.weekday() < 5
    month_day = f"{day:%m-%d}"
    if month_day in notice.working_weekend_days:
        return True
    return day.weekday() < 5 and not any(
        first <= month_day <= last for first, last in notice.days_off
    )


@dataclass(frozen=True)
class Setup:
    """How a golden's plan was made, as far as the working-day fields depend on it."""

    periods: tuple[tuple[str, str, int, bool], ...]  # (period, W1D1, visits, start assumed)
    window: int | None = None  # --window N
    adjust: bool = False
    # code -> (protocol date, proposed date) for visits whose protocol date is a day off in a window
    moved: Mapping[str, tuple[str, str]] = field(default_factory=dict)


SETUP: dict[str, Setup] = {
    "phase3-olp_2024-01-01.table.txt": Setup((("OLP", "2024-01-01", 7, False),)),
    "phase3-olp_P001_2024-01-01.csv": Setup((("OLP", "2024-01-01", 7, False),)),
    "phase3-olp_2024-01-01.json": Setup((("OLP", "2024-01-01", 7, False),)),
    "phase3-olp_P001_2024-01-01.md": Setup((("OLP", "2024-01-01", 7, False),)),
    "phase3-olp_P001_2024-01-01.ics": Setup((("OLP", "2024-01-01", 7, False),)),
    "phase3-olp-from-mil62_P001_2024-01-01.json": Setup((("OLP", "2024-01-01", 7, False),)),
    "phase3-olp-from-mil62_P001_2024-01-01.ics": Setup((("OLP", "2024-01-01", 7, False),)),
    "phase3-olp-from-mil62_P001_2024-01-01.table.txt": Setup((("OLP", "2024-01-01", 7, False),)),
    "phase3-olp-from-placebo_P002_2024-01-01.md": Setup((("OLP", "2024-01-01", 7, False),)),
    "phase1b-500_escalate-W53D1_2024-01-01.csv": Setup((("Phase 1b", "2024-01-01", 11, False),)),
    "phase3-rcp_P001_2024-02-29.md": Setup((("RCP", "2024-02-29", 4, False),)),
    "phase3-rcp-placebo_P001_2024-02-29.csv": Setup((("RCP", "2024-02-29", 4, False),)),
    "phase3_P001_2024-01-01.json": Setup(
        (("RCP", "2024-01-01", 4, False), ("OLP", "2024-12-30", 7, True))
    ),
    "phase3-rcp_window-3-adjust_2025-09-17.csv": Setup(
        (("RCP", "2025-09-17", 4, False),),
        window=3,
        adjust=True,
        moved={"W3D1": ("2025-10-01", "2025-09-30")},
    ),
}


def _expected_days(name: str) -> list[dict[str, Any]]:
    """The new per-visit fields of a golden, from the hand tables and the notices."""
    setup = SETUP[name]
    periods = [period for period, _, count, _ in setup.periods for _ in range(count)]
    expected = []
    for (code, _, planned, _, _), period in zip(EXPECTED[name], periods, strict=True):
        protocol, proposed = setup.moved.get(code, (planned, None))
        target = date.fromisoformat(protocol)
        first = last = target
        if setup.window is not None:
            first, last = target - timedelta(setup.window), target + timedelta(setup.window)
        working = _notice_working_day(target)
        # The working-day fields describe the planned date (a proposal with --adjust), the
        # protocol_date_ ones the protocol date (issue 9 #4).
        day = date.fromisoformat(proposed) if setup.adjust and proposed else target
        on_day = _notice_working_day(day)
        expected.append(
            {
                "period": period,
                "protocol_date": protocol,
                "window_start": None if setup.window is None else first.isoformat(),
                "window_end": None if setup.window is None else last.isoformat(),
                "working_day": on_day,
                "non_working_reason": None if on_day else DAY_OFF_NAMES[day.isoformat()],
                # The registry's completion date 2027-03-31 (issue 9 #12).
                "after_study_completion": day > date(2027, 3, 31),
                "protocol_date_working_day": working,
                "protocol_date_non_working_reason": None if working else DAY_OFF_NAMES[protocol],
                "proposed_date": proposed,
                "holidays_provisional": last.year >= FIRST_UNPUBLISHED_YEAR,
                "status": "planned",
                "actual_date": None,
                "deviation_days": None,
                "in_window": None,
            }
        )
    return expected


# Field names and order before issue 3; they are a public contract (README) and must not change.
OLD_CSV_HEADER = [
    "protocol", "arm", "masking", "participant", "start", "code", "study_day", "date", "weekday",
    "treatment", "dose_mg", "blinded", "period",
]  # fmt: skip
OLD_PLAN_KEYS = [
    "protocol", "registry", "arm", "arm_title", "participant", "start", "blinded", "masking",
    "escalate_at", "notice", "visits",
]  # fmt: skip
OLD_VISIT_KEYS = OLD_CSV_HEADER[5:]

_DTSTAMP_LINE = re.compile(r"^DTSTAMP:\d{8}T\d{6}Z(?=\r$)", re.MULTILINE)


def _fixed_dtstamp(ics: str) -> str:
    """Fix DTSTAMP for a golden file, keeping CRLF (conftest's normaliser drops that line's CR)."""
    return _DTSTAMP_LINE.sub("DTSTAMP:19700101T000000Z", ics)


def test_every_golden_file_is_listed() -> None:
    on_disk = {
        path.name
        for path in GOLDEN.iterdir()
        if path.is_file()  # tests/golden/zh/ is tests/i18n/test_i18n.py's
        and not path.name.startswith(".")
        and not path.name.endswith(OWNED_ELSEWHERE)
    }
    assert on_disk == set(GOLDENS)
    assert set(EXPECTED) == set(GOLDENS)
    assert set(SETUP) == set(GOLDENS)


def test_every_exporter_has_a_golden_file() -> None:
    formats = {
        "table" if name.endswith(".table.txt") else name.rsplit(".", 1)[1] for name in GOLDENS
    }
    # The month view's goldens are tests/formats/test_calendar.py's; a workbook (xlsx) is checked
    # cell by cell against the CSV golden in tests/formats/test_xlsx.py; the card's (html) are
    # tests/formats/test_card.py's; pdf is the card printed by a browser, checked by
    # tests/browser/test_card.py (its bytes depend on the browser). Every other format is here.
    assert formats == set(FORMATS) - {"calendar", "xlsx", "html", "pdf"}


@pytest.fixture(autouse=True)
def _exported_at_a_fixed_instant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EXPORTED_AT)


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_output_matches_golden(run: Run, name: str) -> None:
    result = run(*GOLDENS[name].split())
    assert result.exit_code == 0, result.stderr
    assert without_study_dates(result.stderr) == ""  # issue 9 #12: those warn, on purpose
    produced = result.stdout_bytes
    golden = GOLDEN / name
    if REGENERATE:
        text = produced.decode("utf-8")
        if name.endswith(".ics"):
            text = _fixed_dtstamp(text)
        with golden.open("w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        pytest.skip(f"regenerated {golden}: re-check its dates by hand, then run without the env")
    assert golden.exists(), f"{golden} is missing: see this module's docstring to regenerate"
    expected = golden.read_bytes()
    if name.endswith(".ics"):
        # Every line of a calendar ends in CRLF (RFC 5545 3.1), checked before normalising.
        assert produced.count(b"\n") == produced.count(b"\r\n") > 0
        assert normalise_dtstamp(produced.decode("utf-8")) == normalise_dtstamp(
            expected.decode("utf-8")
        )
    else:
        assert produced == expected


def _table_cells(text: str) -> list[dict[str, str]]:
    """The rows of a terminal table, by column heading (columns are 2+ spaces apart)."""
    lines = [line.strip() for line in text.splitlines()]
    headings = re.split(r"\s{2,}", next(line for line in lines if line.startswith("Visit ")))
    return [
        dict(zip(headings, re.split(r"\s{2,}", line), strict=False))
        for line in lines
        if re.match(r"W\d+D\d\s", line)
    ]


def _md_cells(text: str) -> list[dict[str, str]]:
    """The rows of a Markdown pipe table, by column heading."""
    lines = text.splitlines()

    def cells(line: str) -> list[str]:
        return [cell.strip() for cell in line.strip().strip("|").split("|")]

    headings = cells(next(line for line in lines if line.startswith("| Visit |")))
    return [
        dict(zip(headings, cells(line), strict=True)) for line in lines if line.startswith("| W")
    ]


def _visits_in(name: str, text: str) -> list[Row]:
    """The visits a golden file shows, read back from its own format."""
    if name.endswith((".table.txt", ".md")):
        table = _table_cells(text) if name.endswith(".table.txt") else _md_cells(text)
        return [
            (c["Visit"], int(c["Study day"]), c["Date"], c["Weekday"][:3], c["Infusion"])
            for c in table
        ]
    if name.endswith(".csv"):
        return [
            (row["code"], int(row["study_day"]), row["date"], row["weekday"][:3], row["treatment"])
            for row in csv.DictReader(io.StringIO(text))
        ]
    if name.endswith(".json"):
        return [
            (v["code"], v["study_day"], v["date"], v["weekday"][:3], v["treatment"])
            for v in json.loads(text)["visits"]
        ]
    assert name.endswith(".ics")
    calendar = vobject.readOne(text, validate=True)
    rows = []
    for event in calendar.vevent_list:
        summary = re.search(r"\b(W\d+D\d) infusion: (.+)$", event.summary.value)
        day = re.search(r"^Study day (\d+) \((W\d+D\d)\)", event.description.value, re.MULTILINE)
        assert summary, event.summary.value
        assert day, event.description.value
        assert summary[1] == day[2]
        start = event.dtstart.value
        assert event.dtend.value.toordinal() == start.toordinal() + 1  # one all-day event
        rows.append((summary[1], int(day[1]), start.isoformat(), f"{start:%a}", summary[2]))
    return rows


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_golden_has_the_hand_checked_visits(name: str) -> None:
    text = (GOLDEN / name).read_text(encoding="utf-8")
    assert _visits_in(name, text) == EXPECTED[name]


def _csv_text(value: object) -> str:
    """How the CSV exporter writes a value: true/false, empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_note(note: str | None, code: str, day: dict[str, Any], moved: bool) -> None:
    """A day off that stays put is explained; W1D1 is never moved; a moved visit needs no note."""
    if day["working_day"] or moved:
        assert note is None or note == "", (code, note)
        return
    assert note, code
    assert day["non_working_reason"] in note
    if code == "W1D1":
        assert "never moved" in note


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_golden_has_the_hand_checked_working_days(name: str) -> None:
    text = (GOLDEN / name).read_text(encoding="utf-8")
    expected = _expected_days(name)
    setup = SETUP[name]
    codes = [row[0] for row in EXPECTED[name]]
    moved = [code in setup.moved and setup.adjust for code in codes]
    if name.endswith(".csv"):
        rows = list(csv.DictReader(io.StringIO(text)))
        header = list(rows[0])
        assert header[: len(OLD_CSV_HEADER)] == OLD_CSV_HEADER
        for row, day, code, was_moved in zip(rows, expected, codes, moved, strict=True):
            assert {key: row[key] for key in day} == {k: _csv_text(v) for k, v in day.items()}
            _check_note(row["note"], code, day, was_moved)
    elif name.endswith(".json"):
        document = json.loads(text)
        assert [key for key in document if key in OLD_PLAN_KEYS] == OLD_PLAN_KEYS
        assert list(document)[-1] == "visits"
        for visit, day, code, was_moved in zip(
            document["visits"], expected, codes, moved, strict=True
        ):
            assert list(visit)[: len(OLD_VISIT_KEYS)] == OLD_VISIT_KEYS
            assert {key: visit[key] for key in day} == day
            _check_note(visit["note"], code, day, was_moved)
        periods = document["periods"]
        assert [(p["period"], p["start"], p["start_assumed"]) for p in periods] == [
            (period, start, assumed) for period, start, _, assumed in setup.periods
        ]
        for period in periods:
            if period["start_assumed"]:
                assert "assumed" in period["note"]
                # It names an option that exists (issue 15 #5): --period-start PERIOD=DATE.
                assert f"--period-start {period['period']}=DATE" in period["note"]
            else:
                assert period["note"] is None
        assert document["country"] == "CN"
        assert document["holidays_provisional"] == any(
            day["holidays_provisional"] for day in expected
        )
        assert document["adjusted"] is setup.adjust
        assert document["anchor"] == "w1d1"
    elif name.endswith((".table.txt", ".md")):
        table = _table_cells(text) if name.endswith(".table.txt") else _md_cells(text)
        assert [cells["Day"] for cells in table] == [
            "working" if day["working_day"] else day["non_working_reason"] for day in expected
        ]
        for day in expected:
            if not day["working_day"]:
                # Listed under the table with its protocol date and the reason.
                assert f"({day['protocol_date']}): " in text
                assert f"({day['non_working_reason']})" in text
    else:
        calendar = vobject.readOne(text, validate=True)
        events = calendar.vevent_list
        for event, day, code, was_moved in zip(events, expected, codes, moved, strict=True):
            # SEQUENCE: the export instant, whatever the visit (formats/ics.py).
            assert int(event.sequence.value) == SEQUENCE_AT_EXPORT
            description = event.description.value
            heading = next(line for line in description.splitlines() if line.startswith("Study"))
            assert heading.endswith(f", {day['period']}")
            note = re.search(r"^Note: (.*)$", description, re.MULTILINE)
            _check_note(note[1] if note else None, code, day, was_moved)
