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
from mil62sched.formats.changes import FORMATS, ChangeFormat, Shown
from mil62sched.formats.presentation import export_instant
from mil62sched.inputs import readable_twice
from mil62sched.model.amendment import Change, ChangeList
from mil62sched.outputs import refuse_binary_terminal, write_text
from mil62sched.parse import parse_date
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
    if chosen.binary and output.output is None:
        refuse_binary_terminal(env.output, f"format {chosen.name!r}")
    old, new = protocol.load(options.old), protocol.load(options.new)
    effective = (
        None if options.effective is None else parse_date(options.effective, "--effective date")
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
    names = ", ".join(f.name for f in FORMATS)
    if output is not None and output.is_dir():
        raise UsageError(f"output {str(output)!r} is a folder", accepted="give a file name")
    if fmt is not None:
        for found in FORMATS:
            if found.name == fmt.strip().lower():
                return found
        raise UsageError("unknown format", value=fmt, accepted=f"accepted: {names}")
    if output is None or output.suffix == "":
        return FORMATS[0]
    for found in FORMATS:
        if output.suffix.lower() in found.extensions:
            return found
    extensions = ", ".join(extension for f in FORMATS for extension in f.extensions)
    raise UsageError(
        f"cannot tell the format of {str(output)!r} from its extension",
        accepted=f"use one of {extensions} or give --format ({names})",
    )


def _bad_rows(tally: batch.Tally) -> BadRowsError:
    """The first bad rows, one line each, and that nothing was written."""
    lines = [str(error) for error in tally.errors[:SHOWN_BAD_ROWS]]
    if tally.refused > SHOWN_BAD_ROWS:
        lines.append(f"... and {tally.refused - SHOWN_BAD_ROWS} more bad row(s)")
    return BadRowsError(lines, f"{tally.refused} bad row(s); nothing written (fix them)")
