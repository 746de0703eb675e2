"""PDF: the HTML visit card (a roster's cards, one per page; the infusion room's list) printed
by a headless Chromium already on the machine. No browser is downloaded: without one, the error
says how to install one or where to point `--browser`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mil62sched.errors import Mil62schedError, UsageError
from mil62sched.formats import Format, html
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.model.plan import Plan

if TYPE_CHECKING:
    import subprocess

    from mil62sched.roster.agenda import Agenda

# Looked for on PATH in this order (Debian's package, other distributions', Google's).
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# A card prints in about a second; a roster of hundreds in well under a minute.
TIMEOUT_SECONDS = 120
INSTALL_HINT = "install one (Debian/Ubuntu: apt install chromium) or give --browser PATH"


class BrowserError(Mil62schedError):
    """The browser that prints the PDF is missing or failed."""


def find_browser(given: str | None = None) -> str:
    """The browser to print with: `given` (`--browser PATH`, or a name on PATH), else the first
    of `BROWSERS` on PATH."""
    import shutil

    if given is not None:
        found = shutil.which(given)
        if found is None:
            raise UsageError(
                "browser not found or not executable", value=given, accepted=INSTALL_HINT
            )
        return found
    for name in BROWSERS:
        found = shutil.which(name)
        if found is not None:
            return found
    raise BrowserError(
        f"--format pdf needs a Chromium-based browser and none of {', '.join(BROWSERS)} is on "
        f"PATH: {INSTALL_HINT}"
    )


def print_pdf(page: str, browser: str | None = None, timeout: float | None = None) -> bytes:
    """The HTML `page` printed to PDF by a headless Chromium (its own throw-away profile, no
    network, no header or footer), within `timeout` seconds (default `TIMEOUT_SECONDS`)."""
    import subprocess
    import tempfile

    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    program = find_browser(browser)
    # The browser's helpers may still be closing files in its profile as it exits.
    with tempfile.TemporaryDirectory(prefix="mil62sched-pdf-", ignore_cleanup_errors=True) as work:
        folder = Path(work)
        source = folder / "card.html"
        target = folder / "out.pdf"
        source.write_text(page, encoding="utf-8")
        command = [
            program,
            "--headless",
            "--no-sandbox",  # as root in a container the sandbox cannot start
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            f"--user-data-dir={folder / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            # A session of its own, so that a timeout or a signal ends the browser's helper
            # processes too, not only the one started here.
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            raise BrowserError(f"cannot run the browser {program}: {exc.strerror or exc}") from None
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _end(process)
            raise BrowserError(
                f"the browser {program} did not print the PDF within {timeout:g} s"
            ) from None
        except BaseException:  # Ctrl-C, SIGTERM: leave no browser behind
            _end(process)
            raise
        printed = target.read_bytes() if target.exists() else b""
        if process.returncode != 0 or not printed.startswith(b"%PDF"):
            said = _last_line(stderr)
            raise BrowserError(
                f"the browser {program} failed to print the PDF (exit status "
                f"{process.returncode}){': ' + said if said else ''}"
            )
        return printed


def _end(process: subprocess.Popen[bytes]) -> None:
    """Stop the browser and every process of its session, and wait for it."""
    import os
    import signal

    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # Windows: no process groups to signal
            process.kill()
    except OSError:
        pass  # already gone
    process.communicate()


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    return lines[-1][:200] if lines else ""


def render(plan: Plan, presentation: Presentation = PLAIN) -> bytes:
    """One participant's visit card as a PDF."""
    return print_pdf(html.render(plan, presentation), presentation.browser)


def write_roster(plans: Iterable[Plan], presentation: Presentation, stream: IO[Any]) -> None:
    """Every participant's card in one PDF, one card per page."""
    page = io.StringIO()
    html.write_roster(plans, presentation, page)
    stream.write(print_pdf(page.getvalue(), presentation.browser))


def render_agenda(agenda: Agenda, presentation: Presentation = PLAIN) -> bytes:
    """The infusion room's list as a PDF."""
    return print_pdf(html.render_agenda(agenda, presentation), presentation.browser)


FORMAT = Format(
    name="pdf",
    extensions=(".pdf",),
    render=render,
    write_roster=write_roster,
    render_agenda=render_agenda,
    named=True,
    printed=True,
    binary=True,
)
