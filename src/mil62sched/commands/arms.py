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


def run(env: Environment, options: ArmsOptions) -> None:
    """One heading line, then one line per arm, its name aligned for a terminal."""
    tr = i18n.words(env.lang)
    trial = protocol.load(options.protocol_file)
    lines = [tr("{protocol} ({registry}) arms:", protocol=trial.id, registry=trial.registry)]
    for arm in trial.arms.values():
        alias = tr("; alias: {names}", names=", ".join(arm.aliases)) if arm.aliases else ""
        count = sum(len(leg.schedule.infusions) for leg in arm.legs)
        masking = tr(arm.masking)
        masking += " " * (10 - i18n.cells(masking))
        infusions = tr("{count:>2} infusions", count=count)
        title = tr.term(arm.title)
        lines.append(f"  {arm.name:<24} {masking} {infusions}  {title}{alias}")
    env.stdout.write("".join(line + "\n" for line in lines))
