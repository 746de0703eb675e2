"""PDF: the HTML visit card (a roster's cards, one per page; the infusion room's list) printed
by a headless Chromium already on the machine. No browser is downloaded: without one, the error
says how to install one or where to point `--browser`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mil62sched.errors import Mil62schedError, UsageError, os_problem
from mil62sched.formats import Format, html
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.messages import N_, msg
from mil62sched.model.plan import Plan

if TYPE_CHECKING:
    import subprocess

    from mil62sched.model.agenda import Agenda

# Looked for on PATH in this order (Debian's package, other distributions', Google's).
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# A card prints in about a second; a roster of hundreds in well under a minute.
TIMEOUT_SECONDS = 120
INSTALL_HINT = N_("install one (Debian/Ubuntu: apt install chromium) or give --browser PATH")


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
                msg(N_("browser not found or not executable")),
                value=given,
                accepted=msg(INSTALL_HINT),
            )
        return found
    for name in BROWSERS:
        found = shutil.which(name)
        if found is not None:
            return found
    raise BrowserError(
        msg(
            N_(
                "--format pdf needs a Chromium-based browser and none of {names} is on PATH: {hint}"
            ),
            names=list(BROWSERS),
            hint=msg(INSTALL_HINT),
        )
    )


def print_pdf(page: str, browser: str | None = None, timeout: float | None = None) -> bytes:
    """The HTML `page` printed to PDF by a headless Chromium (no network, no header or footer),
    within `timeout` seconds (default `TIMEOUT_SECONDS`).

    Everything the browser writes, its profile and its temporary files (TMPDIR:
    org.chromium.Chromium.*, which it leaves when it is ended), goes into one temporary folder
    of the run (on a short path: see `_short_temporary_folder`), removed however the print
    ends. The browser's output goes to a file, not a
    pipe, so that a helper holding it open cannot stall the run; the run waits for the browser
    to exit, or for a whole PDF, and then ends whatever is left of the browser's processes."""
    import os
    import subprocess
    import tempfile

    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    program = find_browser(browser)
    # The browser's helpers may still be closing files in its profile as it exits.
    with tempfile.TemporaryDirectory(
        prefix="mil62sched-pdf-", dir=_short_temporary_folder(), ignore_cleanup_errors=True
    ) as work:
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
        environment = {**os.environ, "TMPDIR": work, "TMP": work, "TEMP": work}
        try:
            with (folder / "said.txt").open("wb") as said:
                # A session of its own, so that a timeout or a signal ends the browser's helper
                # processes too, not only the one started here.
                process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=said,
                    start_new_session=True,
                    env=environment,
                )
        except OSError as exc:
            raise BrowserError(
                msg(
                    N_("cannot run the browser {program}: {problem}"),
                    program=program,
                    problem=os_problem(exc),
                )
            ) from None
        try:
            exited = _wait(process, target, timeout)
        finally:  # also on Ctrl-C and SIGTERM: leave no browser behind
            _end(process)
        if exited is None:
            raise BrowserError(
                msg(
                    N_("the browser {program} did not print the PDF within {seconds} s"),
                    program=program,
                    seconds=f"{timeout:g}",
                )
            )
        printed = target.read_bytes() if target.exists() else b""
        if (exited and process.returncode != 0) or not printed.startswith(b"%PDF"):
            said_last = _last_line(_tail(folder / "said.txt"))
            failed = msg(
                N_("the browser {program} failed to print the PDF (exit status {status})"),
                program=program,
                status=process.returncode,
            )
            if said_last:  # what the browser said, as it said it
                failed = msg(N_("{problem}: {said}"), problem=failed, said=said_last)
            raise BrowserError(failed)
        return printed


# Chromium makes a socket in its temporary folder, org.chromium.Chromium.XXXXXX/SingletonSocket
# (45 characters), whose whole path may not pass 103 bytes (104 on macOS, 108 on Linux, with the
# end): it stops at once if it does. The run's folder (24 characters more) is made where that
# leaves room.
SHORT_TEMPORARY_FOLDER = 32


def _short_temporary_folder() -> str | None:
    """Where to make the run's folder for the browser: the machine's temporary folder when its
    path is short enough, else /tmp where there is one (macOS's TMPDIR is about 49 characters
    long), else the machine's anyway (None)."""
    import os
    import tempfile

    machine = tempfile.gettempdir()
    if len(os.fsencode(machine)) <= SHORT_TEMPORARY_FOLDER:
        return None
    if os.path.isdir("/tmp") and os.access("/tmp", os.W_OK | os.X_OK):
        return "/tmp"
    return None


def _wait(process: subprocess.Popen[bytes], target: Path, timeout: float) -> bool | None:
    """Wait for the browser: True once it has exited, False once it has written a whole PDF
    (its end, %%EOF, there and the same size twice in a row) but stays on, None when neither
    happened within `timeout` seconds. An exited browser is left unreaped where the system
    allows, so that its process group cannot be taken by another process before `_end`."""
    import time

    deadline = time.monotonic() + timeout
    size = -1
    while True:
        if _exited(process):
            return True
        whole = _whole_pdf_size(target)
        if whole is not None and whole == size:
            return False
        size = -1 if whole is None else whole
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)


def _exited(process: subprocess.Popen[bytes]) -> bool:
    """Whether the browser has exited (not reaped yet where `waitid` can look without it)."""
    import os

    if not hasattr(os, "waitid"):  # Windows
        return process.poll() is not None
    try:
        found = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:  # already reaped
        return True
    return found is not None


def _whole_pdf_size(target: Path) -> int | None:
    """The size of the PDF at `target` when it is whole (it ends with %%EOF), else None."""
    try:
        with target.open("rb") as printed:
            size = printed.seek(0, 2)
            printed.seek(max(0, size - 32))
            end = printed.read()
    except OSError:
        return None
    return size if end.rstrip().endswith(b"%%EOF") else None


def _tail(path: Path, most: int = 1 << 16) -> bytes:
    """The last `most` bytes of the browser's output."""
    try:
        with path.open("rb") as said:
            said.seek(max(0, said.seek(0, 2) - most))
            return said.read()
    except OSError:
        return b""


def _end(process: subprocess.Popen[bytes]) -> None:
    """Stop the browser and every process of its session still there (helpers it left), and
    reap it."""
    import os
    import signal

    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        elif process.poll() is None:  # Windows: no process groups to signal
            process.kill()
    except OSError:
        pass  # already gone
    process.wait()


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
