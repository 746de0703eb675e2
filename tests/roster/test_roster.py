"""Roster and actuals files through `mil62sched roster` (issue 4): parsing, bad rows, combined and
split outputs, CSV formula neutralisation, blinding across a roster, and the progress bar.

Every expected date is worked out by hand in the comments. Reference points (2025):
2025-01-06 is a Monday (2025-01-01 is a Wednesday); 2025-09-15 and 2025-09-29 are Mondays, so
2025-09-17 is a Wednesday and 2025-10-01 (National Day) a Wednesday. Study day of WnD1 = 7(n-1)+1:
W3D1 = day 15 (+14 days), W25D1 = day 169 (+168 = 24 weeks), W27D1 = day 183 (+182 = 26 weeks),
so every WnD1 falls on the start's weekday. Mainland China 2025 (State Council notice): National
Day and Mid-Autumn 1-8 October; Sunday 28 September and Saturday 11 October are working days.

`--today` is always given when records are involved, so no test depends on the real date.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
import vobject
from typer.testing import Result

from mil62sched import protocol
from mil62sched.commands import progress
from mil62sched.environment import Environment
from mil62sched.formats.wording import UNBLINDED_NOTICE
from mil62sched.inputs import Reading
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Policy, VisitKey
from mil62sched.model.protocol import Window
from mil62sched.roster import expand as batch
from mil62sched.roster.files import Enrolment, RowError, read_actuals, read_roster
from tests.conftest import EXAMPLES, Run, normalise_dtstamp, renamed_period_protocol

PREFIX = "mil62sched: error: "
TRIAL = protocol.load()
D = date.fromisoformat
BOM = "\ufeff"


def write(path: Path, text: str, *, bom: bool = False, newline: str = "\n") -> Path:
    """Write `text` as Excel would: UTF-8, optionally with a BOM and CRLF row ends."""
    body = (BOM if bom else "") + text.replace("\n", newline)
    path.write_bytes(body.encode("utf-8"))
    return path


def errors(result: Result) -> list[str]:
    """Every stderr line of a run, without the 'mil62sched: error: ' prefix."""
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert all(line.startswith(PREFIX) for line in lines), result.stderr
    return [line[len(PREFIX) :] for line in lines]


def read(path: Path) -> str:
    """A file's text with its line ends as written (calendars use CRLF)."""
    return path.read_bytes().decode("utf-8")


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def events(ics: str) -> list[str]:
    """The VEVENT blocks of a calendar, DTSTAMP normalised, in file order."""
    return re.findall(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", normalise_dtstamp(ics), re.DOTALL)


def uids(ics: str) -> list[str]:
    return re.findall(r"^UID:(\S+)\r?$", ics, re.MULTILINE)


def summary(count: int, valid: int) -> str:
    if not valid:  # --skip-bad would write nothing either (issue 16 #4)
        return f"{count} bad row(s); nothing written (fix them: no row is valid)"
    return (
        f"{count} bad row(s); nothing written (fix them, or use --skip-bad to write the "
        f"{valid} valid participant(s))"
    )


# --- parsing ----------------------------------------------------------------------------------

# As Excel saves it: BOM, CRLF row ends, header names in any case and with spaces, a quoted note
# holding a comma and a line break (LF inside the cell, as Excel writes it), a blank line, and
# columns the tool does not know. Physical lines: 1 header, 2-3 P1 (its note spans two lines),
# 4 blank, 5 P2.
EXCEL_ROSTER = (
    "Participant,ARM, Start ,Site Note,Window,Initials\r\n"
    'P1,phase3-rcp,2025-01-06,"Smith, J.\nprefers mornings",2,JS\r\n'
    "\r\n"
    "P2,phase3-rcp,2025-01-07,,,AB\r\n"
)


def test_excel_roster_bom_crlf_quoted_blank_line_extra_columns_and_header_case(
    run: Run, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes((BOM + EXCEL_ROSTER).encode("utf-8"))
    result = run("roster", str(roster), "--format", "csv", "--today", "2025-12-01")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    rows = csv_rows(result.stdout)
    # P1 from Monday 2025-01-06: W3D1 +14 = 2025-01-20, W25D1 +168 (24 weeks: 02-03, 03-03,
    # 03-31, 04-28, 05-26, 06-23) = 2025-06-23, W27D1 +182 = 2025-07-07; all Mondays, none a
    # holiday. P2 from Tuesday 2025-01-07: one day later each.
    assert [(r["participant"], r["code"], r["date"]) for r in rows] == [
        ("P1", "W1D1", "2025-01-06"),
        ("P1", "W3D1", "2025-01-20"),
        ("P1", "W25D1", "2025-06-23"),
        ("P1", "W27D1", "2025-07-07"),
        ("P2", "W1D1", "2025-01-07"),
        ("P2", "W3D1", "2025-01-21"),
        ("P2", "W25D1", "2025-06-24"),
        ("P2", "W27D1", "2025-07-08"),
    ]
    # P1's own window column (2 days either side): W3D1 2025-01-18..2025-01-22; P2 has none.
    assert (rows[1]["window_start"], rows[1]["window_end"]) == ("2025-01-18", "2025-01-22")
    assert {r["window_start"] for r in rows[4:]} == {""}
    # Columns the tool does not know are ignored, not echoed.
    assert "Smith" not in result.stdout
    assert "JS" not in result.stdout.split(",")


def test_read_roster_gives_enrolments_with_their_line_numbers(tmp_path: Path) -> None:
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start,escalate_at,olp_start,window\n"
        "P1,phase1b-500,2025-01-06,w25d1,,3\n"
        "\n"
        'P2,phase3-ocp,2025-01-07,,,"1,3"\n'
        "P3,phase3,2025-01-08,,2025-12-31,\n",
        bom=True,
        newline="\r\n",
    )
    rows = list(read_roster(roster, TRIAL, Reading()))
    assert rows == [
        Enrolment(2, "P1", "phase1b-500", D("2025-01-06"), VisitCode(25, 1), (), Window(3, 3)),
        # line 3 is blank; the alias phase3-ocp is stored under its canonical name.
        Enrolment(4, "P2", "phase3-olp", D("2025-01-07"), None, (), Window(1, 3)),
        Enrolment(5, "P3", "phase3", D("2025-01-08"), None, (("OLP", D("2025-12-31")),), None),
    ]


def test_read_roster_and_actuals_take_their_columns_in_any_order(tmp_path: Path) -> None:
    # The same rows as the two tests around this one, with the columns shuffled, one the tool
    # does not know (note) and an optional one left out: cells are picked by the header's names.
    roster = write(
        tmp_path / "roster.csv",
        "Window,note,olp_start,start,ARM,participant\n"
        "3,first,,2025-01-06,phase1b-500,P1\n"
        '"1,3",,,2025-01-07,phase3-ocp,P2\n'
        ",x,2025-12-31,2025-01-08,phase3,P3\n",
    )
    assert list(read_roster(roster, TRIAL, Reading())) == [
        Enrolment(2, "P1", "phase1b-500", D("2025-01-06"), None, (), Window(3, 3)),
        Enrolment(3, "P2", "phase3-olp", D("2025-01-07"), None, (), Window(1, 3)),
        Enrolment(4, "P3", "phase3", D("2025-01-08"), None, (("OLP", D("2025-12-31")),), None),
    ]
    actuals = write(
        tmp_path / "actuals.csv",
        "status,date,note,participant,code\nmissed,,,P1,W25D1\n,2025-01-06,,P1,W1D1\n",
    )
    records, lines, bad = read_actuals(actuals, Reading())
    w1d1, w25d1 = VisitKey(VisitCode(1, 1)), VisitKey(VisitCode(25, 1))
    assert dict(records["P1"].actual) == {w1d1: D("2025-01-06")}
    assert records["P1"].missed == frozenset({w25d1})
    assert (lines, bad) == ({"P1": {w25d1: 2, w1d1: 3}}, [])


def test_read_roster_bad_row_after_a_multiline_row_has_its_own_line(tmp_path: Path) -> None:
    roster = write(
        tmp_path / "roster.csv",
        'participant,arm,start,note\nP1,phase3-rcp,2025-01-06,"two\nlines"\nP2,phase3-rcx,2025-01-06,\n',
    )
    bad = [row for row in read_roster(roster, TRIAL, Reading()) if isinstance(row, RowError)]
    # P1 covers lines 2 and 3, so P2 is on line 4.
    assert [(row.file, row.line) for row in bad] == [("roster.csv", 4)]
    assert str(bad[0]).startswith("roster.csv line 4: unknown arm 'phase3-rcx'")


def test_bad_row_spanning_two_lines_is_reported_at_its_first_line(run: Run, tmp_path: Path) -> None:
    # P1's quoted note spans physical lines 2-3: the row is reported at line 2, where it starts
    # (csv.reader.line_num would say 3, the line it ends on).
    roster = write(
        tmp_path / "roster.csv",
        'participant,arm,start,note\nP1,phase3-rcx,2025-01-06,"two\nlines"\nP2,phase3-rcp,2025-01-06,\n',
    )
    result = run("roster", str(roster), "--format", "csv")
    assert result.exit_code == 1
    reported = errors(result)
    assert len(reported) == 2, reported
    assert reported[0].startswith("roster.csv line 2: unknown arm 'phase3-rcx'")
    assert reported[1] == summary(1, 1)


def test_read_actuals_gives_records_lines_and_bad_rows(tmp_path: Path) -> None:
    actuals = write(
        tmp_path / "actuals.csv",
        "Participant,Code,Date,Status\n"
        "P1,W1D1,2025-01-06,done\n"
        "P1,rcp:w3d1,2025-01-21,\n"  # status defaults to done; period prefix, any case
        "P1,W25D1,,MISSED\n"  # a missed visit may leave the date empty; status in any case
        "P2,W1D1,2025-01-07,gone\n"
        "P1,W1D1,2025-01-06,done\n",
        newline="\r\n",
    )
    records, lines, bad = read_actuals(actuals, Reading())
    w1d1 = VisitKey(VisitCode(1, 1))
    w3d1 = VisitKey(VisitCode(3, 1), "RCP")
    w25d1 = VisitKey(VisitCode(25, 1))
    assert set(records) == {"P1"}
    assert dict(records["P1"].actual) == {w1d1: D("2025-01-06"), w3d1: D("2025-01-21")}
    assert records["P1"].missed == frozenset({w25d1})
    # Each participant's lines, carried from the reading (issue 21 #5: never searched for).
    assert lines == {"P1": {w1d1: 2, w3d1: 3, w25d1: 4}}
    assert [str(error) for error in bad] == [
        "actuals.csv line 5: invalid status 'gone': use done or missed",
        "actuals.csv line 6: P1 W1D1 is recorded twice (first on line 2)",
    ]


@pytest.mark.parametrize(
    ("header", "missing", "needs"),
    [
        ("participant,arm", "start", "participant, arm, start"),
        ("arm,start,window", "participant", "participant, arm, start"),
        ("participant,arm,start_date", "start", "participant, arm, start"),
    ],
)
def test_roster_header_without_a_required_column_is_refused(
    run: Run, tmp_path: Path, header: str, missing: str, needs: str
) -> None:
    roster = write(tmp_path / "roster.csv", f"{header}\nP1,phase3-rcp,2025-01-06\n")
    out = tmp_path / "site.csv"
    result = run("roster", str(roster), "-o", str(out))
    assert result.exit_code == 2
    assert errors(result) == [
        f"roster.csv line 1: missing column {missing!r}: the header needs {needs}"
    ]
    assert not out.exists()


def test_header_naming_a_column_twice_is_refused(run: Run, tmp_path: Path) -> None:
    # Header names are case-insensitive, so 'start' and 'Start' are one column named twice:
    # taking either value (2025-01-06 or 2025-02-03) would be a guess.
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start,Start\nP1,phase3-rcp,2025-01-06,2025-02-03\n",
    )
    out = tmp_path / "site.csv"
    result = run("roster", str(roster), "-o", str(out))
    assert result.exit_code == 2
    assert errors(result) == [
        "roster.csv line 1: column 'start' is named twice: which one holds the value?"
    ]
    assert not out.exists()


def test_actuals_header_without_code_is_refused(run: Run, tmp_path: Path) -> None:
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nP1,phase3-rcp,2025-01-06\n")
    actuals = write(tmp_path / "actuals.csv", "participant,date\nP1,2025-01-06\n")
    result = run("roster", str(roster), "--actuals", str(actuals), "--today", "2025-12-01")
    assert result.exit_code == 2
    assert errors(result) == [
        "actuals.csv line 1: missing column 'code': the header needs participant, code, date"
    ]
    assert result.stdout == ""


@pytest.mark.parametrize("content", [b"", BOM.encode("utf-8")], ids=["empty", "bom-only"])
def test_empty_roster_is_refused(run: Run, tmp_path: Path, content: bytes) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes(content)
    result = run("roster", str(roster))
    assert result.exit_code == 2
    assert errors(result) == ["roster.csv line 1: empty file: the first line must name the columns"]


def test_header_only_roster_gives_an_empty_csv(run: Run, tmp_path: Path) -> None:
    roster = write(tmp_path / "roster.csv", "participant,arm,start\n")
    result = run("roster", str(roster), "--format", "csv")
    assert result.exit_code == 0
    [header] = result.stdout.splitlines()
    assert header.startswith("protocol,arm,masking,participant,start,code,")


def test_roster_not_in_utf8_is_refused_and_nothing_written(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes(
        "participant,arm,start,note\nP1,phase3-rcp,2025-01-06,café\n".encode("latin-1")
    )
    out = tmp_path / "site.csv"
    result = run("roster", str(roster), "-o", str(out))
    assert result.exit_code == 2
    [message] = errors(result)
    assert message.startswith("roster.csv")
    assert "UTF-8" in message
    assert not out.exists()


def test_roster_not_in_utf8_far_down_is_refused_and_nothing_written(
    run: Run, tmp_path: Path
) -> None:
    # 400 valid rows (well past the first 8 KiB the decoder reads), then a Latin-1 byte: the
    # error comes while participants are being written, and still nothing may be published.
    good = "".join(f"P{n},phase3-rcp,2025-01-06,ok\n" for n in range(400))
    text = "participant,arm,start,note\n" + good + "P400,phase3-rcp,2025-01-06,café\n"
    roster = tmp_path / "roster.csv"
    roster.write_bytes(text.encode("latin-1"))
    out = tmp_path / "site.csv"
    result = run("roster", str(roster), "--no-holidays", "-o", str(out))
    assert result.exit_code == 2
    [message] = errors(result)
    assert message.startswith("roster.csv")
    assert "UTF-8" in message
    assert sorted(path.name for path in tmp_path.iterdir()) == ["roster.csv"]


# --- bad rows: all at once, nothing written ------------------------------------------------------

BAD_ROSTER = """\
participant,arm,start,escalate_at,olp_start,window
P1,phase3-rcp,2025-01-06,,,
P2,phase3-rcx,2025-01-06,,,
P3,phase3-rcp,06/01/2025,,,
P1,phase3-rcp,2025-01-06,,,
P/4,phase3-rcp,2025-01-06,,,
P5,phase3-rcp,2025-02-30,,,
P6,phase3-rcp,2025-01-06,,,x
P7,phase1b-1000,2025-01-06,W25D1,,
P8,phase3-rcp,2025-01-06,,2025-12-01,
P9,phase3-rcp
,phase3-rcp,2025-01-06,,,
P10,phase3-rcp,2025-01-06,,,
P11,phase1b-500,2025-01-06,W25D9,,
"""
BAD_ACTUALS = """\
participant,code,date,status
P1,W1D1,2025-01-06,done
P99,W1D1,2025-01-06,
P10,W2D1,2025-01-13,
P1,W3D1,2025-01-20,maybe
P1,W3D1,2025-01-21,
P1,W25D1,01/07/2025,
P1,W1D1,2025-01-06,
P1,X1,2025-01-06,
P1,W27D1,,missed
"""
# Sorted by file name, then line: actuals.csv before roster.csv.
BAD_LINES = [
    "actuals.csv line 3: participant 'P99' is not on the roster roster.csv",
    "actuals.csv line 4: P10: W2D1: not an infusion visit of phase3-rcp (W1D1, W3D1, W25D1, W27D1)",
    "actuals.csv line 5: invalid status 'maybe': use done or missed",
    "actuals.csv line 7: invalid date '01/07/2025': day-first or month-first: use year first: "
    "2025-08-18, 2025/8/18, 2025.8.18 or 2025年8月18日",
    "actuals.csv line 8: P1 W1D1 is recorded twice (first on line 2)",
    "actuals.csv line 9: invalid code 'X1': ",
    "roster.csv line 3: unknown arm 'phase3-rcx': did you mean 'phase3-rcp'? accepted: ",
    "roster.csv line 4: invalid start date '06/01/2025': day-first or month-first",
    "roster.csv line 5: duplicate participant 'P1' (first on line 2)",
    "roster.csv line 6: invalid participant ID 'P/4': use 1-64 letters, digits, '-', '_' or '.', "
    "starting with a letter or digit",
    "roster.csv line 7: invalid start date '2025-02-30': no such day",
    "roster.csv line 8: invalid window 'x': ",
    "roster.csv line 9: P7: escalate_at does not apply to phase1b-1000",
    "roster.csv line 10: olp_start was given, but phase3-rcp has no later period OLP: its one "
    "period is RCP; a later period belongs to a journey (phase3, phase3-mil62, phase3-placebo)",
    "roster.csv line 11: missing 'start'",
    "roster.csv line 12: empty 'participant'",
    "roster.csv line 14: invalid visit code 'W25D9'",
]


def bad_files(tmp_path: Path) -> tuple[Path, Path]:
    return (
        write(tmp_path / "roster.csv", BAD_ROSTER),
        write(tmp_path / "actuals.csv", BAD_ACTUALS),
    )


def assert_bad_lines(reported: list[str]) -> None:
    assert len(reported) == len(BAD_LINES), reported
    for line, expected in zip(reported, BAD_LINES, strict=True):
        assert line.startswith(expected), (line, expected)


def test_every_bad_row_is_reported_at_once_and_nothing_is_written(run: Run, tmp_path: Path) -> None:
    roster, actuals = bad_files(tmp_path)
    out = tmp_path / "site.csv"
    result = run(
        "roster", str(roster), "--actuals", str(actuals), "--today", "2025-07-08", "-o", str(out)
    )
    assert result.exit_code == 1
    reported = errors(result)
    assert_bad_lines(reported[:-1])
    # Valid: only P1 (its good actuals W1D1 2025-01-06 = start and W3D1 2025-01-21, before
    # today 2025-07-08, plus W27D1 missed: its day, 2025-07-07, has come). P10 is valid on the
    # roster but its only actual names a visit phase3-rcp does not have, so it is not planned.
    assert reported[-1] == summary(17, 1)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["actuals.csv", "roster.csv"]


def test_bad_rows_leave_an_existing_output_unchanged_even_with_force(
    run: Run, tmp_path: Path
) -> None:
    roster, actuals = bad_files(tmp_path)
    out = tmp_path / "site.csv"
    out.write_text("an earlier export\n", encoding="utf-8")
    result = run(
        "roster", str(roster), "--actuals", str(actuals), "--today", "2025-07-08",
        "-o", str(out), "--force",
    )  # fmt: skip
    assert result.exit_code == 1
    assert errors(result)[-1] == summary(17, 1)
    assert out.read_text(encoding="utf-8") == "an earlier export\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "actuals.csv",
        "roster.csv",
        "site.csv",
    ]


def test_bad_rows_on_stdout_print_nothing(run: Run, tmp_path: Path) -> None:
    roster, actuals = bad_files(tmp_path)
    result = run(
        "roster", str(roster), "--actuals", str(actuals), "--today", "2025-07-08",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stdout == ""


def test_skip_bad_writes_the_valid_participants_and_still_fails(run: Run, tmp_path: Path) -> None:
    roster, actuals = bad_files(tmp_path)
    out = tmp_path / "site.csv"
    result = run(
        "roster", str(roster), "--actuals", str(actuals), "--today", "2025-07-08",
        "-o", str(out), "--skip-bad",
    )  # fmt: skip
    assert result.exit_code == 1
    reported = errors(result)
    assert_bad_lines(reported[:-1])
    assert reported[-1] == "17 bad row(s) skipped; 1 participant(s) written"
    rows = csv_rows(out.read_text(encoding="utf-8"))
    # P1 from Monday 2025-01-06: W1D1 done on the start, W3D1 (protocol 2025-01-20) done a day
    # late on 2025-01-21, W25D1 2025-06-23 planned, W27D1 2025-07-07 missed.
    assert [(r["participant"], r["code"], r["protocol_date"], r["status"]) for r in rows] == [
        ("P1", "W1D1", "2025-01-06", "done"),
        ("P1", "W3D1", "2025-01-20", "done"),
        ("P1", "W25D1", "2025-06-23", "planned"),
        ("P1", "W27D1", "2025-07-07", "missed"),
    ]
    assert (rows[1]["actual_date"], rows[1]["deviation_days"]) == ("2025-01-21", "1")


def test_batch_expand_tallies_plans_and_sorted_errors(tmp_path: Path) -> None:
    roster, actuals = bad_files(tmp_path)
    tally = batch.Tally()
    policy = Policy(today=D("2025-07-08"))
    plans = list(batch.expand(TRIAL, roster, policy, actuals, tally, reading=Reading()))
    assert [plan.participant for plan in plans] == ["P1"]
    assert tally.planned == 1
    assert [(error.file, error.line) for error in tally.errors] == [
        ("actuals.csv", 3), ("actuals.csv", 4), ("actuals.csv", 5), ("actuals.csv", 7),
        ("actuals.csv", 8), ("actuals.csv", 9),
        *(("roster.csv", line) for line in (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14)),
    ]  # fmt: skip


# Actuals refused for a reason only the plan knows, each on its own line. Roster: P1 on
# phase3-rcp from Monday 2025-01-06 (W3D1 2025-01-20, W25D1 2025-06-23, W27D1 2025-07-07).
ACTUALS_CASES = {
    "unknown participant": (
        "P1,W1D1,2025-01-06,\nPX,W3D1,2025-01-20,\n",
        "actuals.csv line 3: participant 'PX' is not on the roster roster.csv",
        1,
    ),
    "unknown code": (
        "P1,W2D1,2025-01-13,\n",
        "actuals.csv line 2: P1: W2D1: not an infusion visit of phase3-rcp "
        "(W1D1, W3D1, W25D1, W27D1)",
        0,
    ),
    "bad status": (
        "P1,W3D1,2025-01-20,skipped\n",
        "actuals.csv line 2: invalid status 'skipped': use done or missed",
        1,
    ),
    "done without a date": (
        "P1,W3D1,,done\n",
        "actuals.csv line 2: invalid date '': use year first: 2025-08-18, 2025/8/18, 2025.8.18 "
        "or 2025年8月18日",
        1,
    ),
    "done and missed": (
        "P1,W3D1,2025-01-20,\nP1,W3D1,,missed\n",
        "actuals.csv line 3: P1 W3D1 is recorded twice (first on line 2)",
        1,
    ),
    # today 2025-03-01; W25D1 on its protocol date 2025-06-23 has not happened yet.
    "future date": (
        "P1,W1D1,2025-01-06,\nP1,W3D1,2025-01-20,\nP1,W25D1,2025-06-23,\n",
        "actuals.csv line 4: P1: W25D1=2025-06-23 is in the future (today is 2025-03-01)",
        0,
    ),
    # W25D1 (line 2) on 2025-01-21 is before W3D1's actual 2025-01-22 (line 3): W25D1 is refused.
    "out of order": (
        "P1,W25D1,2025-01-21,\nP1,W3D1,2025-01-22,\n",
        "actuals.csv line 2: P1: W25D1=2025-01-21 is not after W3D1's actual date 2025-01-22: "
        "visits happen in visit order",
        0,
    ),
}


@pytest.mark.parametrize(("rows", "expected", "valid"), ACTUALS_CASES.values(), ids=ACTUALS_CASES)
def test_bad_actual_is_reported_with_its_line(
    run: Run, tmp_path: Path, rows: str, expected: str, valid: int
) -> None:
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nP1,phase3-rcp,2025-01-06\n")
    actuals = write(tmp_path / "actuals.csv", "participant,code,date,status\n" + rows)
    out = tmp_path / "site.ics"
    result = run(
        "roster", str(roster), "--actuals", str(actuals), "--today", "2025-03-01", "-o", str(out)
    )
    assert result.exit_code == 1
    assert errors(result) == [expected, summary(1, valid)]
    assert not out.exists()


def test_actual_w1d1_other_than_the_start_names_the_actuals_line(run: Run, tmp_path: Path) -> None:
    # The roster says W1D1 is Monday 2025-01-06; the actuals file says 2025-01-07: the actuals
    # line is the one to check, so it is the one named.
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nP1,phase3-rcp,2025-01-06\n")
    actuals = write(tmp_path / "actuals.csv", "participant,code,date\nP1,W1D1,2025-01-07\n")
    result = run("roster", str(roster), "--actuals", str(actuals), "--today", "2025-03-01")
    assert result.exit_code == 1
    reported = errors(result)
    assert len(reported) == 2, reported
    assert reported[0].startswith(
        "actuals.csv line 2: P1: W1D1 is the start (2025-01-06) by definition"
    )
    assert reported[1] == summary(1, 0)


def test_actual_w1d1_refusal_does_not_name_an_option_roster_lacks(run: Run, tmp_path: Path) -> None:
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nP1,phase3-rcp,2025-01-06\n")
    actuals = write(tmp_path / "actuals.csv", "participant,code,date\nP1,W1D1,2025-01-07\n")
    result = run("roster", str(roster), "--actuals", str(actuals), "--today", "2025-03-01")
    message = errors(result)[0]
    assert message.startswith("actuals.csv line 2: P1: W1D1 is the start (2025-01-06)")
    # The engine's message serves plan and roster alike: it names the roster's column too.
    assert "the roster's start" in message


def test_two_bad_actuals_of_one_participant_are_both_reported(run: Run, tmp_path: Path) -> None:
    # phase3-rcp has W1D1, W3D1, W25D1 and W27D1 only: W2D1 (line 2) and W9D1 (line 3) are
    # both refused in one run, each at its own line.
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nP1,phase3-rcp,2025-01-06\n")
    actuals = write(
        tmp_path / "actuals.csv", "participant,code,date\nP1,W2D1,2025-01-13\nP1,W9D1,2025-03-03\n"
    )
    result = run("roster", str(roster), "--actuals", str(actuals), "--today", "2025-12-01")
    assert result.exit_code == 1
    assert errors(result) == [
        "actuals.csv line 2: P1: W2D1: not an infusion visit of phase3-rcp "
        "(W1D1, W3D1, W25D1, W27D1)",
        "actuals.csv line 3: P1: W9D1: not an infusion visit of phase3-rcp "
        "(W1D1, W3D1, W25D1, W27D1)",
        summary(2, 0),
    ]


# Two bad records of one participant that the engine checks at different stages: a code the arm
# lacks (or a W1D1 other than the start) and a date after --today. Today 2025-03-01; W25D1 on
# its protocol date 2025-06-23 (Monday 2025-01-06 + 168) has not happened yet.
TWO_STAGES = {
    "unknown code and future date": "P1,W2D1,2025-01-13\nP1,W25D1,2025-06-23\n",
    "W1D1 not the start and future date": "P1,W1D1,2025-01-07\nP1,W25D1,2025-06-23\n",
}


@pytest.mark.parametrize("rows", TWO_STAGES.values(), ids=TWO_STAGES)
def test_bad_actuals_caught_at_different_stages_are_all_reported(
    run: Run, tmp_path: Path, rows: str
) -> None:
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nP1,phase3-rcp,2025-01-06\n")
    actuals = write(tmp_path / "actuals.csv", "participant,code,date\n" + rows)
    result = run("roster", str(roster), "--actuals", str(actuals), "--today", "2025-03-01")
    reported = errors(result)
    assert [line.split(":")[0] for line in reported[:-1]] == [
        "actuals.csv line 2",
        "actuals.csv line 3",
    ]
    assert reported[1] == (
        "actuals.csv line 3: P1: W25D1=2025-06-23 is in the future (today is 2025-03-01)"
    )


def test_actuals_of_a_participant_whose_roster_row_is_bad_are_not_called_off_roster(
    run: Run, tmp_path: Path
) -> None:
    # P2's row names an unknown arm: that row is the error. Its actuals line is not also
    # "not on the roster" (P2 is on it); only PX, on no row at all, is.
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start\nP1,phase3-rcp,2025-01-06\nP2,phase3-rcx,2025-01-06\n",
    )
    actuals = write(
        tmp_path / "actuals.csv",
        "participant,code,date\nP1,W1D1,2025-01-06\nP2,W1D1,2025-01-06\nPX,W1D1,2025-01-06\n",
    )
    result = run("roster", str(roster), "--actuals", str(actuals), "--today", "2025-03-01")
    assert result.exit_code == 1
    reported = errors(result)
    assert len(reported) == 3, reported
    assert reported[0] == "actuals.csv line 4: participant 'PX' is not on the roster roster.csv"
    assert reported[1].startswith("roster.csv line 3: unknown arm 'phase3-rcx'")
    assert reported[2] == summary(2, 1)


def test_actuals_of_a_row_missing_its_start_are_not_called_off_roster(
    run: Run, tmp_path: Path
) -> None:
    roster = write(
        tmp_path / "roster.csv", "participant,arm,start\nP1,phase3-rcp,2025-01-06\nP2,phase3-rcp\n"
    )
    actuals = write(
        tmp_path / "actuals.csv", "participant,code,date\nP1,W1D1,2025-01-06\nP2,W1D1,2025-01-06\n"
    )
    result = run("roster", str(roster), "--actuals", str(actuals), "--today", "2025-03-01")
    assert result.exit_code == 1
    assert errors(result) == ["roster.csv line 3: missing 'start'", summary(1, 1)]


# --- bad rows cost what good rows cost (issue 16 #12, issue 21 #5) ------------------------------
# Not timed: the work each bad row causes is counted instead.


def test_a_misspelt_arm_is_suggested_once_however_many_rows_have_it(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import difflib

    asked: list[str] = []
    real = difflib.get_close_matches

    def counted(word: str, *args: object, **kwargs: object) -> list[str]:
        asked.append(word)
        return real(word, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(difflib, "get_close_matches", counted)
    # A misspelling no other test uses, so that nothing is known of it before this run.
    rows = "".join(f"P{n},phase3-rcpq,2025-01-06\n" for n in range(40))
    roster = write(tmp_path / "roster.csv", "participant,arm,start\n" + rows)
    result = run("roster", str(roster), "--today", "2025-03-01", "--format", "csv")
    reported = errors(result)
    assert len(reported) == 41
    assert reported[0] == (
        "roster.csv line 2: unknown arm 'phase3-rcpq': did you mean 'phase3-rcp'? accepted: "
        + ", ".join(protocol.load().arm_names())
    )
    assert asked.count("phase3-rcpq") == 1  # once for 40 rows (twice a row before)


def test_a_refused_actual_of_a_mixed_case_period_is_reported_at_its_own_line(
    run: Run, tmp_path: Path
) -> None:
    # A protocol whose later period is "Ole": the actuals file types it OLE (any case). P1's
    # Ole W3D1 on 2025-06-30 is after --today 2025-03-01: refused at line 3, its own line, not
    # at P1's first line (the period, typed OLE, was compared with "Ole" as written).
    trial = renamed_period_protocol(tmp_path, new="Ole")
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start,ole_start\nP1,phase3,2025-01-06,2025-02-03\n",
    )
    actuals = write(
        tmp_path / "actuals.csv",
        "participant,code,date\nP1,RCP:W1D1,2025-01-06\nP1,ole:W3D1,2025-06-30\n",
    )
    result = run(
        "roster", str(roster), "--protocol", str(trial), "--actuals", str(actuals),
        "--today", "2025-03-01",
    )  # fmt: skip
    assert errors(result) == [
        "actuals.csv line 3: P1: Ole:W3D1=2025-06-30 is in the future (today is 2025-03-01)",
        summary(1, 0),
    ]


class _Walked(dict):  # type: ignore[type-arg]
    """A mapping that counts how often it is walked whole."""

    walks = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        _Walked.walks += 1
        return super().__iter__()

    def items(self):  # type: ignore[no-untyped-def]
        _Walked.walks += 1
        return super().items()

    def keys(self):  # type: ignore[no-untyped-def]
        _Walked.walks += 1
        return super().keys()

    def values(self):  # type: ignore[no-untyped-def]
        _Walked.walks += 1
        return super().values()


def test_refused_actuals_are_placed_without_walking_every_line_again(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 30 participants, each with a W2D1 that phase3-rcp lacks (line 2n + 1) after its W1D1: 30
    # refusals, each at its own line, found where the line was kept when the file was read;
    # the actuals' lines are walked once (for IDs not on the roster), not once per refusal.
    real = batch.read_actuals

    def reading(*args: object, **kwargs: object) -> object:
        records, lines, bad = real(*args, **kwargs)  # type: ignore[arg-type]
        return records, _Walked(lines), bad

    monkeypatch.setattr(batch, "read_actuals", reading)
    _Walked.walks = 0
    people = range(30)
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start\n" + "".join(f"P{n:02d},phase3-rcp,2025-01-06\n" for n in people),
    )
    actuals = write(
        tmp_path / "actuals.csv",
        "participant,code,date\n"
        + "".join(f"P{n:02d},W1D1,2025-01-06\nP{n:02d},W2D1,2025-01-13\n" for n in people),
    )
    result = run("roster", str(roster), "--actuals", str(actuals), "--today", "2025-03-01")
    reported = errors(result)
    assert reported[:-1] == [
        f"actuals.csv line {2 * n + 3}: P{n:02d}: W2D1: not an infusion visit of phase3-rcp "
        "(W1D1, W3D1, W25D1, W27D1)"
        for n in people
    ]
    assert _Walked.walks <= 1


# --- combined and split outputs ------------------------------------------------------------------

# Each participant with the `plan` options that give the same schedule.
SITE_ROSTER = """\
participant,arm,start,escalate_at,olp_start,window
CT303-0001,phase3-rcp,2025-09-17,,,
CT303-0002,phase3-rcp,2025-09-17,,,"1,3"
CT303-0003,phase1b-500,2025-09-15,W53D1,,
CT303-0004,phase3,2025-08-18,,2026-08-17,
CT303-0005,phase3-rcp-placebo,2025-09-17,,,
"""
SITE_ACTUALS = """\
participant,code,date
CT303-0004,RCP:W1D1,2025-08-18
CT303-0004,RCP:W3D1,2025-09-03
"""
PLAN_ARGS = {
    "CT303-0001": ["--arm", "phase3-rcp", "--start", "2025-09-17", "--window", "2"],
    "CT303-0002": ["--arm", "phase3-rcp", "--start", "2025-09-17", "--window", "1,3"],
    "CT303-0003": [
        "--arm", "phase1b-500", "--start", "2025-09-15", "--escalate-at", "W53D1",
        "--window", "2",
    ],
    "CT303-0004": [
        "--arm", "phase3", "--start", "2025-08-18", "--olp-start", "2026-08-17", "--window", "2",
        "--actual", "RCP:W1D1=2025-08-18", "--actual", "RCP:W3D1=2025-09-03",
    ],
    "CT303-0005": ["--arm", "phase3-rcp-placebo", "--start", "2025-09-17", "--window", "2"],
}  # fmt: skip
SHARED = ["--today", "2025-10-15", "--adjust", "--time", "09:00", "--remind", "1d"]
# --split names the pharmacist's (unblinded) files so that nobody takes them for the
# coordinators': CT303-0005 is on phase3-rcp-placebo.
SPLIT_NAMES = {p: f"UNBLINDED-{p}" if p == "CT303-0005" else p for p in PLAN_ARGS}
MIXED_WARNING = (
    "mil62sched: warning: the roster mixes blinded and unblinded arms (unblinded: "
    "phase3-rcp-placebo); unblinded outputs are for the unblinded pharmacist only"
)


def site_files(tmp_path: Path) -> tuple[Path, Path]:
    return (
        write(tmp_path / "site.csv", SITE_ROSTER),
        write(tmp_path / "site-actuals.csv", SITE_ACTUALS),
    )


def plan_ics(run: Run, tmp_path: Path, participant: str) -> str:
    out = tmp_path / f"plan-{participant}.ics"
    result = run(
        "plan", *PLAN_ARGS[participant], "--participant", participant, *SHARED, "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    return read(out)


def test_combined_calendar_has_the_events_plan_gives_each_participant(
    run: Run, tmp_path: Path
) -> None:
    roster, actuals = site_files(tmp_path)
    out = tmp_path / "site.ics"
    result = run(
        "roster", str(roster), "--actuals", str(actuals), "--window", "2", *SHARED, "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    combined = read(out)
    expected: list[str] = []
    for participant in PLAN_ARGS:
        expected += events(plan_ics(run, tmp_path, participant))
    # Same events (UID, SEQUENCE, dates, summary, description, alarm), in roster order.
    assert len(expected) == 34
    assert events(combined) == expected
    # 4 + 4 + 11 + 11 + 4 infusions; UIDs distinct although 0001 and 0002 share arm and start.
    assert len(uids(combined)) == 34
    assert len(set(uids(combined))) == 34
    # A strict second parser reads it, timed events and their zone included.
    calendar = vobject.readOne(combined, validate=True)
    assert len(calendar.vevent_list) == 34
    assert calendar.vtimezone.tzid.value == "Asia/Shanghai"


def test_split_writes_one_calendar_per_participant_identical_to_plan(
    run: Run, tmp_path: Path
) -> None:
    roster, actuals = site_files(tmp_path)
    folder = tmp_path / "calendars"
    result = run(
        "roster", str(roster), "--actuals", str(actuals), "--window", "2", *SHARED,
        "--split", str(folder),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert sorted(path.name for path in folder.iterdir()) == [
        f"{p}.ics" for p in SPLIT_NAMES.values()
    ]
    for participant, name in SPLIT_NAMES.items():
        written = read(folder / f"{name}.ics")
        assert normalise_dtstamp(written) == normalise_dtstamp(
            plan_ics(run, tmp_path, participant)
        ), participant
    # No staging folder is left behind.
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "calendars", *(f"plan-{p}.ics" for p in PLAN_ARGS), "site-actuals.csv", "site.csv",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "extension"), [("csv", ".csv"), ("json", ".json"), ("table", ".txt")]
)
def test_split_names_files_by_participant_with_the_format_extension(
    run: Run, tmp_path: Path, fmt: str, extension: str
) -> None:
    roster, actuals = site_files(tmp_path)
    folder = tmp_path / "out"
    result = run(
        "roster", str(roster), "--actuals", str(actuals), "--today", "2025-10-15",
        "--format", fmt, "--split", str(folder),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    names = sorted(path.name for path in folder.iterdir())
    assert names == [f"{p}{extension}" for p in SPLIT_NAMES.values()]
    # Each file holds its own participant only.
    for participant, name in SPLIT_NAMES.items():
        text = (folder / f"{name}{extension}").read_text(encoding="utf-8")
        others = [p for p in PLAN_ARGS if p != participant]
        assert participant in text
        assert not any(other in text for other in others)


def test_split_refuses_existing_files_without_force_and_writes_nothing(
    run: Run, tmp_path: Path
) -> None:
    roster, actuals = site_files(tmp_path)
    folder = tmp_path / "calendars"
    folder.mkdir()
    (folder / "CT303-0002.ics").write_text("mine\n", encoding="utf-8")
    args = ["roster", str(roster), "--actuals", str(actuals), "--today", "2025-10-15"]
    result = run(*args, "--split", str(folder))
    assert result.exit_code == 1
    warning, refusal = result.stderr.splitlines()
    assert warning == MIXED_WARNING
    assert refusal == (
        f"{PREFIX}1 file(s) exist in {str(folder)!r}, e.g. 'CT303-0002.ics': use --force to "
        "overwrite them"
    )
    assert sorted(path.name for path in folder.iterdir()) == ["CT303-0002.ics"]
    assert (folder / "CT303-0002.ics").read_text(encoding="utf-8") == "mine\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "calendars",
        "site-actuals.csv",
        "site.csv",
    ]
    forced = run(*args, "--split", str(folder), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert sorted(path.name for path in folder.iterdir()) == [
        f"{p}.ics" for p in SPLIT_NAMES.values()
    ]
    assert (folder / "CT303-0002.ics").read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")


def test_output_and_split_together_are_refused(run: Run, tmp_path: Path) -> None:
    roster, _ = site_files(tmp_path)
    out, folder = tmp_path / "site.ics", tmp_path / "calendars"
    result = run("roster", str(roster), "-o", str(out), "--split", str(folder))
    assert result.exit_code == 2
    assert errors(result) == ["give -o FILE or --split DIR, not both"]
    assert not out.exists()
    assert not folder.exists()


def test_an_empty_split_folder_is_refused(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 15 #18: --split "" wrote one file per participant into the current folder.
    roster, _ = site_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run("roster", str(roster), "--split", "")
    assert result.exit_code == 2
    assert errors(result) == ["--split '' is an empty path: give a folder (. for the current one)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site-actuals.csv", "site.csv"]


def test_split_with_bad_rows_writes_nothing_unless_skip_bad(run: Run, tmp_path: Path) -> None:
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start\nP1,phase3-rcp,2025-01-06\nP2,phase3-rcx,2025-01-06\n"
        "P3,phase3-rcp,2025-01-07\n",
    )
    folder = tmp_path / "calendars"
    result = run("roster", str(roster), "--split", str(folder))
    assert result.exit_code == 1
    assert errors(result)[-1] == summary(1, 2)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["roster.csv"]
    skipped = run("roster", str(roster), "--split", str(folder), "--skip-bad")
    assert skipped.exit_code == 1
    assert errors(skipped)[0].startswith("roster.csv line 3: unknown arm 'phase3-rcx'")
    assert errors(skipped)[-1] == "1 bad row(s) skipped; 2 participant(s) written"
    assert sorted(path.name for path in folder.iterdir()) == ["P1.ics", "P3.ics"]


def test_participant_ids_differing_only_in_case_are_duplicates(run: Run, tmp_path: Path) -> None:
    # P1 and p1 would be written as P1.ics and p1.ics: one file on the case-insensitive file
    # systems of Windows and macOS, so the second would silently replace the first.
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start\nP1,phase3-rcp,2025-01-06\np1,phase3-rcp,2025-01-07\n",
    )
    folder = tmp_path / "calendars"
    result = run("roster", str(roster), "--split", str(folder))
    assert result.exit_code == 1
    reported = errors(result)
    assert len(reported) == 2, reported
    assert reported[0].startswith("roster.csv line 3: duplicate participant 'p1' (first on line 2")
    assert reported[1] == summary(1, 1)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["roster.csv"]
    skipped = run("roster", str(roster), "--split", str(folder), "--skip-bad")
    assert skipped.exit_code == 1
    assert errors(skipped)[-1] == "1 bad row(s) skipped; 1 participant(s) written"
    assert sorted(path.name for path in folder.iterdir()) == ["P1.ics"]
    # Monday 2025-01-06: the file is the first spelling's, P1, not p1's (Tuesday 2025-01-07).
    assert "DTSTART;VALUE=DATE:20250106" in read(folder / "P1.ics")


def test_case_duplicate_message_names_the_first_spelling(run: Run, tmp_path: Path) -> None:
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start\nP1,phase3-rcp,2025-01-06\np1,phase3-rcp,2025-01-07\n",
    )
    result = run("roster", str(roster), "--format", "csv")
    message = errors(result)[0]
    assert message.startswith("roster.csv line 3: duplicate participant 'p1'")
    assert "'P1'" in message


# --- issue 15 #3: a participant's file never takes another's place ------------------------------

# The attack: a blinded participant whose ID is the unblinded name of another's file. Both
# would be written to UNBLINDED-CT303-0001.ics, and the file written second replaced the first.
PREFIXED = "UNBLINDED-CT303-0001,phase3-rcp,2025-03-17\n"
UNBLINDED_TWIN = "CT303-0001,phase3-rcp-mil62,2025-03-17\n"
WARNING = "mil62sched: warning: "


def errors_after_warnings(result: Result) -> list[str]:
    """The error lines of a run, after its warnings (the roster mixes blinded and unblinded)."""
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith(WARNING)]
    assert all(line.startswith(PREFIX) for line in lines), result.stderr
    return [line[len(PREFIX) :] for line in lines]


@pytest.mark.parametrize("fmt", ["ics", "csv", "json", "table", "html", "xlsx"])
@pytest.mark.parametrize("prefixed_first", [True, False], ids=["prefixed first", "twin first"])
def test_an_id_with_the_unblinded_prefix_is_refused_and_nothing_written(
    run: Run, tmp_path: Path, fmt: str, prefixed_first: bool
) -> None:
    rows = PREFIXED + UNBLINDED_TWIN if prefixed_first else UNBLINDED_TWIN + PREFIXED
    roster = write(tmp_path / "c.csv", "participant,arm,start\n" + rows)
    folder = tmp_path / "out"
    result = run("roster", str(roster), "--format", fmt, "--split", str(folder))
    assert result.exit_code == 1
    line = 2 if prefixed_first else 3
    assert errors_after_warnings(result) == [
        f"c.csv line {line}: invalid participant ID 'UNBLINDED-CT303-0001': no ID may begin "
        "with UNBLINDED-, which names the unblinded pharmacist's files",
        summary(1, 1),
    ]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["c.csv"]


@pytest.mark.parametrize("participant", ["unblinded-P1", "Unblinded-0042", "UNBLINDED-"])
def test_the_unblinded_prefix_is_refused_in_any_letter_case(
    run: Run, tmp_path: Path, participant: str
) -> None:
    roster = write(
        tmp_path / "c.csv", f"participant,arm,start\n{participant},phase3-rcp,2025-03-17\n"
    )
    result = run("roster", str(roster), "--format", "csv")
    assert result.exit_code == 1
    assert errors(result)[0] == (
        f"c.csv line 2: invalid participant ID {participant!r}: no ID may begin with UNBLINDED-, "
        "which names the unblinded pharmacist's files"
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("first", "second", "name"),
    [
        # Past the ID check (say a later rule lets such an ID through): the file names collide.
        ("UNBLINDED-CT303-0001,phase3-rcp", "CT303-0001,phase3-rcp-mil62", "UNBLINDED-CT303-0001"),
        ("CT303-0001,phase3-rcp-mil62", "UNBLINDED-CT303-0001,phase3-rcp", "UNBLINDED-CT303-0001"),
        # Full-width letters (an input method's) are the same file name on macOS after NFKC.
        ("ＣＴ303-0001,phase3-rcp", "CT303-0001,phase3-rcp", "CT303-0001"),
        # One name in NFC (é) and in NFD (e + U+0301): one file on macOS.
        ("P-\u00e9,phase3-rcp", "P-e\u0301,phase3-rcp", "P-e\u0301"),
    ],
    ids=["prefixed first", "twin first", "full-width", "NFC and NFD"],
)
def test_two_participants_whose_files_would_collide_are_refused_before_any_is_written(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str, second: str, name: str
) -> None:
    from mil62sched.roster import files as roster_files

    monkeypatch.setattr(roster_files, "check_participant", lambda text: text)
    roster = write(
        tmp_path / "c.csv", f"participant,arm,start\n{first},2025-03-17\n{second},2025-03-17\n"
    )
    folder = tmp_path / "out"
    result = run("roster", str(roster), "--split", str(folder))
    assert result.exit_code == 1
    one, other = first.split(",")[0], second.split(",")[0]
    assert errors_after_warnings(result) == [
        f"participants {one!r} and {other!r} would both be written to "
        f"{str(folder / (name + '.ics'))!r}: file names that differ only in letter case or "
        "Unicode form may be one file (Windows, macOS)"
    ]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["c.csv"]


def test_existing_output_is_refused_without_force(run: Run, tmp_path: Path) -> None:
    roster, _ = site_files(tmp_path)
    out = tmp_path / "site.json"
    out.write_text("[]\n", encoding="utf-8")
    result = run("roster", str(roster), "-o", str(out))
    assert result.exit_code == 1
    assert errors(result) == [f"output {str(out)!r} exists: use --force to overwrite it"]
    assert out.read_text(encoding="utf-8") == "[]\n"


@pytest.mark.parametrize("command", ["agenda", "amend", "screen"])
def test_an_existing_output_is_refused_before_any_work(
    run: Run, tmp_path: Path, command: str
) -> None:
    """A file that exists is refused first (issue 21 #5: bad input costs no more than good):
    `agenda -o FILE` planned a whole roster before saying FILE exists. Here the input is bad
    too, and the output's refusal is what is said."""
    out = tmp_path / "out.txt"
    out.write_text("kept\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("participant,arm,start\nP1,no-such-arm,2025-08-18\n", encoding="utf-8")
    args = {
        "agenda": ("agenda", str(bad)),
        "amend": ("amend", "builtin", str(EXAMPLES / "protocols" /
                  "mil62-ct303-amendment-example.toml"), str(bad), "--effective", "2025-12-01"),
        "screen": ("screen", str(bad)),
    }[command]  # fmt: skip
    result = run(*args, "-o", str(out))
    assert result.exit_code == 1, result.stderr
    assert errors(result) == [f"output {str(out)!r} exists: use --force to overwrite it"]
    assert out.read_text(encoding="utf-8") == "kept\n"


def test_roster_json_is_an_array_of_plan_documents(run: Run, tmp_path: Path) -> None:
    roster, actuals = site_files(tmp_path)
    result = run(
        "roster", str(roster), "--actuals", str(actuals), "--today", "2025-10-15",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    documents = json.loads(result.stdout)
    assert [doc["participant"] for doc in documents] == list(PLAN_ARGS)
    # CT303-0003: phase1b-500 escalating at W53D1: 11 visits, 500 mg before W53D1, 1000 mg from it.
    escalating = documents[2]
    assert escalating["escalate_at"] == "W53D1"
    assert [v["dose_mg"] for v in escalating["visits"]] == [500] * 4 + [1000] * 7


def test_roster_table_lists_every_participant(run: Run, tmp_path: Path) -> None:
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start\nP1,phase3-rcp,2025-01-06\nP2,phase3-rcp,2025-01-07\n",
    )
    result = run("roster", str(roster))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2 participants"
    rows = [line.split() for line in lines if line.strip().startswith(("P1 ", "P2 "))]
    # P1 Monday 2025-01-06 +14 = 2025-01-20; P2 one day later.
    assert [(row[0], row[2], row[4], row[5]) for row in rows] == [
        ("P1", "W1D1", "2025-01-06", "Mon"),
        ("P1", "W3D1", "2025-01-20", "Mon"),
        ("P1", "W25D1", "2025-06-23", "Mon"),
        ("P1", "W27D1", "2025-07-07", "Mon"),
        ("P2", "W1D1", "2025-01-07", "Tue"),
        ("P2", "W3D1", "2025-01-21", "Tue"),
        ("P2", "W25D1", "2025-06-24", "Tue"),
        ("P2", "W27D1", "2025-07-08", "Tue"),
    ]


def test_roster_table_says_the_olp_start_is_assumed(run: Run, tmp_path: Path) -> None:
    # P1 on the phase3 journey from Monday 2025-01-06 without olp_start: the OLP is assumed to
    # start at RCP W53D1, study day 7 * 52 + 1 = 365, i.e. +364 days = Monday 2026-01-05
    # (2025 has 365 days, so +365 would be 2026-01-06). P2 (phase3-rcp) has no later period.
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start\nP1,phase3,2025-01-06\nP2,phase3-rcp,2025-01-06\n",
    )
    result = run("roster", str(roster), "--no-holidays")
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stdout.splitlines() if line.startswith("* ")]
    # P1's OLP visits from W79D1 (2026-01-05 + 546 = 2027-07-05) are after the study completion
    # date 2027-03-31 (issue 9 #12): a note of their own, after the OLP's.
    assert notes[1].startswith("* P1: 3 visits after the study completion date 2027-03-31")
    assert notes[:1] == [
        "* P1: OLP start assumed: RCP W53D1 (study day 365), 2026-01-05; give the real one "
        "(--period-start OLP=DATE, or the roster's olp_start)"
    ]
    # The OLP W1D1 row itself is on that date, marked as assumed (issue 16 #3: footnote [1]).
    assert ["P1", "phase3", "W1D1", "OLP", "2026-01-05", "[1]", "Mon"] in [
        line.split()[:7] for line in result.stdout.splitlines()
    ]
    assert "[1] Date to be confirmed: the OLP start is assumed (RCP W53D1)." in result.stdout


def test_roster_table_olp_note_names_the_roster_column(run: Run, tmp_path: Path) -> None:
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nP1,phase3,2025-01-06\n")
    result = run("roster", str(roster), "--no-holidays")
    [note] = [line for line in result.stdout.splitlines() if line.startswith("* P1: OLP")]
    assert note.startswith("* P1: OLP start assumed: RCP W53D1 (study day 365), 2026-01-05")
    # The engine's note serves plan and roster alike, so it names both places a start can come from.
    assert "the roster's olp_start" in note


# --- a later period by any name (issue 15 #5) ---------------------------------------------------
# `renamed_period_protocol`: the built-in file with its open-label period called OLE. A roster
# gives a later period's start in the column `<period>_start`, matched ignoring case.


def test_roster_gives_a_later_period_of_another_name_its_start(run: Run, tmp_path: Path) -> None:
    # P1 on phase3 from Monday 2025-01-06 entered the OLE on Monday 2025-09-15: OLE W1D1 that
    # day, OLE W3D1 + 14 = 2025-09-29. Without the column, the OLE is assumed at RCP W53D1,
    # 2026-01-05 (see test_roster_table_says_the_olp_start_is_assumed).
    ole = renamed_period_protocol(tmp_path)
    for header in ("ole_start", "OLE_Start"):
        roster = write(
            tmp_path / "roster.csv",
            f"participant,arm,start,{header}\nP1,phase3,2025-01-06,2025-09-15\n",
        )
        result = run("roster", str(roster), "--protocol", str(ole), "--format", "csv")
        assert result.exit_code == 0, result.stderr
        rows = [r for r in csv_rows(result.stdout) if r["period"] == "OLE"]
        assert [(r["code"], r["date"]) for r in rows[:2]] == [
            ("W1D1", "2025-09-15"),
            ("W3D1", "2025-09-29"),
        ]
        assert {(r["period_start"], r["period_start_assumed"]) for r in rows} == {
            ("2025-09-15", "false")
        }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_roster_note_names_the_column_of_a_later_period_of_another_name(
    run: Run, tmp_path: Path, lang: str
) -> None:
    ole = renamed_period_protocol(tmp_path)
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nP1,phase3,2025-01-06\n")
    result = run("roster", str(roster), "--protocol", str(ole), "--no-holidays", "--lang", lang)
    assert result.exit_code == 0, result.stderr
    expected = {
        "en": "* P1: OLE start assumed: RCP W53D1 (study day 365), 2026-01-05; give the real one "
        "(--period-start OLE=DATE, or the roster's ole_start)",
        "zh": "* P1: OLE 开始日期为推算值（按 RCP W53D1，研究第365天）：2026-01-05；请给出实际日期"
        "（--period-start OLE=日期，或名单的 ole_start 列）",
    }[lang]
    assert expected in result.stdout.splitlines()


@pytest.mark.parametrize(
    ("renamed", "column", "accepted"),
    [
        (True, "olp_start", "participant, arm, start, escalate_at, ole_start, window, amended_on"),
        (False, "ole_start", "participant, arm, start, escalate_at, olp_start, window, amended_on"),
        (False, "rcp_start", "participant, arm, start, escalate_at, olp_start, window, amended_on"),
    ],
)
def test_roster_column_naming_no_later_period_is_refused(
    run: Run, tmp_path: Path, renamed: bool, column: str, accepted: str
) -> None:
    # A start the site typed must not be dropped while the period starts on an assumed day.
    chosen = ["--protocol", str(renamed_period_protocol(tmp_path))] if renamed else []
    roster = write(
        tmp_path / "roster.csv",
        f"participant,arm,start,{column}\nP1,phase3,2025-01-06,2025-09-15\n",
    )
    out = tmp_path / "site.csv"
    result = run("roster", str(roster), *chosen, "-o", str(out))
    assert result.exit_code == 2
    assert errors(result) == [
        f"roster.csv line 1: column {column!r} names no later period of MIL62-CT303: accepted: "
        f"{accepted}"
    ]
    assert not out.exists()


def test_roster_start_of_a_later_period_on_an_arm_without_it_is_a_bad_row(
    run: Run, tmp_path: Path
) -> None:
    ole = renamed_period_protocol(tmp_path)
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start,ole_start\nP1,phase3,2025-01-06,2025-09-15\n"
        "P2,phase3-rcp,2025-01-06,2025-09-15\n",
    )
    result = run("roster", str(roster), "--protocol", str(ole), "--format", "csv")
    assert result.exit_code == 1
    assert (
        f"{PREFIX}roster.csv line 3: ole_start was given, but phase3-rcp has no later period OLE: "
        "its one period is RCP; a later period belongs to a journey (phase3, phase3-mil62, "
        "phase3-placebo)"
    ) in result.stderr.splitlines()


def test_roster_refusals_of_a_later_period_in_chinese(run: Run, tmp_path: Path) -> None:
    ole = renamed_period_protocol(tmp_path)
    rows = "P1,phase3,2025-01-06,2025-09-15\nP2,phase3-rcp,2025-01-06,2025-09-15\n"
    header = write(tmp_path / "header.csv", f"participant,arm,start,olp_start\n{rows}")
    result = run("roster", str(header), "--protocol", str(ole), "--lang", "zh")
    assert result.exit_code == 2
    assert errors(result) == [
        "header.csv 第 1 行：'olp_start' 列不是 MIL62-CT303 的后续阶段：可用的列为 'participant'、"
        "'arm'、'start'、'escalate_at'、'ole_start'、'window'、'amended_on'"
    ]
    row = write(tmp_path / "row.csv", f"participant,arm,start,ole_start\n{rows}")
    result = run("roster", str(row), "--protocol", str(ole), "--format", "csv", "--lang", "zh")
    assert result.exit_code == 1
    assert (
        f"{PREFIX}row.csv 第 3 行：ole_start 已给出，但 phase3-rcp 没有后续阶段 OLE："
        "它只有一个阶段 RCP；后续阶段只属于全程（phase3、phase3-mil62、phase3-placebo）"
    ) in result.stderr.splitlines()


def test_roster_table_says_holiday_data_is_provisional(run: Run, tmp_path: Path) -> None:
    # phase1b-1000 from Monday 2025-01-06 runs to W209D1 (+1456 days = 208 weeks), Monday
    # 2029-01-01: years for which no State Council notice exists yet.
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nP1,phase1b-1000,2025-01-06\n")
    result = run("roster", str(roster))
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stdout.splitlines() if line.startswith("* ")]
    # The holiday data is the site's, not the participant's: said once, for the roster.
    assert notes[-1].startswith("* Holiday data provisional: "), notes
    assert all(line.startswith("* P1: ") for line in notes[:-1]), notes


PROVISIONAL_ROSTER = "participant,arm,start\n" + "".join(
    f"P{n},phase1b-1000,2025-01-{6 + 7 * n:02d}\n" for n in range(3)
)


@pytest.mark.parametrize(
    ("lang", "notice"), [("en", "Holiday data provisional"), ("zh", "节假日数据为暂定")]
)
def test_a_roster_says_the_provisional_holidays_note_once(
    run: Run, tmp_path: Path, lang: str, notice: str
) -> None:
    # issue 16 #4: the paragraph came once per participant (60 times for a 60-row roster).
    # Three phase1b-1000 participants from Mondays 2025-01-06, -13 and -20 each run to W209D1
    # (+208 weeks), in January 2029: every plan has provisional years.
    roster = write(tmp_path / "roster.csv", PROVISIONAL_ROSTER)
    result = run("roster", str(roster), "--lang", lang)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(notice) == 1, result.stdout
    # Each participant keeps its own notes (its visits after the study completion date).
    for participant in ("P0", "P1", "P2"):
        assert f"* {participant}: " in result.stdout


def test_bad_rows_that_stop_a_roster_draw_no_study_date_warning(run: Run, tmp_path: Path) -> None:
    # issue 16 #4: nothing is written, so there is no roster whose dates to warn about. P1
    # (phase1b-1000 from 2025-01-06) has visits after 2027-03-31; P2's arm does not exist.
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start\nP1,phase1b-1000,2025-01-06\nP2,phase9,2025-01-06\n",
    )
    stopped = run("roster", str(roster), "--format", "csv")
    assert stopped.exit_code == 1
    assert stopped.stdout == ""
    assert "study completion" not in stopped.stderr, stopped.stderr
    assert errors(stopped)[-1] == summary(1, 1)
    # Written with --skip-bad, the roster's dates are warned about as before.
    skipped = run("roster", str(roster), "--format", "csv", "--skip-bad")
    assert skipped.exit_code == 1
    assert skipped.stderr.startswith(
        "mil62sched: warning: 1 participant(s) with visits after the study completion date "
        "2027-03-31"
    ), skipped.stderr


@pytest.mark.parametrize("command", ["roster", "agenda"])
def test_no_valid_row_offers_no_skip_bad(run: Run, tmp_path: Path, command: str) -> None:
    # issue 16 #4: "use --skip-bad to write the 0 valid participant(s)" offered nothing.
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nP1,phase9,2025-01-06\n")
    result = run(command, str(roster), "--today", "2025-01-06")
    assert result.exit_code == 1
    assert errors(result)[-1] == "1 bad row(s); nothing written (fix them: no row is valid)"
    chinese = run(command, str(roster), "--today", "2025-01-06", "--lang", "zh")
    assert chinese.stderr.splitlines()[-1] == (
        "mil62sched: error: 1 行有误；未写入任何内容（请修正：没有有效的行）"
    )


# --- CSV formula neutralisation ----------------------------------------------------------------


def test_csv_neutralises_formula_text_but_not_numbers(run: Run, tmp_path: Path) -> None:
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nP1,phase3-rcp,2025-01-06\n")
    # Override names a spreadsheet would run, on each of P1's visit dates (hand: W1D1
    # 2025-01-06, W3D1 2025-01-20, W25D1 2025-06-23, W27D1 2025-07-07).
    holidays = write(
        tmp_path / "holidays.csv",
        "date,name,kind\n"
        "2025-01-06,-2+3,holiday\n"
        '2025-01-20,"=HYPERLINK(""http://evil.example"",""x"")",holiday\n'
        "2025-06-23,+SUM(A1),holiday\n"
        "2025-07-07,@cmd,holiday\n",
    )
    # W3D1 done on Saturday 2025-01-18, two days before its protocol date: deviation -2.
    actuals = write(
        tmp_path / "actuals.csv",
        "participant,code,date\nP1,W1D1,2025-01-06\nP1,W3D1,2025-01-18\n",
    )
    args = ["roster", str(roster), "--actuals", str(actuals), "--holidays", str(holidays)]
    result = run(*args, "--today", "2025-03-01", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = csv_rows(result.stdout)
    assert [r["protocol_date_non_working_reason"] for r in rows] == [
        "'-2+3",
        '\'=HYPERLINK("http://evil.example","x")',
        "'+SUM(A1)",
        "'@cmd",
    ]
    # A done visit's date is the day it happened (issue 16 #1): W3D1's is that Saturday.
    assert [r["non_working_reason"] for r in rows] == ["'-2+3", "weekend", "'+SUM(A1)", "'@cmd"]
    assert rows[1]["deviation_days"] == "-2"  # a number: left alone
    assert rows[0]["deviation_days"] == "0"
    # The note quotes the name inside a sentence: it does not start a formula.
    assert rows[2]["note"].startswith("not a working day (+SUM(A1))")
    # Only CSV is neutralised: JSON keeps the name as written.
    as_json = run(*args, "--today", "2025-03-01", "--format", "json")
    visits = json.loads(as_json.stdout)[0]["visits"]
    assert visits[1]["protocol_date_non_working_reason"] == '=HYPERLINK("http://evil.example","x")'
    assert visits[1]["deviation_days"] == -2


# --- blinding across a roster ---------------------------------------------------------------------

# Two hidden assignments of the same three participants. The coordinators' roster carries only
# the blinded arms (the pharmacy's kit column may travel with the spreadsheet and must be
# ignored); the pharmacist's roster carries the unblinded arms. P3 is on the whole journey and
# entered the OLP on Wednesday 2025-09-17 (after RCP W27D1 = 2024-10-09 + 182 = 2025-04-09).
ASSIGNMENTS = {
    "a": {"P1": "mil62", "P2": "placebo", "P3": "mil62"},
    "b": {"P1": "placebo", "P2": "mil62", "P3": "placebo"},
}
STARTS = {"P1": ("phase3-rcp", "2025-09-17", ""), "P2": ("phase3-rcp", "2025-09-29", "")}
STARTS["P3"] = ("phase3", "2024-10-09", "2025-09-17")
BLIND_ACTUALS = """\
participant,code,date
P1,W1D1,2025-09-17
P3,RCP:W1D1,2024-10-09
P3,RCP:W3D1,2024-10-23
P3,RCP:W25D1,2025-03-26
P3,RCP:W27D1,2025-04-09
P3,OLP:W1D1,2025-09-17
"""
BLIND_OPTIONS = ["--window", "2", "--today", "2025-09-29"]


def blind_roster(folder: Path, assignment: dict[str, str], *, unblinded: bool) -> Path:
    folder.mkdir(exist_ok=True)
    lines = ["participant,arm,start,olp_start,kit"]
    for participant, (arm, start, olp) in STARTS.items():
        hidden = assignment[participant]
        shown = f"{arm}-{hidden}" if unblinded else arm
        lines.append(f"{participant},{shown},{start},{olp},{hidden}")
    write(folder / "actuals.csv", BLIND_ACTUALS)
    # The same file name in each folder: the combined calendar is named after it.
    return write(folder / "site.csv", "\n".join(lines) + "\n")


def all_outputs(run: Run, roster: Path) -> dict[str, str]:
    """Every roster and agenda format for `roster`, DTSTAMP normalised."""
    actuals = str(roster.parent / "actuals.csv")
    outputs: dict[str, str] = {}
    for fmt in ("table", "csv", "json", "ics"):
        result = run("roster", str(roster), "--actuals", actuals, *BLIND_OPTIONS, "--format", fmt)
        assert result.exit_code == 0, result.stderr
        outputs[f"roster {fmt}"] = normalise_dtstamp(result.stdout)
    for fmt in ("table", "csv", "json"):
        result = run(
            "agenda", str(roster), "--actuals", actuals, *BLIND_OPTIONS,
            "--from", "2025-09-29", "--days", "14", "--chairs", "1", "--format", fmt,
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        outputs[f"agenda {fmt}"] = result.stdout
    folder = roster.parent / "split"
    result = run(
        "roster", str(roster), "--actuals", actuals, *BLIND_OPTIONS, "--split", str(folder)
    )
    assert result.exit_code == 0, result.stderr
    for path in sorted(folder.iterdir()):
        outputs[f"split {path.name}"] = normalise_dtstamp(read(path))
    return outputs


def test_blinded_roster_outputs_do_not_depend_on_the_assignment(run: Run, tmp_path: Path) -> None:
    a = all_outputs(run, blind_roster(tmp_path / "a", ASSIGNMENTS["a"], unblinded=False))
    b = all_outputs(run, blind_roster(tmp_path / "b", ASSIGNMENTS["b"], unblinded=False))
    assert list(a) == list(b)
    assert sorted(name for name in a if name.startswith("split")) == [
        "split P1.ics",
        "split P2.ics",
        "split P3.ics",
    ]
    for name in a:
        assert a[name] == b[name], name
        text = re.sub(r"\r?\n ", "", a[name])  # unfold calendar lines
        assert "unblinded" not in text.lower(), name
        # The only placebo is the blinded label's "matching placebo"; no bare product label.
        assert not re.search(r"(?<!matching )placebo", text, re.IGNORECASE), name
    # The blinded label is what the agenda shows for P1's RCP W3D1 (Wednesday 2025-10-01).
    agenda = json.loads(a["agenda json"])
    p1 = [item for item in agenda["items"] if item["participant"] == "P1"]
    assert [(i["code"], i["date"], i["treatment"]) for i in p1] == [
        ("W3D1", "2025-10-01", "MIL62 1000 mg or matching placebo")
    ]


def test_unblinded_roster_says_so_on_every_output(run: Run, tmp_path: Path) -> None:
    a = all_outputs(run, blind_roster(tmp_path / "a", ASSIGNMENTS["a"], unblinded=True))
    b = all_outputs(run, blind_roster(tmp_path / "b", ASSIGNMENTS["b"], unblinded=True))
    blinded = all_outputs(run, blind_roster(tmp_path / "c", ASSIGNMENTS["a"], unblinded=False))
    assert a["roster table"].splitlines()[0].strip() == UNBLINDED_NOTICE
    assert a["agenda table"].splitlines()[0].strip() == UNBLINDED_NOTICE
    assert {row["masking"] for row in csv_rows(a["roster csv"])} == {"unblinded"}
    assert {row["masking"] for row in csv_rows(a["agenda csv"])} == {"unblinded"}
    documents = json.loads(a["roster json"])
    assert {(d["masking"], d["notice"]) for d in documents} == {("unblinded", UNBLINDED_NOTICE)}
    assert json.loads(a["agenda json"])["notice"] == UNBLINDED_NOTICE
    # (click's runner gives stdout with LF line ends)
    summaries = re.findall(r"^SUMMARY:(.*)$", a["roster ics"], re.MULTILINE)
    assert summaries
    assert all(s.startswith("UNBLINDED ") for s in summaries)
    for participant in ("P1", "P2", "P3"):
        assert "X-WR-CALNAME:UNBLINDED " in a[f"split UNBLINDED-{participant}.ics"]
    # The pharmacist's two assignments differ in what is infused, not in the events' UIDs...
    assert a["roster csv"] != b["roster csv"]
    assert uids(a["roster ics"]) == uids(b["roster ics"])
    # ...and those UIDs never overwrite the coordinators' blinded events.
    assert not set(uids(a["roster ics"])) & set(uids(blinded["roster ics"]))
    assert len(uids(a["roster ics"])) == 4 + 4 + 11


def test_unblinded_combined_calendar_name_says_unblinded(run: Run, tmp_path: Path) -> None:
    # The roster file is site.csv, so the calendar is "<protocol id> roster site".
    roster = blind_roster(tmp_path / "a", ASSIGNMENTS["a"], unblinded=True)
    result = run("roster", str(roster), "--format", "ics", "--today", "2025-09-29")
    assert result.exit_code == 0, result.stderr
    names = re.findall(r"^(?:NAME|X-WR-CALNAME):(.*)$", result.stdout, re.MULTILINE)
    assert names == ["UNBLINDED MIL62-CT303 roster site"] * 2
    # The coordinators' blinded roster of the same participants keeps the plain name.
    blinded = blind_roster(tmp_path / "c", ASSIGNMENTS["a"], unblinded=False)
    plain = run("roster", str(blinded), "--format", "ics", "--today", "2025-09-29")
    assert plain.exit_code == 0, plain.stderr
    names = re.findall(r"^(?:NAME|X-WR-CALNAME):(.*)$", plain.stdout, re.MULTILINE)
    assert names == ["MIL62-CT303 roster site"] * 2


# --- progress ------------------------------------------------------------------------------------


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no delay the bar would start at the 256th participant; the runner's stderr is not
    # a terminal, so nothing may reach it.
    monkeypatch.setattr(progress, "DELAY", 0.0)
    rows = "".join(f"P{n:04d},phase3-rcp,2025-01-06\n" for n in range(600))
    roster = write(tmp_path / "roster.csv", "participant,arm,start\n" + rows)
    out = tmp_path / "site.csv"
    result = run("roster", str(roster), "--no-holidays", "-o", str(out))
    assert result.exit_code == 0
    assert result.stderr == ""
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1 + 600 * 4


def test_progress_bar_is_drawn_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The control for the test above: the same run on a terminal does draw a bar."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:  # what rich asks of the stream it draws on
            return True

    terminal = Terminal()
    monkeypatch.setattr(progress, "DELAY", 0.0)
    env = Environment(io.StringIO(), terminal, stderr_isatty=True)
    assert list(progress.track(range(600), 600, "Planning roster.csv", env)) == list(range(600))
    assert "Planning roster.csv" in terminal.getvalue()


def test_duplicates_are_found_in_one_pass_over_the_roster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every ID four times: each repeat names its first line, and the file is opened once (the
    old Bloom filter re-read the roster from the top for every possible duplicate)."""
    from mil62sched.roster import files

    rows = [f"P{n % 2500},phase3-rcp,2025-01-06" for n in range(10_000)]
    roster = tmp_path / "roster.csv"
    roster.write_text("participant,arm,start\n" + "\n".join(rows) + "\n", encoding="utf-8")
    opened: list[Path] = []
    real_open = files.open_csv

    def counting(path: Path, reading: Reading) -> object:
        opened.append(path)
        return real_open(path, reading)

    monkeypatch.setattr(files, "open_csv", counting)
    results = list(read_roster(roster, protocol.load(), Reading()))
    assert opened == [roster]
    errors = [r for r in results if isinstance(r, RowError)]
    assert len(errors) == 7_500
    assert len(results) == 10_000
    assert str(errors[-1].reason) == "duplicate participant 'P2499' (first on line 2501)"
