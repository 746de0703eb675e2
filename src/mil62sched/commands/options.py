"""The option groups the commands share, each declared once, and what its values mean.

A group is a frozen dataclass whose fields carry their typer declarations (help text, help
panel): `SiteOptions` (how the site plans; its `WorkingDayOptions`: the working days, which
`screen` takes alone, and their `InputOptions`: how the site's files are read),
`RosterRunOptions` (a whole site's run: `roster`, `agenda`), `CalendarOptions` (timed calendar
events), `OutputOptions` and its `roster`, `agenda` and `screen` kinds (what is written where)
and `CardOptions` (the printed card). `cli` names a group once in a command's signature and gets
its options spliced in (`cli.declared`); the command gets the group back, built, and asks it for
what the engine and the formats take (`Policy`, `Timing`, `Presentation`), each value checked
(a refusal names the value and what is accepted).
"""

# No `from __future__ import annotations`: the fields' typer declarations are read as objects
# when a command is declared, never compiled from text at each start.
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mil62sched import formats
from mil62sched.diagnostics import Diagnostics
from mil62sched.environment import Environment
from mil62sched.errors import UsageError
from mil62sched.formats.presentation import DEFAULT_DURATION, Presentation, Timing
from mil62sched.i18n import N_
from mil62sched.inputs import Reading, readable_twice
from mil62sched.messages import Listing, keywords, msg
from mil62sched.model.contact import SiteContact
from mil62sched.model.plan import ANCHORS, Anchor, Plan, Policy
from mil62sched.model.protocol import Protocol
from mil62sched.outputs import output_path
from mil62sched.parse import (
    FILE_FORM,
    FOLDER_FORM,
    check_path,
    check_timezone,
    option_date,
    parse_clock,
    parse_count,
    parse_date,
    parse_duration,
    parse_window,
)

if TYPE_CHECKING:
    from mil62sched.amendment import AmendedPlanner
    from mil62sched.formats import Format
    from mil62sched.site.workdays import SiteCalendar  # imported on use: it may load holidays

# The help panels, in the order --help shows them after the command's own options.
SITE_PANEL = "Site planning"
CALENDAR_PANEL = "Calendar events"
OUTPUT_PANEL = "Output"
CARD_PANEL = "Printed card (html, pdf)"
# What help shows for the value of a repeatable text option: a text, as for any other (typer
# shows Python's `<list[str]>`); the help says "(repeatable)".
REPEATABLE = "<str>"

# An infusion visit fits in a day at the clinic; a reminder comes at most four weeks ahead.
LONGEST_INFUSION = timedelta(hours=12)
LONGEST_REMINDER = timedelta(days=28)


# --- options of their own that several commands take ---------------------------------------------

ProtocolFile = Annotated[
    Path | None,
    typer.Option(
        "--protocol",
        help="The trial's protocol file (TOML); default the built-in MIL62-CT303 one.",
        show_default=False,
    ),
]
Start = Annotated[str, typer.Option(help=N_("W1D1, the first infusion, as YYYY-MM-DD."))]
Force = Annotated[
    bool, typer.Option(help="Overwrite an existing output file.", rich_help_panel=OUTPUT_PANEL)
]


def _choose_language(ctx: typer.Context, value: str | None) -> None:
    env = ctx.find_object(Environment)
    assert env is not None, "commands run in an Environment (cli._Commands.main)"
    env.choose_language(value)


Lang = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of what people read: en or zh (Chinese). Default: $MIL62SCHED_LANG, "
        "else the locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else en. CSV and JSON never "
        "change.",
        callback=_choose_language,
        is_eager=True,  # chosen first, so that the errors of the other options are in it too
        expose_value=False,  # the run's Environment holds it
        rich_help_panel=OUTPUT_PANEL,
    ),
]


# --- how the site plans --------------------------------------------------------------------------


@dataclass(frozen=True)
class InputOptions:
    """How the site's roster, actuals and holiday files are read (the run's `Environment` holds
    it)."""

    encoding: Annotated[
        str,
        typer.Option(
            help="How roster, actuals and holiday files are encoded: auto (UTF-8, else UTF-16 "
            "with a BOM, else GB18030, as Excel saves CSV on a Chinese Windows), utf-8, gb18030 "
            "or utf-16.",
            rich_help_panel=SITE_PANEL,
        ),
    ] = "auto"
    sheet: Annotated[
        str | None,
        typer.Option(
            help="The sheet to read in .xlsx roster, actuals and holiday files, hidden or not; "
            "default the active sheet, else the first visible one.",
            rich_help_panel=SITE_PANEL,
        ),
    ] = None

    def read_in(self, env: Environment) -> None:
        """Make these the run's reading choices (checked)."""
        env.read_inputs(self.encoding, self.sheet)


@dataclass(frozen=True)
class WorkingDayOptions:
    """The site's working days (its country's holidays, a holiday file, or no check) and how the
    site's files are read: what `plan`, `roster`, `agenda` (in `SiteOptions`) and `screen`
    share."""

    country: Annotated[
        str | None,
        typer.Option(
            help="Holidays of this country (ISO code); default the site's, CN.",
            rich_help_panel=SITE_PANEL,
        ),
    ] = None
    no_holidays: Annotated[
        bool,
        typer.Option(
            "--no-holidays",
            help="Do not check weekends and public holidays.",
            rich_help_panel=SITE_PANEL,
        ),
    ] = False
    holidays: Annotated[
        Path | None,
        typer.Option(
            help="CSV or .xlsx date,name,kind (holiday|workday) adding to or overriding the "
            "holiday data.",
            rich_help_panel=SITE_PANEL,
        ),
    ] = None
    inputs: InputOptions = InputOptions()  # the site's files: roster, actuals, holidays

    def site_calendar(self, protocol: Protocol, reading: Reading) -> "SiteCalendar | None":
        """The working-day calendar: the protocol's country unless overridden; None when off."""
        from mil62sched.site.workdays import SiteCalendar, load_overrides

        if self.no_holidays:
            if self.holidays is not None or self.country is not None:
                raise UsageError(
                    msg(
                        N_(
                            "--no-holidays turns the working-day check off: drop --holidays and "
                            "--country"
                        )
                    )
                )
            return None
        if self.holidays is None:
            overrides = None
        else:
            overrides = load_overrides(readable_twice(self.holidays, reading), reading)
        country = protocol.country if self.country is None else self.country
        return SiteCalendar(country, overrides)


@dataclass(frozen=True)
class SiteOptions:
    """How the site plans, and how its files are read: the options `plan`, `roster` and `agenda`
    share."""

    window: Annotated[
        str | None,
        typer.Option(
            help="Visit window: N days either side, or B,A days before,after. "
            "Default: the protocol's (the registry states none).",
            rich_help_panel=SITE_PANEL,
        ),
    ] = None
    working_days: WorkingDayOptions = WorkingDayOptions()
    adjust: Annotated[
        bool,
        typer.Option(
            help="Plan on the proposed working day when the protocol date is not one.",
            rich_help_panel=SITE_PANEL,
        ),
    ] = False
    anchor: Annotated[
        str,
        typer.Option(
            help="w1d1: every visit from W1D1 (default); previous: from the latest actual visit.",
            rich_help_panel=SITE_PANEL,
        ),
    ] = "w1d1"
    today: Annotated[
        str | None,
        typer.Option(
            help="Today's date, YYYY-MM-DD; default the real date. It bounds the actual dates "
            "(none after it), makes a visit whose window closed before it overdue, and places "
            "the next visit mark.",
            rich_help_panel=SITE_PANEL,
        ),
    ] = None

    @property
    def inputs(self) -> InputOptions:
        """How the site's files are read."""
        return self.working_days.inputs

    def policy(self, protocol: Protocol, reading: Reading, tz: str | None = None) -> Policy:
        """The engine's Policy (a --holidays file read as `reading` says). Today is --today when
        given, else the date at the site (in the protocol's time zone, or `tz`): the clock is
        read only when needed."""
        if self.anchor.lower() not in ANCHORS:
            raise UsageError(
                msg(N_("invalid --anchor")),
                value=self.anchor,
                accepted=msg(N_("accepted: {names}"), names=keywords(ANCHORS)),
            )
        anchor: Anchor = "previous" if self.anchor.lower() == "previous" else "w1d1"
        return Policy(
            window=None if self.window is None else parse_window(self.window),
            site=self.working_days.site_calendar(protocol, reading),
            adjust=self.adjust,
            anchor=anchor,
            today=site_today(protocol, tz)
            if self.today is None
            else parse_date(self.today, option_date("--today")),
        )


def site_today(protocol: Protocol, tz: str | None = None, now: datetime | None = None) -> date:
    """Today at the site: the date in the protocol's time zone (or `--tz`), whatever the
    machine's own zone. `now` is for tests.

    >>> from datetime import UTC
    >>> from mil62sched import protocol as loader
    >>> site_today(loader.load(), now=datetime(2026, 11, 30, 22, 55, tzinfo=UTC))
    datetime.date(2026, 12, 1)
    """
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(protocol.timezone if tz is None else check_timezone(tz))
    return (now or datetime.now(UTC)).astimezone(zone).date()


def _chairs(text: str) -> int:
    return parse_count(text, "--chairs", 1)


@dataclass(frozen=True)
class AmendmentOptions:
    """A protocol amendment to plan under: `--protocol NEW --amends OLD --effective DATE` (a
    roster's `amended_on` wins over the date): the plans `plan`, `roster` and `agenda` make are
    then each participant's mixed plan, the old version before the switch, the new after."""

    amends: Annotated[
        Path | None,
        typer.Option(
            "--amends",
            help="The protocol file (TOML) that --protocol amends (builtin: the built-in one): "
            "plan each participant on it before the switch date, on --protocol from it on.",
            show_default=False,
            rich_help_panel=SITE_PANEL,
        ),
    ] = None
    effective: Annotated[
        str | None,
        typer.Option(
            help="With --amends: the day the amendment applies at the site (its approval), "
            "YYYY-MM-DD; a roster's amended_on comes first.",
            rich_help_panel=SITE_PANEL,
        ),
    ] = None

    def effective_date(self) -> date | None:
        """--effective, checked; refused without --amends."""
        if self.effective is None:
            return None
        if self.amends is None:
            raise UsageError(msg(N_("--effective applies to an amendment: give --amends OLD too")))
        return parse_date(self.effective, option_date("--effective"))

    def planner(
        self, new: Protocol, policy: Policy, *, needs_date: bool = True
    ) -> "AmendedPlanner | None":
        """The amendment's planner (None without --amends), on the run's `policy`. `needs_date`:
        refuse a run with no --effective (a roster's amended_on may stand in for it)."""
        from mil62sched import protocol
        from mil62sched.amendment import AmendedPlanner

        effective = self.effective_date()
        if self.amends is None:
            return None
        if effective is None and needs_date:
            raise UsageError(
                msg(
                    N_("--amends needs --effective DATE: the day the amendment applies at the site")
                )
            )
        return AmendedPlanner(protocol.load(self.amends), new, policy, effective)


@dataclass(frozen=True, kw_only=True)
class RosterRunOptions:
    """A whole site's run, as `roster` and `agenda` take it (`commands.roster_run`): the roster,
    the protocol, the visits done or missed, how the site plans, its chairs, and how the files
    are read."""

    roster_file: Annotated[
        Path,
        typer.Argument(
            metavar="ROSTER",
            help=N_(
                "Roster CSV or .xlsx: participant,arm,start[,escalate_at,window] and a later "
                "period's start in <period>_start (e.g. olp_start)."
            ),
        ),
    ]
    protocol_file: ProtocolFile = None
    actuals: Annotated[
        Path | None,
        typer.Option(
            help="CSV or .xlsx participant,code,date[,status] of visits done or missed.",
            rich_help_panel=SITE_PANEL,
        ),
    ] = None
    site: SiteOptions
    chairs: Annotated[
        int | None,
        typer.Option(
            parser=_chairs,
            metavar="<int>",
            help="Infusion chairs per day (1 or more): flag fuller days (with --adjust, move "
            "infusions inside their windows). Default: the protocol's, else off.",
            rich_help_panel=SITE_PANEL,
        ),
    ] = None
    amendment: AmendmentOptions = AmendmentOptions()


# --- what is written, and how it is shown --------------------------------------------------------


@dataclass(frozen=True)
class CalendarOptions:
    """Timed calendar events (.ics): a start time, its zone, a length and reminders."""

    time: Annotated[
        str | None,
        typer.Option(
            help="Timed events starting at HH:MM instead of all-day ones.",
            rich_help_panel=CALENDAR_PANEL,
        ),
    ] = None
    tz: Annotated[
        str | None,
        typer.Option(
            help="IANA time zone of --time; default the site's, Asia/Shanghai.",
            rich_help_panel=CALENDAR_PANEL,
        ),
    ] = None
    duration: Annotated[
        str | None,
        typer.Option(
            help="Length of timed events, e.g. 3h or 90m; default 3h, a placeholder.",
            rich_help_panel=CALENDAR_PANEL,
        ),
    ] = None
    remind: Annotated[
        list[str] | None,
        typer.Option(
            metavar=REPEATABLE,
            help="A reminder this long before, e.g. 1d or 2h (repeatable).",
            rich_help_panel=CALENDAR_PANEL,
        ),
    ] = None

    def timing(self, protocol: Protocol) -> Timing | None:
        """Timed events when --time is given (in the protocol's time zone unless --tz), else
        None: all-day events."""
        if self.time is None and (self.tz is not None or self.duration is not None):
            raise UsageError(
                msg(N_("--tz and --duration apply to timed events: give --time HH:MM too"))
            )
        if self.time is None:
            return None
        return Timing(
            start=parse_clock(self.time),
            zone=check_timezone(protocol.timezone if self.tz is None else self.tz),
            duration=DEFAULT_DURATION
            if self.duration is None
            else parse_duration(self.duration, "--duration", LONGEST_INFUSION),
        )

    def reminders(self) -> tuple[timedelta, ...]:
        """How long before each event its reminders go off."""
        return tuple(
            parse_duration(text, "--remind", LONGEST_REMINDER) for text in self.remind or ()
        )

    def warn_unused(self, said: Diagnostics, fmt: "Format") -> None:
        """One warning when --time, --duration or --remind are given for a format that has no
        events to time (everything but .ics): they are ignored there, never silently. The time
        is not added to CSV/JSON: it is one value for every visit, already on the command line,
        and a planned clock time there would read as data the site recorded."""
        given = [name for name, value in (("--time", self.time), ("--duration", self.duration),
                                          ("--remind", self.remind)) if value]  # fmt: skip
        if fmt.timed or not given:
            return
        if len(given) == 1:
            said.warning(
                N_("{option} applies to .ics calendars only; ignored for {format}"),
                option=given[0],
                format=fmt.name,
            )
            return
        said.warning(
            N_("{options} apply to .ics calendars only; ignored for {format}"),
            options=Listing(given),
            format=fmt.name,
        )


def _output_file(text: str) -> Path:
    return check_path(text, "output", FILE_FORM)


def _split_folder(text: str) -> Path:
    return check_path(text, "split", FOLDER_FORM)


def _format(accepted: list[str], default: str = "table") -> Any:
    """--format, naming the formats a command accepts."""
    return typer.Option(
        "--format",
        help=f"One of {', '.join(accepted)}; default from -o's extension, else {default}.",
        rich_help_panel=OUTPUT_PANEL,
    )


OutputFile = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (- for stdout), not stdout.",
        rich_help_panel=OUTPUT_PANEL,
        parser=_output_file,
        metavar="<path>",
        callback=output_path,  # `-o -` is standard output for every command
    ),
]


@dataclass(frozen=True)
class OutputOptions:
    """What `plan` writes (--format) and where (-o, else standard output; --force to replace)."""

    format: Annotated[str | None, _format(formats.names())] = None
    output: OutputFile = None
    force: Force = False


@dataclass(frozen=True)
class RosterOutput:
    """What `roster` writes and where: one output, or one file per participant (--split)."""

    format: Annotated[
        str | None, _format(formats.names(roster=True), "table (ics with --split)")
    ] = None
    output: OutputFile = None
    split: Annotated[
        Path | None,
        typer.Option(
            parser=_split_folder,
            metavar="<path>",
            help="Write one file per participant into this folder, named by ID.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None
    force: Force = False


@dataclass(frozen=True)
class AgendaOutput(OutputOptions):
    """What `agenda` writes and where."""

    format: Annotated[str | None, _format(formats.names(agenda=True))] = None


# A change list's formats (`formats.changes.FORMATS`, not imported at each start), first the
# default.
CHANGE_FORMATS = ("table", "csv", "json", "md", "xlsx", "html")


@dataclass(frozen=True)
class AmendOutput(OutputOptions):
    """What `amend` writes (a change list's formats) and where."""

    format: Annotated[str | None, _format(list(CHANGE_FORMATS))] = None


# A screening's formats (`formats.screening.FORMATS`, not imported at each start), first the
# default.
SCREEN_FORMATS = ("table", "json", "csv", "md")


@dataclass(frozen=True)
class ScreenOutput(OutputOptions):
    """What `screen` writes (a screening's formats) and where."""

    format: Annotated[str | None, _format(list(SCREEN_FORMATS))] = None


@dataclass(frozen=True)
class CardOptions:
    """The printed card (html, pdf): the site file, the paper and the browser that prints."""

    site_file: Annotated[
        Path | None,
        typer.Option(
            "--site",
            help="TOML site file: name, address, phone, coordinator, contact, what_to_bring, "
            "call_us_if (and country, timezone, chairs). Default: the protocol's site.",
            rich_help_panel=CARD_PANEL,
        ),
    ] = None
    paper: Annotated[
        str | None,
        typer.Option(
            help="Paper size of the printed card: a4 or a5; default a4.",
            rich_help_panel=CARD_PANEL,
        ),
    ] = None
    browser: Annotated[
        str | None,
        typer.Option(
            help="Chromium-based browser that prints --format pdf; default chromium, "
            "chromium-browser or google-chrome on PATH.",
            rich_help_panel=CARD_PANEL,
        ),
    ] = None

    def at_site(self, protocol: Protocol) -> tuple[Protocol, SiteContact]:
        """The protocol as planned at the site of `--site FILE`, and its contact card
        (`at_site`)."""
        return at_site(protocol, self.site_file)

    def applied_to(
        self, presentation: Presentation, contact: SiteContact, lang: str | None
    ) -> Presentation:
        """`presentation` with the card's contact, paper, languages (`lang`: --lang as given on
        the command line; None: both) and browser, each checked."""
        from mil62sched.formats.html import check_languages, check_paper

        return presentation._replace(
            contact=contact,
            paper=check_paper(self.paper or "a4"),
            languages=check_languages(lang),
            browser=self.browser,
        )

    def warn_unused(self, said: Diagnostics, fmt: "Format") -> None:
        """One warning for each of --paper and --browser given with a format that does not use
        it (--paper: html and pdf; --browser: pdf): ignored there, never silently."""
        for option, value, used, template in (
            ("--paper", self.paper, fmt.printed,
             N_("{option} applies to the printed card (html, pdf) only; ignored for {format}")),
            ("--browser", self.browser, fmt.printed and fmt.binary,
             N_("{option} applies to --format pdf only; ignored for {format}")),
        ):  # fmt: skip
            if value is not None and not used:
                said.warning(template, option=option, format=fmt.name)


def at_site(protocol: Protocol, site_file: Path | None) -> tuple[Protocol, SiteContact]:
    """The protocol as planned at the site of `--site FILE` (its country, time zone and chairs
    where the file sets them), and its contact card; without a file, the protocol's site."""
    if site_file is None:
        return protocol, SiteContact.of(protocol)
    from mil62sched.site.site_file import load_contact

    contact = load_contact(site_file)
    return contact.applied_to(protocol), contact


NO_PHONE = N_(
    "the card shows no phone number to call: put the site's phone in a site file (key phone) and "
    "give it with --site FILE"
)


def warn_no_phone(said: Diagnostics, fmt: "Format", contact: SiteContact) -> None:
    """One warning when a printed card (html, pdf) tells the participant to call and gives no
    number: the site file, or its phone, is missing (issue 16)."""
    if fmt.printed and not contact.phone.strip():
        said.warning(NO_PHONE)


def presentation(
    env: Environment,
    protocol: Protocol,
    calendar: CalendarOptions,
    card: CardOptions,
    contact: SiteContact,
    *,
    styled: bool,
) -> Presentation:
    """How to show a plan in this run: styled for the terminal (`styled`: the format is made for
    one and goes to it) at its width, timed events and reminders (`calendar`), the run's
    language, the export instant (SOURCE_DATE_EPOCH when set: a reproducible build; else now),
    and the printed card's (`card.applied_to`)."""
    from mil62sched.formats.presentation import export_instant

    shown = Presentation(
        styled=styled,
        width=env.width if styled else None,
        timing=calendar.timing(protocol),
        reminders=calendar.reminders(),
        stamp=export_instant(env.environ.get("SOURCE_DATE_EPOCH")),
        lang=env.lang,
    )
    return card.applied_to(shown, contact, env.asked_lang)


def warn_ignored(
    said: Diagnostics, fmt: "Format", calendar: CalendarOptions, card: CardOptions,
    contact: SiteContact,
) -> None:  # fmt: skip
    """After a plan or a roster is written: the options `fmt` ignores, and a card with no phone
    number, each in a warning."""
    calendar.warn_unused(said, fmt)
    card.warn_unused(said, fmt)
    warn_no_phone(said, fmt, contact)


def warn_study_dates(env: Environment, plan: Plan) -> None:
    """The plan's notes on the registry's study dates, as warnings in the run's language (never
    an error)."""
    from mil62sched.formats.wording import study_date_notes

    for note in study_date_notes(plan):
        env.diagnostics.warning(note)
