"""Input files under attack (each case an attack found, as a test): non-UTF-8 rosters, rosters
from a pipe, stray quotes, participant IDs, and unbounded input. Never a wrong answer, never a
traceback. (Attacks on option values are cli/test_limits.py; on outputs, outputs/test_outputs.py;
on visit order, engine/test_records.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mil62sched import protocol
from mil62sched.model.plan import Policy
from tests.conftest import Run, error_line

SCRIPT = Path(sys.executable).parent / "mil62sched"
PLAN = ("plan", "--arm", "phase3-rcp", "--start", "2025-09-17")


def _shell(command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{SCRIPT.parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=env, timeout=60, check=False
    )


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
