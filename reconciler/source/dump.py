"""Objects to YAML text the way kubectl prints them (`get -o yaml`) and writes them (`--save`).

kubectl's YAML comes from Go (sigs.k8s.io/yaml over go-yaml): keys sorted at every level,
sequences not indented under their key, strings that would read back as something else quoted
in double quotes (`resourceVersion: "1234"`, `"yes"`, `""`), other strings that cannot be plain
in single quotes, multi-line strings as `|` blocks, None as `null`. This module is the one place
that emits YAML for objects; ruamel.yaml stays behind it (and `editor.py` for round trips).
It never reads files and never looks at what an object means.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.representer import SafeRepresenter

YAML_11_BOOLEANS = frozenset(
    spelling
    for word in ("y", "yes", "n", "no", "on", "off", "true", "false")
    for spelling in (word, word.capitalize(), word.upper())
)
"""Words go-yaml (YAML 1.1) reads as booleans, so kubectl quotes them; YAML 1.2 would not."""


class _GoEmitter(Emitter):
    """Prefers double quotes for strings that only need quoting because of what they resolve
    to, as go-yaml does; single quotes stay for strings with awkward characters."""

    def choose_scalar_style(self) -> Any:
        style = super().choose_scalar_style()
        if style == "'" and not self.event.style and not self.event.implicit[0]:
            return '"'
        return style


class _Representer(SafeRepresenter):
    pass


def _represent_str(representer: SafeRepresenter, data: str) -> Any:
    tag = "tag:yaml.org,2002:str"
    if "\n" in data:
        return representer.represent_scalar(tag, data, style="|")
    if data in YAML_11_BOOLEANS:
        return representer.represent_scalar(tag, data, style='"')
    return representer.represent_scalar(tag, data)


def _represent_mapping(representer: SafeRepresenter, data: Mapping[str, Any]) -> Any:
    return representer.represent_mapping("tag:yaml.org,2002:map", data)


_Representer.add_representer(str, _represent_str)
_Representer.add_representer(dict, _represent_mapping)


def _sorted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [_sorted(item) for item in value]
    return value


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.Emitter = _GoEmitter
    yaml.Representer = _Representer
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # sorted by us
    yaml.indent(mapping=2, sequence=2, offset=0)
    return yaml


def to_yaml(obj: Any, *, sort_keys: bool = True) -> str:
    """One document, kubectl style (`sort_keys=False` keeps the mapping order given)."""
    stream = io.StringIO()
    _yaml().dump(_sorted(obj) if sort_keys else obj, stream)
    return stream.getvalue()


def to_yaml_documents(objs: list[Any], *, sort_keys: bool = True) -> str:
    """Several documents separated by `---`, as a multi-document manifest file holds them."""
    return "---\n".join(to_yaml(obj, sort_keys=sort_keys) for obj in objs)
