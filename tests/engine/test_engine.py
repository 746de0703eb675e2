"""The engine: every arm expanded to dated infusions, checked against dates worked out by hand.

Calendar work (done on paper, with day-of-year tables; checked against known weekdays:
2024-01-01 Mon, 2025-01-01 Wed, 2026-01-01 Thu, 2027-01-01 Fri, 2028-01-01 Sat, 1900-01-01 Mon).
Offset = study day - 1. Days before each month's end in a common year: Jan 31, Feb 59, Mar 90,
Apr 120, May 151, Jun 181, Jul 212, Aug 243 (one more from March in a leap year).

Start 2024-01-01 (2024 is a leap year, 366 days):
  W1D1   +0     2024-01-01
  W3D1   +14    2024-01-15
  W25D1  +168   day-of-year 169 of 2024: 169 - 152 (to May 31) = June 17      -> 2024-06-17
  W27D1  +182   day-of-year 183 of 2024: 183 - 182 (to Jun 30) = July 1       -> 2024-07-01
  W53D1  +364   day-of-year 365 of 366                                       -> 2024-12-30
  W79D1  +546   546 - 366 = 180 -> day-of-year 181 of 2025 = June 30         -> 2025-06-30
  W105D1 +728   728 - 366 = 362 -> day-of-year 363 of 2025                   -> 2025-12-29
  W131D1 +910   910 - 731 = 179 -> day-of-year 180 of 2026                   -> 2026-06-29
  W157D1 +1092  1092 - 731 = 361 -> day-of-year 362 of 2026                  -> 2026-12-28
  W183D1 +1274  1274 - 1096 = 178 -> day-of-year 179 of 2027                 -> 2027-06-28
  W209D1 +1456  1456 - 1096 = 360 -> day-of-year 361 of 2027                 -> 2027-12-27
All are Mondays (every offset is a multiple of 7): e.g. 2027-12-27 Mon, 12-31 Fri, 2028-01-01 Sat.
"""

from __future__ import annotations

from datetime import date

import pytest

from mil62sched import engine, protocol
from mil62sched.errors import UsageError
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Plan, Policy
from mil62sched.site.workdays import SiteCalendar

P = protocol.load()

FROM_2024 = {
    "W1D1": date(2024, 1, 1),
    "W3D1": date(2024, 1, 15),
    "W25D1": date(2024, 6, 17),
    "W27D1": date(2024, 7, 1),
    "W53D1": date(2024, 12, 30),
    "W79D1": date(2025, 6, 30),
    "W105D1": date(2025, 12, 29),
    "W131D1": date(2026, 6, 29),
    "W157D1": date(2026, 12, 28),
    "W183D1": date(2027, 6, 28),
    "W209D1": date(2027, 12, 27),
}
PHASE1B = ["W1D1", "W3D1", "W25D1", "W27D1", "W53D1", "W79D1",
           "W105D1", "W131D1", "W157D1", "W183D1", "W209D1"]  # fmt: skip
RCP = ["W1D1", "W3D1", "W25D1", "W27D1"]
OLP = ["W1D1", "W3D1", "W27D1", "W53D1", "W79D1", "W105D1", "W131D1"]
ARM_VISITS = {
    "phase1b-500": PHASE1B,
    "phase1b-1000": PHASE1B,
    "phase3-rcp": RCP,
    "phase3-rcp-mil62": RCP,
    "phase3-rcp-placebo": RCP,
    "phase3-olp": OLP,
    "phase3-ocp": OLP,
    "phase3-olp-from-mil62": OLP,
    "phase3-olp-from-placebo": OLP,
}
BLINDED_LABEL = "MIL62 1000 mg or matching placebo"


def dated(plan: Plan) -> list[tuple[str, int, date]]:
    return [(str(v.code), v.study_day, v.date) for v in plan.visits]


def infused(plan: Plan) -> dict[str, tuple[str, int | None]]:
    """What each visit infuses, as (product, dose in mg)."""
    return {str(v.code): (v.treatment.product, v.treatment.dose_mg) for v in plan.visits}


@pytest.mark.parametrize(("arm", "codes"), sorted(ARM_VISITS.items()))
def test_every_arm_from_2024_01_01_gives_the_hand_computed_dates(
    arm: str, codes: list[str]
) -> None:
    plan = engine.plan(P, arm, date(2024, 1, 1))
    study_days = {"W1D1": 1, "W3D1": 15, "W25D1": 169, "W27D1": 183, "W53D1": 365,
                  "W79D1": 547, "W105D1": 729, "W131D1": 911, "W157D1": 1093,
                  "W183D1": 1275, "W209D1": 1457}  # fmt: skip
    assert dated(plan) == [(code, study_days[code], FROM_2024[code]) for code in codes]
    assert all(v.date.weekday() == 0 for v in plan.visits)  # all Mondays, like 2024-01-01


def test_plan_keeps_its_inputs() -> None:
    plan = engine.plan(P, "phase3-ocp", date(2024, 1, 1), participant="CT303-0042")
    assert plan.arm.name == "phase3-olp"  # the alias resolves
    assert plan.arm is P.arm("phase3-olp")
    assert [leg.schedule for leg in plan.arm.legs] == [P.schedule("phase3-olp")]
    assert not plan.arm.journey
    assert plan.start == date(2024, 1, 1)
    assert plan.participant == "CT303-0042"
    assert plan.escalate_at is None
    assert plan.protocol is P
    # One period, starting on the given W1D1 (not assumed).
    assert [(p.name, p.start, p.assumed, p.assumed_at) for p in plan.periods] == [
        ("OLP", date(2024, 1, 1), False, None)
    ]


def test_without_a_policy_nothing_is_checked_or_moved() -> None:
    """The engine's default is no working-day check: 2024-01-01 (New Year's Day) is not flagged.

    The property tests rely on this default to stay fast; the CLI passes the CN calendar.
    """
    plan = engine.plan(P, "phase1b-500", date(2024, 1, 1))
    assert plan.policy == Policy()
    assert plan.policy.site is None
    assert not plan.holidays_provisional
    for visit in plan.visits:
        assert visit.date == visit.target == FROM_2024[str(visit.code)]
        assert not visit.moved
        assert (visit.working_day, visit.non_working_reason) == (True, None)
        assert (visit.proposed, visit.note, visit.window) == (None, None, None)
        assert (visit.status, visit.actual, visit.holidays_provisional) == ("planned", None, False)


def test_with_the_cn_calendar_new_years_day_is_flagged_but_w1d1_stays() -> None:
    # 2024-01-01 is New Year's Day (State Council notice for 2024: "元旦：1月1日放假"); W1D1 is
    # the start of the timeline and never moves. 2027 has no notice in the installed data yet.
    policy = Policy(site=SiteCalendar("CN"))
    plan = engine.plan(P, "phase1b-500", date(2024, 1, 1), policy=policy)
    first = plan.visits[0]
    assert (first.date, first.working_day, first.non_working_reason) == (
        date(2024, 1, 1),
        False,
        "New Year's Day",
    )
    assert first.note is not None
    assert "never moved" in str(first.note)
    assert [str(v.code) for v in plan.visits if not v.working_day] == ["W1D1"]
    assert [str(v.code) for v in plan.visits if v.holidays_provisional] == ["W183D1", "W209D1"]
    assert [v.date for v in plan.visits] == list(FROM_2024.values())  # no date moved


@pytest.mark.parametrize(
    ("arm", "period"),
    [("phase1b-500", "Phase 1b"), ("phase3-rcp-placebo", "RCP"), ("phase3-olp", "OLP")],
)
def test_every_visit_carries_its_period(arm: str, period: str) -> None:
    assert {v.period for v in engine.plan(P, arm, date(2024, 1, 1)).visits} == {period}


# --- what is infused, per the registry text ---------------------------------------------------


def test_phase1b_500_is_500_mg_everywhere() -> None:
    plan = engine.plan(P, "phase1b-500", date(2024, 1, 1))
    assert infused(plan) == dict.fromkeys(PHASE1B, ("MIL62", 500))
    assert not plan.blinded
    assert not plan.unblinded


def test_phase1b_1000_is_1000_mg_everywhere() -> None:
    plan = engine.plan(P, "phase1b-1000", date(2024, 1, 1))
    assert infused(plan) == dict.fromkeys(PHASE1B, ("MIL62", 1000))


def test_escalation_at_w53d1_gives_500_mg_to_w27d1_then_1000_mg() -> None:
    plan = engine.plan(P, "phase1b-500", date(2024, 1, 1), escalate_at=VisitCode.parse("W53D1"))
    expected = {code: ("MIL62", 500) for code in ["W1D1", "W3D1", "W25D1", "W27D1"]}
    expected |= {code: ("MIL62", 1000) for code in PHASE1B[4:]}
    assert infused(plan) == expected
    assert str(plan.escalate_at) == "W53D1"
    assert dated(plan) == dated(engine.plan(P, "phase1b-500", date(2024, 1, 1)))  # same days


def test_escalation_from_the_earliest_allowed_visit_w25d1() -> None:
    # "may be escalated to the 1000 mg dose starting from W25D1"
    plan = engine.plan(P, "phase1b-500", date(2024, 1, 1), escalate_at=VisitCode.parse("W25D1"))
    expected = {"W1D1": ("MIL62", 500), "W3D1": ("MIL62", 500)}
    expected |= {code: ("MIL62", 1000) for code in PHASE1B[2:]}
    assert infused(plan) == expected


def test_escalation_at_the_last_visit_changes_only_the_last_visit() -> None:
    plan = engine.plan(P, "phase1b-500", date(2024, 1, 1), escalate_at=VisitCode.parse("W209D1"))
    doses = [v.treatment.dose_mg for v in plan.visits]
    assert doses == [500] * 10 + [1000]


@pytest.mark.parametrize("code", ["W1D1", "W3D1"])
def test_escalation_before_w25d1_is_refused_with_the_allowed_visits(code: str) -> None:
    with pytest.raises(UsageError) as caught:
        engine.plan(P, "phase1b-500", date(2024, 1, 1), escalate_at=VisitCode.parse(code))
    message = str(caught.value)
    assert f"'{code}' is not a visit it may escalate from" in message
    assert "W25D1, W27D1, W53D1" in message
    assert "W3D1," not in message


@pytest.mark.parametrize("code", ["W26D1", "W25D2", "W300D1"])
def test_escalation_at_a_day_that_is_not_a_visit_is_refused(code: str) -> None:
    with pytest.raises(UsageError, match=f"'{code}' is not a visit it may escalate from"):
        engine.plan(P, "phase1b-500", date(2024, 1, 1), escalate_at=VisitCode.parse(code))


@pytest.mark.parametrize("arm", ["phase1b-1000", "phase3-rcp", "phase3-olp-from-placebo"])
def test_escalation_on_an_arm_without_it_is_refused(arm: str) -> None:
    with pytest.raises(UsageError) as caught:
        engine.plan(P, arm, date(2024, 1, 1), escalate_at=VisitCode.parse("W25D1"))
    assert f"does not apply to {arm}" in str(caught.value)
    assert caught.value.field == "escalate_at"  # the front end names the option or column


def test_rcp_mil62_arm_is_1000_mg_at_all_four_visits() -> None:
    plan = engine.plan(P, "phase3-rcp-mil62", date(2024, 1, 1))
    assert infused(plan) == dict.fromkeys(RCP, ("MIL62", 1000))
    assert plan.unblinded


def test_rcp_placebo_arm_is_placebo_at_all_four_visits() -> None:
    plan = engine.plan(P, "phase3-rcp-placebo", date(2024, 1, 1))
    assert [v.treatment.product for v in plan.visits] == ["placebo"] * 4
    assert all(not v.treatment.dose_mg for v in plan.visits)  # no MIL62 in a placebo
    assert all(not v.treatment.blinded for v in plan.visits)
    assert plan.unblinded


def test_olp_from_mil62_is_placebo_at_w3d1_only() -> None:
    # "MIL62 1000 mg on W1D1, W27D1, W53D1, W79D1, W105D1, and W131D1, along with matching
    # placebo on W3D1"
    plan = engine.plan(P, "phase3-olp-from-mil62", date(2024, 1, 1))
    products = {str(v.code): v.treatment.product for v in plan.visits}
    assert products == {code: "placebo" if code == "W3D1" else "MIL62" for code in OLP}
    mil62_doses = [v.treatment.dose_mg for v in plan.visits if v.treatment.product == "MIL62"]
    assert mil62_doses == [1000] * 6


def test_olp_from_placebo_is_1000_mg_at_all_seven() -> None:
    plan = engine.plan(P, "phase3-olp-from-placebo", date(2024, 1, 1))
    assert infused(plan) == dict.fromkeys(OLP, ("MIL62", 1000))


def test_blinded_rcp_shows_the_blinded_label_and_no_dose() -> None:
    plan = engine.plan(P, "phase3-rcp", date(2024, 1, 1))
    assert plan.blinded
    assert not plan.unblinded
    assert [(v.treatment.label, v.treatment.dose_mg, v.treatment.blinded) for v in plan.visits] == [
        (BLINDED_LABEL, None, True)
    ] * 4


@pytest.mark.parametrize("arm", ["phase3-olp", "phase3-ocp"])
def test_blinded_olp_hides_w3d1_only(arm: str) -> None:
    plan = engine.plan(P, arm, date(2024, 1, 1))
    assert plan.blinded
    shown = {str(v.code): (v.treatment.label, v.treatment.dose_mg) for v in plan.visits}
    # Both OLP arms get MIL62 1000 mg everywhere except W3D1, so only W3D1 is hidden.
    expected = {code: ("MIL62 1000 mg", 1000) for code in OLP}
    expected["W3D1"] = (BLINDED_LABEL, None)
    assert shown == expected


# --- the ends of the calendar ----------------------------------------------------------------

# The last start whose last visit falls on or before 9999-12-30, so that the day after it (the
# calendar event's end) still exists: one day before the starts that reach date.max, by hand:
#   phase1b: W209D1 = start + 1456. 9996 is a leap year, so 9995-12-31 + 1461 = 9999-12-31
#            (366 + 365 + 365 + 365); start = 9995-12-31 + 5 = 9996-01-05.
#   RCP:     W27D1 = start + 182. 9999 is a common year; 9999-07-02 + 182: 29 days to Jul 31,
#            then 31 + 30 + 31 + 30 + 31 = 153 more -> 9999-12-31.
#   OLP:     W131D1 = start + 910 = 365 + 365 + 180 (9998 and 9999 common years);
#            9997-07-04 + 180: 27 to Jul 31, + 31 + 30 + 31 + 30 + 31 = 180 -> 9997-12-31,
#            then + 730 -> 9999-12-31.
LAST_STARTS = [
    ("phase1b-500", date(9996, 1, 4), date(9996, 1, 5), "W209D1", 1457),
    ("phase1b-1000", date(9996, 1, 4), date(9996, 1, 5), "W209D1", 1457),
    ("phase3-rcp", date(9999, 7, 1), date(9999, 7, 2), "W27D1", 183),
    ("phase3-rcp-placebo", date(9999, 7, 1), date(9999, 7, 2), "W27D1", 183),
    ("phase3-olp", date(9997, 7, 3), date(9997, 7, 4), "W131D1", 911),
    ("phase3-olp-from-mil62", date(9997, 7, 3), date(9997, 7, 4), "W131D1", 911),
]


@pytest.mark.parametrize(("arm", "last_start", "too_late", "code", "day"), LAST_STARTS)
def test_last_start_that_fits_is_accepted(
    arm: str, last_start: date, too_late: date, code: str, day: int
) -> None:
    plan = engine.plan(P, arm, last_start)
    assert (str(plan.visits[-1].code), plan.visits[-1].date) == (code, date(9999, 12, 30))


@pytest.mark.parametrize(("arm", "last_start", "too_late", "code", "day"), LAST_STARTS)
def test_start_one_day_later_is_refused_naming_the_last_visit(
    arm: str, last_start: date, too_late: date, code: str, day: int
) -> None:
    name = P.schedule(arm).name
    with pytest.raises(UsageError) as caught:
        engine.plan(P, arm, too_late)
    assert str(caught.value) == (
        f"start date {too_late.isoformat()} is too late: {name}'s last visit {code} "
        f"(study day {day}) must fall before 9999-12-31"
    )


def test_start_on_the_last_day_of_the_calendar_is_refused_for_every_arm() -> None:
    for arm in P.schedules:
        with pytest.raises(UsageError, match="too late"):
            engine.plan(P, arm, date(9999, 12, 31))
    # A journey's OLP (assumed at RCP W53D1, 364 days on) cannot even start: also refused.
    journeys = [name for name, arm in P.arms.items() if arm.journey]
    assert journeys == ["phase3", "phase3-mil62", "phase3-placebo"]
    for arm in journeys:
        with pytest.raises(UsageError, match="9999-12-31"):
            engine.plan(P, arm, date(9999, 12, 31))


def test_leap_day_start_2024_02_29() -> None:
    # 2024-02-29 (Thursday) is day-of-year 60 of 2024; add the offset and walk the years:
    #   W3D1   +14   -> 2024-03-14
    #   W25D1  +168  -> 153 days take us to Jul 31 (31+30+31+30+31), +15 -> 2024-08-15
    #   W27D1  +182  -> 2024-08-29
    #   W53D1  +364  -> doy 424 - 366 = 58 of 2025  -> 2025-02-27 (not the 28th: 2024 had 366 days)
    #   W79D1  +546  -> doy 606 - 366 = 240 of 2025 -> 2025-08-28
    #   W105D1 +728  -> doy 788 - 731 = 57 of 2026  -> 2026-02-26
    #   W131D1 +910  -> doy 970 - 731 = 239 of 2026 -> 2026-08-27
    #   W157D1 +1092 -> doy 1152 - 1096 = 56 of 2027 -> 2027-02-25
    #   W183D1 +1274 -> doy 1334 - 1096 = 238 of 2027 -> 2027-08-26
    #   W209D1 +1456 -> doy 1516 - 1461 = 55 of 2028 -> 2028-02-24
    plan = engine.plan(P, "phase1b-1000", date(2024, 2, 29))
    assert [v.date for v in plan.visits] == [
        date(2024, 2, 29), date(2024, 3, 14), date(2024, 8, 15), date(2024, 8, 29),
        date(2025, 2, 27), date(2025, 8, 28), date(2026, 2, 26), date(2026, 8, 27),
        date(2027, 2, 25), date(2027, 8, 26), date(2028, 2, 24),
    ]  # fmt: skip
    assert all(v.date.weekday() == 3 for v in plan.visits)  # Thursdays


def test_start_on_1900_01_01() -> None:
    # 1900 is not a leap year (century rule), nor are 1901-1903.
    #   W25D1  doy 169 of 1900 -> 1900-06-18; W27D1 doy 183 -> 1900-07-02; W53D1 doy 365 -> 12-31
    #   W79D1  547 - 365 = 182 -> 1901-07-01; W105D1 729 - 365 = 364 -> 1901-12-30
    #   W131D1 911 - 730 = 181 -> 1902-06-30; W157D1 1093 - 730 = 363 -> 1902-12-29
    #   W183D1 1275 - 1095 = 180 -> 1903-06-29; W209D1 1457 - 1095 = 362 -> 1903-12-28
    plan = engine.plan(P, "phase1b-500", date(1900, 1, 1))
    assert [v.date for v in plan.visits] == [
        date(1900, 1, 1), date(1900, 1, 15), date(1900, 6, 18), date(1900, 7, 2),
        date(1900, 12, 31), date(1901, 7, 1), date(1901, 12, 30), date(1902, 6, 30),
        date(1902, 12, 29), date(1903, 6, 29), date(1903, 12, 28),
    ]  # fmt: skip
    assert all(v.date.weekday() == 0 for v in plan.visits)  # 1900-01-01 was a Monday


def test_start_on_the_first_day_of_the_calendar() -> None:
    plan = engine.plan(P, "phase3-rcp", date(1, 1, 1))
    # Year 1 is a common year: doy 169 = June 18, doy 183 = July 2.
    assert [v.date for v in plan.visits] == [
        date(1, 1, 1),
        date(1, 1, 15),
        date(1, 6, 18),
        date(1, 7, 2),
    ]


def test_unknown_arm_is_refused_by_the_engine() -> None:
    with pytest.raises(UsageError, match="did you mean 'phase3-rcp'"):
        engine.plan(P, "phase3-rpc", date(2024, 1, 1))
