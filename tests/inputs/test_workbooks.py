"""Roster, actuals and holiday files kept as Excel workbooks (.xlsx, issue 9 item 15): read
through the same row checks as CSV, with the sheet's row numbers as lines.

Dates checked by hand: W1D1 = Monday 2025-08-18 (study day 1); W3D1 = day 15 = Monday
2025-09-01; W25D1 = day 169 = 2025-08-18 + 168 days = Monday 2026-02-02.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import PREFIX, WORKBOOKS, Run, error_line
from tests.workbooks import shared_strings

HEADER = ["participant", "arm", "start"]


def workbook(path: Path, rows: list[list[Any]], *, sheet: str = "Roster", **others: Any) -> Path:
    """A workbook whose first sheet `sheet` holds `rows`, and further sheets `others`."""
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = sheet
    for row in rows:
        first.append(row)
    for name, more in others.items():
        extra = book.create_sheet(name)
        for row in more:
            extra.append(row)
    book.save(path)
    return path


def csv_file(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)
    return path


def planned(stdout: str) -> list[tuple[str, str, str]]:
    """(participant, code, date) of each CSV output row."""
    return [(r["participant"], r["code"], r["date"]) for r in csv.DictReader(io.StringIO(stdout))]


def test_a_roster_workbook_with_date_cells_plans_as_its_csv_does(run: Run, tmp_path: Path) -> None:
    book = workbook(
        tmp_path / "roster.xlsx",
        [HEADER, ["CT303-0042", "phase3-rcp", datetime(2025, 8, 18)]],
    )
    text = csv_file(tmp_path / "roster.csv", [HEADER, ["CT303-0042", "phase3-rcp", "2025-08-18"]])
    from_book = run("roster", str(book), "--format", "csv")
    from_text = run("roster", str(text), "--format", "csv")
    assert from_book.exit_code == 0, from_book.stderr
    assert from_book.stderr == ""
    assert from_book.stdout == from_text.stdout
    rows = planned(from_book.stdout)
    assert rows[:3] == [
        ("CT303-0042", "W1D1", "2025-08-18"),
        ("CT303-0042", "W3D1", "2025-09-01"),
        ("CT303-0042", "W25D1", "2026-02-02"),
    ]


@pytest.mark.parametrize("start", ["2025-08-18", "2025/8/18", "2025-8-18", date(2025, 8, 18)])
def test_start_dates_as_text_or_date_cells(run: Run, tmp_path: Path, start: Any) -> None:
    book = workbook(tmp_path / "roster.xlsx", [HEADER, ["CT303-0042", "phase3-rcp", start]])
    result = run("roster", str(book), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert planned(result.stdout)[1] == ("CT303-0042", "W3D1", "2025-09-01")


# Issue 16 #10: year-first text cells as a Chinese Excel or WPS holds them, read as in a CSV.
CHINESE_TEXT_DATES = [
    "2025年8月18日",
    "２０２５年８月１８日",
    "2025.8.18",
    "2025/8/18 0:00",
    "2025/8/18 00:00:00",
    "2025-08-18 00:00:00",
]


@pytest.mark.parametrize("start", CHINESE_TEXT_DATES)
def test_chinese_and_excel_text_dates_in_a_roster_workbook(
    run: Run, tmp_path: Path, start: str
) -> None:
    book = workbook(tmp_path / "roster.xlsx", [HEADER, ["CT303-0042", "phase3-rcp", start]])
    result = run("roster", str(book), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert planned(result.stdout)[:2] == [
        ("CT303-0042", "W1D1", "2025-08-18"),
        ("CT303-0042", "W3D1", "2025-09-01"),
    ]


@pytest.mark.parametrize("done", ["2025年9月2日", "2025.9.2", "2025/9/2 0:00"])
def test_chinese_text_dates_in_an_actuals_workbook(run: Run, tmp_path: Path, done: str) -> None:
    roster = workbook(tmp_path / "roster.xlsx", [HEADER, ["CT303-0042", "phase3-rcp", "2025/8/18"]])
    actuals = workbook(
        tmp_path / "actuals.xlsx", [["participant", "code", "date"], ["CT303-0042", "W3D1", done]]
    )
    result = run(
        "roster", str(roster), "--actuals", str(actuals), "--today", "2025-09-03", "--format", "csv"
    )
    assert result.exit_code == 0, result.stderr
    w3d1 = list(csv.DictReader(io.StringIO(result.stdout)))[1]
    assert (w3d1["code"], w3d1["actual_date"], w3d1["deviation_days"]) == (
        "W3D1",
        "2025-09-02",
        "1",
    )


@pytest.mark.parametrize("closed", ["2025年9月1日", "2025.9.1", "2025/9/1 0:00"])
def test_chinese_text_dates_in_a_holiday_workbook(run: Run, tmp_path: Path, closed: str) -> None:
    book = workbook(tmp_path / "h.xlsx", [["date", "name", "kind"], [closed, "院庆", "holiday"]])
    args = ("plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--format", "csv")
    result = run(*args, "--holidays", str(book))
    assert result.exit_code == 0, result.stderr
    w3d1 = list(csv.DictReader(io.StringIO(result.stdout)))[1]
    assert (w3d1["code"], w3d1["date"], w3d1["working_day"], w3d1["non_working_reason"]) == (
        "W3D1", "2025-09-01", "false", "院庆",
    )  # fmt: skip


@pytest.mark.parametrize("start", ["2025/8/18 9:30", datetime(2025, 8, 18, 9, 30)])
def test_a_start_with_a_time_of_day_is_refused_in_both_languages(
    run: Run, tmp_path: Path, start: Any
) -> None:
    """A text cell `2025/8/18 9:30`, or a datetime cell at 9:30 (read as 2025-08-18 09:30:00)."""
    book = workbook(tmp_path / "r.xlsx", [HEADER, ["CT303-0042", "phase3-rcp", start]])
    typed = start if isinstance(start, str) else "2025-08-18 09:30:00"
    time = "9:30" if isinstance(start, str) else "09:30:00"
    forms = "2025-08-18, 2025/8/18, 2025.8.18 or 2025年8月18日"
    english = run("roster", str(book))
    assert english.exit_code == 1
    assert english.stderr.splitlines()[0] == (
        f"{PREFIX}r.xlsx line 2: invalid start date {typed!r}: a date with a time ({time}) is "
        f"not a date: give the day alone, year first: {forms}"
    )
    chinese = run("roster", str(book), "--lang", "zh")
    assert chinese.exit_code == 1
    assert chinese.stderr.splitlines()[0] == (
        f"{PREFIX}r.xlsx 第 2 行：无效的 'start' 列的日期 {typed!r}：日期不应包含时间（{time}）："
        "请只填写日期，年份在前：2025-08-18、2025/8/18、2025.8.18 或 2025年8月18日"
    )


def test_a_text_date_in_no_accepted_form_names_the_forms_in_chinese(
    run: Run, tmp_path: Path
) -> None:
    rows = [["participant", "code", "date"], ["CT303-0042", "W3D1", "9月2日"]]
    roster = workbook(tmp_path / "roster.xlsx", [HEADER, ["CT303-0042", "phase3-rcp", "2025/8/18"]])
    actuals = workbook(tmp_path / "a.xlsx", rows)
    result = run("roster", str(roster), "--actuals", str(actuals), "--lang", "zh")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{PREFIX}a.xlsx 第 2 行：无效的 日期 '9月2日'：请把年份放在最前："
        "2025-08-18、2025/8/18、2025.8.18 或 2025年8月18日"
    )


def test_a_day_first_text_date_is_refused_as_in_a_csv(run: Run, tmp_path: Path) -> None:
    rows = [HEADER, ["CT303-0042", "phase3-rcp", "18/8/2025"]]
    from_book = run("roster", str(workbook(tmp_path / "r.xlsx", rows))).stderr
    from_text = run("roster", str(csv_file(tmp_path / "r.csv", rows))).stderr
    assert from_book.startswith(f"{PREFIX}r.xlsx line 2: invalid start date '18/8/2025': ")
    assert from_book.replace("r.xlsx", "r.csv") == from_text


def test_a_numeric_id_is_read_as_its_digits_with_one_warning(run: Run, tmp_path: Path) -> None:
    """0042 typed into a number cell is 42: the zeros cannot be recovered, so say so."""
    rows = [
        HEADER,
        [42, "phase3-rcp", date(2025, 8, 18)],
        ["CT303-0043", "phase3-rcp", date(2025, 8, 18)],
        [7.0, "phase3-rcp", date(2025, 8, 18)],
    ]
    result = run("roster", str(workbook(tmp_path / "roster.xlsx", rows)), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert {who for who, _, _ in planned(result.stdout)} == {"42", "CT303-0043", "7"}
    assert result.stderr.count("\n") == 1
    warning = result.stderr.rstrip("\n")
    assert warning.startswith("mil62sched: warning: roster.xlsx column 'participant' holds ")
    assert "on row(s) 2, 4," in warning
    assert "leading zeros" in warning


def test_numeric_ids_in_actuals_are_warned_about_too(run: Run, tmp_path: Path) -> None:
    roster = workbook(tmp_path / "roster.xlsx", [HEADER, ["42", "phase3-rcp", "2025-08-18"]])
    actuals = workbook(
        tmp_path / "actuals.xlsx",
        [["participant", "code", "date"], [42, "W1D1", date(2025, 8, 18)]],
    )
    result = run(
        "roster", str(roster), "--actuals", str(actuals), "--today", "2025-08-20", "--format", "csv"
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert (rows[0]["code"], rows[0]["actual_date"]) == ("W1D1", "2025-08-18")
    assert result.stderr.startswith("mil62sched: warning: actuals.xlsx column 'participant'")
    assert result.stderr.count("\n") == 1


def test_text_ids_keep_their_leading_zeros(run: Run, tmp_path: Path) -> None:
    book = workbook(tmp_path / "roster.xlsx", [HEADER, ["0042", "phase3-rcp", "2025-08-18"]])
    result = run("roster", str(book), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert planned(result.stdout)[0] == ("0042", "W1D1", "2025-08-18")


def test_empty_trailing_rows_and_cells_are_ignored(run: Run, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "roster.xlsx",
        [HEADER, ["CT303-0042", "phase3-rcp", "2025-08-18", None], [None, None, None], []],
    )
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet["A40"].number_format = "@"  # a formatted but empty row far below, as Excel leaves
    sheet["D40"] = " "
    book.save(path)
    result = run("roster", str(path), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert {who for who, _, _ in planned(result.stdout)} == {"CT303-0042"}


def test_lines_are_sheet_rows_and_the_header_may_start_lower(run: Run, tmp_path: Path) -> None:
    rows = [[], ["Site roster, printed 2025-08-01"], HEADER]  # a title above the table
    rows[1] = []  # (a title row would be the header: the table starts at its header)
    rows += [["CT303-0042", "phase3-rcp", "2025-08-18"], ["CT303-0043", "phase3-rcx", "2025-08-18"]]
    result = run("roster", str(workbook(tmp_path / "roster.xlsx", rows)))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{PREFIX}roster.xlsx line 5: unknown arm 'phase3-rcx'")


def test_bad_rows_are_reported_and_skipped_as_in_a_csv(run: Run, tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["CT303-0042", "phase3-rcp", "2025-08-18"],
        ["CT303-0043", "", "2025-08-18"],
        ["CT303-0042", "phase3-rcp", "2025-08-19"],
        ["CT303-0044", "phase3-rcp", "2025-13-01"],
    ]
    book, text = workbook(tmp_path / "r.xlsx", rows), csv_file(tmp_path / "r.csv", rows)
    for skip in ((), ("--skip-bad",)):
        from_book = run("roster", str(book), "--format", "csv", *skip)
        from_text = run("roster", str(text), "--format", "csv", *skip)
        assert from_book.exit_code == from_text.exit_code == 1
        assert from_book.stderr.replace("r.xlsx", "r.csv") == from_text.stderr
        assert from_book.stdout == from_text.stdout
    lines = from_book.stderr.splitlines()
    assert lines[0] == f"{PREFIX}r.xlsx line 3: empty 'arm'"
    assert lines[1].startswith(f"{PREFIX}r.xlsx line 4: duplicate participant 'CT303-0042'")
    assert lines[2].startswith(f"{PREFIX}r.xlsx line 5: ")
    assert planned(from_book.stdout)[0] == ("CT303-0042", "W1D1", "2025-08-18")


def test_a_missing_column_is_refused_as_in_a_csv(run: Run, tmp_path: Path) -> None:
    rows = [["participant", "arm"], ["CT303-0042", "phase3-rcp"]]
    from_book = error_line(run("roster", str(workbook(tmp_path / "r.xlsx", rows))))
    from_text = error_line(run("roster", str(csv_file(tmp_path / "r.csv", rows))))
    assert from_book == from_text.replace("r.csv", "r.xlsx")
    assert from_book == (
        "r.xlsx line 1: missing column 'start': the header needs participant, arm, start"
    )


# --- sheets ------------------------------------------------------------------------------------


def test_the_first_sheet_is_read_unless_sheet_names_another(run: Run, tmp_path: Path) -> None:
    book = workbook(
        tmp_path / "site.xlsx",
        [HEADER, ["CT303-0001", "phase3-rcp", "2025-08-18"]],
        sheet="Notes",
        Roster=[HEADER, ["CT303-0042", "phase3-rcp", "2025-09-17"]],
    )
    first = run("roster", str(book), "--format", "csv")
    assert planned(first.stdout)[0] == ("CT303-0001", "W1D1", "2025-08-18")
    named = run("roster", str(book), "--sheet", "roster", "--format", "csv")  # any case
    assert named.exit_code == 0, named.stderr
    assert planned(named.stdout)[0] == ("CT303-0042", "W1D1", "2025-09-17")


@pytest.mark.parametrize("command", ["roster", "agenda"])
def test_an_unknown_sheet_is_one_line_naming_the_sheets(
    run: Run, tmp_path: Path, command: str
) -> None:
    book = workbook(tmp_path / "site.xlsx", [HEADER], sheet="名单", Actuals=[])
    line = error_line(run(command, str(book), "--sheet", "Roster"))
    assert line == (
        "site.xlsx: --sheet 'Roster' is not a sheet of this workbook: use one of '名单', 'Actuals'"
    )


def test_sheet_applies_to_every_workbook_input(run: Run, tmp_path: Path) -> None:
    """One workbook for the site: the roster and the actuals on a sheet called Site each."""
    roster = workbook(
        tmp_path / "roster.xlsx", [], sheet="x", Site=[HEADER, ["P1", "phase3-rcp", "2025-08-18"]]
    )
    actuals = workbook(
        tmp_path / "actuals.xlsx",
        [],
        sheet="y",
        Site=[["participant", "code", "date"], ["P1", "W3D1", "2025-09-02"]],
    )
    result = run(
        "roster", str(roster), "--actuals", str(actuals), "--sheet", "Site", "--format", "csv",
        "--today", "2025-09-03",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    w3d1 = list(csv.DictReader(io.StringIO(result.stdout)))[1]
    assert (w3d1["code"], w3d1["actual_date"], w3d1["deviation_days"]) == (
        "W3D1",
        "2025-09-02",
        "1",
    )


def sheets_workbook(
    path: Path, sheets: list[tuple[str, list[list[Any]], str]], *, active: int = 0
) -> Path:
    """A workbook of `sheets` (name, rows, state: visible, hidden or veryHidden) whose active
    tab is `active`."""
    book = openpyxl.Workbook()
    assert book.active is not None
    book.remove(book.active)
    for name, rows, state in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state  # type: ignore[assignment]
    book.active = active
    book.save(path)
    return path


def _with_workbook_part(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` in xl/workbook.xml (what openpyxl will not save: a hidden active
    sheet, no visible sheet)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    text = parts["xl/workbook.xml"].decode()
    assert old in text, text
    parts["xl/workbook.xml"] = text.replace(old, new).encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)


# Issue 15 #4: the hidden first sheet holds an unblinded arm the active sheet does not.
OLD = [HEADER, ["CT303-0001", "phase3-rcp-mil62", "2025-08-18"]]
ROSTER = [HEADER, ["CT303-0042", "phase3-rcp", "2025-09-17"]]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_is_not_read_the_active_one_is(run: Run, tmp_path: Path, state: str) -> None:
    book = sheets_workbook(
        tmp_path / "h.xlsx", [("Old", OLD, state), ("Roster", ROSTER, "visible")], active=1
    )
    result = run("roster", str(book), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert planned(result.stdout)[0] == ("CT303-0042", "W1D1", "2025-09-17")
    assert "CT303-0001" not in result.stdout
    # Said once, although a roster run reads its roster twice (its arms first).
    assert result.stderr == (
        "mil62sched: note: h.xlsx has 2 sheets: read 'Roster' (the active sheet); --sheet "
        "reads another\n"
    )


def test_the_active_sheet_is_read_when_it_is_not_the_first(run: Run, tmp_path: Path) -> None:
    book = sheets_workbook(
        tmp_path / "h.xlsx", [("Notes", OLD, "visible"), ("Roster", ROSTER, "visible")], active=1
    )
    result = run("roster", str(book), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert planned(result.stdout)[0] == ("CT303-0042", "W1D1", "2025-09-17")


def test_a_hidden_active_sheet_gives_way_to_the_first_visible_one(run: Run, tmp_path: Path) -> None:
    later = [HEADER, ["CT303-0099", "phase3-rcp", "2025-10-01"]]
    book = sheets_workbook(
        tmp_path / "h.xlsx",
        [("Old", OLD, "visible"), ("Roster", ROSTER, "visible"), ("Later", later, "visible")],
    )
    # What openpyxl will not save, but a file can hold: the active tab on a hidden sheet.
    _with_workbook_part(book, '<sheet name="Old" sheetId="1" state="visible"',
                        '<sheet name="Old" sheetId="1" state="hidden"')  # fmt: skip
    result = run("roster", str(book), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert planned(result.stdout)[0] == ("CT303-0042", "W1D1", "2025-09-17")
    assert result.stderr == (
        "mil62sched: note: h.xlsx has 3 sheets: read 'Roster' (the first visible sheet); "
        "--sheet reads another\n"
    )


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_sheet_reads_a_hidden_sheet_it_names(run: Run, tmp_path: Path, state: str) -> None:
    book = sheets_workbook(
        tmp_path / "h.xlsx", [("Old", OLD, state), ("Roster", ROSTER, "visible")], active=1
    )
    result = run("roster", str(book), "--sheet", "Old", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert planned(result.stdout)[0] == ("CT303-0001", "W1D1", "2025-08-18")


def test_a_workbook_with_no_visible_sheet_is_one_line(run: Run, tmp_path: Path) -> None:
    book = sheets_workbook(
        tmp_path / "h.xlsx", [("Old", OLD, "hidden"), ("Older", ROSTER, "visible")], active=1
    )
    _with_workbook_part(book, '<sheet name="Older" sheetId="2" state="visible"',
                        '<sheet name="Older" sheetId="2" state="veryHidden"')  # fmt: skip
    line = error_line(run("roster", str(book)))
    assert line == (
        "h.xlsx: the workbook has no visible sheet: name a hidden one with --sheet: 'Old', 'Older'"
    )


# Issue 15 #8: Straße and STRASSE are equal ignoring case (casefold), and both may be sheets.
@pytest.mark.parametrize(("typed", "read"), [("STRASSE", "CT303-0002"), ("Straße", "CT303-0001")])
def test_an_exact_sheet_name_wins_over_one_equal_ignoring_case(
    run: Run, tmp_path: Path, typed: str, read: str
) -> None:
    book = sheets_workbook(
        tmp_path / "s.xlsx",
        [
            ("Straße", [HEADER, ["CT303-0001", "phase3-rcp", "2025-08-18"]], "visible"),
            ("STRASSE", [HEADER, ["CT303-0002", "phase3-rcp", "2025-08-18"]], "visible"),
        ],
    )
    result = run("roster", str(book), "--sheet", typed, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert {who for who, _, _ in planned(result.stdout)} == {read}


def test_several_sheets_equal_ignoring_case_are_refused_naming_them(
    run: Run, tmp_path: Path
) -> None:
    book = sheets_workbook(
        tmp_path / "s.xlsx", [("Straße", ROSTER, "visible"), ("STRASSE", ROSTER, "visible")]
    )
    line = error_line(run("roster", str(book), "--sheet", "strasse"))
    assert line == (
        "s.xlsx: --sheet 'strasse' matches several sheets when case is ignored: type one of "
        "'Straße', 'STRASSE' exactly"
    )


def test_a_sheet_name_with_a_trailing_space_is_read_typed_exactly(run: Run, tmp_path: Path) -> None:
    """Issue 15 #18: "Roster " could not be chosen, even typed with its space."""
    alone = sheets_workbook(
        tmp_path / "a.xlsx", [("Notes", OLD, "visible"), ("Roster ", ROSTER, "visible")]
    )
    for typed in ("Roster ", "roster"):  # exactly, or the one equal ignoring case and spaces
        result = run("roster", str(alone), "--sheet", typed, "--format", "csv")
        assert result.exit_code == 0, result.stderr
        assert planned(result.stdout)[0] == ("CT303-0042", "W1D1", "2025-09-17")
    both = sheets_workbook(
        tmp_path / "b.xlsx", [("Roster", OLD, "visible"), ("Roster ", ROSTER, "visible")]
    )
    spaced = run("roster", str(both), "--sheet", "Roster ", "--format", "csv")
    assert planned(spaced.stdout)[0] == ("CT303-0042", "W1D1", "2025-09-17")
    plain = run("roster", str(both), "--sheet", "Roster", "--format", "csv")
    assert planned(plain.stdout)[0] == ("CT303-0001", "W1D1", "2025-08-18")


def test_sheet_refusals_in_chinese(run: Run, tmp_path: Path) -> None:
    book = sheets_workbook(
        tmp_path / "s.xlsx", [("Straße", ROSTER, "visible"), ("STRASSE", ROSTER, "hidden")]
    )
    several = error_line(run("roster", str(book), "--sheet", "strasse", "--lang", "zh"))
    assert several == (
        "s.xlsx：--sheet 'strasse' 忽略大小写时与多个工作表相符：请准确输入其中之一：'Straße', "
        "'STRASSE'"
    )
    unknown = error_line(run("roster", str(book), "--sheet", "Roster", "--lang", "zh"))
    assert unknown == (
        "s.xlsx：--sheet 'Roster' 不是此工作簿中的工作表：请用其中之一：'Straße', 'STRASSE'"
    )
    _with_workbook_part(book, '<sheet name="Straße" sheetId="1" state="visible"',
                        '<sheet name="Straße" sheetId="1" state="hidden"')  # fmt: skip
    none = error_line(run("roster", str(book), "--lang", "zh"))
    assert none == (
        "s.xlsx：工作簿中没有可见的工作表：请用 --sheet 指定一个隐藏的工作表：'Straße', 'STRASSE'"
    )


def test_a_long_sheet_value_is_cut_in_the_error(run: Run, tmp_path: Path) -> None:
    """Issue 15 #18: a 100,000-character --sheet was echoed whole."""
    book = workbook(tmp_path / "site.xlsx", [HEADER])
    line = error_line(run("roster", str(book), "--sheet", "x" * 100_000))
    assert line == (
        f"site.xlsx: --sheet '{'x' * 32}... (100000 characters)' is not a sheet of this "
        "workbook: use one of 'Roster'"
    )


# --- formulas ----------------------------------------------------------------------------------


def _with_saved_value(path: Path, cell: str, saved: str) -> None:
    """Give the formula in `cell` a saved value, as Excel does when it saves (openpyxl saves
    formulas without one)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    start = sheet.index(f'<c r="{cell}"')
    end = sheet.index("</c>", start)
    parts["xl/worksheets/sheet1.xml"] = (
        sheet[:start] + sheet[start:end].replace("<v />", f"<v>{saved}</v>") + sheet[end:]
    ).encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)


def test_a_formula_is_read_as_its_saved_value(run: Run, tmp_path: Path) -> None:
    path = workbook(tmp_path / "roster.xlsx", [HEADER, ["CT303-0042", "phase3-rcp", "=C3+14"]])
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet["C2"].number_format = "yyyy-mm-dd"
    book.save(path)
    serial = (date(2025, 8, 18) - date(1899, 12, 30)).days  # Excel's day count for 2025-08-18
    _with_saved_value(path, "C2", str(serial))
    result = run("roster", str(path), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert planned(result.stdout)[1] == ("CT303-0042", "W3D1", "2025-09-01")


def test_a_formula_without_a_saved_value_refuses_its_row(run: Run, tmp_path: Path) -> None:
    rows = [
        [*HEADER, "age"],
        ["CT303-0042", "phase3-rcp", "=TODAY()", 40],
        ["CT303-0043", "phase3-rcp", "2025-08-18", "=YEAR(TODAY())-1985"],  # not read: fine
    ]
    book = workbook(tmp_path / "roster.xlsx", rows)
    result = run("roster", str(book), "--format", "csv", "--skip-bad")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{PREFIX}roster.xlsx line 2: column 'start', cell C2: a formula with no saved value; "
        "open the workbook in Excel or WPS and save it, or type the value",
        f"{PREFIX}1 bad row(s) skipped; 1 participant(s) written",
    ]
    assert {who for who, _, _ in planned(result.stdout)} == {"CT303-0043"}


# --- files that are not an .xlsx workbook ------------------------------------------------------


def test_an_old_xls_workbook_is_one_clear_line(run: Run, tmp_path: Path) -> None:
    # tests/workbooks/excel-97.xls: a roster saved by xlwt 1.3.0 (the Excel 97-2003 format).
    line = error_line(run("roster", str(WORKBOOKS / "excel-97.xls")))
    assert line == (
        "excel-97.xls: an Excel 97-2003 workbook (.xls), which is not read: save it as Excel "
        "Workbook (.xlsx) or as CSV UTF-8"
    )


def test_a_password_protected_workbook_is_one_clear_line(run: Run) -> None:
    # tests/workbooks/password.xlsx: a roster encrypted by msoffcrypto-tool 6.1.0 (password
    # "mil62"), as Excel's File > Info > Protect Workbook > Encrypt with Password saves it.
    line = error_line(run("roster", str(WORKBOOKS / "password.xlsx")))
    assert line.startswith("password.xlsx: the workbook is protected with a password, so it ")


def test_a_damaged_workbook_is_one_clear_line(run: Run, tmp_path: Path) -> None:
    whole = workbook(tmp_path / "whole.xlsx", [HEADER]).read_bytes()
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(whole[: len(whole) // 2])
    line = error_line(run("roster", str(damaged)))
    assert line.startswith("damaged.xlsx: ")
    assert line.endswith(
        "save it again from Excel or WPS as Excel Workbook (.xlsx), or as CSV UTF-8"
    )


def test_a_zip_that_is_no_workbook_is_one_clear_line(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    line = error_line(run("roster", str(path)))
    assert line.startswith("roster.xlsx: not a readable .xlsx workbook (")


def test_a_text_file_named_xlsx_is_one_clear_line(run: Run, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "roster.xlsx", [HEADER, ["P1", "phase3-rcp", "2025-08-18"]])
    line = error_line(run("roster", str(path)))
    assert line.startswith("roster.xlsx: not an .xlsx workbook (not a zip file): save it again")


def test_a_workbook_is_told_by_its_content_not_its_name(run: Run, tmp_path: Path) -> None:
    book = workbook(tmp_path / "roster.data", [HEADER, ["P1", "phase3-rcp", "2025-08-18"]])
    result = run("roster", str(book), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert planned(result.stdout)[0] == ("P1", "W1D1", "2025-08-18")


def test_a_workbook_on_standard_input_is_read(tmp_path: Path) -> None:
    import subprocess
    import sys

    book = workbook(tmp_path / "roster.xlsx", [HEADER, ["P1", "phase3-rcp", "2025-08-18"]])
    result = subprocess.run(
        [sys.executable, "-m", "mil62sched", "roster", "-", "--format", "csv"],
        input=book.read_bytes(), capture_output=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert planned(result.stdout.decode())[0] == ("P1", "W1D1", "2025-08-18")


# --- workbooks that expand (issue 15 #13, #14) -----------------------------------------------


def _rewritten(path: Path, change: Any) -> Path:
    """The workbook at `path` with its parts changed by `change(parts)`, written again with
    deflate (so that a large, repetitive part stays small on disk)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    change(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return path


def with_shared_strings(path: Path, strings: bytes) -> Path:
    """The workbook's text moved into a shared-strings part (as Excel and WPS save it), the
    `<si>` items `strings` after it."""
    return _rewritten(path, lambda parts: shared_strings(parts, strings))


def run_within(seconds: float, *args: str) -> subprocess.CompletedProcess[str]:
    """`mil62sched ARGS...` in a process of its own, killed (and the test failed) after
    `seconds`: what runs away must not hang the suite."""
    return subprocess.run(
        [sys.executable, "-m", "mil62sched", *args],
        capture_output=True, text=True, timeout=seconds, check=False,
    )  # fmt: skip


def test_text_in_shared_strings_reads_as_inline_text(run: Run, tmp_path: Path) -> None:
    """Excel and WPS keep text in the shared strings (openpyxl writes it inline); rich text runs
    are joined, a phonetic guide (rPh, furigana) is not text of the cell."""
    rows = [HEADER, ["CT303-0042", "phase3-rcp", "2025-08-18"]]
    book = with_shared_strings(workbook(tmp_path / "shared.xlsx", rows), b"")
    rich = (
        b"<si><r><t>CT303-</t></r><r><rPr><b/></rPr><t>0043</t></r>"
        b"<rPh sb='0' eb='1'><t>x</t></rPh></si>"
    )

    def richer(parts: dict[str, bytes]) -> None:
        parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
            b"</sst>", rich + b"</sst>"
        )
        sheet = parts["xl/worksheets/sheet1.xml"].replace(b'ref="A1:C2"', b'ref="A1:C3"')
        parts["xl/worksheets/sheet1.xml"] = sheet.replace(
            b"</sheetData>",
            b'<row r="3"><c r="A3" t="s"><v>6</v></c><c r="B3" t="s"><v>4</v></c>'
            b'<c r="C3" t="s"><v>5</v></c></row></sheetData>',
        )

    _rewritten(book, richer)
    result = run("roster", str(book), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert [row for row in planned(result.stdout) if row[1] == "W1D1"] == [
        ("CT303-0042", "W1D1", "2025-08-18"), ("CT303-0043", "W1D1", "2025-08-18"),
    ]  # fmt: skip


def test_rows_past_a_stale_recorded_dimension_are_read(run: Run, tmp_path: Path) -> None:
    """The dimension a sheet records is a hint that writers get wrong: here A1:C2 over three
    rows. openpyxl stopped at row 2, and the third participant was silently left out."""
    rows = [HEADER, ["CT303-0042", "phase3-rcp", "2025-08-18"]]
    rows.append(["CT303-0043", "phase3-rcp", "2025-08-18"])

    def stale(parts: dict[str, bytes]) -> None:
        sheet = parts["xl/worksheets/sheet1.xml"]
        parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'ref="A1:C3"', b'ref="A1:C2"')

    book = _rewritten(workbook(tmp_path / "stale.xlsx", rows), stale)
    result = run("roster", str(book), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert {who for who, _, _ in planned(result.stdout)} == {"CT303-0042", "CT303-0043"}


@pytest.mark.parametrize("column", ["Z", "XFD"])
def test_a_used_range_bloated_to_the_last_row_is_read_in_the_time_of_its_cells(
    tmp_path: Path, column: str
) -> None:
    """One empty styled cell at Z1048576 (or XFD1048576) and the dimension A1:Z1048576, as
    Excel leaves after Ctrl+End bloat: read in the time of the cells there are (it took over
    120 s, for XFD over an hour)."""
    rows = [HEADER, ["CT303-0042", "phase3-rcp", "2025-08-18"]]
    last = f"{column}1048576"

    def bloat(parts: dict[str, bytes]) -> None:
        sheet = parts["xl/worksheets/sheet1.xml"].decode()
        sheet = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="A1:{last}"', sheet)
        sheet = sheet.replace(
            "</sheetData>", f'<row r="1048576"><c r="{last}" s="0"/></row></sheetData>'
        )
        parts["xl/worksheets/sheet1.xml"] = sheet.encode()

    book = _rewritten(workbook(tmp_path / "bloated.xlsx", rows), bloat)
    assert book.stat().st_size < 10_000
    result = run_within(30, "roster", str(book), "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert planned(result.stdout)[:2] == [
        ("CT303-0042", "W1D1", "2025-08-18"), ("CT303-0042", "W3D1", "2025-09-01"),
    ]  # fmt: skip


def test_rows_after_gaps_keep_their_sheet_row_numbers(run: Run, tmp_path: Path) -> None:
    """Rows the sheet does not hold are not read one by one, yet a row's line stays its sheet
    row; a note over several lines after a gap is no runaway CSV quote."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for column, name in enumerate([*HEADER, "note"], 1):
        sheet.cell(row=1, column=column, value=name)
    for row, values in {
        2: ["CT303-0042", "phase3-rcp", "2025-08-18", None],
        9: [
            "CT303-0043",
            "phase3-rcp",
            "2025-08-18",
            "latex allergy\nCT-2,phase3-rcp,2024-01-02,x",
        ],
        700000: ["CT303-0044", "phase3-rcx", "2025-08-18", None],
    }.items():
        for column, value in enumerate(values, 1):
            sheet.cell(row=row, column=column, value=value)
    book.save(tmp_path / "gaps.xlsx")
    result = run("roster", str(tmp_path / "gaps.xlsx"), "--format", "csv", "--skip-bad")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"{PREFIX}gaps.xlsx line 700000: unknown arm 'phase3-rcx'")
    assert lines[1] == f"{PREFIX}1 bad row(s) skipped; 2 participant(s) written"
    assert {who for who, _, _ in planned(result.stdout)} == {"CT303-0042", "CT303-0043"}


def test_a_shared_strings_bomb_is_refused_at_once(tmp_path: Path) -> None:
    """A million shared strings that no cell uses, 16 MB unpacked in a file of some 20 KB: it
    took 40 s and 160 MB; refused before they are read, naming the file and the bound."""
    rows = [HEADER, ["CT303-0042", "phase3-rcp", "2025-08-18"]]
    book = with_shared_strings(
        workbook(tmp_path / "bomb.xlsx", rows), b"<si><t>x</t></si>" * 1_000_000
    )
    assert book.stat().st_size < 100_000
    result = run_within(30, "roster", str(book), "--format", "csv")
    assert (result.returncode, result.stdout) == (2, "")
    match = re.fullmatch(
        f"{PREFIX}bomb.xlsx: holds more than ([0-9,]+) shared strings, more than the cells of its "
        "sheets could use, so not a roster, actuals or holiday file: save it again from Excel "
        r"or WPS as Excel Workbook \(.xlsx\), or as CSV UTF-8\n",
        result.stderr,
    )
    assert match is not None, result.stderr
    assert int(match[1].replace(",", "")) < 1_000_000


def test_a_workbook_that_unpacks_past_the_input_bound_is_refused(run: Run, tmp_path: Path) -> None:
    """The bound a CSV input has (256 MiB), on what the zip's directory says its parts unpack
    to, before any part is read: here a sheet that claims 300 MiB."""
    book = workbook(tmp_path / "big.xlsx", [HEADER, ["CT303-0042", "phase3-rcp", "2025-08-18"]])
    content = bytearray(book.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    # The sheet's central directory entry: its signature, then the name at offset 46; the
    # uncompressed size is at offset 24 (APPNOTE.TXT 4.3.12).
    directory = content.index(b"PK\x01\x02")
    while content[directory + 46 : directory + 46 + len(name)] != name:
        directory = content.index(b"PK\x01\x02", directory + 4)
    content[directory + 24 : directory + 28] = (300 * 1024 * 1024).to_bytes(4, "little")
    book.write_bytes(bytes(content))
    assert zipfile.ZipFile(book).getinfo(name.decode()).file_size == 300 * 1024 * 1024
    line = error_line(run("roster", str(book)))
    assert (
        line == "big.xlsx: unpacks to more than 256 MiB, so not a roster, actuals or holiday file"
    )
    assert error_line(run("roster", str(book), "--lang", "zh")) == (
        "big.xlsx：解压后超过 256 MiB，因此不是受试者名单、实际访视或节假日文件"
    )


def test_a_workbook_is_opened_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15 #14: the saved values and the formulas were two loads of the whole workbook."""
    from mil62sched import sheets
    from mil62sched.inputs import Reading

    book = workbook(tmp_path / "roster.xlsx", [HEADER, ["CT303-0042", "phase3-rcp", "2025-08-18"]])
    opened: list[Path] = []
    real_open = Path.open

    def counting_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == book:
            opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting_open)
    with sheets.open_sheet(book, Reading()) as rows:
        assert list(rows) == [HEADER, ["CT303-0042", "phase3-rcp", "2025-08-18"]]
    assert len(opened) == 1


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(9))
    + "]>"
)
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    ("prologue", "entity"), [(LAUGHS, "&j;"), (EXTERNAL, "&x;")], ids=["laughs", "external"]
)
def test_entities_in_a_sheet_are_one_clear_line(
    run: Run, tmp_path: Path, prologue: str, entity: str
) -> None:
    """Billion laughs and an external entity (XXE) in the sheet's XML: refused, nothing read."""
    rows = [HEADER, ["CT303-0042", "phase3-rcp", "2025-08-18"]]

    def attack(parts: dict[str, bytes]) -> None:
        sheet = parts["xl/worksheets/sheet1.xml"].decode()
        sheet = sheet.replace("<t>CT303-0042</t>", f"<t>{entity}</t>")
        parts["xl/worksheets/sheet1.xml"] = (prologue + sheet).encode()

    book = _rewritten(workbook(tmp_path / "roster.xlsx", rows), attack)
    result = run("roster", str(book), "--format", "csv")
    assert "root:" not in result.stdout + result.stderr
    assert "aaaaaaaaaa" not in result.stdout
    line = error_line(result)
    assert line.startswith("roster.xlsx: not a readable .xlsx workbook (")


# --- holiday files -----------------------------------------------------------------------------


def test_a_holiday_workbook_overrides_the_holiday_data(run: Run, tmp_path: Path) -> None:
    """2025-09-01, W3D1 of a 2025-08-18 start, is a Monday and a working day in China; the
    site's workbook makes it a day off."""
    book = workbook(
        tmp_path / "holidays.xlsx",
        [],
        sheet="Notes",
        Days=[["date", "name", "kind"], [datetime(2025, 9, 1), "Site closed", "holiday"]],
    )
    args = ("plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--format", "csv")
    result = run(*args, "--holidays", str(book), "--sheet", "Days")
    assert result.exit_code == 0, result.stderr
    w3d1 = list(csv.DictReader(io.StringIO(result.stdout)))[1]
    assert (w3d1["code"], w3d1["working_day"], w3d1["non_working_reason"]) == (
        "W3D1", "false", "Site closed",
    )  # fmt: skip


def test_a_bad_holiday_row_names_its_sheet_row(run: Run, tmp_path: Path) -> None:
    rows = [["date", "name", "kind"], ["2025-09-01", "Site closed", "holiday"]]
    rows.append(["2025-09-02", "Site closed", "closed"])
    book = workbook(tmp_path / "h.xlsx", rows)
    text = csv_file(tmp_path / "h.csv", rows)
    args = ("plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--holidays")
    from_book = error_line(run(*args, str(book)))
    assert from_book == error_line(run(*args, str(text))).replace("h.csv", "h.xlsx")
    assert from_book == "h.xlsx line 3: invalid kind 'closed': use holiday or workday"


def test_a_holiday_formula_without_a_saved_value_names_row_and_column(
    run: Run, tmp_path: Path
) -> None:
    book = workbook(
        tmp_path / "h.xlsx", [["date", "name", "kind"], ["=TODAY()", "Site closed", "holiday"]]
    )
    line = error_line(
        run("plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--holidays", str(book))
    )
    assert line.startswith("h.xlsx line 2: column 'date', cell A2: a formula with no saved value")


def test_an_id_excel_turned_into_a_date_refuses_its_row(run: Run, tmp_path: Path) -> None:
    """Typed 1-2 into a General cell, Excel keeps the date 2 January: no ID can be read."""
    rows = [
        HEADER,
        [datetime(2025, 1, 2), "phase3-rcp", "2025-08-18"],
        ["P2", "phase3-rcp", "2025-08-18"],
    ]
    result = run("roster", str(workbook(tmp_path / "roster.xlsx", rows)), "--format", "csv")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{PREFIX}roster.xlsx line 2: column 'participant', cell A2: a date (2025-01-02), not an "
        "ID: Excel turned what was typed into a date; format the column as Text and retype it"
    )
    assert result.stdout == ""


def test_a_bad_actuals_row_is_reported_as_in_a_csv(run: Run, tmp_path: Path) -> None:
    roster = csv_file(tmp_path / "roster.csv", [HEADER, ["P1", "phase3-rcp", "2025-08-18"]])
    rows = [["participant", "code", "date", "status"], ["P1", "W1D1", "2025-08-18", "done"]]
    rows.append(["P1", "W3D1", "2025-09-01", "skipped"])
    book = workbook(tmp_path / "a.xlsx", rows)
    text = csv_file(tmp_path / "a.csv", rows)
    args = ("roster", str(roster), "--today", "2025-09-02", "--format", "csv", "--actuals")
    from_book, from_text = run(*args, str(book)), run(*args, str(text))
    assert from_book.exit_code == from_text.exit_code == 1
    assert from_book.stderr.replace("a.xlsx", "a.csv") == from_text.stderr
    assert from_book.stderr.startswith(f"{PREFIX}a.xlsx line 3: invalid status 'skipped'")


def test_chart_sheets_are_not_sheets_to_read(run: Run, tmp_path: Path) -> None:
    path = workbook(tmp_path / "roster.xlsx", [HEADER, ["P1", "phase3-rcp", "2025-08-18"]])
    from openpyxl.chart import BarChart, Reference

    book = openpyxl.load_workbook(path)
    chart = BarChart()
    assert book.active is not None
    chart.add_data(Reference(book.active, min_col=1, min_row=1, max_row=2))
    book.create_chartsheet("Chart", 0).add_chart(chart)  # the first tab: a chart sheet
    book.save(path)
    result = run("roster", str(path), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert planned(result.stdout)[0] == ("P1", "W1D1", "2025-08-18")
    line = error_line(run("roster", str(path), "--sheet", "Chart"))
    assert (
        line == "roster.xlsx: --sheet 'Chart' is not a sheet of this workbook: use one of 'Roster'"
    )


def test_every_bad_holiday_row_of_a_workbook_is_reported(run: Run, tmp_path: Path) -> None:
    """As for a CSV holiday file: one line each; a formula with no saved value is one of them,
    and the rows after it are still read."""
    rows = [
        ["date", "name", "kind"],
        ["=TODAY()", "Site closed", "holiday"],
        ["2025-09-02", "Site closed", "closed"],
        ["2025-09-03", "Site closed", "holiday"],
    ]
    book = workbook(tmp_path / "h.xlsx", rows)
    result = run("plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--holidays", str(book))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{PREFIX}h.xlsx line 2: column 'date', cell A2: a formula")
    assert lines[1] == f"{PREFIX}h.xlsx line 3: invalid kind 'closed': use holiday or workday"
    assert len(lines) == 3  # and the count


def _with_builtin_format(path: Path, builtin: int) -> None:
    """Give the cells of the workbook's one custom number format Excel's built-in format
    `builtin` instead, as a Chinese Excel or WPS saves its own date formats (by number only)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    styles = parts["xl/styles.xml"].decode()
    number = re.search(r'<numFmt numFmtId="(\d+)" formatCode="[^"]*"\s*/>', styles)
    assert number is not None, styles
    styles = styles.replace(number[0], "").replace(
        f'numFmtId="{number[1]}"', f'numFmtId="{builtin}"'
    )
    parts["xl/styles.xml"] = styles.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)


@pytest.mark.parametrize("builtin", [31, 57, 58])  # 2025年8月18日, 2025年8月, 8月18日 in zh-CN
def test_dates_in_excels_chinese_built_in_formats_are_dates(
    run: Run, tmp_path: Path, builtin: int
) -> None:
    """openpyxl knows built-in formats 0-49 without the East Asian ones: a date cell shown as
    2025年8月18日 would read as its serial number, 45887."""
    path = workbook(tmp_path / "roster.xlsx", [HEADER, ["CT303-0042", "phase3-rcp", 45887]])
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet["C2"].number_format = 'yyyy"年"m"月"d"日"'
    book.save(path)
    _with_builtin_format(path, builtin)
    assert (date(2025, 8, 18) - date(1899, 12, 30)).days == 45887  # Excel's day count
    result = run("roster", str(path), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert planned(result.stdout)[:2] == [
        ("CT303-0042", "W1D1", "2025-08-18"), ("CT303-0042", "W3D1", "2025-09-01"),
    ]  # fmt: skip
