"""The command line: the commands and their options, declared; each command's work is its
module in `commands/` (`commands/plan.py` ...), given the run's `Environment` and one options
object. Errors become one line on stderr, in one place (`_Commands.main`).

A command is declared by a function whose signature lists its own options and the option groups
it takes (`commands.options`), and whose docstring is its help; `declared` splices each group's
options in and builds the command's options object from what typer parsed.
"""

# No `from __future__ import annotations` here: typer would then compile and eval every option's
# annotation at each start; real annotation objects cost nothing (figures: benchmarks/README.md).
import dataclasses
import errno
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup

from mil62sched import protocol
from mil62sched.commands.options import (
    REPEATABLE,
    SITE_PANEL,
    AgendaOutput,
    AmendmentOptions,
    AmendOutput,
    CalendarOptions,
    CardOptions,
    Force,
    Lang,
    OutputOptions,
    ProtocolFile,
    RosterOutput,
    RosterRunOptions,
    ScreenOutput,
    SiteOptions,
    Start,
    WorkingDayOptions,
)
from mil62sched.environment import Environment
from mil62sched.errors import Mil62schedError, UsageError, os_problem
from mil62sched.i18n import N_
from mil62sched.messages import LITERAL, Listing, Localized, Message, Text, msg
from mil62sched.parse import FOLDER_FORM, check_path, parse_count

MOST_AGENDA_DAYS = 3660  # ten years

PROG = "mil62sched"


def _flags_take_no_value(params: list[Any]) -> list[Any]:
    """`params`, each flag's value placeholder in help made empty: typer shows `<bool>` beside
    a flag (`--force <bool>`), as if it took a value. An option's `metavar` is what help shows
    there (public API); typer's own flags (`--help`, `--install-completion`) get it here, the
    one place that sees every option of a command."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


class _Command(TyperCommand):
    """A command whose help reads as a coordinator reads it: flags without `<bool>`, and
    arguments named in its usage line as in its Arguments panel and docs/reference/cli.md
    (`ROSTER`, `[CANDIDATES]`), where typer writes `{roster_file}`."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The command's options and arguments, flags showing no value (`_flags_take_no_value`)."""
        return _flags_take_no_value(super().get_params(ctx))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """`[OPTIONS]` and each argument by its metavar (else its name in capitals), in brackets
        when it may be left out: click's usage line, which typer's arguments replace with their
        own (`{roster_file}`)."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = param.metavar or param.name.upper()
                name += "..." if param.nargs != 1 else ""
                pieces.append(name if param.required else f"[{name}]")
        return pieces


class _Group(TyperGroup):
    """A group of commands whose refusal of an unknown command is one of ours (a message)."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The group's options, flags showing no value (`_flags_take_no_value`)."""
        return _flags_take_no_value(super().get_params(ctx))

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """The command `args` names; an unknown one is refused naming the commands there are,
        and those it is close to."""
        import difflib

        name = args[0] if args else ""
        if (
            name
            and not ctx.resilient_parsing
            and not name.startswith("-")
            and self.get_command(ctx, name) is None
        ):
            names = list(self.commands)
            close = difflib.get_close_matches(name, names)
            accepted = msg(N_("commands are {names}"), names=names)
            if close:
                accepted = msg(
                    N_("did you mean {suggestion}? commands are {names}"),
                    suggestion=Listing([repr(found) for found in close], "or"),
                    names=names,
                )
            raise UsageError(msg(N_("no such command")), value=name, accepted=accepted)
        return super().resolve_command(ctx, args)


class _Commands(_Group):
    """Runs a command in its `Environment` and turns every error into one line on stderr and an
    exit code: the one place that does."""

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        # The run's context: the caller's (`main`, a test's), else the real process's.
        env = kwargs.get("obj") or Environment.of_process()
        kwargs.update(obj=env, standalone_mode=False)
        given = kwargs.get("args") or (args[0] if args else None) or sys.argv[1:]
        _early_language(env, [str(arg) for arg in given])
        try:
            code = super().main(*args, **kwargs)
            env.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
        except OSError as exc:
            # Files are written through `outputs`, which words its own errors: a bare write error
            # reaching here came from standard output (a full disk, a closed pipe).
            if exc.errno not in _OUTPUT_ERRNOS:
                _fail_unexpectedly(env, exc)
            _fail_stdout(env, exc)
        except typer.TyperException as exc:  # click's usage errors, through typer's public API
            _fail(env, _explain(exc, [str(arg) for arg in given]), exc.exit_code)
        except typer.Abort:
            _fail(env, msg(N_("aborted")), 1)
        except Mil62schedError as exc:
            if exc.field is not None:  # name the option the problem is about
                exc.named("--" + exc.field.replace("_", "-"))
            _fail(env, exc, exc.exit_code)
        except Exception as exc:  # a defect: one line, the traceback with --debug
            _fail_unexpectedly(env, exc)
        if code == 130:  # typer turns Ctrl-C into exit status 130
            _fail(env, msg(N_("interrupted")), 130)
        sys.exit(code if isinstance(code, int) else 0)


def _early_language(env: Environment, given: list[str]) -> None:
    """`--lang` as the command line gives it, before click parses it: click refuses an unknown
    option or a missing value before any option's callback runs, and that refusal is said in
    the language asked for too. A value that is not a language is left to `--lang` to refuse."""
    from mil62sched.i18n import LANGUAGES

    for index, arg in enumerate(given):
        if arg == "--":
            return
        value = None
        if arg == "--lang" and index + 1 < len(given):
            value = given[index + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        if value is not None and value.strip().lower() in LANGUAGES:
            env.lang = value.strip().lower()


def _explain(exc: typer.TyperException, given: list[str]) -> Message:
    """click's usage error said from its parts (the option, what it takes, the command), on one
    line; `_click_parts` reads them (`given`: the command line's arguments)."""
    kind, option, problem = _click_parts(exc, given)
    ctx = getattr(exc, "ctx", None)
    where = f"'{ctx.command_path if ctx else PROG} --help'"
    see = N_("{problem} (see {where})")
    if kind == "missing":
        param = getattr(exc, "param", None)
        said = msg(
            N_("missing argument {option}")
            if getattr(param, "param_type_name", "") == "argument"
            else N_("missing option {option}"),
            option=option,
        )
        if getattr(param, "name", None) == "arm":
            return msg(N_("{problem}: one of {names}"), problem=said, names=_arm_names(ctx))
        help_text = getattr(param, "help", None)
        if help_text:
            return msg(N_("{problem}: {help}"), problem=said, help=Localized(help_text))
        return msg(see, problem=said, where=where)
    if kind == "no such option":
        said = msg(N_("no such option: {option}"), option=option)
        possible = sorted(getattr(exc, "possibilities", None) or ())
        if possible:
            said = msg(N_("{problem} (Possible options: {names})"), problem=said, names=possible)
        return msg(see, problem=said, where=where)
    if kind == "takes no value":
        said = msg(N_("option {option!r} does not take a value"), option=option)
        return msg(see, problem=said, where=where)
    if kind == "needs a value":
        said = msg(N_("option {option!r} requires an argument"), option=option)
        return msg(see, problem=said, where=where)
    if kind == "invalid value":
        said = msg(N_("invalid value for {option}: {problem}"), option=option, problem=problem)
        return msg(see, problem=said, where=where)
    if exc.exit_code != 2:  # not a usage error: its words are all there is
        return msg(LITERAL, text=problem)
    return msg(see, problem=problem, where=where)


def _click_parts(exc: typer.TyperException, given: list[str]) -> tuple[str, str, Text]:
    """What kind of usage error click raised, the option it is about (as click hints it:
    `'--arm'`), and click's own words for it (English, and in another language a quote of
    them). Read from the exception's attributes and class, which typer keeps in a private
    module (`typer._click.exceptions`): this one function reads them, and a test fails when
    they change (tests/cli/test_cli.py)."""
    words = exc.format_message().rstrip(".")
    words = words[:1].lower() + words[1:]
    said = Localized(words, {"zh": msg(N_("the command line was refused ({said!r})"), said=words)})
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    if kind == "MissingParameter":
        return "missing", _error_hint(exc, param) if param is not None else "", said
    if kind == "NoSuchOption":
        return "no such option", str(getattr(exc, "option_name", "")), said
    if kind == "BadOptionUsage":
        # click refuses a value given to a flag (`--force=3`), or an option that ends the line
        # without its value.
        name = str(getattr(exc, "option_name", ""))
        flag = any(arg.startswith(f"{name}=") for arg in given)
        return ("takes no value" if flag else "needs a value"), name, said
    if kind == "BadParameter" and param is not None:
        problem = Localized(
            str(getattr(exc, "message", words)),
            {"zh": msg(N_("not accepted ({said!r})"), said=str(getattr(exc, "message", words)))},
        )
        return "invalid value", _error_hint(exc, param), problem
    return "other", "", said


def _error_hint(exc: typer.TyperException, param: Any) -> str:
    """click's hint for the parameter of a usage error (`'--arm'`): typer 0.29's parameters take
    no context for it, typer 0.28's (click's own signature) take the error's."""
    hint = param.get_error_hint
    if inspect.signature(hint).parameters:
        return str(hint(getattr(exc, "ctx", None)))
    return str(hint())


def _arm_names(ctx: Any) -> list[str]:
    """The arms of the protocol the command was given (--protocol), else of the built-in one."""
    given = ctx.params.get("protocol_file") if ctx is not None else None
    try:  # the option's text, or a Path, depending on how far typer got
        return protocol.load(None if given is None else Path(given)).arm_names()
    except Mil62schedError:  # that file's own problem is for another run to report
        return protocol.load().arm_names()


_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EPIPE, errno.EBADF, errno.EIO, errno.EDQUOT, errno.EFBIG}


def _fail_stdout(env: Environment, error: OSError) -> NoReturn:
    """One line for an output nobody can read; stdout then goes nowhere, so that the
    interpreter's last flush at exit has nothing to complain about."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, env.stdout.fileno())
    os.close(devnull)
    said = msg(N_("cannot write to standard output: {problem}"), problem=os_problem(error))
    _fail(env, said, 1)


INTERNAL_ERROR = N_("internal error: {error} (run again with --debug for the traceback)")
INTERNAL_ERROR_SHOWN = N_("internal error: {error}")


def _fail_unexpectedly(env: Environment, error: Exception) -> NoReturn:
    """An error no user mistake explains (a defect): one line naming it, and with --debug (or
    MIL62SCHED_DEBUG=1) its traceback before it; exit status 1."""
    named = f"{type(error).__name__}: {error}"
    if env.debug:
        env.diagnostics.traceback(error)
        env.diagnostics.error(INTERNAL_ERROR_SHOWN, error=named)
    else:
        env.diagnostics.error(INTERNAL_ERROR, error=named)
    sys.exit(1)


def _fail(env: Environment, message: Message | Mil62schedError, code: int) -> NoReturn:
    env.diagnostics.error(message)
    sys.exit(code)


app = typer.Typer(
    cls=_Commands,
    context_settings={"allow_extra_args": True},  # said by `declared` as ours
    name=PROG,
    help="Dosing-visit calendars for the MIL62-CT303 trial (NCT05314010).",
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _environment(ctx: typer.Context) -> Environment:
    """The run's context, which `_Commands.main` made and click hands down as its `obj`."""
    env = ctx.find_object(Environment)
    assert env is not None, "commands run through _Commands.main"
    return env


def _show_version(ctx: typer.Context, value: bool) -> None:
    if value:
        from mil62sched import __version__

        _environment(ctx).stdout.write(f"{PROG} {__version__}\n")
        raise typer.Exit()


def _debug(ctx: typer.Context, value: bool) -> None:
    if value:
        _environment(ctx).debug = True


@app.callback(invoke_without_command=True)
def _commands(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            envvar="MIL62SCHED_DEBUG",
            callback=_debug,
            is_eager=True,
            help="Show the traceback of an unexpected error (a defect to report).",
        ),
    ] = False,
) -> None:
    """Dosing-visit calendars for the MIL62-CT303 trial (NCT05314010)."""
    if ctx.invoked_subcommand is None:  # no command: say what there is
        typer.echo(ctx.get_help())
        raise typer.Exit()


# --- declaring a command -------------------------------------------------------------------------

_KEYWORD = inspect.Parameter.KEYWORD_ONLY


def declared(
    work: str, *, lang: bool = True
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A command whose work is `mil62sched.commands.<module>:<function>` (`work` names them;
    the function is `run` when not named), imported when the command runs.

    The decorated function only declares: its name and docstring are the command's, its
    parameters the command's own options; a parameter annotated with an option group (a
    dataclass of `commands.options`) stands for the group's options, spliced in its place
    (a group's groups too), so a group is spelled out once. `--lang` comes last unless `lang` is
    false. When typer calls the command, each group is built from what was parsed, then the
    work's options object (the type of its `options` parameter) from the parameters, once, and
    the work runs with the run's Environment (alone, for work that takes no options)."""
    module, _, name = work.partition(":")

    def declare(declaration: Callable[..., None]) -> Callable[..., None]:
        parameters = [inspect.Parameter("ctx", _KEYWORD, annotation=typer.Context)]
        builders: dict[str, Callable[[dict[str, Any]], Any]] = {}
        for parameter in inspect.signature(declaration).parameters.values():
            spliced, builders[parameter.name] = _spliced(
                parameter.name, parameter.annotation, parameter.default
            )
            parameters += spliced
        if lang:
            parameters.append(inspect.Parameter("lang", _KEYWORD, annotation=Lang, default=None))

        def command(ctx: typer.Context, **parsed: Any) -> None:
            import importlib
            import typing

            if ctx.args:  # the commands take no arguments beyond those they declare
                raise UsageError(
                    msg(
                        N_("got unexpected extra argument(s) ({args}) (see {where})"),
                        args=" ".join(ctx.args),
                        where=f"'{ctx.command_path} --help'",
                    )
                )
            run = getattr(importlib.import_module(f"mil62sched.commands.{module}"), name or "run")
            env = _environment(ctx)
            if not builders:
                run(env)
                return
            options = typing.get_type_hints(run)["options"]
            run(env, options(**{key: build(parsed) for key, build in builders.items()}))

        command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        command.__name__ = command.__qualname__ = declaration.__name__
        command.__doc__ = _paragraphs(declaration.__doc__)
        return command

    return declare


def _paragraphs(doc: str | None) -> str | None:
    """A command's docstring, each paragraph on one line: help wraps it at the terminal's edge,
    and typer's list of commands would also break it where the source line ended."""
    if doc is None:
        return None
    return "\n\n".join(" ".join(part.split()) for part in inspect.cleandoc(doc).split("\n\n"))


def _spliced(
    name: str, annotation: Any, default: Any
) -> tuple[list[inspect.Parameter], Callable[[dict[str, Any]], Any]]:
    """The typer parameters a declared parameter stands for (a group's fields, in order, or
    itself), and how its value is built from what typer parsed."""
    if not (isinstance(annotation, type) and dataclasses.is_dataclass(annotation)):
        missing = default is inspect.Parameter.empty or default is dataclasses.MISSING
        own = inspect.Parameter(
            name,
            _KEYWORD,
            annotation=annotation,
            default=inspect.Parameter.empty if missing else default,
        )
        return [own], lambda parsed: parsed[name]
    group = annotation
    parts = {
        field.name: _spliced(field.name, field.type, field.default)
        for field in dataclasses.fields(group)
    }
    spliced = [parameter for part, _ in parts.values() for parameter in part]
    return spliced, lambda parsed: group(
        **{key: build(parsed) for key, (_, build) in parts.items()}
    )


# --- the commands --------------------------------------------------------------------------------

Arm = Annotated[str, typer.Option(help="The arm to plan; 'mil62sched arms' lists them.")]
Participant = Annotated[
    str | None, typer.Option(help="Participant ID: 1-64 letters, digits, '-', '_', '.'.")
]
EscalateAt = Annotated[
    str | None,
    typer.Option(help="phase1b-500 only: give 1000 mg from this visit (W25D1 or later)."),
]
PeriodStart = Annotated[
    list[str] | None,
    typer.Option(
        metavar=REPEATABLE,
        help="Journeys: the day the participant entered a later period, PERIOD=YYYY-MM-DD, the "
        "period named as in the protocol (repeatable). Default: assumed as the protocol says, "
        "and said so.",
    ),
]
OlpStart = Annotated[
    str | None,
    typer.Option(
        help="Short for --period-start OLP=DATE (the built-in protocol's open-label period).",
    ),
]
Actual = Annotated[
    list[str] | None,
    typer.Option(
        metavar=REPEATABLE,
        help="A visit that happened: CODE=YYYY-MM-DD (repeatable).",
        rich_help_panel=SITE_PANEL,
    ),
]
Missed = Annotated[
    list[str] | None,
    typer.Option(
        metavar=REPEATABLE,
        help="A visit that was missed: CODE (repeatable).",
        rich_help_panel=SITE_PANEL,
    ),
]


@app.command(cls=_Command)
@declared("plan")
def plan(
    arm: Arm,
    start: Start,
    protocol_file: ProtocolFile = None,
    participant: Participant = None,
    escalate_at: EscalateAt = None,
    period_start: PeriodStart = None,
    olp_start: OlpStart = None,
    actual: Actual = None,
    missed: Missed = None,
    *,
    site: SiteOptions,
    amendment: AmendmentOptions,
    calendar: CalendarOptions,
    output: OutputOptions,
    card: CardOptions,
) -> None:
    """Print or write every infusion date of one participant."""


SkipBad = Annotated[
    bool,
    typer.Option(help="Write the valid rows anyway; bad rows are still reported (exit 1)."),
]


@app.command(cls=_Command)
@declared("roster")
def roster(
    *,
    roster: RosterRunOptions,
    calendar: CalendarOptions,
    output: RosterOutput,
    skip_bad: SkipBad = False,
    card: CardOptions,
) -> None:
    """Plan every participant of a roster: one table, CSV, JSON, calendar or cards for the site."""


def _days(text: str) -> int:
    return parse_count(text, "--days", 1, MOST_AGENDA_DAYS)


@app.command(cls=_Command)
@declared("agenda")
def agenda(
    *,
    roster: RosterRunOptions,
    start: Annotated[
        str | None, typer.Option("--from", help="First day of the agenda; default today.")
    ] = None,
    days: Annotated[
        int,
        typer.Option(
            parser=_days,
            metavar="<int>",
            help="How many days it covers: 1 to 3660.",
            show_default=True,
        ),
    ] = 14,
    skip_bad: SkipBad = False,
    output: AgendaOutput,
    card: CardOptions,
) -> None:
    """What is due across the site: overdue visits first, then the coming days."""


@app.command(cls=_Command)
@declared("day")
def day(
    what: Annotated[
        str,
        typer.Argument(
            metavar="CODE|DATE|N",
            help=N_("A visit code (W25D1, D-28), a study day number (169) or a date (YYYY-MM-DD)."),
        ),
    ],
    start: Start,
) -> None:
    """Convert between a visit code, its study day and its date."""


@app.command(cls=_Command)
@declared("arms")
def arms(protocol_file: ProtocolFile = None) -> None:
    """List the arms, which are blinded, and their aliases."""


def _output_folder(text: str) -> Path:
    return check_path(text, "output", FOLDER_FORM)


@app.command(cls=_Command)
@declared("sdtm", lang=False)
def sdtm(
    folder: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help=N_("Folder to write ta.csv, ta.json ... ts.json into (made if missing)."),
            parser=_output_folder,
            metavar="<path>",
        ),
    ],
    protocol_file: ProtocolFile = None,
    force: Force = False,
) -> None:
    """Write the SDTM trial-design datasets TA, TE, TV, TI, TS (CSV, Dataset-JSON 1.1) and
    their define.xml (Define-XML 2.1)."""


HISTORY_PANEL = "A person's history"
Candidates = Annotated[
    Path | None,
    typer.Argument(
        metavar="CANDIDATES",
        help="CSV or .xlsx of candidates: participant,phase,screening,item,name,date,value, one "
        "row per person and history item (README: Screening). Default: one person, from the "
        "options.",
        show_default=False,
    ),
]
ScreenSite = Annotated[
    Path | None,
    typer.Option(
        "--site",
        help="TOML site file whose country and time zone the working days follow. Default: the "
        "protocol's site.",
        rich_help_panel=SITE_PANEL,
    ),
]


def _history(text: str) -> Any:
    """An option of a person's history (`text`: its help), in its own help panel; a text or
    repeatable text value."""
    return typer.Option(metavar=REPEATABLE, help=text, rich_help_panel=HISTORY_PANEL)


@app.command(cls=_Command)
@declared("screen")
def screen(
    candidates: Candidates = None,
    phase: Annotated[
        str | None, typer.Option(help="The phase screened for: 1b or 3 (the protocol's phases).")
    ] = None,
    screening: Annotated[str | None, typer.Option(help="The screening date, YYYY-MM-DD.")] = None,
    last: Annotated[
        list[str] | None,
        _history(
            "NAME=YYYY-MM-DD: the last dose of a drug, vaccine or procedure (a drug taken every "
            "day: the day it was stopped), e.g. ivig=2025-08-20 (repeatable)."
        ),
    ] = None,
    attack: Annotated[
        list[str] | None, _history("An attack of NMOSD, YYYY-MM-DD (repeatable).")
    ] = None,
    steroid_dose: Annotated[
        str | None,
        _history(
            "The daily glucocorticoid dose, mg of prednisone or its equivalent: still taken at "
            "screening, or up to a glucocorticoid's --last date."
        ),
    ] = None,
    continuous_days: Annotated[
        list[str] | None,
        _history("NAME=DAYS: how many days in a row a drug of --last was taken (repeatable)."),
    ] = None,
    half_life: Annotated[
        list[str] | None,
        _history(
            "NAME=DURATION: a drug's half-life, e.g. azathioprine=5h or 3d; never built in, "
            "needed where a criterion counts half-lives (repeatable)."
        ),
    ] = None,
    classes: Annotated[
        list[str] | None,
        typer.Option(
            "--class",
            metavar=REPEATABLE,
            help="NAME=CLASS: the class of a drug the protocol does not list, e.g. "
            "ocrelizumab=b-cell-depleting (repeatable).",
            rich_help_panel=HISTORY_PANEL,
        ),
    ] = None,
    plan: Annotated[
        bool,
        typer.Option(
            "--plan",
            help="Then print the plan from the first working day on or after the earliest date "
            "(with --arm).",
        ),
    ] = False,
    arm: Annotated[
        str | None, typer.Option(help="The arm --plan plans; 'mil62sched arms' lists them.")
    ] = None,
    protocol_file: ProtocolFile = None,
    site_file: ScreenSite = None,
    *,
    site: WorkingDayOptions,
    output: ScreenOutput,
) -> None:
    """When can this person start? The earliest first infusion the time-bound criteria allow."""


def _protocol_argument(text: str) -> Any:
    return typer.Argument(metavar=text.split(":")[0], help=text, show_default=False)


@app.command(cls=_Command)
@declared("amend")
def amend(
    old: Annotated[
        Path,
        _protocol_argument("OLD: the protocol file (TOML) it amends; builtin: the built-in one."),
    ],
    new: Annotated[Path, _protocol_argument("NEW: the amendment's protocol file (TOML).")],
    roster_file: Annotated[
        Path,
        typer.Argument(
            metavar="ROSTER",
            help="Roster CSV or .xlsx of the old version's participants, as roster reads it; "
            "amended_on: the day a participant re-consented (it comes before --effective).",
            show_default=False,
        ),
    ],
    actuals: Annotated[
        Path | None,
        typer.Option(
            help="CSV or .xlsx participant,code,date[,status] of visits done or missed: they keep "
            "the old version.",
            rich_help_panel=SITE_PANEL,
        ),
    ] = None,
    effective: Annotated[
        str | None,
        typer.Option(
            help="The day the amendment applies at the site (its approval), YYYY-MM-DD; needed "
            "for every participant without amended_on.",
            rich_help_panel=SITE_PANEL,
        ),
    ] = None,
    *,
    site: SiteOptions,
    output: AmendOutput,
) -> None:
    """What a protocol amendment changes, participant by participant, visit by visit."""


protocol_commands = typer.Typer(
    name="protocol",
    help="Check, show and describe protocol files (the trial as data).",
    cls=_Group,
    context_settings={"allow_extra_args": True},
)
app.add_typer(protocol_commands, name="protocol")


@protocol_commands.callback(invoke_without_command=True)
def _protocol_group(ctx: typer.Context) -> None:
    """Check, show and describe protocol files (the trial as data)."""
    if ctx.invoked_subcommand is None:  # no command: say what there is, as `mil62sched` does
        typer.echo(ctx.get_help())
        raise typer.Exit()


@protocol_commands.command(cls=_Command)
@declared("protocol:validate", lang=False)
def validate(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help=N_("A protocol file (TOML)."), show_default=False),
    ],
) -> None:
    """Check a protocol file: every problem, one line each, with its key path and line."""


@protocol_commands.command(cls=_Command)
@declared("protocol:show", lang=False)
def show(
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar="FILE", help="A protocol file; default the built-in MIL62-CT303 one."
        ),
    ] = None,
) -> None:
    """Print the schedules, journeys, windows and citations of a protocol file."""


@protocol_commands.command(cls=_Command)
@declared("protocol:diff")
def diff(
    old: Annotated[
        Path,
        _protocol_argument("OLD: a protocol file (TOML), as it was; builtin: the built-in one."),
    ],
    new: Annotated[Path, _protocol_argument("NEW: the protocol file (TOML) that amends it.")],
) -> None:
    """What changed between two protocol files, in the trial's words: the protocol's dates and
    version, treatments, schedules, visits, windows and journeys."""


@protocol_commands.command(cls=_Command)
@declared("protocol:schema", lang=False)
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the protocol file format."""


def main() -> None:
    """Console-script entry point: the run's Environment, from the real process."""
    env = Environment.of_process()
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        _fail(env, msg(N_("cannot write to standard output: it is closed")), 1)
    _end_on_signals()
    try:
        app(obj=env)
    except _Terminated as stop:
        _fail(env, msg(N_("terminated")), 128 + stop.signum)


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived. A BaseException, as KeyboardInterrupt is for Ctrl-C, so that
    no `except Exception` stops it and every `finally:` on the way removes its temporary
    files before `main` says so and exits with 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _end_on_signals() -> None:
    """Turn SIGTERM and SIGHUP (where there is one) into `_Terminated`; a signal the caller
    chose to ignore (`nohup`) stays ignored."""
    import signal

    def stop(signum: int, frame: object) -> None:
        for name in names:  # a second signal must not interrupt the clean-up of the first
            signal.signal(getattr(signal, name), signal.SIG_IGN)
        raise _Terminated(signum)

    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    for name in names:
        number = getattr(signal, name)
        if signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, stop)
