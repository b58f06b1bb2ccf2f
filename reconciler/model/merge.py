"""The three-way merge of `kubectl apply` (client-side apply), as a pure function.

`kubectl apply` keeps the manifest it last applied on the object (annotation
`kubectl.kubernetes.io/last-applied-configuration`) and computes a strategic merge patch from
three inputs: that last-applied configuration, the new manifest and the live object. The patch
sets every field the manifest names to the manifest's value and deletes the fields the previous
manifest named and this one dropped; every other field of the live object (defaults the API
server filled in, `spec.clusterIP`, `spec.nodeName`, `status`, a replica count changed live) is
left alone. `three_way_merge` returns the live object with that patch applied.

Rules (kubernetes website, tasks/manage-kubernetes-objects/declarative-config.md):
- primitives and lists of primitives are replaced by the manifest's value;
- maps merge key by key; a key in last-applied but not in the manifest is deleted;
- lists of maps with a merge key (`model/patchmeta.py`: containers by name, ports by
  containerPort / port, env by name, ...) merge item by item; items the previous manifest had and
  this one dropped are deleted, items others added are kept (after the manifest's own items);
- an explicit `null` in the manifest deletes the field.

Called by the api's apply (`api/apply.py`); it never reads the store or defaults anything.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from reconciler.model.keys import Obj
from reconciler.model.patchmeta import Field, fields_of, root_fields

_PLAIN = Field()


def three_way_merge(last_applied: Obj | None, manifest: Obj, live: Obj) -> Obj:
    """The live object patched the way `kubectl apply` patches it.

    `last_applied` is the configuration this tool applied last time (None when the object was
    created some other way: then nothing is deleted, only set). Inputs are not modified.
    """
    fields = root_fields(str(manifest.get("kind") or live.get("kind") or ""))
    return _merge_map(last_applied or {}, manifest, live, fields, retain=False)


def without_nulls(value: Any) -> Any:
    """A copy of a manifest value with every `null` field left out: what creating it stores."""
    if isinstance(value, Mapping):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


def _merge_map(
    last: Mapping[str, Any],
    new: Mapping[str, Any],
    live: Any,
    fields: Mapping[str, Field],
    *,
    retain: bool,
) -> dict[str, Any]:
    result: dict[str, Any] = copy.deepcopy(dict(live)) if isinstance(live, Mapping) else {}
    for key in last:
        if key not in new:
            result.pop(key, None)
    for key, value in new.items():
        if value is None:
            result.pop(key, None)
            continue
        result[key] = _merge_value(last.get(key), value, result.get(key), fields.get(key, _PLAIN))
    if retain:
        for key in [k for k in result if k not in new]:
            del result[key]
    return result


def _merge_value(last: Any, new: Any, live: Any, field: Field) -> Any:
    if isinstance(new, Mapping):
        return _merge_map(
            last if isinstance(last, Mapping) else {},
            new,
            live,
            fields_of(field.type),
            retain=field.retain_keys,
        )
    if isinstance(new, list) and isinstance(live, list):
        if field.merge_key and _keyed(new, field.merge_key):
            return _merge_keyed_list(last if isinstance(last, list) else [], new, live, field)
        if field.merge_set:
            return _merge_set(last if isinstance(last, list) else [], new, live)
    return without_nulls(new)


def _keyed(items: list[Any], key: str) -> bool:
    """True when every item is a map carrying a distinct merge key (else the list is replaced)."""
    ids = [_id(item, key) if isinstance(item, Mapping) else None for item in items]
    return None not in ids and len(set(ids)) == len(ids)


def _merge_keyed_list(last: list[Any], new: list[Any], live: list[Any], field: Field) -> list[Any]:
    key = str(field.merge_key)
    last_items = {_id(item, key): item for item in last if isinstance(item, Mapping)}
    live_items = {_id(item, key): item for item in live if isinstance(item, Mapping)}
    fields = fields_of(field.type)
    merged = [
        _merge_map(
            last_items.get(_id(item, key), {}),
            item,
            live_items.get(_id(item, key)),
            fields,
            retain=field.retain_keys,
        )
        for item in new
    ]
    wanted = {_id(item, key) for item in new}
    for item in live:
        ident = _id(item, key) if isinstance(item, Mapping) else None
        if ident is not None and (ident in wanted or ident in last_items):
            continue
        merged.append(copy.deepcopy(item))
    return merged


def _merge_set(last: list[Any], new: list[Any], live: list[Any]) -> list[Any]:
    """`finalizers`: the manifest's entries, plus live ones no manifest ever named."""
    kept = [item for item in live if item not in new and item not in last]
    return [*copy.deepcopy(new), *copy.deepcopy(kept)]


def _id(item: Mapping[str, Any], key: str) -> str | None:
    """The merge key's value, normalised so `80` and `"80"` do not count as two ports."""
    value = item.get(key)
    return None if value is None else str(value)
