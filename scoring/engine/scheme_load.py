"""Decoding a scheme document (YAML or JSON) with limits, before any validation.

YAML is read with a SafeLoader that also refuses anchors and aliases (the "billion laughs"
attack), explicit tags and duplicate keys; JSON refuses NaN/Infinity and duplicate keys. Every
failure becomes a SchemeError naming the file and, where known, the line and column.

Both are bounded before the document is built: the size, then the number of values (YAML: a
pre-scan of libyaml's events, which stops at the cap; the pure-Python loader costs ~100 us a
value on the test machine, so a 1 MB list of 250,000 values cost 35 s before it was refused).
"""

from __future__ import annotations

import json
from typing import Any

import yaml

MAX_BYTES = 1_000_000
MAX_DEPTH = 20
# Values (scalars, lists, mappings): the example scheme (docs/examples) has 482.
MAX_NODES = 20_000
# libyaml's parser when PyYAML was built with it (the wheels are): events at C speed.
_EventLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SchemeError(ValueError):
    """A scheme file that cannot be accepted; the message names the file and the place."""


class _Refused(Exception):
    def __init__(self, message: str, mark: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """SafeLoader without anchors, aliases or tags (billion laughs, type confusion)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # unannotated in PyYAML's stubs
        if isinstance(event, yaml.AliasEvent):
            raise _Refused("YAML aliases are not allowed", event.start_mark)
        if getattr(event, "anchor", None) is not None:
            raise _Refused("YAML anchors are not allowed", event.start_mark)
        if getattr(event, "tag", None) is not None:
            raise _Refused(f"YAML tags are not allowed ({event.tag})", event.start_mark)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(f"more than {MAX_NODES:,} values", event.start_mark)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        return node

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen = set()
        for key_node, _value in node.value:
            key = getattr(key_node, "value", None)
            if isinstance(key, str):
                if key in seen:
                    raise _Refused(f"duplicate key '{key}'", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _position(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def load_document(data: bytes | str, filename: str) -> Any:
    """Decoded YAML/JSON document, or SchemeError."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise SchemeError(f"{filename}: file larger than {MAX_BYTES:,} bytes")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SchemeError(f"{filename}: not UTF-8 text (byte {exc.start})") from None
    else:
        text = data.removeprefix("\ufeff")
    if not text.strip():
        raise SchemeError(f"{filename}: the file is empty")
    try:
        if text.lstrip().startswith("{"):
            document = json.loads(
                text, object_pairs_hook=_json_object, parse_constant=_json_constant
            )
            _check_depth(document)
            return document
        _count_yaml_nodes(text)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader subclass
    except _Refused as exc:
        where = _position(exc.mark)
        raise SchemeError(f"{filename}: {where + ': ' if where else ''}{exc.message}") from None
    except json.JSONDecodeError as exc:
        raise SchemeError(f"{filename}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise SchemeError(f"{filename}: {_position(mark)}: {problem}") from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise SchemeError(f"{filename}: invalid YAML/JSON: {exc}") from None
    except RecursionError:
        raise SchemeError(f"{filename}: nested deeper than {MAX_DEPTH} levels") from None


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"duplicate key '{key}'")
        out[key] = value
    return out


def _json_constant(name: str) -> Any:
    raise _Refused(f"'{name}' is not a number")


def _count_yaml_nodes(text: str) -> None:
    """Refuse from the events alone, before the slow loader builds anything: more than
    MAX_NODES values, and what the loader refuses first (an alias — never expanded here —, an
    anchor, a tag, a value nested too deep), in the loader's words. A syntax error ends the
    scan: the loader reports it, having built no more than MAX_NODES values."""
    loader = _EventLoader(text)
    nodes = depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if not isinstance(event, yaml.NodeEvent):
                continue
            if isinstance(event, yaml.AliasEvent):
                raise _Refused("YAML aliases are not allowed", event.start_mark)
            if event.anchor is not None:
                raise _Refused("YAML anchors are not allowed", event.start_mark)
            if (tag := getattr(event, "tag", None)) is not None:
                raise _Refused(f"YAML tags are not allowed ({tag})", event.start_mark)
            nodes += 1
            if nodes > MAX_NODES:
                raise _Refused(f"more than {MAX_NODES:,} values", event.start_mark)
            if depth + 1 > MAX_DEPTH:
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
    except yaml.YAMLError:
        return
    finally:
        loader.dispose()


def _check_depth(document: Any) -> None:
    stack = [(document, 1)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise _Refused(f"more than {MAX_NODES:,} values")
        if depth > MAX_DEPTH:
            raise _Refused(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
