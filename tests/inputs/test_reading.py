"""Issue: never a wrong answer, never a traceback. Each case an attack found, as a test."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mil62sched import protocol
from mil62sched.commands.options import site_today
from mil62sched.model.plan import Policy
from tests.conftest import Run, error_line

SCRIPT = Path(sys.executable).parent / "mil62sched"
PLAN = ("plan", "--arm", "phase3-rcp", "--start", "2025-09-17")


def _shell(command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{SCRIPT.parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=env, timeout=60, check=False
    )


# --- "today" is the site's day -------------------------------------------------------------------


def test_today_is_the_date_in_beijing_whatever_the_machine_zone() -> None:
    # 06:55 in Beijing on 1 December is 22:55 UTC on 30 November.
    at = datetime(2026, 11, 30, 22, 55, tzinfo=UTC)
    assert site_today(protocol.load(), now=at).isoformat() == "2026-12-01"
    assert site_today(protocol.load(), "Europe/London", now=at).isoformat() == "2026-11-30"


# --- --tz takes IANA zone names only ------------------------------------------------------------


@pytest.mark.parametrize(
    "zone", ["Asia", "", "localtime", "posixrules", "right/UTC", "posix/UTC", "Factory", "../etc"]
)
def test_only_iana_zone_names_are_accepted(run: Run, zone: str) -> None:
    line = error_line(run(*PLAN, "--time", "09:00", "--tz", zone, "--format", "ics"))
    assert line == (
        f"unknown time zone {zone!r}: use an IANA name such as Asia/Shanghai or America/New_York"
    )


def test_an_iana_zone_is_accepted(run: Run) -> None:
    result = run(*PLAN, "--time", "09:00", "--tz", "America/New_York", "--format", "ics")
    assert result.exit_code == 0, result.stderr
    assert "TZID:America/New_York" in result.stdout


# --- visit codes too long for int() --------------------------------------------------------------

LONG_CODE = "W" + "9" * 4301 + "D1"


@pytest.mark.parametrize(
    "args",
    [
        ("day", LONG_CODE, "--start", "2025-01-01"),
        ("plan", "--arm", "phase1b-500", "--start", "2025-01-01", "--escalate-at", LONG_CODE),
        (*PLAN, "--actual", f"{LONG_CODE}=2025-09-18"),
        (*PLAN, "--missed", LONG_CODE),
    ],
)
def test_a_visit_code_of_thousands_of_digits_is_one_line(run: Run, args: tuple[str, ...]) -> None:
    line = error_line(run(*args))
    assert "invalid visit code" in line
    assert len(line) < 300


def test_a_roster_row_with_a_huge_code_is_one_bad_row(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text(
        "participant,arm,start,escalate_at\n"
        f"P1,phase1b-500,2025-01-06,{LONG_CODE}\nP2,phase3-rcp,2025-01-06,\n",
        encoding="utf-8",
    )
    result = run("roster", str(roster), "--format", "csv", "--skip-bad")
    assert result.exit_code == 1
    assert "r.csv line 2: invalid visit code" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.count("\nMIL62-CT303,phase3-rcp,") == 4  # P2 planned


# --- a non-UTF-8 roster written to .ics ----------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "utf-16"])
def test_a_non_utf8_roster_to_ics_is_refused_in_one_line(
    run: Run, tmp_path: Path, encoding: str
) -> None:
    roster = tmp_path / "r.csv"
    roster.write_bytes(
        "participant,arm,start,备注\nP1,phase3-rcp,2025-01-06,过敏\n".encode(encoding)
    )
    # Read as GB18030 or UTF-16 by default (test_excel_files); refused when UTF-8 is forced.
    result = run("roster", str(roster), "--encoding", "utf-8", "-o", str(tmp_path / "site.ics"))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert "r.csv" in result.stderr
    assert not (tmp_path / "site.ics").exists()


# --- standard output that fails ------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "mil62sched plan --arm phase3-rcp --start 2025-09-17 > /dev/full",
        "mil62sched plan --arm phase3-rcp --start 2025-09-17 --format ics > /dev/full",
        "mil62sched arms > /dev/full",
        "mil62sched --help > /dev/full",
        "mil62sched plan --arm phase3-rcp --start 2025-09-17 >&-",
        "mil62sched arms >&-",
    ],
)
def test_a_failing_standard_output_is_one_line_and_exit_1(command: str) -> None:
    done = _shell(command)
    assert "Traceback" not in done.stderr
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("mil62sched: error: cannot write to standard output")


# --- bounds on what a visit can be ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--window", "400"), "whole numbers from 0 to 60"),
        (("--window", "3,61"), "whole numbers from 0 to 60"),
        (("--time", "09:00", "--duration", "3d"), "invalid --duration '3d': at most 12h"),
        (("--time", "09:00", "--duration", "13h"), "invalid --duration '13h': at most 12h"),
        (("--time", "09:00", "--remind", "30d"), "invalid --remind '30d': at most 28d"),
    ],
)
def test_windows_durations_and_reminders_are_bounded(
    run: Run, args: tuple[str, ...], expected: str
) -> None:
    assert expected in error_line(run(*PLAN, *args, "--format", "ics"))


def test_the_longest_window_and_infusion_are_accepted(run: Run) -> None:
    result = run(*PLAN, "--window", "60", "--time", "09:00", "--duration", "12h", "--format", "ics")
    assert result.exit_code == 0, result.stderr


# --- outputs that are not regular files ----------------------------------------------------------


def test_dash_means_standard_output(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(*PLAN, "-o", "-", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("protocol,arm,")
    assert list(tmp_path.iterdir()) == []  # no file called "-"


def test_dev_stdout_is_written_into() -> None:
    done = _shell("mil62sched plan --arm phase3-rcp --start 2025-09-17 -o /dev/stdout | cat")
    assert done.returncode == 0, done.stderr
    assert "W27D1" in done.stdout


def test_a_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = _shell(
        f"cat {fifo} > {tmp_path / 'got.csv'} & "
        f"mil62sched plan --arm phase3-rcp --start 2025-09-17 --format csv -o {fifo} --force; wait"
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "got.csv").read_text(encoding="utf-8").startswith("protocol,arm,")
    assert fifo.is_fifo()


@pytest.mark.skipif(os.geteuid() != 0, reason="replacing a device node needs root")
def test_a_device_is_never_replaced_even_with_force() -> None:
    done = _shell("mil62sched plan --arm phase3-rcp --start 2025-09-17 -o /dev/full --force")
    assert done.returncode == 1
    assert done.stderr == ("mil62sched: error: cannot write '/dev/full': No space left on device\n")
    assert Path("/dev/full").is_char_device()


# --- the end of the calendar ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (("--from", "9999-12-20", "--today", "2025-01-06"), "9999-12-20"),
        (("--today", "9999-12-30"), "9999-12-30"),  # --from defaults to today
    ],
)
def test_an_agenda_past_the_last_day_is_one_line(
    run: Run, tmp_path: Path, args: tuple[str, ...], first: str
) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("participant,arm,start\nP1,phase3-rcp,2025-01-06\n", encoding="utf-8")
    assert error_line(run("agenda", str(roster), *args)) == (
        f"an agenda of 14 days from {first} would end after 9999-12-31: "
        "start earlier or cover fewer days"
    )


# --- a roster from a pipe is read once ----------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "cat r.csv | mil62sched roster /dev/stdin --format csv",
        "cat r.csv | mil62sched roster - --format csv",
        "mil62sched roster <(cat r.csv) --format csv",
        "cat a.csv | mil62sched roster r.csv --actuals - --format csv",
    ],
)
def test_a_roster_or_actuals_from_a_pipe_is_planned(tmp_path: Path, command: str) -> None:
    (tmp_path / "r.csv").write_text(
        "participant,arm,start\nP1,phase3-rcp,2025-01-06\n", encoding="utf-8"
    )
    (tmp_path / "a.csv").write_text("participant,code,date\nP1,W1D1,2025-01-06\n", "utf-8")
    done = _shell(f"cd {tmp_path} && {command}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\nMIL62-CT303,phase3-rcp,blinded,P1,") == 4


# --- a stray quote never swallows participants --------------------------------------------------

STRAY = (
    "participant,arm,start,notes\n"
    'CT-1,phase3-rcp,2024-01-01,"latex allergy\n'
    "CT-2,phase3-rcp,2024-01-02,\n"
    'CT-3,phase3-rcp,2024-01-03,see "chart"\n'
    "CT-4,phase3-rcp,2024-01-04,\n"
)


def test_a_stray_quote_is_refused_at_the_line_it_opened(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "q.csv"
    roster.write_text(STRAY, encoding="utf-8")
    result = run("roster", str(roster), "--format", "csv", "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "mil62sched: error: q.csv line 2: a quote opened on this line runs on to line 4, taking "
        "in what reads as a row of its own ('CT-2,phase3-rcp,2024-01-02,'): close the quote or "
        "remove it"
    )
    assert not (tmp_path / "out.csv").exists()


def test_a_quote_left_open_at_the_end_is_refused(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "q.csv"
    roster.write_text(
        'participant,arm,start,notes\nCT-1,phase3-rcp,2024-01-01,"open\nCT-2,phase3-rcp,2024-01-02,\n',
        encoding="utf-8",
    )
    result = run("roster", str(roster), "--format", "csv")
    assert result.exit_code == 1
    assert "q.csv line 2: a quote opened on this line runs on to line 3" in result.stderr
    assert result.stdout == ""


def test_a_real_note_over_several_lines_is_accepted(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "q.csv"
    roster.write_text(
        "participant,arm,start,notes\n"
        'CT-1,phase3-rcp,2024-01-01,"first line\nsecond line, with a comma"\n'
        "CT-2,phase3-rcp,2024-01-02,\n",
        encoding="utf-8",
    )
    result = run("roster", str(roster), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert {line.split(",")[3] for line in result.stdout.splitlines()[1:]} == {"CT-1", "CT-2"}


def test_a_stray_quote_in_an_actuals_file_is_refused(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("participant,arm,start\nP1,phase3-rcp,2025-01-06\n", encoding="utf-8")
    actuals = tmp_path / "a.csv"
    actuals.write_text(
        'participant,code,date\nP1,W1D1,"2025-01-06\nP1,W3D1,2025-01-20\n', encoding="utf-8"
    )
    result = run("roster", str(roster), "--actuals", str(actuals), "--format", "csv")
    assert result.exit_code == 1
    assert "a.csv line 2: a quote opened on this line runs on to line 3" in result.stderr


# --- visits keep the protocol's order ------------------------------------------------------------


def test_a_proposal_never_puts_w3d1_on_or_before_w1d1(run: Run, tmp_path: Path) -> None:
    # W1D1 Mon 2024-03-04; W3D1 2024-03-18 with a window of 14 days: 03-04..04-01. The site is
    # closed 2024-03-05..2024-04-01, so the only working day in the window is W1D1's own day.
    closed = "\n".join(
        f"2024-{m:02d}-{d:02d},Site closed,holiday"
        for m, d in [(3, day) for day in range(5, 32)] + [(4, 1)]
    )
    holidays = tmp_path / "closed.csv"
    holidays.write_text(f"date,name,kind\n{closed}\n", encoding="utf-8")
    result = run(
        "plan", "--arm", "phase3-rcp", "--start", "2024-03-04", "--holidays", str(holidays),
        "--window", "14", "--adjust", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    import json

    w3d1 = json.loads(result.stdout)["visits"][1]
    assert (w3d1["code"], w3d1["date"], w3d1["proposed_date"]) == ("W3D1", "2024-03-18", None)
    assert "would not keep the visits in order" in w3d1["note"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            # W25D1 done while W3D1 (2024-01-15) is still planned after it.
            ("--start", "2024-01-01", "--actual", "W25D1=2024-01-10", "--today", "2024-02-01"),
            "--actual W25D1=2024-01-10 is not after W3D1, still planned for 2024-01-15: visits "
            "happen in visit order (record W3D1 first, done or missed)",
        ),
        (
            # W27D1 (protocol 2025-09-08) done 181 days early, W3D1 and W25D1 still planned.
            ("--start", "2025-03-10", "--actual", "W27D1=2025-03-11", "--today", "2025-03-11"),
            "--actual W27D1=2025-03-11 is not after W25D1, still planned for 2025-08-25: visits "
            "happen in visit order (record W25D1 first, done or missed)",
        ),
        (
            # Missed six months ahead of its day, 2025-09-08.
            ("--start", "2025-03-10", "--missed", "W27D1", "--today", "2025-03-11"),
            "--missed W27D1: its day has not come (2025-09-08; today is 2025-03-11): a visit is "
            "missed once its window has opened",
        ),
    ],
)
def test_records_out_of_visit_order_are_refused(
    run: Run, args: tuple[str, ...], expected: str
) -> None:
    assert error_line(run("plan", "--arm", "phase3-rcp", *args)) == expected


# --- one participant, one spelling; names every system can store ------------------------------


def test_actuals_match_roster_ids_ignoring_case_and_spaces(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("participant,arm,start\nCT303-0001,phase3-rcp,2025-01-06\n", "utf-8")
    actuals = tmp_path / "a.csv"
    actuals.write_text(
        "participant,code,date\n ct303-0001 ,W1D1,2025-01-06\nCt303-0001,W3D1,2025-01-21\n",
        "utf-8",
    )
    result = run(
        "roster", str(roster), "--actuals", str(actuals), "--today", "2025-02-01", "--format", "csv"
    )
    assert result.exit_code == 0, result.stderr
    statuses = [line.split(",")[20] for line in result.stdout.splitlines()[1:]]
    assert statuses == ["done", "done", "planned", "planned"]


@pytest.mark.parametrize("participant", ["CON", "nul", "Aux.1", "COM1", "lpt9.x", "PRN"])
def test_ids_windows_cannot_store_as_file_names_are_refused(run: Run, participant: str) -> None:
    line = error_line(run(*PLAN, "--participant", participant))
    assert line.startswith(f"invalid participant ID {participant!r}: a name Windows keeps")


@pytest.mark.parametrize("participant", ["UNBLINDED-CT303-0001", "unblinded-P1"])
def test_an_id_with_the_unblinded_files_prefix_is_refused(run: Run, participant: str) -> None:
    # Issue 15 #3: --split names the pharmacist's files UNBLINDED-<ID>; an ID of that form
    # could take the place of another participant's unblinded file.
    assert error_line(run(*PLAN, "--participant", participant)) == (
        f"invalid participant ID {participant!r}: no ID may begin with UNBLINDED-, which names "
        "the unblinded pharmacist's files"
    )


def test_a_non_utf8_byte_is_reported_at_its_line_and_byte(run: Run, tmp_path: Path) -> None:
    rows = "participant,arm,start\n" + "P1,phase3-rcp,2025-01-06\n" * 3000
    roster = tmp_path / "gbk.csv"
    roster.write_bytes((rows + "P2,phase3-rcp,2025-01-06,过敏\n").encode("gbk"))
    # 22 bytes of header and 3,000 rows of 25 bytes come before P2's line; its 26th byte is the
    # first of 过 in GBK (0xB9).
    assert error_line(run("roster", str(roster), "--encoding", "utf-8")) == (
        "gbk.csv line 3002: not UTF-8 text (byte 75048 of the file, 26 of the line: b9); "
        "save it as UTF-8 CSV"
    )


@pytest.mark.parametrize("command", [PLAN, ("roster", "examples/roster.csv"), ("agenda", "r.csv")])
def test_an_empty_output_path_is_refused(run: Run, command: tuple[str, ...]) -> None:
    # Issue 15 #18: an empty path is not the current folder, nor any file.
    assert error_line(run(*command, "-o", "")) == (
        "--output '' is an empty path: give a file name, or - for standard output"
    )


@pytest.mark.parametrize("with_format", [(), ("--format", "csv")])
def test_a_folder_as_output_is_the_same_refusal_with_or_without_format(
    run: Run, tmp_path: Path, with_format: tuple[str, ...]
) -> None:
    line = error_line(run(*PLAN, "-o", str(tmp_path), *with_format))
    assert line == f"output {str(tmp_path)!r} is a folder: give a file name"


def test_a_stray_quote_in_a_holiday_file_is_refused(run: Run, tmp_path: Path) -> None:
    holidays = tmp_path / "site.csv"
    holidays.write_text(
        'date,name,kind\n2025-10-08,"Site closed,holiday\n2025-10-09,Site closed,holiday\n',
        encoding="utf-8",
    )
    assert error_line(run(*PLAN, "--holidays", str(holidays))) == (
        "site.csv line 2: a quote opened on this line runs on to line 3, taking in what reads as "
        "a row of its own ('2025-10-09,Site closed,holiday'): close the quote or remove it"
    )


# --- unbounded input -----------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["roster", "actuals", "holidays"])
def test_an_endless_device_as_input_is_one_line(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    from mil62sched import inputs

    monkeypatch.setattr(inputs, "MOST_INPUT_BYTES", 1024 * 1024)  # 256 MiB in real runs
    roster = tmp_path / "r.csv"
    roster.write_text("participant,arm,start\nP1,phase3-rcp,2025-01-06\n", encoding="utf-8")
    args = {
        "roster": ("roster", "/dev/zero"),
        "actuals": ("roster", str(roster), "--actuals", "/dev/zero"),
        "holidays": (*PLAN, "--holidays", "/dev/zero"),
    }[where]
    assert error_line(run(*args)) == (
        "cannot read '/dev/zero': larger than 1 MiB, so not a roster, actuals or holiday file"
    )


def test_a_line_longer_than_any_row_is_one_line(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("participant,arm,start\n" + "x" * (1024 * 1024 + 1), encoding="utf-8")
    assert error_line(run("roster", str(roster))) == (
        "r.csv line 2: longer than 1,048,576 characters, so not a line of a roster, actuals or "
        "holiday file"
    )


def test_thousands_of_bad_rows_are_counted_but_not_all_kept(run: Run, tmp_path: Path) -> None:
    from mil62sched.inputs import Reading
    from mil62sched.roster import expand

    roster = tmp_path / "r.csv"
    bad = "".join(f"P{n},phase3-rcx,2025-01-06\n" for n in range(3000))
    roster.write_text("participant,arm,start\n" + bad, encoding="utf-8")
    tally = expand.Tally()
    reading = Reading()
    assert (
        list(expand.expand(protocol.load(), roster, Policy(), tally=tally, reading=reading)) == []
    )
    assert (tally.refused, len(tally.errors)) == (3000, expand.KEPT_ERRORS)
    result = run("roster", str(roster))
    lines = result.stderr.splitlines()
    assert (result.exit_code, len(lines)) == (1, 102)
    assert lines[-2:] == [
        "mil62sched: error: ... and 2900 more bad row(s)",
        "mil62sched: error: 3000 bad row(s); nothing written (fix them: no row is valid)",
    ]


def test_a_one_digit_hour_is_a_clock_time(run: Run) -> None:
    result = run(*PLAN, "--time", "9:00", "--format", "ics")
    assert result.exit_code == 0, result.stderr
    assert "DTSTART;TZID=Asia/Shanghai:20250917T090000" in result.stdout.replace("\r", "")
