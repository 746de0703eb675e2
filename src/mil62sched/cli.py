"""The command line: parse options, call the engine, hand the plan to an exporter, write it.

No date arithmetic and no formatting here. Errors become one line on stderr, in one place
(`_Commands.main`).
"""

# No `from __future__ import annotations` here: typer would then compile and eval every option's
# annotation at each start; real annotation objects cost nothing (figures: benchmarks/README.md).
import errno
import shutil
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from mil62sched import engine, formats, i18n, protocol
from mil62sched.commands import options
from mil62sched.commands.day import describe_day
from mil62sched.errors import Mil62schedError
from mil62sched.files import output_path, reading, write_text
from mil62sched.formats.presentation import styled_output
from mil62sched.model.codes import VisitCode
from mil62sched.parse import FILE_FORM, FOLDER_FORM, check_participant, check_path, parse_date

PROG = "mil62sched"


class _Commands(TyperGroup):
    """Runs a command and turns every user mistake into one line on stderr and an exit code."""

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        kwargs["standalone_mode"] = False
        i18n.forget()  # until --lang is read, errors follow the environment
        try:
            code = super().main(*args, **kwargs)
            sys.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
        except OSError as exc:
            # Files are written through `files`, which words its own errors: a bare write error
            # reaching here came from standard output (a full disk, a closed pipe).
            if exc.errno not in _OUTPUT_ERRNOS:
                raise
            _fail_stdout(exc)
        except typer.TyperException as exc:  # click's usage errors, through typer's public API
            _fail(i18n.words(i18n.current()).sentence(_explain(exc)), exc.exit_code)
        except typer.Abort:
            _fail("aborted", 1)
        except Mil62schedError as exc:
            if exc.field is not None:  # name the option the problem is about
                exc.named("--" + exc.field.replace("_", "-"))
            _fail(i18n.error_line(exc, i18n.current()), exc.exit_code)
        if code == 130:  # typer turns Ctrl-C into exit status 130
            _fail("interrupted", 130)
        sys.exit(code if isinstance(code, int) else 0)


def _explain(exc: typer.TyperException) -> str:
    """click's message, with what is accepted, on one line."""
    message = exc.format_message().rstrip(".")
    message = message[:1].lower() + message[1:]
    if exc.exit_code != 2:  # not a usage error: its message is all there is
        return message
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx else PROG
    param = getattr(exc, "param", None)
    if message.startswith("missing") and param is not None:
        if param.name == "arm":
            return f"{message}: one of {', '.join(_arm_names(ctx))}"
        help_text = getattr(param, "help", None)
        if help_text:
            return f"{message}: {help_text}"
    if message.startswith("no such command") and ctx is not None:
        names = getattr(ctx.command, "commands", {})
        return f"{message}: commands are {', '.join(names)}"
    return f"{message} (see '{where} --help')"


def _arm_names(ctx: Any) -> list[str]:
    """The arms of the protocol the command was given (--protocol), else of the built-in one."""
    given = ctx.params.get("protocol_file") if ctx is not None else None
    try:  # the option's text, or a Path, depending on how far typer got
        return protocol.load(None if given is None else Path(given)).arm_names()
    except Mil62schedError:  # that file's own problem is for another run to report
        return protocol.load().arm_names()


_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EPIPE, errno.EBADF, errno.EIO, errno.EDQUOT, errno.EFBIG}


def _fail_stdout(error: OSError) -> NoReturn:
    """One line for an output nobody can read; stdout then goes nowhere, so that the
    interpreter's last flush at exit has nothing to complain about."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    _fail(f"cannot write to standard output: {error.strerror or error}", 1)


def _fail(message: str, code: int) -> NoReturn:
    # One line per problem: several only for a file with several bad rows.
    for line in message.splitlines() or [""]:
        sys.stderr.write(f"{PROG}: error: {line}\n")
    sys.exit(code)


app = typer.Typer(
    cls=_Commands,
    name=PROG,
    help="Dosing-visit calendars for the MIL62-CT303 trial (NCT05314010).",
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        from mil62sched import __version__

        typer.echo(f"{PROG} {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _commands(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Dosing-visit calendars for the MIL62-CT303 trial (NCT05314010)."""
    if ctx.invoked_subcommand is None:  # no command: say what there is
        typer.echo(ctx.get_help())
        raise typer.Exit()


_SITE = "Site planning"
_CAL = "Calendar events"
_OUT = "Output"

Arm = Annotated[str, typer.Option(help="The arm to plan; 'mil62sched arms' lists them.")]
ProtocolFile = Annotated[
    Path | None,
    typer.Option(
        "--protocol",
        help="The trial's protocol file (TOML); default the built-in MIL62-CT303 one.",
        show_default=False,
    ),
]
Start = Annotated[str, typer.Option(help="W1D1, the first infusion, as YYYY-MM-DD.")]
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
Window = Annotated[
    str | None,
    typer.Option(
        help="Visit window: N days either side, or B,A days before,after. "
        "Default: the protocol's (the registry states none).",
        rich_help_panel=_SITE,
    ),
]
Country = Annotated[
    str | None,
    typer.Option(
        help="Holidays of this country (ISO code); default the site's, CN.", rich_help_panel=_SITE
    ),
]
NoHolidays = Annotated[
    bool,
    typer.Option(
        "--no-holidays", help="Do not check weekends and public holidays.", rich_help_panel=_SITE
    ),
]
Holidays = Annotated[
    Path | None,
    typer.Option(
        help="CSV or .xlsx date,name,kind (holiday|workday) adding to or overriding the holiday "
        "data.",
        rich_help_panel=_SITE,
    ),
]
Encoding = Annotated[
    str,
    typer.Option(
        help="How roster, actuals and holiday files are encoded: auto (UTF-8, else UTF-16 with "
        "a BOM, else GB18030, as Excel saves CSV on a Chinese Windows), utf-8, gb18030 or utf-16.",
        rich_help_panel=_SITE,
    ),
]
Sheet = Annotated[
    str | None,
    typer.Option(
        help="The sheet to read in .xlsx roster, actuals and holiday files, hidden or not; "
        "default the active sheet, else the first visible one.",
        rich_help_panel=_SITE,
    ),
]
Adjust = Annotated[
    bool,
    typer.Option(
        help="Plan on the proposed working day when the protocol date is not one.",
        rich_help_panel=_SITE,
    ),
]
Actual = Annotated[
    list[str] | None,
    typer.Option(
        help="A visit that happened: CODE=YYYY-MM-DD (repeatable).", rich_help_panel=_SITE
    ),
]
Missed = Annotated[
    list[str] | None,
    typer.Option(help="A visit that was missed: CODE (repeatable).", rich_help_panel=_SITE),
]
Anchor = Annotated[
    str,
    typer.Option(
        help="w1d1: every visit from W1D1 (default); previous: from the latest actual visit.",
        rich_help_panel=_SITE,
    ),
]
Today = Annotated[
    str | None,
    typer.Option(
        help="Today's date for checking actual dates; default the real date.", rich_help_panel=_SITE
    ),
]
Time = Annotated[
    str | None,
    typer.Option(
        help="Timed events starting at HH:MM instead of all-day ones.", rich_help_panel=_CAL
    ),
]
Tz = Annotated[
    str | None,
    typer.Option(
        help="IANA time zone of --time; default the site's, Asia/Shanghai.", rich_help_panel=_CAL
    ),
]
Duration = Annotated[
    str | None,
    typer.Option(
        help="Length of timed events, e.g. 3h or 90m; default 3h, a placeholder.",
        rich_help_panel=_CAL,
    ),
]
Remind = Annotated[
    list[str] | None,
    typer.Option(
        help="A reminder this long before, e.g. 1d or 2h (repeatable).", rich_help_panel=_CAL
    ),
]
Format = Annotated[
    str | None,
    typer.Option(
        "--format",
        help=f"One of {', '.join(formats.names())}; default from -o's extension, else table.",
        rich_help_panel=_OUT,
    ),
]
RosterFormat = Annotated[
    str | None,
    typer.Option(
        "--format",
        help=f"One of {', '.join(formats.names(roster=True))}; default from -o's extension, "
        "else table (ics with --split).",
        rich_help_panel=_OUT,
    ),
]


def _output_file(text: str) -> Path:
    return check_path(text, "output", FILE_FORM)


def _output_folder(text: str) -> Path:
    return check_path(text, "output", FOLDER_FORM)


def _split_folder(text: str) -> Path:
    return check_path(text, "split", FOLDER_FORM)


Output = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (- for stdout), not stdout.",
        rich_help_panel=_OUT,
        parser=_output_file,
        metavar="<path>",
        callback=output_path,  # `-o -` is standard output for every command
    ),
]
Force = Annotated[
    bool, typer.Option(help="Overwrite an existing output file.", rich_help_panel=_OUT)
]
_CARD = "Printed card (html, pdf)"
SiteFile = Annotated[
    Path | None,
    typer.Option(
        "--site",
        help="TOML site file: name, address, phone, coordinator, contact, what_to_bring, "
        "call_us_if (and country, timezone, chairs). Default: the protocol's site.",
        rich_help_panel=_CARD,
    ),
]
Paper = Annotated[
    str | None,
    typer.Option(
        help="Paper size of the printed card: a4 or a5; default a4.", rich_help_panel=_CARD
    ),
]
Browser = Annotated[
    str | None,
    typer.Option(
        help="Chromium-based browser that prints --format pdf; default chromium, "
        "chromium-browser or google-chrome on PATH.",
        rich_help_panel=_CARD,
    ),
]


def _choose_language(value: str | None) -> str:
    return i18n.choose(value)


Lang = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of what people read: en or zh (Chinese). Default: $MIL62SCHED_LANG, "
        "else the locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else en. CSV and JSON never "
        "change.",
        callback=_choose_language,
        is_eager=True,  # chosen first, so that the errors of the other options are in it too
        rich_help_panel=_OUT,
    ),
]


def _card_lang(ctx: typer.Context, lang: str | None) -> str | None:
    """`--lang` as given on the command line, for the printed card: without it the card is in
    both languages (whatever $MIL62SCHED_LANG or the locale choose for the other outputs)."""
    # Compared by name: the enum's class is click's, which typer's newer releases bundle.
    source = ctx.get_parameter_source("lang")
    return lang if getattr(source, "name", None) == "COMMANDLINE" else None


@app.command()
def plan(
    ctx: typer.Context,
    arm: Arm,
    start: Start,
    protocol_file: ProtocolFile = None,
    participant: Participant = None,
    escalate_at: EscalateAt = None,
    period_start: PeriodStart = None,
    olp_start: OlpStart = None,
    window: Window = None,
    country: Country = None,
    no_holidays: NoHolidays = False,
    holidays: Holidays = None,
    encoding: Encoding = "auto",
    sheet: Sheet = None,
    adjust: Adjust = False,
    actual: Actual = None,
    missed: Missed = None,
    anchor: Anchor = "w1d1",
    today: Today = None,
    time: Time = None,
    tz: Tz = None,
    duration: Duration = None,
    remind: Remind = None,
    fmt: Format = None,
    output: Output = None,
    force: Force = False,
    site_file: SiteFile = None,
    paper: Paper = None,
    browser: Browser = None,
    lang: Lang = None,
) -> None:
    """Print or write every infusion date of one participant."""
    with reading(encoding, sheet):  # the encoding of every input file the command opens
        chosen = formats.choose(fmt, output)
        trial, at = options.at_site(protocol.load(protocol_file), site_file)
        site = options.SiteOptions(window, country, no_holidays, holidays, adjust, anchor, today)
        styled = output is None and chosen.terminal and styled_output(sys.stdout.isatty())
        shown = options.presentation(
            trial,
            styled=styled,
            width=shutil.get_terminal_size().columns if styled else None,
            time=time,
            tz=tz,
            duration=duration,
            remind=remind or (),
            lang=i18n.current(),
            card=options.CardOptions(at, paper, _card_lang(ctx, lang), browser),
        )
        the_plan = engine.plan(
            trial,
            arm,
            parse_date(start, "--start date"),
            participant=None if participant is None else check_participant(participant),
            escalate_at=None if escalate_at is None else VisitCode.parse(escalate_at),
            period_starts=options.period_starts(trial, arm, period_start or (), olp_start),
            records=options.records(actual or (), missed or ()),
            policy=site.policy(trial, tz),
        )
        write_text(chosen.render(the_plan, shown), output, force=force, terminal=chosen.terminal)
        options.warn_untimed(chosen, time, duration, remind or ())
        options.warn_unprinted(chosen, paper, browser)
        options.warn_no_phone(chosen, at)
        options.warn_study_dates(the_plan)


RosterFile = Annotated[
    Path,
    typer.Argument(
        help="Roster CSV or .xlsx: participant,arm,start[,escalate_at,window] and a later "
        "period's start in <period>_start (e.g. olp_start)."
    ),
]
Actuals = Annotated[
    Path | None,
    typer.Option(
        help="CSV or .xlsx participant,code,date[,status] of visits done or missed.",
        rich_help_panel=_SITE,
    ),
]
SkipBad = Annotated[
    bool,
    typer.Option(help="Write the valid rows anyway; bad rows are still reported (exit 1)."),
]
Chairs = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Infusion chairs per day: flag fuller days (with --adjust, move infusions inside "
        "their windows). Default: the protocol's, else off.",
        rich_help_panel=_SITE,
    ),
]
Split = Annotated[
    Path | None,
    typer.Option(
        help="Write one file per participant into this folder, named by ID.",
        rich_help_panel=_OUT,
        parser=_split_folder,
        metavar="<path>",
    ),
]


@app.command()
def roster(
    ctx: typer.Context,
    roster_file: RosterFile,
    protocol_file: ProtocolFile = None,
    actuals: Actuals = None,
    window: Window = None,
    country: Country = None,
    no_holidays: NoHolidays = False,
    holidays: Holidays = None,
    encoding: Encoding = "auto",
    sheet: Sheet = None,
    adjust: Adjust = False,
    anchor: Anchor = "w1d1",
    today: Today = None,
    chairs: Chairs = None,
    time: Time = None,
    tz: Tz = None,
    duration: Duration = None,
    remind: Remind = None,
    fmt: RosterFormat = None,
    output: Output = None,
    split: Split = None,
    force: Force = False,
    skip_bad: SkipBad = False,
    site_file: SiteFile = None,
    paper: Paper = None,
    browser: Browser = None,
    lang: Lang = None,
) -> None:
    """Plan every participant of a roster: one table, CSV, JSON, calendar or cards for the site."""
    from mil62sched.commands import site as sitework  # only the site-wide commands need it

    with reading(encoding, sheet):  # the encoding of every input file the command opens
        site = options.SiteOptions(window, country, no_holidays, holidays, adjust, anchor, today)
        trial, at = options.at_site(protocol.load(protocol_file), site_file)
        run = sitework.RosterRun.prepare(trial, roster_file, site, tz, actuals, chairs, skip_bad)
        chosen = sitework.roster_format(fmt, output, split)
        styled = (
            output is None
            and split is None
            and chosen.terminal
            and styled_output(sys.stdout.isatty())
        )
        shown = options.presentation(
            run.protocol,
            styled=styled,
            width=shutil.get_terminal_size().columns if styled else None,
            time=time,
            tz=tz,
            duration=duration,
            remind=remind or (),
            lang=i18n.current(),
            card=options.CardOptions(at, paper, _card_lang(ctx, lang), browser),
        )
        sitework.write_roster(run, chosen, shown, output=output, split=split, force=force)
        options.warn_untimed(chosen, time, duration, remind or ())
        options.warn_unprinted(chosen, paper, browser)
        options.warn_no_phone(chosen, at)


@app.command()
def agenda(
    ctx: typer.Context,
    roster_file: RosterFile,
    protocol_file: ProtocolFile = None,
    actuals: Actuals = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First day of the agenda; default today.")
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=3660, help="How many days it covers.")] = 14,
    window: Window = None,
    country: Country = None,
    no_holidays: NoHolidays = False,
    holidays: Holidays = None,
    encoding: Encoding = "auto",
    sheet: Sheet = None,
    adjust: Adjust = False,
    anchor: Anchor = "w1d1",
    today: Today = None,
    chairs: Chairs = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"One of {', '.join(formats.names(agenda=True))}; default from -o's extension, "
            "else table.",
            rich_help_panel=_OUT,
        ),
    ] = None,
    output: Output = None,
    force: Force = False,
    skip_bad: SkipBad = False,
    site_file: SiteFile = None,
    paper: Paper = None,
    browser: Browser = None,
    lang: Lang = None,
) -> None:
    """What is due across the site: overdue visits first, then the coming days."""
    from mil62sched.commands import site as sitework

    with reading(encoding, sheet):  # the encoding of every input file the command opens
        chosen = formats.choose(fmt, output, agenda=True)
        site = options.SiteOptions(window, country, no_holidays, holidays, adjust, anchor, today)
        trial, at = options.at_site(protocol.load(protocol_file), site_file)
        run = sitework.RosterRun.prepare(trial, roster_file, site, None, actuals, chairs, skip_bad)
        first = run.today if start is None else parse_date(start, "--from date")
        styled = output is None and chosen.terminal and styled_output(sys.stdout.isatty())
        sitework.write_agenda(
            run,
            first,
            days,
            chosen,
            styled=styled,
            width=shutil.get_terminal_size().columns if styled else None,
            output=output,
            force=force,
            lang=i18n.current(),
            presentation=options.CardOptions(
                at, paper, _card_lang(ctx, lang), browser
            ).applied_to(),
        )
        options.warn_unprinted(chosen, paper, browser)


@app.command()
def day(
    what: Annotated[
        str,
        typer.Argument(
            help="A visit code (W25D1, D-28), a study day number (169) or a date (YYYY-MM-DD)."
        ),
    ],
    start: Start,
    lang: Lang = None,
) -> None:
    """Convert between a visit code, its study day and its date."""
    typer.echo(describe_day(what, parse_date(start, "--start date"), i18n.current()))


@app.command()
def arms(protocol_file: ProtocolFile = None, lang: Lang = None) -> None:
    """List the arms, which are blinded, and their aliases."""
    tr = i18n.words(i18n.current())
    trial = protocol.load(protocol_file)
    typer.echo(tr("{protocol} ({registry}) arms:", protocol=trial.id, registry=trial.registry))
    for arm in trial.arms.values():
        alias = tr("; alias: {names}", names=", ".join(arm.aliases)) if arm.aliases else ""
        count = sum(len(leg.schedule.infusions) for leg in arm.legs)
        masking = tr(arm.masking)
        masking += " " * (10 - i18n.cells(masking))
        infusions = tr("{count:>2} infusions", count=count)
        title = tr.sentence(arm.title)
        typer.echo(f"  {arm.name:<24} {masking} {infusions}  {title}{alias}")


@app.command()
def sdtm(
    folder: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Folder to write ta.csv, ta.json ... ts.json into (made if missing).",
            parser=_output_folder,
            metavar="<path>",
        ),
    ],
    protocol_file: ProtocolFile = None,
    force: Force = False,
) -> None:
    """Write the SDTM trial-design datasets TA, TE, TV, TI, TS (CSV, Dataset-JSON 1.1) and
    their define.xml (Define-XML 2.1)."""
    import os

    from mil62sched.commands import sdtm as sdtmwork
    from mil62sched.formats.presentation import export_instant
    from mil62sched.protocol.design import load_design

    trial = protocol.load(protocol_file)
    design = load_design(trial, protocol_file)
    created = export_instant(os.environ.get("SOURCE_DATE_EPOCH"))
    built = sdtmwork.write_datasets(
        trial, design, folder, created=created, force=force, source=protocol_file
    )
    for line in sdtmwork.summary(built, folder):
        typer.echo(line)
    where = f"protocol {protocol_file or protocol.BUILTIN.name}"
    sys.stdout.flush()  # the notes after the summary, also when both go to one pipe
    for note in sdtmwork.notes(design, built, where):
        sys.stderr.write(f"{PROG}: note: {note}\n")


_HISTORY = "A person's history"
ScreenSite = Annotated[
    Path | None,
    typer.Option(
        "--site",
        help="TOML site file whose country and time zone the working days follow. Default: the "
        "protocol's site.",
        rich_help_panel=_SITE,
    ),
]
ScreenFormat = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="One of table, json, csv, md; default from -o's extension, else table.",
        rich_help_panel=_OUT,
    ),
]


@app.command()
def screen(
    candidates: Annotated[
        Path | None,
        typer.Argument(
            help="CSV or .xlsx of candidates: participant,phase,screening,item,name,date,value, "
            "one row per person and history item (README: Screening). Default: one person, "
            "from the options.",
            show_default=False,
        ),
    ] = None,
    phase: Annotated[
        str | None, typer.Option(help="The phase screened for: 1b or 3 (the protocol's phases).")
    ] = None,
    screening: Annotated[str | None, typer.Option(help="The screening date, YYYY-MM-DD.")] = None,
    last: Annotated[
        list[str] | None,
        typer.Option(
            help="NAME=YYYY-MM-DD: the last dose of a drug, vaccine or procedure (a drug taken "
            "every day: the day it was stopped), e.g. ivig=2025-08-20 (repeatable).",
            rich_help_panel=_HISTORY,
        ),
    ] = None,
    attack: Annotated[
        list[str] | None,
        typer.Option(help="An attack of NMOSD, YYYY-MM-DD (repeatable).", rich_help_panel=_HISTORY),
    ] = None,
    steroid_dose: Annotated[
        str | None,
        typer.Option(
            help="The daily glucocorticoid dose, mg of prednisone or its equivalent: still taken "
            "at screening, or up to a glucocorticoid's --last date.",
            rich_help_panel=_HISTORY,
        ),
    ] = None,
    continuous_days: Annotated[
        list[str] | None,
        typer.Option(
            help="NAME=DAYS: how many days in a row a drug of --last was taken (repeatable).",
            rich_help_panel=_HISTORY,
        ),
    ] = None,
    half_life: Annotated[
        list[str] | None,
        typer.Option(
            help="NAME=DURATION: a drug's half-life, e.g. azathioprine=5h or 3d; never built in, "
            "needed where a criterion counts half-lives (repeatable).",
            rich_help_panel=_HISTORY,
        ),
    ] = None,
    drug_class: Annotated[
        list[str] | None,
        typer.Option(
            "--class",
            help="NAME=CLASS: the class of a drug the protocol does not list, e.g. "
            "ocrelizumab=b-cell-depleting (repeatable).",
            rich_help_panel=_HISTORY,
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
    country: Country = None,
    no_holidays: NoHolidays = False,
    holidays: Holidays = None,
    encoding: Encoding = "auto",
    sheet: Sheet = None,
    fmt: ScreenFormat = None,
    output: Output = None,
    force: Force = False,
    lang: Lang = None,
) -> None:
    """When can this person start? The earliest first infusion the time-bound criteria allow."""
    from mil62sched.commands import screen as screening_work

    with reading(encoding, sheet):  # the encoding of every input file the command opens
        screening_work.run(
            screening_work.ScreenOptions(
                candidates=candidates,
                phase=phase,
                screening=screening,
                last=last or (),
                attack=attack or (),
                steroid_dose=steroid_dose,
                continuous_days=continuous_days or (),
                half_life=half_life or (),
                classes=drug_class or (),
                plan=plan,
                arm=arm,
                protocol_file=protocol_file,
                site_file=site_file,
                site=options.SiteOptions(
                    country=country, no_holidays=no_holidays, holidays=holidays
                ),
                fmt=fmt,
                output=output,
                force=force,
            )
        )


def _protocol_commands() -> None:
    """The `protocol` command group (validate, show, schema), in its own module."""
    from mil62sched.commands.protocol_file import commands

    app.add_typer(commands, name="protocol")


_protocol_commands()


def main() -> None:
    """Console-script entry point."""
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        _fail("cannot write to standard output: it is closed", 1)
    _end_on_signals()
    try:
        app()
    except _Terminated as stop:
        _fail("terminated", 128 + stop.signum)


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
