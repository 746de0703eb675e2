"""The built-in protocol against the registry text, and broken protocol files refused clearly.

The expected visit lists below were written by reading seeds/NCT05314010.txt (the "Study Groups"
section), not by copying the package's TOML file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mil62sched import protocol
from mil62sched.errors import ProtocolError, UsageError
from mil62sched.model.codes import VisitCode
from tests.conftest import ROOT

REGISTRY = ROOT / "seeds" / "NCT05314010.txt"

# Phase 1b: "on Week (W) 1 Day (D) 1, W3D1, W25D1, W27D1, W53D1, W79D1, W105D1, W131D1, W157D1,
# W183D1, and W209D1" -- the same visits for the 500 mg and the 1000 mg groups.
PHASE1B = [
    "W1D1", "W3D1", "W25D1", "W27D1", "W53D1", "W79D1",
    "W105D1", "W131D1", "W157D1", "W183D1", "W209D1",
]  # fmt: skip
# Phase 3 RCP: "MIL62 1000 mg or placebo matched to MIL62 on W1D1, W3D1, W25D1, and W27D1".
RCP = ["W1D1", "W3D1", "W25D1", "W27D1"]
# Phase 3 OLP (MIL62 group): "MIL62 1000 mg on W1D1, W27D1, W53D1, W79D1, W105D1, and W131D1,
# along with matching placebo on W3D1"; (placebo group): "MIL62 1000 mg on W1D1, W3D1, W27D1,
# W53D1, W79D1, W105D1, and W131D1". Both: seven visits, no W25D1.
OLP = ["W1D1", "W3D1", "W27D1", "W53D1", "W79D1", "W105D1", "W131D1"]

EXPECTED_VISITS = {
    "phase1b-500": PHASE1B,
    "phase1b-1000": PHASE1B,
    "phase3-rcp": RCP,
    "phase3-rcp-mil62": RCP,
    "phase3-rcp-placebo": RCP,
    "phase3-olp": OLP,
    "phase3-olp-from-mil62": OLP,
    "phase3-olp-from-placebo": OLP,
}
# The Phase 3 journeys: the RCP, then the OLP, whose W1D1 defaults to RCP W53D1 (the registry
# does not say when a participant enters the OLP; the protocol file assumes the RCP's 52 weeks).
JOURNEYS = {
    "phase3": ("blinded", None, ["phase3-rcp", "phase3-olp"]),
    "phase3-mil62": ("unblinded", "phase3", ["phase3-rcp-mil62", "phase3-olp-from-mil62"]),
    "phase3-placebo": ("unblinded", "phase3", ["phase3-rcp-placebo", "phase3-olp-from-placebo"]),
}


def normalise(text: str) -> str:
    """Collapse whitespace, and undo the registry page's Markdown escapes of '[' and ']'."""
    return " ".join(text.replace("\\[", "[").replace("\\]", "]").split())


@pytest.fixture(scope="module")
def registry_text() -> str:
    return normalise(REGISTRY.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def builtin() -> protocol.Protocol:
    return protocol.load()


# --- the built-in protocol -------------------------------------------------------------------


def test_builtin_protocol_identifies_the_trial(builtin: protocol.Protocol) -> None:
    assert builtin.id == "MIL62-CT303"
    assert builtin.registry == "NCT05314010"
    assert builtin.timezone == "Asia/Shanghai"
    assert (ROOT / builtin.source).is_file()
    # The site's name as the registry writes it, and as its staff and participants do
    # (issue 16 #6: the card names it in both languages).
    assert builtin.site == "Chinese PLA General Hospital, Beijing"
    assert builtin.site_zh == "中国人民解放军总医院"


def test_builtin_protocol_has_the_eight_schedules(builtin: protocol.Protocol) -> None:
    assert sorted(builtin.schedules) == sorted(EXPECTED_VISITS)


def test_builtin_protocol_has_eleven_arms_the_schedules_then_the_journeys(
    builtin: protocol.Protocol,
) -> None:
    assert list(builtin.arms) == [*builtin.schedules, *JOURNEYS]
    assert builtin.arm_names() == [*builtin.schedules, *JOURNEYS, "phase3-ocp"]
    for name, schedule in builtin.schedules.items():
        arm = builtin.arm(name)
        assert not arm.journey
        assert [leg.schedule for leg in arm.legs] == [schedule]
        assert (arm.name, arm.title, arm.masking, arm.unblinds) == (
            schedule.name,
            schedule.title,
            schedule.masking,
            schedule.unblinds,
        )


@pytest.mark.parametrize(("name", "expected"), sorted(JOURNEYS.items()))
def test_journeys_run_the_rcp_then_the_olp_from_rcp_w53d1(
    builtin: protocol.Protocol, name: str, expected: tuple[str, str | None, list[str]]
) -> None:
    masking, unblinds, legs = expected
    arm = builtin.arm(name)
    assert arm.journey
    assert (arm.masking, arm.unblinds) == (masking, unblinds)
    assert [leg.schedule.name for leg in arm.legs] == legs
    assert [leg.period for leg in arm.legs] == ["RCP", "OLP"]
    assert [leg.starts_at for leg in arm.legs] == [None, VisitCode.parse("W53D1")]


def test_unblinded_journeys_reveal_the_blinded_journey_leg_by_leg(
    builtin: protocol.Protocol,
) -> None:
    blinded = builtin.arm("phase3")
    for name in ("phase3-mil62", "phase3-placebo"):
        arm = builtin.arm(name)
        assert [leg.schedule.blinded_name for leg in arm.legs] == [
            leg.schedule.name for leg in blinded.legs
        ]
        assert [leg.starts_at for leg in arm.legs] == [leg.starts_at for leg in blinded.legs]


@pytest.mark.parametrize("name", sorted(JOURNEYS))
def test_a_journey_is_not_a_single_schedule(builtin: protocol.Protocol, name: str) -> None:
    with pytest.raises(UsageError) as caught:
        builtin.schedule(name)
    assert str(caught.value) == f"{name!r} is a journey of several schedules, not one schedule"


def test_design_card_name_is_an_alias_of_the_open_label_period(
    builtin: protocol.Protocol,
) -> None:
    assert dict(builtin.aliases) == {"phase3-ocp": "phase3-olp"}
    assert builtin.schedule("phase3-ocp") is builtin.schedule("phase3-olp")
    assert builtin.schedule(" PHASE3-OCP ").name == "phase3-olp"


@pytest.mark.parametrize(
    ("typed", "closest"),
    [
        ("phase3-rpc", "phase3-rcp"),
        ("phase1b-50", "phase1b-500"),
        ("phase3-olp-from-mil", "phase3-olp-from-mil62"),
        ("phase3-ocp-x", "phase3-ocp"),
    ],
)
def test_unknown_arm_suggests_the_closest_name(
    builtin: protocol.Protocol, typed: str, closest: str
) -> None:
    with pytest.raises(UsageError) as caught:
        builtin.schedule(typed)
    message = str(caught.value)
    assert f"unknown arm {typed!r}" in message
    assert f"did you mean {closest!r}?" in message
    for name in EXPECTED_VISITS:
        assert name in message  # the accepted names are listed


def test_unknown_arm_with_nothing_close_lists_the_accepted_names(
    builtin: protocol.Protocol,
) -> None:
    with pytest.raises(UsageError) as caught:
        builtin.schedule("xyz")
    assert "did you mean" not in str(caught.value)
    assert "accepted: phase1b-500" in str(caught.value)


def test_unknown_arm_message_lists_the_journeys_too(builtin: protocol.Protocol) -> None:
    with pytest.raises(UsageError) as caught:
        builtin.arm("xyz")
    accepted = ", ".join([*EXPECTED_VISITS, *JOURNEYS, "phase3-ocp"])
    assert str(caught.value) == f"unknown arm 'xyz': accepted: {accepted}"


def test_arm_names_resolve_case_and_space_insensitively(builtin: protocol.Protocol) -> None:
    assert builtin.arm(" PHASE3 ") is builtin.arm("phase3")
    assert builtin.arm("phase3-ocp") is builtin.arm("phase3-olp")


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED_VISITS.items()))
def test_visits_equal_the_registry_text(
    builtin: protocol.Protocol, name: str, expected: list[str]
) -> None:
    assert [str(code) for code in builtin.schedule(name).visits] == expected


def test_hand_written_lists_match_the_codes_in_the_registry_paragraphs(
    registry_text: str,
) -> None:
    """Guards the lists above against a misreading: pull each sentence's codes out again."""

    def codes(sentence_start: str) -> list[str]:
        start = registry_text.index(sentence_start)
        first_code = registry_text.index("W", start + len(sentence_start))
        sentence = registry_text[start : registry_text.index(".", first_code)]
        found = re.findall(r"W\d+D\d", sentence.replace("Week (W) 1 Day (D) 1", "W1D1"))
        return sorted(set(found), key=lambda text: VisitCode.parse(text).study_day)

    assert codes("Phase 1b: Participants will receive") == PHASE1B
    assert codes("Phase 3 (Randomised Controlled Period [RCP]): Participants") == RCP
    assert codes("Phase 3 (RCP): Participants will receive IV placebo") == RCP
    assert codes("Phase 3 (Open-Label Period [OLP]): Participants who enter") == OLP
    assert codes("Phase 3 (OLP): Participants entering the OLP") == OLP


@pytest.mark.parametrize("name", ["phase3-olp", "phase3-olp-from-mil62", "phase3-olp-from-placebo"])
def test_open_label_period_has_no_w25d1(builtin: protocol.Protocol, name: str) -> None:
    assert VisitCode.parse("W25D1") not in builtin.schedule(name).visits


def test_every_unblinded_schedule_reveals_a_blinded_one_with_identical_visits(
    builtin: protocol.Protocol,
) -> None:
    unblinded = [s for s in builtin.schedules.values() if s.masking == "unblinded"]
    assert sorted(s.name for s in unblinded) == [
        "phase3-olp-from-mil62",
        "phase3-olp-from-placebo",
        "phase3-rcp-mil62",
        "phase3-rcp-placebo",
    ]
    for schedule in unblinded:
        assert schedule.unblinds is not None
        target = builtin.schedules[schedule.unblinds]
        assert target.masking == "blinded"
        assert target.visits == schedule.visits, schedule.name
        # The .ics UIDs mix in the period, so the trio must agree on it too.
        assert target.period == schedule.period, schedule.name
        assert schedule.blinded_name == target.name


def test_blinded_schedules_hide_whatever_their_arms_disagree_on(
    builtin: protocol.Protocol,
) -> None:
    """Wherever the unblinded arms of a blinded schedule infuse different things, the blinded
    schedule must show a blinded treatment; where they agree, it may show the common one."""
    for blinded in (s for s in builtin.schedules.values() if s.masking == "blinded"):
        arms = [s for s in builtin.schedules.values() if s.unblinds == blinded.name]
        assert len(arms) == 2, blinded.name
        for code in blinded.visits:
            shown = blinded.treatment_at(code)
            given = {arm.treatment_at(code).key for arm in arms}
            if len(given) > 1:
                assert shown.blinded, f"{blinded.name} {code}"
                assert shown.dose_mg is None
            else:
                assert shown.key in given, f"{blinded.name} {code}"


def test_open_label_schedules_have_no_blinded_treatment(builtin: protocol.Protocol) -> None:
    for schedule in builtin.schedules.values():
        if schedule.masking != "blinded":
            for code in schedule.visits:
                assert not schedule.treatment_at(code).blinded, f"{schedule.name} {code}"


def test_only_phase1b_500_may_escalate_and_from_w25d1(builtin: protocol.Protocol) -> None:
    escalating = {s.name: s.escalation for s in builtin.schedules.values() if s.escalation}
    assert list(escalating) == ["phase1b-500"]
    rule = escalating["phase1b-500"]
    assert rule is not None
    assert str(rule.earliest) == "W25D1"  # "escalated to the 1000 mg dose starting from W25D1"
    assert (rule.treatment.product, rule.treatment.dose_mg) == ("MIL62", 1000)


@pytest.mark.parametrize("name", sorted(EXPECTED_VISITS))
def test_cites_occur_in_the_registry_text(
    builtin: protocol.Protocol, registry_text: str, name: str
) -> None:
    cites = builtin.schedule(name).cites
    # phase3-olp cites two registry sentences joined by an editorial "[Placebo arm:]"; each part
    # must be in the registry on its own, and the joiner itself must not be claimed as quoted.
    parts = cites.split("[Placebo arm:]")
    assert len(parts) == (2 if name == "phase3-olp" else 1)
    for part in parts:
        quoted = normalise(part)
        assert quoted, name
        assert quoted in registry_text, f"{name} cites text not in the registry: {quoted!r}"


@pytest.mark.parametrize("name", sorted(JOURNEYS))
def test_journey_cites_are_registry_sentences(
    builtin: protocol.Protocol, registry_text: str, name: str
) -> None:
    """A journey cites one registry sentence per period; each must be in the registry as is."""
    cites = normalise(builtin.arm(name).cites)
    parts = re.split(r" (?=Phase 3 \()", cites)
    assert len(parts) == 2, parts
    assert parts[0].startswith("Phase 3 (R")  # the RCP ...
    assert parts[1].startswith("Phase 3 (O")  # ... then the OLP
    for part in parts:
        assert part in registry_text, f"{name} cites text not in the registry: {part!r}"


# --- broken protocol files -------------------------------------------------------------------

HEAD = """\
format = 1

[protocol]
id = "T-1"
registry = "NCT00000000"
title = "A test trial"
sponsor = "Nobody"
site = "Nowhere"
country = "CN"
timezone = "Asia/Shanghai"
source = "seeds/none.txt"
"""

BODY = """\
[treatments.drug]
label = "Drug 100 mg"
product = "Drug"
dose_mg = 100

[treatments.placebo]
label = "Matching placebo"
product = "placebo"
dose_mg = 0

[treatments.drug-or-placebo]
label = "Drug 100 mg or matching placebo"
product = "Drug or placebo"
blinded = true

[[schedules]]
name = "rcp"
title = "Blinded"
period = "RCP"
masking = "blinded"
visits = ["W1D1", "W3D1", "W5D1"]
treatment = "drug-or-placebo"
cites = "Some sentence."

[[schedules]]
name = "rcp-drug"
title = "Drug arm"
period = "RCP"
masking = "unblinded"
unblinds = "rcp"
visits = ["W1D1", "W3D1", "W5D1"]
treatment = "drug"
cites = "Some sentence."

[[schedules]]
name = "ol"
title = "Open label"
period = "OL"
masking = "open-label"
visits = ["W1D1", "W2D1"]
treatment = "drug"
cites = "Another sentence."
"""

VALID = HEAD + "\n" + BODY


def edit(old: str, new: str, text: str = VALID) -> str:
    """`text` with the first `old` replaced; fails loudly if `old` is not there."""
    assert old in text, old
    return text.replace(old, new, 1)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "trial.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_valid_test_file_loads(tmp_path: Path) -> None:
    """The baseline every broken file below differs from in one place."""
    loaded = protocol.load(write(tmp_path, VALID))
    assert sorted(loaded.schedules) == ["ol", "rcp", "rcp-drug"]
    assert loaded.schedule("rcp-drug").blinded_name == "rcp"
    assert loaded.site_zh is None  # format 1 without site_zh: the site has its English name


def test_a_protocol_file_may_name_its_site_in_chinese(tmp_path: Path) -> None:
    loaded = protocol.load(
        write(tmp_path, edit('site = "Nowhere"\n', 'site = "Nowhere"\nsite_zh = "无处"\n'))
    )
    assert (loaded.site, loaded.site_zh) == ("Nowhere", "无处")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param("this is = = not toml\n", "cannot read protocol", id="not-toml"),
        pytest.param(
            "format = 1\n" + BODY,
            "(top level): 'protocol' is a required property",
            id="missing-protocol-table",
        ),
        pytest.param(
            edit('treatment = "drug"\ncites = "Another', 'treatment = "drugs"\ncites = "Another'),
            "treatment 'drugs' is not one of drug, placebo, drug-or-placebo",
            id="unknown-treatment",
        ),
        pytest.param(
            edit('["W1D1", "W2D1"]', '["W1D1", "W2D8"]'),
            "invalid visit code 'W2D8'",
            id="malformed-visit-code",
        ),
        pytest.param(
            edit('["W1D1", "W2D1"]', '["W2D1", "W1D1"]'),
            "visits must be in study-day order",
            id="visits-out-of-order",
        ),
        pytest.param(
            edit('["W1D1", "W2D1"]', '["W1D1", "W1D1"]'),
            "without repeats",
            id="visits-repeated",
        ),
        pytest.param(
            edit(
                'treatment = "drug"\ncites = "Another',
                'treatment = "drug"\noverrides = { W3D1 = "placebo" }\ncites = "Another',
            ),
            "override at W3D1 is not one of its visits",
            id="override-at-a-non-visit",
        ),
        pytest.param(
            edit('unblinds = "rcp"\n', ""),
            "schedules[1]: 'unblinds' is a required property",
            id="unblinded-without-unblinds",
        ),
        pytest.param(
            edit('unblinds = "rcp"\n', 'unblinds = "ol"\n'),
            "unblinds 'ol', not a blinded schedule",
            id="unblinds-an-open-label-schedule",
        ),
        pytest.param(
            edit(
                'visits = ["W1D1", "W3D1", "W5D1"]\ntreatment = "drug"\n',
                'visits = ["W1D1", "W3D1", "W6D1"]\ntreatment = "drug"\n',
            ),
            "has other visits or another period than 'rcp'",
            id="unblinded-with-other-visits",
        ),
        pytest.param(
            edit("blinded = true\n", "blinded = true\ndose_mg = 100\n"),
            "a blinded treatment may not state dose_mg",
            id="blinded-treatment-with-dose",
        ),
        pytest.param(
            edit('name = "ol"', 'name = "rcp"'),
            "schedule name 'rcp' is used twice",
            id="duplicate-schedule-name",
        ),
        pytest.param(
            edit('site = "Nowhere"\n', 'site = "Nowhere"\nsite_zh = 301\n'),
            "protocol.site_zh: 301 is not of type 'string'",
            id="site-zh-not-text",
        ),
        pytest.param(
            edit('site = "Nowhere"\n', 'site = "Nowhere"\nsite_zh = " "\n'),
            "protocol.site_zh: must be non-empty text",  # `' ' does not match '\\S'` before
            id="site-zh-empty",
        ),
        pytest.param(
            edit('masking = "open-label"', 'masking = "open"'),
            "masking: 'open' is not one of ['open-label', 'blinded', 'unblinded']",
            id="unknown-masking",
        ),
    ],
)
def test_broken_protocol_names_the_file_and_the_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ProtocolError) as caught:
        protocol.load(path)
    message = str(caught.value)
    assert str(path) in message
    assert problem in message
    assert "\n" not in message


def test_missing_protocol_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "no-such-trial.toml"
    with pytest.raises(ProtocolError) as caught:
        protocol.load(path)
    message = str(caught.value)
    assert f"cannot read protocol {path}" in message
    assert "No such file" in message


def test_protocol_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(edit('title = "A test trial"', 'title = "Zoë"').encode("latin-1"))
    with pytest.raises(ProtocolError, match="cannot read protocol"):
        protocol.load(path)


def test_study_dates_are_the_registry_s():
    """Study Start Date 2022-08-18 and Study Completion Date 2027-03-31, from the seed."""
    from datetime import date

    from mil62sched import protocol

    trial = protocol.load()
    assert (trial.study_start, trial.study_completion) == (date(2022, 8, 18), date(2027, 3, 31))
