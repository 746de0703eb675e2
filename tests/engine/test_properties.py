"""Invariants of the engine and the exporters, for every arm and start dates 1900-2100.

The .ics output is read back by two parsers: icalendar (which wrote it) and vobject with
validation (an independent, strict one).

Arms are the eight single schedules and, since issue 3, the three Phase 3 journeys (RCP then OLP).
`engine.plan` checks no working days unless given a `Policy` with a site calendar (the CLI's
default, `CN_POLICY` here); the check costs time, so it is drawn (`POLICIES`) only where a
property should hold with it too, and the rest plan without it. Keep the file under ~15 s.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from mil62sched import engine, formats, protocol
from mil62sched.formats import ics
from mil62sched.formats.presentation import Presentation
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Plan, Policy
from mil62sched.site.workdays import SiteCalendar
from tests.conftest import ROOT, workbook_text

# Every format but pdf (the html card printed by a browser, seconds a page), which is checked in
# tests/browser/test_card.py on a few plans rather than on every example drawn here.
FORMATS = tuple(name for name in formats.names() if name != "pdf")

P = protocol.load()
ARMS = sorted(P.schedules)  # the single schedules (one period each)
JOURNEYS = sorted(name for name, arm in P.arms.items() if arm.journey)
ALL_ARMS = sorted(P.arms)
BLINDED = sorted(name for name, arm in P.arms.items() if arm.masking == "blinded")
UNBLINDED_BY_BLINDED = {
    name: sorted(arm.name for arm in P.arms.values() if arm.unblinds == name) for name in BLINDED
}
BLINDED_LABEL = "MIL62 1000 mg or matching placebo"
# Blinded outputs hold in every language of what people read (issue 9 #13): the combined label
# and the words that must not leak, per language.
LANGS = st.sampled_from(["en", "zh"])
BLINDED_LABELS = {"en": BLINDED_LABEL, "zh": "MIL62 1000 mg 或匹配安慰剂"}
PLACEBO_WORDS = {"en": "placebo", "zh": "placebo|安慰剂"}
UNBLINDED_WORDS = {"en": "unblinded", "zh": "unblinded|非盲"}
BLINDED_LABEL_ZH = BLINDED_LABELS["zh"]  # also the visit card's Chinese for it
# The machine contracts, the same in every language: the English label (a workbook holds the
# CSV's columns and values).
MACHINE_FORMATS = ("csv", "json", "xlsx")
STAMP = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
AT_STAMP = Presentation(stamp=STAMP)
CN_POLICY = Policy(site=SiteCalendar("CN"))  # what the CLI uses by default
POLICIES = st.sampled_from([None, CN_POLICY])
# The formats that print each visit's infusion (the month view, "calendar", prints visit codes
# only); every format in FORMATS is checked wherever a property applies to it. A workbook (xlsx)
# is checked as all a person can read in it: its properties, sheet names and cells.
LABELLED_FORMATS = ("table", "csv", "json", "md", "ics", "xlsx", "html")

STARTS = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
PARTICIPANTS = st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True).filter(
    lambda text: text not in {".", ".."}
)
# A participant ID is typed by the site; one that itself spells a treatment would make the
# "no treatment word leaks" checks meaningless, so those checks draw IDs without such words.
NEUTRAL_PARTICIPANTS = PARTICIPANTS.filter(
    lambda text: not re.search("placebo|mil62|1000|unblind", text, re.IGNORECASE)
)


def test_the_protocol_has_three_blinded_arms_each_with_two_unblinded_ones() -> None:
    """The properties below iterate over these; make sure they are not empty."""
    assert UNBLINDED_BY_BLINDED == {
        "phase3": ["phase3-mil62", "phase3-placebo"],
        "phase3-olp": ["phase3-olp-from-mil62", "phase3-olp-from-placebo"],
        "phase3-rcp": ["phase3-rcp-mil62", "phase3-rcp-placebo"],
    }
    assert JOURNEYS == ["phase3", "phase3-mil62", "phase3-placebo"]
    assert len(ARMS) == 8
    assert set(LABELLED_FORMATS) | {"calendar"} == set(FORMATS)
    assert {f.name for f in formats.all_formats() if f.binary} == {"xlsx", "pdf"}


def render(plan: Plan, fmt: str, lang: str = "en") -> str:
    """The format's output as text; a workbook's as all its text (`workbook_text`)."""
    output = formats.named(fmt).render(plan, AT_STAMP._replace(lang=lang))
    return workbook_text(output) if isinstance(output, bytes) else output


def blinded_name(arm: str) -> str:
    """The arm a blinded person sees for a participant on `arm`."""
    return P.arm(arm).unblinds or P.arm(arm).name


def olp_starts(start: date) -> st.SearchStrategy[dict[str, date] | None]:
    """No OLP start (the protocol's assumption, RCP W53D1) or one 1-800 days after `start`."""
    return st.none() | st.integers(1, 800).map(lambda days: {"OLP": start + timedelta(days)})


def without_blinded_label(outputs: dict[str, str], lang: str) -> dict[str, str]:
    """Each blinded output with its blinded label taken out, once checked that the label is
    there wherever treatments are printed and that no placebo or unblinded word is left."""
    rests = {}
    for fmt, text in outputs.items():
        rest = unfolded(text) if fmt == "ics" else text
        label = BLINDED_LABEL if fmt in MACHINE_FORMATS else BLINDED_LABELS[lang]
        if fmt in LABELLED_FORMATS:
            assert label in rest, fmt
        rest = rest.replace(label, "")
        if fmt == "html":  # the card is in both languages whatever `lang` says
            rest = rest.replace(BLINDED_LABEL, "").replace(BLINDED_LABEL_ZH, "")
            assert not re.search("placebo|安慰剂", rest, re.IGNORECASE), fmt
        assert not re.search(PLACEBO_WORDS[lang], rest, re.IGNORECASE), fmt
        assert not re.search(UNBLINDED_WORDS[lang], rest, re.IGNORECASE), fmt
        rests[fmt] = rest
    return rests


def uids(plan: Plan) -> list[str]:
    return [ics.uid(plan, visit) for visit in plan.visits]


# --- the engine ------------------------------------------------------------------------------


@settings(max_examples=100)
@given(arm=st.sampled_from(ARMS), start=STARTS, data=st.data())
def test_dates_are_ordered_and_agree_with_study_days(
    arm: str, start: date, data: st.DataObject
) -> None:
    schedule = P.schedule(arm)
    escalate_at = None
    if schedule.escalation is not None:
        allowed = [c for c in schedule.visits if c >= schedule.escalation.earliest]
        escalate_at = data.draw(st.none() | st.sampled_from(allowed))
    plan = engine.plan(P, arm, start, escalate_at=escalate_at)

    assert [v.code for v in plan.visits] == list(schedule.visits)
    dates = [v.date for v in plan.visits]
    assert dates[0] == start
    assert all(earlier < later for earlier, later in zip(dates, dates[1:], strict=False))
    for visit in plan.visits:
        assert visit.study_day == 7 * (visit.code.week - 1) + visit.code.day
        assert (visit.date - start).days == visit.study_day - 1
        assert VisitCode.from_study_day(visit.study_day) == visit.code
        if visit.code.day == 1:
            assert visit.date.weekday() == start.weekday(), visit.code


@settings(max_examples=60, deadline=None)
@given(arm=st.sampled_from(ARMS), start=STARTS, policy=POLICIES)
def test_json_date_minus_start_is_study_day_minus_one(
    arm: str, start: date, policy: Policy | None
) -> None:
    """Single-period arms, no window, no --adjust: nothing moves, with or without the
    working-day check, so every visit's JSON date is start + study day - 1."""
    document = json.loads(render(engine.plan(P, arm, start, policy=policy), "json"))
    assert document["start"] == start.isoformat()
    assert [(p["start"], p["start_assumed"]) for p in document["periods"]] == [
        (start.isoformat(), False)
    ]
    assert document["adjusted"] is False
    assert [v["code"] for v in document["visits"]] == [str(c) for c in P.schedule(arm).visits]
    for visit in document["visits"]:
        days = (date.fromisoformat(visit["date"]) - start).days
        assert days == visit["study_day"] - 1, visit["code"]
        assert visit["protocol_date"] == visit["date"]
        assert (visit["window_start"], visit["window_end"], visit["proposed_date"]) == (
            None,
            None,
            None,
        )
        assert visit["status"] == "planned"


@settings(max_examples=60, deadline=None)
@given(arm=st.sampled_from(JOURNEYS), start=STARTS, policy=POLICIES, data=st.data())
def test_journey_dates_count_from_their_own_period_start(
    arm: str, start: date, policy: Policy | None, data: st.DataObject
) -> None:
    """In a journey each visit's date minus its period's W1D1 (periods[].start in the JSON) is
    study day - 1; the RCP starts on `start`, the OLP on --olp-start or, assumed, RCP W53D1."""
    starts = data.draw(olp_starts(start))
    plan = engine.plan(P, arm, start, period_starts=starts, policy=policy)
    document = json.loads(render(plan, "json"))
    periods = {p["period"]: p for p in document["periods"]}
    assert list(periods) == ["RCP", "OLP"]
    assert periods["RCP"]["start"] == start.isoformat()
    olp_start = starts["OLP"] if starts else start + timedelta(days=364)  # RCP W53D1, day 365
    assert periods["OLP"]["start"] == olp_start.isoformat()
    assert periods["OLP"]["start_assumed"] is (starts is None)
    for visit in document["visits"]:
        period_start = date.fromisoformat(periods[visit["period"]]["start"])
        days = (date.fromisoformat(visit["date"]) - period_start).days
        assert days == visit["study_day"] - 1, (visit["period"], visit["code"])
        assert visit["protocol_date"] == visit["date"]
    # Each period's visits in its schedule's order. RCP visits on or after the OLP start are not
    # given (the participant has moved on): they stay in the plan as "dropped", so calendars can
    # cancel them; every other visit is planned.
    legs = {leg.period: leg.schedule for leg in P.arm(arm).legs}
    rcp = [v for v in document["visits"] if v["period"] == "RCP"]
    olp = [v for v in document["visits"] if v["period"] == "OLP"]
    assert document["visits"] == rcp + olp
    assert [v["code"] for v in rcp] == [str(code) for code in legs["RCP"].visits]
    assert [v["code"] for v in olp] == [str(code) for code in legs["OLP"].visits]
    assert [v["status"] for v in rcp] == [
        "dropped" if code.date_from(start) >= olp_start else "planned"
        for code in legs["RCP"].visits
    ]
    assert {v["status"] for v in olp} == {"planned"}


# --- .ics read back by two parsers -----------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(arm=st.sampled_from(ALL_ARMS), start=STARTS, participant=st.none() | PARTICIPANTS)
def test_ics_parses_back_to_the_same_dates(arm: str, start: date, participant: str | None) -> None:
    plan = engine.plan(P, arm, start, participant=participant)
    expected = [v.date for v in plan.visits]
    text = ics.render(plan, AT_STAMP)

    events = icalendar.Calendar.from_ical(text).walk("VEVENT")
    starts = [event.decoded("dtstart") for event in events]
    assert [type(value) for value in starts] == [date] * len(expected)  # all-day, not datetimes
    assert starts == expected
    assert [event.decoded("dtend") for event in events] == [d + timedelta(days=1) for d in expected]

    strict = vobject.readOne(text, validate=True)
    vstarts = [event.dtstart.value for event in strict.vevent_list]
    assert [type(value) for value in vstarts] == [date] * len(expected)
    assert vstarts == expected
    assert [event.uid.value for event in strict.vevent_list] == [str(e["uid"]) for e in events]


@settings(max_examples=60)
@given(arm=st.sampled_from(ALL_ARMS), start=STARTS, participant=st.none() | PARTICIPANTS)
def test_uids_are_unique_within_a_plan(arm: str, start: date, participant: str | None) -> None:
    found = uids(engine.plan(P, arm, start, participant=participant))
    assert len(set(found)) == len(found)


@settings(max_examples=60)
@given(
    blinded=st.sampled_from(BLINDED),
    start=STARTS,
    participant=st.none() | PARTICIPANTS,
    data=st.data(),
)
def test_uids_do_not_tell_the_arms_of_a_blinded_schedule_apart(
    blinded: str, start: date, participant: str | None, data: st.DataObject
) -> None:
    """Both arms of a blinded schedule (or journey) get the same UIDs, so no UID reveals an
    assignment.

    The blinded schedule's own calendar gets other UIDs than the unblinded arms: that is the
    design documented in export/ics.py (importing the pharmacist's calendar must never
    overwrite a blinded calendar's events with unblinded text). The first brief for these
    tests asked for one UID set across all three; the code chose this instead.
    """
    starts = data.draw(olp_starts(start)) if P.arm(blinded).journey else None
    shown = uids(engine.plan(P, blinded, start, participant=participant, period_starts=starts))
    first, second = (
        uids(engine.plan(P, arm, start, participant=participant, period_starts=starts))
        for arm in UNBLINDED_BY_BLINDED[blinded]
    )
    assert first == second
    assert not set(shown) & set(first)
    # What blinded staff import is the same whichever arm the participant is on.
    for arm in UNBLINDED_BY_BLINDED[blinded]:
        view = engine.plan(
            P, blinded_name(arm), start, participant=participant, period_starts=starts
        )
        assert uids(view) == shown


@settings(max_examples=100)
@given(
    arms=st.tuples(st.sampled_from(ALL_ARMS), st.sampled_from(ALL_ARMS)),
    starts=st.tuples(STARTS, STARTS),
    participants=st.tuples(PARTICIPANTS, PARTICIPANTS),
)
def test_different_participants_never_share_a_uid(
    arms: tuple[str, str], starts: tuple[date, date], participants: tuple[str, str]
) -> None:
    first, second = participants
    if first.upper() == second.upper():  # one participant, however spelled: one set of UIDs
        second = first + "x" if len(first) < 64 else first[:-1]
    one = engine.plan(P, arms[0], starts[0], participant=first)
    other = engine.plan(P, arms[1], starts[1], participant=second)
    assert not set(uids(one)) & set(uids(other))


@settings(max_examples=60)
@given(
    arms=st.tuples(st.sampled_from(ARMS), st.sampled_from(ARMS)),
    start=STARTS,
    participant=PARTICIPANTS,
)
def test_one_participant_in_two_schedule_families_gets_distinct_uids(
    arms: tuple[str, str], start: date, participant: str
) -> None:
    """An RCP calendar and an OLP calendar of the same participant must not overwrite each other."""
    one, other = (P.schedule(arm) for arm in arms)
    if one.blinded_name == other.blinded_name:
        return
    first = engine.plan(P, arms[0], start, participant=participant)
    second = engine.plan(P, arms[1], start, participant=participant)
    assert not set(uids(first)) & set(uids(second))


def test_a_plan_without_participant_never_shares_uids_with_a_participant() -> None:
    anonymous = engine.plan(P, "phase3-rcp", date(2024, 1, 1))
    named = engine.plan(P, "phase3-rcp", date(2024, 1, 1), participant="start-2024-01-01")
    assert not set(uids(anonymous)) & set(uids(named))


# --- blinded outputs ---------------------------------------------------------------------------


def blinded_view(
    arm: str,
    start: date,
    participant: str | None,
    period_starts: dict[str, date] | None = None,
    policy: Policy | None = None,
    lang: str = "en",
) -> dict[str, str]:
    """What blinded staff see for a participant on `arm`: the blinded schedule, every format."""
    plan = engine.plan(
        P,
        blinded_name(arm),
        start,
        participant=participant,
        period_starts=period_starts,
        policy=policy,
    )
    return {fmt: render(plan, fmt, lang) for fmt in FORMATS}


def unfolded(text: str) -> str:
    """RFC 5545 content lines folded at 75 octets, joined again."""
    return text.replace("\r\n ", "")


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(start=STARTS, participant=st.none() | NEUTRAL_PARTICIPANTS, lang=LANGS)
def test_blinded_rcp_outputs_do_not_depend_on_the_assignment(
    start: date, participant: str | None, lang: str
) -> None:
    """A participant on the MIL62 arm and one on the placebo arm get byte-identical blinded
    outputs (json, csv, md, table, ics), and those outputs name no treatment but the combined one,
    in English and in Chinese (the machine formats, csv and json, keep the English label).
    """
    on_mil62 = blinded_view("phase3-rcp-mil62", start, participant, lang=lang)
    on_placebo = blinded_view("phase3-rcp-placebo", start, participant, lang=lang)
    assert on_mil62 == on_placebo
    assert on_mil62 == blinded_view("phase3-rcp", start, participant, lang=lang)

    for fmt, rest in without_blinded_label(on_mil62, lang).items():
        assert "1000 mg" not in rest, fmt  # every RCP visit is blinded: no dose anywhere


@settings(max_examples=40, deadline=None)
@given(
    blinded=st.sampled_from(BLINDED),
    start=STARTS,
    participant=st.none() | NEUTRAL_PARTICIPANTS,
    data=st.data(),
)
def test_blinded_json_agrees_with_its_arms_except_what_it_hides(
    blinded: str, start: date, participant: str | None, data: st.DataObject
) -> None:
    starts = data.draw(olp_starts(start)) if P.arm(blinded).journey else None

    def document(arm: str) -> dict[str, Any]:
        plan = engine.plan(P, arm, start, participant=participant, period_starts=starts)
        loaded: dict[str, Any] = json.loads(render(plan, "json"))
        return loaded

    shown = document(blinded)
    assert shown["blinded"] is True
    assert shown["masking"] == "blinded"
    assert shown["notice"] is None
    assert shown["arm"] == blinded

    arms = [document(arm) for arm in UNBLINDED_BY_BLINDED[blinded]]
    for arm in arms:
        assert len(arm["visits"]) == len(shown["visits"])
        assert arm["periods"] == shown["periods"]
    hidden = 0
    for number, visit in enumerate(shown["visits"]):
        given_ = [arm["visits"][number] for arm in arms]
        for field in ("code", "study_day", "date", "weekday", "period"):
            assert {v[field] for v in given_} == {visit[field]}, field
        if visit["blinded"]:
            hidden += 1
            assert visit["treatment"] == BLINDED_LABEL
            assert visit["dose_mg"] is None
        else:
            # Shown only where both arms infuse the same thing.
            assert {(v["treatment"], v["dose_mg"]) for v in given_} == {
                (visit["treatment"], visit["dose_mg"])
            }
            assert "placebo" not in visit["treatment"].lower()
    assert hidden >= 1
    for arm in arms:
        assert arm["blinded"] is False
        assert arm["masking"] == "unblinded"
        assert "UNBLINDED" in (arm["notice"] or "")
        assert all(v["blinded"] is False for v in arm["visits"])


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(start=STARTS, participant=st.none() | NEUTRAL_PARTICIPANTS, lang=LANGS)
def test_blinded_olp_names_placebo_only_in_the_combined_label(
    start: date, participant: str | None, lang: str
) -> None:
    without_blinded_label(
        blinded_view("phase3-olp-from-mil62", start, participant, lang=lang), lang
    )


@pytest.mark.slow
@settings(max_examples=12, deadline=None)
@given(
    start=STARTS,
    participant=st.none() | NEUTRAL_PARTICIPANTS,
    policy=POLICIES,
    data=st.data(),
    lang=LANGS,
)
def test_blinded_journey_outputs_do_not_depend_on_the_assignment(
    start: date, participant: str | None, policy: Policy | None, data: st.DataObject, lang: str
) -> None:
    """A participant on the MIL62 journey and one on the placebo journey get byte-identical
    blinded outputs (the `phase3` journey, every format), with or without the working-day check
    and whatever the OLP start; they name no treatment but the combined one and MIL62 1000 mg
    (the OLP's open-label infusions)."""
    starts = data.draw(olp_starts(start))
    on_mil62 = blinded_view("phase3-mil62", start, participant, starts, policy, lang)
    on_placebo = blinded_view("phase3-placebo", start, participant, starts, policy, lang)
    assert on_mil62 == on_placebo
    assert on_mil62 == blinded_view("phase3", start, participant, starts, policy, lang)

    for fmt, rest in without_blinded_label(on_mil62, lang).items():
        assert not re.search(r"(?<![\d.])0 ?mg", rest), fmt  # no placebo dose "0 mg"


@settings(max_examples=30, deadline=None)
@given(start=STARTS, participant=st.none() | PARTICIPANTS, data=st.data())
def test_unblinded_journeys_share_uids_that_blinded_staff_never_see(
    start: date, participant: str | None, data: st.DataObject
) -> None:
    """The two unblinded journeys give the same UIDs (a UID does not tell the arms apart), and
    none of them is a UID of the blinded journey (the pharmacist's calendar never overwrites
    blinded events)."""
    starts = data.draw(olp_starts(start))
    on_mil62, on_placebo, blinded = (
        uids(engine.plan(P, arm, start, participant=participant, period_starts=starts))
        for arm in ("phase3-mil62", "phase3-placebo", "phase3")
    )
    assert on_mil62 == on_placebo
    assert len(set(on_mil62)) == len(on_mil62) == len(blinded)
    assert not set(on_mil62) & set(blinded)


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(
    arm=st.sampled_from(ALL_ARMS),
    start=STARTS,
    participant=st.none() | PARTICIPANTS,
    policy=POLICIES,
)
def test_every_export_is_deterministic(
    arm: str, start: date, participant: str | None, policy: Policy | None
) -> None:
    plan = engine.plan(P, arm, start, participant=participant, policy=policy)
    again = engine.plan(P, arm, start, participant=participant, policy=policy)
    for fmt in FORMATS:
        assert render(plan, fmt) == render(again, fmt), fmt


# --- the end of the calendar ---------------------------------------------------------------------


def test_ics_renders_the_latest_start_the_engine_accepts() -> None:
    # phase1b: W209D1 = start + 1456; 9996-01-04 + 1456 = 9999-12-30 (see engine/test_engine.py).
    plan = engine.plan(P, "phase1b-500", date(9996, 1, 4))
    assert plan.visits[-1].date == date(9999, 12, 30)
    text = ics.render(plan, AT_STAMP)
    assert "DTSTART;VALUE=DATE:99991230" in text
    assert "DTEND;VALUE=DATE:99991231" in text


# --- the printed card (html; its pdf in tests/browser/test_card.py) -------------------------

# Where an unblinded card may differ from the blinded one: the window's title, the UNBLINDED
# banner, the arm's line and what is infused: the infusion cells, or on a compact card what most
# infusions give (the "arm given" line) and what a visit gives else (under its code).
_PHARMACIST_ONLY = re.compile(
    r"<title>.*?</title>|<p class=\"banner\">.*?</p>\n|<div class=\"arm\">.*?</div>"
    r"|<div class=\"arm given\">.*?</div>|<span class=\"other\">.*?(?=</td>)"
    r"|(?<=<td class=\"infusion\">).*?(?=</td>)",
    re.DOTALL,
)
# A compact card's two columns part where their heights even out, which depends on what each
# visit gives: the twins may part at another visit. Their rows, read in order, are the same.
_COLUMN_BREAK = re.compile(r"</tbody>\n</table>\n(?:(?!<tbody>).)*?<tbody>\n", re.DOTALL)


def _pharmacist_blanked(card: str) -> str:
    return _COLUMN_BREAK.sub("", _PHARMACIST_ONLY.sub("", card))


@settings(max_examples=20, deadline=None)
@given(
    blinded=st.sampled_from(BLINDED),
    start=STARTS,
    participant=st.none() | NEUTRAL_PARTICIPANTS,
    policy=POLICIES,
    data=st.data(),
)
def test_a_blinded_card_differs_from_its_twins_only_where_the_pharmacist_must_see(
    blinded: str, start: date, participant: str | None, policy: Policy | None, data: st.DataObject
) -> None:
    """The pharmacist's cards (the unblinded twins) and the blinded card agree on every visit,
    date, mark and line of the site; they differ only in the title, the banner, the arm and what
    is infused."""
    starts = data.draw(olp_starts(start)) if P.arm(blinded).journey else None

    def card(arm: str) -> str:
        plan = engine.plan(
            P, arm, start, participant=participant, period_starts=starts, policy=policy
        )
        return render(plan, "html")

    shown = card(blinded)
    assert '<p class="banner">' not in shown
    for twin in UNBLINDED_BY_BLINDED[blinded]:
        theirs = card(twin)
        assert '<p class="banner">' in theirs
        assert _pharmacist_blanked(theirs) == _pharmacist_blanked(shown), twin


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(
    start=STARTS,
    participants=st.lists(NEUTRAL_PARTICIPANTS, min_size=1, max_size=3, unique_by=str.casefold),
    data=st.data(),
)
def test_blinded_roster_and_agenda_workbooks_reveal_no_assignment(
    start: date, participants: list[str], data: st.DataObject
) -> None:
    """A roster and an agenda workbook of blinded participants, each on the blinded schedule of
    whichever arm they are on: the same bytes whatever the assignments, and nothing a person
    can read in them (cells, sheet names, properties) names placebo, a dose of 0 mg, or
    'unblinded', except inside the combined label."""
    import io

    from mil62sched.formats import xlsx
    from mil62sched.roster.agenda import agenda

    blinded = data.draw(st.sampled_from(BLINDED))
    arms = UNBLINDED_BY_BLINDED[blinded]
    drawn = [data.draw(st.sampled_from(arms)) for _ in participants]

    def workbooks(assigned: list[str]) -> tuple[bytes, bytes]:
        plans = [
            engine.plan(P, blinded_name(arm), start, participant=who)
            for who, arm in zip(participants, assigned, strict=True)
        ]
        roster = io.BytesIO()
        xlsx.write_many(plans, AT_STAMP, roster)
        due = agenda(plans, start, 400, None, start + timedelta(days=30))
        return roster.getvalue(), xlsx.render_agenda(due, AT_STAMP)

    shown = workbooks(drawn)
    assert shown == workbooks([arms[0]] * len(participants))
    assert shown == workbooks([arms[-1]] * len(participants))
    for content in shown:
        text = workbook_text(content)
        assert BLINDED_LABEL in text
        assert "sheet: Blinded " in text
        rest = text.replace(BLINDED_LABEL, "")
        assert not re.search("placebo", rest, re.IGNORECASE)
        assert not re.search("unblinded", rest, re.IGNORECASE)
        assert not re.search(r"(?<![\d.])0 ?mg", rest)


# --- a second trial (issue 11): SAkuraStar's blinded double-blind period ----------------------

SATRA = protocol.load(ROOT / "examples" / "protocols" / "satralizumab-sakurastar.toml")
SATRA_BLINDED = "sakurastar-db"
SATRA_ARMS = ["sakurastar-db-placebo", "sakurastar-db-satralizumab"]
SATRA_LABEL = "Satralizumab 120 mg or placebo SC"
SATRA_PARTICIPANTS = PARTICIPANTS.filter(
    lambda text: not re.search("placebo|satra|120|unblind", text, re.IGNORECASE)
)


def test_the_second_trial_has_one_blinded_schedule_with_two_unblinded_ones() -> None:
    assert sorted(arm.name for arm in SATRA.arms.values() if arm.unblinds == SATRA_BLINDED) == (
        SATRA_ARMS
    )
    assert SATRA.arm(SATRA_BLINDED).masking == "blinded"


def satra_view(
    arm: str, start: date, participant: str | None, policy: Policy | None
) -> dict[str, str]:
    """What blinded staff see for a SAkuraStar participant on `arm`, every format."""
    shown = SATRA.arm(arm).unblinds or arm
    plan = engine.plan(SATRA, shown, start, participant=participant, policy=policy)
    return {fmt: render(plan, fmt) for fmt in FORMATS}


@pytest.mark.slow
@settings(max_examples=12, deadline=None)
@given(start=STARTS, participant=st.none() | SATRA_PARTICIPANTS, policy=POLICIES)
def test_blinded_satralizumab_outputs_do_not_depend_on_the_assignment(
    start: date, participant: str | None, policy: Policy | None
) -> None:
    """A participant on satralizumab and one on placebo get byte-identical blinded outputs, and
    they name no treatment but the combined one: no placebo, no dose, no unblinded arm."""
    on_drug = satra_view("sakurastar-db-satralizumab", start, participant, policy)
    on_placebo = satra_view("sakurastar-db-placebo", start, participant, policy)
    assert on_drug == on_placebo
    assert on_drug == satra_view(SATRA_BLINDED, start, participant, policy)
    for fmt, text in on_drug.items():
        rest = unfolded(text) if fmt == "ics" else text
        if fmt in LABELLED_FORMATS:
            assert SATRA_LABEL in rest, fmt
        rest = rest.replace(SATRA_LABEL, "")
        assert not re.search("placebo", rest, re.IGNORECASE), fmt
        assert "120 mg" not in rest, fmt
        assert not re.search("unblinded|satralizumab-|sakurastar-db-", rest, re.IGNORECASE), fmt


@settings(max_examples=20, deadline=None)
@given(start=STARTS, participant=st.none() | SATRA_PARTICIPANTS)
def test_blinded_satralizumab_json_agrees_with_its_arms_except_what_it_hides(
    start: date, participant: str | None
) -> None:
    def document(arm: str) -> dict[str, Any]:
        plan = engine.plan(SATRA, arm, start, participant=participant)
        loaded: dict[str, Any] = json.loads(render(plan, "json"))
        return loaded

    shown = document(SATRA_BLINDED)
    assert (shown["blinded"], shown["masking"], shown["notice"]) == (True, "blinded", None)
    arms = [document(arm) for arm in SATRA_ARMS]
    for number, visit in enumerate(shown["visits"]):
        given_ = [arm["visits"][number] for arm in arms]
        for field in ("code", "study_day", "date", "weekday", "period", "kind"):
            assert {v[field] for v in given_} == {visit[field]}, field
        if visit["kind"] == "infusion":
            assert (visit["treatment"], visit["dose_mg"], visit["blinded"]) == (
                SATRA_LABEL,
                None,
                True,
            )
        else:  # screening: nothing given, the same in every arm
            assert {(v["treatment"], v["dose_mg"]) for v in [*given_, visit]} == {(None, None)}
    assert [{v["dose_mg"] for v in arm["visits"] if v["kind"] == "infusion"} for arm in arms] == [
        {0},
        {120},
    ]


@settings(max_examples=20, deadline=None)
@given(start=STARTS, participant=st.none() | SATRA_PARTICIPANTS)
def test_satralizumab_uids_do_not_tell_the_arms_apart(start: date, participant: str | None) -> None:
    placebo, drug = (
        uids(engine.plan(SATRA, a, start, participant=participant)) for a in SATRA_ARMS
    )
    assert placebo == drug
    assert set(placebo).isdisjoint(
        uids(engine.plan(SATRA, SATRA_BLINDED, start, participant=participant))
    )


# --- protocol amendments (issue 18): change lists and mixed plans ----------------------------


def _amended_protocol() -> Any:
    """The example amendment, with one more made-up change that only the unblinded pharmacist
    may see: the MIL62 arm's RCP W27D1 becomes MIL62 1500 mg (the placebo arm's does not
    change, and the blinded schedule still says 'MIL62 1000 mg or matching placebo')."""
    import tomllib

    from mil62sched.protocol import build

    text = AMENDMENT_EXAMPLE.read_text(encoding="utf-8")
    at = text.index('name = "phase3-rcp-mil62"')
    line = 'treatment = "mil62-1000"\n'
    at = text.index(line, at) + len(line)
    text = text[:at] + 'overrides = { W27D1 = "mil62-1500" }\n' + text[at:]
    text = text.replace(
        "[[schedules]]",
        '[treatments.mil62-1500]\nlabel = "MIL62 1500 mg"\nproduct = "MIL62"\ndose_mg = 1500\n\n'
        "[[schedules]]",
        1,
    )
    problems: list[Any] = []
    built = build(tomllib.loads(text), problems)
    assert built is not None, problems
    return built


AMENDMENT_EXAMPLE = ROOT / "examples" / "protocols" / "mil62-ct303-amendment-example.toml"
AMENDED = _amended_protocol()
CHANGE_FORMATS = ("table", "csv", "json", "md", "html", "xlsx")


def change_outputs(listed: Any, lang: str) -> dict[str, str]:
    """Every format of a change list, as text (a workbook's as all its text)."""
    from mil62sched.formats.changes import FORMATS as CHANGES
    from mil62sched.formats.changes import Shown

    shown: dict[str, str] = {}
    for fmt in CHANGES:
        output = fmt.render(listed, Shown(lang, STAMP))
        shown[fmt.name] = workbook_text(output) if isinstance(output, bytes) else output
    assert set(shown) == set(CHANGE_FORMATS)
    return shown


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(
    blinded=st.sampled_from(["phase3-rcp", "phase3"]),
    start=st.dates(min_value=date(2024, 6, 1), max_value=date(2026, 6, 1)),
    participant=NEUTRAL_PARTICIPANTS,
    lang=LANGS,
)
def test_amendment_outputs_keep_the_blind(
    blinded: str, start: date, participant: str, lang: str
) -> None:
    """Under an amendment that changes one arm's dose only (MIL62 arm, RCP W27D1: 1000 mg to
    1500 mg), a blinded person's change list and mixed plan, in every format and language, name
    no dose of it, no placebo but in the combined label and nothing unblinded; the pharmacist's
    change lists tell the two arms apart and say UNBLINDED."""
    from hypothesis import assume

    from mil62sched import amendment
    from mil62sched.errors import UsageError
    from mil62sched.model.amendment import ChangeList

    effective = date(2025, 12, 1)
    planner = amendment.AmendedPlanner(P, AMENDED, Policy(today=date(2026, 6, 1)), effective)

    def listed(arm: str) -> tuple[Any, Plan]:
        try:
            before, mixed = planner.plans(arm, start, participant=participant)
        except UsageError:  # the effective date inside a changed visit's window: refused
            assume(False)
            raise
        found = tuple(amendment.changes(before, mixed))
        unchanged = () if found else (participant,)
        changes = ChangeList(
            "MIL62-CT303", None, "example-1", effective, found, unchanged, 1, mixed.unblinded
        )
        return changes, mixed

    shown, mixed = listed(blinded)
    views = {
        **change_outputs(shown, lang),
        **{f"plan {f}": render(mixed, f, lang) for f in FORMATS},
    }
    for fmt, text in views.items():
        rest = unfolded(text) if fmt == "plan ics" else text
        for label in (BLINDED_LABEL, BLINDED_LABELS[lang], BLINDED_LABEL_ZH):
            rest = rest.replace(label, "")
        # A calendar's UIDs are hashes, whose hex digits can spell 1500 (UID:826d575c-38fa-
        # 5f1b-bbfa-85446a011500 for DXBL_XC from 2024-06-01); what they reveal is checked by
        # the UID tests above, so they are left out here.
        rest = _UUID.sub("", rest)
        assert "1500" not in rest, fmt
        assert not re.search("placebo|安慰剂", rest, re.IGNORECASE), fmt
        assert not re.search(UNBLINDED_WORDS[lang], rest, re.IGNORECASE), fmt

    w27d1_after = start + timedelta(days=182) >= effective  # RCP W27D1 = start + 182 days
    twins = {arm: listed(arm)[0] for arm in UNBLINDED_BY_BLINDED[blinded]}
    for arm, changes in twins.items():
        doses = [c for c in changes.changes if c.kind == "treatment"]
        if arm.endswith("mil62") and w27d1_after:
            assert [(str(c.code), c.old_treatment, c.new_treatment) for c in doses] == [
                ("W27D1", "MIL62 1000 mg", "MIL62 1500 mg")
            ]
        else:
            assert doses == []
        outputs = change_outputs(changes, lang)
        assert "UNBLINDED" in outputs["table"]
        assert json.loads(outputs["json"])["notice"].startswith("UNBLINDED")
        assert "sheet: UNBLINDED changes" in outputs["xlsx"]
        assert 'class="banner"' in outputs["html"]
    # The blinded list is the same whichever arm the participant is really on: it is made from
    # the blinded arm alone, and says no more than the twins have in common.
    blinded_kinds = {(c.period, str(c.code), c.kind) for c in shown.changes}
    common = set.intersection(
        *({(c.period, str(c.code), c.kind) for c in t.changes} for t in twins.values())
    )
    assert blinded_kinds == common


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(_JSON_VALUES, st.sampled_from(["\n", "\n  ", "\n    "]))
def test_the_json_layout_is_json_dumps_indent_2_byte_for_byte(value: Any, newline: str) -> None:
    # issue 21 #3: the JSON format lays out its documents with the C encoder; the bytes must
    # stay json.dumps(indent=2)'s, nested as a roster nests each document in its array.
    from mil62sched.formats.json_document import indented

    expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", newline)
    assert indented(value, newline) == expected
