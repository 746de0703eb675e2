"""Outputs that are all or nothing, whatever happens to the run, and bytes that do not depend on
the console: issues 14 (a split roster published in part), 15 (SIGTERM and SIGHUP leave a
temporary file), 17 (console encodings and line endings) and 11 (a million bad rows).

Expected values are worked out by hand: the issue's own cases, a roster with a known number of
rows, and the encodings' tables (`·` is 0xB7 in cp1252, `━` and `国` are not in it at all).
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mil62sched import outputs
from mil62sched.errors import OutputError
from tests.conftest import EXAMPLES, Run, error_line, normalise_dtstamp, without_study_dates

PROG = [sys.executable, "-m", "mil62sched"]


def cli(*args: str, cwd: Path, encoding: str | None = None) -> subprocess.CompletedProcess[bytes]:
    """`mil62sched ARGS...` in a new interpreter, its standard output as bytes; `encoding` is the
    console's (PYTHONIOENCODING), as a Windows code page would set it."""
    env = dict(os.environ)
    env.pop("PYTHONUTF8", None)
    if encoding is not None:
        env["PYTHONIOENCODING"] = encoding
    return subprocess.run(
        [*PROG, *args], cwd=cwd, env=env, capture_output=True, timeout=120, check=False
    )


# --- issue 14: --split is all or nothing -------------------------------------------------------

TWO = "participant,arm,start\nP1,phase3-rcp,2025-01-06\nP2,phase3-rcp,2025-01-06\n"


def test_split_refuses_a_folder_in_place_of_a_file_and_replaces_nothing(
    run: Run, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(TWO, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "P1.ics").write_text("old P1\n", encoding="utf-8")
    (out / "P2.ics").mkdir()  # P1.ics would be replaced first, then P2.ics fail
    result = run("roster", str(roster), "--split", str(out), "--force")
    line = error_line(result, 1)
    assert "P2.ics" in line
    assert "folder" in line
    assert (out / "P1.ics").read_text(encoding="utf-8") == "old P1\n"
    assert (out / "P2.ics").is_dir()
    assert sorted(p.name for p in out.iterdir()) == ["P1.ics", "P2.ics"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "roster.csv"]  # no staging left


def test_split_refuses_a_folder_in_place_of_a_file_without_force_too(
    run: Run, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(TWO, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "P2.ics").mkdir()
    line = error_line(run("roster", str(roster), "--split", str(out)), 1)
    assert "P2.ics" in line
    assert "folder" in line  # not "use --force", which could not help
    assert [p.name for p in out.iterdir()] == ["P2.ics"]


@pytest.mark.parametrize(
    "failure",
    [OSError(28, "No space left on device"), KeyboardInterrupt()],
    ids=["disk full", "interrupted"],
)
def test_split_restores_replaced_files_when_a_move_fails_midway(
    failure: BaseException, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A move that fails after others succeeded (the disk, a race) or is interrupted (Ctrl-C, or
    SIGTERM as `main` turns it into an exception) puts back every file it replaced and removes
    every file it added."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "A.ics").write_text("old A\n", encoding="utf-8")
    (out / "C.ics").write_text("old C\n", encoding="utf-8")
    real_replace = os.replace
    moved: list[str] = []

    def failing_replace(source: str | Path, target: str | Path) -> None:
        if Path(target).parent == out:
            if Path(target).name == "C.ics" and Path(source).parent != out:
                raise failure
            moved.append(Path(target).name)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)

    def publish() -> None:
        with outputs.staged_folder(out, force=True) as folder:
            for name in ("A.ics", "B.ics", "C.ics"):
                (folder / name).write_text(f"new {name}\n", encoding="utf-8")

    if isinstance(failure, OSError):
        with pytest.raises(OutputError, match="No space left on device") as refused:
            publish()
        assert str(refused.value).endswith(
            f"C.ics': No space left on device; nothing in {str(out)!r} was changed"
        )
    else:
        with pytest.raises(KeyboardInterrupt):
            publish()
    assert moved[:2] == ["A.ics", "B.ics"]  # the failure came midway
    assert (out / "A.ics").read_text(encoding="utf-8") == "old A\n"
    assert (out / "C.ics").read_text(encoding="utf-8") == "old C\n"
    assert sorted(p.name for p in out.iterdir()) == ["A.ics", "C.ics"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_split_with_force_still_replaces_files(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(TWO, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "P1.ics").write_text("old P1\n", encoding="utf-8")
    result = run("roster", str(roster), "--split", str(out), "--force")
    assert result.exit_code == 0, result.stderr
    assert (out / "P1.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert sorted(p.name for p in out.iterdir()) == ["P1.ics", "P2.ics"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "roster.csv"]


# --- issue 15 #9: concurrent runs into one folder publish one after the other ------------------

EXAMPLE_PROTOCOLS = sorted((EXAMPLES / "protocols").glob("*.toml"))
SCRIPT = Path(sys.executable).parent / "mil62sched"  # the worktree's console script
# A run's publishing (ten renames) takes about a millisecond, so at full speed two runs meet there
# only now and then (1 try in 8 in the issue). Each child here renames into the folder at the pace
# of a slow disk, 0 to 80 ms a file, and all start publishing together: the old code mixed the
# two runs' files in most rounds.
SLOW_DISK = r"""
import os, random, runpy, sys, time

import mil62sched.cli, mil62sched.commands.sdtm, mil62sched.protocol.design, mil62sched.sdtm

folder, ready, go, script = sys.argv[1:5]
replace = os.replace


def slow_replace(source, target, **options):
    if os.path.dirname(os.fspath(target)) == folder:
        time.sleep(random.uniform(0, 0.08))
    replace(source, target, **options)


os.replace = slow_replace
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.001)
sys.argv = sys.argv[4:]
runpy.run_path(script, run_name="__main__")
"""
ROUNDS = 6


@pytest.mark.slow
@pytest.mark.skipif(not SCRIPT.exists(), reason="no console script beside this interpreter")
def test_concurrent_forced_sdtm_runs_leave_the_files_of_one_run(tmp_path: Path) -> None:
    assert len(EXAMPLE_PROTOCOLS) >= 2
    first, second = EXAMPLE_PROTOCOLS[:2]
    expected = []
    for index, path in enumerate((first, second)):
        alone = tmp_path / f"alone-{index}"
        done = subprocess.run(
            [str(SCRIPT), "sdtm", "--protocol", str(path), "-o", str(alone)],
            capture_output=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        expected.append({p.name: p.read_bytes() for p in alone.iterdir()})
    assert expected[0].keys() == expected[1].keys()
    assert all(expected[0][name] != expected[1][name] for name in ("ta.csv", "tv.csv", "ts.csv"))
    out = tmp_path / "out"
    for round_ in range(ROUNDS):
        sync = tmp_path / f"sync-{round_}"
        sync.mkdir()
        runs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    SLOW_DISK,
                    str(out),
                    str(sync / f"ready-{index}"),
                    str(sync / "go"),
                    str(SCRIPT),
                    "sdtm",
                    "--protocol",
                    str(path),
                    "-o",
                    str(out),
                    "--force",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )  # fmt: skip
            for index, path in enumerate((first, second))
        ]
        try:
            deadline = time.monotonic() + 120
            while len(list(sync.glob("ready-*"))) < len(runs):
                assert all(run.poll() is None for run in runs), "a run ended before publishing"
                assert time.monotonic() < deadline
                time.sleep(0.005)
            (sync / "go").touch()
            said = [run.communicate(timeout=120)[1] for run in runs]
        finally:
            for run in runs:
                if run.poll() is None:
                    run.kill()
                    run.wait()
        assert [run.returncode for run in runs] == [0, 0], said
        found = {p.name: p.read_bytes() for p in out.iterdir()}
        one, other = ([n for n in sorted(found) if found[n] == e.get(n)] for e in expected)
        assert found in expected, f"round {round_ + 1}: {one} of one run, {other} of the other"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("sync-")) == [
        "alone-0", "alone-1", "out",
    ]  # fmt: skip


@pytest.mark.parametrize("lock", ["flock", "lock folder"])
def test_a_run_publishing_into_a_folder_waits_for_the_one_publishing_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lock: str
) -> None:
    """The same in one process, step by step: while a slow run is between two of its renames, a
    second run into the same folder waits, then publishes all of its files after it; also with
    the lock of the systems that cannot lock a folder (Windows, NFS)."""
    import threading

    if lock == "lock folder":
        monkeypatch.setattr(outputs, "_flock", lambda folder: (None, False))

    out = tmp_path / "out"
    names = [f"{letter}.csv" for letter in "abcdef"]
    real_replace = os.replace
    midway = threading.Event()

    def paced_replace(source: str | Path, target: str | Path) -> None:
        slow = threading.current_thread().name == "slow" and Path(target).parent == out
        if slow and midway.is_set():
            time.sleep(0.05)
        real_replace(source, target)
        if slow:
            midway.set()  # its first file is in place, the others to come

    monkeypatch.setattr(os, "replace", paced_replace)
    failures: list[BaseException] = []

    def publish(run: str) -> None:
        try:
            with outputs.staged_folder(out, force=True) as work:
                for name in names:
                    (work / name).write_text(run, encoding="utf-8")
        except BaseException as exc:
            failures.append(exc)

    slow = threading.Thread(target=publish, args=("slow",), name="slow")
    slow.start()
    assert midway.wait(30)
    publish("fast")  # the slow run has five files still to move
    slow.join(30)
    assert failures == []
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == dict.fromkeys(
        names, "fast"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.skipif(sys.platform == "win32", reason="no flock")
def test_a_folder_that_cannot_be_flocked_is_held_by_a_lock_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import fcntl

    def no_lock(handle: int, operation: int) -> None:  # as on NFS, for a folder
        raise OSError(errno.EBADF, "Bad file descriptor")

    monkeypatch.setattr(fcntl, "flock", no_lock)
    out = tmp_path / "out"
    with outputs.staged_folder(out) as work:
        (work / "a.csv").write_text("a\n", encoding="utf-8")
    assert [p.name for p in out.iterdir()] == ["a.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no lock folder left


def test_a_lock_folder_left_by_an_ended_run_is_named_after_a_while(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outputs, "_flock", lambda folder: (None, False))
    monkeypatch.setattr(outputs, "LOCK_WAIT_SECONDS", 0.2)
    out = tmp_path / "out"
    (tmp_path / ".out.lock").mkdir()  # a run killed while it held the lock left it
    with pytest.raises(OutputError) as refused, outputs.staged_folder(out) as work:
        (work / "a.csv").write_text("a\n", encoding="utf-8")
    assert str(refused.value) == (
        f"another run is writing into {str(out)!r}: try again when it is done, or remove "
        f"{str(tmp_path / '.out.lock')!r} if no run is"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock"]


# --- issue 15: SIGTERM and SIGHUP clean up like Ctrl-C -----------------------------------------

SIGNALS = [
    pytest.param("SIGTERM", id="SIGTERM"),
    pytest.param(
        "SIGHUP",
        id="SIGHUP",
        marks=pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP here"),
    ),
]


@pytest.mark.skipif(sys.platform == "win32", reason="no POSIX signals to send")
@pytest.mark.parametrize("name", SIGNALS)
def test_a_signal_during_output_leaves_no_temporary_file(name: str, tmp_path: Path) -> None:
    number = int(getattr(signal, name))
    roster = tmp_path / "big.csv"
    rows = (f"P{i},phase3,2025-01-06\n" for i in range(30_000))
    roster.write_text("participant,arm,start\n" + "".join(rows), encoding="utf-8")
    process = subprocess.Popen(
        [*PROG, "roster", str(roster), "-o", "out.csv"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        # Signal once the temporary file exists: the run is then surely writing it.
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".out.csv.*.tmp")):
            assert process.poll() is None, "finished before it could be signalled"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(0.3)
        process.send_signal(number)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + number, stderr
    assert stdout == b""
    assert stderr.decode().splitlines() == ["mil62sched: error: terminated"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv"]


# --- issue 17: bytes that do not depend on the console -----------------------------------------

PLAN = ("plan", "--arm", "phase3-olp", "--start", "2025-09-24")
# W3D1 = W1D1 + 14 days = 2025-10-08, the day this file calls a holiday.
HOLIDAY = "date,name,kind\n2025-10-08,国庆节,holiday\n"
MACHINE = ("csv", "json", "md", "ics")


@pytest.mark.parametrize("encoding", ["cp1252", "cp936"])
def test_ics_on_standard_output_is_utf8_with_crlf_whatever_the_console(
    encoding: str, tmp_path: Path
) -> None:
    (tmp_path / "holidays.csv").write_text(HOLIDAY, encoding="utf-8")
    done = cli(
        *PLAN, "--holidays", "holidays.csv", "--format", "ics", cwd=tmp_path, encoding=encoding
    )
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("utf-8")  # GBK bytes for 国 would not decode
    assert "国庆节" in text
    assert "\r\n" in text
    assert "\r\r\n" not in text
    assert all(line.endswith("\r") for line in text.split("\n")[:-1])  # CRLF, every line


def windows_stdout(encoding: str) -> tuple[outputs.Stdout, io.BytesIO]:
    """Standard output as Windows opens it when redirected: text mode, which turns every "\\n"
    into "\\r\\n", in the console's code page. Returns it, and the bytes underneath."""
    raw = io.BytesIO()
    return outputs.Stdout(io.TextIOWrapper(raw, encoding=encoding, newline="\r\n")), raw


@pytest.mark.parametrize("encoding", ["cp1252", "cp936"])
def test_a_machine_format_bypasses_the_newline_translation_of_windows_text_mode(
    encoding: str,
) -> None:
    stdout, raw = windows_stdout(encoding)
    outputs.write_text("BEGIN:VCALENDAR\r\nSUMMARY:国庆节\r\nEND:VCALENDAR\r\n", None, stdout)
    assert raw.getvalue() == "BEGIN:VCALENDAR\r\nSUMMARY:国庆节\r\nEND:VCALENDAR\r\n".encode()


def test_a_staged_machine_format_bypasses_it_too() -> None:
    stdout, raw = windows_stdout("cp1252")
    with outputs.staged(None, stdout) as stage:
        stage.stream.write("a,国\r\n")
    assert raw.getvalue() == "a,国\r\n".encode()


def test_a_terminal_format_keeps_the_console_newlines_and_degrades_characters() -> None:
    stdout, raw = windows_stdout("cp1252")
    outputs.write_text("A · B\n━━\n国\n", None, stdout, terminal=True)
    assert raw.getvalue() == b"A \xb7 B\r\n??\r\n?\r\n"
    with outputs.staged(None, stdout, terminal=True) as stage:
        stage.stream.write("━\n")
    assert raw.getvalue().endswith(b"?\r\n")


@pytest.mark.parametrize("fmt", MACHINE)
def test_machine_formats_with_a_chinese_holiday_on_a_cp1252_console_are_utf8(
    fmt: str, tmp_path: Path
) -> None:
    (tmp_path / "holidays.csv").write_text(HOLIDAY, encoding="utf-8")
    done = cli(
        *PLAN, "--holidays", "holidays.csv", "--format", fmt, cwd=tmp_path, encoding="cp1252"
    )
    assert done.returncode == 0, done.stderr
    # Issue 9 #12: a plan past the study completion date warns, on purpose.
    assert without_study_dates(done.stderr.decode("utf-8")) == ""
    assert "国庆节" in done.stdout.decode("utf-8")


@pytest.mark.slow  # seconds of CPU in processes: the full run has it
@pytest.mark.parametrize("fmt", MACHINE)
def test_machine_formats_on_standard_output_are_the_bytes_of_the_file(
    fmt: str, tmp_path: Path
) -> None:
    """Standard output and `-o FILE` give the same bytes (the file is UTF-8 with the format's
    own line endings); only a calendar's stamps (DTSTAMP, and SEQUENCE where it is derived
    from the export's time) may differ between two runs."""
    (tmp_path / "holidays.csv").write_text(HOLIDAY, encoding="utf-8")
    args = (*PLAN, "--holidays", "holidays.csv", "--format", fmt)
    shown = cli(*args, cwd=tmp_path, encoding="cp936")
    written = cli(*args, "-o", "out", cwd=tmp_path, encoding="cp936")
    assert shown.returncode == written.returncode == 0, shown.stderr + written.stderr

    def stamps_out(text: str) -> str:
        return re.sub(r"^SEQUENCE:\d+(?=\r$)", "SEQUENCE:0", normalise_dtstamp(text), flags=re.M)

    on_disk = (tmp_path / "out").read_bytes().decode("utf-8")
    assert stamps_out(shown.stdout.decode("utf-8")) == stamps_out(on_disk)


@pytest.mark.parametrize("fmt", ["table", "calendar"])
@pytest.mark.parametrize("holidays", [False, True])
def test_terminal_formats_degrade_characters_a_cp1252_console_cannot_show(
    fmt: str, holidays: bool, tmp_path: Path
) -> None:
    (tmp_path / "holidays.csv").write_text(HOLIDAY, encoding="utf-8")
    extra = ("--holidays", "holidays.csv") if holidays else ()
    done = cli(*PLAN, *extra, "--format", fmt, cwd=tmp_path, encoding="cp1252")
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    text = done.stdout.decode("cp1252")
    assert "W3D1" in text  # on 2025-10-08
    assert ("2025-10-08" if fmt == "table" else "October 2025") in text
    if holidays:  # the holiday's name is not in cp1252: degraded, not dropped
        assert "国" not in text
        assert "???" in text
    if fmt == "table":
        # The heading's `·` is in cp1252 (0xB7) and stays; the rule's `━` is not and degrades.
        assert "MIL62-CT303 · phase3-olp" in text
        assert "━" not in text
        assert "?" in text


def test_table_is_unchanged_on_a_utf8_console(tmp_path: Path) -> None:
    done = cli(*PLAN, "--format", "table", cwd=tmp_path, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("utf-8")
    assert "MIL62-CT303 · phase3-olp" in text
    assert "━━━" in text


@pytest.mark.slow  # seconds of CPU in processes: the full run has it
def test_roster_and_agenda_on_standard_output_are_utf8_on_a_cp1252_console(
    tmp_path: Path,
) -> None:
    (tmp_path / "holidays.csv").write_text(HOLIDAY, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(
        "participant,arm,start\nP1,phase3-olp,2025-09-24\n", encoding="utf-8"
    )
    common = ("--holidays", "holidays.csv", "--today", "2025-09-20")
    for command in (
        ("roster", "roster.csv", "--format", "ics"),
        ("agenda", "roster.csv", "--from", "2025-10-01", "--format", "csv"),
    ):
        done = cli(*command, *common, cwd=tmp_path, encoding="cp1252")
        assert done.returncode == 0, done.stderr
        text = done.stdout.decode("utf-8")
        assert "\r\r\n" not in text
    roster_table = cli("roster", "roster.csv", *common, cwd=tmp_path, encoding="cp1252")
    assert roster_table.returncode == 0, roster_table.stderr
    agenda_table = cli(
        "agenda", "roster.csv", "--from", "2025-10-01", *common, cwd=tmp_path, encoding="cp1252"
    )
    assert agenda_table.returncode == 0, agenda_table.stderr


# --- issue 11: a million bad rows --------------------------------------------------------------


@pytest.mark.parametrize("skip_bad", [False, True])
def test_bad_rows_are_reported_up_to_a_hundred_then_counted(
    skip_bad: bool, run: Run, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    bad = [f"B{i},phase3-rcx,2025-01-06\n" for i in range(250)]  # lines 2-251
    roster.write_text("participant,arm,start\n" + "".join(bad) + "OK,phase3-rcp,2025-01-06\n")
    result = run("roster", str(roster), "--format", "csv", *(["--skip-bad"] if skip_bad else []))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert all(line.startswith("mil62sched: error: ") for line in lines)
    lines = [line.removeprefix("mil62sched: error: ") for line in lines]
    assert len(lines) == 100 + 1 + 1
    assert lines[0].startswith("roster.csv line 2: unknown arm 'phase3-rcx'")
    assert lines[99].startswith("roster.csv line 101: unknown arm 'phase3-rcx'")
    assert lines[100] == "... and 150 more bad row(s)"
    if skip_bad:
        assert lines[101] == "250 bad row(s) skipped; 1 participant(s) written"
        assert result.stdout.count("\nMIL62-CT303,") == 4  # OK's four RCP visits
    else:
        assert lines[101] == (
            "250 bad row(s); nothing written (fix them, or use --skip-bad to write the 1 valid "
            "participant(s))"
        )
        assert result.stdout == ""


def test_a_hundred_bad_rows_are_all_reported_without_a_count(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    bad = [f"B{i},phase3-rcx,2025-01-06\n" for i in range(100)]
    roster.write_text("participant,arm,start\n" + "".join(bad))
    result = run("roster", str(roster), "--format", "csv")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 101
    assert "more bad row" not in result.stderr
    assert (
        lines[-1]
        == "mil62sched: error: 100 bad row(s); nothing written (fix them: no row is valid)"
    )


RCP_PLAN = ("plan", "--arm", "phase3-rcp", "--start", "2025-09-17")


def _shell(command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{SCRIPT.parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=env, timeout=60, check=False
    )


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


# --- outputs that are not regular files ----------------------------------------------------------


def test_dash_means_standard_output(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(*RCP_PLAN, "-o", "-", "--format", "csv")
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


@pytest.mark.parametrize(
    "command", [RCP_PLAN, ("roster", "examples/roster.csv"), ("agenda", "r.csv")]
)
def test_an_empty_output_path_is_refused(run: Run, command: tuple[str, ...]) -> None:
    # Issue 15 #18: an empty path is not the current folder, nor any file.
    assert error_line(run(*command, "-o", "")) == (
        "--output '' is an empty path: give a file name, or - for standard output"
    )


@pytest.mark.parametrize("with_format", [(), ("--format", "csv")])
def test_a_folder_as_output_is_the_same_refusal_with_or_without_format(
    run: Run, tmp_path: Path, with_format: tuple[str, ...]
) -> None:
    line = error_line(run(*RCP_PLAN, "-o", str(tmp_path), *with_format))
    assert line == f"output {str(tmp_path)!r} is a folder: give a file name"
