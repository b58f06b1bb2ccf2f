"""`kubectl get` tables, byte for byte, from objects built by hand (no cluster, a fixed now)."""

from __future__ import annotations

from typing import Any

from reconciler.cli.printers.table import TableOptions, TableWriter, render
from reconciler.clock import rfc3339
from reconciler.model.kinds import BY_KIND

NOW = 1_700_000_000.0
AGO = rfc3339(NOW - 200)


def meta(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": "default", "creationTimestamp": AGO, **extra}


def kubia_pod(name: str, ip: str, node: str) -> dict[str, Any]:
    return {
        "kind": "Pod",
        "metadata": meta(name, labels={"app": "kubia"}),
        "spec": {"containers": [{"name": "kubia"}], "nodeName": node},
        "status": {
            "phase": "Running",
            "podIPs": [{"ip": ip}],
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {"name": "kubia", "ready": True, "restartCount": 0, "state": {"running": {}}}
            ],
        },
    }


def table(kind: str, objs: list[dict[str, Any]], **options: Any) -> str:
    return render(BY_KIND[kind], objs, now=NOW, options=TableOptions(**options))


def test_pods_wide_show_ip_node_and_none_for_nominated_node_and_gates() -> None:
    pods = [
        kubia_pod("kubia-4jfyf", "10.244.1.5", "node-1"),
        kubia_pod("kubia-x7tq2", "10.244.2.3", "node-2"),
    ]
    assert table("Pod", pods, wide=True) == (
        "NAME          READY   STATUS    RESTARTS   AGE     IP           NODE     "
        "NOMINATED NODE   READINESS GATES\n"
        "kubia-4jfyf   1/1     Running   0          3m20s   10.244.1.5   node-1   "
        "<none>           <none>\n"
        "kubia-x7tq2   1/1     Running   0          3m20s   10.244.2.3   node-2   "
        "<none>           <none>\n"
    )


def test_a_pod_without_ip_or_node_shows_none_in_wide_output() -> None:
    pending = {
        "kind": "Pod",
        "metadata": meta("kubia-zzzzz"),
        "spec": {"containers": [{"name": "kubia"}]},
        "status": {"phase": "Pending"},
    }
    assert table("Pod", [pending], wide=True).splitlines()[1].split() == [
        "kubia-zzzzz",
        "0/1",
        "Pending",
        "0",
        "3m20s",
        "<none>",
        "<none>",
        "<none>",
        "<none>",
    ]


def rc(name: str = "kubia", *, kind: str = "ReplicationController") -> dict[str, Any]:
    selector: Any = {"app": "kubia"}
    if kind != "ReplicationController":
        selector = {
            "matchLabels": {"app": "kubia"},
            "matchExpressions": [{"key": "env", "operator": "In", "values": ["b", "a"]}],
        }
    return {
        "kind": kind,
        "metadata": meta(name),
        "spec": {
            "replicas": 3,
            "selector": selector,
            "template": {
                "spec": {
                    "containers": [
                        {"name": "kubia", "image": "luksa/kubia"},
                        {"name": "side", "image": "busybox"},
                    ]
                }
            },
        },
        "status": {"replicas": 3, "readyReplicas": 2, "availableReplicas": 2, "updatedReplicas": 3},
    }


def test_replication_controllers_show_desired_current_ready_and_wide_containers() -> None:
    assert table("ReplicationController", [rc()], wide=True) == (
        "NAME    DESIRED   CURRENT   READY   AGE     CONTAINERS   IMAGES                SELECTOR\n"
        "kubia   3         3         2       3m20s   kubia,side   luksa/kubia,busybox   app=kubia\n"
    )


def test_replica_sets_print_their_label_selector_as_kubectl_does() -> None:
    line = table("ReplicaSet", [rc(kind="ReplicaSet")], wide=True).splitlines()[1]
    assert line.endswith("app=kubia,env in (a,b)")


def test_deployments_show_ready_over_desired() -> None:
    assert table("Deployment", [rc(kind="Deployment")]) == (
        "NAME    READY   UP-TO-DATE   AVAILABLE   AGE\n"
        "kubia   2/3     3            2           3m20s\n"
    )


def service(name: str, kind: str, **spec: Any) -> dict[str, Any]:
    status = spec.pop("status", {"loadBalancer": {}})
    return {
        "kind": "Service",
        "metadata": meta(name),
        "spec": {"type": kind, "clusterIP": "10.96.12.7", "clusterIPs": ["10.96.12.7"], **spec},
        "status": status,
    }


def test_services_show_type_ips_and_ports_as_kubectl() -> None:
    services = [
        service(
            "kubia", "ClusterIP", ports=[{"port": 80, "protocol": "TCP"}], selector={"app": "kubia"}
        ),
        service(
            "kubia-http", "LoadBalancer", ports=[{"port": 80, "nodePort": 30123, "protocol": "TCP"}]
        ),
        service(
            "kubia-nodeport",
            "NodePort",
            ports=[
                {"port": 80, "nodePort": 30080, "protocol": "TCP"},
                {"port": 443, "nodePort": 30443, "protocol": "TCP"},
            ],
        ),
    ]
    assert table("Service", services, wide=True) == (
        "NAME             TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)                      "
        "AGE     SELECTOR\n"
        "kubia            ClusterIP      10.96.12.7   <none>        80/TCP                       "
        "3m20s   app=kubia\n"
        "kubia-http       LoadBalancer   10.96.12.7   <pending>     80:30123/TCP                 "
        "3m20s   <none>\n"
        "kubia-nodeport   NodePort       10.96.12.7   <none>        80:30080/TCP,443:30443/TCP   "
        "3m20s   <none>\n"
    )


def test_a_long_load_balancer_address_is_cut_unless_wide() -> None:
    ingress = {"loadBalancer": {"ingress": [{"hostname": "a-very-long-name.elb.example.com"}]}}
    svc = service("web", "LoadBalancer", ports=[], status=ingress)
    assert table("Service", [svc]).splitlines()[1].split()[3] == "a-very-long-n..."
    assert "a-very-long-name.elb.example.com" in table("Service", [svc], wide=True)


def test_endpoints_show_three_addresses_then_how_many_more() -> None:
    endpoints = {
        "kind": "Endpoints",
        "metadata": meta("kubia"),
        "subsets": [
            {
                "addresses": [{"ip": f"10.244.{i}.5"} for i in range(4)],
                "ports": [{"port": 8080, "protocol": "TCP"}],
            }
        ],
    }
    empty = {"kind": "Endpoints", "metadata": meta("none")}
    assert table("Endpoints", [endpoints, empty]) == (
        "NAME    ENDPOINTS                                                     AGE\n"
        "kubia   10.244.0.5:8080,10.244.1.5:8080,10.244.2.5:8080 + 1 more...   3m20s\n"
        "none    <none>                                                        3m20s\n"
    )


def node(name: str, ready: str, **spec: Any) -> dict[str, Any]:
    labels = {"kubernetes.io/hostname": name}
    if name == "control":
        labels["node-role.kubernetes.io/control-plane"] = ""
    return {
        "kind": "Node",
        "metadata": {"name": name, "creationTimestamp": AGO, "labels": labels},
        "spec": spec,
        "status": {
            "conditions": [{"type": "Ready", "status": ready}],
            "nodeInfo": {"kubeletVersion": "v1.31.0"},
        },
    }


def test_nodes_show_ready_not_ready_cordoned_and_roles() -> None:
    nodes = [node("control", "True"), node("node-1", "Unknown", unschedulable=True)]
    assert table("Node", nodes) == (
        "NAME      STATUS                        ROLES           AGE     VERSION\n"
        "control   Ready                         control-plane   3m20s   v1.31.0\n"
        "node-1    NotReady,SchedulingDisabled   <none>          3m20s   v1.31.0\n"
    )


def test_events_show_last_seen_type_reason_object_and_message() -> None:
    event = {
        "kind": "Event",
        "metadata": {"name": "kubia-4jfyf.1", "namespace": "default"},
        "involvedObject": {"kind": "Pod", "name": "kubia-4jfyf"},
        "reason": "Pulled",
        "type": "Normal",
        "message": 'Container image "luksa/kubia" already present on machine',
        "firstTimestamp": rfc3339(NOW - 300),
        "lastTimestamp": AGO,
        "count": 2,
        "source": {"component": "kubelet", "host": "node-1"},
    }
    assert table("Event", [event]) == (
        "LAST SEEN   TYPE     REASON   OBJECT            MESSAGE\n"
        '3m20s       Normal   Pulled   pod/kubia-4jfyf   Container image "luksa/kubia" already '
        "present on machine\n"
    )
    assert table("Event", [event], wide=True) == (
        "LAST SEEN   TYPE     REASON   OBJECT            SUBOBJECT   SOURCE            MESSAGE"
        "                                                    FIRST SEEN   COUNT   NAME\n"
        "3m20s       Normal   Pulled   pod/kubia-4jfyf               kubelet, node-1   Container "
        'image "luksa/kubia" already present on machine   5m           2       kubia-4jfyf.1\n'
    )


def test_all_namespaces_adds_namespace_first_and_show_labels_adds_labels_last() -> None:
    pods = [kubia_pod("kubia-4jfyf", "10.244.1.5", "node-1")]
    assert table("Pod", pods, all_namespaces=True, show_labels=True) == (
        "NAMESPACE   NAME          READY   STATUS    RESTARTS   AGE     LABELS\n"
        "default     kubia-4jfyf   1/1     Running   0          3m20s   app=kubia\n"
    )


def test_namespaces_have_no_namespace_column_even_with_all_namespaces() -> None:
    ns = {
        "kind": "Namespace",
        "metadata": {"name": "default", "creationTimestamp": AGO},
        "status": {"phase": "Active"},
    }
    assert table("Namespace", [ns], all_namespaces=True) == (
        "NAME      STATUS   AGE\ndefault   Active   3m20s\n"
    )


def test_several_kinds_print_one_table_each_with_kind_prefixed_names() -> None:
    writer = TableWriter(TableOptions(with_kind=True))
    text = writer.rows(BY_KIND["Pod"], [kubia_pod("kubia-4jfyf", "10.244.1.5", "node-1")], now=NOW)
    text += writer.rows(BY_KIND["ReplicationController"], [rc()], now=NOW)
    assert text == (
        "NAME              READY   STATUS    RESTARTS   AGE\n"
        "pod/kubia-4jfyf   1/1     Running   0          3m20s\n"
        "\n"
        "NAME                          DESIRED   CURRENT   READY   AGE\n"
        "replicationcontroller/kubia   3         3         2       3m20s\n"
    )
