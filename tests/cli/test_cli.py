"""The command line, end to end: every command, every bad input, files, and the blinding labels.

Expected values come from the registry text (seeds/NCT05314010.txt) and hand arithmetic, worked
out in the comments, not from the program's output. Usage mistakes must exit 2, output problems 1,
each with exactly one line on stderr that starts "mil62sched: error:", names the offending value
and says what is accepted; never a traceback.
"""

from __future__ import annotations

import csv
import errno
import functools
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.conftest import Run, error_line, normalise_dtstamp, without_no_phone, without_study_dates

PREFIX = "mil62sched: error: "
# Every format `--format` accepts, in the order the refusal lists them.
# The text formats (every test below runs them); pdf is the html card printed by a browser,
# checked in tests/browser/test_card.py.
ALL_FORMATS = ("table", "csv", "json", "md", "ics", "calendar", "html")
# The formats that print the infusion of each visit; the month view ("calendar") shows visit codes
# only and is checked in tests/formats/test_calendar.py, and below wherever a check applies to it.
FORMATS = ("table", "csv", "json", "md", "ics")

# Arms as the registry defines them: name -> (masking, number of infusion visits).
# Phase 1b: W1D1, W3D1, W25D1, W27D1, W53D1, W79D1, W105D1, W131D1, W157D1, W183D1, W209D1 = 11.
# RCP: W1D1, W3D1, W25D1, W27D1 = 4, quadruple blind; the per-arm views are for the pharmacist.
# OLP: W1D1, W3D1, W27D1, W53D1, W79D1, W105D1, W131D1 = 7; W3D1 keeps the RCP blind.
# Journeys (issue 3): the RCP then the OLP, 4 + 7 = 11 infusions; blinded, and one unblinded
# journey per arm for the pharmacist. Listed after the schedules, in the protocol file's order.
ARMS = {
    "phase1b-500": ("open-label", 11),
    "phase1b-1000": ("open-label", 11),
    "phase3-rcp": ("blinded", 4),
    "phase3-rcp-mil62": ("unblinded", 4),
    "phase3-rcp-placebo": ("unblinded", 4),
    "phase3-olp": ("blinded", 7),
    "phase3-olp-from-mil62": ("unblinded", 7),
    "phase3-olp-from-placebo": ("unblinded", 7),
    "phase3": ("blinded", 11),
    "phase3-mil62": ("unblinded", 11),
    "phase3-placebo": ("unblinded", 11),
}
ALIAS = "phase3-ocp"  # the design card's spelling of the OLP
# What the refusal of an unknown arm accepts: every arm, then the alias.
ACCEPTED_ARMS = ", ".join([*ARMS, ALIAS])
BLINDED_ARMS = [arm for arm, (masking, _) in ARMS.items() if masking == "blinded"]
UNBLINDED_ARMS = [arm for arm, (masking, _) in ARMS.items() if masking == "unblinded"]
BLINDED_INFUSION = "MIL62 1000 mg or matching placebo"


def plan(*extra: str, arm: str = "phase3-olp", start: str = "2024-01-01") -> tuple[str, ...]:
    """Arguments of `mil62sched plan` with an arm and a start, plus `extra`."""
    return ("plan", "--arm", arm, "--start", start, *extra)


def assert_no_traceback(result: Result) -> None:
    """No traceback printed, and no exception other than a deliberate exit escaped the CLI."""
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


def assert_error(result: Result, code: int, *needles: str) -> str:
    """Exit `code`, nothing on stdout, one stderr line with the prefix and each needle."""
    assert_no_traceback(result)
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert result.stdout == ""
    assert result.stderr.endswith("\n")
    assert result.stderr.count("\n") == 1, result.stderr
    line = result.stderr.rstrip("\n")
    assert line.startswith(PREFIX), line
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    return line


def ok(result: Result) -> str:
    """The stdout of a run that must succeed quietly."""
    assert_no_traceback(result)
    assert result.exit_code == 0, result.stderr
    # Issue 9 #12 and 16 #6: those warn, on purpose.
    assert without_no_phone(without_study_dates(result.stderr)) == ""
    return result.stdout


def unfold(ics: str) -> str:
    """An iCalendar text with folded lines joined (RFC 5545 3.1) and LF line ends.

    CliRunner's `stdout` has CRLF turned into LF already, so a fold there is LF + space.
    """
    return re.sub(r"\r?\n[ \t]", "", ics).replace("\r\n", "\n")


# --- arms, help, entry points --------------------------------------------------------------------


def _arms_listed(run: Run) -> tuple[list[str], dict[str, tuple[str, int]]]:
    """`mil62sched arms`: its heading and one line per arm (a long title goes on on lines of
    its own, joined here), and name -> (masking, infusions) per arm."""
    lines: list[str] = []
    for line in ok(run("arms")).splitlines():
        if line.startswith("   "):  # the title of the arm above, going on
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    assert "MIL62-CT303" in lines[0]
    assert "NCT05314010" in lines[0]
    listed = {line.split()[0]: (line.split()[1], int(line.split()[2])) for line in lines[1:]}
    aliased = [line for line in lines[1:] if "alias" in line]
    assert len(aliased) == 1
    assert aliased[0].split()[0] == "phase3-olp"
    assert f"alias: {ALIAS}" in aliased[0]
    return lines, listed


def test_arms_lists_all_eleven_with_masking_count_and_alias(run: Run) -> None:
    lines, listed = _arms_listed(run)
    assert len(lines) == 1 + len(ARMS)  # one line per arm, journeys included
    assert listed == ARMS
    assert [line.split()[0] for line in lines[1:]] == list(ARMS)


SAKURASTAR = "examples/protocols/satralizumab-sakurastar.toml"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("protocol_file", [None, SAKURASTAR], ids=["builtin", "sakurastar"])
def test_arms_columns_line_up_within_80_columns(
    run: Run, protocol_file: str | None, lang: str
) -> None:
    """`arms` (issue 16 #11): SAkuraStar's `sakurastar-db-satralizumab` (26 letters) pushed its
    masking and count out of their columns. Every arm's masking, count and title start in the
    same terminal column, whatever the names' length and the language; a title too long for 80
    columns goes on under itself; no line is wider than 80 columns."""
    from mil62sched.i18n import cells

    given = [] if protocol_file is None else ["--protocol", protocol_file]
    lines = ok(run("arms", *given, "--lang", lang)).splitlines()[1:]
    rows = [line for line in lines if re.match(r"  \S", line)]
    assert len(rows) == (len(ARMS) if protocol_file is None else 3)
    # The columns where masking starts, where the count (right-aligned) ends, where the title
    # starts: one set for all arms.
    columns = set()
    for row in rows:
        fields = re.fullmatch(r"  \S+ +(\S+) +(\d+) (?:infusions|次输注) +(\S.*)", row)
        assert fields is not None, row
        columns.add(
            (
                cells(row[: fields.start(1)]),
                cells(row[: fields.end(2)]),
                cells(row[: fields.start(3)]),
            )
        )
    assert len(columns) == 1, (columns, rows)
    title = max(columns)[-1]
    assert max(cells(line) for line in lines) <= 80, lines
    for line in lines:  # a title's next lines begin in its column
        if not re.match(r"  \S", line):
            assert len(line) - len(line.lstrip(" ")) == title, (line, lines)


def test_alias_gives_the_same_plan_as_the_registry_name(run: Run) -> None:
    for fmt in ("table", "csv", "json", "md"):
        by_alias = ok(run(*plan("--format", fmt, arm=ALIAS)))
        assert by_alias == ok(run(*plan("--format", fmt, arm="phase3-olp")))
        assert ALIAS not in by_alias  # outputs use the registry's name only


def test_arm_names_are_case_insensitive(run: Run) -> None:
    upper = ok(run(*plan("--format", "csv", arm="PHASE3-RCP")))
    assert upper == ok(run(*plan("--format", "csv", arm="phase3-rcp")))


def _commands() -> list[str]:
    """The commands the app registers, in registration order."""
    import typer

    from mil62sched.cli import app

    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return list(group.commands)


def test_help_exits_0_and_names_every_command(run: Run) -> None:
    text = ok(run("--help"))
    assert "Usage: mil62sched" in text
    assert {"plan", "day", "arms"} <= set(_commands())
    for command in _commands():
        assert re.search(rf"^\W*{command}\s", text, re.MULTILINE), command


@pytest.mark.parametrize("command", ["plan", "roster", "agenda"])
def test_today_help_names_its_three_uses(run: Run, command: str) -> None:
    """--today bounds the actual dates, makes a closed window overdue and places the next-visit
    mark (issue 16 #11): its help says all three."""
    text = " ".join(re.sub(r"[│╭╮╰╯─]", " ", ok(run(command, "--help"))).split())
    found = re.search(r"--today <str> (.*?) --", text)
    assert found is not None, text
    said = found[1]
    for use in ("actual dates", "overdue", "next visit"):
        assert use in said, (use, said)


def _every_command_path() -> list[list[str]]:
    """The app, each command, and each command of a group (`protocol validate` ...)."""
    import typer

    from mil62sched.cli import app

    top = typer.main.get_command(app)
    assert isinstance(top, typer.core.TyperGroup)
    paths: list[list[str]] = [[]]
    for name, command in top.commands.items():
        paths.append([name])
        if isinstance(command, typer.core.TyperGroup):
            paths += [[name, sub] for sub in command.commands]
    return paths


_HELP_AT_80 = """
import json, sys
from typer.testing import CliRunner
from mil62sched.cli import app
paths = json.loads(sys.argv[1])
said = [CliRunner().invoke(app, [*path, "--help"], prog_name="mil62sched") for path in paths]
print(json.dumps([[result.exit_code, result.output] for result in said]))
"""


@functools.cache
def _help_at_80_columns() -> dict[str, tuple[int, str]]:
    """Every command path's `--help` at 80 columns, from one process of its own: typer reads
    the terminal width once, at import."""
    paths = _every_command_path()
    result = subprocess.run(
        [sys.executable, "-c", _HELP_AT_80, json.dumps(paths)],
        env={**os.environ, "COLUMNS": "80", "TERMINAL_WIDTH": "80"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    said = json.loads(result.stdout)
    return {" ".join(path): (code, text) for path, (code, text) in zip(paths, said, strict=True)}


@pytest.mark.parametrize("path", _every_command_path(), ids=" ".join)
def test_help_reads_naturally_at_80_columns(path: list[str]) -> None:
    """`--help` at 80 columns (issue 16 #11): a flag shows no `<bool>` (it takes no value), a
    repeatable option no Python `<list[str]>`, and an argument is named in capitals as the
    usage blocks of docs/reference/cli.md name it (ROSTER, not `{roster_file}`); no line is
    wider than the terminal."""
    code, text = _help_at_80_columns()[" ".join(path)]
    assert code == 0, text
    assert "<bool>" not in text
    assert "list[" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    words = usage.split("Usage: mil62sched")[1].split()
    assert words[: len(path)] == path
    given = [word for word in words[len(path) :] if word != "[OPTIONS]"]
    for word in given:  # COMMAND [ARGS]..., OLD NEW ROSTER, [CANDIDATES]
        assert re.fullmatch(r"\[?[A-Z][A-Z_|]*\]?(\.\.\.)?", word), usage
    named = [word.strip("[].") for word in given if word not in ("COMMAND", "[ARGS]...")]
    panel = text.partition("─ Arguments ─")[2].partition("╰")[0]
    assert re.findall(r"^│ [* ]\s+(\S+)\s+<\w+>", panel, re.MULTILINE) == named, panel


@pytest.mark.parametrize("path", [[], ["protocol"]], ids=["mil62sched", "protocol"])
def test_command_list_wraps_only_at_the_edge(path: list[str]) -> None:
    """A command's line in the list of commands wraps where the terminal ends, not where its
    docstring's source line did (`sdtm`: "... (CSV, Dataset-JSON 1.1) and" / "their
    define.xml"): a continuation's first word would not have fitted on the line before."""
    code, text = _help_at_80_columns()[" ".join(path)]
    assert code == 0, text
    rows = text.partition("─ Commands ─")[2].partition("╰")[0].splitlines()[1:]
    start = re.match(r"│ \S+\s+", rows[0])
    assert start is not None, rows
    column = start.end()
    room = rows[0].rindex("│") - 1 - column
    for line, after in itertools.pairwise(rows):
        said, more = line[column:-1].rstrip(), after[column:-1].split()
        if after[2:column].strip() or not more:  # the next command's own line
            continue
        assert len(said) + 1 + len(more[0]) > room, (line, after)


def test_no_arguments_prints_help_and_exits_0(run: Run) -> None:
    assert "Usage: mil62sched" in ok(run())


def test_plan_help_exits_0_and_names_every_option(run: Run) -> None:
    text = ok(run("plan", "--help"))
    assert "Usage: mil62sched plan" in text
    for option in (
        "--arm",
        "--start",
        "--participant",
        "--escalate-at",
        "--olp-start",
        "--window",
        "--country",
        "--no-holidays",
        "--holidays",
        "--adjust",
        "--actual",
        "--missed",
        "--anchor",
        "--today",
        "--time",
        "--tz",
        "--duration",
        "--remind",
        "--format",
        "--output",
        "-o",
        "--force",
    ):
        assert re.search(rf"(?<![\w-]){option}(?![\w-])", text), option
    assert "YYYY-MM-DD" in text


def _subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


def test_python_dash_m_runs_arms() -> None:
    done = _subprocess(sys.executable, "-m", "mil62sched", "arms")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    for arm in ARMS:
        assert re.search(rf"^\s+{re.escape(arm)}\s", done.stdout, re.MULTILINE), arm


def test_python_dash_m_usage_error_is_one_line_without_traceback() -> None:
    done = _subprocess(sys.executable, "-m", "mil62sched", *plan(arm="phase3-xyz"))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(PREFIX + "unknown arm 'phase3-xyz'")


def test_console_script_is_installed_on_path() -> None:
    # Beside this Python first (a venv not activated), then on PATH; missing is a failure.
    script = shutil.which("mil62sched", path=str(Path(sys.executable).parent)) or shutil.which(
        "mil62sched"
    )
    assert script is not None, "console script 'mil62sched' is not installed: pip install ."
    done = _subprocess(script, "arms")
    assert done.returncode == 0, done.stderr
    assert "phase3-olp-from-placebo" in done.stdout


# --- bad input: every usage error exits 2 with one line -----------------------------------------


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [
        ("phase1b-50", "phase1b-500"),
        ("phase3-rcp-placeb", "phase3-rcp-placebo"),
        ("phase3-olp-from-mil26", "phase3-olp-from-mil62"),
    ],
)
def test_unknown_arm_suggests_the_closest_and_lists_all(
    run: Run, typed: str, suggestion: str
) -> None:
    line = assert_error(run(*plan(arm=typed)), 2)
    # One line: the value, the closest name, and every accepted name (journeys too).
    assert line == (
        f"{PREFIX}unknown arm '{typed}': did you mean '{suggestion}'? accepted: {ACCEPTED_ARMS}"
    )


def test_unknown_arm_far_from_every_name_still_lists_all(run: Run) -> None:
    line = assert_error(run(*plan(arm="zzzzzz")), 2)
    assert line == f"{PREFIX}unknown arm 'zzzzzz': accepted: {ACCEPTED_ARMS}"


def test_journey_typo_suggests_the_journey(run: Run) -> None:
    line = assert_error(run(*plan(arm="phase3-placbo")), 2, "unknown arm 'phase3-placbo'")
    assert "did you mean 'phase3-placebo'?" in line


@pytest.mark.parametrize(
    ("typed", "extra"),
    [
        ("01/02/2024", "ambiguous"),  # 1 February or 2 January?
        ("02.01.2024", "ambiguous"),
        ("2024-02-30", "no such day"),  # February has 29 days in 2024
        ("2023-02-29", "no such day"),  # 2023 is not a leap year
        ("2024-13-01", "no such day"),  # there is no month 13
        ("tomorrow", "YYYY-MM-DD"),
        ("2024-1-1", "YYYY-MM-DD"),
        ("20240101", "YYYY-MM-DD"),
        ("10000-01-01", "YYYY-MM-DD"),  # five-digit year: past 9999
        ("", "YYYY-MM-DD"),
    ],
)
def test_bad_start_date_is_refused(run: Run, typed: str, extra: str) -> None:
    assert_error(run(*plan(start=typed)), 2, f"--start date '{typed}'", "YYYY-MM-DD", extra)


def test_leap_day_is_a_valid_start(run: Run) -> None:
    rows = list(csv.DictReader(io.StringIO(ok(run(*plan("--format", "csv", start="2024-02-29"))))))
    assert rows[0]["date"] == "2024-02-29"


@pytest.mark.parametrize(
    ("arm", "start", "last"),
    [
        # W27D1 = study day 183 = start + 182 days; 9999-07-02 + 182 = 9999-12-31 (day 183 of a
        # common year is 2 July: 31+28+31+30+31+30 = 181 days before July). The last visit must
        # fall by 9999-12-30 (its event ends the next day), so 9999-07-02 is the first refused.
        ("phase3-rcp", "9999-07-02", "W27D1"),
        # W209D1 = study day 1457 = start + 1456 days; 9995-12-31 + 1461 (9996 is leap) is
        # 9999-12-31, so the last start is 9996-01-04 and 9996-01-05 is the first refused.
        ("phase1b-500", "9996-01-05", "W209D1"),
        ("phase3-olp", "9999-12-31", "W131D1"),
    ],
)
def test_start_whose_last_visit_passes_9999_is_refused(
    run: Run, arm: str, start: str, last: str
) -> None:
    assert_error(run(*plan(arm=arm, start=start)), 2, start, last, "9999-12-31")


@pytest.mark.parametrize(
    ("arm", "start"), [("phase3-rcp", "9999-07-01"), ("phase1b-500", "9996-01-04")]
)
def test_latest_possible_start_ends_on_9999_12_30(run: Run, arm: str, start: str) -> None:
    # The last visit may fall no later than 9999-12-30: its calendar event ends the day after.
    rows = list(
        csv.DictReader(io.StringIO(ok(run(*plan("--format", "csv", arm=arm, start=start)))))
    )
    assert rows[-1]["date"] == "9999-12-30"


def test_missing_start_is_a_usage_error(run: Run) -> None:
    assert_error(run("plan", "--arm", "phase3-rcp"), 2, "missing option '--start'", "YYYY-MM-DD")


def test_missing_arm_is_a_usage_error(run: Run) -> None:
    line = assert_error(run("plan", "--start", "2024-01-01"), 2)
    assert line == f"{PREFIX}missing option '--arm': one of {ACCEPTED_ARMS}"


@pytest.mark.parametrize(
    ("args", "accepted"),
    [
        (("plan", "--arm", "phase3-rcp"), "YYYY-MM-DD"),
        (("plan", "--start", "2024-01-01"), "phase3-rcp"),
    ],
)
def test_missing_option_message_says_what_is_accepted(
    run: Run, args: tuple[str, ...], accepted: str
) -> None:
    assert_error(run(*args), 2, accepted)


@pytest.mark.parametrize("fmt", ["xml", "txt", "ical", ""])
def test_unknown_format_lists_the_formats(run: Run, fmt: str) -> None:
    line = assert_error(run(*plan("--format", fmt)), 2)
    # The registry's order: the text formats, then the workbook, the card and its PDF.
    accepted = "table, csv, json, md, ics, calendar, xlsx, html, pdf"
    assert line == f"{PREFIX}unknown format '{fmt}': accepted: {accepted}"


@pytest.mark.parametrize("code", ["W0D1", "W1D8", "abc", "W25", "25"])
def test_malformed_escalation_visit_code_is_refused(run: Run, code: str) -> None:
    assert_error(
        run(*plan("--escalate-at", code, arm="phase1b-500")), 2, f"'{code}'", "WnDm", "1 to 7"
    )


@pytest.mark.parametrize("code", ["W1D1", "W3D1", "W26D1", "W210D1"])
def test_escalation_only_from_a_visit_at_or_after_w25d1(run: Run, code: str) -> None:
    # Registry: "may be escalated to the 1000 mg dose starting from W25D1" -> the Phase 1b visits
    # from W25D1 on; W26D1 and W210D1 are not visits at all.
    line = assert_error(run(*plan("--escalate-at", code, arm="phase1b-500")), 2, code)
    allowed = line.split("from one of ", 1)[1].split(", ")
    assert allowed == [
        "W25D1",
        "W27D1",
        "W53D1",
        "W79D1",
        "W105D1",
        "W131D1",
        "W157D1",
        "W183D1",
        "W209D1",
    ]


def test_escalation_from_w25d1_gives_1000_mg_from_w25d1(run: Run) -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(
                ok(run(*plan("--escalate-at", "w25d1", "--format", "csv", arm="phase1b-500")))
            )
        )
    )
    doses = [(row["code"], row["dose_mg"]) for row in rows]
    assert doses[:2] == [("W1D1", "500"), ("W3D1", "500")]
    assert all(dose == "1000" for _, dose in doses[2:])
    assert len(doses) == 11


@pytest.mark.parametrize(
    "arm",
    ["phase3-rcp", "phase3-olp", "phase1b-1000", "phase3-rcp-mil62", "phase3", "phase3-mil62"],
)
def test_escalation_on_an_arm_without_one_is_refused(run: Run, arm: str) -> None:
    line = assert_error(run(*plan("--escalate-at", "W25D1", arm=arm)), 2)
    assert line == f"{PREFIX}--escalate-at does not apply to {arm}: only phase1b-500 may escalate"


def test_escalation_refusal_names_the_arm_that_accepts_it(run: Run) -> None:
    assert_error(run(*plan("--escalate-at", "W25D1", arm="phase3-rcp")), 2, "phase1b-500")


@pytest.mark.parametrize("participant", ["a/b", "P" * 65, "x y", "..", ".", "", "P001;x", "Pé"])
def test_bad_participant_id_is_refused(run: Run, participant: str) -> None:
    assert_error(
        run(*plan("--participant", participant)),
        2,
        f"participant ID '{participant}'",
        "1-64 letters, digits, '-', '_' or '.'",
    )


@pytest.mark.parametrize("participant", ["P" * 64, "CT303-0042", "a.b_c-1"])
def test_good_participant_id_is_accepted(run: Run, participant: str) -> None:
    rows = list(
        csv.DictReader(io.StringIO(ok(run(*plan("--participant", participant, "--format", "csv")))))
    )
    assert {row["participant"] for row in rows} == {participant}


def test_unknown_command_is_a_usage_error(run: Run) -> None:
    assert_error(run("frobnicate"), 2, "no such command 'frobnicate'")


def test_unknown_command_lists_the_commands(run: Run) -> None:
    line = assert_error(run("frobnicate"), 2)
    assert line == f"{PREFIX}no such command 'frobnicate': commands are {', '.join(_commands())}"


def test_unknown_option_is_a_usage_error(run: Run) -> None:
    assert_error(run(*plan("--bogus")), 2, "--bogus")


@pytest.mark.parametrize("name", ["plan.xyz", "plan", "plan.ical", "plan.csv.bak"])
def test_output_with_unknown_extension_is_refused(run: Run, tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    assert_error(
        run(*plan("-o", str(target))),
        2,
        repr(str(target)),
        ".txt, .csv, .json, .md, .ics",
        "--format",
    )
    assert list(tmp_path.iterdir()) == []


# --- writing files --------------------------------------------------------------------------------


def _stdout_bytes(run: Run, fmt: str, *extra: str) -> bytes:
    result = run(*plan("--format", fmt, *extra))
    ok(result)
    return result.stdout_bytes


def _same_plan(fmt: str, written: bytes, printed: bytes) -> bool:
    if fmt == "ics":
        return normalise_dtstamp(written.decode()) == normalise_dtstamp(printed.decode())
    return written == printed


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("p.ics", "ics"),
        ("p.csv", "csv"),
        ("p.json", "json"),
        ("p.md", "md"),
        ("p.txt", "table"),
        ("p.table.txt", "table"),
        ("P.CSV", "csv"),
    ],
)
def test_output_file_format_is_inferred_from_extension(
    run: Run, tmp_path: Path, name: str, fmt: str
) -> None:
    target = tmp_path / name
    assert ok(run(*plan("--participant", "P001", "-o", str(target)))) == ""
    written = target.read_bytes()
    assert _same_plan(fmt, written, _stdout_bytes(run, fmt, "--participant", "P001"))
    if fmt == "ics":
        assert written.startswith(b"BEGIN:VCALENDAR\r\n")
        assert written.count(b"\n") == written.count(b"\r\n")
    assert [path.name for path in tmp_path.iterdir()] == [name]  # no temporary file left


@pytest.mark.parametrize(("name", "fmt"), [("p.txt", "json"), ("p.csv", "ics"), ("p.ics", "md")])
def test_format_option_overrides_the_extension(
    run: Run, tmp_path: Path, name: str, fmt: str
) -> None:
    target = tmp_path / name
    ok(run(*plan("--format", fmt, "-o", str(target))))
    assert _same_plan(fmt, target.read_bytes(), _stdout_bytes(run, fmt))


def test_existing_file_is_not_overwritten_without_force(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "plan.csv"
    target.write_bytes(b"keep me\r\n")
    assert_error(run(*plan("-o", str(target))), 1, repr(str(target)), "--force")
    assert target.read_bytes() == b"keep me\r\n"
    assert list(tmp_path.iterdir()) == [target]


def test_force_overwrites_an_existing_file(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "plan.csv"
    target.write_bytes(b"old\n")
    assert ok(run(*plan("--force", "-o", str(target)))) == ""
    assert target.read_bytes() == _stdout_bytes(run, "csv")
    assert list(tmp_path.iterdir()) == [target]


def test_missing_folder_is_refused_and_not_created(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "plan.csv"
    assert_error(run(*plan("-o", str(target))), 1, repr(str(target)), "does not exist")
    assert list(tmp_path.iterdir()) == []


def test_output_that_is_a_folder_is_refused(run: Run, tmp_path: Path) -> None:
    # A usage mistake (exit 2), as without --format.
    assert_error(run(*plan("--format", "csv", "-o", str(tmp_path))), 2, repr(str(tmp_path)))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("existing", [True, False])
def test_failed_rename_leaves_no_temporary_and_the_target_unchanged(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    target = tmp_path / "plan.ics"
    if existing:
        target.write_bytes(b"old calendar\r\n")
    seen: list[str] = []

    def failing_replace(source: Any, destination: Any) -> None:
        seen.extend(path.name for path in tmp_path.iterdir())
        raise OSError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(os, "replace", failing_replace)
    assert_error(
        run(*plan("--force", "-o", str(target))), 1, repr(str(target)), os.strerror(errno.EACCES)
    )
    # The temporary file existed, complete, next to the target when the rename failed ...
    assert any(name.startswith(".plan.ics.") for name in seen), seen
    # ... and is gone now; the target is as it was.
    assert list(tmp_path.iterdir()) == ([target] if existing else [])
    if existing:
        assert target.read_bytes() == b"old calendar\r\n"


class _DiskFullHalfway:
    """A text stream that writes half of what it is given, then fails as a full disk does."""

    def __init__(self, stream: io.TextIOWrapper, folder: Path) -> None:
        self.stream = stream
        self.folder = folder
        self.partial: dict[str, int] = {}

    def __enter__(self) -> _DiskFullHalfway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()

    def write(self, text: str) -> int:
        self.stream.write(text[: len(text) // 2])
        self.stream.flush()
        self.partial = {path.name: path.stat().st_size for path in self.folder.iterdir()}
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("existing", [True, False])
def test_failure_in_mid_write_leaves_no_partial_file(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    import mil62sched.outputs

    target = tmp_path / "plan.csv"
    if existing:
        target.write_bytes(b"old\n")
    streams: list[_DiskFullHalfway] = []

    real_fdopen = os.fdopen

    def opened(file: Any, *args: Any, **kwargs: Any) -> _DiskFullHalfway:
        streams.append(_DiskFullHalfway(open(file, *args, **kwargs), tmp_path))  # noqa: SIM115
        return streams[-1]

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> _DiskFullHalfway:
        streams.append(_DiskFullHalfway(real_fdopen(fd, *args, **kwargs), tmp_path))
        return streams[-1]

    # The writer opens its temporary file with open() or os.fdopen(): both fail halfway. Only the
    # output module's own open() is replaced, so reading the protocol and holidays still works.
    monkeypatch.setattr(mil62sched.outputs, "open", opened, raising=False)
    monkeypatch.setattr(os, "fdopen", fdopen)
    assert_error(
        run(*plan("--force", "-o", str(target))), 1, repr(str(target)), os.strerror(errno.ENOSPC)
    )
    # Half a file had been written to a temporary beside the target when the disk "filled" ...
    partial = {n: size for n, size in streams[0].partial.items() if n.startswith(".plan.csv.")}
    assert len(partial) == 1
    assert next(iter(partial.values())) > 0
    # ... and it is gone; the target was never touched.
    assert list(tmp_path.iterdir()) == ([target] if existing else [])
    if existing:
        assert target.read_bytes() == b"old\n"


def test_interrupt_during_write_leaves_no_temporary(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.md"
    target.write_bytes(b"old\n")

    def interrupted(source: Any, destination: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    result = run(*plan("--force", "-o", str(target)))
    assert_no_traceback(result)
    assert result.exit_code == 130  # 128 + SIGINT, the shell's convention for Ctrl-C
    assert list(tmp_path.iterdir()) == [target]
    assert target.read_bytes() == b"old\n"


def _broken_csv(monkeypatch: pytest.MonkeyPatch) -> None:
    """The csv format fails as a defect would (not a user mistake)."""
    import mil62sched.formats.csv_rows as csv_exporter

    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("exporter failed")

    from mil62sched import formats

    broken_csv = csv_exporter.FORMAT._replace(render=broken)
    every = tuple(broken_csv if f.name == "csv" else f for f in formats.all_formats())
    monkeypatch.setattr(formats, "all_formats", lambda: every)


def test_exporter_failure_writes_nothing(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_csv(monkeypatch)
    target = tmp_path / "plan.csv"
    target.write_bytes(b"old\n")
    result = run(*plan("--force", "-o", str(target)))
    # issue 17 #3: a program bug, not a user mistake: one line naming it, no traceback.
    assert error_line(result, 1) == (
        "internal error: RuntimeError: exporter failed (run again with --debug for the traceback)"
    )
    assert list(tmp_path.iterdir()) == [target]
    assert target.read_bytes() == b"old\n"


@pytest.mark.parametrize("switch", ["option", "environment"])
def test_debug_shows_the_traceback_of_an_unexpected_error(
    run: Run, monkeypatch: pytest.MonkeyPatch, switch: str
) -> None:
    _broken_csv(monkeypatch)
    if switch == "environment":
        monkeypatch.setenv("MIL62SCHED_DEBUG", "1")
        result = run(*plan("--format", "csv"))
    else:
        result = run("--debug", *plan("--format", "csv"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Traceback (most recent call last):\n"), result.stderr
    assert "RuntimeError: exporter failed\n" in result.stderr
    assert result.stderr.endswith(
        "\nmil62sched: error: internal error: RuntimeError: exporter failed\n"
    )


def test_an_unexpected_error_is_said_in_the_run_s_language(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_csv(monkeypatch)
    result = run(*plan("--format", "csv", "--lang", "zh"))
    assert error_line(result, 1) == (
        "内部错误：RuntimeError: exporter failed（加 --debug 重新运行可查看回溯信息）"
    )


def test_debug_does_not_touch_a_user_mistake(run: Run) -> None:
    """A user mistake is one line with or without --debug: a traceback is for defects."""
    assert error_line(run("--debug", *plan(arm="phase9"))).startswith("unknown arm 'phase9'")


# --- blinding ------------------------------------------------------------------------------------


def _unblinded_is_loud(fmt: str, text: str) -> None:
    if fmt in ("table", "calendar"):
        assert text.lstrip().startswith("UNBLINDED")  # a banner above everything else
    elif fmt == "md":
        assert re.search(r"^> \*\*UNBLINDED\b", text, re.MULTILINE)
    elif fmt == "json":
        document = json.loads(text)
        assert document["masking"] == "unblinded"
        assert document["blinded"] is False
        assert document["notice"].startswith("UNBLINDED")
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows
        assert {row["masking"] for row in rows} == {"unblinded"}
    elif fmt == "html":
        assert "<title>UNBLINDED " in text  # in the window's and the tab's title
        body = text[text.index("<body>") :]
        first_text = re.sub(r"<[^>]+>", " ", body).split()
        assert first_text[0] == "UNBLINDED:"  # a banner above everything else on the card
    else:
        lines = unfold(text).splitlines()
        names = [line for line in lines if line.startswith(("NAME:", "X-WR-CALNAME:"))]
        assert len(names) == 2
        assert all(line.split(":", 1)[1].startswith("UNBLINDED ") for line in names)
        summaries = [line for line in lines if line.startswith("SUMMARY:")]
        assert summaries
        assert all(line.startswith("SUMMARY:UNBLINDED ") for line in summaries)


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("arm", UNBLINDED_ARMS)
def test_unblinded_output_says_so_loudly(run: Run, arm: str, fmt: str) -> None:
    _unblinded_is_loud(fmt, ok(run(*plan("--participant", "P001", "--format", fmt, arm=arm))))


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("arm", [*BLINDED_ARMS, "phase1b-500", "phase1b-1000"])
def test_other_outputs_do_not_claim_to_be_unblinded(run: Run, arm: str, fmt: str) -> None:
    text = ok(run(*plan("--participant", "P001", "--format", fmt, arm=arm)))
    assert "unblinded" not in text.lower()


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("arm", BLINDED_ARMS)
def test_blinded_output_reveals_no_assignment(run: Run, arm: str, fmt: str) -> None:
    text = ok(run(*plan("--participant", "P001", "--format", fmt, arm=arm)))
    if fmt == "ics":
        text = unfold(text)
    # The blinded infusion is shown (so this test looks at the right thing; the month view shows
    # visit codes, not infusions) ...
    if fmt != "calendar":
        assert BLINDED_INFUSION in text
    # ... and no placebo is named except inside "MIL62 1000 mg or matching placebo".
    assert "placebo" not in text.replace(BLINDED_INFUSION, "").lower()
    assert not re.search(r"(?<![\d.])0 ?mg", text)  # no "0 mg" ("1000 mg" is fine)
    if fmt == "csv":
        assert {row["dose_mg"] for row in csv.DictReader(io.StringIO(text))} <= {"1000", ""}
    if fmt == "json":
        assert {visit["dose_mg"] for visit in json.loads(text)["visits"]} <= {1000, None}


_UID = re.compile(r"^UID:.*$", re.MULTILINE)


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("arm", BLINDED_ARMS)
def test_blinded_output_is_the_same_for_every_participant(run: Run, arm: str, fmt: str) -> None:
    first = ok(run(*plan("--participant", "P001", "--format", fmt, arm=arm)))
    second = ok(run(*plan("--participant", "P002", "--format", fmt, arm=arm)))
    assert "P001" in first
    if fmt == "ics":
        # Compared unfolded: a longer description can fold a line in the middle of "P001".
        first, second = (unfold(normalise_dtstamp(t)) for t in (first, second))
        # UIDs differ per participant on purpose (so calendars never collide); nothing else may.
        first_uids = set(_UID.findall(first))
        assert len(first_uids) == first.count("BEGIN:VEVENT") > 0
        assert first_uids.isdisjoint(_UID.findall(second))
        first, second = (_UID.sub("UID:-", t) for t in (first, second))
    assert first.replace("P001", "P002") == second


# Registry: RCP "MIL62 1000 mg or placebo matched to MIL62 on W1D1, W3D1, W25D1, and W27D1"; OLP
# after MIL62: "MIL62 1000 mg on W1D1, W27D1, ... along with matching placebo on W3D1"; OLP after
# placebo: "MIL62 1000 mg on W1D1, W3D1, W27D1, ...". So, visit by visit (RCP x 4, then OLP x 7):
JOURNEY_INFUSIONS = {
    "phase3": [BLINDED_INFUSION] * 4 + ["MIL62 1000 mg", BLINDED_INFUSION] + ["MIL62 1000 mg"] * 5,
    "phase3-mil62": ["MIL62 1000 mg"] * 4
    + ["MIL62 1000 mg", "Matching placebo"]
    + ["MIL62 1000 mg"] * 5,
    "phase3-placebo": ["Matching placebo"] * 4 + ["MIL62 1000 mg"] * 7,
}


@pytest.mark.parametrize("arm", sorted(JOURNEY_INFUSIONS))
def test_journey_infusions_follow_the_registry_and_the_blind(run: Run, arm: str) -> None:
    """Each journey infuses what the registry says; the blinded one hides exactly the visits where
    the two arms differ, on the same days as the arms' journeys."""
    document = json.loads(ok(run(*plan("--participant", "P001", "--format", "json", arm=arm))))
    visits = document["visits"]
    assert [v["treatment"] for v in visits] == JOURNEY_INFUSIONS[arm]
    assert [v["period"] for v in visits] == ["RCP"] * 4 + ["OLP"] * 7
    blinded = json.loads(ok(run(*plan("--participant", "P001", "--format", "json", arm="phase3"))))
    assert [(v["period"], v["code"], v["date"]) for v in visits] == [
        (v["period"], v["code"], v["date"]) for v in blinded["visits"]
    ]
    assert document["periods"] == blinded["periods"]


# --- journeys: messages about the OLP start ------------------------------------------------------


def test_olp_start_before_the_rcp_start_is_refused(run: Run) -> None:
    line = assert_error(run(*plan("--olp-start", "2023-12-01", arm="phase3")), 2)
    assert line == f"{PREFIX}OLP start 2023-12-01 must be after the RCP start 2024-01-01"


def test_olp_start_on_the_rcp_start_is_refused(run: Run) -> None:
    line = assert_error(run(*plan("--olp-start", "2024-01-01", arm="phase3")), 2)
    assert line == f"{PREFIX}OLP start 2024-01-01 must be after the RCP start 2024-01-01"


def test_malformed_olp_start_is_refused(run: Run) -> None:
    line = assert_error(run(*plan("--olp-start", "2024-13-01", arm="phase3")), 2)
    assert line == (
        f"{PREFIX}invalid --olp-start date '2024-13-01': no such day; use ISO 8601 YYYY-MM-DD, "
        "e.g. 2024-01-31"
    )


# These four were unclear when first pinned (they named a schedule or a start date the user had
# not typed, or not the option); the package fixed them, so their exact text is asserted now.


def test_olp_start_on_a_single_period_arm_names_the_option(run: Run) -> None:
    line = assert_error(run(*plan("--olp-start", "2024-06-01", arm="phase3-rcp")), 2)
    assert line == (
        f"{PREFIX}--olp-start was given, but phase3-rcp has no later period OLP: its one period "
        "is RCP; a later period belongs to a journey (phase3, phase3-mil62, phase3-placebo)"
    )


def test_journey_start_too_late_for_the_assumed_olp_says_so(run: Run) -> None:
    # phase3 from 9999-12-31: the assumed OLP start (RCP W53D1, + 364 days) is past the calendar.
    line = assert_error(run(*plan(arm="phase3", start="9999-12-31")), 2)
    assert line == (
        f"{PREFIX}start date 9999-12-31 is too late: the OLP, assumed to start at RCP W53D1, "
        "would begin after 9999-12-31"
    )


def test_journey_whose_assumed_olp_runs_past_9999_names_the_olp_start(run: Run) -> None:
    # OLP start assumed at 9997-01-01 + 364 days = 9997-12-31 (9997 is a common year); OLP W131D1
    # = + 910 days = 9999-12-31 + 180 days (9998 and 9999 are common years), past the calendar.
    line = assert_error(run(*plan(arm="phase3", start="9997-01-01")), 2)
    assert line == (
        f"{PREFIX}start date 9997-01-01 (with the OLP start 9997-12-31 assumed) is too late: "
        "phase3-olp's last visit OLP W131D1 (study day 911) must fall before 9999-12-31"
    )


def test_olp_start_too_late_names_the_olp_start(run: Run) -> None:
    line = assert_error(
        run(*plan("--olp-start", "9999-01-01", arm="phase3", start="9996-01-01")), 2
    )
    assert line == (
        f"{PREFIX}OLP start 9999-01-01 is too late: phase3-olp's last visit OLP W131D1 "
        "(study day 911) must fall before 9999-12-31"
    )
