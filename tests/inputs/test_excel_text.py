"""Files as Excel or WPS saves them at a Chinese site (issue #14): GB18030 or UTF-16 text and
dates typed 2025/8/18; and `--version` (issue #16)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from mil62sched import __version__
from mil62sched.errors import UsageError
from mil62sched.parse import parse_date, parse_file_date
from tests.conftest import PREFIX, Run, error_line

# W1D1 on Monday 2025-08-18; W3D1 is 14 days later, Monday 2025-09-01 (checked by hand).
ROSTER = "participant,arm,start,备注\nCT303-0042,phase3-rcp,{start},青霉素过敏\n"
W1D1 = "CT303-0042,2025-08-18,W1D1,1,2025-08-18,Monday"
W3D1 = "CT303-0042,2025-08-18,W3D1,15,2025-09-01,Monday"


def _roster(folder: Path, encoding: str, start: str = "2025-08-18") -> Path:
    path = folder / "roster.csv"
    path.write_bytes(ROSTER.format(start=start).encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_a_gb18030_roster_is_read_and_said_so_on_stderr(
    run: Run, tmp_path: Path, encoding: str
) -> None:
    result = run("roster", str(_roster(tmp_path, encoding)), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert W1D1 in result.stdout
    assert result.stderr == "mil62sched: note: roster.csv read as GB18030 (not UTF-8)\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_a_utf8_roster_is_read_without_a_note(run: Run, tmp_path: Path, encoding: str) -> None:
    result = run("roster", str(_roster(tmp_path, encoding)), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert W1D1 in result.stdout
    assert result.stderr == ""


def test_a_utf16_roster_with_a_bom_is_read(run: Run, tmp_path: Path) -> None:
    result = run("roster", str(_roster(tmp_path, "utf-16")), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert W1D1 in result.stdout
    assert result.stderr == "mil62sched: note: roster.csv read as UTF-16 (not UTF-8)\n"


def test_the_agenda_notes_a_gb18030_roster_once(run: Run, tmp_path: Path) -> None:
    roster = _roster(tmp_path, "gb18030")
    result = run("agenda", str(roster), "--from", "2025-08-18", "--days", "1", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert "CT303-0042" in result.stdout
    assert result.stderr == "mil62sched: note: roster.csv read as GB18030 (not UTF-8)\n"


def test_gb18030_actuals_are_read(run: Run, tmp_path: Path) -> None:
    actuals = tmp_path / "actuals.csv"
    actuals.write_bytes(
        "participant,code,date,备注\nCT303-0042,W3D1,2025/9/2,晚一天\n".encode("gbk")
    )
    result = run(
        "roster", str(_roster(tmp_path, "utf-8")), "--actuals", str(actuals), "--format", "csv"
    )
    assert result.exit_code == 0, result.stderr
    w3d1 = next(line for line in result.stdout.splitlines() if ",W3D1," in line)
    # Done a day after its protocol date Monday 2025-09-01: its date is Tuesday 2025-09-02
    # (issue 16 #1), its protocol date stays 2025-09-01.
    assert w3d1.startswith(
        "MIL62-CT303,phase3-rcp,blinded,CT303-0042,2025-08-18,W3D1,15,2025-09-02,Tuesday,"
    )
    assert ",RCP,2025-09-01," in w3d1
    assert ",done,2025-09-02,1," in w3d1
    assert result.stderr == "mil62sched: note: actuals.csv read as GB18030 (not UTF-8)\n"


def test_a_gb18030_holiday_file_is_read(run: Run, tmp_path: Path) -> None:
    holidays = tmp_path / "site.csv"
    holidays.write_bytes("date,name,kind\n2025/9/1,院庆,holiday\n".encode("gb18030"))
    result = run(
        "plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--holidays", str(holidays),
        "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    w3d1 = next(line for line in result.stdout.splitlines() if ",W3D1," in line)
    assert ",2025-09-01,Monday," in w3d1
    assert ",false,院庆," in w3d1  # not a working day, for the site's own holiday
    assert result.stderr == "mil62sched: note: site.csv read as GB18030 (not UTF-8)\n"


@pytest.mark.parametrize("start", ["2025/8/18", "2025-8-18", "2025/08/18", "2025-08-18"])
def test_year_first_dates_in_a_roster_are_read(run: Run, tmp_path: Path, start: str) -> None:
    result = run("roster", str(_roster(tmp_path, "gb18030", start)), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert W1D1 in result.stdout
    assert W3D1 in result.stdout


@pytest.mark.parametrize(
    "start", ["18/8/2025", "8/18/2025", "18-08-2025", "18.8.2025", "8/18/2025 0:00"]
)
def test_day_or_month_first_dates_in_a_roster_are_refused_with_the_reason(
    run: Run, tmp_path: Path, start: str
) -> None:
    result = run("roster", str(_roster(tmp_path, "utf-8", start)), "--format", "csv")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{PREFIX}roster.csv line 2: invalid start date {start!r}: day-first or month-first: "
        f"use year first: {FORMS}"
    )


def test_a_file_date_that_is_no_day_is_refused() -> None:
    with pytest.raises(UsageError, match=r"invalid date '2025/2/29': no such day"):
        parse_file_date("2025/2/29")


@pytest.mark.parametrize(
    "text",
    ["2025/8-18", "2025/123/1", "25/8/18x", "2025.8/18", "2025年8月18", "2025/8/18 0:00 AM"],
)
def test_other_forms_are_refused(text: str) -> None:
    with pytest.raises(UsageError, match="invalid date"):
        parse_file_date(text)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--start", "2025/8/18"),
        ("--start", "2025年8月18日"),
        ("--start", "2025.8.18"),
        ("--today", "2025/8/18 0:00"),
        ("--olp-start", "２０２６-０８-２４"),
    ],
)
def test_the_command_line_stays_iso_only(run: Run, option: str, value: str) -> None:
    args = ["plan", "--arm", "phase3", "--start", "2025-08-18", option, value]
    line = error_line(run(*args))
    assert line == f"invalid {option} date {value!r}: use ISO 8601 YYYY-MM-DD, e.g. 2024-01-31"
    with pytest.raises(UsageError):
        parse_date("2025-8-18")


# --- year-first dates as a Chinese Excel or WPS writes them (issue 16 #10) ---------------------
# Every date a file gives (a roster's start and olp_start, an actuals date, a holiday date) is
# read year first in any of these forms; a refusal names them.
FORMS = "2025-08-18, 2025/8/18, 2025.8.18 or 2025年8月18日"
FORMS_ZH = "2025-08-18、2025/8/18、2025.8.18 或 2025年8月18日"
CHINESE_AND_EXCEL_FORMS = [
    "2025年8月18日",
    "2025年08月18日",
    "2025 年 8 月 18 日",
    "２０２５年８月１８日",  # full-width digits, read as their NFKC forms
    "2025.8.18",
    "2025.08.18",
    "2025/8/18 0:00",  # Excel's datetime cell saved as text
    "2025/8/18 00:00:00",
    "2025-08-18 00:00:00",
    "2025年8月18日 0:00",
]


@pytest.mark.parametrize("start", CHINESE_AND_EXCEL_FORMS)
def test_chinese_and_excel_dates_in_a_gbk_roster_are_read(
    run: Run, tmp_path: Path, start: str
) -> None:
    result = run("roster", str(_roster(tmp_path, "gbk", start)), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert W1D1 in result.stdout  # start column and W1D1 2025-08-18, Monday
    assert W3D1 in result.stdout  # W3D1 day 15: 2025-08-18 + 14 = 2025-09-01, Monday


def test_the_issue_s_chinese_start_date_plans_its_visits(run: Run, tmp_path: Path) -> None:
    # 2026-11-23 is a Monday (2026-01-01 is a Thursday; 326 days later, 326 = 46 * 7 + 4);
    # W3D1 = day 15 = 2026-11-23 + 14 = 2026-12-07, a Monday.
    result = run("roster", str(_roster(tmp_path, "gbk", "2026年11月23日")), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["start"], r["code"], r["date"], r["weekday"]) for r in rows[:2]] == [
        ("2026-11-23", "W1D1", "2026-11-23", "Monday"),
        ("2026-11-23", "W3D1", "2026-12-07", "Monday"),
    ]


@pytest.mark.parametrize("olp_start", ["2026年8月24日", "2026.8.24", "2026/8/24 0:00"])
def test_a_chinese_olp_start_in_a_gbk_roster_is_read(
    run: Run, tmp_path: Path, olp_start: str
) -> None:
    # OLP W1D1 on Monday 2026-08-24 (a week after the assumed RCP W53D1, 2025-08-18 + 364 =
    # 2026-08-17); OLP W3D1 = 2026-08-24 + 14 = 2026-09-07.
    roster = tmp_path / "roster.csv"
    text = f"participant,arm,start,olp_start,备注\nCT303-0042,phase3,2025年8月18日,{olp_start},\n"
    roster.write_bytes(text.encode("gbk"))
    result = run("roster", str(roster), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    olp = [r for r in csv.DictReader(io.StringIO(result.stdout)) if r["period"] == "OLP"]
    assert [(r["code"], r["date"], r["period_start"]) for r in olp[:2]] == [
        ("W1D1", "2026-08-24", "2026-08-24"),
        ("W3D1", "2026-09-07", "2026-08-24"),
    ]
    assert {r["period_start_assumed"] for r in olp} == {"false"}


@pytest.mark.parametrize("done", ["2025年9月2日", "2025.9.2", "2025/9/2 0:00", "２０２５．９．２"])
def test_chinese_dates_in_gbk_actuals_are_read(run: Run, tmp_path: Path, done: str) -> None:
    actuals = tmp_path / "actuals.csv"
    actuals.write_bytes(
        f"participant,code,date,备注\nCT303-0042,W3D1,{done},晚一天\n".encode("gbk")
    )
    roster = _roster(tmp_path, "utf-8")
    result = run("roster", str(roster), "--actuals", str(actuals), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    w3d1 = next(line for line in result.stdout.splitlines() if ",W3D1," in line)
    assert ",done,2025-09-02,1," in w3d1  # done a day after 2025-09-01


@pytest.mark.parametrize("closed", ["2025年9月1日", "2025.9.1", "2025/9/1 00:00:00"])
def test_chinese_dates_in_a_gbk_holiday_file_are_read(
    run: Run, tmp_path: Path, closed: str
) -> None:
    holidays = tmp_path / "site.csv"
    holidays.write_bytes(f"date,name,kind\n{closed},院庆,holiday\n".encode("gbk"))
    result = run(
        "plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--holidays", str(holidays),
        "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    w3d1 = next(line for line in result.stdout.splitlines() if ",W3D1," in line)
    assert ",2025-09-01,Monday," in w3d1
    assert ",false,院庆," in w3d1  # the site's own holiday closes Monday 2025-09-01


def _refused(run: Run, folder: Path, kind: str, typed: str, lang: str) -> str:
    """The first stderr line of a run whose roster, actuals or holiday file (`kind`) gives the
    date `typed` in a GBK CSV."""
    start = "2025-08-18"
    if kind == "holidays":
        holidays = folder / "site.csv"
        holidays.write_bytes(f"date,name,kind\n{typed},院庆,holiday\n".encode("gbk"))
        args = ["plan", "--arm", "phase3-rcp", "--start", start, "--holidays", str(holidays)]
    elif kind == "actuals":
        actuals = folder / "actuals.csv"
        actuals.write_bytes(f"participant,code,date,备注\nCT303-0042,W3D1,{typed},\n".encode("gbk"))
        args = ["roster", str(_roster(folder, "gbk")), "--actuals", str(actuals)]
    else:
        args = ["roster", str(_roster(folder, "gbk", typed))]
    result = run(*args, "--lang", lang)
    assert result.exit_code == (2 if kind == "holidays" else 1), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    return next(line for line in result.stderr.splitlines() if ": note: " not in line)


REFUSALS = [
    # (file, date as typed, the reason in English, in Chinese)
    ("roster", "2025年8月18", f"use year first: {FORMS}", f"请把年份放在最前：{FORMS_ZH}"),
    ("actuals", "2025_9_2", f"use year first: {FORMS}", f"请把年份放在最前：{FORMS_ZH}"),
    (
        "holidays",
        "2025年9月31日",
        f"no such day; use year first: {FORMS}",
        f"没有这一天；请把年份放在最前：{FORMS_ZH}",
    ),
    (
        "roster",
        "2025/8/18 9:30",
        f"a date with a time (9:30) is not a date: give the day alone, year first: {FORMS}",
        f"日期不应包含时间（9:30）：请只填写日期，年份在前：{FORMS_ZH}",
    ),
    (
        "actuals",
        "2025-09-02 14:05:00",
        f"a date with a time (14:05:00) is not a date: give the day alone, year first: {FORMS}",
        f"日期不应包含时间（14:05:00）：请只填写日期，年份在前：{FORMS_ZH}",
    ),
    (
        "holidays",
        "1.9.2025",
        f"day-first or month-first: use year first: {FORMS}",
        f"日在前或月在前：请把年份放在最前：{FORMS_ZH}",
    ),
]
WHERE = {
    "roster": "roster.csv line 2",
    "actuals": "actuals.csv line 2",
    "holidays": "site.csv line 2",
}
WHERE_ZH = {name: where.replace(" line 2", " 第 2 行") for name, where in WHERE.items()}
WHAT = {"roster": "start date", "actuals": "date", "holidays": "date"}
# The roster's column name is English in both languages (issue 16 #8 words it), 日期 the others.
WHAT_ZH = {"roster": "'start' 列的日期", "actuals": "日期", "holidays": "日期"}  # issue 16 #8


@pytest.mark.parametrize(("kind", "typed", "reason", "reason_zh"), REFUSALS)
def test_a_refused_file_date_names_the_forms_accepted(
    run: Run, tmp_path: Path, kind: str, typed: str, reason: str, reason_zh: str
) -> None:
    english = _refused(run, tmp_path, kind, typed, "en")
    assert english == f"{PREFIX}{WHERE[kind]}: invalid {WHAT[kind]} {typed!r}: {reason}"
    chinese = _refused(run, tmp_path, kind, typed, "zh")
    assert chinese == f"{PREFIX}{WHERE_ZH[kind]}：无效的 {WHAT_ZH[kind]} {typed!r}：{reason_zh}"


def test_forcing_utf8_refuses_a_gb18030_roster_at_its_first_bad_byte(
    run: Run, tmp_path: Path
) -> None:
    roster = _roster(tmp_path, "gb18030")
    # "participant,arm,start," is 22 bytes: the 23rd is the first of 备 in GB18030 (0xB1 0xB8).
    assert error_line(run("roster", str(roster), "--encoding", "utf-8")) == (
        "roster.csv line 1: not UTF-8 text (byte 23 of the file, 23 of the line: b1); "
        "save it as UTF-8 CSV"
    )


def test_forcing_gb18030_reads_without_a_note(run: Run, tmp_path: Path) -> None:
    roster = _roster(tmp_path, "gb18030")
    result = run("roster", str(roster), "--encoding", "gb18030", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert W1D1 in result.stdout
    assert result.stderr == ""


def test_an_unknown_encoding_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    line = error_line(run("roster", str(_roster(tmp_path, "utf-8")), "--encoding", "latin-1"))
    assert line == "invalid --encoding 'latin-1': use auto, utf-8, gb18030, utf-16"


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"mil62sched {__version__}\n"
    assert __version__ == "0.2.0"


def test_help_offers_shell_completion(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "--install-completion" in result.stdout
    assert "--show-completion" in result.stdout


@pytest.mark.parametrize(
    ("words", "expected"), [("mil62sched pl", "plan"), ("mil62sched roster --enc", "--encoding")]
)
def test_bash_completion_completes_commands_and_options(words: str, expected: str) -> None:
    from typer.testing import CliRunner

    from mil62sched.cli import app

    environment = {
        "_MIL62SCHED_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    result = CliRunner().invoke(app, [], prog_name="mil62sched", env=environment)
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [expected]


@pytest.mark.parametrize(("shell", "line"), [("zsh", "compdef"), ("fish", "complete --command")])
def test_zsh_and_fish_completion_scripts(shell: str, line: str) -> None:
    from typer.testing import CliRunner

    from mil62sched.cli import app

    environment = {"_MIL62SCHED_COMPLETE": f"source_{shell}"}
    result = CliRunner().invoke(app, [], prog_name="mil62sched", env=environment)
    assert result.exit_code == 0, result.output
    assert line in result.stdout
    assert "mil62sched" in result.stdout


@pytest.mark.parametrize("option", ["roster", "--holidays"])
def test_a_file_that_is_not_the_forced_encoding_is_refused_for_that_encoding(
    run: Run, tmp_path: Path, option: str
) -> None:
    # 0xFF starts no GB18030 character, and a UTF-8 file of Chinese text is not GB18030 either.
    path = tmp_path / "site.csv"
    path.write_bytes(b"date,name,kind\n2025-10-01,\xff,holiday\n")
    args = ["plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--holidays", str(path)]
    if option == "roster":
        path.write_bytes(b"participant,arm,start\nP1,phase3-rcp,2025-08-18\xff\n")
        args = ["roster", str(path)]
    assert error_line(run(*args, "--encoding", "gb18030")) == (
        "site.csv: not GB18030 text, as --encoding says: leave --encoding out to detect the "
        "encoding, or save the file as UTF-8 CSV"
    )
