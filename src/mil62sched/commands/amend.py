"""The `amend` command: what a protocol amendment changes for each participant of a roster.

Each participant is planned on the old version and under the new one (`amendment`: the old
version before their switch date and for every recorded visit, the new from it on), and every
visit added, removed, moved, re-windowed or given another treatment is listed; the participants
it does not change are counted in one line. Bad rows are reported all at once, and nothing is
written unless every row is valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mil62sched import protocol
from mil62sched.amendment import AmendedPlanner, changes
from mil62sched.commands.options import AmendOutput, SiteOptions
from mil62sched.commands.roster_run import SHOWN_BAD_ROWS
from mil62sched.environment import Environment
from mil62sched.errors import BadRowsError, UsageError
from mil62sched.formats import output_is_folder, unknown_extension
from mil62sched.formats.changes import FORMATS, ChangeFormat, Shown
from mil62sched.formats.presentation import export_instant
from mil62sched.inputs import readable_twice
from mil62sched.messages import N_, Text, msg
from mil62sched.model.amendment import Change, ChangeList
from mil62sched.outputs import check_target, refuse_binary_terminal, write_text
from mil62sched.parse import more_bad_rows, option_date, parse_date
from mil62sched.roster import expand as batch


@dataclass(frozen=True)
class AmendOptions:
    """What `amend` is given, as typed (`cli.amend` declares each option)."""

    old: Path
    new: Path
    roster_file: Path
    actuals: Path | None
    effective: str | None
    site: SiteOptions
    output: AmendOutput


def run(env: Environment, options: AmendOptions) -> None:
    """Compare every participant's plan on the old version with their plan under the new one,
    and write the changes."""
    options.site.inputs.read_in(env)
    output = options.output
    chosen = choose(output.format, output.output)
    check_target(output.output, output.force)  # a file that exists: refused before the work
    if chosen.binary and output.output is None:
        refuse_binary_terminal(env.output, f"format {chosen.name!r}")
    old, new = protocol.load(options.old), protocol.load(options.new)
    effective = (
        None
        if options.effective is None
        else parse_date(options.effective, option_date("--effective"))
    )
    policy = options.site.policy(old, env.reading)
    planner = AmendedPlanner(old, new, policy, effective)
    reading = env.reading
    roster = readable_twice(options.roster_file, reading)
    actuals = None if options.actuals is None else readable_twice(options.actuals, reading)
    tally = batch.Tally()
    found: list[Change] = []
    unchanged: list[str] = []
    unblinded = False
    for before, mixed in batch.expand_amended(planner, roster, actuals, tally, reading=reading):
        unblinded = unblinded or mixed.unblinded or before.unblinded
        made = changes(before, mixed)
        found += made
        if not made:
            unchanged.append(mixed.participant or before.start.isoformat())
    if tally.errors:
        raise _bad_rows(tally)
    assert new.version is not None  # AmendedPlanner refuses a new file without one
    listed = ChangeList(
        old.id, old.version, new.version, effective, tuple(found), tuple(unchanged),
        tally.planned, unblinded,
    )  # fmt: skip
    stamp = export_instant(env.environ.get("SOURCE_DATE_EPOCH"))
    text = chosen.render(listed, Shown(env.lang, stamp))
    write_text(text, output.output, env.output, force=output.force, terminal=chosen.terminal)


def choose(fmt: str | None, output: Path | None) -> ChangeFormat:
    """`--format`, else from -o's extension, else table."""
    names = [f.name for f in FORMATS]
    if output is not None and output.is_dir():
        raise output_is_folder(output)
    if fmt is not None:
        for found in FORMATS:
            if found.name == fmt.strip().lower():
                return found
        accepted = msg(N_("accepted: {names}"), names=names)
        raise UsageError(msg(N_("unknown format")), value=fmt, accepted=accepted)
    if output is None or output.suffix == "":
        return FORMATS[0]
    for found in FORMATS:
        if output.suffix.lower() in found.extensions:
            return found
    extensions = [extension for f in FORMATS for extension in f.extensions]
    raise unknown_extension(output, extensions, names)


def _bad_rows(tally: batch.Tally) -> BadRowsError:
    """The first bad rows, one line each, and that nothing was written."""
    lines: list[Text] = [error.message() for error in tally.errors[:SHOWN_BAD_ROWS]]
    if tally.refused > SHOWN_BAD_ROWS:
        lines.append(more_bad_rows(tally.refused - SHOWN_BAD_ROWS))
    summary = msg(N_("{count} bad row(s); nothing written (fix them)"), count=tally.refused)
    return BadRowsError(lines, summary)
