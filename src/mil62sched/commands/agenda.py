"""The `agenda` command: what is due across the site, overdue visits first, then each of the
coming days, from a roster planned as `roster` plans it."""

from __future__ import annotations

from dataclasses import dataclass

from mil62sched import formats, protocol
from mil62sched.commands.options import AgendaOutput
from mil62sched.commands.roster_run import RosterRun, SiteWideOptions
from mil62sched.environment import Environment
from mil62sched.formats.presentation import PLAIN, export_instant
from mil62sched.outputs import check_target, write_text
from mil62sched.parse import option_date, parse_date
from mil62sched.roster import expand as batch
from mil62sched.roster.agenda import agenda, last_day


@dataclass(frozen=True)
class AgendaOptions(SiteWideOptions):
    """What `agenda` is given, as typed (`cli.agenda` declares each option)."""

    start: str | None  # --from, the first day; None: today
    days: int
    output: AgendaOutput


def run(env: Environment, options: AgendaOptions) -> None:
    """The site's agenda from --from (default today at the site) for --days days, written."""
    given, output, card = options.roster, options.output, options.card
    given.site.inputs.read_in(env)
    chosen = formats.choose(output.format, output.output, env.output, agenda=True)
    check_target(output.output, output.force)  # a file that exists: refused before the work
    assert chosen.render_agenda is not None  # `agenda=True` offers agenda formats only
    trial, contact = card.at_site(protocol.load(given.protocol_file))
    roster_run = RosterRun.prepare(env, trial, given, None, options.skip_bad)
    first = (
        roster_run.today
        if options.start is None
        else parse_date(options.start, option_date("--from"))
    )
    styled = output.output is None and chosen.terminal and env.styled()
    shown = card.applied_to(PLAIN, contact, env.asked_lang)
    tally = batch.Tally()
    # Plans stop at the agenda's last day: what comes after is not on it. An untracked
    # participant's start at its first day: their visits before it are not on it (`agenda`).
    plans, unplaced = roster_run.plans(tally, since=first, until=last_day(first, options.days))
    due = agenda(plans, first, options.days, roster_run.chairs, roster_run.today)
    if tally.errors and not roster_run.skip_bad:
        raise roster_run.bad_rows(tally)
    stamp = export_instant(env.environ.get("SOURCE_DATE_EPOCH"))  # a workbook's times
    shown = shown._replace(
        styled=styled, width=env.width if styled else None, lang=env.lang, stamp=stamp
    )
    text = chosen.render_agenda(due, shown)
    write_text(text, output.output, env.output, force=output.force, terminal=chosen.terminal)
    roster_run.report_chairs(unplaced)
    if tally.errors:
        raise roster_run.bad_rows(tally)
    card.warn_unused(env.diagnostics, chosen)
