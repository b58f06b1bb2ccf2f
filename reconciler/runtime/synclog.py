"""The daemon's log: one line per sync, for people (text) or machines (JSON lines).

`reconciler watch` writes here (stderr); `runtime/daemon.py` calls it for every sync report,
drift report and life-cycle event (started, folder lost, stopping). Text lines name the files
that triggered the sync first, as Tilt's first principle asks ("print which file changes
triggered that build"), then the counts and the time it took; errors follow on their own lines,
each `path:line:col: message`. `-v` adds apply's per-object lines (`replicationcontroller/kubia
configured`) and the fields that changed. It formats; it never decides anything.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any, TextIO

from reconciler.api.apply import Action, resource_name
from reconciler.clock import Clock, RealClock, rfc3339
from reconciler.runtime.sync import Drift, SyncReport

SHOWN_FILES = 3
"""How many changed files a text line names before it says `and N more`."""


class LogFormat(StrEnum):
    """`--log-format`."""

    TEXT = "text"
    JSON = "json"


class SyncLog:
    """Writes the daemon's events to a stream, one line each (plus detail lines in text)."""

    def __init__(
        self,
        stream: TextIO,
        *,
        log_format: LogFormat = LogFormat.TEXT,
        verbose: bool = False,
        clock: Clock | None = None,
    ) -> None:
        self._stream = stream
        self._json = log_format is LogFormat.JSON
        self._verbose = verbose
        self._clock = clock or RealClock()

    def event(self, name: str, message: str, *, level: str = "info", **fields: Any) -> None:
        """A life-cycle event: `started`, `folder-lost`, `stopped`…"""
        if self._json:
            self._write_json(name, level, message=message, **fields)
        else:
            prefix = "error: " if level == "error" else ""
            self._write(f"{self._now()} {prefix}{message}")

    def sync(self, report: SyncReport) -> None:
        """One sync pass."""
        if self._json:
            self._write_json("sync", "info" if report.ok else "error", **_sync_fields(report))
            return
        counts = ", ".join(
            f"{report.count(action)} {action}"
            for action in (Action.CREATED, Action.CONFIGURED, Action.PRUNED)
        )
        errors = len(report.errors)
        line = (
            f"{self._now()} sync ({report.trigger}){_files(report.files)}: {counts}, "
            f"{errors} error{'' if errors == 1 else 's'} in {report.duration * 1000:.0f} ms"
        )
        lines = [line]
        lines += [f"  fixed: {path}" for path in report.fixed]
        lines += [f"  {error}" for error in report.errors]
        lines += [f"  {_drift_line(drift)}" for drift in report.drift]
        if self._verbose:
            for outcome in report.outcomes:
                if outcome.action is Action.UNCHANGED:
                    continue
                lines.append(f"  {outcome.line}")
                lines += [f"    {change}" for change in outcome.changes]
            unchanged = report.count(Action.UNCHANGED)
            if unchanged:
                lines.append(f"  {unchanged} unchanged")
        self._write("\n".join(lines))

    def _now(self) -> str:
        return rfc3339(self._clock.now())

    def _write(self, text: str) -> None:
        self._stream.write(text + "\n")
        self._stream.flush()

    def _write_json(self, name: str, level: str, **fields: Any) -> None:
        record = {"time": self._now(), "level": level, "event": name, **fields}
        self._write(json.dumps(record, separators=(",", ":")))


def _files(files: list[str]) -> str:
    if not files:
        return ""
    shown = ", ".join(files[:SHOWN_FILES])
    if len(files) > SHOWN_FILES:
        shown += f" and {len(files) - SHOWN_FILES} more"
    return f" {shown}"


def _drift_line(drift: Drift) -> str:
    what = "deleted" if drift.missing else "; ".join(str(c) for c in drift.changes)
    verdict = "reverted" if drift.healed else "OutOfSync (self-heal is off)"
    return f"drift: {resource_name(drift.key)} {what}: {verdict}"


def _sync_fields(report: SyncReport) -> dict[str, Any]:
    def names(action: Action) -> list[str]:
        return [resource_name(o.key) for o in report.outcomes if o.action is action]

    return {
        "trigger": str(report.trigger),
        "files": report.files,
        "created": names(Action.CREATED),
        "configured": names(Action.CONFIGURED),
        "pruned": names(Action.PRUNED),
        "unchanged": report.count(Action.UNCHANGED),
        "errors": report.errors,
        "fixed": report.fixed,
        "drift": [
            {
                "object": resource_name(d.key),
                "namespace": d.key.namespace,
                "missing": d.missing,
                "changes": [str(c) for c in d.changes],
                "healed": d.healed,
            }
            for d in report.drift
        ],
        "durationMs": round(report.duration * 1000, 1),
    }
