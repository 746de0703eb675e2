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

from mil62sched import protocol
from mil62sched.eligibility import first_clear, first_counted, period_end, screen
from mil62sched.errors import UsageError
from mil62sched.model.eligibility import Dose, History, Period, Screening
from mil62sched.protocol.criteria import load_eligibility
from mil62sched.site.workdays import SiteCalendar

ROOT = Path(__file__).resolve().parents[1]
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
    assert message.startswith("no half-life for azathioprine: Exclusion 3 (Phase Ib)")
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
