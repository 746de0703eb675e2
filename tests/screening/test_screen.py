"""`mil62sched screen` (issue 20): the earliest permissible first infusion from the protocol's
time-bound criteria, the rule that binds it, every rule's clear date, what is left to check,
and the site's first working day on or after it.

Every expected date below is worked out by hand from the criterion's words (quoted from
seeds/NCT05314010.txt), in the comments beside it, never copied from the program. The
arithmetic (src/mil62sched/eligibility.py): a period ends on its start + N days (weeks: 7N) or
+ N calendar months or years (clamped at a month's end); "within N before" the first
administration counts the period's last day, so the first clear day is the day after it; "at
least N before" clears on the last day; "exceeds" is strictly longer in whole days. With nothing
to wait for, the earliest is the day after screening.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import Result

from mil62sched import protocol
from mil62sched.eligibility import first_clear, first_counted, period_end, screen
from mil62sched.errors import UsageError
from mil62sched.model.eligibility import Dose, History, Period, Screening
from mil62sched.protocol.criteria import load_eligibility
from mil62sched.site.workdays import SiteCalendar
from tests.conftest import ROOT, Run, error_line

REGISTRY = (ROOT / "seeds" / "NCT05314010.txt").read_text(encoding="utf-8")
D = date.fromisoformat
RULES = load_eligibility(protocol.load())


def person(
    phase: str,
    screening: str,
    *doses: tuple[str, str],
    attacks: tuple[str, ...] = (),
    mg: float | None = None,
    days: dict[str, int] | None = None,
    half_lives: dict[str, timedelta] | None = None,
    classes: dict[str, tuple[str, ...]] | None = None,
    site: SiteCalendar | None = None,
) -> Screening:
    history = History(
        doses=tuple(Dose(name, D(when)) for name, when in doses),
        attacks=tuple(map(D, attacks)),
        steroid_mg=mg,
        continuous_days=days or {},
        half_lives=half_lives or {},
        classes=classes or {},
    )
    return screen(RULES, history, phase, D(screening), site)


def binding(result: Screening) -> list[str]:
    """The binding rules as 'exclusion 2' (the screening itself: 'screening')."""
    return [
        "screening" if f.rule is None else f"{f.rule.category} {f.rule.number}"
        for f in result.binding
    ]


def clears(result: Screening, category: str, number: int) -> list[tuple[str | None, date | None]]:
    """Each finding of the rule (of its rules, for a criterion of several) that counts an item:
    the item and its clear date."""
    return [
        (f.item, f.clears)
        for f in result.findings
        if f.rule is not None
        and (f.rule.category, f.rule.number) == (category, number)
        and f.status != "none"
    ]


def reasons(result: Screening) -> list[tuple[str, str | None]]:
    return [
        (check.reason, None if check.rule is None else f"{check.rule.category} {check.rule.number}")
        for check in result.to_check
    ]


# --- the rules are the registry's words ---------------------------------------------------------


def _registry_words(text: str) -> str:
    # The registry page escapes '<' as '\<' (Markdown); the protocol file quotes it unescaped,
    # as its [[design.criteria]] do.
    return " ".join(text.replace("\\<", "<").split())


def test_every_quote_of_a_rule_is_in_the_registry_text_word_for_word() -> None:
    registry = _registry_words(REGISTRY)
    quotes = [q for r in RULES.rules for q in (r.cites, r.check, r.exempt) if q is not None]
    assert len(quotes) >= 11 + 6  # a citation per rule, and their checks and exemption
    for quote in quotes:
        assert " ".join(quote.split()) in registry, quote


@pytest.mark.parametrize(
    ("category", "number", "sentence"),
    [
        # The sentences of Inclusion 4, 5, 6 and Exclusion 1-5 (issue 20), each cited by a rule.
        ("inclusion", 4, "Phase Ib: At least 1 attack of NMOSD requiring rescue treatment within "
         "2 years prior to screening."),
        ("inclusion", 4, "Phase III: At least 1 attack of NMOSD requiring rescue treatment within "
         "1 year prior to screening; or at least 2 attacks of NMOSD requiring rescue treatment "
         "within 2 years prior to screening, including the first attack."),
        ("inclusion", 5, "Glucocorticoid treatment prior to screening is allowed, and within 14 "
         "days before the first administration, the dose should be ≤20 mg/day of prednisone or "
         "its equivalent dose of glucocorticoids."),
        ("inclusion", 6, "Patients who had an attack of the disease before screening must have "
         "stable or improved attack symptoms for at least 4 weeks prior to the first "
         "administration."),
        ("exclusion", 1, "Subjects who have received Rituximab, Inebilizumab, Ozanimod, "
         "Telitacicept, or any B-cell depleting drugs within 6 months prior to the screening "
         "period are allowed to enroll if their CD19 or CD20 positive B-cell counts are above the "
         "lower limit of normal; or if their CD4 positive T-lymphocyte counts are < 200 cells/μL."),
        ("exclusion", 2, "Having used Tocilizumab, Satralizumab, Eculizumab, Efgartigimod, or "
         "other non-B-cell depleting biological agents with therapeutic effects on NMOSD, or "
         "mitoxantrone, or alkylating agents such as cyclophosphamide within 3 months prior to "
         "the first administration."),
        ("exclusion", 3, "Phase Ib: Subjects who have used immunosuppressants such as "
         "azathioprine, mycophenolate mofetil, tacrolimus, cyclosporine, methotrexate, and "
         "cyclophosphamide before the first administration are eligible for enrollment, provided "
         "that the interval since discontinuing the drugs exceeds 5 times their half-life."),
        ("exclusion", 3, "Phase III: Subjects who have used immunosuppressants other than "
         "glucocorticoids within 1 month prior to the first administration, including but not "
         "limited to azathioprine, mycophenolate mofetil, tacrolimus, cyclosporine, and "
         "methotrexate, are excluded (exclusion is not required if the continuous use duration "
         "is ≤7 days)."),
        ("exclusion", 4, "Within 28 days prior to the first administration, plasma exchange (PE), "
         "moderate blood transfusion, or immunomodulatory drugs such as interferon β, interferon "
         "γ, or intravenous immunoglobulin (IVIG) have been used."),
        ("exclusion", 5, "Live vaccines or attenuated vaccines were administered within 28 days "
         "prior to the first dose."),
    ],
)  # fmt: skip
def test_each_time_bound_criterion_is_cited_by_a_rule(
    category: str, number: int, sentence: str
) -> None:
    assert sentence in _registry_words(REGISTRY)  # the test's own copy is the registry's
    cited = [
        " ".join(r.cites.split())
        for r in RULES.rules
        if (r.category, r.number) == (category, number)
    ]
    assert sentence in cited


def test_no_half_life_is_built_in() -> None:
    text = protocol.BUILTIN.read_text(encoding="utf-8")
    eligibility = text[text.index("\n[eligibility]\n") :]
    assert "half_life" not in eligibility
    assert not re.search(r"\b\d+\s*h\b", eligibility)


# --- the arithmetic -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "period", "end"),
    [
        ("2025-08-31", Period(3, "months"), "2025-11-30"),  # November has 30 days
        ("2025-08-30", Period(3, "months"), "2025-11-30"),  # the same last day
        ("2023-11-30", Period(3, "months"), "2024-02-29"),  # 2024 is a leap year
        ("2024-11-30", Period(3, "months"), "2025-02-28"),  # 2025 is not
        ("2024-02-29", Period(1, "months"), "2024-03-29"),
        ("2024-02-29", Period(1, "years"), "2025-02-28"),  # no 29 February in 2025
        ("2024-02-29", Period(4, "years"), "2028-02-29"),
        ("2025-01-31", Period(1, "months"), "2025-02-28"),
        ("2025-08-20", Period(28, "days"), "2025-09-17"),  # 11 days of August left, 17 of Sept.
        ("2025-08-01", Period(4, "weeks"), "2025-08-29"),  # 4 weeks = 28 days
        ("2025-08-31", Period(14, "days"), "2025-09-14"),
    ],
)
def test_a_period_ends_by_calendar_months_or_by_days(since: str, period: Period, end: str) -> None:
    assert period_end(D(since), period) == D(end)


def test_within_clears_the_day_after_the_period_and_at_least_on_its_last_day() -> None:
    # "within 3 months prior to the first administration": a dose on 31 August is within 3 months
    # of 30 November, so the first clear day is 1 December.
    assert first_clear(D("2025-08-31"), Period(3, "months"), "within") == D("2025-12-01")
    # "for at least 4 weeks prior to the first administration": 1 August + 28 days = 29 August,
    # which has 4 full weeks before it.
    assert first_clear(D("2025-08-01"), Period(4, "weeks"), "at-least") == D("2025-08-29")


@pytest.mark.parametrize(
    ("half_life", "clear"),
    [
        # stopped on 28 August; 5 half-lives of 5 h = 25 h: 29 August is 24 h later (not more
        # than 25 h), 30 August 48 h (more).
        (timedelta(hours=5), "2025-08-30"),
        # 5 x 24 h = 5 days exactly: 2 September is 5 days later, which does not exceed them.
        (timedelta(hours=24), "2025-09-03"),
        # 5 x 3 d = 15 days: 12 September is 15 days later; 13 September 16.
        (timedelta(days=3), "2025-09-13"),
    ],
)
def test_exceeds_five_half_lives_is_strictly_longer_in_whole_days(
    half_life: timedelta, clear: str
) -> None:
    period = Period(5, "half-lives")
    assert first_clear(D("2025-08-28"), period, "exceeds", half_life) == D(clear)


def test_the_window_before_screening_counts_forward_at_month_ends() -> None:
    # "within 1 year prior to screening" on 29 February 2024: an attack on 28 February 2023 + 1
    # year is 28 February 2024, before screening; 1 March 2023 + 1 year is 1 March 2024.
    assert first_counted(D("2024-02-29"), Period(1, "years")) == D("2023-03-01")
    # "within 6 months prior to the screening period" on 1 September 2025: from 1 March 2025.
    assert first_counted(D("2025-09-01"), Period(6, "months")) == D("2025-03-01")
    # 31 August 2025 minus 6 months is 28 February; 28 February + 6 months = 28 August < 31
    # August, and 1 March + 6 months = 1 September: from 1 March.
    assert first_counted(D("2025-08-31"), Period(6, "months")) == D("2025-03-01")
    assert first_counted(D("2025-09-01"), Period(28, "days")) == D("2025-08-04")


@pytest.mark.parametrize("months", [1, 3, 6, 12, 24])
def test_within_months_agrees_with_counting_back_from_the_first_administration(
    months: int,
) -> None:
    """For every last dose of 2023-2024, its first clear day F is the first day whose window
    of N months back (by `first_counted`) no longer reaches the dose: the two ways of reading
    "within N months prior to F" agree, month ends and 29 February included."""
    period = Period(months, "months")
    day = D("2023-01-01")
    while day < D("2025-01-01"):
        clear = first_clear(day, period, "within")
        assert first_counted(clear, period) > day, day
        assert first_counted(clear - timedelta(days=1), period) <= day, day
        day += timedelta(days=1)


# --- each rule, worked by hand ------------------------------------------------------------------


def test_nothing_to_wait_for_is_the_day_after_screening() -> None:
    # The criteria tell screening and the first administration apart ("prior to screening",
    # "before the first administration"); the screening period ends with the first infusion.
    result = person("3", "2025-09-01")
    assert result.earliest == D("2025-09-02")
    assert binding(result) == ["screening"]
    assert result.to_check[0].reason == "attacks"  # Inclusion 4: no attack given, to check


def test_exclusion_2_month_end() -> None:
    # Tocilizumab last on 31 August 2025: + 3 months = 30 November, within; 1 December clears.
    result = person("3", "2025-09-01", ("tocilizumab", "2025-08-31"))
    assert result.earliest == D("2025-12-01")
    assert binding(result) == ["exclusion 2"]
    assert clears(result, "exclusion", 2) == [("tocilizumab", D("2025-12-01"))]


def test_exclusion_2_on_29_february() -> None:
    # Mitoxantrone last on 29 February 2024: + 3 months = 29 May 2024; 30 May clears.
    result = person("1b", "2024-03-04", ("mitoxantrone", "2024-02-29"))
    assert (result.earliest, binding(result)) == (D("2024-05-30"), ["exclusion 2"])


def test_two_items_of_one_class_the_later_binds() -> None:
    # Tocilizumab 1 June + 3 months = 1 September, clears 2 September; satralizumab 15 July +
    # 3 months = 15 October, clears 16 October: the later dose binds.
    result = person(
        "3", "2025-09-01", ("tocilizumab", "2025-06-01"), ("satralizumab", "2025-07-15")
    )
    assert result.earliest == D("2025-10-16")
    assert [f.item for f in result.binding] == ["satralizumab"]
    assert clears(result, "exclusion", 2) == [
        ("tocilizumab", D("2025-09-02")),
        ("satralizumab", D("2025-10-16")),
    ]


def test_two_doses_of_one_drug_the_later_binds() -> None:
    # IVIG 1 July + 28 days = 29 July, clears 30 July; 20 August + 28 days = 17 September,
    # clears 18 September.
    result = person("3", "2025-09-01", ("ivig", "2025-08-20"), ("ivig", "2025-07-01"))
    assert result.earliest == D("2025-09-18")
    assert [(f.item, f.since) for f in result.binding] == [("ivig", D("2025-08-20"))]


def test_exclusion_4_and_5_within_28_days() -> None:
    # Plasma exchange 20 August + 28 days = 17 September (clears 18th); a live vaccine on 25
    # August + 28 days = 22 September (clears 23rd), which binds.
    result = person(
        "3", "2025-09-01", ("plasma-exchange", "2025-08-20"), ("live-vaccine", "2025-08-25")
    )
    assert clears(result, "exclusion", 4) == [("plasma-exchange", D("2025-09-18"))]
    assert result.earliest == D("2025-09-23")
    assert binding(result) == ["exclusion 5"]


def test_a_transfusion_waits_and_leaves_moderate_to_check() -> None:
    result = person("3", "2025-09-01", ("blood-transfusion", "2025-08-10"))
    # 10 August + 28 days = 7 September; 8 September clears.
    assert (result.earliest, binding(result)) == (D("2025-09-08"), ["exclusion 4"])
    assert ("condition", "exclusion 4") in reasons(result)
    assert [
        c.rule.check
        for c in result.to_check
        if c.rule and c.rule.number == 4 and c.rule.category == "exclusion"
    ] == ["moderate blood transfusion"]


def test_inclusion_6_at_least_4_weeks_after_the_attack() -> None:
    # An attack on 20 August: 20 August + 28 days = 17 September, which has 4 full weeks before
    # it ("at least 4 weeks prior"). Its symptoms' stability is left to check.
    result = person("3", "2025-09-01", attacks=("2025-08-20",))
    assert (result.earliest, binding(result)) == (D("2025-09-17"), ["inclusion 6"])
    assert ("condition", "inclusion 6") in reasons(result)


def test_inclusion_5_a_dose_above_20_mg_waits_14_days_from_its_last_day() -> None:
    # 30 mg/day still taken at screening (1 September): the dose is above 20 mg at least
    # through 1 September; + 14 days = 15 September, within, so 16 September at the earliest.
    result = person("3", "2025-09-01", mg=30)
    assert (result.earliest, binding(result)) == (D("2025-09-16"), ["inclusion 5"])
    # Taken last on 25 August: + 14 days = 8 September; 9 September.
    result = person("3", "2025-09-01", ("prednisone", "2025-08-25"), mg=30)
    assert (result.earliest, binding(result)) == (D("2025-09-09"), ["inclusion 5"])
    # 15 mg/day is within the limit: nothing to wait for, the dose is left to check.
    result = person("3", "2025-09-01", mg=15)
    assert (result.earliest, binding(result)) == (D("2025-09-02"), ["screening"])
    assert ("dose", "inclusion 5") in reasons(result)


def test_inclusion_5_a_glucocorticoid_without_its_dose_is_refused() -> None:
    with pytest.raises(UsageError, match=r"no daily dose for prednisone.*--steroid-dose MG"):
        person("3", "2025-09-01", ("prednisone", "2025-08-25"))


def test_exclusion_3_phase_ib_five_half_lives() -> None:
    # Azathioprine stopped 28 August, half-life given as 3 days: 5 x 3 = 15 days; 12 September
    # is 15 days later (not more), 13 September 16 days.
    result = person(
        "1b",
        "2025-09-01",
        ("azathioprine", "2025-08-28"),
        half_lives={"azathioprine": timedelta(days=3)},
    )
    assert (result.earliest, binding(result)) == (D("2025-09-13"), ["exclusion 3"])


def test_exclusion_3_phase_ib_refuses_without_a_half_life() -> None:
    with pytest.raises(UsageError) as caught:
        person("1b", "2025-09-01", ("azathioprine", "2025-08-28"))
    message = str(caught.value)
    assert message.startswith("no half-life for azathioprine: Exclusion 3 (Phase Ib) waits more")
    assert "--half-life azathioprine=DURATION" in message


def test_exclusion_3_phase_iii_one_month_unless_continuous_use_was_short() -> None:
    # Methotrexate last on 25 August: + 1 month = 25 September, within; 26 September.
    longer = person("3", "2025-09-01", ("methotrexate", "2025-08-25"), days={"methotrexate": 8})
    assert (longer.earliest, binding(longer)) == (D("2025-09-26"), ["exclusion 3"])
    # "exclusion is not required if the continuous use duration is ≤7 days": 7 days exempts.
    short = person("3", "2025-09-01", ("methotrexate", "2025-08-25"), days={"methotrexate": 7})
    assert (short.earliest, binding(short)) == (D("2025-09-02"), ["screening"])
    assert [f.status for f in short.findings if f.item == "methotrexate"] == ["exempt"]
    # Not given: the rule applies, and the exemption is left to check.
    unknown = person("3", "2025-09-01", ("methotrexate", "2025-08-25"))
    assert unknown.earliest == D("2025-09-26")
    assert ("continuous-use", "exclusion 3") in reasons(unknown)


def test_exclusion_3_phase_iii_on_29_february() -> None:
    # Tacrolimus last on 29 February 2024: + 1 month = 29 March; 30 March.
    result = person("3", "2024-03-01", ("tacrolimus", "2024-02-29"), days={"tacrolimus": 30})
    assert result.earliest == D("2024-03-30")


def test_cyclophosphamide_is_timed_by_exclusion_2_and_3() -> None:
    # Phase III, last on 10 August: Exclusion 2, + 3 months = 10 November, 11 November;
    # Exclusion 3, + 1 month = 10 September, 11 September. The later binds.
    result = person(
        "3", "2025-09-01", ("cyclophosphamide", "2025-08-10"), days={"cyclophosphamide": 90}
    )
    assert clears(result, "exclusion", 3) == [("cyclophosphamide", D("2025-09-11"))]
    assert (result.earliest, binding(result)) == (D("2025-11-11"), ["exclusion 2"])


def test_exclusion_1_a_lab_result_decides_it_never_the_tool() -> None:
    # Rituximab on 1 May 2025 + 6 months = 1 November, on or after screening (1 September): it
    # is within 6 months prior to screening. Waiting does not clear it (it is measured to
    # screening): the lab condition is left to check and the date is not moved.
    result = person("3", "2025-09-01", ("rituximab", "2025-05-01"))
    assert (result.earliest, binding(result)) == (D("2025-09-02"), ["screening"])
    assert ("condition", "exclusion 1") in reasons(result)
    assert [f.status for f in result.findings if f.item == "rituximab"] == ["to-check"]
    # 1 March + 6 months = 1 September, the screening date itself: still within.
    edge = person("3", "2025-09-01", ("rituximab", "2025-03-01"))
    assert ("condition", "exclusion 1") in reasons(edge)
    # 28 February + 6 months = 28 August, before screening: outside, nothing to check.
    outside = person("3", "2025-09-01", ("rituximab", "2025-02-28"))
    assert ("condition", "exclusion 1") not in reasons(outside)
    assert [f.status for f in outside.findings if f.item == "rituximab"] == ["outside"]


def test_inclusion_4_counts_attacks_and_leaves_them_to_check() -> None:
    # Phase III, screening 1 September 2025: within 1 year from 1 September 2024, within 2
    # years from 1 September 2023. 31 August 2024 is in the second only; so is 1 September 2023.
    result = person("3", "2025-09-01", attacks=("2024-08-31", "2023-09-01", "2023-08-31"))
    [attacks] = [c for c in result.to_check if c.reason == "attacks"]
    assert [(c.rule.at_least, str(c.rule.period), c.found, c.since) for c in attacks.counted] == [
        (1, "1 year", 0, D("2024-09-01")),
        (2, "2 years", 2, D("2023-09-01")),
    ]
    # Phase Ib: within 2 years only.
    result = person("1b", "2025-09-01", attacks=("2024-08-31",))
    [attacks] = [c for c in result.to_check if c.reason == "attacks"]
    assert [(c.found, c.since) for c in attacks.counted] == [(1, D("2023-09-01"))]


def test_a_history_item_after_screening_is_counted_and_flagged() -> None:
    # IVIG on 5 September, after screening on 1 September: + 28 days = 3 October; 4 October.
    result = person("3", "2025-09-01", ("ivig", "2025-09-05"))
    assert result.earliest == D("2025-10-04")
    assert ("after-screening", None) in reasons(result)
    assert [f.after_screening for f in result.findings if f.item == "ivig"] == [True]


def test_an_unknown_name_is_refused_with_the_closest_names_and_the_classes() -> None:
    with pytest.raises(UsageError) as caught:
        person("3", "2025-09-01", ("tocilizumb", "2025-06-01"))
    message = str(caught.value)
    assert message.startswith(
        "unknown drug, vaccine or procedure 'tocilizumb': did you mean tocilizumab, eculizumab or "
        "satralizumab? the classes are b-cell-depleting, non-b-cell-depleting-biologics,"
    )
    assert "b-cell-depleting, non-b-cell-depleting-biologics" in message
    assert "give --class tocilizumb=CLASS" in message


def test_class_puts_an_unlisted_drug_in_a_class() -> None:
    # Ocrelizumab, a B-cell depleting drug the registry does not name, on 1 May 2025: within 6
    # months prior to screening (1 May + 6 months = 1 November): to check, as rituximab.
    result = person(
        "3",
        "2025-09-01",
        ("ocrelizumab", "2025-05-01"),
        classes={"ocrelizumab": ("b-cell-depleting",)},
    )
    assert ("condition", "exclusion 1") in reasons(result)
    with pytest.raises(UsageError, match=r"unknown class 'b-cell'"):
        person(
            "3", "2025-09-01", ("ocrelizumab", "2025-05-01"), classes={"ocrelizumab": ("b-cell",)}
        )


def test_an_unknown_phase_is_refused_with_the_phases() -> None:
    with pytest.raises(UsageError, match=r"unknown phase '2': accepted: 1b, 3"):
        person("2", "2025-09-01")


# --- the site's first working day ---------------------------------------------------------------


def test_the_first_working_day_skips_the_national_day_holidays() -> None:
    # IVIG on 6 September: + 28 days = 4 October 2025 (a Saturday), within; 5 October clears.
    # 1-8 October 2025 is the National Day and Mid-Autumn holiday (8 October a day off moved
    # from Saturday 11 October): the first working day is Thursday 9 October.
    result = person("3", "2025-09-10", ("ivig", "2025-09-06"), site=SiteCalendar("CN"))
    assert result.earliest == D("2025-10-05")
    assert result.first_working_day == D("2025-10-09")
    assert result.earliest_status is not None
    assert not result.earliest_status.working


def test_an_adjusted_working_sunday_is_a_working_day() -> None:
    # IVIG on 30 August: + 28 days = 27 September; 28 September 2025 is a Sunday made a working
    # day for the National Day holiday: the site works, it is the first working day.
    result = person("3", "2025-09-01", ("ivig", "2025-08-30"), site=SiteCalendar("CN"))
    assert result.earliest == D("2025-09-28")
    assert result.first_working_day == D("2025-09-28")


def test_without_the_working_day_check_the_earliest_is_the_first_day() -> None:
    # IVIG on 5 September: + 28 days = 3 October; 4 October, a Saturday in the holidays.
    result = person("3", "2025-09-01", ("ivig", "2025-09-05"))
    assert result.first_working_day == result.earliest == D("2025-10-04")
    assert result.earliest_status is None


# --- mil62sched screen: five people worked by hand ("Done when", issue 20) ----------------------

PHASE3 = ("screen", "--phase", "3", "--screening", "2025-09-01")


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def flat(text: str) -> str:
    """The text with its line breaks and runs of spaces as single spaces (as wrapped at 80)."""
    return " ".join(text.split())


def ok(result: Result) -> str:
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return result.stdout


def test_person_1_exclusion_2_binds_at_a_month_end(run: Run) -> None:
    # Tocilizumab last on 31 August 2025: + 3 months = 30 November, within 3 months prior to the
    # first administration, so 1 December 2025, a Monday and a working day in Beijing.
    text = ok(run(*PHASE3, "--last", "tocilizumab=2025-08-31"))
    assert "Earliest first infusion: 2025-12-01 (Monday)" in lines_of(text)
    assert "First working day at the site on or after it: 2025-12-01 (Monday)" in lines_of(text)
    assert (
        "Bound by Exclusion 2: tocilizumab, last dose 2025-08-31: within 3 months, through "
        "2025-11-30"
    ) in flat(text)
    assert '  "Having used Tocilizumab, Satralizumab, Eculizumab, Efgartigimod,' in text
    assert "  Exclusion 2  2025-12-01  binds: tocilizumab, last dose 2025-08-31" in text


def test_person_2_inclusion_6_binds_four_weeks_after_an_attack(run: Run) -> None:
    # An attack on 20 August 2025: + 28 days = 17 September, a Wednesday ("at least 4 weeks
    # prior to the first administration": 20 Aug - 17 Sep is 28 days).
    text = ok(run(*PHASE3, "--attack", "2025-08-20"))
    assert "Earliest first infusion: 2025-09-17 (Wednesday)" in lines_of(text)
    assert "Bound by Inclusion 6: attack 2025-08-20: at least 4 weeks, to 2025-09-17" in text
    assert '    "stable or improved attack symptoms"' in lines_of(text)


def test_person_3_exclusion_3_phase_ib_half_lives_then_a_weekend(run: Run) -> None:
    # Phase Ib, azathioprine stopped 28 August 2025, half-life 3 days: 5 x 3 = 15 days, which
    # 12 September is (not more): 13 September, a Saturday; the site's first working day is
    # Monday 15 September.
    text = ok(
        run("screen", "--phase", "1b", "--screening", "2025-09-01",
            "--last", "azathioprine=2025-08-28", "--half-life", "azathioprine=3d")
    )  # fmt: skip
    assert "Earliest first infusion: 2025-09-13 (Saturday)" in lines_of(text)
    assert (
        "First working day at the site on or after it: 2025-09-15 (Monday); 2025-09-13 is\n"
        "not a working day (weekend)"
    ) in text
    assert (
        "Bound by Exclusion 3: azathioprine, last dose 2025-08-28: more than 5 half-lives of 3d "
        "(15d), past 2025-09-12"
    ) in flat(text)


def test_person_3_without_the_half_life_is_refused_naming_drug_and_option(run: Run) -> None:
    line = error_line(
        run("screen", "--phase", "1b", "--screening", "2025-09-01",
            "--last", "azathioprine=2025-08-28")
    )  # fmt: skip
    assert line == (
        "no half-life for azathioprine: Exclusion 3 (Phase Ib) waits more than 5 half-lives "
        "after the drug is stopped: give --half-life azathioprine=DURATION (e.g. 5h or 3d)"
    )


def test_person_4_a_lab_condition_is_left_to_check_in_the_registry_words(run: Run) -> None:
    # Rituximab on 1 May 2025 (+ 6 months = 1 November, on or after screening: within 6 months
    # prior to it) and IVIG on 20 August (+ 28 days = 17 September, within: 18 September, a
    # Thursday). The lab result is the investigator's; the date is the IVIG's.
    text = ok(run(*PHASE3, "--last", "rituximab=2025-05-01", "--last", "ivig=2025-08-20"))
    assert "Earliest first infusion: 2025-09-18 (Thursday)" in lines_of(text)
    assert "Bound by Exclusion 4: ivig, last dose 2025-08-20: within 28 days, through" in text
    assert (
        "Exclusion 1 to check rituximab, last dose 2025-05-01: within 6 months before screening "
        "(through 2025-11-01)"
    ) in flat(text)
    to_check = text[text.index("To check (the investigator decides):") :]
    assert (
        "  - Exclusion 1: rituximab on 2025-05-01 is within 6 months before screening;\n"
        "    the criterion goes on:\n"
        '    "are allowed to enroll if their CD19 or CD20 positive B-cell counts are\n'
        "    above the lower limit of normal; or if their CD4 positive T-lymphocyte\n"
        '    counts are < 200 cells/μL"\n'
    ) in to_check


def test_person_5_an_unknown_drug_is_refused_then_classed(run: Run) -> None:
    line = error_line(run(*PHASE3, "--last", "Rituxan=2025-05-01"))
    assert line.startswith(
        "unknown drug, vaccine or procedure 'rituxan': did you mean rituximab? the classes are "
        "b-cell-depleting, non-b-cell-depleting-biologics, mitoxantrone, alkylating-agents,"
    )
    assert line.endswith("give --class rituxan=CLASS for one the protocol does not list")
    # Said to be B-cell depleting: as rituximab, within 6 months before screening, to check;
    # nothing else to wait for, so the day after screening, Tuesday 2 September.
    text = ok(run(*PHASE3, "--last", "Rituxan=2025-05-01", "--class", "rituxan=b-cell-depleting"))
    assert "Earliest first infusion: 2025-09-02 (Tuesday)" in lines_of(text)
    assert "Bound by Screening: the day after screening (2025-09-01)" in lines_of(text)
    assert "  - Exclusion 1: rituxan on 2025-05-01 is within 6 months before screening;" in text


@pytest.mark.parametrize(
    ("args", "earliest", "bound"),
    [
        # 30 mg/day still taken at screening (1 Sept) + 14 days = 15 Sept, within: 16 Sept (Tue).
        (("--steroid-dose", "30"), "2025-09-16 (Tuesday)", "Inclusion 5"),
        # A live vaccine on 25 August + 28 days = 22 September, within: 23 September (Tuesday).
        (("--last", "live-vaccine=2025-08-25"), "2025-09-23 (Tuesday)", "Exclusion 5"),
        # Methotrexate for 8 days, last on 25 August + 1 month = 25 September: 26th (Friday).
        (("--last", "methotrexate=2025-08-25", "--continuous-days", "methotrexate=8"),
         "2025-09-26 (Friday)", "Exclusion 3"),
        # ... for 7 days: "exclusion is not required": the day after screening, Tuesday.
        (("--last", "methotrexate=2025-08-25", "--continuous-days", "methotrexate=7"),
         "2025-09-02 (Tuesday)", "Screening"),
        # Nothing at all: the day after screening.
        ((), "2025-09-02 (Tuesday)", "Screening"),
    ],
)  # fmt: skip
def test_each_binding_rule_through_the_command(
    run: Run, args: tuple[str, ...], earliest: str, bound: str
) -> None:
    text = ok(run(*PHASE3, *args))
    assert f"Earliest first infusion: {earliest}" in lines_of(text)
    assert f"Bound by {bound}: " in text


def test_the_issue_example(run: Run) -> None:
    # Tocilizumab 1 June + 3 months = 1 September, 2 September; IVIG 20 August + 28 days = 17
    # September, 18 September; the attack on 1 August + 28 days = 29 August; 15 mg/day is within
    # 20 mg/day; methotrexate for 5 days is exempt. IVIG binds: Thursday 18 September.
    text = ok(
        run(*PHASE3, "--last", "tocilizumab=2025-06-01", "--last", "ivig=2025-08-20",
            "--attack", "2025-08-01", "--steroid-dose", "15",
            "--last", "methotrexate=2025-08-25", "--continuous-days", "methotrexate=5")
    )  # fmt: skip
    rules = text[text.index("Every rule") : text.index("To check (the investigator")]
    assert rules.splitlines()[1:] == [
        "  Screening    2025-09-02  the day after screening (2025-09-01)",
        "  Inclusion 4  to check    attacks: see To check",
        "  Inclusion 5  met         15 mg/day, not above 20 mg/day",
        "  Inclusion 6  2025-08-29  attack 2025-08-01: at least 4 weeks, to 2025-08-29",
        "  Exclusion 1  —           nothing given (b-cell-depleting)",
        "  Exclusion 2  2025-09-02  tocilizumab, last dose 2025-06-01: within 3 months,",
        "                           through 2025-09-01",
        "  Exclusion 3  exempt      methotrexate, last dose 2025-08-25: taken 5 days in a",
        "                           row (at most 7 exempts)",
        "  Exclusion 4  2025-09-18  binds: ivig, last dose 2025-08-20: within 28 days,",
        "                           through 2025-09-17",
        "  Exclusion 4  —           nothing given (blood-transfusion)",
        "  Exclusion 5  —           nothing given (live-vaccines)",
        "",
    ]


# --- formats ------------------------------------------------------------------------------------

EXAMPLE = (*PHASE3, "--last", "tocilizumab=2025-06-01", "--last", "ivig=2025-09-05",
           "--last", "rituximab=2025-05-01", "--attack", "2025-08-01", "--steroid-dose", "25",
           "--last", "mycophenolate-mofetil=2025-08-25",
           "--last", "blood-transfusion=2025-08-01")  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_table_fits_80_columns(run: Run, lang: str) -> None:
    from mil62sched.i18n import cells

    text = ok(run(*EXAMPLE, "--lang", lang))
    assert max(cells(line) for line in text.splitlines()) <= 80
    assert len(text.splitlines()) > 40


def test_chinese_words_around_the_registrys_english(run: Run) -> None:
    text = ok(run(*PHASE3, "--last", "ivig=2025-08-20", "--lang", "zh"))
    assert "最早首次输注：2025-09-18（周四）" in lines_of(text)
    assert "决定日期的是排除标准 4：ivig，末次 2025-08-20：28 天内，至 2025-09-17" in lines_of(text)
    assert '  "Within 28 days prior to the first administration, plasma exchange (PE),' in text
    assert "本工具仅作辅助：受试者是否合格由研究者判定。" in lines_of(text)


def test_json_is_the_same_in_every_language_and_holds_the_dates(run: Run) -> None:
    import json

    english = ok(run(*EXAMPLE, "--format", "json"))
    assert ok(run(*EXAMPLE, "--format", "json", "--lang", "zh")) == english
    document = json.loads(english)
    # IVIG on 5 September (after screening) + 28 days = 3 October: 4 October (a Saturday in the
    # National Day holidays, 1-8 October 2025): the first working day is Thursday 9 October.
    assert (document["earliest"], document["first_working_day"]) == ("2025-10-04", "2025-10-09")
    assert document["earliest_working_day"] is False
    assert [(b["criterion"], b["item"], b["clears"]) for b in document["binding"]] == [
        ({"category": "exclusion", "number": 4}, "ivig", "2025-10-04")
    ]
    reasons = [(c["criterion"], c["reason"]) for c in document["to_check"]]
    assert ({"category": "exclusion", "number": 1}, "condition") in reasons  # the lab
    assert (None, "after-screening") in reasons  # IVIG after screening
    assert ({"category": "exclusion", "number": 3}, "continuous-use") in reasons
    assert document["decides"] == "investigator"
    # 25 mg/day, still taken on 1 September: + 14 days = 15 September, within: 16 September.
    [dose] = [
        r for r in document["rules"] if r["criterion"] == {"category": "inclusion", "number": 5}
    ]
    assert (dose["status"], dose["mg_per_day"], dose["clears"]) == ("clears", 25.0, "2025-09-16")


def test_csv_rows_per_rule_and_per_check(run: Run) -> None:
    import csv
    import io

    text = ok(run(*EXAMPLE, "--format", "csv"))
    assert ok(run(*EXAMPLE, "--format", "csv", "--lang", "zh")) == text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["earliest"] for row in rows} == {"2025-10-04"}
    [binds] = [row for row in rows if row["status"] == "binds"]
    assert (binds["criterion"], binds["item"], binds["since"], binds["clears"]) == (
        "exclusion 4", "ivig", "2025-09-05", "2025-10-04",
    )  # fmt: skip
    checks = [(row["criterion"], row["reason"]) for row in rows if row["row"] == "check"]
    assert ("exclusion 1", "condition") in checks
    assert ("exclusion 4", "condition") in checks  # "moderate blood transfusion"
    assert ("", "after-screening") in checks


def test_markdown_quotes_the_criteria(run: Run) -> None:
    text = ok(run(*PHASE3, "--last", "rituximab=2025-05-01", "--format", "md"))
    assert text.startswith("## MIL62-CT303 · Phase III · screening 2025-09-01\n")
    assert "| Exclusion 1 | to check | rituximab, last dose 2025-05-01: within 6 months" in text
    assert "counts are \\< 200 cells/μL" in text  # '<' shown as it is, never as HTML


def test_output_file_and_force(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    assert ok(run(*PHASE3, "-o", str(out))) == ""
    assert out.read_text(encoding="utf-8").startswith("{")
    assert "exists" in error_line(run(*PHASE3, "-o", str(out)), 1)
    ok(run(*PHASE3, "-o", str(out), "--force"))


# --- --plan: from screen to plan ----------------------------------------------------------------


def test_plan_follows_from_the_first_working_day(run: Run) -> None:
    # Earliest 4 October 2025 (IVIG 5 Sept + 28 days = 3 Oct, within), a closed day: the plan
    # starts on the first working day, Thursday 9 October; W3D1 = day 15 = 23 October, W25D1 =
    # day 169 = 9 Oct + 168 = 26 March 2026, W27D1 = day 183 = 9 April 2026.
    text = ok(run(*PHASE3, "--last", "ivig=2025-09-05", "--plan", "--arm", "phase3-rcp"))
    plan = text[text.index("The plan from 2025-10-09") :]
    assert "MIL62-CT303 · phase3-rcp · no participant ID · W1D1 2025-10-09" in plan
    assert [line.split()[:3] for line in plan.splitlines() if line.startswith("  W")] == [
        ["W1D1", "1", "2025-10-09"],
        ["W3D1", "15", "2025-10-23"],
        ["W25D1", "169", "2026-03-26"],
        ["W27D1", "183", "2026-04-09"],
    ]
    assert "mil62sched plan --arm phase3-rcp --start 2025-10-09" in " ".join(plan.split())


def test_plan_json_holds_both(run: Run) -> None:
    import json

    # Phase inferred from the arm: phase1b-500 is a Phase Ib arm. Nothing to wait for: W1D1 is
    # Tuesday 2 September 2025, W3D1 16 September.
    text = ok(run("screen", "--screening", "2025-09-01", "--plan", "--arm", "phase1b-500",
                  "--format", "json"))  # fmt: skip
    both = json.loads(text)
    assert both["screening"]["phase"] == "1b"
    assert [v["date"] for v in both["plan"]["visits"][:2]] == ["2025-09-02", "2025-09-16"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--plan",), "--plan needs --arm"),
        (("--arm", "phase3-rcp"), "--arm is for --plan: add --plan to plan from the earliest date"),
        (("--plan", "--arm", "phase1b-500"),
         "--arm phase1b-500 is not an arm of Phase III (--phase 3): its arms are phase3,"),
        (("--plan", "--arm", "phase3-olp"), "--arm phase3-olp is not an arm of Phase III"),
        (("--plan", "--arm", "phase3", "--format", "csv"),
         "--plan adds the plan after the screening, and a CSV holds one table"),
    ],
)  # fmt: skip
def test_plan_refusals(run: Run, args: tuple[str, ...], message: str) -> None:
    assert error_line(run(*PHASE3, *args)).startswith(message)


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("screen", "--phase", "3"), "missing option --screening: the screening date, YYYY-MM-DD"),
        (("screen", "--screening", "2025-09-01"),
         "missing option --phase: the phase screened for, one of 1b, 3"),
        (("screen", "--phase", "2", "--screening", "2025-09-01"),
         "unknown phase '2': accepted: 1b, 3"),
        ((*PHASE3, "--last", "ivig"), "invalid --last 'ivig': use NAME=YYYY-MM-DD"),
        ((*PHASE3, "--last", "ivig=2025/08/20"), "invalid --last date for ivig '2025/08/20'"),
        ((*PHASE3, "--attack", "2025-08-01", "--attack", "2025-08-01"),
         "--attack 2025-08-01 is given twice"),
        ((*PHASE3, "--steroid-dose", "twenty"), "invalid --steroid-dose 'twenty'"),
        ((*PHASE3, "--continuous-days", "methotrexate=5"),
         "--continuous-days methotrexate names no --last methotrexate"),
        ((*PHASE3, "--last", "x=2025-08-01", "--half-life", "x=5y"),
         "invalid --half-life for x '5y'"),
        ((*PHASE3, "--last", "prednisone=2025-08-25"), "no daily dose for prednisone"),
        ((*PHASE3, "--format", "ics"), "unknown format 'ics': accepted: table, json, csv, md"),
    ],
)  # fmt: skip
def test_refusals_are_one_line(run: Run, args: tuple[str, ...], message: str) -> None:
    assert error_line(run(*args)).startswith(message)


def test_a_protocol_without_time_bound_criteria_is_refused(run: Run) -> None:
    satra = str(ROOT / "examples" / "protocols" / "satralizumab-sakurastar.toml")
    line = error_line(run(*PHASE3, "--protocol", satra), 1)
    assert line == (
        f"protocol {satra} has no [eligibility] table: screen needs the protocol's time-bound "
        "criteria (README: Screening)"
    )


# --- a file of candidates -----------------------------------------------------------------------

CANDIDATES = ROOT / "examples" / "candidates.csv"


def test_a_file_of_candidates(run: Run) -> None:
    import csv
    import io

    text = ok(run("screen", str(CANDIDATES), "--format", "csv"))
    binding = {
        row["participant"]: (row["earliest"], row["first_working_day"], row["criterion"])
        for row in csv.DictReader(io.StringIO(text))
        if row["status"] == "binds"
    }
    assert binding == {
        # IVIG 20 August + 28 days = 17 September, within: 18 September.
        "CT303-S01": ("2025-09-18", "2025-09-18", "exclusion 4"),
        # Azathioprine stopped 28 August, 5 x 3 days: 13 September (a Saturday), Monday the 15th.
        "CT303-S02": ("2025-09-13", "2025-09-15", "exclusion 3"),
        # Nothing given: the day after screening.
        "CT303-S03": ("2025-09-02", "2025-09-02", "screening"),
    }
    table = ok(run("screen", str(CANDIDATES)))
    assert table.count("Earliest first infusion:") == 3
    assert "MIL62-CT303 · Phase Ib · participant CT303-S02 · screening 2025-09-03" in table


def test_a_workbook_of_candidates_reads_as_its_csv(run: Run, tmp_path: Path) -> None:
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    with CANDIDATES.open(encoding="utf-8") as stream:
        for row in csv.reader(stream):
            sheet.append(row)
    path = tmp_path / "candidates.xlsx"
    book.save(path)
    assert ok(run("screen", str(path), "--format", "json")) == ok(
        run("screen", str(CANDIDATES), "--format", "json")
    )


def test_a_file_of_candidates_is_read_in_the_runs_encoding(run: Run, tmp_path: Path) -> None:
    """As a roster: Excel's GB18030 CSV is detected and said once in a note, and --encoding
    forces one (the run's reading choices reach the candidates file, issue 17 #2)."""
    import csv
    import io

    path = tmp_path / "c.csv"
    path.write_bytes(
        "participant,phase,screening,item,name,date,value\n"
        "P1,3,2025年9月1日,last,ivig,2025年8月20日,\n".encode("gb18030")
    )
    result = run("screen", str(path), "--format", "csv")
    # IVIG 20 August + 28 days = 17 September, within: Thursday 18 September, a working day.
    [binds] = [row for row in csv.DictReader(io.StringIO(ok(result))) if row["status"] == "binds"]
    assert (binds["earliest"], binds["first_working_day"]) == ("2025-09-18", "2025-09-18")
    assert result.stderr == "mil62sched: note: c.csv read as GB18030 (not UTF-8)\n"
    forced = run("screen", str(path), "--encoding", "utf-8")
    assert forced.exit_code == 2
    # The header is 49 bytes; 年 (GB18030 C4 EA) follows "P1,3,2025" on line 2.
    assert error_line(forced) == (
        "c.csv line 2: not UTF-8 text (byte 59 of the file, 10 of the line: c4); save it as "
        "UTF-8 CSV"
    )


def test_a_misspelt_drug_is_suggested_once_for_a_file_of_candidates(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 16 #12, issue 21 #5: bad rows cost what good rows cost; not timed, counted.
    import difflib

    asked: list[str] = []
    real = difflib.get_close_matches

    def counted(word: str, *args: object, **kwargs: object) -> list[str]:
        asked.append(word)
        return real(word, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(difflib, "get_close_matches", counted)
    path = tmp_path / "c.csv"
    path.write_text(
        "participant,phase,screening,item,name,date,value\n"
        + "".join(f"P{n},3,2025-09-01,last,rituxann,2025-05-01,\n" for n in range(30)),
        encoding="utf-8",
    )
    result = run("screen", str(path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 31
    assert (
        "c.csv line 31: P29: unknown drug, vaccine or procedure 'rituxann': did you mean "
        in (lines[-2])
    )
    assert asked.count("rituxann") == 1  # once for 30 candidates (once each before)


def test_every_bad_row_of_a_file_is_reported_and_nothing_written(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "participant,phase,screening,item,name,date,value\n"
        "P1,3,2025-09-01,last,ivig,2025-08-20,\n"
        "P1,1b,2025-09-01,attack,,2025-08-01,\n"  # another phase for P1
        "P2,3,2025-09-01,vaccine,x,2025-08-01,\n"  # no such item
        "P3,3,2025-09-01,last,rituxan,2025-05-01,\n"  # unknown drug: refused with P3's line
        "P4,1b,2025-09-01,last,azathioprine,2025-08-01,\n",  # no half-life
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = run("screen", str(path), "-o", str(out))
    assert result.exit_code == 1
    assert not out.exists()
    assert result.stderr.splitlines() == [
        "mil62sched: error: c.csv line 3: phase '1b' differs from line 2's '3': one phase a person",
        "mil62sched: error: c.csv line 4: unknown item 'vaccine': use last, attack, steroid-dose, "
        "continuous-days, half-life, class",
        "mil62sched: error: c.csv line 5: P3: unknown drug, vaccine or procedure 'rituxan': did "
        "you mean rituximab? the classes are b-cell-depleting, non-b-cell-depleting-biologics, "
        "mitoxantrone, alkylating-agents, immunosuppressants, glucocorticoids, plasma-exchange, "
        "blood-transfusion, immunomodulatory-drugs, live-vaccines; give --class rituxan=CLASS for "
        "one the protocol does not list",
        "mil62sched: error: c.csv line 6: P4: no half-life for azathioprine: Exclusion 3 (Phase "
        "Ib) waits more than 5 half-lives after the drug is stopped: give --half-life "
        "azathioprine=DURATION (e.g. 5h or 3d)",
        "mil62sched: error: c.csv: 4 problem(s); nothing written (fix them all)",
    ]
    # --half-life and --class on the command line apply to every candidate.
    fixed = (
        path.read_text(encoding="utf-8").replace("P1,1b", "P1,3").replace("vaccine,x", "last,ivig")
    )
    path.write_text(fixed, encoding="utf-8")
    ok(
        run(
            "screen",
            str(path),
            "--half-life",
            "azathioprine=5h",
            "--class",
            "rituxan=b-cell-depleting",
        )
    )


def test_the_format_help_names_the_screenings_formats() -> None:
    """--format's help names them from a list kept beside the option groups, so that a start does
    not import the screening's formats: it must be theirs, in their order."""
    from mil62sched.commands.options import SCREEN_FORMATS
    from mil62sched.formats.screening import FORMATS

    assert tuple(found.name for found in FORMATS) == SCREEN_FORMATS


def test_a_file_and_a_persons_options_do_not_mix(run: Run) -> None:
    line = error_line(run("screen", str(CANDIDATES), "--last", "ivig=2025-08-20"))
    assert line.startswith("--last is a person's history, and candidates.csv gives each")
    line = error_line(run("screen", str(CANDIDATES), "--plan", "--arm", "phase3"))
    assert line.startswith("--plan plans one person")


def test_the_sites_holiday_file_moves_the_first_working_day(run: Run, tmp_path: Path) -> None:
    # IVIG on 20 August: 18 September (Thursday) at the earliest. The site closes on 18 and 19
    # September: its first working day is Monday 22 September.
    holidays = tmp_path / "holidays.csv"
    holidays.write_text(
        "date,name,kind\n2025-09-18,Site audit,holiday\n2025-09-19,Site audit,holiday\n",
        encoding="utf-8",
    )
    text = ok(run(*PHASE3, "--last", "ivig=2025-08-20", "--holidays", str(holidays)))
    assert (
        "First working day at the site on or after it: 2025-09-22 (Monday); 2025-09-18 is not a "
        "working day (Site audit)"
    ) in flat(text)
    plain = ok(run(*PHASE3, "--last", "ivig=2025-08-20", "--no-holidays"))
    assert "Working days not checked (--no-holidays): plan from that date." in lines_of(plain)


def test_a_refusal_in_chinese(run: Run) -> None:
    line = error_line(
        run("screen", "--phase", "1b", "--screening", "2025-09-01",
            "--last", "azathioprine=2025-08-28", "--lang", "zh")
    )  # fmt: skip
    assert line == (
        "未提供 azathioprine 的半衰期：排除标准 3（Ib 期）要求停药后超过 5 个半衰期：请用 "
        "--half-life azathioprine=DURATION 给出其半衰期（如 5h 或 3d）"
    )
