"""A plan says whose public holidays it checks: the site file's country, else the protocol's
(a site file without `country` takes the protocol's silently otherwise)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import EXAMPLES, Run

# --- issue 16 #11: which country's holidays a plan uses, said in its header ---------------------

SAKURASTAR = str(EXAMPLES / "protocols" / "satralizumab-sakurastar.toml")
SITE = str(EXAMPLES / "site.toml")  # the Beijing site's file; it sets no country
# SAkuraStar's protocol file says country = "US": a site file without `country` plans on US
# holidays, which the header must say (it did not).
SAKURA_AT_SITE = ("plan", "--protocol", SAKURASTAR, "--arm", "sakurastar-db",
                  "--start", "2025-09-01", "--participant", "SAK-001", "--site", SITE)  # fmt: skip
BUILTIN = ("plan", "--arm", "phase3-rcp", "--start", "2025-09-01", "--participant", "P1")


def _header(run: Run, *args: str) -> str:
    """What a plan says before its table (table: up to the rule; md: up to the pipe table;
    html: the card's text up to its visits), on one line."""
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    if "<html" in text:
        text = re.sub(r"<[^>]+>", " ", text.partition('<table class="visits"')[0])
    else:
        text = re.split(r"━|\n\||\n\n +\S+ ?\S+\n", text)[0]  # a rule, a table, a month
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((*SAKURA_AT_SITE,), "Holidays: US (United States)"),
        ((*SAKURA_AT_SITE, "--lang", "zh"), "节假日：US（美国）"),
        ((*SAKURA_AT_SITE, "--format", "md"), "Holidays: US (United States)"),
        ((*SAKURA_AT_SITE, "--format", "md", "--lang", "zh"), "节假日：US（美国）"),
        ((*BUILTIN,), "Holidays: CN (China)"),
        ((*BUILTIN, "--lang", "zh"), "节假日：CN（中国）"),
        ((*BUILTIN, "--format", "md"), "Holidays: CN (China)"),
        ((*BUILTIN, "--format", "calendar"), "Holidays: CN (China)"),
        ((*BUILTIN, "--format", "calendar", "--lang", "zh"), "节假日：CN（中国）"),
        ((*BUILTIN, "--country", "DE"), "Holidays: DE"),
        ((*BUILTIN, "--no-holidays"), "Holidays: not checked (--no-holidays)"),
        ((*BUILTIN, "--no-holidays", "--lang", "zh"), "节假日：不检查（--no-holidays）"),
    ],
)
def test_a_plan_says_whose_holidays_it_uses(run: Run, args: tuple[str, ...], said: str) -> None:
    assert said in _header(run, *args)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ((), "Holidays 节假日 US (United States) US（美国）"),  # a card in both languages
        (("--lang", "zh"), "节假日 US（美国）"),
        (("--lang", "en"), "Holidays US (United States)"),
    ],
)
def test_the_card_says_whose_holidays_it_uses(run: Run, lang: tuple[str, ...], said: str) -> None:
    """The card says it among the facts on top (label, then value), where it takes no line of
    its own: a card still prints on one page."""
    header = _header(run, *SAKURA_AT_SITE, "--format", "html", *lang)
    assert said in header, header


ROSTER = ("roster", str(EXAMPLES / "roster.csv"), "--today", "2025-10-10")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((*ROSTER,), "5 participants Holidays: CN (China)"),
        ((*ROSTER, "--lang", "zh"), "5 名受试者 节假日：CN（中国）"),
        ((*ROSTER, "--country", "DE"), "5 participants Holidays: DE"),
        ((*ROSTER, "--no-holidays"), "5 participants Holidays: not checked (--no-holidays)"),
    ],
)
def test_a_roster_table_says_whose_holidays_it_uses(
    run: Run, args: tuple[str, ...], said: str
) -> None:
    """Every participant of a roster run is planned on the same site's days: said once, above
    the table, as a plan says it."""
    assert _header(run, *args).startswith(said + " "), _header(run, *args)
