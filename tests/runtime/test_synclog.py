"""The daemon's log: one line per sync, in text for people and JSON for machines."""

from __future__ import annotations

import io
import json

from reconciler.api.apply import Action, Outcome
from reconciler.clock import VirtualClock
from reconciler.model.diff import Change, Op
from reconciler.model.keys import ObjectKey
from reconciler.runtime.sync import Drift, SyncReport, Trigger
from reconciler.runtime.synclog import LogFormat, SyncLog

RC = ObjectKey("ReplicationController", "default", "kubia")


def report() -> SyncReport:
    change = Change("spec.replicas", Op.CHANGED, 3, 5)
    return SyncReport(
        Trigger.CHANGE,
        files=["kubia-rc.yaml"],
        outcomes=[Outcome(RC, Action.CONFIGURED, changes=(change,))],
        errors=["/m/bad.yaml:4:3: error: unknown field"],
        drift=[Drift(ObjectKey("Service", "default", "kubia-http"), missing=True, healed=True)],
        duration=0.0123,
    )


def test_a_text_line_names_the_files_the_counts_and_the_time() -> None:
    out = io.StringIO()

    SyncLog(out, clock=VirtualClock(0)).sync(report())

    assert out.getvalue().splitlines() == [
        "1970-01-01T00:00:00Z sync (change) kubia-rc.yaml: 0 created, 1 configured, 0 pruned, "
        "1 error in 12 ms",
        "  /m/bad.yaml:4:3: error: unknown field",
        "  drift: service/kubia-http deleted: reverted",
    ]


def test_verbose_text_adds_each_object_and_its_changed_fields() -> None:
    out = io.StringIO()

    SyncLog(out, verbose=True, clock=VirtualClock(0)).sync(report())

    assert out.getvalue().splitlines()[-2:] == [
        "  replicationcontroller/kubia configured",
        "    spec.replicas: 3 -> 5",
    ]


def test_json_is_one_object_per_line() -> None:
    out = io.StringIO()

    SyncLog(out, log_format=LogFormat.JSON, clock=VirtualClock(0)).sync(report())

    record = json.loads(out.getvalue())
    assert record["event"] == "sync" and record["level"] == "error"
    assert record["files"] == ["kubia-rc.yaml"]
    assert record["configured"] == ["replicationcontroller/kubia"]
    assert record["drift"][0]["missing"] is True
    assert record["durationMs"] == 12.3


def test_many_files_are_summed_up_in_text() -> None:
    out = io.StringIO()
    many = SyncReport(Trigger.CHANGE, files=[f"f{i}.yaml" for i in range(1000)])

    SyncLog(out, clock=VirtualClock(0)).sync(many)

    assert " f0.yaml, f1.yaml, f2.yaml and 997 more: " in out.getvalue()
