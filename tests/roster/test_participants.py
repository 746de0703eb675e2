"""The IDs a roster has named so far (`roster.participants.Participants`): each one's first line
and spelling, compared ignoring case, as a dict of casefolded IDs would give them, however many
there are and however their hashes collide."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mil62sched.roster import participants as module
from mil62sched.roster.participants import Participants

# IDs close to each other: a few letters in both cases (ß and ẞ casefold alike, as do K and the
# Kelvin sign), digits and a dash, so that clashes, prefixes and case variants are common.
IDS = st.text(alphabet="pPkK\u212a\u00df\u1e9e01-", min_size=1, max_size=6)


def model(named: list[tuple[str, int]]) -> dict[str, tuple[int, str]]:
    """What a dict of casefolded IDs gives: the first line and spelling of each."""
    first: dict[str, tuple[int, str]] = {}
    for participant, line in named:
        first.setdefault(participant.casefold(), (line, participant))
    return first


def answer(expected: dict[str, tuple[int, str]], participant: str) -> tuple[int, str] | None:
    """What `first` (and `add`, of an ID named before) gives: the line and the spelling, which
    is the casefolded ID's upper case when the row spelt it so."""
    want = expected.get(participant.casefold())
    if want is None:
        return None
    line, spelling = want
    upper = participant.casefold().upper()
    return line, spelling if spelling != upper else upper


def check(named: list[tuple[str, int]], asked: list[str]) -> None:
    seen = Participants()
    so_far: dict[str, tuple[int, str]] = {}
    for participant, line in named:
        # Adding an ID named before gives that row's line and spelling, and changes nothing.
        assert seen.add(participant, line) == answer(so_far, participant), participant
        so_far.setdefault(participant.casefold(), (line, participant))
    expected = model(named)
    for participant in [p for p, _ in named] + asked:
        want = answer(expected, participant)
        assert seen.first(participant) == want, participant
        assert (participant in seen) == (want is not None)


@settings(max_examples=300)
@given(named=st.lists(st.tuples(IDS, st.integers(2, 10**9)), max_size=60), asked=st.lists(IDS))
def test_the_first_line_and_spelling_of_each_id_as_a_dict_gives_them(
    named: list[tuple[str, int]], asked: list[str]
) -> None:
    check(named, asked)


@settings(max_examples=100)
@given(named=st.lists(st.tuples(IDS, st.integers(2, 10**9)), max_size=60), asked=st.lists(IDS))
def test_the_same_when_every_hash_collides(named: list[tuple[str, int]], asked: list[str]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "_hash", lambda key: 7)
        check(named, asked)


def test_many_ids_grow_the_table() -> None:
    named = [(f"CT303-{n:06d}", n + 2) for n in range(5000)]
    check(named + [("ct303-000042", 99999)], ["CT303-005000", "CT303-00004"])


def test_a_value_that_is_not_an_id_is_not_in_it() -> None:
    seen = Participants()
    seen.add("P1", 2)
    assert 1 not in seen
