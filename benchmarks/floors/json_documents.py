"""Floor of `mil62sched roster ROSTER --format json -o OUT`: json.dumps of the same documents, in
the same layout as the tool's file, written one participant at a time (as the tool streams).

The documents are the tool's own, read back from its file (REFERENCE) one at a time, untimed;
only dumping and writing them is timed, and reported as `<wall s> <CPU s>` on the last line of
stdout. The layout is the first of LAYOUTS that gives the start of REFERENCE byte for byte
(refused when none does: add the tool's new layout here).

    python floors/json_documents.py REFERENCE OUT
"""

import json
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO

Layout = tuple[str, Callable[[Any, int], str], str]  # before, each document, after

LAYOUTS: dict[str, Layout] = {
    # An array of documents, indented by 2 (json.dump(documents, indent=2), streamed).
    "array, indent 2": (
        "[",
        lambda document, number: (
            (",\n  " if number else "\n  ")
            + json.dumps(document, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        ),
        "\n]\n",
    ),
    # An array with one compact document a line.
    "array, a document a line": (
        "[",
        lambda document, number: (
            (",\n" if number else "\n") + json.dumps(document, ensure_ascii=False)
        ),
        "\n]\n",
    ),
    # JSON Lines.
    "JSON Lines": (
        "",
        lambda document, number: json.dumps(document, ensure_ascii=False) + "\n",
        "",
    ),
}


def documents(stream: TextIO) -> Iterator[Any]:
    """The documents of a JSON array or of JSON Lines, one at a time."""
    decoder = json.JSONDecoder()
    buffer = ""
    while True:
        buffer = buffer.lstrip("[,] \r\n\t")
        try:
            document, end = decoder.raw_decode(buffer)
        except json.JSONDecodeError:
            more = stream.read(1 << 24)
            if not more:
                if buffer:
                    raise
                return
            buffer += more
            continue
        yield document
        buffer = buffer[end:]


def layout_of(reference: str) -> Layout:
    """The layout that writes the first two documents of `reference` as it has them."""
    with open(reference, encoding="utf-8") as stream:
        start = stream.read(1 << 20)
        stream.seek(0)
        first = [document for document, _ in zip(documents(stream), range(2), strict=False)]
    for before, each, after in LAYOUTS.values():
        text = before + "".join(each(document, n) for n, document in enumerate(first))
        if start.startswith(text) and (len(first) == 2 or start == text + after):
            return before, each, after
    sys.exit(f"{reference}: the tool's JSON layout is none of the floor's {list(LAYOUTS)}")


def main(reference: str, out: str) -> None:
    before, each, after = layout_of(reference)
    wall = cpu = 0.0
    with open(reference, encoding="utf-8") as source:
        wall_began, cpu_began = time.perf_counter(), time.process_time()
        target = open(out, "w", encoding="utf-8")  # noqa: SIM115 (timed apart from reading)
        target.write(before)
        wall, cpu = time.perf_counter() - wall_began, time.process_time() - cpu_began
        for number, document in enumerate(documents(source)):
            wall_began, cpu_began = time.perf_counter(), time.process_time()
            target.write(each(document, number))
            wall += time.perf_counter() - wall_began
            cpu += time.process_time() - cpu_began
        wall_began, cpu_began = time.perf_counter(), time.process_time()
        target.write(after)
        target.close()
        wall += time.perf_counter() - wall_began
        cpu += time.process_time() - cpu_began
    print(f"{wall:.6f} {cpu:.6f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
