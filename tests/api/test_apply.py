"""Declarative apply over a real api and store: outcomes, order, inventory and prune safety."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest

from reconciler.api import inventory
from reconciler.api.apply import LAST_APPLIED, SOURCE, Action, ApplyReport, Manifest, apply
from reconciler.api.metadata import owner_reference
from reconciler.api.server import Api
from reconciler.clock import VirtualClock
from reconciler.errors import Refused
from reconciler.model.keys import ObjectKey
from reconciler.model.selectors import parse
from reconciler.store.memory import MemoryStore

SOURCE_ID = "/work/manifests"


@pytest.fixture
def api() -> Api:
    api = Api(MemoryStore(), VirtualClock(), rng=random.Random(1))
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    return api


def rc(name: str = "kubia", replicas: int = 3, **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": name, **({"labels": labels} if labels else {})},
        "spec": {
            "replicas": replicas,
            "selector": {"app": name},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": "luksa/kubia"}]},
            },
        },
    }


def svc(name: str = "kubia-http", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {"selector": {"app": "kubia"}, "ports": [{"port": 80, "targetPort": 8080}]} | spec,
    }


def pod(name: str, namespace: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {"containers": [{"name": "main", "image": "luksa/kubia"}]},
    }


def namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def run(api: Api, *objects: dict[str, Any], **options: Any) -> ApplyReport:
    manifests = [Manifest(obj, f"/work/manifests/{i}.yaml", 0) for i, obj in enumerate(objects)]
    return apply(api, manifests, source_id=options.pop("source_id", SOURCE_ID), **options)


def lines(report: ApplyReport) -> list[str]:
    return [outcome.line for outcome in report.outcomes]


def test_absent_objects_are_created_and_a_second_apply_leaves_them_unchanged(api: Api) -> None:
    assert lines(run(api, rc(), svc())) == [
        "service/kubia-http created",
        "replicationcontroller/kubia created",
    ]
    assert lines(run(api, rc(), svc())) == [
        "service/kubia-http unchanged",
        "replicationcontroller/kubia unchanged",
    ]


def test_creating_leaves_the_manifests_as_they_were_read(api: Api) -> None:
    manifests = [rc(), svc(type="NodePort", sessionAffinity=None)]
    run(api, *manifests)
    assert manifests == [rc(), svc(type="NodePort", sessionAffinity=None)]
    assert api.get(ObjectKey("Service", "default", "kubia-http"))["spec"]["sessionAffinity"]


def test_created_object_carries_its_manifest_as_kubectl_writes_it_and_its_source(
    api: Api,
) -> None:
    run(api, rc())
    live = api.get(ObjectKey("ReplicationController", "default", "kubia"))
    annotations = live["metadata"]["annotations"]
    assert annotations[SOURCE] == "/work/manifests/0.yaml#0"
    last = annotations[LAST_APPLIED]
    assert last.endswith("}\n")
    assert last.startswith('{"apiVersion":"v1","kind":"ReplicationController","metadata":')
    assert json.loads(last)["metadata"] == {
        "annotations": {},
        "name": "kubia",
        "namespace": "default",
    }


def test_a_changed_manifest_configures_the_object_and_reports_what_changed(api: Api) -> None:
    run(api, rc(replicas=3))
    report = run(api, rc(replicas=5))
    (outcome,) = report.outcomes
    assert outcome.line == "replicationcontroller/kubia configured"
    assert [str(change) for change in outcome.changes] == ["spec.replicas: 3 -> 5"]
    assert outcome.after is not None and outcome.after["spec"]["replicas"] == 5
    assert outcome.after["metadata"]["generation"] == 2


def test_fields_set_by_the_server_or_live_are_not_fought_over(api: Api) -> None:
    manifest = rc()
    del manifest["spec"]["replicas"]
    run(api, manifest, svc(type="NodePort"))
    key = ObjectKey("ReplicationController", "default", "kubia")
    live = api.get(key)
    live["spec"]["replicas"] = 7  # scale --live, HPA-style
    api.update(live)
    service = api.get(ObjectKey("Service", "default", "kubia-http"))
    report = run(api, manifest, svc(type="NodePort"))
    assert {o.action for o in report.outcomes} == {Action.UNCHANGED}
    assert api.get(key)["spec"]["replicas"] == 7
    assert api.get(ObjectKey("Service", "default", "kubia-http"))["spec"] == service["spec"]


def test_a_field_removed_from_the_manifest_is_removed_from_the_object(api: Api) -> None:
    manifest = rc()
    manifest["spec"]["minReadySeconds"] = 5
    run(api, manifest)
    report = run(api, rc())
    assert lines(report) == ["replicationcontroller/kubia configured"]
    live = api.get(ObjectKey("ReplicationController", "default", "kubia"))
    assert "minReadySeconds" not in live["spec"]


def test_what_get_returns_applies_again_as_unchanged(api: Api) -> None:
    run(api, rc(), svc(type="LoadBalancer"))
    objects = [
        api.get(ObjectKey("ReplicationController", "default", "kubia")),
        api.get(ObjectKey("Service", "default", "kubia-http")),
    ]
    revision = api.store.revision()
    report = run(api, *copy.deepcopy(objects))
    assert {o.action for o in report.outcomes} == {Action.UNCHANGED}
    for obj in objects:
        after = api.get(ObjectKey.of(obj))
        assert after["spec"] == obj["spec"]
        assert after["metadata"]["generation"] == obj["metadata"]["generation"]
    assert api.store.revision() >= revision


def test_a_namespace_in_a_later_file_is_created_before_the_pod_that_needs_it(api: Api) -> None:
    manifests = [
        Manifest(pod("web", "test"), "/work/manifests/a.yaml", 0),
        Manifest(namespace("test"), "/work/manifests/z.yaml", 0),
    ]
    report = apply(api, manifests, source_id=SOURCE_ID)
    assert report.ok
    assert lines(report) == ["namespace/test created", "pod/web created"]


def test_a_failing_object_is_reported_kubectl_style_and_the_others_still_apply(
    api: Api,
) -> None:
    report = run(api, pod("web", "missing"), rc())
    assert lines(report) == ["replicationcontroller/kubia created"]
    (failure,) = report.failures
    assert failure.message == (
        'Error from server (NotFound): error when creating "/work/manifests/0.yaml": '
        'namespaces "missing" not found'
    )


def test_objects_no_longer_declared_are_pruned_and_leave_the_inventory(api: Api) -> None:
    run(api, rc(), svc())
    report = run(api, rc(), prune=True)
    assert lines(report) == ["replicationcontroller/kubia unchanged", "service/kubia-http pruned"]
    assert api.find(ObjectKey("Service", "default", "kubia-http")) is None
    owned = inventory.load(api.store, SOURCE_ID)
    assert owned.keys() == [ObjectKey("ReplicationController", "default", "kubia")]


def test_without_prune_an_undeclared_object_stays_and_a_later_prune_still_finds_it(
    api: Api,
) -> None:
    run(api, rc(), svc())
    run(api, rc())
    assert api.find(ObjectKey("Service", "default", "kubia-http")) is not None
    report = run(api, rc(), prune=True)
    assert [o.line for o in report.of(Action.PRUNED)] == ["service/kubia-http pruned"]


def test_prune_of_an_empty_source_is_refused_unless_forced(api: Api) -> None:
    run(api, rc(), svc())
    with pytest.raises(Refused, match="the source declares no objects"):
        run(api, prune=True)
    assert api.find(ObjectKey("Service", "default", "kubia-http")) is not None
    report = run(api, prune=True, force_prune_all=True)
    assert sorted(lines(report)) == [
        "replicationcontroller/kubia pruned",
        "service/kubia-http pruned",
    ]


def test_prune_that_would_delete_everything_the_source_owns_is_refused(api: Api) -> None:
    run(api, rc("kubia"))
    with pytest.raises(Refused, match="--force-prune-all"):
        run(api, rc("kubia-v2"), prune=True)
    assert api.find(ObjectKey("ReplicationController", "default", "kubia-v2")) is None


def test_prune_with_a_selector_deletes_only_matching_objects(api: Api) -> None:
    run(api, rc("a", tier="web"), rc("b", tier="db"), rc("c", tier="web"))
    report = run(api, rc("c", tier="web"), prune=True, selector=parse("tier=web"))
    assert [o.line for o in report.of(Action.PRUNED)] == ["replicationcontroller/a pruned"]
    assert api.find(ObjectKey("ReplicationController", "default", "b")) is not None


def test_objects_a_controller_owns_are_never_pruned(api: Api) -> None:
    run(api, rc(), pod("adopted"))
    owner = api.get(ObjectKey("ReplicationController", "default", "kubia"))
    made = pod("kubia-x7tq2")
    made["metadata"]["ownerReferences"] = [owner_reference(owner)]
    api.create(made)
    adopted = api.get(ObjectKey("Pod", "default", "adopted"))
    adopted["metadata"]["ownerReferences"] = [owner_reference(owner)]
    api.patch_metadata(adopted)
    report = run(api, rc(), svc(), prune=True)
    assert report.of(Action.PRUNED) == []
    assert api.find(ObjectKey("Pod", "default", "kubia-x7tq2")) is not None
    assert api.find(ObjectKey("Pod", "default", "adopted")) is not None


def test_an_object_recreated_by_someone_else_is_not_pruned(api: Api) -> None:
    run(api, rc(), svc())
    key = ObjectKey("Service", "default", "kubia-http")
    api.delete(key)
    api.create(svc())
    report = run(api, rc(), prune=True)
    assert report.of(Action.PRUNED) == []
    assert api.find(key) is not None


def test_a_dry_run_reports_the_outcomes_and_writes_nothing(api: Api) -> None:
    run(api, rc(), svc())
    revision = api.store.revision()
    inventory_before = inventory.load(api.store, SOURCE_ID)
    report = run(
        api, namespace("test"), pod("web", "test"), rc(replicas=5), dry_run=True, prune=True
    )
    assert lines(report) == [
        "namespace/test created (dry run)",
        "replicationcontroller/kubia configured (dry run)",
        "pod/web created (dry run)",
        "service/kubia-http pruned (dry run)",
    ]
    assert api.store.revision() == revision
    assert inventory.load(api.store, SOURCE_ID) == inventory_before
    assert len(inventory_before) == 2
    assert api.find(ObjectKey("Namespace", "", "test")) is None
    assert api.get(ObjectKey("ReplicationController", "default", "kubia"))["spec"]["replicas"] == 3


def test_a_dry_run_reserves_no_service_ip(api: Api) -> None:
    report = run(api, svc(type="NodePort"), dry_run=True)
    (outcome,) = report.outcomes
    assert outcome.after is not None
    cluster_ip = outcome.after["spec"]["clusterIP"]
    assert api.store.get_meta(f"alloc/clusterIP/{cluster_ip}") in (None, "")


def test_a_moved_manifest_updates_the_source_annotation_but_counts_as_unchanged(
    api: Api,
) -> None:
    apply(api, [Manifest(rc(), "/work/manifests/old.yaml", 0)], source_id=SOURCE_ID)
    report = apply(api, [Manifest(rc(), "/work/manifests/new.yaml", 2)], source_id=SOURCE_ID)
    assert lines(report) == ["replicationcontroller/kubia unchanged"]
    live = api.get(ObjectKey("ReplicationController", "default", "kubia"))
    assert live["metadata"]["annotations"][SOURCE] == "/work/manifests/new.yaml#2"


def test_an_object_from_stdin_has_no_source_annotation(api: Api) -> None:
    apply(api, [Manifest(rc(), "/work/manifests/rc.yaml", 0)], source_id=SOURCE_ID)
    apply(api, [Manifest(rc())], source_id="-")
    live = api.get(ObjectKey("ReplicationController", "default", "kubia"))
    assert SOURCE not in live["metadata"]["annotations"]


def test_an_object_created_imperatively_is_adopted_with_a_warning(api: Api) -> None:
    api.create(rc())
    report = run(api, rc(replicas=2))
    assert lines(report) == ["replicationcontroller/kubia configured"]
    assert report.warnings == [
        "resource replicationcontrollers/kubia is missing the "
        "kubectl.kubernetes.io/last-applied-configuration annotation which is required by "
        "reconciler apply. reconciler apply should only be used on resources created "
        "declaratively by reconciler apply. The missing annotation will be patched "
        "automatically."
    ]


def test_fields_the_simulation_ignores_are_warned_about_once(api: Api) -> None:
    first = rc("a")
    first["spec"]["template"]["spec"]["volumes"] = [{"name": "data", "emptyDir": {}}]
    second = pod("web")
    second["spec"]["tolerations"] = [{"key": "k", "operator": "Exists"}]
    report = run(api, first, second)
    assert report.warnings == [
        "the simulated cluster accepts but does not act on tolerations, volumes "
        "(set in replicationcontroller/a, pod/web)"
    ]


def test_a_selector_applies_only_the_matching_manifests(api: Api) -> None:
    report = run(api, rc("a", tier="web"), rc("b", tier="db"), selector=parse("tier=web"))
    assert lines(report) == ["replicationcontroller/a created"]


def test_source_ids_are_resolved_sorted_paths(tmp_path: Any) -> None:
    (tmp_path / "m").mkdir()
    one = inventory.source_id_for([tmp_path / "m", "-"])
    two = inventory.source_id_for(["-", f"{tmp_path}/m/../m/"])
    assert one == two


def test_a_load_balancer_applied_as_cluster_ip_loses_its_node_ports(api: Api) -> None:
    run(api, svc(type="LoadBalancer"))
    report = run(api, svc(type="ClusterIP"))
    (outcome,) = report.outcomes
    assert outcome.action is Action.CONFIGURED
    spec = api.get(ObjectKey("Service", "default", "kubia-http"))["spec"]
    assert spec["type"] == "ClusterIP"
    assert "nodePort" not in spec["ports"][0]


def test_an_apply_of_some_manifests_keeps_the_inventory_entries_of_the_others(api: Api) -> None:
    run(api, rc(), svc())
    before = inventory.load(api.store, SOURCE_ID)
    run(api, rc(replicas=5))
    assert inventory.load(api.store, SOURCE_ID) == before
    assert len(before) == 2


def test_a_source_whose_id_extends_another_keeps_an_inventory_of_its_own(api: Api) -> None:
    run(api, rc())
    run(api, svc(), source_id=SOURCE_ID + "/apps")
    assert inventory.load(api.store, SOURCE_ID).keys() == [rc_key()]
    assert inventory.load(api.store, SOURCE_ID + "/apps").keys() == [svc_key()]
    assert inventory.uid_of(api.store, SOURCE_ID, svc_key()) is None


def test_an_inventory_kept_as_one_value_by_an_older_release_is_read_and_moved(api: Api) -> None:
    run(api, rc(), svc())
    owned = inventory.load(api.store, SOURCE_ID)
    for key in owned.objects:  # back to the layout of files written before per-object entries
        api.store.set_meta(f"inventory/{len(SOURCE_ID)}:{SOURCE_ID}/{key}", "")
    objects = {str(key): uid for key, uid in owned.objects.items()}
    old = json.dumps({"source": SOURCE_ID, "objects": objects}, sort_keys=True)
    api.store.set_meta(f"inventory/{SOURCE_ID}", old)

    assert inventory.uid_of(api.store, SOURCE_ID, svc_key()) == owned.objects[svc_key()]
    assert api.store.get_meta(f"inventory/{SOURCE_ID}") == ""
    report = run(api, rc(), prune=True)
    assert lines(report) == ["replicationcontroller/kubia unchanged", "service/kubia-http pruned"]
    assert inventory.load(api.store, SOURCE_ID).keys() == [rc_key()]


def test_prune_forgets_an_object_deleted_by_hand_once_no_file_declares_it(api: Api) -> None:
    run(api, rc(), svc())
    api.delete(svc_key())
    report = run(api, rc(), prune=True)
    assert lines(report) == ["replicationcontroller/kubia unchanged"]
    assert inventory.load(api.store, SOURCE_ID).keys() == [rc_key()]


def test_an_object_deleted_by_hand_and_still_declared_is_created_and_owned_again(
    api: Api,
) -> None:
    run(api, rc(), svc())
    api.delete(svc_key())
    report = run(api, rc(), svc(), prune=True)
    assert lines(report) == [
        "service/kubia-http created",
        "replicationcontroller/kubia unchanged",
    ]
    assert (
        inventory.uid_of(api.store, SOURCE_ID, svc_key()) == api.get(svc_key())["metadata"]["uid"]
    )


def rc_key() -> ObjectKey:
    return ObjectKey("ReplicationController", "default", "kubia")


def svc_key() -> ObjectKey:
    return ObjectKey("Service", "default", "kubia-http")
