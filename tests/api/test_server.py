"""The api core: defaulting, metadata, concurrency, deletion semantics and service allocation."""

from __future__ import annotations

import ipaddress
import random
from typing import Any

import pytest

from reconciler.api.metadata import NAME_ALPHABET, owner_reference
from reconciler.api.server import Api, Propagation
from reconciler.clock import VirtualClock, rfc3339
from reconciler.errors import AlreadyExists, Conflict, Invalid, NotFound
from reconciler.model.keys import ObjectKey
from reconciler.model.selectors import parse
from reconciler.store.memory import MemoryStore

START = 1_700_000_000.0


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def api(clock: VirtualClock) -> Api:
    api = Api(MemoryStore(), clock, rng=random.Random(7))
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    return api


def pod(name: str = "kubia", image: str = "luksa/kubia", **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, **meta},
        "spec": {
            "containers": [{"name": "main", "image": image, "ports": [{"containerPort": 8080}]}]
        },
    }


def rc(name: str = "kubia") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": name},
        "spec": {
            "replicas": 3,
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": "luksa/kubia"}]},
            },
        },
    }


def svc(name: str = "kubia", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {"selector": {"app": "kubia"}, "ports": [{"port": 80, "targetPort": 8080}]} | spec,
    }


def pod_key(name: str) -> ObjectKey:
    return ObjectKey("Pod", "default", name)


# -- defaulting -----------------------------------------------------------------------------------


def test_a_pod_gets_the_api_servers_defaults(api: Api) -> None:
    created = api.create(pod(image="luksa/kubia"))
    spec = created["spec"]
    assert spec["restartPolicy"] == "Always"
    assert spec["terminationGracePeriodSeconds"] == 30
    assert spec["dnsPolicy"] == "ClusterFirst"
    assert spec["schedulerName"] == "default-scheduler"
    container = spec["containers"][0]
    assert container["imagePullPolicy"] == "Always"
    assert container["terminationMessagePath"] == "/dev/termination-log"
    assert container["ports"] == [{"containerPort": 8080, "protocol": "TCP"}]
    assert created["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    assert created["metadata"]["namespace"] == "default"


@pytest.mark.parametrize(
    ("image", "policy"),
    [("luksa/kubia:latest", "Always"), ("luksa/kubia:v1", "IfNotPresent"), ("busybox", "Always")],
)
def test_image_pull_policy_defaults_by_tag(api: Api, image: str, policy: str) -> None:
    created = api.create(pod(image=image))
    assert created["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_a_replication_controller_takes_its_selector_and_labels_from_its_template(
    api: Api,
) -> None:
    manifest = rc()
    del manifest["spec"]["replicas"]
    created = api.create(manifest)
    assert created["spec"]["selector"] == {"app": "kubia"}
    assert created["metadata"]["labels"] == {"app": "kubia"}
    assert created["spec"]["replicas"] == 1
    assert created["status"] == {"replicas": 0}


def test_a_service_defaults_to_cluster_ip_with_target_port_equal_to_port(api: Api) -> None:
    manifest = svc()
    del manifest["spec"]["ports"][0]["targetPort"]
    spec = api.create(manifest)["spec"]
    assert spec["type"] == "ClusterIP"
    assert spec["sessionAffinity"] == "None"
    assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]


# -- names and metadata ---------------------------------------------------------------------------


def test_generate_name_appends_five_characters_of_the_kubernetes_alphabet(api: Api) -> None:
    manifest = pod()
    manifest["metadata"] = {"generateName": "kubia-"}
    name = api.create(manifest)["metadata"]["name"]
    assert name.startswith("kubia-")
    suffix = name.removeprefix("kubia-")
    assert len(suffix) == 5
    assert set(suffix) <= set(NAME_ALPHABET)


def test_a_generated_name_never_exceeds_63_characters(api: Api) -> None:
    manifest = pod()
    manifest["metadata"] = {"generateName": "x" * 70}
    name = api.create(manifest)["metadata"]["name"]
    assert len(name) == 63
    assert name.startswith("x" * 58)


def test_an_object_without_name_or_generate_name_is_invalid(api: Api) -> None:
    manifest = pod()
    manifest["metadata"] = {}
    with pytest.raises(Invalid, match="name or generateName is required"):
        api.create(manifest)


def test_the_server_owns_uid_timestamps_generation_and_resource_version(
    api: Api, clock: VirtualClock
) -> None:
    clock.advance(42)
    created = api.create(pod(uid="mine", resourceVersion="999"))
    meta = created["metadata"]
    assert meta["uid"] != "mine"
    assert len(meta["uid"]) == 36
    assert meta["creationTimestamp"] == rfc3339(START + 42)
    assert meta["generation"] == 1
    assert meta["resourceVersion"] == str(api.store.revision())


def test_generation_grows_on_spec_changes_only_and_status_survives_updates(api: Api) -> None:
    created = api.create(rc())
    created["status"] = {"replicas": 3, "readyReplicas": 3}
    api.update_status(created)
    labelled = api.get(ObjectKey.of(created))
    labelled["metadata"]["labels"]["tier"] = "web"
    after_labels = api.update(labelled)
    assert after_labels["metadata"]["generation"] == 1
    after_labels["spec"]["replicas"] = 5
    after_labels["status"] = {"replicas": 99}
    scaled = api.update(after_labels)
    assert scaled["metadata"]["generation"] == 2
    assert scaled["status"] == {"replicas": 3, "readyReplicas": 3}
    assert scaled["metadata"]["uid"] == created["metadata"]["uid"]


def test_creating_an_existing_object_says_it_already_exists(api: Api) -> None:
    api.create(pod())
    with pytest.raises(AlreadyExists, match='pods "kubia" already exists'):
        api.create(pod())


def test_a_missing_object_is_not_found_in_kubectls_words(api: Api) -> None:
    with pytest.raises(NotFound) as raised:
        api.get(pod_key("nope"))
    assert str(raised.value) == 'Error from server (NotFound): pods "nope" not found'


def test_a_missing_namespace_is_not_found(api: Api) -> None:
    with pytest.raises(NotFound) as raised:
        api.create(pod(namespace="x"))
    assert str(raised.value) == 'Error from server (NotFound): namespaces "x" not found'


def test_a_dry_run_create_stores_nothing(api: Api) -> None:
    revision = api.store.revision()
    created = api.create(svc(), dry_run=True)
    assert created["spec"]["clusterIP"]
    assert api.store.revision() == revision
    assert api.find(ObjectKey("Service", "default", "kubia")) is None


# -- optimistic concurrency -----------------------------------------------------------------------


def test_an_update_based_on_a_stale_version_conflicts(api: Api) -> None:
    first = api.create(rc())
    second = api.get(ObjectKey.of(first))
    first["spec"]["replicas"] = 4
    api.update(first)
    second["spec"]["replicas"] = 5
    with pytest.raises(Conflict):
        api.update(second)


def test_a_status_update_based_on_a_stale_version_conflicts(api: Api) -> None:
    created = api.create(rc())
    api.update_status({**created, "status": {"replicas": 1}})
    with pytest.raises(Conflict):
        api.update_status({**created, "status": {"replicas": 2}})


# -- deletion -------------------------------------------------------------------------------------


def test_binding_sets_the_node_and_scheduled_condition_in_one_write_keeping_generation(
    api: Api, clock: VirtualClock
) -> None:
    created = api.create(pod())
    bound = api.bind(ObjectKey.of(created), "node-1", uid=created["metadata"]["uid"])
    assert bound["spec"]["nodeName"] == "node-1"
    assert bound["status"]["conditions"] == [
        {
            "type": "PodScheduled",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": rfc3339(START),
        }
    ]
    assert bound["metadata"]["generation"] == created["metadata"]["generation"]
    assert (
        int(bound["metadata"]["resourceVersion"]) == int(created["metadata"]["resourceVersion"]) + 1
    )
    assert api.get(ObjectKey.of(created)) == bound


def test_binding_a_bound_replaced_or_terminating_pod_conflicts(api: Api) -> None:
    created = api.create(pod())
    key = ObjectKey.of(created)
    with pytest.raises(Conflict, match='pods/binding "kubia": Precondition failed: UID'):
        api.bind(key, "node-1", uid="another")
    api.bind(key, "node-1")
    with pytest.raises(Conflict, match='already assigned to node "node-1"'):
        api.bind(key, "node-2")
    api.delete(key)
    with pytest.raises(Conflict, match="pod kubia is being deleted, cannot be assigned"):
        api.bind(key, "node-2")
    with pytest.raises(NotFound):
        api.bind(ObjectKey("Pod", "default", "missing"), "node-1")


def test_deleting_an_unscheduled_pod_removes_it_at_once(api: Api) -> None:
    api.create(pod())
    api.delete(pod_key("kubia"))
    assert api.find(pod_key("kubia")) is None


def test_deleting_a_pod_on_a_node_only_marks_it_terminating(api: Api, clock: VirtualClock) -> None:
    created = api.create(pod())
    created["spec"]["nodeName"] = "node-1"
    api.update(created)
    api.delete(pod_key("kubia"))
    marked = api.get(pod_key("kubia"))
    assert marked["metadata"]["deletionTimestamp"] == rfc3339(START + 30)
    assert marked["metadata"]["deletionGracePeriodSeconds"] == 30
    api.delete(pod_key("kubia"), grace_period=0)
    assert api.find(pod_key("kubia")) is None


def _owned_pods(api: Api, owner: dict[str, Any], count: int) -> None:
    for i in range(count):
        child = pod(f"kubia-{i}", labels={"app": "kubia"})
        child["metadata"]["ownerReferences"] = [owner_reference(owner)]
        api.create(child)


def test_deleting_an_owner_cascades_to_its_pods(api: Api) -> None:
    owner = api.create(rc())
    _owned_pods(api, owner, 3)
    api.create(pod("bystander", labels={"app": "kubia"}))
    api.delete(ObjectKey.of(owner))
    assert [p["metadata"]["name"] for p in api.list("Pod", "default")] == ["bystander"]


def test_deleting_an_owner_with_orphan_propagation_keeps_its_pods_unowned(api: Api) -> None:
    owner = api.create(rc())
    _owned_pods(api, owner, 2)
    api.delete(ObjectKey.of(owner), propagation=Propagation.ORPHAN)
    pods = api.list("Pod", "default", parse("app=kubia"))
    assert len(pods) == 2
    assert all("ownerReferences" not in p["metadata"] for p in pods)


def test_deleting_a_namespace_deletes_what_is_in_it(api: Api) -> None:
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    api.create(pod(namespace="team"))
    api.delete(ObjectKey("Namespace", "", "team"))
    assert api.list("Pod", "team") == []


# -- services -------------------------------------------------------------------------------------


def test_a_service_gets_a_cluster_ip_from_the_service_range_for_its_whole_life(api: Api) -> None:
    created = api.create(svc())
    ip = created["spec"]["clusterIP"]
    assert ipaddress.IPv4Address(ip) in ipaddress.IPv4Network("10.96.0.0/12")
    assert created["spec"]["clusterIPs"] == [ip]
    created["spec"]["clusterIP"] = ""
    created["spec"]["sessionAffinity"] = "ClientIP"
    assert api.update(created)["spec"]["clusterIP"] == ip


def test_a_cluster_ip_cannot_change_once_set(api: Api) -> None:
    created = api.create(svc())
    created["spec"]["clusterIP"] = "10.96.0.99"
    with pytest.raises(Invalid, match="may not change once set"):
        api.update(created)


def test_node_port_services_get_a_port_in_the_node_port_range(api: Api) -> None:
    for kind in ("NodePort", "LoadBalancer"):
        created = api.create(svc(f"svc-{kind.lower()}", type=kind))
        assert 30000 <= created["spec"]["ports"][0]["nodePort"] <= 32767


def test_a_load_balancer_that_allocates_no_node_ports_gets_only_those_asked_for(api: Api) -> None:
    plain = svc("plain", type="LoadBalancer")
    plain["spec"]["allocateLoadBalancerNodePorts"] = False
    assert "nodePort" not in api.create(plain)["spec"]["ports"][0]
    asked = svc("asked", type="LoadBalancer")
    asked["spec"]["allocateLoadBalancerNodePorts"] = False
    asked["spec"]["ports"][0]["nodePort"] = 30124
    assert api.create(asked)["spec"]["ports"][0]["nodePort"] == 30124


def test_turning_node_port_allocation_off_keeps_the_ports_held(api: Api) -> None:
    created = api.create(svc("lb", type="LoadBalancer"))
    port = created["spec"]["ports"][0]["nodePort"]
    created["spec"]["allocateLoadBalancerNodePorts"] = False
    del created["spec"]["ports"][0]["nodePort"]
    assert api.update(created)["spec"]["ports"][0]["nodePort"] == port


def test_a_node_port_taken_by_another_service_is_refused(api: Api) -> None:
    first = svc("first", type="NodePort")
    first["spec"]["ports"][0]["nodePort"] = 30123
    api.create(first)
    second = svc("second", type="NodePort")
    second["spec"]["ports"][0]["nodePort"] = 30123
    with pytest.raises(Invalid, match="provided nodePort is already allocated"):
        api.create(second)


def test_a_deleted_services_node_port_can_be_taken_again(api: Api) -> None:
    first = svc("first", type="NodePort")
    first["spec"]["ports"][0]["nodePort"] = 30123
    api.create(first)
    api.delete(ObjectKey("Service", "default", "first"))
    second = svc("second", type="NodePort")
    second["spec"]["ports"][0]["nodePort"] = 30123
    assert api.create(second)["spec"]["ports"][0]["nodePort"] == 30123


def test_a_node_port_out_of_range_is_refused(api: Api) -> None:
    manifest = svc(type="NodePort")
    manifest["spec"]["ports"][0]["nodePort"] = 8080
    with pytest.raises(Invalid, match="not in the valid range"):
        api.create(manifest)
