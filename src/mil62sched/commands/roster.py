"""The `roster` command: every participant of a roster planned, in one table, CSV, JSON,
workbook, calendar or set of cards, or one file each (`--split`).

It streams: each participant is read, planned and written before the next is read (PDF cards
with --split up to 100 at a time: `pdf.print_each`), into a staged output that is published only
if every row was valid (or `--skip-bad` was given).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from mil62sched import formats, protocol
from mil62sched.commands.options import (
    CalendarOptions,
    RosterOutput,
    presentation,
    warn_ignored,
)
from mil62sched.commands.roster_run import RosterRun, SiteWideOptions
from mil62sched.environment import Environment
from mil62sched.errors import OutputError, UsageError
from mil62sched.formats import Format
from mil62sched.formats.presentation import Presentation
from mil62sched.formats.wording import (
    after_study_completion,
    before_study_start,
    roster_study_dates,
)
from mil62sched.i18n import words
from mil62sched.messages import N_, msg
from mil62sched.model.plan import Plan
from mil62sched.outputs import file_name_key, staged, staged_folder
from mil62sched.parse import UNBLINDED_PREFIX
from mil62sched.roster import expand as batch
from mil62sched.site import chairs as capacity


@dataclass(frozen=True)
class RosterOptions(SiteWideOptions):
    """What `roster` is given, as typed (`cli.roster` declares each option)."""

    calendar: CalendarOptions
    output: RosterOutput


def run(env: Environment, options: RosterOptions) -> None:
    """Plan every participant of the roster and write them; then say what was ignored."""
    given, output, card = options.roster, options.output, options.card
    given.site.inputs.read_in(env)
    trial, contact = card.at_site(protocol.load(given.protocol_file))
    roster_run = RosterRun.prepare(env, trial, given, options.calendar.tz, options.skip_bad)
    chosen = roster_format(env, output)
    styled = output.output is None and output.split is None and chosen.terminal and env.styled()
    shown = presentation(env, roster_run.protocol, options.calendar, card, contact, styled=styled)
    write(roster_run, chosen, shown, output)
    warn_ignored(env.diagnostics, chosen, options.calendar, card, contact)


def roster_format(env: Environment, output: RosterOutput) -> Format:
    """The roster's output format: --format, else the output's extension, else table (ics with
    --split)."""
    if output.output is not None and output.split is not None:
        raise UsageError(msg(N_("give -o FILE or --split DIR, not both")))
    default = "ics" if output.split is not None and output.output is None else "table"
    return formats.choose(output.format, output.output, env.output, roster=True, default=default)


def write(run: RosterRun, fmt: Format, presentation: Presentation, output: RosterOutput) -> None:
    """Plan every participant and write them in `fmt`; bad rows are reported after, all at once."""
    tally = batch.Tally()
    plans, unplaced = run.plans(tally)
    study = _StudyDates()
    plans = study.counted(plans)
    over_full: dict[date, int] | None = None
    if run.chairs is not None:
        # Counting chairs needs every plan: with --chairs the roster is held, not streamed.
        held = list(plans)
        over_full = capacity.over(held, run.chairs)
        plans = iter(held)
        if not run.balance:  # balancing already warns for each day it left over-full
            unplaced = [
                msg(
                    N_("{day}: {count} infusions for {chairs} chair(s)"),
                    day=day,
                    count=count,
                    chairs=run.chairs,
                )
                for day, count in over_full.items()
            ]
    render, write_many = _writers(fmt, over_full)
    # Read ahead once; under --amends the roster names the old version's arms (an amendment
    # keeps each arm's masking, `amendment.new_arm`).
    written_in = run.protocol if run.amendment is None else run.amendment.replaced
    maskings = batch.arm_maskings(written_in, run.roster, run.env.reading)
    if output.split is not None:
        with staged_folder(output.split, force=output.force) as folder:
            _report_mixed_masking(run, maskings)  # before any file is written
            named = _named(plans, fmt, output.split)
            each = (
                ((name, render(plan, presentation)) for name, plan in named)
                if fmt.render_each is None
                else fmt.render_each(named, presentation)
            )
            for name, content in each:
                if isinstance(content, bytes):
                    (folder / name).write_bytes(content)
                else:
                    (folder / name).write_text(content, encoding="utf-8", newline="")
            if tally.errors and not run.skip_bad:
                raise run.bad_rows(tally)  # before the files are moved into place
    else:
        with staged(
            output.output, run.env.output, force=output.force, terminal=fmt.terminal,
            binary=fmt.binary,
        ) as stage:  # fmt: skip
            _report_mixed_masking(run, maskings)  # once the output may be written, before it is
            assert write_many is not None  # roster_format offers roster formats only
            heading = _heading(run, maskings, presentation.lang) if fmt.named else None
            write_many(plans, presentation._replace(heading=heading), stage.stream)
            stage.keep = run.skip_bad or not tally.errors
    run.report_chairs(unplaced)
    if run.skip_bad or not tally.errors:  # a roster was written: its dates are worth a warning
        study.report(run)
    if tally.errors:
        raise run.bad_rows(tally)


class _StudyDates:
    """How many of a roster's participants start before the study start or have visits after
    its completion date, counted as the plans stream past: one warning for the roster."""

    def __init__(self) -> None:
        self.early = 0
        self.late = 0

    def counted(self, plans: Iterator[Plan]) -> Iterator[Plan]:
        """The same plans, counted."""
        for plan in plans:
            self.early += before_study_start(plan)
            self.late += any(after_study_completion(plan, v) for v in plan.given)
            yield plan

    def report(self, run: RosterRun) -> None:
        """One warning line on stderr, when any participant is outside the study dates."""
        protocol = run.protocol
        line = roster_study_dates(
            protocol.registry, protocol.study_completion, protocol.study_start, self.late,
            self.early,
        )  # fmt: skip
        if line is not None:
            run.env.diagnostics.warning(line)


Render = Callable[[Plan, Presentation], str | bytes]
WriteMany = Callable[[Iterable[Plan], Presentation, IO[Any]], None]


def _writers(fmt: Format, over_full: dict[date, int] | None) -> tuple[Render, WriteMany | None]:
    """The format's renderer and roster writer; CSV and JSON given the over-full days, when
    chairs were counted, for their `over_capacity` field (the other formats have no such field:
    the warnings on stderr say it for them)."""
    if over_full is not None and fmt.name in ("csv", "json", "xlsx"):
        import functools

        from mil62sched.formats import csv_rows, json_document, xlsx

        module = {"csv": csv_rows, "json": json_document, "xlsx": xlsx}[fmt.name]
        return (
            functools.partial(module.render, over_full=over_full),
            functools.partial(module.write_many, over_full=over_full),
        )
    return fmt.render, fmt.write_roster


def _heading(run: RosterRun, maskings: dict[str, list[str]], lang: str = "en") -> str:
    """The roster output's name (a calendar's display name); loud when any arm is unblinded."""
    tr = words(lang)
    # A roster file named roster.csv would give 'roster roster': name it once.
    stem = run.roster.stem
    name = tr("{protocol} roster", protocol=run.protocol.id) + (
        "" if stem.lower() == "roster" else f" {stem}"
    )
    return tr("UNBLINDED {name}", name=name) if "unblinded" in maskings else name


def _named(plans: Iterable[Plan], fmt: Format, folder: Path) -> Iterator[tuple[str, Plan]]:
    """Each plan with its file in --split's `folder`, each name claimed as it comes (`_claim`)."""
    claimed: dict[str, str | None] = {}
    for plan in plans:
        name = _split_name(plan, fmt)
        _claim(claimed, name, plan.participant, folder)
        yield name, plan


def _split_name(plan: Plan, fmt: Format) -> str:
    """A participant's file in --split: the pharmacist's (unblinded) files say so in their name,
    so nobody can take one for the coordinators' file of the same participant."""
    name = f"{plan.participant}{fmt.extensions[0]}"
    return f"{UNBLINDED_FILE_PREFIX}{name}" if plan.unblinded else name


UNBLINDED_FILE_PREFIX = UNBLINDED_PREFIX  # which no participant ID may begin with


def _claim(
    claimed: dict[str, str | None], name: str, participant: str | None, folder: Path
) -> None:
    """Take the file `name` in --split's `folder` for `participant`, or refuse the run when an
    earlier participant has it, in any letter case or Unicode form (one file on Windows and
    macOS): the second file would silently replace the first. `claimed`: the names taken, as
    `file_name_key` folds them, and by whom."""
    key = file_name_key(name)
    other = claimed.setdefault(key, participant)
    if other != participant:
        raise OutputError(
            msg(
                N_(
                    "participants {participant!r} and {other!r} would both be written to {path!r}: "
                    "file names that differ only in letter case or Unicode form may be one file "
                    "(Windows, macOS)"
                ),
                participant=other,
                other=participant,
                path=str(folder / name),
            )
        )


def _report_mixed_masking(run: RosterRun, maskings: dict[str, list[str]]) -> None:
    """One warning, before anything is written, when the roster has both blinded and unblinded
    arms (`batch.arm_maskings`)."""
    if "blinded" in maskings and "unblinded" in maskings:
        run.env.diagnostics.warning(
            msg(
                N_(
                    "the roster mixes blinded and unblinded arms (unblinded: {arms}); unblinded "
                    "outputs are for the unblinded pharmacist only"
                ),
                arms=maskings["unblinded"],
            )
        )
