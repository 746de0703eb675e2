"""The site-wide commands' work: a roster through the engine to the exporters and the disk.

`roster` streams: each participant is read, planned and written before the next is read, into a
staged output that is published only if every row was valid (or `--skip-bad` was given).
Counting chairs (`--chairs`, or the protocol's chairs), and balancing them with `--adjust`, needs
every plan at once and so holds the roster in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from mil62sched import formats
from mil62sched.commands.options import SiteOptions
from mil62sched.commands.progress import count_rows, track
from mil62sched.environment import Environment
from mil62sched.errors import BadRowsError, OutputError, UsageError
from mil62sched.formats import Format
from mil62sched.formats.presentation import Presentation, export_instant
from mil62sched.formats.wording import (
    after_study_completion,
    before_study_start,
    roster_study_dates,
)
from mil62sched.i18n import words
from mil62sched.inputs import readable_twice
from mil62sched.model.plan import Plan, Policy
from mil62sched.model.protocol import Protocol
from mil62sched.outputs import file_name_key, staged, staged_folder, write_text
from mil62sched.parse import UNBLINDED_PREFIX
from mil62sched.roster import expand as batch
from mil62sched.roster.agenda import agenda
from mil62sched.site import chairs as capacity


@dataclass(frozen=True)
class RosterRun:
    """One pass over a roster with the site's options."""

    env: Environment
    protocol: Protocol
    roster: Path
    policy: Policy
    actuals: Path | None = None
    chairs: int | None = None
    balance: bool = False  # move infusions to respect chairs (roster --adjust)
    skip_bad: bool = False

    @classmethod
    def prepare(
        cls,
        env: Environment,
        protocol: Protocol,
        roster: Path,
        site: SiteOptions,
        tz: str | None,
        actuals: Path | None,
        chairs: int | None,
        skip_bad: bool,
    ) -> RosterRun:
        """A run with the site's options (today at the site in `tz`, else the protocol's zone,
        unless --today); chairs default to the protocol's."""
        reading = env.reading
        return cls(
            env=env,
            protocol=protocol,
            roster=readable_twice(roster, reading),
            policy=site.policy(protocol, reading, tz),
            actuals=None if actuals is None else readable_twice(actuals, reading),
            chairs=chairs if chairs is not None else protocol.chairs,
            balance=site.adjust,
            skip_bad=skip_bad,
        )

    @property
    def today(self) -> date:
        """The run's today: --today, else the date at the site."""
        assert self.policy.today is not None  # SiteOptions.policy always sets it
        return self.policy.today


def roster_format(
    env: Environment, fmt: str | None, output: Path | None, split: Path | None
) -> Format:
    """The roster's output format: --format, else the output's extension, else table (ics with
    --split)."""
    if output is not None and split is not None:
        raise UsageError("give -o FILE or --split DIR, not both")
    default = "ics" if split is not None and output is None else "table"
    return formats.choose(fmt, output, env.output, roster=True, default=default)


def write_roster(
    run: RosterRun,
    fmt: Format,
    presentation: Presentation,
    *,
    output: Path | None = None,
    split: Path | None = None,
    force: bool = False,
) -> None:
    """Plan every participant and write them in `fmt`; bad rows are reported after, all at once."""
    tally = batch.Tally()
    plans, unplaced = _balanced(run, _plans(run, tally))
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
                f"{day.isoformat()}: {count} infusions for {run.chairs} chair(s)"
                for day, count in over_full.items()
            ]
    render, write_many = _writers(fmt, over_full)
    maskings = batch.arm_maskings(run.protocol, run.roster, run.env.reading)  # read ahead once
    if split is not None:
        with staged_folder(split, force=force) as folder:
            _report_mixed_masking(run, maskings)  # before any file is written
            claimed: dict[str, str | None] = {}
            for plan in plans:
                name = _split_name(plan, fmt)
                _claim(claimed, name, plan.participant, split)
                content = render(plan, presentation)
                if isinstance(content, bytes):
                    (folder / name).write_bytes(content)
                else:
                    (folder / name).write_text(content, encoding="utf-8", newline="")
            if tally.errors and not run.skip_bad:
                raise _bad_rows(run, tally)  # before the files are moved into place
    else:
        stdout = run.env.output
        with staged(output, stdout, force=force, terminal=fmt.terminal, binary=fmt.binary) as stage:
            _report_mixed_masking(run, maskings)  # once the output may be written, before it is
            assert write_many is not None  # roster_format offers roster formats only
            heading = _heading(run, maskings, presentation.lang) if fmt.named else None
            write_many(plans, presentation._replace(heading=heading), stage.stream)
            stage.keep = run.skip_bad or not tally.errors
    _report_chairs(run, unplaced)
    if run.skip_bad or not tally.errors:  # a roster was written: its dates are worth a warning
        study.report(run)
    if tally.errors:
        raise _bad_rows(run, tally)


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
            self.early, words(run.env.lang),
        )  # fmt: skip
        if line is not None:
            run.env.diagnostics.warning(line)


def write_agenda(
    run: RosterRun,
    first: date,
    days: int,
    fmt: Format,
    *,
    styled: bool = False,
    width: int | None = None,
    output: Path | None = None,
    force: bool = False,
    presentation: Presentation | None = None,
) -> None:
    """The site's agenda from `first` for `days` days; `width`: the terminal's, when styled;
    `presentation`: the printed card's options, for html and pdf."""
    assert fmt.render_agenda is not None  # the command offers agenda formats only
    tally = batch.Tally()
    plans, unplaced = _balanced(run, _plans(run, tally))
    due = agenda(plans, first, days, run.chairs, run.today)
    if tally.errors and not run.skip_bad:
        raise _bad_rows(run, tally)
    stamp = export_instant(run.env.environ.get("SOURCE_DATE_EPOCH"))  # a workbook's times
    shown = Presentation() if presentation is None else presentation
    shown = shown._replace(styled=styled, width=width, lang=run.env.lang, stamp=stamp)
    text = fmt.render_agenda(due, shown)
    write_text(text, output, run.env.output, force=force, terminal=fmt.terminal)
    _report_chairs(run, unplaced)
    if tally.errors:
        raise _bad_rows(run, tally)


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


def _balanced(run: RosterRun, plans: Iterator[Plan]) -> tuple[Iterator[Plan], list[str]]:
    """The plans with infusions moved off over-full days (roster --adjust with chairs), and a
    warning per day that stays over-full; untouched, and streaming, otherwise."""
    if not run.balance or run.chairs is None:
        return plans, []
    balanced, unplaced = capacity.balance(list(plans), run.chairs, run.today)
    return iter(balanced), unplaced


def _plans(run: RosterRun, tally: batch.Tally) -> Iterator[Plan]:
    plans = batch.expand(
        run.protocol, run.roster, run.policy, run.actuals, tally, reading=run.env.reading
    )
    return track(plans, count_rows(run.roster), f"Planning {run.roster.name}", run.env)


def _heading(run: RosterRun, maskings: dict[str, list[str]], lang: str = "en") -> str:
    """The roster output's name (a calendar's display name); loud when any arm is unblinded."""
    tr = words(lang)
    # A roster file named roster.csv would give 'roster roster': name it once.
    stem = run.roster.stem
    name = tr("{protocol} roster", protocol=run.protocol.id) + (
        "" if stem.lower() == "roster" else f" {stem}"
    )
    return tr("UNBLINDED {name}", name=name) if "unblinded" in maskings else name


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
            f"participants {other!r} and {participant!r} would both be written to "
            f"{str(folder / name)!r}: file names that differ only in letter case or Unicode form "
            "may be one file (Windows, macOS)"
        )


def _report_mixed_masking(run: RosterRun, maskings: dict[str, list[str]]) -> None:
    """One warning, before anything is written, when the roster has both blinded and unblinded
    arms (`batch.arm_maskings`)."""
    if "blinded" in maskings and "unblinded" in maskings:
        shown = ", ".join(maskings["unblinded"])
        line = (
            "the roster mixes blinded and unblinded arms (unblinded: "
            f"{shown}); unblinded outputs are for the unblinded pharmacist only"
        )
        run.env.diagnostics.warning(line)


def _report_chairs(run: RosterRun, unplaced: list[str]) -> None:
    for line in unplaced:
        run.env.diagnostics.warning(line)


# Enough to see what is wrong; a million lines would only bury the summary (issue 11).
SHOWN_BAD_ROWS = 100


def _bad_rows(run: RosterRun, tally: batch.Tally) -> BadRowsError:
    """The first `SHOWN_BAD_ROWS` bad rows, one line each, how many more there are, and what
    became of the valid ones."""
    count = tally.refused
    lines = [str(error) for error in tally.errors[:SHOWN_BAD_ROWS]]
    if count > SHOWN_BAD_ROWS:
        lines.append(f"... and {count - SHOWN_BAD_ROWS} more bad row(s)")
    if run.skip_bad:
        summary = f"{count} bad row(s) skipped; {tally.planned} participant(s) written"
    elif not tally.planned:  # --skip-bad would write nothing either
        summary = f"{count} bad row(s); nothing written (fix them: no row is valid)"
    else:
        summary = (
            f"{count} bad row(s); nothing written (fix them, or use --skip-bad to write the "
            f"{tally.planned} valid participant(s))"
        )
    return BadRowsError(lines, summary)
