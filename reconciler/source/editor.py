"""Round-trip edits of manifest files: change one value, keep everything else byte for byte.

`scale` (and anything else that must keep the folder the source of truth) edits the file an
object came from rather than only the cluster. A YAML dump would lose comments, blank lines,
quoting and key order, so this module never dumps a document: it parses the file with
ruamel.yaml's round-trip loader only to learn where the value sits (line and column of every
node), replaces that one token in the text (or inserts one `key: value` line beside its siblings
when the key is absent), re-parses the result to check that exactly the intended value changed,
and writes the file atomically. Works for YAML (block or flow style) and JSON manifests,
multi-document files included. It knows nothing about Kubernetes; callers pass the path of keys.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from reconciler.errors import ManifestError, Position

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_SCALAR = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^\s,}\]#]+")


def _documents(text: str, path: Path) -> list[Any]:
    try:
        return list(YAML(typ="rt").load_all(text))
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        position = (
            Position(str(path), mark.line + 1, mark.column + 1) if mark else Position(str(path))
        )
        raise ManifestError(f"cannot parse: {getattr(error, 'problem', error)}", position) from None


def _plain(value: Any) -> Any:
    """A round-trip node as plain dicts, lists and scalars."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _read(path: Path) -> str:
    """The file's text with its line endings as they are (no newline translation)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def read_document(path: Path, index: int) -> dict[str, Any]:
    """Document `index` (0-based) of a manifest file, as plain data."""
    documents = _documents(_read(path), path)
    if not 0 <= index < len(documents) or not isinstance(documents[index], dict):
        raise ManifestError(f"there is no document {index} in this file", Position(str(path)))
    return _plain(documents[index])  # type: ignore[no-any-return]


Key = str | int
"""A mapping key, or an index into a sequence (`containers`, 0)."""


def _where(keys: Sequence[Key]) -> str:
    """`spec.template.spec.containers[0].image`."""
    text = ""
    for key in keys:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


def _parent(document: Any, keys: Sequence[Key], path: Path) -> CommentedMap:
    """The mapping holding the last key, walking mappings by key and sequences by index."""
    node = document
    for depth, key in enumerate(keys[:-1]):
        if isinstance(key, int):
            child = node[key] if isinstance(node, CommentedSeq) and 0 <= key < len(node) else None
        else:
            child = node.get(key) if isinstance(node, dict) else None
        if not isinstance(child, CommentedMap | CommentedSeq):
            where = _where(keys[: depth + 1])
            raise ManifestError(f"{where} is not in this document", Position(str(path)))
        node = child
    if not isinstance(node, CommentedMap):
        where = _where(keys[:-1]) or "the document"
        raise ManifestError(f"{where} is not a mapping", Position(str(path)))
    return node


def _token(value: Any, *, json_file: bool, replaced: str = "") -> str:
    """How `value` is written: JSON strings in JSON files; a string replacing a quoted one
    keeps its style of quotes."""
    if isinstance(value, str) and (json_file or replaced.startswith('"')):
        return json.dumps(value)
    if isinstance(value, str) and replaced.startswith("'"):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def set_value(path: Path, index: int, *, keys: Sequence[Key], value: Any) -> bool:
    """Set `keys` (e.g. `("spec", "replicas")`, or `(…, "containers", 0, "image")` through a
    list) in document `index` of the file to `value`; False when it already had that value (the
    file is then left untouched)."""
    text = _read(path)
    documents = _documents(text, path)
    if not 0 <= index < len(documents):
        raise ManifestError(f"there is no document {index} in this file", Position(str(path)))
    parent = _parent(documents[index], keys, path)
    key = keys[-1]
    if key in parent and _plain(parent[key]) == value:
        return False
    json_file = path.suffix.lower() == ".json"
    lines = _LINES.findall(text)
    token = _token(value, json_file=json_file)
    if key in parent:
        line, column = parent.lc.value(key)
        match = _SCALAR.match(lines[line], column)
        if match is None or isinstance(parent[key], dict | list):
            raise ManifestError(
                f"{_where(keys)} is not a plain value", Position(str(path), line + 1, column + 1)
            )
        token = _token(value, json_file=json_file, replaced=match.group())
        lines[line] = lines[line][: match.start()] + token + lines[line][match.end() :]
    elif parent.fa.flow_style() or not parent:
        line, column = _opening_brace(documents[index], keys, lines, path)
        name = json.dumps(key) if json_file else key
        separator = ", " if parent else ""
        lines[line] = (
            f"{lines[line][: column + 1]}{name}: {token}{separator}{lines[line][column + 1 :]}"
        )
    else:
        first = next(iter(parent))
        line, column = parent.lc.key(first)
        newline = "\r\n" if lines[line].endswith("\r\n") else "\n"
        lines.insert(line, f"{' ' * column}{key}: {token}{newline}")
    edited = "".join(lines)
    _check(edited, documents, index, keys, value, path)
    _write(path, edited)
    return True


def _opening_brace(
    document: Any, keys: Sequence[Key], lines: list[str], path: Path
) -> tuple[int, int]:
    """Where the `{` of the flow mapping holding the new key is."""
    if len(keys) == 1:
        line, column = 0, 0
    elif isinstance(keys[-2], int):
        line, column = _sequence_of(document, keys, path).lc.item(keys[-2])
    else:
        grandparent = _parent(document, keys[:-1], path)
        line, column = grandparent.lc.value(keys[-2])
    while line < len(lines):
        found = lines[line].find("{", column)
        if found >= 0:
            return line, found
        line, column = line + 1, 0
    raise ManifestError(f"cannot add {_where(keys)} to this document", Position(str(path)))


def _sequence_of(document: Any, keys: Sequence[Key], path: Path) -> CommentedSeq:
    """The sequence holding the mapping of the new key (keys[-2] is its index)."""
    node = document
    for key in keys[:-2]:
        node = node[key]
    if not isinstance(node, CommentedSeq):
        raise ManifestError(f"{_where(keys[:-2])} is not a list", Position(str(path)))
    return node


def _check(
    edited: str, before: list[Any], index: int, keys: Sequence[Key], value: Any, path: Path
) -> None:
    """The edit must change exactly one value, in exactly one document."""
    after = _documents(edited, path)
    expected = [_plain(document) for document in before]
    target = expected[index]
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    if [_plain(document) for document in after] != expected:
        raise ManifestError(
            f"editing {_where(keys)} would change more than that value; edit the file by hand",
            Position(str(path)),
        )


def _write(path: Path, text: str) -> None:
    """Replace the file atomically, keeping its permissions."""
    mode = path.stat().st_mode
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
