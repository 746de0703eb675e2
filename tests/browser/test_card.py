"""The visit card as a person sees it: loaded, printed and photographed by a real headless
Chromium, its PDF read back with poppler (pdfinfo, pdftotext).

These tests need Debian's `chromium`, `fonts-noto-cjk` and `poppler-utils`. Without them they
are skipped on a developer's machine, but they FAIL when `MIL62SCHED_BROWSER_TESTS=required`
(set by `.ci/run`, which installs the three) or `CI` is `true`/`1`, so CI never skips them.

Dates checked by hand as in tests/formats/test_card.py: phase3-olp from 2024-01-01 gives 2024-01-01,
2024-01-15, 2024-07-01, 2024-12-30, 2025-06-30, 2025-12-29, 2026-06-29.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import IO

import pytest

from mil62sched.formats import pdf
from mil62sched.formats.presentation import Presentation
from mil62sched.model.plan import Plan
from tests.conftest import EXAMPLES, Run

OLP_DATES = (
    "2024-01-01",
    "2024-01-15",
    "2024-07-01",
    "2024-12-30",
    "2025-06-30",
    "2025-12-29",
    "2026-06-29",
)
SITE = str(EXAMPLES / "site.toml")
ROSTER = str(EXAMPLES / "roster.csv")
ACTUALS = str(EXAMPLES / "actuals.csv")
BLINDED_LABEL = "MIL62 1000 mg or matching placebo"
BLINDED_LABEL_ZH = "MIL62 1000 mg 或匹配安慰剂"

REQUIRED = os.environ.get("MIL62SCHED_BROWSER_TESTS") == "required" or os.environ.get(
    "CI", ""
).lower() in ("1", "true")


def _need(found: str | None, what: str) -> str:
    """`found`, or a skip (a failure where the browser tests are required)."""
    if found is None:
        message = f"{what} is not installed (apt install chromium fonts-noto-cjk poppler-utils)"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def browser() -> str:
    found = next((shutil.which(name) for name in pdf.BROWSERS if shutil.which(name)), None)
    _need(shutil.which("pdfinfo"), "pdfinfo")
    _need(shutil.which("pdftotext"), "pdftotext")
    fc_list = _need(shutil.which("fc-list"), "fc-list (fontconfig)")
    fonts = subprocess.run([fc_list], capture_output=True, text=True, check=False).stdout
    _need("ok" if "Noto Sans CJK" in fonts else None, "a CJK font (Noto Sans CJK)")
    return _need(found, "a Chromium browser")


def chromium(browser: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the headless browser with a throw-away profile and its console on stderr."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run(
        [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args,
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def console(stderr: str) -> list[str]:
    """What the page said on the browser's console (errors, CSP refusals, uncaught ones)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def dom(browser: str, page: Path, tmp_path: Path, *args: str) -> tuple[str, list[str]]:
    """The page's DOM after loading, as text without tags, and its console messages."""
    done = chromium(browser, tmp_path, *args, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    text = re.sub(r"<style>.*?</style>", " ", done.stdout, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", text).split()), console(done.stderr)


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    done = subprocess.run(
        ["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def pdf_info(path: Path) -> dict[str, str]:
    done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return dict(
        (key.strip(), value.strip())
        for key, value in (line.split(":", 1) for line in done.stdout.splitlines() if ":" in line)
    )


def made(run: Run, *args: str) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.stderr


def plan_dates(run: Run, *args: str) -> list[str]:
    result = run("plan", *args, "--format", "json")
    return [visit["date"] for visit in json.loads(result.stdout)["visits"]]


CARD = (
    "plan", "--arm", "phase3-ocp", "--start", "2024-01-01", "--participant", "CT303-0042",
    "--actual", "W1D1=2024-01-01", "--actual", "W3D1=2024-01-15", "--today", "2024-03-01",
    "--site", SITE,
)  # fmt: skip


# --- the page in the browser --------------------------------------------------------------


def test_the_card_loads_with_every_visit_date_and_no_console_message(
    run: Run, browser: str, tmp_path: Path
) -> None:
    page = tmp_path / "card.html"
    made(run, *CARD, "--format", "html", "-o", str(page))
    text, said = dom(browser, page, tmp_path)
    assert said == []
    for day in OLP_DATES:
        assert day in text, day
    assert "第1周第1天" in text
    assert "CT303-0042" in text


def test_the_console_check_sees_what_a_page_says(browser: str, tmp_path: Path) -> None:
    """The check above can fail: a blocked script and an uncaught error are both seen."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta http-equiv='Content-Security-Policy' "
        "content=\"default-src 'none'\"></head><body><p>x</p><script>throw 1</script></body>",
        encoding="utf-8",
    )
    _, said = dom(browser, page, tmp_path)
    assert any("Content Security Policy" in line for line in said), said
    page.write_text("<p>x</p><script>throw new Error('boom')</script>", encoding="utf-8")
    _, said = dom(browser, page, tmp_path)
    assert any("Uncaught" in line for line in said), said


def test_the_roster_cards_load_with_every_participants_dates(
    run: Run, browser: str, tmp_path: Path
) -> None:
    page = tmp_path / "cards.html"
    common = ("--actuals", ACTUALS, "--today", "2025-09-29", "--site", SITE)
    made(run, "roster", ROSTER, *common, "--format", "html", "-o", str(page))
    text, said = dom(browser, page, tmp_path)
    assert said == []
    rows = json.loads(run("roster", ROSTER, *common, "--format", "json").stdout)
    assert len(rows) == 5
    for participant in rows:
        assert participant["participant"] in text
        for visit in participant["visits"]:
            assert visit["date"] in text, (participant["participant"], visit["code"])


def test_the_agenda_loads_with_every_due_date(run: Run, browser: str, tmp_path: Path) -> None:
    page = tmp_path / "week.html"
    common = (
        "agenda", ROSTER, "--actuals", ACTUALS, "--from", "2025-09-29", "--days", "14",
        "--today", "2025-09-29", "--site", SITE,
    )  # fmt: skip
    made(run, *common, "--format", "html", "-o", str(page))
    text, said = dom(browser, page, tmp_path)
    assert said == []
    items = json.loads(run(*common, "--format", "json").stdout)["items"]
    assert len(items) == 4
    for item in items:
        assert item["date"] in text
        assert item["participant"] in text
    # The day the site is closed is named (CT303-0002's RCP W3D1 on National Day, 2025-10-01).
    assert "non-working day: National Day" in text
    assert "国庆节" in text


_MEASURE = """<script>
addEventListener("load", () => {
  const width = document.documentElement.clientWidth;
  const widest = Math.max(...[...document.querySelectorAll("table, .page")].map(
    (element) => Math.ceil(element.getBoundingClientRect().right)));
  const out = document.createElement("pre");
  out.id = "measure";
  out.textContent = `fits=${document.documentElement.scrollWidth <= width && widest <= width}`
    + ` client=${width} widest=${widest}`;
  document.body.append(out);
});
</script>"""


def measured(page: Path) -> Path:
    """A copy of the page that measures itself (the card has no script, and its CSP forbids one;
    the copy drops the CSP to add the measuring script)."""
    text = re.sub(r"<meta http-equiv=\"Content-Security-Policy\"[^>]*>", "", page.read_text())
    copy = page.with_name("measured-" + page.name)
    # On paper the page has no padding of its own (@page margins frame it); on screen it has:
    # measured without, at the printed width, the screen shows the printed layout.
    text = text.replace("</head>", "<style>body { padding: 0 !important; }</style></head>")
    copy.write_text(text.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    "what",
    [
        ("plan", "--arm", "phase3", "--start", "2025-08-25", "--participant", "CT303-0042",
         "--window", "3", "--actual", "RCP:W1D1=2025-08-25", "--today", "2025-09-29"),
        ("agenda", ROSTER, "--actuals", ACTUALS, "--from", "2025-09-29", "--days", "14",
         "--today", "2025-09-29", "--chairs", "1"),
    ],
    ids=["journey card", "agenda"],
)  # fmt: skip
def test_the_tables_fit_the_width_of_an_a5_page(
    run: Run, browser: str, tmp_path: Path, what: tuple[str, ...]
) -> None:
    page = tmp_path / "page.html"
    made(run, *what, "--site", SITE, "--paper", "a5", "--format", "html", "-o", str(page))
    # A5 is 148 mm wide; less 7 mm margins each side, 134 mm = 506.5 CSS pixels of 1/96 inch,
    # of which the browser prints on 505 (its margins round up).
    text, said = dom(browser, measured(page), tmp_path, "--window-size=505,900")
    assert said == []
    found = re.search(r"fits=(\w+) client=(\d+) widest=(\d+)", text)
    assert found is not None, text[-300:]
    assert found[1] == "true", found[0]


def test_the_width_check_sees_a_table_too_wide(browser: str, tmp_path: Path) -> None:
    page = tmp_path / "wide.html"
    page.write_text(
        "<!DOCTYPE html><html><body><table><tr><td style='white-space: nowrap'>"
        + "W1D1 2024-01-01 " * 20
        + "</td></tr></table></body></html>",
        encoding="utf-8",
    )
    text, _ = dom(browser, measured(page), tmp_path, "--window-size=506,900")
    assert "fits=false" in text


@pytest.mark.parametrize(("paper", "width"), [("a4", 794), ("a5", 560)])
def test_a_screenshot_of_the_card_is_not_blank(
    run: Run, browser: str, tmp_path: Path, paper: str, width: int
) -> None:
    from PIL import Image

    page = tmp_path / "card.html"
    made(run, *CARD, "--paper", paper, "--format", "html", "-o", str(page))
    shot = tmp_path / "card.png"
    done = chromium(
        browser, tmp_path, f"--screenshot={shot}", f"--window-size={width},1100", page.as_uri()
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert console(done.stderr) == []
    with Image.open(shot) as image:
        grey = image.convert("L")
        colours = grey.getcolors(maxcolors=256 * 256) or []
        size = grey.width * grey.height
        assert len(colours) > 1
        # Text and rules: about 3 % of a card's screenshot is not white (a blank page: 0), and
        # a few thousand pixels are near black (the text itself).
        assert sum(count for value, count in colours if value < 250) / size > 0.01
        assert sum(count for value, count in colours if value < 100) / size > 0.001


# --- the PDF ----------------------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_the_roster_pdf_has_one_page_per_participant(
    run: Run, browser: str, tmp_path: Path, paper: str
) -> None:
    out = tmp_path / "cards.pdf"
    common = ("--actuals", ACTUALS, "--today", "2025-09-29", "--site", SITE)
    made(run, "roster", ROSTER, *common, "--paper", paper, "-o", str(out))
    info = pdf_info(out)
    assert info["Pages"] == "5"
    assert info["Page size"].endswith(f"({paper.upper()})")
    rows = json.loads(run("roster", ROSTER, *common, "--format", "json").stdout)
    for number, participant in enumerate(rows, 1):
        text = pdf_text(out, number)
        assert participant["participant"] in text
        others = [row["participant"] for row in rows if row is not participant]
        assert not any(other in text for other in others)
        assert "第1周第1天" in text
        for visit in participant["visits"]:
            assert visit["date"] in text, (participant["participant"], visit["code"])


@pytest.mark.parametrize("arm", ["phase3-ocp", "phase3", "phase3-mil62", "phase1b-500"])
def test_every_card_prints_on_one_a5_page_with_its_chinese_and_dates(
    run: Run, browser: str, tmp_path: Path, arm: str
) -> None:
    args = ("--arm", arm, "--start", "2025-08-25", "--participant", "CT303-0042", "--window", "3")
    out = tmp_path / "card.pdf"
    made(run, "plan", *args, "--today", "2025-09-29", "--site", SITE, "--paper", "a5",
         "-o", str(out))  # fmt: skip
    info = pdf_info(out)
    assert info["Pages"] == "1"
    assert info["Page size"].endswith("(A5)")
    text = pdf_text(out)
    assert "第1周第1天" in text
    assert "周一" in text
    for day in plan_dates(run, *args):
        assert day in text, day


# Issue 16 #7: the longest cards print on one page too. SAkuraStar's double-blind arm has 26
# visits (screening D-28, then D1, D15, D29 and every 28 days to D645: 25 infusions; its dates
# are hand-checked in protocol/test_protocol_files.py); the phase 3 journey is the longest
# built-in arm (4 RCP and 7 OLP infusions), here with windows, a recorded visit, an overdue
# one, a closed day (W27D1 on Mon 2026-02-23, the 2026 notice's day off for Sat 02-28) and
# visits after the study completion date: the most a card of it says.
SATRA = str(EXAMPLES / "protocols" / "satralizumab-sakurastar.toml")
LONG_CARDS = {
    "25 visits": ("--protocol", SATRA, "--arm", "sakurastar-db", "--start", "2025-09-01",
                  "--participant", "SAK-001"),
    "phase3 journey": ("--arm", "phase3", "--start", "2025-08-25", "--participant", "CT303-0042",
                       "--window", "3", "--actual", "RCP:W1D1=2025-08-25"),
    # Every visit on a closed day: W1D1 on Sunday 2025-04-13, so each visit falls on a Sunday,
    # a line more under each (closed, or a make-up working Sunday such as 2025-04-27), and the
    # OLP's dates marked (assumed start): 11 visits that spilled onto a second page.
    "closed every visit": ("--arm", "phase3", "--start", "2025-04-13", "--participant", "P003",
                           "--window", "3"),
}  # fmt: skip
LANGS = {"both": (), "en": ("--lang", "en"), "zh": ("--lang", "zh")}


@pytest.mark.parametrize("lang", list(LANGS))
@pytest.mark.parametrize("paper", ["a4", "a5"])
@pytest.mark.parametrize("card", list(LONG_CARDS))
def test_a_long_card_prints_on_one_page(
    run: Run, browser: str, tmp_path: Path, card: str, paper: str, lang: str
) -> None:
    args = (*LONG_CARDS[card], "--today", "2025-09-29")
    out = tmp_path / "card.pdf"
    made(run, "plan", *args, "--site", SITE, "--paper", paper, *LANGS[lang], "-o", str(out))
    info = pdf_info(out)
    assert info["Pages"] == "1"
    assert info["Page size"].endswith(f"({paper.upper()})")
    text = pdf_text(out)
    dates = plan_dates(run, *args)
    assert len(dates) == (26 if card == "25 visits" else 11)
    for day in dates:
        assert day in text, day


_SMALLEST = """<script>
addEventListener("load", () => {
  let smallest = Infinity, where = "";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim() || node.parentElement.closest("pre")) continue;
    const size = parseFloat(getComputedStyle(node.parentElement).fontSize);
    if (size < smallest) { smallest = size; where = node.textContent.trim().slice(0, 40); }
  }
  const out = document.createElement("pre");
  out.textContent = `smallest=${smallest} at=${where}`;
  document.body.append(out);
});
</script>"""


@pytest.mark.parametrize("paper", ["a4", "a5"])
@pytest.mark.parametrize("card", list(LONG_CARDS))
def test_no_text_on_a_long_card_is_smaller_than_7pt(
    run: Run, browser: str, tmp_path: Path, card: str, paper: str
) -> None:
    page = tmp_path / "card.html"
    made(run, "plan", *LONG_CARDS[card], "--today", "2025-09-29", "--site", SITE,
         "--paper", paper, "--format", "html", "-o", str(page))  # fmt: skip
    text = re.sub(r"<meta http-equiv=\"Content-Security-Policy\"[^>]*>", "", page.read_text())
    page.write_text(text.replace("</body>", _SMALLEST + "</body>"), encoding="utf-8")
    shown, said = dom(browser, page, tmp_path)
    assert said == []
    found = re.search(r"smallest=([0-9.]+) at=(.*)", shown)
    assert found is not None, shown[-300:]
    # 7 pt is 7/72 inch, 9.33 CSS pixels of 1/96 inch (the page's styles are the printed ones).
    assert float(found[1]) >= 7 * 96 / 72 - 0.01, found[0]


def test_the_pdf_of_the_readme_card_holds_the_chinese_and_the_dates(
    run: Run, browser: str, tmp_path: Path
) -> None:
    out = tmp_path / "card.pdf"
    made(run, *CARD, "--format", "pdf", "-o", str(out))
    assert pdf_info(out)["Pages"] == "1"
    text = pdf_text(out)
    for day in OLP_DATES:
        assert day in text, day
    for reading in ("第1周第1天", "第3周第1天", "第27周第1天", "第131周第1天"):
        assert reading in text


# --- blinding in the printed card -----------------------------------------------------------


def _flat(text: str) -> str:
    """PDF text without any white space (a label may wrap onto two lines in a cell)."""
    return "".join(text.split())


@pytest.mark.parametrize(
    ("blinded", "twins"),
    [
        ("phase3-rcp", ("phase3-rcp-mil62", "phase3-rcp-placebo")),
        ("phase3", ("phase3-mil62", "phase3-placebo")),
    ],
)
def test_a_blinded_pdf_names_no_assignment_and_its_twins_say_unblinded(
    run: Run, browser: str, tmp_path: Path, blinded: str, twins: tuple[str, str]
) -> None:
    def printed(arm: str) -> str:
        out = tmp_path / f"{arm}.pdf"
        made(run, "plan", "--arm", arm, "--start", "2024-01-01", "--participant", "P001",
             "--today", "2024-01-01", "-o", str(out))  # fmt: skip
        return pdf_text(out)

    shown = _flat(printed(blinded))
    assert _flat(BLINDED_LABEL) in shown
    rest = shown.replace(_flat(BLINDED_LABEL), "").replace(_flat(BLINDED_LABEL_ZH), "")
    assert "placebo" not in rest.lower()
    assert "安慰剂" not in rest
    assert "unblinded" not in rest.lower()
    assert not re.search(r"(?<![\d.])0mg", rest)  # no placebo dose
    if blinded == "phase3-rcp":
        assert "1000mg" not in rest  # every RCP infusion is blinded: no dose at all
    on_mil62, on_placebo = (_flat(printed(arm)) for arm in twins)
    for twin in (on_mil62, on_placebo):
        assert twin.startswith("UNBLINDED")
    assert "Matchingplacebo" in on_placebo
    if blinded == "phase3-rcp":  # the MIL62 journey's OLP W3D1 is placebo: only the RCP has none
        assert "Matchingplacebo" not in on_mil62


def test_a_chromium_stopped_at_the_timeout_leaves_nothing_in_the_temporary_folder(
    browser: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15 #18: a page that never finishes (a script that loops) keeps Chromium from
    printing until the run ends it; its org.chromium.Chromium.* files went into the machine's
    temporary folder and stayed there."""
    import tempfile
    import time

    # Short, as a machine's usually is: Chromium's socket path there may not pass 107 bytes.
    machine_tmp = Path(tempfile.mkdtemp(prefix="tmp-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(machine_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(machine_tmp))
    page = "<!doctype html><title>x</title><p>loops</p><script>for (;;) {}</script>"
    began = time.monotonic()
    try:
        with pytest.raises(pdf.BrowserError, match="did not print the PDF within 5 s"):
            pdf.print_pdf(page, browser, timeout=5)
        assert time.monotonic() - began < 60
        assert list(machine_tmp.iterdir()) == []
    finally:
        shutil.rmtree(machine_tmp)


def test_a_chromium_prints_where_the_machines_temporary_folder_is_long(
    run: Run, browser: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A TMPDIR too long for Chromium's socket (pytest's own, about 70 characters): the run's
    folder for the browser is made in /tmp instead, and the card prints."""
    import tempfile

    machine_tmp = tmp_path / "a-machine-temporary-folder-with-a-long-path"
    machine_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(machine_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(machine_tmp))
    assert len(str(machine_tmp)) + len("/mil62sched-pdf-12345678") + 45 > 107
    printed = pdf.print_pdf("<!doctype html><title>x</title><p>W1D1 2024-01-01</p>", browser)
    assert printed.startswith(b"%PDF")
    assert list(machine_tmp.iterdir()) == []


# Issue 16 #3: the repro's cards, in Chinese on A5. CT303-0001's OLP dates (hand-checked in
# tests/formats/test_certainty.py) are marked, the footnotes say why once, and each card still
# prints on one page: five participants, five pages.
def test_the_marked_dates_and_their_footnotes_print_on_one_page_a_card(
    run: Run, browser: str, tmp_path: Path
) -> None:
    out = tmp_path / "cards.pdf"
    made(run, "roster", ROSTER, "--actuals", ACTUALS, "--today", "2025-10-01", "--site", SITE,
         "--paper", "a5", "--lang", "zh", "-o", str(out))  # fmt: skip
    assert pdf_info(out)["Pages"] == "5"
    first = _flat(pdf_text(out, 1))
    assert "CT303-0001" in first
    assert "2026-08-17" in first
    assert "2029-02-121,2,3" in first  # the superscript follows its date
    assert first.count("日期待定：") == 1  # said once, then why each numbered date is
    for note in (
        "OLP开始日期为推算值（按RCPW53D1）",
        "晚于研究完成日期2027-03-31（NCT05314010）",
        "当年节假日安排为暂定数据",
    ):
        assert first.count(note) == 1, note


# Issue 21 #4: --split to PDF started a Chromium per participant (1,000 participants took about
# 35 minutes). One browser prints the whole roster now, each card as it prints alone.
def test_split_pdf_starts_one_browser_and_each_card_prints_as_alone(
    run: Run, browser: str, tmp_path: Path
) -> None:
    launches = tmp_path / "launches.txt"
    counting = tmp_path / "counting-chromium"
    counting.write_text(f'#!/bin/sh\necho started >> {launches}\nexec {browser} "$@"\n')
    counting.chmod(0o755)
    common = ("--actuals", ACTUALS, "--today", "2025-09-29", "--site", SITE, "--paper", "a5")
    folder = tmp_path / "cards"
    made(run, "roster", ROSTER, *common, "--format", "pdf", "--browser", str(counting),
         "--split", str(folder))  # fmt: skip
    assert launches.read_text().splitlines() == ["started"]  # five before
    # What printing each participant alone gives: its --split HTML card printed by a browser of
    # its own, as --split did before.
    pages = tmp_path / "pages"
    made(run, "roster", ROSTER, *common, "--format", "html", "--split", str(pages))
    rows = json.loads(run("roster", ROSTER, *common, "--format", "json").stdout)
    assert sorted(path.name for path in folder.iterdir()) == [
        f"{row['participant']}.pdf" for row in rows
    ]
    for row in rows:
        participant = row["participant"]
        split = folder / f"{participant}.pdf"
        alone = tmp_path / f"{participant}-alone.pdf"
        page = (pages / f"{participant}.html").read_text(encoding="utf-8")
        alone.write_bytes(pdf.print_pdf(page, browser))
        text = pdf_text(split)
        assert text == pdf_text(alone)
        assert participant in text
        assert not any(other["participant"] in text for other in rows if other is not row)
        for visit in row["visits"]:
            assert visit["date"] in text, (participant, visit["code"])
        info, info_alone = pdf_info(split), pdf_info(alone)
        for key in ("Title", "Pages", "Page size", "Tagged"):
            assert info[key] == info_alone[key], key
        assert info["Page size"].endswith("(A5)")
        assert info["Title"] == f"MIL62-CT303 (NCT05314010) {participant}"


# --- --split to PDF: printed many to a document, split by page (issue 21 #4) -----------------


def counting_prints(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents that --split's one browser prints (its Page.printToPDF calls), as they
    come: a card alone costs several times a card among many (the CJK font's glyphs are made
    anew for each document)."""
    printed: list[str] = []
    print_page = pdf._DevTools.print_page

    def counted(self: pdf._DevTools, url: str, timeout: float) -> bytes:
        printed.append(url)
        return print_page(self, url, timeout)

    monkeypatch.setattr(pdf._DevTools, "print_page", counted)
    return printed


def tagged_structure(path: Path) -> tuple[str, list[str], int]:
    """A one-page PDF's language, its structure tree, depth first, as its elements' roles (/S),
    and how many marks of the page's content the tree names; asserting that each mark is on
    the page and that the file holds no other page and no structure element outside the tree
    (a part of another card's)."""
    import pikepdf

    with pikepdf.open(path) as printed:
        page = printed.pages[0].obj.objgen
        held = [o for o in printed.objects if isinstance(o, pikepdf.Dictionary)]
        assert [o.objgen for o in held if o.get("/Type") == "/Page"] == [page]
        roles: list[str] = []
        marks = 0
        inside: set[tuple[int, int]] = set()
        elements = [printed.Root.StructTreeRoot.K]
        while elements:
            element = elements.pop()
            roles.append(str(element.S))
            inside.add(element.objgen)
            kids = element.get("/K")
            children = []
            for item in list(kids) if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(item, pikepdf.Dictionary) and "/S" in item:
                    children.append(item)
                elif isinstance(item, pikepdf.Dictionary):  # a mark that names its page
                    assert item.Pg.objgen == page
                    marks += 1
                elif isinstance(item, int):  # a mark on the element's page
                    assert element.Pg.objgen == page
                    marks += 1
            elements.extend(reversed(children))
        assert {o.objgen for o in held if "/S" in o and "/P" in o} <= inside
        return str(printed.Root.Lang), roles, marks


def test_split_pdf_prints_a_document_a_masking_and_keeps_each_cards_structure(
    run: Run, browser: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example roster's five cards print as two documents, one a masking (CT303-0001 to
    0003 blinded, 0004 and 0005 open-label: five before, one a card), and each file has the
    tagged structure of its card printed alone, and nothing of the other cards': Chromium gives
    the last (empty) marks of a page to the next card's heading, and the structure elements of
    the others lead to every card of the document."""
    printed = counting_prints(monkeypatch)
    common = ("--today", "2025-09-29", "--site", SITE)
    folder, pages = tmp_path / "cards", tmp_path / "pages"
    made(run, "roster", ROSTER, *common, "--format", "pdf", "--split", str(folder))
    assert len(printed) == 2
    made(run, "roster", ROSTER, *common, "--format", "html", "--split", str(pages))
    for page in sorted(pages.iterdir()):
        alone = tmp_path / f"{page.stem}-alone.pdf"
        alone.write_bytes(pdf.print_pdf(page.read_text(encoding="utf-8"), browser))
        split = folder / f"{page.stem}.pdf"
        assert tagged_structure(split) == tagged_structure(alone), page.stem
        assert tagged_structure(split)[0] == "en"
        assert pdf_info(split)["Tagged"] == "yes"


def test_split_pdf_prints_one_by_one_the_cards_of_a_document_not_one_page_a_card(
    run: Run, browser: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every card prints on one page (the tests above); were one to spill onto a second, page i
    of its document would no longer be card i. Here CT303-0002's card breaks after its ID: its
    document (the blinded cards, 0001 to 0003) has four pages for three cards, so it is not
    split but its cards are printed one by one, and each file still holds its own participant
    (split by page, 0002's file would lack its dates and 0003's hold 0002's table)."""
    import io

    from mil62sched.formats import html

    write_roster = html.write_roster

    def spilling(plans: list[Plan], presentation: Presentation, stream: IO[str]) -> None:
        page = io.StringIO()
        write_roster(plans, presentation, page)
        mark = '<div class="participant-id">CT303-0002</div>'
        spilt = mark + '<div style="break-after: page"></div>'
        stream.write(page.getvalue().replace(mark, spilt))

    monkeypatch.setattr(html, "write_roster", spilling)
    printed = counting_prints(monkeypatch)
    common = ("--actuals", ACTUALS, "--today", "2025-09-29", "--site", SITE)
    folder = tmp_path / "cards"
    made(run, "roster", ROSTER, *common, "--format", "pdf", "--split", str(folder))
    assert len(printed) == 2 + 3  # the two documents, then the blinded one's three cards
    rows = json.loads(run("roster", ROSTER, *common, "--format", "json").stdout)
    for row in rows:
        participant = row["participant"]
        split = folder / f"{participant}.pdf"
        info = pdf_info(split)
        assert info["Pages"] == "1"
        assert info["Title"] == f"MIL62-CT303 (NCT05314010) {participant}"
        text = pdf_text(split)
        assert participant in text
        assert not any(other["participant"] in text for other in rows if other is not row)
        for visit in row["visits"]:
            assert visit["date"] in text, (participant, visit["code"])


def test_split_pdf_prints_one_by_one_the_cards_of_a_document_it_cannot_split(
    run: Run, browser: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document pikepdf cannot read (a browser's damaged PDF) is not split either: its cards
    are printed one by one, not refused as an internal error."""
    import pikepdf

    def damaged(*args: object, **kwargs: object) -> pikepdf.Pdf:
        raise pikepdf.PdfError("damaged")

    monkeypatch.setattr(pikepdf, "open", damaged)
    printed = counting_prints(monkeypatch)
    common = ("--actuals", ACTUALS, "--today", "2025-09-29", "--site", SITE)
    folder = tmp_path / "cards"
    made(run, "roster", ROSTER, *common, "--format", "pdf", "--split", str(folder))
    assert len(printed) == 2 + 5  # the two documents, then each card
    rows = json.loads(run("roster", ROSTER, *common, "--format", "json").stdout)
    for row in rows:
        text = pdf_text(folder / f"{row['participant']}.pdf")
        assert row["participant"] in text
        for visit in row["visits"]:
            assert visit["date"] in text, (row["participant"], visit["code"])


def shown_characters(path: Path) -> set[str]:
    """Every character that the fonts of a PDF can show, as their ToUnicode maps give them:
    the fonts of a printed document hold the glyphs of all its pages."""
    import pikepdf

    def text(hexadecimal: str) -> str:
        return bytes.fromhex(hexadecimal).decode("utf-16-be")

    found: set[str] = set()
    with pikepdf.open(path) as printed:
        for font in printed.objects:
            if not isinstance(font, pikepdf.Dictionary) or "/ToUnicode" not in font:
                continue
            cmap = font.ToUnicode.read_bytes().decode("latin-1")
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
                found.update(text(to) for _, to in re.findall(r"<(\w+)>\s*<(\w+)>", block))
            for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
                for low, high, to in re.findall(r"<(\w+)>\s*<(\w+)>\s*(<\w+>|\[[^]]*\])", block):
                    if to.startswith("["):
                        found.update(text(each) for each in re.findall(r"<(\w+)>", to))
                        continue
                    first = text(to[1:-1])
                    for step in range(int(high, 16) - int(low, 16) + 1):
                        found.add(first[:-1] + chr(ord(first[-1]) + step))
    return found


BLINDED_AND_UNBLINDED = """participant,arm,start
CT303-0001,phase3-rcp-mil62,2025-08-18
CT303-0002,phase3-rcp,2025-09-17
CT303-0003,phase3-rcp-placebo,2025-08-25
"""


def test_a_blinded_split_pdf_holds_no_glyph_of_an_unblinded_card(
    run: Run, browser: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages of a printed document share its fonts, whose glyphs and ToUnicode maps are
    those of all its cards: printed with the pharmacist's cards around it, the blinded card's
    file would carry the characters of their words (UNBLINDED, 非盲...). Blinded and unblinded
    cards are printed in documents of their own: the blinded file's fonts show no character
    that the blinded card printed alone does not."""
    roster = tmp_path / "site.csv"
    roster.write_text(BLINDED_AND_UNBLINDED, encoding="utf-8")
    printed = counting_prints(monkeypatch)
    common = ("--today", "2025-09-29", "--site", SITE)
    folder, pages = tmp_path / "cards", tmp_path / "pages"
    made(run, "roster", str(roster), *common, "--format", "pdf", "--split", str(folder))
    assert len(printed) == 2
    assert sorted(path.name for path in folder.iterdir()) == [
        "CT303-0002.pdf", "UNBLINDED-CT303-0001.pdf", "UNBLINDED-CT303-0003.pdf",
    ]  # fmt: skip
    made(run, "roster", str(roster), *common, "--format", "html", "--split", str(pages))
    alone = tmp_path / "CT303-0002-alone.pdf"
    alone.write_bytes(pdf.print_pdf((pages / "CT303-0002.html").read_text("utf-8"), browser))
    blinded = shown_characters(alone)
    assert shown_characters(folder / "CT303-0002.pdf") <= blinded
    # What a shared document would have brought: the unblinded cards' own characters.
    for unblinded in ("UNBLINDED-CT303-0001.pdf", "UNBLINDED-CT303-0003.pdf"):
        assert shown_characters(folder / unblinded) - blinded
