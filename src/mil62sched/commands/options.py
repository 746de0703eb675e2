"""Command-line option values turned into engine and exporter inputs, shared by every command.

The CLI hands over the strings people typed; this module checks them (each refusal names the
value and what is accepted) and builds the `Policy`, `Records` and `Presentation` the engine and
exporters take.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from mil62sched.diagnostics import Diagnostics
from mil62sched.engine import later_period
from mil62sched.errors import UsageError
from mil62sched.formats.presentation import (
    DEFAULT_DURATION,
    PLAIN,
    Presentation,
    Timing,
    export_instant,
)
from mil62sched.i18n import N_, words
from mil62sched.inputs import Reading, readable_twice
from mil62sched.model.contact import SiteContact
from mil62sched.model.plan import ANCHORS, Anchor, Plan, Policy, Records, VisitKey
from mil62sched.model.protocol import Protocol
from mil62sched.parse import (
    check_timezone,
    excerpt,
    parse_actual,
    parse_clock,
    parse_date,
    parse_duration,
    parse_visit_key,
    parse_window,
)

if TYPE_CHECKING:
    from mil62sched.formats import Format
    from mil62sched.site.workdays import SiteCalendar  # imported on use: it may load holidays


# An infusion visit fits in a day at the clinic; a reminder comes at most four weeks ahead.
LONGEST_INFUSION = timedelta(hours=12)
LONGEST_REMINDER = timedelta(days=28)


class SiteOptions(NamedTuple):
    """How the site plans: the options `plan`, `roster` and `agenda` share."""

    window: str | None = None
    country: str | None = None
    no_holidays: bool = False
    holidays: Path | None = None
    adjust: bool = False
    anchor: str = "w1d1"
    today: str | None = None

    def policy(self, protocol: Protocol, reading: Reading, tz: str | None = None) -> Policy:
        """The engine's Policy (a --holidays file read as `reading` says). Today is --today when
        given, else the date at the site (in the protocol's time zone, or `tz`): the clock is
        read only when needed."""
        if self.anchor.lower() not in ANCHORS:
            raise UsageError(f"invalid --anchor {self.anchor!r}: accepted: {', '.join(ANCHORS)}")
        anchor: Anchor = "previous" if self.anchor.lower() == "previous" else "w1d1"
        return Policy(
            window=None if self.window is None else parse_window(self.window),
            site=self.site_calendar(protocol, reading),
            adjust=self.adjust,
            anchor=anchor,
            today=site_today(protocol, tz)
            if self.today is None
            else parse_date(self.today, "--today date"),
        )

    def site_calendar(self, protocol: Protocol, reading: Reading) -> SiteCalendar | None:
        """The working-day calendar: the protocol's country unless overridden; None when off."""
        from mil62sched.site.workdays import SiteCalendar, load_overrides

        if self.no_holidays:
            if self.holidays is not None or self.country is not None:
                raise UsageError(
                    "--no-holidays turns the working-day check off: drop --holidays and --country"
                )
            return None
        if self.holidays is None:
            overrides = None
        else:
            overrides = load_overrides(readable_twice(self.holidays, reading), reading)
        country = protocol.country if self.country is None else self.country
        return SiteCalendar(country, overrides)


def records(actual: Sequence[str], missed: Sequence[str]) -> Records:
    """Recorded visits from `--actual CODE=DATE` and `--missed CODE` values."""
    dates: dict[VisitKey, date] = {}
    for text in actual:
        key, when = parse_actual(text)
        if key in dates:
            raise UsageError(f"--actual {key} is given twice")
        dates[key] = when
    gone = frozenset(parse_visit_key(text, "--missed") for text in missed)
    both = gone & set(dates)
    if both:
        raise UsageError(f"{sorted(map(str, both))[0]} is given as both --actual and --missed")
    return Records(dates, gone)


def presentation(
    protocol: Protocol,
    *,
    styled: bool = False,
    width: int | None = None,
    time: str | None = None,
    tz: str | None = None,
    duration: str | None = None,
    remind: Sequence[str] = (),
    lang: str = "en",
    environ: Mapping[str, str] | None = None,
    card: CardOptions | None = None,
) -> Presentation:
    """How to show the plan: timed events when --time is given, reminders, terminal styling,
    the export instant: SOURCE_DATE_EPOCH in `environ` when set (a reproducible build), else
    now; and the
    printed card's site, paper, languages and browser."""
    if time is None and (tz is not None or duration is not None):
        raise UsageError("--tz and --duration apply to timed events: give --time HH:MM too")
    timing = None
    if time is not None:
        timing = Timing(
            start=parse_clock(time),
            zone=check_timezone(protocol.timezone if tz is None else tz),
            duration=DEFAULT_DURATION
            if duration is None
            else parse_duration(duration, "--duration", LONGEST_INFUSION),
        )
    reminders: tuple[timedelta, ...] = tuple(
        parse_duration(text, "--remind", LONGEST_REMINDER) for text in remind
    )
    shown = Presentation(
        styled=styled,
        width=width,
        timing=timing,
        reminders=reminders,
        stamp=export_instant((environ or {}).get("SOURCE_DATE_EPOCH")),
        lang=lang,
    )
    return shown if card is None else card.applied_to(shown)


class CardOptions(NamedTuple):
    """The printed card's options (html, pdf): `--site` (the contact, loaded), `--paper`, `--lang`
    when given on the command line (None: the card is in both languages), `--browser`."""

    contact: SiteContact | None = None
    paper: str | None = None  # None: not given, A4
    lang: str | None = None
    browser: str | None = None

    def applied_to(self, presentation: Presentation = PLAIN) -> Presentation:
        """`presentation` with the card's contact, paper, languages and browser, each checked."""
        from mil62sched.formats.html import check_languages, check_paper

        return presentation._replace(
            contact=self.contact,
            paper=check_paper(self.paper or "a4"),
            languages=check_languages(self.lang),
            browser=self.browser,
        )


def at_site(protocol: Protocol, site_file: Path | None) -> tuple[Protocol, SiteContact]:
    """The protocol as planned at the site of `--site FILE` (its country, time zone and chairs
    where the file sets them), and its contact card; without a file, the protocol's site."""
    if site_file is None:
        return protocol, SiteContact.of(protocol)
    from mil62sched.site.site_file import load_contact

    contact = load_contact(site_file)
    return contact.applied_to(protocol), contact


def warn_untimed(
    said: Diagnostics, fmt: Format, time: str | None, duration: str | None, remind: Sequence[str]
) -> None:
    """One warning on stderr when --time, --duration or --remind are given for a format that
    has no events to time (everything but .ics): they are ignored there, never silently. The
    time is not added to CSV/JSON: it is one value for every visit, already on the command line,
    and a planned clock time there would read as data the site recorded."""
    given = [name for name, value in (("--time", time), ("--duration", duration),
                                      ("--remind", remind)) if value]  # fmt: skip
    if fmt.timed or not given:
        return
    if len(given) == 1:
        said.warning(
            N_("{option} applies to .ics calendars only; ignored for {format}"),
            option=given[0],
            format=fmt.name,
        )
        return
    named = said.render(
        N_("{options} and {option}"), {"options": ", ".join(given[:-1]), "option": given[-1]}
    )
    said.warning(
        N_("{options} apply to .ics calendars only; ignored for {format}"),
        options=named,
        format=fmt.name,
    )


def warn_unprinted(said: Diagnostics, fmt: Format, paper: str | None, browser: str | None) -> None:
    """One warning on stderr for each of --paper and --browser given with a format that does not
    use it (--paper: html and pdf; --browser: pdf): ignored there, never silently."""
    for option, value, used, template in (
        ("--paper", paper, fmt.printed,
         N_("{option} applies to the printed card (html, pdf) only; ignored for {format}")),
        ("--browser", browser, fmt.printed and fmt.binary,
         N_("{option} applies to --format pdf only; ignored for {format}")),
    ):  # fmt: skip
        if value is not None and not used:
            said.warning(template, option=option, format=fmt.name)


NO_PHONE = N_(
    "the card shows no phone number to call: put the site's phone in a site file (key phone) and "
    "give it with --site FILE"
)


def warn_no_phone(said: Diagnostics, fmt: Format, contact: SiteContact) -> None:
    """One warning on stderr when a printed card (html, pdf) tells the participant to call and
    gives no number: the site file, or its phone, is missing (issue 16)."""
    if fmt.printed and not contact.phone.strip():
        said.warning(NO_PHONE)


def warn_study_dates(said: Diagnostics, plan: Plan, lang: str) -> None:
    """The plan's notes on the registry's study dates, as warnings on stderr (never an error)."""
    from mil62sched.formats.wording import study_date_notes

    for note in study_date_notes(plan, words(lang)):
        said.warning(note)


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


# `--olp-start DATE` is `--period-start OLP=DATE`: the built-in MIL62-CT303 file's name for its
# open-label period, kept as a shorthand for the sites that use it.
OLP_SHORTHAND = "OLP"


def period_starts(
    protocol: Protocol, arm: str, given: Sequence[str] = (), olp_start: str | None = None
) -> dict[str, date]:
    """Later periods' W1D1 from `--period-start PERIOD=DATE` (repeatable) and `--olp-start
    DATE`, by the arm's own names of its periods (matched ignoring case); each period once."""
    typed: list[tuple[str, str, str, str, str]] = []  # field, as typed, period, date, its name
    if olp_start is not None:
        typed.append(
            ("olp_start", f"--olp-start {olp_start}", OLP_SHORTHAND, olp_start, "--olp-start date")
        )
    for text in given:
        name, equals, when = text.rpartition("=")
        if not equals or not name.strip():
            raise UsageError(
                "invalid --period-start", value=excerpt(text), accepted="use PERIOD=YYYY-MM-DD"
            )
        shown = f"--period-start {excerpt(text.strip())}"
        typed.append(("period_start", shown, name, when, "--period-start date"))
    if not typed:
        return {}
    chosen = protocol.arm(arm)
    starts: dict[str, date] = {}
    first: dict[str, str] = {}  # period -> how its start was given
    for field, shown, name, when, what in typed:
        period = later_period(protocol, chosen, name, field)
        if period in starts:
            raise UsageError(
                f"the {period} start is given twice ({first[period]} and {shown}): give it once"
            )
        starts[period] = parse_date(when, what)
        first[period] = shown
    return starts
