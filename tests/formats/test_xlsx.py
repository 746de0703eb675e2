"""`--format xlsx` (issue 9 item 15): the CSV's columns and values as typed cells, read back with
openpyxl; IDs as text, dates as date cells, formula-like text as text; blinded and unblinded
workbooks named apart; the same bytes for the same export instant.

Dates checked by hand: W1D1 = study day 1 = the start; W3D1 = day 15 = start + 14 days;
2025-08-18 is a Monday, so W3D1 is Monday 2025-09-01.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from mil62sched import engine, protocol
from mil62sched.errors import UsageError
from mil62sched.formats import csv_rows, xlsx
from mil62sched.formats.presentation import Presentation
from tests.conftest import EXAMPLES, Run, error_line, workbook_text

EXPORTED_AT = "1767225600"  # SOURCE_DATE_EPOCH of the tests: 2026-01-01T00:00:00Z
P = protocol.load()


def as_csv_text(value: object) -> str:
    """A cell read back, as the CSV format writes the same value."""
    if isinstance(value, datetime):
        assert value.time() == datetime.min.time()
        return value.date().isoformat()
    return csv_rows.cell(value)


def sheet_rows(content: bytes) -> list[list[object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def csv_table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def out(result: Any) -> bytes:
    assert result.exit_code == 0, result.stderr
    data: bytes = result.stdout_bytes
    return data


def roster_csv(folder: Path, rows: list[str]) -> Path:
    path = folder / "roster.csv"
    path.write_text("participant,arm,start,window\n" + "".join(f"{r}\n" for r in rows))
    return path


# --- the same values as the CSV ------------------------------------------------------------------


def test_a_roster_workbook_reads_back_to_the_csv_values(run: Run, tmp_path: Path) -> None:
    """IDs with leading zeros stay text; every cell equals the CSV's, typed."""
    roster = roster_csv(
        tmp_path,
        [
            "0042,phase3,2025-08-18,3",
            "0043,phase1b-500,2025-09-15,",
            "CT303-7,phase3-olp,2025-08-25,2",
        ],
    )
    args = ("roster", str(roster), "--today", "2025-09-10", "--chairs", "1")
    workbook = tmp_path / "plan.xlsx"
    result = run(*args, "-o", str(workbook))  # the format from the extension
    assert result.exit_code == 0, result.stderr
    text = run(*args, "--format", "csv").stdout
    rows = sheet_rows(workbook.read_bytes())
    assert [[as_csv_text(v) for v in row] for row in rows] == csv_table(text)
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["participant"] == "0042"  # not 42
    assert first["start"] == first["date"] == datetime(2025, 8, 18)
    assert (first["study_day"], first["blinded"], first["dose_mg"]) == (1, True, None)
    assert (first["working_day"], first["over_capacity"]) == (True, False)
    w3d1 = dict(zip(header, rows[2], strict=True))
    assert (w3d1["code"], w3d1["date"]) == ("W3D1", datetime(2025, 9, 1))
    assert (w3d1["window_start"], w3d1["window_end"]) == (
        datetime(2025, 8, 29),
        datetime(2025, 9, 4),
    )
    phase1b = dict(zip(header, rows[12], strict=True))  # after phase3's 11 infusions
    assert (phase1b["participant"], phase1b["code"], phase1b["dose_mg"]) == ("0043", "W1D1", 500)


def test_a_plan_workbook_reads_back_to_the_csv_values(run: Run) -> None:
    args = ("plan", "--arm", "phase3-rcp-placebo", "--start", "2024-02-29", "--participant", "P001")
    content = out(run(*args, "--format", "xlsx"))
    text = run(*args, "--format", "csv").stdout
    assert [[as_csv_text(v) for v in row] for row in sheet_rows(content)] == csv_table(text)


def test_an_agenda_workbook_reads_back_to_the_csv_values(run: Run) -> None:
    args = (
        "agenda", str(EXAMPLES / "roster.csv"), "--actuals", str(EXAMPLES / "actuals.csv"),
        "--from", "2025-09-29", "--days", "14", "--today", "2025-09-29", "--chairs", "1",
    )  # fmt: skip
    content = out(run(*args, "--format", "xlsx"))
    text = run(*args, "--format", "csv").stdout
    rows = sheet_rows(content)
    assert len(rows) > 3
    assert [[as_csv_text(v) for v in row] for row in rows] == csv_table(text)


def test_a_workbook_roster_with_date_cells_and_numbers_plans_as_its_csv(
    run: Run, tmp_path: Path
) -> None:
    """A roster made in Excel (date cells; an ID typed as a number) and the same roster as CSV
    text give the same plan, whatever the output."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["participant", "arm", "start", "window"])
    sheet.append([42, "phase3-rcp", datetime(2025, 8, 18), 3])
    sheet.append(["CT303-0043", "phase1b-1000", date(2025, 9, 29), None])
    book.save(tmp_path / "roster.xlsx")
    text = roster_csv(
        tmp_path, ["42,phase3-rcp,2025-08-18,3", "CT303-0043,phase1b-1000,2025-09-29,"]
    )
    for fmt in ("csv", "json", "ics"):
        from_book = run("roster", str(tmp_path / "roster.xlsx"), "--format", fmt)
        from_text = run("roster", str(text), "--format", fmt)
        assert from_book.exit_code == 0, from_book.stderr
        assert from_book.stdout == from_text.stdout, fmt
        assert "column 'participant' holds numbers" in from_book.stderr
    table = csv_table(run("roster", str(text), "--format", "csv").stdout)
    assert [(row[3], row[5], row[7]) for row in table[1:3]] == [
        ("42", "W1D1", "2025-08-18"), ("42", "W3D1", "2025-09-01"),
    ]  # fmt: skip


# --- cells ---------------------------------------------------------------------------------------


def test_cells_are_typed_and_the_sheet_is_set_up_for_reading(run: Run) -> None:
    content = out(run("plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--participant",
                      "0042", "--format", "xlsx"))  # fmt: skip
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header == list(csv_rows.HEADER)
    cells = dict(zip(header, sheet[2], strict=True))
    assert (cells["participant"].value, cells["participant"].data_type) == ("0042", "s")
    for name in ("start", "date", "protocol_date", "period_start"):
        assert cells[name].is_date, name
        assert cells[name].number_format == "yyyy-mm-dd", name
    assert (cells["blinded"].value, cells["blinded"].data_type) == (True, "b")
    assert (cells["study_day"].value, cells["study_day"].data_type) == (1, "n")
    assert sheet.freeze_panes == "A2"
    last = openpyxl.utils.get_column_letter(len(header))
    assert sheet.auto_filter.ref == f"A1:{last}5"  # the header and the RCP's 4 infusions
    assert sheet.max_row == 5
    for number, name in enumerate(header, 1):
        width = sheet.column_dimensions[openpyxl.utils.get_column_letter(number)].width
        assert width is not None, name
        assert width >= len(name), name
    assert sheet.column_dimensions["J"].width >= len("MIL62 1000 mg or matching placebo")


@pytest.mark.parametrize("name", ["=1+1", "+1", "-1", "@SUM(A1)", '=HYPERLINK("http://x","y")'])
def test_formula_like_text_is_stored_as_text(run: Run, tmp_path: Path, name: str) -> None:
    """A holiday name from the site's file lands in non_working_reason and the note: text."""
    holidays = tmp_path / "h.csv"
    holidays.write_text(
        f'date,name,kind\n2025-09-01,"{name.replace(chr(34), chr(34) * 2)}",holiday\n'
    )
    content = out(run("plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--holidays",
                      str(holidays), "--format", "xlsx"))  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    w3d1 = dict(zip(header, sheet[3], strict=True))
    reason = w3d1["non_working_reason"]
    assert (reason.value, reason.data_type) == (name, "s")
    assert reason.quotePrefix
    assert (w3d1["code"].value, w3d1["code"].quotePrefix) == ("W3D1", False)
    assert (w3d1["status"].value, w3d1["status"].quotePrefix) == ("planned", False)
    assert w3d1["holidays_provisional"].value is False
    assert w3d1["holidays_provisional"].quotePrefix is False  # the style stays on its own cell
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    # Read as data again, a formula would come back as its cached value (none): text stays text.
    again = openpyxl.load_workbook(io.BytesIO(content), data_only=True).active
    assert again is not None
    assert again.cell(3, header.index("non_working_reason") + 1).value == name


def test_formula_like_participants_and_notes_read_back_as_strings() -> None:
    """Below the command line (where IDs may not start with '='): any text cell."""
    plan = engine.plan(P, "phase3-rcp", date(2025, 8, 18), participant="P1")
    rows = [["=1+1", "+2", "-3", "@A1", "plain", 42, None]]
    content = xlsx._workbook(
        ["participant", "note", "a", "b", "c", "d", "e"],
        iter(rows),
        "schedule",
        lambda: xlsx.Naming("blinded", "test"),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert sheet_rows(content)[1] == rows[0]
    assert plan.participant == "P1"


# --- blinded and unblinded -----------------------------------------------------------------------


def properties(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content)).properties


@pytest.mark.parametrize("arm", ["phase3-rcp-mil62", "phase3-rcp-placebo", "phase3-mil62"])
def test_an_unblinded_workbook_says_so_in_sheet_name_and_title(run: Run, arm: str) -> None:
    content = out(run("plan", "--arm", arm, "--start", "2025-08-18", "--participant", "P1",
                      "--format", "xlsx"))  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["UNBLINDED schedule"]
    assert book.properties.title == "UNBLINDED MIL62-CT303 schedule P1"
    assert book.properties.subject.startswith("UNBLINDED")
    assert book.active is not None
    assert book.active.sheet_properties.tabColor.rgb.endswith("C00000")


@pytest.mark.parametrize(
    ("arm", "label"),
    [("phase3-rcp", "Blinded"), ("phase3", "Blinded"), ("phase1b-500", "Open-label")],
)
def test_other_workbooks_say_what_they_are_and_never_unblinded(
    run: Run, arm: str, label: str
) -> None:
    content = out(run("plan", "--arm", arm, "--start", "2025-08-18", "--format", "xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == [f"{label} schedule"]
    assert book.properties.title == f"{label} MIL62-CT303 schedule {arm}"
    assert "unblinded" not in workbook_text(content).lower()


def test_a_roster_with_an_unblinded_arm_is_an_unblinded_workbook(run: Run, tmp_path: Path) -> None:
    roster = roster_csv(
        tmp_path, ["P1,phase3-rcp,2025-08-18,", "P2,phase3-rcp-placebo,2025-08-18,"]
    )
    result = run("roster", str(roster), "--format", "xlsx")
    content = out(result)
    assert "mixes blinded and unblinded arms" in result.stderr
    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames == ["UNBLINDED roster"]
    assert properties(content).title == "UNBLINDED MIL62-CT303 roster"
    blinded = out(run("roster", str(roster_csv(tmp_path, ["P1,phase3-rcp,2025-08-18,"])),
                      "--format", "xlsx"))  # fmt: skip
    assert openpyxl.load_workbook(io.BytesIO(blinded)).sheetnames == ["Blinded roster"]


def test_split_names_the_unblinded_workbooks(run: Run, tmp_path: Path) -> None:
    roster = roster_csv(
        tmp_path, ["P1,phase3-rcp,2025-08-18,", "P2,phase3-rcp-placebo,2025-08-18,"]
    )
    result = run("roster", str(roster), "--format", "xlsx", "--split", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["P1.xlsx", "UNBLINDED-P2.xlsx"]
    unblinded = (tmp_path / "out" / "UNBLINDED-P2.xlsx").read_bytes()
    assert openpyxl.load_workbook(io.BytesIO(unblinded)).sheetnames == ["UNBLINDED schedule"]


# --- reproducible bytes --------------------------------------------------------------------------


@pytest.mark.slow  # seconds of CPU in processes: the full run has it
def test_the_same_export_instant_gives_the_same_bytes(tmp_path: Path) -> None:
    """Two runs seconds apart (openpyxl would write each one's clock time) give one file."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EXPORTED_AT}
    command = [sys.executable, "-m", "mil62sched", "roster", str(EXAMPLES / "roster.csv"),
               "--today", "2025-10-01", "--format", "xlsx"]  # fmt: skip
    first = subprocess.run(command, env=env, capture_output=True, check=True).stdout
    import time

    time.sleep(1.1)
    second = subprocess.run(command, env=env, capture_output=True, check=True).stdout
    assert first == second
    book = openpyxl.load_workbook(io.BytesIO(first))
    instant = datetime(2026, 1, 1)
    assert (book.properties.created, book.properties.modified) == (instant, instant)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}


def test_a_render_is_a_pure_function_of_plan_and_instant() -> None:
    plan = engine.plan(P, "phase3", date(2025, 8, 18), participant="P1")
    at = Presentation(stamp=datetime(1970, 1, 2, tzinfo=UTC))  # before zip's 1980: clamped
    assert xlsx.render(plan, at) == xlsx.render(plan, at)
    with zipfile.ZipFile(io.BytesIO(xlsx.render(plan, at))) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --- the example --------------------------------------------------------------------------------


def example_roster(path: Path) -> None:
    """examples/roster.xlsx: examples/roster.csv as a site keeps it in Excel (dates as date
    cells, windows as numbers) on the sheet Roster, and a sheet Retyped whose IDs 0001 and 0002
    were typed into number cells. `MIL62SCHED_REGENERATE_EXAMPLES=1` rewrites it."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Roster"
    with (EXAMPLES / "roster.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    sheet.append(rows[0])
    for row in rows[1:]:
        cells: list[object] = [value or None for value in row]
        cells[2] = date.fromisoformat(row[2])
        cells[5] = int(row[5]) if row[5] else None
        sheet.append(cells)
    for cell in sheet["C"][1:]:
        cell.number_format = "yyyy-mm-dd"
    retyped = book.create_sheet("Retyped")
    retyped.append(["participant", "arm", "start"])
    retyped.append([1, "phase3", date(2025, 8, 18)])  # typed as 0001
    retyped.append([2, "phase3", date(2025, 9, 17)])  # typed as 0002
    book.properties.creator = "mil62sched examples"
    book.save(path)


def test_the_example_workbook_is_the_example_roster(tmp_path: Path) -> None:
    if os.environ.get("MIL62SCHED_REGENERATE_EXAMPLES") == "1":
        example_roster(EXAMPLES / "roster.xlsx")
    example_roster(tmp_path / "roster.xlsx")
    shipped = workbook_text((EXAMPLES / "roster.xlsx").read_bytes())
    assert shipped == workbook_text((tmp_path / "roster.xlsx").read_bytes())


def test_the_example_workbook_plans_as_the_example_csv(run: Run) -> None:
    from_book = run(
        "roster", str(EXAMPLES / "roster.xlsx"), "--format", "csv", "--today", "2025-10-01"
    )
    from_text = run(
        "roster", str(EXAMPLES / "roster.csv"), "--format", "csv", "--today", "2025-10-01"
    )
    assert from_book.exit_code == 0, from_book.stderr
    # No warning of the workbook's own; the note of which sheet was read (issue 15 #4).
    note = (
        "mil62sched: note: roster.xlsx has 2 sheets: read 'Roster' (the active sheet); --sheet "
        "reads another\n"
    )
    assert from_book.stderr == note + from_text.stderr
    assert from_book.stdout == from_text.stdout


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--format", "xlsx"),
        ("roster", str(EXAMPLES / "roster.csv"), "--format", "xlsx"),
        ("agenda", str(EXAMPLES / "roster.csv"), "--from", "2025-09-29", "--format", "xlsx"),
        # Refused before any work: a browser that does not exist is never looked for.
        ("plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--format", "pdf",
         "--browser", "/nonexistent/chromium"),
    ],
)  # fmt: skip
def test_a_binary_output_is_refused_on_a_terminal(args: tuple[str, ...]) -> None:
    import pty

    main, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "mil62sched", *args],
            stdout=terminal, stderr=subprocess.PIPE, check=False,
        )  # fmt: skip
        os.close(terminal)
        shown = b""
        try:
            while chunk := os.read(main, 1 << 16):
                shown += chunk
        except OSError:  # the terminal's other end is closed: all was read
            pass
    finally:
        os.close(main)
    assert result.returncode == 2
    name = args[args.index("--format") + 1]
    assert result.stderr.decode() == (
        f"mil62sched: error: format '{name}' is a binary file and standard output is a "
        "terminal: give -o FILE, or redirect standard output to a file\n"
    )
    assert shown == b""


def test_more_rows_than_a_worksheet_holds_is_refused_and_nothing_written(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "MOST_ROWS", 12)  # the header and 11 infusions fit, 22 do not
    roster = roster_csv(tmp_path, ["P1,phase3,2025-08-18,", "P2,phase3,2025-08-18,"])
    target = tmp_path / "plan.xlsx"
    result = run("roster", str(roster), "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == (
        "mil62sched: error: a worksheet holds at most 12 rows, and this output has more: "
        "use --format csv, or --split for one workbook per participant\n"
    )
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.csv"]
    one = run("roster", str(roster_csv(tmp_path, ["P1,phase3,2025-08-18,"])), "-o", str(target))
    assert one.exit_code == 0, one.stderr


def test_characters_no_workbook_can_hold_are_replaced() -> None:
    rows = [["a\x01b", "tab\tand\nline", "\ufffe"]]
    content = xlsx._workbook(
        ["x", "y", "z"], iter(rows), "schedule", lambda: xlsx.Naming("blinded", "t"),
        datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    assert sheet_rows(content)[1] == ["a\ufffdb", "tab\tand\nline", "\ufffd"]


def test_text_longer_than_a_cell_holds_is_refused_and_nothing_written(
    run: Run, tmp_path: Path
) -> None:
    """Issue 15 #18: a cell holds at most 32,767 characters (Excel's limit), and openpyxl cut
    longer text there without a word. Refused, naming the visit and the column: a cut name
    or note would be a wrong answer, and CSV or JSON keep it whole. Here a site's holiday
    name of 40,000 characters on 2025-09-01, the W3D1 of a 2025-08-18 start (day 15)."""
    holidays = tmp_path / "site.csv"
    holidays.write_text(f"date,name,kind\n2025-09-01,{'x' * 40_000},holiday\n", encoding="utf-8")
    target = tmp_path / "plan.xlsx"
    args = ("plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--holidays", str(holidays))
    line = error_line(run(*args, "--participant", "CT303-0042", "-o", str(target)))
    assert line == (
        "CT303-0042 W3D1: column 'non_working_reason' holds 40,000 characters, and a workbook "
        "cell holds at most 32,767: use --format csv or json, which keep text of any length"
    )
    assert not target.exists()
    assert error_line(run(*args, "--format", "xlsx")).startswith(
        "phase3-rcp W3D1: column 'non_working_reason' holds 40,000 characters"
    )  # no participant: the arm
    assert run(*args, "--format", "csv").exit_code == 0
    assert error_line(run(*args, "--format", "xlsx", "--lang", "zh")) == (
        "phase3-rcp W3D1：'non_working_reason' 列有 40,000 个字符，而工作簿的一个单元格最多容纳 "
        "32,767 个：请用 --format csv 或 json，它们保留任意长度的文本"
    )


def test_a_cell_is_measured_as_excel_counts_characters() -> None:
    """Excel counts UTF-16 units: 16,384 characters outside the BMP are 32,768 of them."""

    def render(text: str) -> bytes:
        return xlsx._workbook(
            ["participant", "code", "note"], iter([["P1", "W1D1", text]]), "schedule",
            lambda: xlsx.Naming("blinded", "t"), datetime(2026, 1, 1, tzinfo=UTC),
        )  # fmt: skip

    assert sheet_rows(render("x" * 32_767))[1][2] == "x" * 32_767
    assert sheet_rows(render("\U00020000" * 16_383))[1][2] == "\U00020000" * 16_383
    with pytest.raises(UsageError, match=r"^P1 W1D1: column 'note' holds 32,768 characters"):
        render("\U00020000" * 16_384)


def test_an_agenda_with_an_unblinded_arm_is_an_unblinded_workbook(run: Run, tmp_path: Path) -> None:
    roster = roster_csv(tmp_path, ["P1,phase3-rcp-mil62,2025-08-18,"])
    args = ("agenda", str(roster), "--from", "2025-08-18", "--days", "20", "--format", "xlsx")
    content = out(run(*args))
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["UNBLINDED agenda"]
    assert book.properties.title == "UNBLINDED agenda 2025-08-18 to 2025-09-06"
    rows = sheet_rows(content)
    # P1 has no record: a row of its own first, flagged untracked (issue 16 #2).
    assert [(row[0], row[4], row[5], row[12]) for row in rows[1:]] == [
        ("P1", None, None, "untracked"),
        ("P1", "W1D1", datetime(2025, 8, 18), None),
        ("P1", "W3D1", datetime(2025, 9, 1), None),
    ]  # fmt: skip


AGENDA_WEEK = (
    "agenda", str(EXAMPLES / "roster.csv"), "--actuals", str(EXAMPLES / "actuals.csv"),
    "--from", "2025-09-29", "--days", "14", "--today", "2025-09-29", "--format", "xlsx",
)  # fmt: skip


def test_a_chinese_agenda_workbook_is_named_in_chinese_its_columns_the_contract(
    run: Run,
) -> None:
    """`agenda --lang zh --format xlsx` (issue 16 #11): the sheet, the workbook's title and its
    subject in Chinese; the header row and every cell the English run's (the columns and
    values are the CSV's contract)."""
    english = out(run(*AGENDA_WEEK, "--lang", "en"))
    chinese = out(run(*AGENDA_WEEK, "--lang", "zh"))
    book = openpyxl.load_workbook(io.BytesIO(chinese))
    # The example roster has blinded arms (phase3, phase3-olp): a blinded agenda.
    assert book.sheetnames == ["盲法 待办访视"]
    assert book.properties.title == "盲法 2025-09-29 至 2025-10-12 待办访视"
    assert book.properties.subject == "盲法：不透露治疗分配。"
    rows = sheet_rows(chinese)
    assert rows[0] == list(xlsx.AGENDA_COLUMNS)
    assert rows == sheet_rows(english)
    assert openpyxl.load_workbook(io.BytesIO(english)).sheetnames == ["Blinded agenda"]


def test_a_chinese_unblinded_agenda_workbook_says_so_in_both_languages(
    run: Run, tmp_path: Path
) -> None:
    roster = roster_csv(tmp_path, ["P1,phase3-rcp-mil62,2025-08-18,"])
    args = ("agenda", str(roster), "--from", "2025-08-18", "--days", "20", "--format", "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(out(run(*args, "--lang", "zh"))))
    assert book.sheetnames == ["非盲 UNBLINDED 待办访视"]
    assert book.properties.title == "非盲 UNBLINDED 2025-08-18 至 2025-09-06 待办访视"
    assert book.properties.subject == "非盲（UNBLINDED）：会揭示治疗分配。仅限非盲药师使用。"
    assert book.active is not None
    assert book.active.sheet_properties.tabColor.rgb.endswith(xlsx.UNBLINDED_COLOUR)


def test_a_chinese_roster_with_an_unblinded_arm_is_a_red_unblinded_workbook(
    run: Run, tmp_path: Path
) -> None:
    """Under --lang zh the roster's name begins 非盲 UNBLINDED: its tab is red all the same, and
    the title says UNBLINDED once (it had no red tab and said it twice)."""
    roster = roster_csv(tmp_path, ["P1,phase3-rcp-placebo,2025-08-18,"])
    content = out(run("roster", str(roster), "--format", "xlsx", "--lang", "zh"))
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.active is not None
    assert book.active.sheet_properties.tabColor.rgb.endswith(xlsx.UNBLINDED_COLOUR)
    assert book.properties.title.count("UNBLINDED") == 1, book.properties.title


def test_a_refused_workbook_leaves_one_line_on_stderr(tmp_path: Path) -> None:
    """openpyxl's write-only sheet, left open by the refusal, must not print 'Exception
    ignored' when the interpreter collects it."""
    roster = roster_csv(tmp_path, ["P1,phase3,2025-08-18,", "P2,phase3,2025-08-18,"])
    script = (
        "import sys; from mil62sched.formats import xlsx; xlsx.MOST_ROWS = 12; "
        "from mil62sched.cli import main; "
        f"sys.argv = ['mil62sched', 'roster', {str(roster)!r}, '-o', 'plan.xlsx']; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert not (tmp_path / "plan.xlsx").exists()


@pytest.mark.parametrize("arm", ["phase3-rcp", "phase3-olp", "phase3"])
def test_a_blinded_workbook_is_the_same_for_every_participant(run: Run, arm: str) -> None:
    """All a person can read in it differs only by the participant's ID."""
    first, second = (
        workbook_text(
            out(
                run(
                    "plan",
                    "--arm",
                    arm,
                    "--start",
                    "2025-08-18",
                    "--participant",
                    who,
                    "--format",
                    "xlsx",
                )
            )
        )  # fmt: skip
        for who in ("P001", "P002")
    )
    assert "P001" in first
    assert first.replace("P001", "P002") == second
    assert "MIL62 1000 mg or matching placebo" in first
    assert "placebo" not in first.replace("MIL62 1000 mg or matching placebo", "").lower()


def test_an_agenda_file_named_xlsx_is_a_workbook(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "week.xlsx"
    result = run("agenda", str(EXAMPLES / "roster.csv"), "--from", "2025-09-29", "--today",
                 "2025-09-29", "-o", str(target))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert openpyxl.load_workbook(target).sheetnames == ["Blinded agenda"]
