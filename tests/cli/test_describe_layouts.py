"""`kubectl describe` layouts, byte for byte, from objects built by hand (fixed now, UTC)."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.cli.printers.describe.cluster import describe_namespace
from reconciler.cli.printers.describe.network import describe_endpoints, describe_service
from reconciler.cli.printers.describe.pods import describe_pod
from reconciler.cli.printers.describe.workloads import describe_replication
from reconciler.clock import rfc3339

NOW = 1_700_000_000.0
STARTED = rfc3339(NOW - 200)


@pytest.fixture(autouse=True)
def in_utc(utc: None) -> None:
    """Times print in the local zone, as kubectl prints them; pinned to UTC here."""


def event(reason: str, message: str, *, ago: float, count: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "Event",
        "metadata": {"name": f"e.{reason}", "namespace": "default", "resourceVersion": str(ago)},
        "type": extra.pop("type", "Normal"),
        "reason": reason,
        "message": message,
        "firstTimestamp": rfc3339(NOW - ago - extra.pop("span", 0)),
        "lastTimestamp": rfc3339(NOW - ago),
        "count": count,
        "source": {"component": extra.pop("component", "kubelet")},
    }


POD = {
    "kind": "Pod",
    "metadata": {
        "name": "kubia-4jfyf",
        "namespace": "default",
        "labels": {"app": "kubia"},
        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
        "ownerReferences": [
            {"kind": "ReplicationController", "name": "kubia", "controller": True, "uid": "u"}
        ],
    },
    "spec": {
        "nodeName": "node-1",
        "priority": 0,
        "serviceAccountName": "default",
        "containers": [
            {
                "name": "kubia",
                "image": "luksa/kubia",
                "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                "readinessProbe": {"httpGet": {"path": "/", "port": 8080, "scheme": "HTTP"}},
            }
        ],
        "tolerations": [
            {
                "key": "node.kubernetes.io/unreachable",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            },
            {
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            },
        ],
    },
    "status": {
        "phase": "Running",
        "hostIP": "172.18.0.2",
        "podIP": "10.244.0.5",
        "podIPs": [{"ip": "10.244.0.5"}],
        "startTime": STARTED,
        "qosClass": "BestEffort",
        "conditions": [
            {"type": "Initialized", "status": "True"},
            {"type": "Ready", "status": "True"},
            {"type": "ContainersReady", "status": "True"},
            {"type": "PodScheduled", "status": "True"},
        ],
        "containerStatuses": [
            {
                "name": "kubia",
                "ready": True,
                "restartCount": 0,
                "image": "luksa/kubia:latest",
                "imageID": "docker.io/luksa/kubia@sha256:abc",
                "containerID": "containerd://0123",
                "state": {"running": {"startedAt": STARTED}},
            }
        ],
    },
}


def test_describe_pod_prints_kubectls_layout() -> None:
    events = [
        event("Pulled", 'Container image "luksa/kubia" already present on machine', ago=190),
        event(
            "Scheduled",
            "Successfully assigned default/kubia-4jfyf to node-1",
            ago=200,
            component="default-scheduler",
        ),
        event(
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 500",
            ago=30,
            count=3,
            span=60,
            type="Warning",
        ),
    ]
    assert describe_pod(POD, events, now=NOW) == (
        "Name:             kubia-4jfyf\n"
        "Namespace:        default\n"
        "Priority:         0\n"
        "Service Account:  default\n"
        "Node:             node-1/172.18.0.2\n"
        "Start Time:       Tue, 14 Nov 2023 22:10:00 +0000\n"
        "Labels:           app=kubia\n"
        "Annotations:      <none>\n"
        "Status:           Running\n"
        "IP:               10.244.0.5\n"
        "IPs:\n"
        "  IP:           10.244.0.5\n"
        "Controlled By:  ReplicationController/kubia\n"
        "Containers:\n"
        "  kubia:\n"
        "    Container ID:   containerd://0123\n"
        "    Image:          luksa/kubia\n"
        "    Image ID:       docker.io/luksa/kubia@sha256:abc\n"
        "    Port:           8080/TCP\n"
        "    Host Port:      0/TCP\n"
        "    State:          Running\n"
        "      Started:      Tue, 14 Nov 2023 22:10:00 +0000\n"
        "    Ready:          True\n"
        "    Restart Count:  0\n"
        "    Readiness:      http-get http://:8080/ delay=0s timeout=1s period=10s #success=1 "
        "#failure=3\n"
        "    Environment:    <none>\n"
        "    Mounts:         <none>\n"
        "Conditions:\n"
        "  Type              Status\n"
        "  Initialized       True \n"
        "  Ready             True \n"
        "  ContainersReady   True \n"
        "  PodScheduled      True \n"
        "Volumes:            <none>\n"
        "QoS Class:          BestEffort\n"
        "Node-Selectors:     <none>\n"
        "Tolerations:        node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n"
        "                    node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n"
        "Events:\n"
        "  Type     Reason     Age                From               Message\n"
        "  ----     ------     ----               ----               -------\n"
        "  Normal   Scheduled  3m20s              default-scheduler  Successfully assigned "
        "default/kubia-4jfyf to node-1\n"
        "  Normal   Pulled     3m10s              kubelet            Container image "
        '"luksa/kubia" already present on machine\n'
        "  Warning  Unhealthy  30s (x3 over 90s)  kubelet            Readiness probe failed: "
        "HTTP probe failed with statuscode: 500\n"
    )


def test_a_pod_being_deleted_says_terminating_and_its_grace_period() -> None:
    deleting = {
        **POD,
        "metadata": {
            **POD["metadata"],
            "deletionTimestamp": rfc3339(NOW - 5),
            "deletionGracePeriodSeconds": 30,
        },
    }
    lines = describe_pod(deleting, [], now=NOW).splitlines()
    assert "Status:                    Terminating (lasts 5s)" in lines
    assert "Termination Grace Period:  30s" in lines
    assert lines[-1] == "Events:             <none>"


def rc() -> dict[str, Any]:
    return {
        "kind": "ReplicationController",
        "metadata": {
            "name": "kubia",
            "namespace": "default",
            "uid": "u",
            "labels": {"app": "kubia"},
        },
        "spec": {
            "replicas": 3,
            "selector": {"app": "kubia"},
            "template": {
                "metadata": {"labels": {"app": "kubia"}},
                "spec": {
                    "containers": [
                        {
                            "name": "kubia",
                            "image": "luksa/kubia",
                            "ports": [{"containerPort": 8080}],
                        }
                    ]
                },
            },
        },
        "status": {"replicas": 3},
    }


def test_describe_replication_controller_counts_the_pods_it_owns() -> None:
    owned = {**POD}
    stray = {**POD, "metadata": {**POD["metadata"], "ownerReferences": []}}
    pending = {**POD, "status": {"phase": "Pending"}}
    events = [
        event(
            "SuccessfulCreate",
            "Created pod: kubia-4jfyf",
            ago=200,
            component="replication-controller",
        )
    ]
    assert describe_replication(rc(), [owned, stray, pending], events=events, now=NOW) == (
        "Name:         kubia\n"
        "Namespace:    default\n"
        "Selector:     app=kubia\n"
        "Labels:       app=kubia\n"
        "Annotations:  <none>\n"
        "Replicas:     3 current / 3 desired\n"
        "Pods Status:  1 Running / 1 Waiting / 0 Succeeded / 0 Failed\n"
        "Pod Template:\n"
        "  Labels:  app=kubia\n"
        "  Containers:\n"
        "   kubia:\n"
        "    Image:         luksa/kubia\n"
        "    Port:          8080/TCP\n"
        "    Host Port:     0/TCP\n"
        "    Environment:   <none>\n"
        "    Mounts:        <none>\n"
        "  Volumes:         <none>\n"
        "  Node-Selectors:  <none>\n"
        "  Tolerations:     <none>\n"
        "Events:\n"
        "  Type    Reason            Age    From                    Message\n"
        "  ----    ------            ----   ----                    -------\n"
        "  Normal  SuccessfulCreate  3m20s  replication-controller  Created pod: kubia-4jfyf\n"
    )


def test_describe_service_lists_ports_node_ports_and_endpoints() -> None:
    service = {
        "kind": "Service",
        "metadata": {"name": "kubia-http", "namespace": "default"},
        "spec": {
            "type": "LoadBalancer",
            "selector": {"app": "kubia"},
            "clusterIP": "10.96.12.7",
            "clusterIPs": ["10.96.12.7"],
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "ports": [{"port": 80, "targetPort": 8080, "nodePort": 30123, "protocol": "TCP"}],
            "sessionAffinity": "None",
            "externalTrafficPolicy": "Cluster",
        },
        "status": {"loadBalancer": {"ingress": [{"ip": "172.18.255.200"}]}},
    }
    endpoints = {
        "kind": "Endpoints",
        "metadata": {"name": "kubia-http", "namespace": "default"},
        "subsets": [
            {
                "addresses": [{"ip": "10.244.0.5"}, {"ip": "10.244.1.3"}],
                "ports": [{"port": 8080, "protocol": "TCP"}],
            }
        ],
    }
    assert describe_service(service, endpoints, events=[], now=NOW) == (
        "Name:                     kubia-http\n"
        "Namespace:                default\n"
        "Labels:                   <none>\n"
        "Annotations:              <none>\n"
        "Selector:                 app=kubia\n"
        "Type:                     LoadBalancer\n"
        "IP Family Policy:         SingleStack\n"
        "IP Families:              IPv4\n"
        "IP:                       10.96.12.7\n"
        "IPs:                      10.96.12.7\n"
        "LoadBalancer Ingress:     172.18.255.200\n"
        "Port:                     <unset>  80/TCP\n"
        "TargetPort:               8080/TCP\n"
        "NodePort:                 <unset>  30123/TCP\n"
        "Endpoints:                10.244.0.5:8080,10.244.1.3:8080\n"
        "Session Affinity:         None\n"
        "External Traffic Policy:  Cluster\n"
        "Events:                   <none>\n"
    )
    assert describe_endpoints(endpoints, [], now=NOW) == (
        "Name:         kubia-http\n"
        "Namespace:    default\n"
        "Labels:       <none>\n"
        "Annotations:  <none>\n"
        "Subsets:\n"
        "  Addresses:          10.244.0.5,10.244.1.3\n"
        "  NotReadyAddresses:  <none>\n"
        "  Ports:\n"
        "    Name     Port  Protocol\n"
        "    ----     ----  --------\n"
        "    <unset>  8080  TCP\n"
        "\n"
        "Events:  <none>\n"
    )


def test_describe_namespace_has_no_quota_and_no_limit_range() -> None:
    namespace = {
        "kind": "Namespace",
        "metadata": {"name": "default", "labels": {"kubernetes.io/metadata.name": "default"}},
        "status": {"phase": "Active"},
    }
    assert describe_namespace(namespace) == (
        "Name:         default\n"
        "Labels:       kubernetes.io/metadata.name=default\n"
        "Annotations:  <none>\n"
        "Status:       Active\n"
        "\n"
        "No resource quota.\n"
        "\n"
        "No LimitRange resource.\n"
    )
