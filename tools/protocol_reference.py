"""Write docs/reference/protocol-format.md, the protocol file format key by key, from the schema.

The descriptions live in src/mil62sched/protocol/schema.json (a `description` on every key, in
the trial's words); this script only lays them out, table by table, standard library only.
tests/test_docs.py fails when the committed page is not what this script makes of the schema:
after editing the schema, run

    python tools/protocol_reference.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "src" / "mil62sched" / "protocol" / "schema.json"
PAGE = ROOT / "docs" / "reference" / "protocol-format.md"
COMMAND = "python tools/protocol_reference.py"

Node = dict[str, Any]

# How a value of each shared definition is named in the tables (the "Values" section says more).
_VALUE_NAMES = {
    "text": "text",
    "name": "name",
    "code": "visit code",
    "date": "date",
    "masking": "masking",
    "kind": "kind",
    "window": "window",
    "period": "period",
    "visit": "visit",
    "repeat": "repeat rule",
}
_VALUES = ["code", "window", "kind", "masking", "name", "period", "date", "text"]


class Reference:
    """The page, built from one schema."""

    def __init__(self, schema: Node) -> None:
        self.schema = schema
        self.lines: list[str] = []

    def resolve(self, node: Node) -> Node:
        """The node a `$ref` points at (its own keys, such as a description, left aside)."""
        while "$ref" in node:
            node = self.schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
        return node

    def description(self, node: Node) -> str:
        """A key's description: its own, else that of the definition it refers to."""
        text = node.get("description") or self.resolve(node).get("description", "")
        return str(text).replace("|", "\\|").replace("\n", " ")

    def kind(self, node: Node) -> str:
        """What a key accepts, in a few words."""
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            if name in _VALUE_NAMES:
                return _VALUE_NAMES[name]
            return "table"
        if "const" in node:
            return f"`{json.dumps(node['const'])}`"
        if "enum" in node:
            return "one of " + ", ".join(f"`{value}`" for value in node["enum"])
        if "oneOf" in node:
            return " or ".join(self.kind(choice) for choice in node["oneOf"])
        kinds = node.get("type")
        if isinstance(kinds, list):
            return " or ".join(self.kind({"type": one}) for one in kinds)
        if kinds == "array":
            return "list of " + self.plural(self.kind(node.get("items", {})))
        if kinds == "object":
            return "table"
        return {"string": "text", "integer": "whole number", "number": "number"}.get(
            str(kinds), "true or false" if kinds == "boolean" else "any value"
        )

    @staticmethod
    def plural(kind: str) -> str:
        """`text` -> `texts`, `table` -> `tables`, `visit code` -> `visit codes`."""
        return kind if kind.startswith(("one of", "`")) or " or " in kind else kind + "s"

    def nested(self, key: str, node: Node) -> list[tuple[str, Node]]:
        """The tables inside a key, with their TOML headers: `[key]`, `[[key]]`, `[key.NAME]`."""
        found: list[tuple[str, Node]] = []
        for choice in node.get("oneOf", [node]):
            resolved = self.resolve(choice)
            if "properties" in resolved:
                found.append((f"[{key}]", resolved))
            items = self.resolve(resolved.get("items", {}))
            for item in items.get("oneOf", [items]):
                if resolved.get("type") == "array" and "properties" in self.resolve(item):
                    found.append((f"[[{key}]]", self.resolve(item)))
            more = resolved.get("additionalProperties")
            if isinstance(more, dict) and "properties" in self.resolve(more):
                found.append((f"[{key}.NAME]", self.resolve(more)))
        unique: dict[int, tuple[str, Node]] = {}
        for header, table in found:
            unique.setdefault(id(table), (header, table))
        return list(unique.values())

    def about(self, key: Node, table: Node) -> str:
        """What a table is: its key's description, then its definition's when that says more."""
        own, shared = self.description(key), str(table.get("description", ""))
        return f"{own} {shared}" if shared and shared not in own else own

    def table(self, header: str, node: Node, level: int, about: str = "") -> None:
        """One TOML table: its heading, what it is, its keys, then the tables inside it."""
        self.lines += [f"{'#' * level} `{header}`", ""]
        text = about or self.description(node)
        if text:
            self.lines += [text, ""]
        required = set(node.get("required", []))
        self.lines += ["| key | accepts | required | what it is |", "|---|---|---|---|"]
        inner: list[tuple[str, Node, str]] = []
        path = header.strip("[]").replace(".NAME", "")
        for key, value in node["properties"].items():
            self.lines.append(
                f"| `{key}` | {self.kind(value)} | {'yes' if key in required else ''} "
                f"| {self.description(value)} |"
            )
            inner += [(h, t, self.about(value, t)) for h, t in self.nested(f"{path}.{key}", value)]
        self.lines.append("")
        for sub_header, sub_node, sub_about in inner:
            self.table(sub_header, sub_node, min(level + 1, 4), sub_about)

    def values(self) -> None:
        """The shared kinds of value: what each is and what it accepts."""
        self.lines += ["## Values", "", "| value | what it is | accepted |", "|---|---|---|"]
        for name in _VALUES:
            node = self.schema["$defs"][name]
            if name == "window":
                accepted = '`[before, after]` (whole days) or `"none"`'
            else:
                accepted = f"`{node['pattern']}`" if "pattern" in node else self.kind(node)
            accepted = accepted.replace("|", "\\|")
            self.lines.append(f"| {_VALUE_NAMES[name]} | {self.description(node)} | {accepted} |")
        self.lines.append("")

    def page(self) -> str:
        """The whole page."""
        self.lines = [
            f"# The protocol file format ({self.schema['title']})",
            "",
            "<!-- Made by tools/protocol_reference.py from src/mil62sched/protocol/schema.json: "
            f"edit the schema's descriptions, then run `{COMMAND}`. -->",
            "",
            self.description(self.schema),
            "",
            "Each section is a table of the TOML file: `[name]` a table, `[[name]]` a list of "
            "tables (one header per entry), `NAME` a key the file chooses. A key marked required "
            "must be given; the others may be left out. How to write a file, with the built-in "
            "MIL62-CT303 file as the worked example: "
            "[Protocol files](../guides/protocol-files.md).",
            "",
        ]
        required = set(self.schema["required"])
        for key, node in self.schema["properties"].items():
            tables = self.nested(key, node)
            if not tables:
                self.lines += [f"## `{key}`", ""]
                needed = "Required" if key in required else "Optional"
                self.lines += [f"{self.description(node)} Accepts {self.kind(node)}. {needed}.", ""]
                continue
            for header, table in tables:
                about = self.about(node, table)
                if key not in required and "Optional" not in about:
                    about += " Optional."
                self.table(header, table, 2, about)
        self.values()
        return "\n".join(self.lines).rstrip("\n") + "\n"


def render(schema_path: Path = SCHEMA) -> str:
    """The reference page for the schema at `schema_path`."""
    return Reference(json.loads(schema_path.read_text(encoding="utf-8"))).page()


def main() -> int:
    """Write the page (or, with --check, say whether the committed one is current)."""
    text = render()
    if sys.argv[1:] == ["--check"]:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != text:
            print(f"{PAGE.relative_to(ROOT)} is stale: run {COMMAND}", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
