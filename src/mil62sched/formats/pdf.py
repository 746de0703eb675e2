"""PDF: the HTML visit card (a roster's cards, one per page; the infusion room's list) printed
by a headless Chromium already on the machine. No browser is downloaded: without one, the error
says how to install one or where to point `--browser`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mil62sched.errors import Mil62schedError, UsageError, os_problem
from mil62sched.formats import Format, html
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.messages import N_, msg
from mil62sched.model.plan import Plan

if TYPE_CHECKING:
    import subprocess

    import pikepdf

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
            *_headless(program, folder),
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        process = _start(program, command, folder)
        try:
            exited = _wait(process, target, timeout)
        finally:  # also on Ctrl-C and SIGTERM: leave no browser behind
            _end(process)
        if exited is None:
            raise _too_slow(program, timeout)
        printed = target.read_bytes() if target.exists() else b""
        if (exited and process.returncode != 0) or not printed.startswith(b"%PDF"):
            raise _failed(program, process, folder)
        return printed


def _headless(program: str, folder: Path) -> list[str]:
    """The browser's command line, headless, with its profile in the run's `folder`."""
    return [
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
    ]


def _start(program: str, command: list[str], folder: Path, **more: Any) -> subprocess.Popen[bytes]:
    """Start the browser in a session of its own, so that a timeout or a signal ends its helper
    processes too, not only the one started here; its temporary files (TMPDIR) in `folder`, what
    it says in folder/said.txt."""
    import os
    import subprocess

    work = str(folder)
    environment = {**os.environ, "TMPDIR": work, "TMP": work, "TEMP": work}
    try:
        with (folder / "said.txt").open("wb") as said:
            return subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=said,
                start_new_session=True,
                env=environment,
                **more,
            )
    except OSError as exc:
        raise BrowserError(
            msg(
                N_("cannot run the browser {program}: {problem}"),
                program=program,
                problem=os_problem(exc),
            )
        ) from None


def _too_slow(program: str, timeout: float) -> BrowserError:
    return BrowserError(
        msg(
            N_("the browser {program} did not print the PDF within {seconds} s"),
            program=program,
            seconds=f"{timeout:g}",
        )
    )


def _failed(program: str, process: subprocess.Popen[bytes], folder: Path) -> BrowserError:
    """The browser failed: its exit status and the last line it said."""
    said_last = _last_line(_tail(folder / "said.txt"))
    failed = msg(
        N_("the browser {program} failed to print the PDF (exit status {status})"),
        program=program,
        status=process.returncode,
    )
    if said_last:  # what the browser said, as it said it
        failed = msg(N_("{problem}: {said}"), problem=failed, said=said_last)
    return BrowserError(failed)


# --split prints its cards in documents of many, one card a page, and splits each by page
# (issue 21 #4). Most of the time of a print goes on the card's CJK font, which Chromium embeds
# as about a hundred Type 3 fonts made anew for each document: a card printed alone took ~0.3 s
# in printToPDF, in a document of 25 cards or more ~0.07-0.09 s. The time a card is flat from
# about 50 on, while a document's size (about 50 kB a card, held in memory and sent base64 over
# the pipe) and its print's time (~7-10 s for 100 here) grow with its cards. A document has the
# time of one print, TIMEOUT_SECONDS, as `roster -o FILE`'s one document of a whole roster has.
CARDS_A_DOCUMENT = 100


def print_each(
    cards: Iterable[tuple[str, Plan]], presentation: Presentation, timeout: float | None = None
) -> Iterator[tuple[str, bytes]]:
    """Each named participant's card printed to a PDF of its own, by one headless Chromium for
    them all (issue 21 #4): what `render` prints for that card alone, as a reader sees it (the
    page, its text, title, language and tagged structure; the ids of the structure's elements,
    the creation time and the fonts, made for a document of many cards, differ).

    The cards are printed in documents of up to CARDS_A_DOCUMENT cards of one masking each
    (`_documents`: the files come grouped by masking, in order within each), as
    `html.write_roster` writes a roster's cards, one a page, each document within `timeout`
    seconds (default `TIMEOUT_SECONDS`), and each document is split by page (`_split`). A
    document whose pages are not one a card is not split: its cards are printed one by one
    instead, each as a document of its own. The browser is driven over its DevTools pipe
    (`--remote-debugging-pipe`: it reads commands on its file descriptor 3 and answers on 4),
    every document loaded in one tab and printed with the settings of `--print-to-pdf
    --no-pdf-header-footer`. Where a child cannot be given file descriptors 3 and 4 (Windows),
    each card is printed, in order, by a browser of its own (`print_pdf`). The browser and its
    folder are ended and removed however the printing ends, also when the caller stops asking
    for files."""
    import itertools
    import os
    import tempfile

    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    if os.name != "posix":
        for name, plan in cards:
            yield name, print_pdf(html.render(plan, presentation), presentation.browser, timeout)
        return
    program = find_browser(presentation.browser)
    with tempfile.TemporaryDirectory(
        prefix="mil62sched-pdf-", dir=_short_temporary_folder(), ignore_cleanup_errors=True
    ) as work:
        folder = Path(work)
        with _DevTools.start(program, folder) as devtools:
            pages_printed = itertools.count()

            def printed(page: str) -> bytes:
                # A file of its own each, so that no print is taken for the one before.
                source = folder / f"page-{next(pages_printed)}.html"
                source.write_text(page, encoding="utf-8")
                content = devtools.print_page(source.as_uri(), timeout)
                source.unlink()
                return content

            # The heading names a roster; each file is a participant's, titled as its card.
            many = presentation._replace(heading=None)
            for document in _documents(cards):
                plans = [plan for _, plan in document]
                roster = io.StringIO()
                html.write_roster(plans, many, roster)
                pages = _split(printed(roster.getvalue()), [html.card_title(p) for p in plans])
                if pages is None:  # not one page a card: printed one by one
                    for name, plan in document:
                        yield name, printed(html.render(plan, presentation))
                else:
                    yield from zip([name for name, _ in document], pages, strict=True)


def _documents(cards: Iterable[tuple[str, Plan]]) -> Iterator[list[tuple[str, Plan]]]:
    """The cards in documents of up to CARDS_A_DOCUMENT cards of one masking each (open-label,
    blinded, unblinded), in the order they come within each, each document given as soon as it
    is full and the rest at the end. The pages of a document share its fonts, whose glyphs and
    their text (ToUnicode) are those of all its cards: a blinded participant's file must not
    carry the characters of an unblinded card's words (UNBLINDED, 非盲, its dose). Kept apart
    rather than cut where the masking changes: a site's roster mixes its arms, row after row."""
    waiting: dict[str, list[tuple[str, Plan]]] = {}
    for name, plan in cards:
        document = waiting.setdefault(plan.arm.masking, [])
        document.append((name, plan))
        if len(document) == CARDS_A_DOCUMENT:
            yield waiting.pop(plan.arm.masking)
    yield from waiting.values()


# What of a printed document's catalog each of its pages keeps: that its content is tagged, its
# language, and that a viewer shows its title.
CATALOG_KEPT = ("/MarkInfo", "/Lang", "/ViewerPreferences")


def _split(printed: bytes, titles: Sequence[str]) -> list[bytes] | None:
    """The PDF `printed`, a document of cards, as one PDF a page, page i titled `titles[i]`;
    None when it has not one page a title, or its tagged structure not one part (an /Art: the
    card's <article>) a page, or pikepdf cannot read it (a damaged print).

    Each PDF is what printing the page's card alone gives, as a reader sees it: the page, the
    document's language and metadata, and the page's part of the structure tree as the tree of a
    document of its own (Chromium's: StructTreeRoot -> /Document -> one /Art a card, a
    ParentTree keyed by each page's /StructParents, an IDTree). The page's fonts are the
    document's, with the glyphs of all its cards: `_documents` keeps blinded and unblinded
    cards apart."""
    import pikepdf

    try:
        return _split_pages(pikepdf.open(io.BytesIO(printed)), titles)
    except pikepdf.PdfError:
        return None


def _split_pages(document: pikepdf.Pdf, titles: Sequence[str]) -> list[bytes] | None:
    """`_split` of a document pikepdf has read."""
    import pikepdf

    pages = [page.obj for page in document.pages]
    if len(pages) != len(titles) or any("/Annots" in page for page in pages):
        return None  # a link's annotation would need its own part of the structure: none here
    tree = document.Root.get("/StructTreeRoot")
    parts: list[pikepdf.Object] = []
    if tree is not None:
        top = tree.get("/K")
        if not isinstance(top, pikepdf.Dictionary):
            return None
        kids = top.get("/K")
        parts = [kids] if isinstance(kids, pikepdf.Dictionary) else list(kids or ())
        if len(parts) != len(pages) or any("/StructParents" not in page for page in pages):
            return None
        # The document element's parent is the tree's root, which leads to every card's part.
        del top["/P"]
    catalog = [key for key in CATALOG_KEPT if key in document.Root]

    files = []
    for index, title in enumerate(titles):
        alone = pikepdf.new()
        alone.pages.append(document.pages[index])
        if tree is not None:
            _structure_alone(alone, document, parts[index], pages[index])
        for key in catalog:
            alone.Root[key] = _copied(alone, document.Root[key])
        for key, value in document.docinfo.items():  # its creator, producer and dates
            alone.docinfo[key] = _copied(alone, value)
        alone.docinfo["/Title"] = title
        written = io.BytesIO()
        # Object streams (PDF 1.5) hold the structure's many small objects: half the size.
        alone.save(
            written,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
        )
        files.append(written.getvalue())
    return files


def _copied(alone: pikepdf.Pdf, value: pikepdf.Object) -> pikepdf.Object:
    """`value`, an object of the printed document, copied for the PDF `alone`: copy_foreign
    copies indirect objects only; a direct one (a small value of the catalog: /MarkInfo, /Lang)
    is copied as written. (Making it indirect in the document would cost a pass over all of the
    document's objects: 0.4 s for 100 cards.)"""
    import pikepdf

    return alone.copy_foreign(value) if value.is_indirect else pikepdf.Object.parse(value.unparse())


def _structure_alone(
    alone: pikepdf.Pdf, document: pikepdf.Pdf, part: pikepdf.Object, page: pikepdf.Object
) -> None:
    """Give the one-page PDF `alone` its page's part of the structure tree of the printed
    `document` (the card's /Art, under a document element of one kid), with a ParentTree of the
    page's entry alone (as key 0) and an IDTree of the part's ids."""
    import pikepdf

    tree = document.Root.StructTreeRoot
    ids, own = _on_its_page(part, page)
    entry = pikepdf.NumberTree(tree.ParentTree)[int(page.StructParents)]
    if not entry.is_indirect:
        entry = document.make_indirect(entry)
    for number, element in enumerate(entry):
        # Chromium gives the page's last marks, empty ones before the page break, to the next
        # card's first elements: they are not this card's.
        if isinstance(element, pikepdf.Dictionary) and element.objgen not in own:
            entry[number] = None
    top = tree.K  # the document element, cut from the root (`_split`)
    top.K = part
    root = alone.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, ParentTreeNextKey=1)
    )
    root.K = alone.copy_foreign(top)
    root.K.P = root
    parents = pikepdf.NumberTree.new(alone)
    parents[0] = alone.copy_foreign(entry)
    root.ParentTree = parents.obj
    if ids:
        names = pikepdf.NameTree.new(alone)
        for name, element in sorted(ids.items()):
            names[name] = alone.copy_foreign(element)
        root.IDTree = names.obj
    alone.pages[0].obj.StructParents = 0
    alone.Root.StructTreeRoot = root


def _on_its_page(
    part: pikepdf.Object, page: pikepdf.Object
) -> tuple[dict[str, pikepdf.Object], set[tuple[int, int]]]:
    """Make each element of the structure `part` name `page` alone: what Chromium gives it on
    another page (empty marks, before a page break) is left out, as a copy would leave its
    marks there with no page (a reference to a page not copied is dropped). The part's elements
    that have an id, by id, and all its elements (their object numbers)."""
    import pikepdf

    here = page.objgen
    ids: dict[str, pikepdf.Object] = {}
    own: set[tuple[int, int]] = set()
    elements: list[pikepdf.Object] = [part]
    while elements:
        element = elements.pop()
        own.add(element.objgen)
        if "/ID" in element:
            ids[str(element.ID)] = element
        kids = element.get("/K")
        items = list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
        its_page = element.get("/Pg")
        on_page = its_page is None or its_page.objgen == here
        kept: list[Any] = []  # elements, marks (numbers on its page) and objects
        for item in items:
            if isinstance(item, pikepdf.Dictionary) and "/S" in item:  # an element
                elements.append(item)
                kept.append(item)
            elif isinstance(item, pikepdf.Dictionary):  # a mark or an object, maybe elsewhere
                where = item.get("/Pg", its_page)
                if where is None or where.objgen == here:
                    kept.append(item)
            elif on_page:  # a mark on the element's page
                kept.append(item)
        if not on_page or len(kept) != len(items):
            element.K = pikepdf.Array(kept)
            element.Pg = page
    return ids, own


class _DevTools:
    """A headless Chromium spoken to over its DevTools pipe: JSON messages, each ended by a NUL
    byte, in both directions."""

    def __init__(
        self, program: str, process: subprocess.Popen[bytes], folder: Path, commands: int,
        answers: int,
    ) -> None:  # fmt: skip
        self.program = program
        self.process = process
        self.folder = folder
        self.commands = commands  # what we write, the browser reads
        self.answers = answers  # what the browser writes, we read
        self.unread = b""
        self.events: list[dict[str, Any]] = []
        self.last_id = 0
        self.timeout: float = TIMEOUT_SECONDS  # of the page being printed
        self.tab: str | None = None  # the session of the tab that prints the pages

    @classmethod
    @contextmanager
    def start(cls, program: str, folder: Path) -> Iterator[_DevTools]:
        """The browser started with its pipe, stopped (with its helpers) when the block ends."""
        import fcntl
        import os

        their_commands, commands = os.pipe()
        answers, their_answers = os.pipe()
        # Chromium reads the pipe on descriptor 3 and writes on 4. Both ends are first moved
        # above 4, so that putting one in place cannot close the other.
        reads = fcntl.fcntl(their_commands, fcntl.F_DUPFD_CLOEXEC, 5)
        writes = fcntl.fcntl(their_answers, fcntl.F_DUPFD_CLOEXEC, 5)

        def on_3_and_4() -> None:  # in the child, before it runs the browser
            os.dup2(reads, 3)
            os.dup2(writes, 4)

        try:
            command = [*_headless(program, folder), "--remote-debugging-pipe", "about:blank"]
            # Descriptors 3 and 4 are open here (the pipes took the lowest free ones), so the
            # child may keep them.
            process = _start(program, command, folder, pass_fds=(3, 4), preexec_fn=on_3_and_4)
        finally:
            for end in (their_commands, their_answers, reads, writes):
                os.close(end)
        devtools = cls(program, process, folder, commands, answers)
        try:
            yield devtools
        finally:  # also on Ctrl-C and SIGTERM: leave no browser behind
            os.close(commands)
            os.close(answers)
            _end(process)

    def print_page(self, url: str, timeout: float) -> bytes:
        """The page at `url` printed, as `--print-to-pdf` prints it."""
        import base64
        import time

        self.timeout = timeout
        deadline = time.monotonic() + timeout
        session = self.tab or self.open_tab(deadline)
        went = self.call("Page.navigate", {"url": url}, deadline, session)
        if went.get("errorText"):
            raise self.failed(went["errorText"])
        self.wait_for("Page.loadEventFired", session, deadline)
        # What Chromium's --print-to-pdf asks for (headless's command handler), with
        # --no-pdf-header-footer.
        printed = self.call(
            "Page.printToPDF",
            {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False},
            deadline,
            session,
        )
        content = base64.b64decode(printed.get("data", ""))
        if not content.startswith(b"%PDF"):
            raise self.failed("no PDF")
        return content

    def open_tab(self, deadline: float) -> str:
        """A tab for the pages, one for them all: a new tab for each page took twice the time
        (a renderer process started and ended each), and the pages, which run no script (their
        Content-Security-Policy), carry nothing from one to the next. Its session id."""
        tab = self.call("Target.createTarget", {"url": "about:blank"}, deadline)["targetId"]
        answer = self.call("Target.attachToTarget", {"targetId": tab, "flatten": True}, deadline)
        self.tab = str(answer["sessionId"])
        self.call("Page.enable", {}, deadline, self.tab)
        return self.tab

    def call(
        self, method: str, params: dict[str, Any], deadline: float, session: str | None = None
    ) -> dict[str, Any]:
        """Send one command and wait for its answer (keeping the events that come first)."""
        import json
        import os

        self.last_id += 1
        command: dict[str, Any] = {"id": self.last_id, "method": method, "params": params}
        if session is not None:
            command["sessionId"] = session
        try:
            os.write(self.commands, json.dumps(command).encode() + b"\0")
        except OSError:  # the browser is gone
            raise self.failed(None) from None
        while True:
            message = self.read(deadline)
            if message.get("id") == self.last_id:
                if "error" in message:
                    raise self.failed(str(message["error"].get("message", message["error"])))
                answer: dict[str, Any] = message.get("result", {})
                return answer
            self.events.append(message)

    def wait_for(self, event: str, session: str, deadline: float) -> None:
        """Wait for `event` of the tab `session` (it may have come already)."""
        seen, self.events = self.events, []  # none is of use after this step
        while not any(m.get("method") == event and m.get("sessionId") == session for m in seen):
            seen = [self.read(deadline)]

    def read(self, deadline: float) -> dict[str, Any]:
        """The browser's next message; a failure when it exits, or when the deadline passes."""
        import json
        import os
        import select
        import time

        while b"\0" not in self.unread:
            if _exited(self.process):
                raise self.failed(None)
            if time.monotonic() > deadline:
                raise _too_slow(self.program, self.timeout)
            # Briefly, so that a browser that exits while a helper holds the pipe is seen.
            ready, _, _ = select.select([self.answers], [], [], 0.05)
            if ready:
                chunk = os.read(self.answers, 1 << 20)
                if not chunk:  # the browser closed its end: it is exiting
                    raise self.failed(None)
                self.unread += chunk
        message, _, self.unread = self.unread.partition(b"\0")
        found: dict[str, Any] = json.loads(message)
        return found

    def failed(self, problem: str | None) -> BrowserError:
        """The browser failed: what it answered, else its exit status and what it said."""
        if problem is None:
            _end(self.process)  # for its exit status
            return _failed(self.program, self.process, self.folder)
        return BrowserError(
            msg(
                N_("the browser {program} failed to print the PDF: {problem}"),
                program=self.program,
                problem=problem,
            )
        )


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
    render_each=print_each,
    render_agenda=render_agenda,
    named=True,
    printed=True,
    binary=True,
)
