"""`reconciler diff`'s output: what `kubectl diff` prints, a `diff -u -N` per object.

kubectl writes the live and the merged object of each manifest as YAML into two temporary
folders (`LIVE-…`, `MERGED-…`, files named `[group.]version.Kind.namespace.name`) and runs
`diff -u -N` on them; an object that does not exist yet diffs against an empty file. This module
produces the same text with difflib from an apply dry run's outcomes, without touching the disk.
Apply's own bookkeeping annotations (last-applied, source) are left out of both sides, so `diff`
shows a difference exactly when `apply` would say created or configured. Pure text.
"""

from __future__ import annotations

import difflib
import os
import random
import tempfile
from datetime import UTC, datetime

from reconciler.api.apply import LAST_APPLIED, SOURCE, Action, Outcome
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.kinds import kind_info
from reconciler.source.dump import to_yaml


def file_name(key: ObjectKey) -> str:
    """kubectl's name for an object's diff file: `v1.ReplicationController.default.kubia`,
    `apps.v1.Deployment.default.web`, `v1.Namespace..test`."""
    info = kind_info(key.kind)
    group = f"{info.group}." if info.group else ""
    version = info.api_version.rpartition("/")[2]
    return f"{group}{version}.{key.kind}.{key.namespace}.{key.name}"


class UnifiedDiff:
    """Renders outcomes under one pair of made-up temporary folders, as one kubectl run."""

    def __init__(self, *, when: float, rng: random.Random | None = None) -> None:
        pick = rng or random.Random()
        base = tempfile.gettempdir()
        self.live_dir = os.path.join(base, f"LIVE-{pick.randrange(10**9, 10**10)}")
        self.merged_dir = os.path.join(base, f"MERGED-{pick.randrange(10**9, 10**10)}")
        self._stamp = datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%d %H:%M:%S.%f000 +0000")

    def render(self, outcome: Outcome) -> str:
        """The diff of one object ("" when apply would leave it unchanged)."""
        if outcome.action is Action.UNCHANGED:
            return ""
        name = file_name(outcome.key)
        live = os.path.join(self.live_dir, name)
        merged = os.path.join(self.merged_dir, name)
        after_obj = None if outcome.action is Action.PRUNED else outcome.after
        if after_obj is not None and outcome.before is not None:
            # a dry run's write was rolled back: the object keeps the version it has
            version = outcome.before["metadata"].get("resourceVersion")
            after_obj = {
                **after_obj,
                "metadata": {**after_obj["metadata"], "resourceVersion": version},
            }
        before = _yaml_lines(outcome.before)
        after = _yaml_lines(after_obj)
        body = list(
            difflib.unified_diff(
                before,
                after,
                fromfile=live,
                tofile=merged,
                fromfiledate=self._stamp,
                tofiledate=self._stamp,
            )
        )
        if not body:
            return ""
        return f"diff -u -N {live} {merged}\n" + "".join(body)


def _yaml_lines(obj: Obj | None) -> list[str]:
    if obj is None:
        return []
    shown = dict(obj)
    meta = dict(shown.get("metadata") or {})
    annotations = {
        k: v for k, v in (meta.get("annotations") or {}).items() if k not in (LAST_APPLIED, SOURCE)
    }
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    shown["metadata"] = meta
    return to_yaml(shown).splitlines(keepends=True)
