"""Object metadata the api server owns: uid, names from generateName, timestamps, generation.

Called by the api on every create and update; never by controllers or the CLI directly.
Random parts come from an injected `random.Random`, so a seeded simulation names things the same
way every run.
"""

from __future__ import annotations

import random
from typing import Any

from reconciler.clock import rfc3339
from reconciler.model.keys import Obj

NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""k8s.io/apimachinery/pkg/util/rand: no vowels (no words) and no 0/1/3 (no look-alikes)."""

MAX_GENERATED_BASE = 58
"""A generated name is at most 63 characters: a 58-character base plus 5 random ones."""

SERVER_OWNED = (
    "uid",
    "creationTimestamp",
    "resourceVersion",
    "generation",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)


def random_suffix(rng: random.Random, length: int = 5) -> str:
    """Five characters the way Kubernetes picks them for `generateName`."""
    return "".join(rng.choice(NAME_ALPHABET) for _ in range(length))


def generated_name(base: str, rng: random.Random) -> str:
    """`kubia-` → `kubia-x7tq2`, the base cut so the whole name fits 63 characters."""
    return base[:MAX_GENERATED_BASE] + random_suffix(rng)


_VERSION_4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_VERSION_4_SET = (0x8000 << 48) | (4 << 76)


def new_uid(rng: random.Random) -> str:
    """A version-4 UUID drawn from the injected generator: the text of
    `uuid.UUID(int=rng.getrandbits(128), version=4)`, formatted here because building the UUID
    object cost four times as much (every object and Event the cluster creates draws one)."""
    digits = f"{(rng.getrandbits(128) & _VERSION_4_CLEAR) | _VERSION_4_SET:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def stamp_new(obj: Obj, *, now: float, rng: random.Random) -> None:
    """Fill the metadata a new object gets from the server; whatever the client sent there is
    replaced, as the API server does."""
    meta = obj["metadata"]
    for field in SERVER_OWNED:
        meta.pop(field, None)
    meta["uid"] = new_uid(rng)
    meta["creationTimestamp"] = rfc3339(now)
    if "spec" in obj:
        meta["generation"] = 1


def carry_over(new: Obj, old: Obj) -> None:
    """On update, keep what the client may not change and bump generation on a spec change."""
    meta, old_meta = new["metadata"], old["metadata"]
    for field in SERVER_OWNED:
        if field == "resourceVersion":
            continue
        if field in old_meta:
            meta[field] = old_meta[field]
        else:
            meta.pop(field, None)
    if "generation" in old_meta and new.get("spec") != old.get("spec"):
        meta["generation"] = old_meta["generation"] + 1


def owner_reference(owner: Obj, *, controller: bool = True) -> dict[str, Any]:
    """The ownerReferences entry a controller puts on what it creates."""
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": controller,
        "blockOwnerDeletion": True,
    }


def controller_of(obj: Obj) -> dict[str, Any] | None:
    """The ownerReferences entry with `controller: true`, if any."""
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return ref  # type: ignore[no-any-return]
    return None
