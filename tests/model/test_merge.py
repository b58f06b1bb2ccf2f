"""kubectl apply's three-way merge: last-applied, new manifest and live object."""

from __future__ import annotations

import copy
from typing import Any

from reconciler.model.diff import Op, diff
from reconciler.model.merge import three_way_merge


def rc(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": "kubia"},
        "spec": spec,
    }


def template(*containers: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": "kubia"}}, "spec": {"containers": list(containers)}}


def live_of(manifest: dict[str, Any], **extra_spec: Any) -> dict[str, Any]:
    """The manifest as the cluster would hold it: server metadata, a default, a status."""
    live = copy.deepcopy(manifest)
    live["metadata"].update(uid="u-1", resourceVersion="7", namespace="default")
    live["spec"].update(extra_spec)
    live["status"] = {"replicas": 3}
    return live


def test_a_field_added_to_the_manifest_is_added() -> None:
    last = rc(replicas=3)
    live = live_of(last)
    merged = three_way_merge(last, rc(replicas=3, minReadySeconds=5), live)
    assert merged["spec"]["minReadySeconds"] == 5
    assert merged["spec"]["replicas"] == 3


def test_a_field_changed_in_the_manifest_is_changed() -> None:
    last = rc(replicas=3)
    merged = three_way_merge(last, rc(replicas=5), live_of(last))
    assert merged["spec"]["replicas"] == 5


def test_a_field_removed_from_the_manifest_is_removed() -> None:
    last = rc(replicas=3, minReadySeconds=5)
    merged = three_way_merge(last, rc(replicas=3), live_of(last))
    assert "minReadySeconds" not in merged["spec"]


def test_a_field_set_live_and_absent_from_the_manifest_is_kept() -> None:
    last = rc(template=template({"name": "kubia", "image": "luksa/kubia"}))
    live = live_of(last, replicas=7)  # replicas changed live, HPA-style, never in the manifest
    merged = three_way_merge(last, copy.deepcopy(last), live)
    assert merged["spec"]["replicas"] == 7


def test_a_field_changed_live_is_overwritten_when_the_manifest_names_it() -> None:
    last = rc(replicas=3)
    live = live_of(last, replicas=7)
    merged = three_way_merge(last, rc(replicas=3), live)
    assert merged["spec"]["replicas"] == 3


def test_server_owned_fields_and_status_are_left_alone() -> None:
    last = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "kubia"}, "spec": {}}
    live = copy.deepcopy(last)
    live["spec"] = {"clusterIP": "10.96.0.20", "type": "ClusterIP"}
    live["status"] = {"loadBalancer": {}}
    new = copy.deepcopy(last)
    new["spec"] = {"ports": [{"port": 80}]}
    merged = three_way_merge(last, new, live)
    assert merged["spec"]["clusterIP"] == "10.96.0.20"
    assert merged["spec"]["ports"] == [{"port": 80}]
    assert merged["status"] == {"loadBalancer": {}}
    assert merged["metadata"] == live["metadata"]


def test_containers_merge_by_name_keeping_defaults_and_containers_added_by_others() -> None:
    last = rc(template=template({"name": "kubia", "image": "luksa/kubia:v1"}))
    live = live_of(last)
    containers = live["spec"]["template"]["spec"]["containers"]
    containers[0]["imagePullPolicy"] = "IfNotPresent"
    containers.append({"name": "sidecar", "image": "busybox"})
    new = rc(template=template({"name": "kubia", "image": "luksa/kubia:v2"}))
    merged = three_way_merge(last, new, live)
    assert merged["spec"]["template"]["spec"]["containers"] == [
        {"name": "kubia", "image": "luksa/kubia:v2", "imagePullPolicy": "IfNotPresent"},
        {"name": "sidecar", "image": "busybox"},
    ]


def test_a_container_dropped_from_the_manifest_is_removed() -> None:
    last = rc(template=template({"name": "a", "image": "x"}, {"name": "b", "image": "y"}))
    new = rc(template=template({"name": "a", "image": "x"}))
    merged = three_way_merge(last, new, live_of(last))
    assert [c["name"] for c in merged["spec"]["template"]["spec"]["containers"]] == ["a"]


def test_container_ports_merge_by_container_port_and_env_by_name() -> None:
    container = {
        "name": "kubia",
        "image": "x",
        "ports": [{"containerPort": 8080}],
        "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
    }
    last = rc(template=template(container))
    live = live_of(last)
    live_container = live["spec"]["template"]["spec"]["containers"][0]
    live_container["ports"][0]["protocol"] = "TCP"
    changed = copy.deepcopy(container)
    changed["env"] = [{"name": "A", "value": "9"}]
    merged = three_way_merge(last, rc(template=template(changed)), live)
    result = merged["spec"]["template"]["spec"]["containers"][0]
    assert result["ports"] == [{"containerPort": 8080, "protocol": "TCP"}]
    assert result["env"] == [{"name": "A", "value": "9"}]


def test_service_ports_merge_by_port_keeping_the_allocated_node_port() -> None:
    def svc(*ports: dict[str, Any]) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "kubia"},
            "spec": {"type": "NodePort", "ports": list(ports)},
        }

    last = svc({"port": 80, "targetPort": 8080})
    live = copy.deepcopy(last)
    live["spec"]["ports"][0].update(nodePort=30123, protocol="TCP")
    merged = three_way_merge(last, svc({"port": 80, "targetPort": 9090}), live)
    assert merged["spec"]["ports"] == [
        {"port": 80, "targetPort": 9090, "nodePort": 30123, "protocol": "TCP"}
    ]


def test_lists_of_primitives_are_replaced() -> None:
    container = {"name": "kubia", "image": "x", "args": ["a", "b"]}
    last = rc(template=template(container))
    changed = {**container, "args": ["c"]}
    merged = three_way_merge(last, rc(template=template(changed)), live_of(last))
    assert merged["spec"]["template"]["spec"]["containers"][0]["args"] == ["c"]


def test_tolerations_are_replaced_whole() -> None:
    first = {"key": "a", "operator": "Exists"}
    last = rc(template={"spec": {"containers": [], "tolerations": [first]}})
    live = live_of(last)
    live["spec"]["template"]["spec"]["tolerations"].append({"key": "other", "operator": "Exists"})
    second = {"key": "b", "operator": "Exists"}
    new = rc(template={"spec": {"containers": [], "tolerations": [second]}})
    merged = three_way_merge(last, new, live)
    assert merged["spec"]["template"]["spec"]["tolerations"] == [second]


def test_an_explicit_null_clears_a_field() -> None:
    last = rc(replicas=3)
    live = live_of(last, minReadySeconds=10)
    merged = three_way_merge(last, rc(replicas=3, minReadySeconds=None), live)
    assert "minReadySeconds" not in merged["spec"]


def test_a_null_inside_a_new_map_is_left_out() -> None:
    last = rc(replicas=3)
    new = rc(replicas=3, template={"metadata": {"labels": {"app": "kubia"}, "annotations": None}})
    merged = three_way_merge(last, new, live_of(last))
    assert merged["spec"]["template"] == {"metadata": {"labels": {"app": "kubia"}}}


def test_maps_merge_key_by_key_and_drop_keys_the_manifest_dropped() -> None:
    def labelled(**labels: str) -> dict[str, Any]:
        obj = rc()
        obj["metadata"]["labels"] = labels
        return obj

    last = labelled(app="kubia", tier="web")
    live = live_of(last)
    live["metadata"]["labels"]["added-by"] = "someone"
    merged = three_way_merge(last, labelled(app="kubia", env="prod"), live)
    assert merged["metadata"]["labels"] == {"app": "kubia", "env": "prod", "added-by": "someone"}


def test_without_last_applied_nothing_is_deleted() -> None:
    live = live_of(rc(replicas=3, minReadySeconds=5))
    merged = three_way_merge(None, rc(replicas=4), live)
    assert merged["spec"] == {"replicas": 4, "minReadySeconds": 5}


def test_deployment_strategy_keeps_only_the_keys_the_manifest_names() -> None:
    def deploy(strategy: dict[str, Any]) -> dict[str, Any]:
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "kubia"},
            "spec": {"strategy": strategy},
        }

    last = deploy({})
    live = deploy({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}})
    merged = three_way_merge(last, deploy({"type": "Recreate"}), live)
    assert merged["spec"]["strategy"] == {"type": "Recreate"}


def test_merge_does_not_modify_its_inputs() -> None:
    last = rc(replicas=3)
    new = rc(replicas=5)
    live = live_of(last)
    snapshot = copy.deepcopy((last, new, live))
    three_way_merge(last, new, live)
    assert (last, new, live) == snapshot


def test_diff_names_changed_fields_and_list_items_by_merge_key() -> None:
    before = rc(replicas=3, template=template({"name": "kubia", "image": "v1"}))
    after = rc(replicas=5, template=template({"name": "kubia", "image": "v2"}, {"name": "s"}))
    changes = {(c.path, c.op) for c in diff(before, after)}
    assert changes == {
        ("spec.replicas", Op.CHANGED),
        ("spec.template.spec.containers[name=kubia].image", Op.CHANGED),
        ("spec.template.spec.containers[name=s]", Op.ADDED),
    }


def test_diff_of_equal_objects_is_empty_and_odd_keys_are_quoted() -> None:
    obj = rc(replicas=1)
    assert diff(obj, copy.deepcopy(obj)) == []
    changed = copy.deepcopy(obj)
    changed["metadata"]["annotations"] = {"example.com/x": "1"}
    (change,) = diff(obj, changed)
    assert change.path == "metadata.annotations"
    assert str(change) == 'metadata.annotations: added {"example.com/x":"1"}'
