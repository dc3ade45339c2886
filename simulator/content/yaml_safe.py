"""Hardened YAML reading for authored content (scenarios, practice cards).

`yaml.safe_load` alone accepts duplicate keys silently (the last one wins) and expands
aliases without limit; neither is acceptable for files a trainer writes by hand and that
an employer's scores depend on. We compose with PyYAML's SafeLoader, then build the data
ourselves so that every value keeps the line it came from, duplicate keys and foreign tags
are reported with their line, and alias expansion is bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from simulator.content.problems import Problem, display_path
from simulator.errors import SimulatorError

MAX_FILE_BYTES = 512 * 1024
MAX_NODES = 20_000

Loc = tuple[str | int, ...]

_ALLOWED_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


class _TooManyNodes(SimulatorError):
    pass


def format_loc(loc: Loc) -> str:
    """`personas[0].profile.fr`: the way an author reads a path into their file."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class YamlDocument:
    """Parsed data plus the line of every value, by path."""

    path: Path
    data: Any = None
    lines: dict[Loc, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def shown(self) -> str:
        return display_path(self.path)

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest known prefix of `loc`: a missing field points at its parent."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return 1

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.shown, self.line_of(loc), format_loc(loc), message)


class _Builder:
    def __init__(self, doc: YamlDocument, max_nodes: int) -> None:
        self.doc = doc
        self.max_nodes = max_nodes
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def add(self, loc: Loc, line: int, message: str) -> None:
        self.doc.problems.append(Problem(self.doc.shown, line, format_loc(loc), message))

    def build(self, node: Node, loc: Loc) -> Any:
        self.count += 1
        if self.count > self.max_nodes:
            raise _TooManyNodes
        line = node.start_mark.line + 1
        self.doc.lines.setdefault(loc, line)
        if isinstance(node, MappingNode):
            return self._mapping(node, loc, line)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ_TAG:
                self.add(loc, line, f"tag {_short_tag(node.tag)!r} is not allowed")
                return None
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if node.tag not in _ALLOWED_SCALAR_TAGS:
            self.add(loc, line, f"tag {_short_tag(node.tag)!r} is not allowed")
            return None
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: MappingNode, loc: Loc, line: int) -> dict[Any, Any]:
        if node.tag != _MAP_TAG:
            self.add(loc, line, f"tag {_short_tag(node.tag)!r} is not allowed")
            return {}
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                self.add(loc, key_line, "a key must be a plain value, not a list or mapping")
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.add(loc, key_line, "merge keys ('<<') are not supported; repeat the fields")
                continue
            key = self.build(key_node, loc)
            if key in first_line:
                self.add(
                    (*loc, key),
                    key_line,
                    f"duplicate key {key!r} (first defined at line {first_line[key]})",
                )
                continue
            first_line[key] = key_line
            self.doc.lines[(*loc, key)] = key_line
            result[key] = self.build(value_node, (*loc, key))
        return result


def _short_tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def read_yaml(
    path: Path, *, max_bytes: int = MAX_FILE_BYTES, max_nodes: int = MAX_NODES
) -> YamlDocument:
    """Read one YAML document; problems are collected on the result, never raised."""
    doc = YamlDocument(path=path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        doc.problems.append(Problem(doc.shown, 1, "", f"cannot read file: {exc.strerror}"))
        return doc
    return read_yaml_bytes(raw, doc, max_bytes=max_bytes, max_nodes=max_nodes)


def read_yaml_bytes(
    raw: bytes, doc: YamlDocument, *, max_bytes: int = MAX_FILE_BYTES, max_nodes: int = MAX_NODES
) -> YamlDocument:
    """One YAML document from bytes (a file, an upload, the studio's editor), under the same
    limits as a file; `doc.path` only names it in the problems."""
    if len(raw) > max_bytes:
        doc.problems.append(
            Problem(doc.shown, 1, "", f"file is {len(raw)} bytes, over the {max_bytes} limit")
        )
        return doc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        doc.problems.append(Problem(doc.shown, line, "", "file is not valid UTF-8"))
        return doc
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        doc.problems.append(Problem(doc.shown, 1, "", "file is empty"))
        return doc
    return parse_yaml_text(text, doc, max_nodes=max_nodes)


MAX_DEPTH = 100


def _too_deep(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The line where [ and { nest deeper than `limit` (quotes skipped), if any. PyYAML
    composes recursively: a few thousand brackets would crash it instead of failing."""
    depth, quote = 0, ""
    for number, line in enumerate(text.splitlines(), start=1):
        for char in line:
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char == "#":
                break
            elif char in "[{":
                depth += 1
                if depth > limit:
                    return number
            elif char in "]}":
                depth = max(0, depth - 1)
    return None


def parse_yaml_text(text: str, doc: YamlDocument, *, max_nodes: int = MAX_NODES) -> YamlDocument:
    deep = _too_deep(text)
    if deep is not None:
        doc.problems.append(
            Problem(doc.shown, deep, "", f"nesting deeper than {MAX_DEPTH} levels; refused")
        )
        return doc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:  # deep block nesting (indentation) that the scan above misses
        doc.problems.append(Problem(doc.shown, 1, "", "nesting too deep; refused"))
        return doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        if exc.context_mark is not None and "flow" in (exc.context or ""):
            # An unclosed [ or { is the author's mistake; point at it, mention where it broke.
            opened = exc.context_mark.line + 1
            if opened != line:
                what = f"{what} (at line {line}; the bracket opened here is not closed)"
                line = opened
        doc.problems.append(Problem(doc.shown, line, "", f"YAML syntax error: {what}"))
        return doc
    except yaml.YAMLError as exc:
        doc.problems.append(Problem(doc.shown, 1, "", f"YAML error: {exc}"))
        return doc
    if root is None:
        doc.problems.append(Problem(doc.shown, 1, "", "file is empty"))
        return doc
    builder = _Builder(doc, max_nodes)
    try:
        doc.data = builder.build(root, ())
    except RecursionError:
        doc.problems.append(Problem(doc.shown, 1, "", "nesting too deep; refused"))
        return doc
    except _TooManyNodes:
        doc.problems.append(
            Problem(
                doc.shown,
                1,
                "",
                f"document expands to more than {max_nodes} values (alias bomb?); refused",
            )
        )
        doc.data = None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        doc.problems.append(Problem(doc.shown, line, "", f"invalid value: {exc}"))
        doc.data = None
    return doc
