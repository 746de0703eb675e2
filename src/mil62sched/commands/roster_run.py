"""A whole site's run, shared by `roster` and `agenda`: the roster (and the actuals) read as the
run reads its files, each participant planned with the site's policy, chairs counted and, with
`--adjust`, balanced, and the bad rows reported at the end, all at once.

Planning streams: each participant is read and planned before the next is read. Counting chairs
(`--chairs`, or the protocol's chairs), and balancing them, needs every plan at once and so holds
the roster in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mil62sched.amendment import AmendedPlanner
from mil62sched.commands.options import CardOptions, RosterRunOptions
from mil62sched.commands.progress import count_rows, track
from mil62sched.environment import Environment
from mil62sched.errors import BadRowsError
from mil62sched.inputs import readable_twice
from mil62sched.messages import N_, Message, Text, msg
from mil62sched.model.plan import Plan, Policy
from mil62sched.model.protocol import Protocol
from mil62sched.parse import more_bad_rows
from mil62sched.roster import expand as batch
from mil62sched.site import chairs as capacity


@dataclass(frozen=True)
class SiteWideOptions:
    """What `roster` and `agenda` are both given: the roster run, whether bad rows stop the
    valid ones from being written (--skip-bad), and the printed card."""

    roster: RosterRunOptions
    skip_bad: bool
    card: CardOptions


@dataclass(frozen=True)
class RosterRun:
    """One pass over a roster with the site's options, in the run's `Environment`."""

    env: Environment
    protocol: Protocol
    roster: Path
    policy: Policy
    actuals: Path | None = None
    chairs: int | None = None
    balance: bool = False  # move infusions to respect chairs (roster --adjust)
    skip_bad: bool = False
    # --amends: each participant's plan under the amendment (`protocol` is its new version)
    amendment: AmendedPlanner | None = None

    @classmethod
    def prepare(
        cls,
        env: Environment,
        protocol: Protocol,
        options: RosterRunOptions,
        tz: str | None,
        skip_bad: bool,
    ) -> RosterRun:
        """A run with the site's options (today at the site in `tz`, else the protocol's zone,
        unless --today); chairs default to the protocol's; `skip_bad`: bad rows do not stop
        the valid ones from being written."""
        reading = env.reading
        policy = options.site.policy(protocol, reading, tz)
        return cls(
            env=env,
            protocol=protocol,
            roster=readable_twice(options.roster_file, reading),
            policy=policy,
            actuals=None if options.actuals is None else readable_twice(options.actuals, reading),
            chairs=options.chairs if options.chairs is not None else protocol.chairs,
            balance=options.site.adjust,
            skip_bad=skip_bad,
            # A roster's amended_on may stand in for --effective, participant by participant.
            amendment=options.amendment.planner(protocol, policy, needs_date=False),
        )

    @property
    def today(self) -> date:
        """The run's today: --today, else the date at the site."""
        assert self.policy.today is not None  # SiteOptions.policy always sets it
        return self.policy.today

    def plans(
        self, tally: batch.Tally, since: date | None = None, until: date | None = None
    ) -> tuple[Iterator[Plan], list[Message]]:
        """Every valid participant's plan (bad rows go to `tally`), with infusions moved off
        over-full days when balancing (roster --adjust with chairs), and a warning per day that
        stays over-full; untouched, and streaming, otherwise. What an agenda needs of them:
        no further than `until`, and from `since` for a participant with nothing recorded
        (`batch.expand`); whole when balancing, which counts the chairs of every day, or
        amending."""
        read_as = self.protocol if self.amendment is None else self.amendment.replaced
        balancing = self.balance and self.chairs is not None
        plans = batch.expand(
            read_as, self.roster, self.policy, self.actuals, tally, reading=self.env.reading,
            amendment=self.amendment, since=None if balancing else since,
            until=None if balancing else until,
        )  # fmt: skip
        plans = track(plans, count_rows(self.roster), f"Planning {self.roster.name}", self.env)
        if not balancing:
            return plans, []
        assert self.chairs is not None  # balancing counts them
        balanced, unplaced = capacity.balance(list(plans), self.chairs, self.today)
        return iter(balanced), unplaced

    def report_chairs(self, unplaced: list[Message]) -> None:
        """A warning for each day left with more infusions than chairs."""
        for line in unplaced:
            self.env.diagnostics.warning(line)

    def bad_rows(self, tally: batch.Tally) -> BadRowsError:
        """The first `SHOWN_BAD_ROWS` bad rows, one line each, how many more there are, and what
        became of the valid ones."""
        count = tally.refused
        lines: list[Text] = [error.message() for error in tally.errors[:SHOWN_BAD_ROWS]]
        if count > SHOWN_BAD_ROWS:
            lines.append(more_bad_rows(count - SHOWN_BAD_ROWS))
        if self.skip_bad:
            summary = msg(
                N_("{count} bad row(s) skipped; {valid} participant(s) written"),
                count=count,
                valid=tally.planned,
            )
        elif not tally.planned:  # --skip-bad would write nothing either
            summary = msg(
                N_("{count} bad row(s); nothing written (fix them: no row is valid)"), count=count
            )
        else:
            summary = msg(
                N_(
                    "{count} bad row(s); nothing written (fix them, or use --skip-bad to write "
                    "the {valid} valid participant(s))"
                ),
                count=count,
                valid=tally.planned,
            )
        return BadRowsError(lines, summary)


# Enough to see what is wrong; a million lines would only bury the summary (issue 11).
SHOWN_BAD_ROWS = 100
