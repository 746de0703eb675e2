"""Golden files: each exporter's output for a few plans, compared byte for byte.

Every file in `tests/golden/` is listed in `GOLDENS` with the command line that makes it; its name
says what it shows (`<arm>[_<participant>]_<start>.<format>`, `.table.txt` for the terminal table).
Two kinds of test run on each:

- `test_output_matches_golden` runs the CLI (through the `run` fixture) and compares its standard
  output with the file byte for byte; for `.ics` both sides go through `normalise_dtstamp` first,
  since DTSTAMP is the time of export.
- `test_golden_has_the_hand_checked_visits` reads the golden file itself (the `.ics` with vobject,
  a second parser) and compares every visit's code, study day, date, weekday and infusion with the
  table below, which was worked out by hand from the registry text. So a regenerated golden with a
  wrong date fails even though it matches the program.

To regenerate the goldens deliberately, after a change to an exporter that you meant to make:

    MIL62SCHED_REGENERATE_GOLDEN=1 python -m pytest -q tests/test_golden.py

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

Study day of WnDm = 7(n-1) + m; date = start + (study day - 1) days.

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

Every offset is a multiple of 7, so each visit falls on the start's weekday, as the domain notes
require for WnD1. The dates were also cross-checked with GNU `date -d "2024-01-01 + 168 days"`
(coreutils, not Python), which agreed on all fifteen.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re

import pytest
import vobject

from tests.conftest import GOLDEN, Run, normalise_dtstamp

REGENERATE = os.environ.get("MIL62SCHED_REGENERATE_GOLDEN") == "1"

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
}

_DTSTAMP_LINE = re.compile(r"^DTSTAMP:\d{8}T\d{6}Z(?=\r$)", re.MULTILINE)


def _fixed_dtstamp(ics: str) -> str:
    """Fix DTSTAMP for a golden file, keeping CRLF (conftest's normaliser drops that line's CR)."""
    return _DTSTAMP_LINE.sub("DTSTAMP:19700101T000000Z", ics)


def test_every_golden_file_is_listed() -> None:
    on_disk = {path.name for path in GOLDEN.iterdir() if not path.name.startswith(".")}
    assert on_disk == set(GOLDENS)
    assert set(EXPECTED) == set(GOLDENS)


def test_every_exporter_has_a_golden_file() -> None:
    formats = {
        "table" if name.endswith(".table.txt") else name.rsplit(".", 1)[1] for name in GOLDENS
    }
    assert formats == {"table", "csv", "json", "md", "ics"}


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_output_matches_golden(run: Run, name: str) -> None:
    result = run(*GOLDENS[name].split())
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
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


def _visits_in(name: str, text: str) -> list[Row]:
    """The visits a golden file shows, read back from its own format."""
    if name.endswith(".table.txt"):
        return [
            (code, int(day), day_date, weekday, infusion)
            for line in text.splitlines()
            if re.match(r"W\d+D\d\s", line.strip())
            for code, day, day_date, weekday, infusion in [re.split(r"\s{2,}", line.strip())]
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
    if name.endswith(".md"):
        return [
            (code, int(day), day_date, weekday[:3], infusion)
            for line in text.splitlines()
            if line.startswith("| W")
            for code, day, day_date, weekday, infusion in [
                [cell.strip() for cell in line.strip("|").split("|")]
            ]
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
