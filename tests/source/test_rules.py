"""The rules a schema cannot state, with Kubernetes' own messages: names, labels, selectors
against template labels, restart policies, removed API versions, kinds, service ports and the
pod spec rules."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from reconciler.source.names import is_dns1123_label, is_port_name, is_qualified_name
from reconciler.source.validate import validate_object
from tests import kubia

RC = kubia.rc(ports=False)
DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "kubia"},
    "spec": {
        "selector": {"matchLabels": {"app": "kubia"}},
        "template": copy.deepcopy(RC["spec"]["template"]),
    },
}
SERVICE: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "kubia"},
    "spec": {"selector": {"app": "kubia"}, "ports": [{"port": 80, "targetPort": 8080}]},
}


def messages(obj: dict[str, Any]) -> list[str]:
    return [d.message for d in validate_object(obj)]


def changed(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `base` with the dotted `path` set (None deletes it)."""
    obj = copy.deepcopy(base)
    *parents, last = path.split(".")
    target: Any = obj
    for step in parents:
        target = target[int(step)] if isinstance(target, list) else target[step]
    if value is None:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return obj


def test_the_base_objects_are_valid() -> None:
    assert messages(RC) == messages(DEPLOYMENT) == messages(SERVICE) == []


def test_an_rc_name_must_be_a_dns1123_subdomain() -> None:
    assert messages(changed(RC, "metadata.name", "Kubia_1")) == [
        'metadata.name: Invalid value: "Kubia_1": a lowercase RFC 1123 subdomain must consist of '
        "lower case alphanumeric characters, '-' or '.', and must start and end with an "
        "alphanumeric character (e.g. 'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    ]
    assert messages(changed(RC, "metadata.name", "kubia.v2")) == []


def test_a_service_name_must_be_a_dns1035_label() -> None:
    assert messages(changed(SERVICE, "metadata.name", "1kubia")) == [
        'metadata.name: Invalid value: "1kubia": a DNS-1035 label must consist of lower case '
        "alphanumeric characters or '-', start with an alphabetic character, and end with an "
        "alphanumeric character (e.g. 'my-name' or 'abc-123', regex used for validation is "
        "'[a-z]([-a-z0-9]*[a-z0-9])?')"
    ]


def test_a_namespace_name_must_be_a_dns1123_label() -> None:
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team.a"}}
    assert messages(namespace) == ['metadata.name: Invalid value: "team.a": must not contain dots']


def test_a_name_or_generate_name_is_required() -> None:
    assert messages(changed(RC, "metadata", {})) == [
        "metadata.name: Required value: name or generateName is required"
    ]
    assert messages(changed(RC, "metadata", {"generateName": "kubia-"})) == []


def test_a_long_name_is_refused() -> None:
    assert (
        "must be no more than 63 characters"
        in messages(changed(SERVICE, "metadata.name", "a" * 64))[0]
    )


def test_an_objects_namespace_must_be_a_dns1123_label() -> None:
    assert messages(changed(RC, "metadata.namespace", "Prod")) == [
        'metadata.namespace: Invalid value: "Prod": a lowercase RFC 1123 label must consist of '
        "lower case alphanumeric characters or '-', and must start and end with an alphanumeric "
        "character (e.g. 'my-name' or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    ]


def test_label_keys_and_values_follow_kubernetes_syntax() -> None:
    labels = {"app": "kubia", "bad key": "x", "tier": "-web", "a/b/c": "x"}
    found = messages(changed(RC, "metadata.labels", labels))
    assert len(found) == 3
    assert found[0].startswith('metadata.labels: Invalid value: "bad key": name part must')
    assert found[1].startswith('metadata.labels: Invalid value: "-web": a valid label must be')
    assert found[2].startswith('metadata.labels: Invalid value: "a/b/c": a qualified name must')


def test_an_rc_selector_must_match_the_template_labels() -> None:
    assert messages(changed(RC, "spec.selector", {"app": "other"})) == [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"kubia"}: '
        "`selector` does not match template `labels`"
    ]


def test_an_rc_without_selector_or_template_labels_needs_a_selector() -> None:
    rc = changed(changed(RC, "spec.selector", None), "spec.template.metadata", None)
    assert messages(rc) == ["spec.selector: Required value"]


def test_an_rc_needs_a_template() -> None:
    assert messages(changed(RC, "spec.template", None)) == ["spec.template: Required value"]


def test_a_deployment_selector_must_match_the_template_labels() -> None:
    deployment = changed(DEPLOYMENT, "spec.selector.matchLabels.app", "web")
    assert messages(deployment) == [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"kubia"}: '
        "`selector` does not match template `labels`"
    ]


def test_match_expressions_are_checked_against_the_template_labels() -> None:
    selector = {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["kubia"]}]}
    found = messages(changed(DEPLOYMENT, "spec.selector", selector))
    assert found == [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"kubia"}: '
        "`selector` does not match template `labels`"
    ]
    selector["matchExpressions"][0]["operator"] = "Exists"
    del selector["matchExpressions"][0]["values"]
    assert messages(changed(DEPLOYMENT, "spec.selector", selector)) == []


def test_a_replica_set_needs_a_selector() -> None:
    replica_set = changed(DEPLOYMENT, "kind", "ReplicaSet")
    assert messages(changed(replica_set, "spec.selector", None)) == [
        "spec.selector: Required value"
    ]


def test_an_empty_selector_is_refused() -> None:
    assert messages(changed(DEPLOYMENT, "spec.selector", {})) == [
        "spec.selector: Invalid value: {}: empty selector is invalid for deployment"
    ]


def test_selector_requirements_need_values_only_for_in_and_notin() -> None:
    selector = {
        "matchExpressions": [
            {"key": "app", "operator": "In"},
            {"key": "env", "operator": "Exists", "values": ["x"]},
        ]
    }
    assert messages(changed(DEPLOYMENT, "spec.selector", selector)) == [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when "
        "`operator` is 'In' or 'NotIn'",
        "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when "
        "`operator` is 'Exists' or 'DoesNotExist'",
    ]


@pytest.mark.parametrize("base", [RC, DEPLOYMENT])
def test_a_template_restart_policy_must_be_always(base: dict[str, Any]) -> None:
    assert messages(changed(base, "spec.template.spec.restartPolicy", "Never")) == [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'
    ]


def test_a_template_may_not_set_an_active_deadline() -> None:
    assert messages(changed(RC, "spec.template.spec.activeDeadlineSeconds", 30)) == [
        "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in "
        "ReplicationController is not Supported"
    ]


@pytest.mark.parametrize("version", ["extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"])
def test_removed_api_versions_name_the_replacement(version: str) -> None:
    assert messages(changed(DEPLOYMENT, "apiVersion", version)) == [
        f'no matches for kind "Deployment" in version "{version}": {version} was removed in '
        "Kubernetes 1.16; use apiVersion: apps/v1"
    ]


def test_a_wrong_api_version_names_the_right_one() -> None:
    assert messages(changed(DEPLOYMENT, "apiVersion", "v1")) == [
        'no matches for kind "Deployment" in version "v1": use apiVersion: apps/v1'
    ]


def test_an_unknown_kind_gets_a_hint_and_the_list_of_kinds() -> None:
    assert messages(changed(RC, "kind", "ReplicationControler")) == [
        'no matches for kind "ReplicationControler" in version "v1", did you mean '
        '"ReplicationController"? (kinds you can write: Deployment, Namespace, Pod, ReplicaSet, '
        "ReplicationController, Service)"
    ]


def test_a_kind_the_cluster_writes_is_refused() -> None:
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}}
    assert messages(node)[0].startswith('kind "Node" is written by the simulated cluster')


def test_missing_kind_and_api_version_are_required() -> None:
    assert messages(changed(RC, "kind", None)) == [
        "kind: Required value: every manifest needs apiVersion and kind "
        "(e.g. apiVersion: v1, kind: Pod)"
    ]
    assert messages(changed(RC, "apiVersion", None)) == [
        "apiVersion: Required value: ReplicationController objects use apiVersion: v1"
    ]


def test_a_multi_port_service_needs_port_names_that_are_unique() -> None:
    ports = [{"port": 80}, {"port": 443, "name": "https"}, {"port": 8443, "name": "https"}]
    assert messages(changed(SERVICE, "spec.ports", ports)) == [
        "spec.ports[0].name: Required value",
        'spec.ports[2].name: Duplicate value: "https"',
    ]


def test_a_service_needs_ports_unless_headless_or_external() -> None:
    assert messages(changed(SERVICE, "spec.ports", [])) == ["spec.ports: Required value"]
    headless = changed(changed(SERVICE, "spec.ports", None), "spec.clusterIP", "None")
    assert messages(headless) == []


def test_a_cluster_ip_service_may_not_set_a_node_port() -> None:
    assert messages(changed(SERVICE, "spec.ports.0.nodePort", 30080)) == [
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
    ]
    node_port = changed(changed(SERVICE, "spec.ports.0.nodePort", 30080), "spec.type", "NodePort")
    assert messages(node_port) == []


def test_an_external_name_service_needs_the_external_name() -> None:
    assert messages(changed(SERVICE, "spec.type", "ExternalName")) == [
        "spec.externalName: Required value"
    ]


def test_a_named_target_port_must_be_an_iana_service_name() -> None:
    assert messages(changed(SERVICE, "spec.ports.0.targetPort", "http_alt")) == [
        'spec.ports[0].targetPort: Invalid value: "http_alt": must contain only alpha-numeric '
        "characters (a-z, 0-9), and hyphens (-)"
    ]


def test_session_affinity_config_needs_client_ip_affinity() -> None:
    config = {"clientIP": {"timeoutSeconds": 60}}
    assert messages(changed(SERVICE, "spec.sessionAffinityConfig", config)) == [
        "spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None"
    ]


def test_container_names_are_unique_dns1123_labels() -> None:
    containers = [{"name": "web", "image": "a"}, {"name": "web", "image": "b"}]
    assert messages(changed(RC, "spec.template.spec.containers", containers)) == [
        'spec.template.spec.containers[1].name: Duplicate value: "web"'
    ]
    assert messages(changed(RC, "spec.template.spec.containers.0.name", "Web"))[0].startswith(
        'spec.template.spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label'
    )


def test_a_volume_mount_must_name_a_volume_of_the_pod() -> None:
    mounts = [{"name": "html", "mountPath": "/html"}]
    rc = changed(RC, "spec.template.spec.containers.0.volumeMounts", mounts)
    assert messages(rc) == [
        'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "html"'
    ]
    rc["spec"]["template"]["spec"]["volumes"] = [{"name": "html", "emptyDir": {}}]
    assert messages(rc) == []


def test_a_probe_has_exactly_one_handler() -> None:
    container = "spec.template.spec.containers.0.livenessProbe"
    assert messages(changed(RC, container, {"periodSeconds": 5})) == [
        "spec.template.spec.containers[0].livenessProbe: Required value: "
        "must specify a handler type"
    ]
    both = {"httpGet": {"port": 8080}, "exec": {"command": ["true"]}}
    assert messages(changed(RC, container, both)) == [
        "spec.template.spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify "
        "more than 1 handler type"
    ]


def test_a_liveness_probe_success_threshold_must_be_1() -> None:
    probe = {"tcpSocket": {"port": 8080}, "successThreshold": 2}
    assert messages(changed(RC, "spec.template.spec.containers.0.livenessProbe", probe)) == [
        "spec.template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: "
        "must be 1"
    ]


def test_a_request_above_its_limit_is_refused() -> None:
    resources = {"requests": {"memory": "1Gi"}, "limits": {"memory": "512Mi"}}
    assert messages(changed(RC, "spec.template.spec.containers.0.resources", resources)) == [
        'spec.template.spec.containers[0].resources.requests[memory]: Invalid value: "1Gi": '
        "must be less than or equal to memory limit of 512Mi"
    ]


def test_port_names_within_a_container_are_unique_iana_names() -> None:
    ports = [{"containerPort": 80, "name": "http"}, {"containerPort": 81, "name": "http"}]
    assert messages(changed(RC, "spec.template.spec.containers.0.ports", ports)) == [
        'spec.template.spec.containers[0].ports[1].name: Duplicate value: "http"'
    ]


def test_deployment_strategy_rules() -> None:
    recreate = {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}
    assert messages(changed(DEPLOYMENT, "spec.strategy", recreate)) == [
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is "
        "'Recreate'"
    ]
    zero = {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}}
    assert messages(changed(DEPLOYMENT, "spec.strategy", zero)) == [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when '
        "`maxSurge` is 0"
    ]
    percent = {"rollingUpdate": {"maxSurge": "25"}}
    assert messages(changed(DEPLOYMENT, "spec.strategy", percent))[0].startswith(
        'spec.strategy.rollingUpdate.maxSurge: Invalid value: "25": a valid percent string must'
    )


def test_the_progress_deadline_must_exceed_min_ready_seconds() -> None:
    deployment = changed(DEPLOYMENT, "spec.minReadySeconds", 60)
    assert messages(changed(deployment, "spec.progressDeadlineSeconds", 30)) == [
        "spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds"
    ]


def test_ill_shaped_objects_get_schema_errors_not_crashes() -> None:
    odd: list[dict[str, Any]] = [
        changed(DEPLOYMENT, "spec.selector", {"matchLabels": ["app"], "matchExpressions": "x"}),
        changed(DEPLOYMENT, "spec.selector", {"matchExpressions": ["app"]}),
        changed(RC, "spec.template", "kubia"),
        changed(RC, "spec.template.spec.containers", [1, None, "x"]),
        changed(SERVICE, "spec.ports", {"port": 80}),
        changed(RC, "metadata", ["kubia"]),
        {"apiVersion": "v1", "kind": ["Pod"]},
    ]
    for obj in odd:
        assert messages(obj)


@pytest.mark.parametrize(
    ("check", "value", "problems"),
    [
        (is_dns1123_label, "kubia-1", []),
        (is_qualified_name, "app.kubernetes.io/name", []),
        (is_qualified_name, "/name", ["prefix part must be non-empty"]),
        (is_port_name, "http", []),
        (is_port_name, "8080", ["must contain at least one letter (a-z)"]),
        (is_port_name, "a--b", ["must not contain consecutive hyphens (--)"]),
        (is_port_name, "very-long-port-name", ["must be no more than 15 characters"]),
    ],
)
def test_name_checks(check: Any, value: str, problems: list[str]) -> None:
    assert check(value) == problems


def test_an_empty_name_part_is_reported_twice_as_go_does() -> None:
    found = is_qualified_name("example.com/")
    assert found[0] == "name part must be non-empty"
    assert found[1].startswith("name part must consist of alphanumeric characters")
