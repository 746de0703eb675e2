"""The run's context (issue 17 #2, #3): one `Environment` per run, built from the process by the
command line or by a test, and its one writer of standard error (`Diagnostics`)."""

from __future__ import annotations

import io

import pytest
from typer.testing import CliRunner

from mil62sched.diagnostics import Diagnostics, Said, as_written
from mil62sched.environment import Environment
from mil62sched.errors import UsageError
from mil62sched.messages import Message, msg
from tests.conftest import Run


def quiet(**given: object) -> Environment:
    """An Environment over string streams, not terminals."""
    return Environment(stdout=io.StringIO(), stderr=io.StringIO(), **given)  # type: ignore[arg-type]


def said(env: Environment) -> str:
    stream = env.stderr
    assert isinstance(stream, io.StringIO)
    return stream.getvalue()


# --- Diagnostics ---------------------------------------------------------------------------------


def test_a_note_or_a_warning_is_said_once_a_run() -> None:
    # issue 16 #4: each note once per run, however often the reading or planning meets it.
    writer = Diagnostics(io.StringIO())
    for _ in range(3):
        writer.note("{file} read as {encoding} (not UTF-8)", file="r.csv", encoding="GB18030")
        writer.warning("the roster mixes blinded and unblinded arms")
    writer.note("same key, other text", key="k")
    writer.note("said already", key="k")
    assert writer.stream.getvalue() == (  # type: ignore[attr-defined]
        "mil62sched: note: r.csv read as GB18030 (not UTF-8)\n"
        "mil62sched: warning: the roster mixes blinded and unblinded arms\n"
        "mil62sched: note: same key, other text\n"
    )


def test_an_error_is_one_line_per_line_and_is_never_held_back() -> None:
    writer = Diagnostics(io.StringIO())
    writer.error("r.csv line 2: bad\n1 bad row(s)")
    writer.error("r.csv line 2: bad\n1 bad row(s)")  # errors are not de-duplicated
    lines = writer.stream.getvalue().splitlines()  # type: ignore[attr-defined]
    assert lines == ["mil62sched: error: r.csv line 2: bad", "mil62sched: error: 1 bad row(s)"] * 2


def test_everything_said_goes_through_the_one_render_function() -> None:
    seen: list[Said] = []

    def render(said: Said) -> str:
        seen.append(said)
        return "R:" + as_written(said)

    writer = Diagnostics(io.StringIO(), render)
    writer.warning("{option} ignored", option="--time")
    writer.note(msg("plain"))
    writer.error(UsageError(msg("unknown --lang"), value="xx"))
    assert writer.stream.getvalue() == (  # type: ignore[attr-defined]
        "mil62sched: warning: R:--time ignored\n"
        "mil62sched: note: R:plain\n"
        "mil62sched: error: R:unknown --lang 'xx'\n"
    )
    assert seen[:2] == [Message("{option} ignored", {"option": "--time"}), Message("plain")]


# --- Environment ---------------------------------------------------------------------------------


def test_the_language_is_the_environment_s_until_lang_chooses() -> None:
    env = quiet(lang="zh")
    env.choose_language(None)  # --lang not given: the environment's, and the card in both
    assert (env.lang, env.asked_lang) == ("zh", None)
    env.choose_language(" EN ")
    assert (env.lang, env.asked_lang) == ("en", "en")
    with pytest.raises(UsageError, match="unknown --lang 'fr'"):
        env.choose_language("fr")


def test_what_is_said_is_in_the_run_s_language() -> None:
    env = quiet(lang="zh")
    env.diagnostics.warning(
        "{option} applies to .ics calendars only; ignored for {format}",
        option="--time",
        format="csv",
    )
    assert said(env) == "mil62sched: warning: --time 只用于 .ics 日历；csv 格式忽略此选项\n"


def test_reading_choices_are_checked_and_passed_down() -> None:
    env = quiet()
    env.read_inputs(" GBK ", "Roster")
    reading = env.reading
    assert (reading.encoding, reading.sheet, reading.diagnostics) == (
        "gb18030",
        "Roster",
        env.diagnostics,
    )
    with pytest.raises(UsageError, match="invalid --encoding 'latin1'"):
        env.read_inputs("latin1", None)


def test_a_command_runs_in_the_environment_it_is_given() -> None:
    """A test builds its own Environment: the command writes to its streams, in its language,
    and nothing reaches the process's (CliRunner's) streams."""
    from mil62sched.cli import app

    env = quiet(lang="zh")
    result = CliRunner().invoke(
        app, ["day", "W25D1", "--start", "2024-01-01"], prog_name="mil62sched", obj=env
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert env.stdout.getvalue() == (  # type: ignore[attr-defined]
        "W25D1 第25周第1天 = 研究第169天 = 2024-06-17（周一），W1D1 为 2024-01-01\n"
    )
    refused = CliRunner().invoke(app, ["day", "W0D1", "--start", "2024-01-01"], obj=quiet())
    assert refused.exit_code == 2
    assert refused.stderr == ""  # said on the Environment's standard error, not the process's


def test_each_run_has_its_own_language(run: Run) -> None:
    """A run with --lang zh leaves nothing behind for the next run in the same process."""
    chinese = run("day", "W25D1", "--start", "2024-01-01", "--lang", "zh")
    english = run("day", "W25D1", "--start", "2024-01-01")
    assert "研究第169天" in chinese.stdout
    assert english.stdout == "W25D1 = study day 169 = 2024-06-17 (Monday), for W1D1 2024-01-01\n"
