"""The `arms` command: a protocol's arms, which are blinded, how many infusions each gives, and
their aliases, in the run's language."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mil62sched import i18n, protocol
from mil62sched.environment import Environment


@dataclass(frozen=True)
class ArmsOptions:
    """What `arms` is given: the protocol file (None: the built-in one)."""

    protocol_file: Path | None


# `arms` writes for an 80-column terminal, the narrowest a site uses, whatever the width of
# the one it runs in: the same lines in a terminal, a pipe or a file.
WIDTH = 80
# A title with less room than this beside the columns starts on a line of its own.
NARROWEST_TITLE = 24
MASKING_CELLS = 10  # the longest masking word, "open-label"


def run(env: Environment, options: ArmsOptions) -> None:
    """One heading line, then one line per arm: its name, masking, infusions and title in
    columns as wide as the longest of each, the title going on under itself past 80 columns."""
    tr = i18n.words(env.lang)
    trial = protocol.load(options.protocol_file)
    lines = [tr("{protocol} ({registry}) arms:", protocol=trial.id, registry=trial.registry)]
    arms = list(trial.arms.values())
    counts = [sum(len(leg.schedule.infusions) for leg in arm.legs) for arm in arms]
    name_width = max(len(arm.name) for arm in arms)
    count_width = max(2, *(len(str(count)) for count in counts))
    for arm, count in zip(arms, counts, strict=True):
        alias = tr("; alias: {names}", names=list(arm.aliases)) if arm.aliases else ""
        masking = tr(arm.masking)
        masking += " " * (MASKING_CELLS - i18n.cells(masking))
        infusions = tr("{count} infusions", count=f"{count:>{count_width}}")
        columns = f"  {arm.name:<{name_width}}  {masking} {infusions}  "
        room = WIDTH - i18n.cells(columns)
        if room >= NARROWEST_TITLE:
            lines += _titled(tr.term(arm.title), alias, columns, " " * i18n.cells(columns))
        else:  # the columns leave the title too little room: it goes under them
            lines.append(columns.rstrip())
            lines += _titled(tr.term(arm.title), alias, " " * 6, " " * 6)
    env.stdout.write("".join(line + "\n" for line in lines))


def _titled(title: str, alias: str, first: str, indent: str) -> list[str]:
    """The title wrapped within 80 columns after `first`, then its alias: on the title's last
    line when it fits there, else on a line of its own (a word is never cut in two for it)."""
    lines = i18n.wrap(title, WIDTH, indent=indent, first=first)
    if not alias:
        return lines
    if i18n.cells(lines[-1] + alias) <= WIDTH:
        return [*lines[:-1], lines[-1] + alias]
    return [*lines, *i18n.wrap(alias.lstrip("; ；"), WIDTH, indent=indent, first=indent)]
