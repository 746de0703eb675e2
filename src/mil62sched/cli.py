"""The command line: parse options, call the engine, hand the plan to an exporter, write it.

No date arithmetic and no formatting here. Errors become one line on stderr, in one place
(`_Commands.main`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

# typer vendors click; its exception classes are not re-exported, so reach for them here, once.
from typer._click import exceptions as click_exceptions
from typer.core import TyperGroup

from mil62sched import engine, export, protocol
from mil62sched.codes import VisitCode
from mil62sched.errors import Mil62schedError
from mil62sched.inputs import check_participant, parse_date
from mil62sched.output import write_text

PROG = "mil62sched"


class _Commands(TyperGroup):
    """Runs a command and turns every user mistake into one line on stderr and an exit code."""

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click_exceptions.NoArgsIsHelpError:
            sys.exit(0)  # the help has been printed already
        except click_exceptions.UsageError as exc:
            _fail(_explain(exc), exc.exit_code)
        except click_exceptions.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except click_exceptions.Abort:
            _fail("aborted", 1)
        except Mil62schedError as exc:
            _fail(str(exc), exc.exit_code)
        if code == 130:  # typer turns Ctrl-C into exit status 130
            _fail("interrupted", 130)
        sys.exit(code if isinstance(code, int) else 0)


def _explain(exc: click_exceptions.UsageError) -> str:
    """click's message, with what is accepted, on one line."""
    message = exc.format_message().rstrip(".")
    message = message[:1].lower() + message[1:]
    ctx = exc.ctx
    where = ctx.command_path if ctx else PROG
    if isinstance(exc, click_exceptions.MissingParameter) and exc.param is not None:
        if exc.param.name == "arm":
            return f"{message}: one of {', '.join(protocol.load().arm_names())}"
        help_text = getattr(exc.param, "help", None)
        if help_text:
            return f"{message}: {help_text}"
    if message.startswith("no such command") and ctx is not None:
        names = getattr(ctx.command, "commands", {})
        return f"{message}: commands are {', '.join(names)}"
    return f"{message} (see '{where} --help')"


def _fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"{PROG}: error: {message}\n")
    sys.exit(code)


app = typer.Typer(
    cls=_Commands,
    name=PROG,
    help="Dosing-visit calendars for the MIL62-CT303 trial (NCT05314010).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def plan(
    arm: Annotated[str, typer.Option(help="The arm to plan; 'mil62sched arms' lists them.")],
    start: Annotated[str, typer.Option(help="W1D1, the first infusion, as YYYY-MM-DD.")],
    participant: Annotated[
        str | None, typer.Option(help="Participant ID: 1-64 letters, digits, '-', '_', '.'.")
    ] = None,
    escalate_at: Annotated[
        str | None,
        typer.Option(help="phase1b-500 only: give 1000 mg from this visit (W25D1 or later)."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"One of {', '.join(export.FORMATS)}; default from -o's extension, else table.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing output file.")] = False,
) -> None:
    """Print or write every infusion date of one participant."""
    chosen = export.format_for(fmt, output)
    the_plan = engine.plan(
        protocol.load(),
        arm,
        parse_date(start, "--start date"),
        participant=None if participant is None else check_participant(participant),
        escalate_at=None if escalate_at is None else VisitCode.parse(escalate_at),
    )
    styled = output is None and chosen == "table" and sys.stdout.isatty()
    text = export.exporter(chosen).render(the_plan, styled=styled)
    write_text(text, output, force=force)


@app.command()
def arms() -> None:
    """List the arms, which are blinded, and their aliases."""
    trial = protocol.load()
    typer.echo(f"{trial.id} ({trial.registry}) arms:")
    for schedule in trial.schedules.values():
        alias = f"; alias: {', '.join(schedule.aliases)}" if schedule.aliases else ""
        typer.echo(
            f"  {schedule.name:<24} {schedule.masking:<10} {len(schedule.visits):>2} infusions  "
            f"{schedule.title}{alias}"
        )


def main() -> None:
    """Console-script entry point."""
    app()
