"""The `plan` command: every infusion date of one participant, in one format, written to a file
or standard output, with its warnings on standard error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mil62sched import engine, formats, protocol
from mil62sched.commands.options import (
    AmendmentOptions,
    CalendarOptions,
    CardOptions,
    OutputOptions,
    SiteOptions,
    presentation,
    warn_ignored,
    warn_study_dates,
)
from mil62sched.engine import later_period
from mil62sched.environment import Environment
from mil62sched.errors import UsageError
from mil62sched.messages import N_, Message, msg
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Records, VisitKey
from mil62sched.model.protocol import Protocol
from mil62sched.outputs import check_target, write_text
from mil62sched.parse import (
    check_participant,
    excerpt,
    option_date,
    parse_actual,
    parse_date,
    parse_visit_key,
)


@dataclass(frozen=True)
class PlanOptions:
    """What `plan` is given, as typed (`cli.plan` declares each option)."""

    arm: str
    start: str
    protocol_file: Path | None
    participant: str | None
    escalate_at: str | None
    period_start: list[str] | None
    olp_start: str | None
    actual: list[str] | None
    missed: list[str] | None
    site: SiteOptions
    amendment: AmendmentOptions
    calendar: CalendarOptions
    output: OutputOptions
    card: CardOptions


def run(env: Environment, options: PlanOptions) -> None:
    """Plan one participant and write the plan; then say what was ignored or is worth a look."""
    options.site.inputs.read_in(env)
    output, card = options.output, options.card
    chosen = formats.choose(output.format, output.output, env.output)
    check_target(output.output, output.force)  # a file that exists: refused before the work
    trial, contact = card.at_site(protocol.load(options.protocol_file))
    styled = output.output is None and chosen.terminal and env.styled()
    shown = presentation(env, trial, options.calendar, card, contact, styled=styled)
    policy = options.site.policy(trial, env.reading, options.calendar.tz)
    amended = options.amendment.planner(trial, policy)
    # Under an amendment the participant's arm and periods are the replaced version's.
    planner = engine.Planner(trial, policy) if amended is None else amended
    the_plan = planner.plan(
        options.arm,
        parse_date(options.start, option_date("--start")),
        participant=None if options.participant is None else check_participant(options.participant),
        escalate_at=None if options.escalate_at is None else VisitCode.parse(options.escalate_at),
        period_starts=period_starts(
            planner.protocol if amended is None else amended.replaced,
            options.arm,
            options.period_start or (),
            options.olp_start,
        ),
        records=records(options.actual or (), options.missed or ()),
    )
    rendered = chosen.render(the_plan, shown)
    write_text(rendered, output.output, env.output, force=output.force, terminal=chosen.terminal)
    warn_ignored(env.diagnostics, chosen, options.calendar, card, contact)
    warn_study_dates(env, the_plan)


def records(actual: Sequence[str], missed: Sequence[str]) -> Records:
    """Recorded visits from `--actual CODE=DATE` and `--missed CODE` values."""
    dates: dict[VisitKey, date] = {}
    for text in actual:
        key, when = parse_actual(text)
        if key in dates:
            raise UsageError(msg(N_("--actual {visit} is given twice"), visit=str(key)))
        dates[key] = when
    gone = frozenset(parse_visit_key(text, "--missed") for text in missed)
    both = gone & set(dates)
    if both:
        raise UsageError(
            msg(
                N_("{visit} is given as both --actual and --missed"),
                visit=sorted(map(str, both))[0],
            )
        )
    return Records(dates, gone)


# `--olp-start DATE` is `--period-start OLP=DATE`: the built-in MIL62-CT303 file's name for its
# open-label period, kept as a shorthand for the sites that use it.
OLP_SHORTHAND = "OLP"


def period_starts(
    protocol: Protocol, arm: str, given: Sequence[str] = (), olp_start: str | None = None
) -> dict[str, date]:
    """Later periods' W1D1 from `--period-start PERIOD=DATE` (repeatable) and `--olp-start
    DATE`, by the arm's own names of its periods (matched ignoring case); each period once."""
    # field, as typed, period, date, its name
    typed: list[tuple[str, str, str, str, Message]] = []
    if olp_start is not None:
        typed.append(
            (
                "olp_start",
                f"--olp-start {olp_start}",
                OLP_SHORTHAND,
                olp_start,
                option_date("--olp-start"),
            )
        )
    for text in given:
        name, equals, when = text.rpartition("=")
        if not equals or not name.strip():
            raise UsageError(
                msg(N_("invalid --period-start")),
                value=excerpt(text),
                accepted=msg(N_("use PERIOD=YYYY-MM-DD")),
            )
        shown = f"--period-start {excerpt(text.strip())}"
        typed.append(("period_start", shown, name, when, option_date("--period-start")))
    if not typed:
        return {}
    chosen = protocol.arm(arm)
    starts: dict[str, date] = {}
    first: dict[str, str] = {}  # period -> how its start was given
    for field, shown, name, when, what in typed:
        period = later_period(protocol, chosen, name, field)
        if period in starts:
            raise UsageError(
                msg(
                    N_("the {period} start is given twice ({first} and {second}): give it once"),
                    period=period,
                    first=first[period],
                    second=shown,
                )
            )
        starts[period] = parse_date(when, what)
        first[period] = shown
    return starts
