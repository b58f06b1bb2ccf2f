"""The story of "Kubernetes in Action" chapters 2-5, through the api on a virtual clock: a kubia
ReplicationController with 3 replicas and a LoadBalancer service give 3 Running pods on different
nodes with distinct IPs; requests to the service reach more than one pod; a deleted pod is
replaced; scaling to 5 gives 5; a failing node's pod is replaced elsewhere."""

from __future__ import annotations

from reconciler.api.server import Api
from reconciler.clock import VirtualClock
from reconciler.cluster.network import request
from reconciler.cluster.node_failure import start_node, stop_node
from reconciler.model.keys import Obj, ObjectKey
from reconciler.runtime.session import open_cluster
from reconciler.store.memory import MemoryStore
from tests import kubia

RC = kubia.rc()
SERVICE = kubia.service()


def live_pods(api: Api) -> list[Obj]:
    return [
        p
        for p in api.list("Pod", "default")
        if not p["metadata"].get("deletionTimestamp")
        and (p.get("status") or {}).get("phase") == "Running"
    ]


def test_the_kubia_story() -> None:
    clock = VirtualClock()
    with open_cluster(MemoryStore(), clock=clock, seed=42) as cluster:
        api = cluster.api
        api.create(RC)
        api.create(SERVICE)
        cluster.advance()
        assert all(p["status"]["phase"] == "Pending" for p in api.list("Pod", "default"))

        clock.advance(10)
        cluster.advance()
        pods = live_pods(api)
        assert len(pods) == 3
        assert len({p["spec"]["nodeName"] for p in pods}) == 3
        assert len({p["status"]["podIP"] for p in pods}) == 3

        service = api.get(ObjectKey("Service", "default", "kubia-http"))
        external_ip = service["status"]["loadBalancer"]["ingress"][0]["ip"]
        replies = request(api, external_ip, count=20)
        names = {p["metadata"]["name"] for p in pods}
        assert {r.body for r in replies} <= {f"You've hit {name}\n" for name in names}
        assert len({r.pod for r in replies}) > 1

        victim = pods[0]["metadata"]["name"]
        api.delete(ObjectKey("Pod", "default", victim))
        clock.advance(35)
        cluster.advance()
        pods = live_pods(api)
        assert len(pods) == 3
        assert victim not in {p["metadata"]["name"] for p in pods}

        rc = api.get(ObjectKey("ReplicationController", "default", "kubia"))
        rc["spec"]["replicas"] = 5
        api.update(rc)
        clock.advance(10)
        cluster.advance()
        assert len(live_pods(api)) == 5
        endpoints = api.get(ObjectKey("Endpoints", "default", "kubia-http"))
        assert len(endpoints["subsets"][0]["addresses"]) == 5

        stop_node(api, "node-2")
        clock.advance(400)
        cluster.advance()
        pods = live_pods(api)
        assert len(pods) == 5
        assert all(p["spec"]["nodeName"] != "node-2" for p in pods)
        start_node(api, "node-2")
        clock.advance(60)
        cluster.advance()
        assert len(api.list("Pod", "default")) == 5
