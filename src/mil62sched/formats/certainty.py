"""Dates that are not firm, marked: the one place that says why a planned date may change.

The engine gives every planned visit its doubts (`Visit.doubts`: an assumed period start,
provisional holiday data, a day after the study completion date). Every format that people
read marks such a date with the numbers of its footnotes (`2029-02-12 [1,2,3]`) and says each
reason once, below, in the reader's language; it asks this module for both and words nothing
itself. The contract formats (CSV, JSON) carry their own fields and no mark.
"""

from __future__ import annotations

from mil62sched.i18n import ENGLISH, N_, Words
from mil62sched.model.plan import Doubt, Reason, Visit

# Each footnote: "Date to be confirmed" and why, one clause per reason (its values: the
# doubt's `detail`). The card, in two languages, says the first part once and the clauses after.
TO_BE_CONFIRMED = N_("Date to be confirmed:")
FOOTNOTE = N_("Date to be confirmed: {why}.")
WHY: dict[Reason, str] = {
    "assumed-start": N_("the {period} start is assumed ({visit})"),
    "provisional-holidays": N_("that year's holiday data is provisional"),
    "after-completion": N_("after the study completion date {date} ({registry})"),
}


def why(doubt: Doubt, tr: Words = ENGLISH) -> str:
    """Why a date is not firm, as a clause in `tr`'s language.

    >>> why(Doubt("after-completion", ("2027-03-31", "NCT05314010")))
    'after the study completion date 2027-03-31 (NCT05314010)'
    """
    template = WHY[doubt.reason]
    if doubt.reason == "assumed-start":
        period, visit = doubt.detail
        return tr(template, period=tr.term(period), visit=visit)
    if doubt.reason == "after-completion":
        day, registry = doubt.detail
        return tr(template, date=day, registry=registry)
    return tr(template)


def footnote(doubt: Doubt, tr: Words = ENGLISH) -> str:
    """Why a date is not firm, as a sentence in `tr`'s language.

    >>> footnote(Doubt("assumed-start", ("OLP", "RCP W53D1")))
    'Date to be confirmed: the OLP start is assumed (RCP W53D1).'
    """
    return tr(FOOTNOTE, why=why(doubt, tr))


class Footnotes:
    """The footnotes of one output: each doubt numbered from 1 the first time a date has it,
    and said once, however many dates (or participants) share it."""

    def __init__(self) -> None:
        self._numbers: dict[Doubt, int] = {}

    def numbers(self, visit: Visit) -> list[int]:
        """The numbers of the visit's footnotes, in order; none for a firm date."""
        found = []
        for doubt in visit.doubts:
            number = self._numbers.get(doubt)
            if number is None:
                number = self._numbers[doubt] = len(self._numbers) + 1
            found.append(number)
        return sorted(found)

    def mark(self, visit: Visit) -> str:
        """The mark after a date that is not firm, `[1,3]`; empty for a firm one."""
        numbers = self.numbers(visit)
        return f"[{','.join(map(str, numbers))}]" if numbers else ""

    def dated(self, visit: Visit, text: str) -> str:
        """`text` (a date) with the visit's mark after it, when it has one."""
        mark = self.mark(visit)
        return f"{text} {mark}" if mark else text

    def notes(self) -> list[tuple[int, Doubt]]:
        """Every footnote met so far, by number."""
        return sorted((number, doubt) for doubt, number in self._numbers.items())

    def lines(self, tr: Words = ENGLISH) -> list[str]:
        """The footnotes, one line each: `[1] Date to be confirmed: ...`."""
        return [f"[{number}] {footnote(doubt, tr)}" for number, doubt in self.notes()]
