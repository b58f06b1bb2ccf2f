"""The JSON schemas in schemas/: what a learner writes for the kubia app (Kubernetes in Action)
passes, every kind rejects wrong types, values and unknown fields in the API server's words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from reconciler.model.kinds import BY_KIND, KINDS
from reconciler.source.loader import load_bytes
from reconciler.source.schema import _is_valid, _validator, schema_problems
from reconciler.source.validate import validate_object
from tests.kubia import rc_yaml

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def messages(text: str) -> list[str]:
    """Every problem (schema and rules) with a one-document manifest."""
    (document,) = load_bytes(text.encode(), "t.yaml").documents
    return [d.message for d in validate_object(document.obj)]


VALID = {
    "kubia-rc": rc_yaml(),
    "rc-without-selector": """
apiVersion: v1
kind: ReplicationController
metadata: {name: kubia}
spec:
  template:
    metadata: {labels: {app: kubia}}
    spec:
      containers: [{name: kubia, image: luksa/kubia}]
""",
    "load-balancer-service": """
apiVersion: v1
kind: Service
metadata:
  name: kubia-http
spec:
  type: LoadBalancer
  selector: {app: kubia}
  ports:
  - port: 80
    targetPort: 8080
""",
    "cluster-ip-service-with-named-ports": """
apiVersion: v1
kind: Service
metadata:
  name: kubia
spec:
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 10800}}
  ports:
  - name: http
    port: 80
    targetPort: http
  - name: https
    port: 443
    targetPort: https
    protocol: TCP
  selector:
    app: kubia
""",
    "node-port-service": """
apiVersion: v1
kind: Service
metadata: {name: kubia-nodeport}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30123
  selector: {app: kubia}
""",
    "headless-service": """
apiVersion: v1
kind: Service
metadata: {name: kubia-headless}
spec:
  clusterIP: None
  selector: {app: kubia}
""",
    "external-name-service": """
apiVersion: v1
kind: Service
metadata: {name: external-service}
spec:
  type: ExternalName
  externalName: api.somecompany.com
  ports:
  - port: 80
""",
    "replicaset-match-labels": """
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: kubia}
spec:
  replicas: 3
  selector:
    matchLabels:
      app: kubia
  template:
    metadata: {labels: {app: kubia}}
    spec:
      containers: [{name: kubia, image: luksa/kubia}]
""",
    "replicaset-match-expressions": """
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: kubia}
spec:
  replicas: 3
  selector:
    matchExpressions:
    - key: app
      operator: In
      values: [kubia]
    - key: env
      operator: DoesNotExist
  template:
    metadata: {labels: {app: kubia}}
    spec:
      containers: [{name: kubia, image: luksa/kubia}]
""",
    "pod-with-probes-resources-and-namespace": """
apiVersion: v1
kind: Pod
metadata:
  name: kubia-liveness
  namespace: custom-namespace
  labels: {creation_method: manual, env: prod, app.kubernetes.io/name: kubia}
  annotations: {mycompany.com/someannotation: "foo bar"}
spec:
  nodeSelector: {gpu: "true"}
  containers:
  - name: kubia
    image: luksa/kubia-unhealthy
    imagePullPolicy: IfNotPresent
    command: [node]
    args: [app.js]
    env:
    - {name: INTERVAL, value: "30"}
    - name: POD_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
    ports:
    - {containerPort: 8080, name: http, protocol: TCP}
    livenessProbe:
      httpGet: {path: /, port: 8080}
      initialDelaySeconds: 15
    readinessProbe:
      exec: {command: [ls, /var/ready]}
      periodSeconds: 1
    startupProbe:
      tcpSocket: {port: http}
      failureThreshold: 30
    resources:
      requests: {cpu: 200m, memory: 10Mi}
      limits: {cpu: 1, memory: 20Mi}
""",
    "namespace": """
apiVersion: v1
kind: Namespace
metadata:
  name: custom-namespace
""",
    "deployment": """
apiVersion: apps/v1
kind: Deployment
metadata: {name: kubia}
spec:
  replicas: 3
  minReadySeconds: 10
  revisionHistoryLimit: 5
  progressDeadlineSeconds: 600
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  selector:
    matchLabels: {app: kubia}
  template:
    metadata:
      name: kubia
      labels: {app: kubia}
    spec:
      containers:
      - image: luksa/kubia:v3
        name: nodejs
        readinessProbe:
          periodSeconds: 1
          httpGet: {path: /, port: 8080}
""",
    "pod-with-volumes-and-fields-not-simulated": """
apiVersion: v1
kind: Pod
metadata: {name: fortune}
spec:
  securityContext: {runAsUser: 1000, fsGroup: 2000}
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions: [{key: gpu, operator: In, values: ["true"]}]
  tolerations:
  - {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}
  initContainers:
  - {name: init, image: busybox, command: [sh, -c, "echo hi"]}
  containers:
  - image: luksa/fortune
    name: html-generator
    volumeMounts: [{name: html, mountPath: /var/htdocs}]
    securityContext: {readOnlyRootFilesystem: true, capabilities: {add: [SYS_TIME]}}
  - image: nginx:alpine
    name: web-server
    volumeMounts:
    - {name: html, mountPath: /usr/share/nginx/html, readOnly: true}
    - {name: config, mountPath: /etc/nginx/conf.d}
    - {name: repo, mountPath: /repo}
    - {name: data, mountPath: /data}
    - {name: creds, mountPath: /creds}
    - {name: host, mountPath: /host}
    lifecycle:
      preStop: {httpGet: {path: /shutdown, port: 80}}
  volumes:
  - {name: html, emptyDir: {medium: Memory}}
  - name: config
    configMap:
      name: fortune-config
      items: [{key: my-nginx-config.conf, path: gzip.conf}]
  - name: repo
    gitRepo:
      repository: https://github.com/luksa/kubia-website-example.git
      revision: master
      directory: .
  - {name: data, persistentVolumeClaim: {claimName: mongodb-pvc}}
  - {name: creds, secret: {secretName: fortune-https}}
  - {name: host, hostPath: {path: /var/log, type: Directory}}
""",
    "kubectl-dry-run-output": """
apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels: {app: web}
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels: {app: web}
    spec:
      containers:
      - image: nginx
        name: nginx
        resources: {}
status: {}
""",
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_what_a_learner_writes_is_valid(name: str) -> None:
    assert messages(VALID[name]) == []


def test_a_json_manifest_is_valid() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "kubia-manual"},
        "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia"}]},
    }
    assert messages(json.dumps(pod, indent=2)) == []


INVALID = [
    (
        "kubia-rc",
        "replicas: 3",
        "replicas: three",
        'spec.replicas: Invalid value: "three": must be an integer',
    ),
    (
        "kubia-rc",
        "replicas: 3",
        "replicas: -1",
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
    ),
    (
        "kubia-rc",
        "  replicas: 3",
        "  replica: 3",
        'unknown field "spec.replica", did you mean "replicas"?',
    ),
    (
        "kubia-rc",
        "containerPort: 8080",
        "containerPort: 80800",
        "spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 80800: "
        "must be between 1 and 65535, inclusive",
    ),
    (
        "kubia-rc",
        "containerPort: 8080",
        "containerport: 8080",
        'unknown field "spec.template.spec.containers[0].ports[0].containerport", '
        'did you mean "containerPort"?',
    ),
    (
        "kubia-rc",
        "        image: luksa/kubia\n",
        "",
        "spec.template.spec.containers[0].image: Required value",
    ),
    (
        "kubia-rc",
        "      - name: kubia\n        image",
        "      - image",
        "spec.template.spec.containers[0].name: Required value",
    ),
    (
        "kubia-rc",
        "      - name: kubia\n        image: luksa/kubia\n",
        "        name: kubia\n        image: luksa/kubia\n",
        "spec.template.spec.containers: Invalid value: "
        '{"name":"kubia","image":"luksa/kubia","ports":[{"containerPort":8080}]}: '
        "must be a list (start each item with '- ')",
    ),
    (
        "load-balancer-service",
        "type: LoadBalancer",
        "type: Loadbalancer",
        'spec.type: Unsupported value: "Loadbalancer": supported values: "ClusterIP", '
        '"ExternalName", "LoadBalancer", "NodePort" (did you mean "LoadBalancer"?)',
    ),
    (
        "load-balancer-service",
        "port: 80",
        "port: 0",
        "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
    ),
    (
        "load-balancer-service",
        "targetPort: 8080",
        "targetPort: 8080\n    protocol: tcp",
        'spec.ports[0].protocol: Unsupported value: "tcp": supported values: "TCP", "UDP", '
        '"SCTP" (did you mean "TCP"?)',
    ),
    (
        "load-balancer-service",
        "  - port: 80\n",
        "  - name: web\n",
        "spec.ports[0].port: Required value",
    ),
    (
        "cluster-ip-service-with-named-ports",
        "timeoutSeconds: 10800",
        "timeoutSeconds: 90000",
        "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 90000: "
        "must be less than or equal to 86400",
    ),
    (
        "replicaset-match-labels",
        "    matchLabels:\n      app: kubia\n",
        "    app: kubia\n",
        'unknown field "spec.selector.app"; apps/v1 selectors list labels under matchLabels '
        "(app: ... goes there)",
    ),
    (
        "replicaset-match-expressions",
        "operator: In",
        "operator: in",
        'spec.selector.matchExpressions[0].operator: Unsupported value: "in": supported values: '
        '"In", "NotIn", "Exists", "DoesNotExist" (did you mean "In"?)',
    ),
    (
        "pod-with-probes-resources-and-namespace",
        "cpu: 200m",
        "cpu: 200x",
        'spec.containers[0].resources.requests[cpu]: Invalid value: "200x": quantities must '
        "match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ),
    (
        "pod-with-probes-resources-and-namespace",
        'value: "30"',
        "value: 30",
        "spec.containers[0].env[0].value: Invalid value: 30: must be a string "
        "(quote it to keep it text)",
    ),
    (
        "pod-with-probes-resources-and-namespace",
        "env: prod",
        "env: yes",
        "metadata.labels[env]: Invalid value: true: must be a string (quote it to keep it text)",
    ),
    (
        "pod-with-probes-resources-and-namespace",
        "imagePullPolicy: IfNotPresent",
        "imagePullPolicy: IfNotPresnt",
        'spec.containers[0].imagePullPolicy: Unsupported value: "IfNotPresnt": supported values: '
        '"Always", "Never", "IfNotPresent" (did you mean "IfNotPresent"?)',
    ),
    (
        "pod-with-probes-resources-and-namespace",
        "initialDelaySeconds: 15",
        "initialDelaySecond: 15",
        'unknown field "spec.containers[0].livenessProbe.initialDelaySecond", '
        'did you mean "initialDelaySeconds"?',
    ),
    (
        "pod-with-probes-resources-and-namespace",
        "httpGet: {path: /, port: 8080}",
        "httpGet: {path: /}",
        "spec.containers[0].livenessProbe.httpGet.port: Required value",
    ),
    (
        "namespace",
        "name: custom-namespace",
        "name: custom-namespace\nspec: {finalizer: []}",
        'unknown field "spec.finalizer", did you mean "finalizers"?',
    ),
    (
        "deployment",
        "type: RollingUpdate",
        "type: Rolling",
        'spec.strategy.type: Unsupported value: "Rolling": supported values: "Recreate", '
        '"RollingUpdate" (did you mean "RollingUpdate"?)',
    ),
    (
        "deployment",
        "  template:\n",
        "  templat:\n",
        'unknown field "spec.templat", did you mean "template"?',
    ),
    (
        "pod-with-volumes-and-fields-not-simulated",
        "emptyDir: {medium: Memory}",
        "emptydir: {medium: Memory}",
        'unknown field "spec.volumes[0].emptydir", did you mean "emptyDir"?',
    ),
    (
        "pod-with-volumes-and-fields-not-simulated",
        "claimName: mongodb-pvc",
        "claim: mongodb-pvc",
        'unknown field "spec.volumes[3].persistentVolumeClaim.claim", did you mean "claimName"?',
    ),
]


@pytest.mark.parametrize(
    ("base", "old", "new", "expected"),
    INVALID,
    ids=[f"{base}-{index}" for index, (base, *_) in enumerate(INVALID)],
)
def test_a_mistake_is_reported_in_the_api_servers_words(
    base: str, old: str, new: str, expected: str
) -> None:
    text = VALID[base]
    assert old in text
    assert expected in messages(text.replace(old, new, 1))


def test_fields_of_the_top_level_are_known_for_every_kind() -> None:
    for info in KINDS:
        if info.schema is None:
            continue
        obj = {
            "apiVersion": info.api_version,
            "kind": info.kind,
            "metadata": {"name": "x"},
            "spec": {},
            "specc": 1,
        }
        assert any('unknown field "specc"' in p.message for p in schema_problems(obj)), info.kind


def test_every_schema_file_is_valid_json_schema_and_known_to_the_registry() -> None:
    files = {path.name for path in SCHEMAS.glob("*.json")}
    assert {info.schema for info in KINDS if info.schema} | {"_defs.json"} == files
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_package_ships_the_same_schemas_as_the_repository() -> None:
    packaged = Path(__file__).resolve().parents[2] / "reconciler" / "schemas"
    for path in SCHEMAS.glob("*.json"):
        assert (packaged / path.name).read_bytes() == path.read_bytes()


WRONG_VALUES: tuple[object, ...] = (
    True,
    0,
    -1,
    1.5,
    2.0,
    2**31,
    "",
    "x",
    "1Gi",
    [],
    ["x"],
    {},
    {"x": 1},
)


def _variants(value: object) -> Iterator[object]:
    """`value` with one place changed: each value swapped for each of `WRONG_VALUES`, and an
    unknown field added to each mapping."""
    yield from WRONG_VALUES
    if isinstance(value, dict):
        yield {**value, "specc": 1}
        for key, item in value.items():
            for variant in _variants(item):
                yield {**value, key: variant}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for variant in _variants(item):
                yield [*value[:index], variant, *value[index + 1 :]]


@pytest.mark.parametrize("name", sorted(VALID))
def test_the_fast_check_passes_exactly_what_jsonschema_passes(name: str) -> None:
    (document,) = load_bytes(VALID[name].encode(), "t.yaml").documents
    schema_file = BY_KIND[document.obj["kind"]].schema
    assert schema_file is not None
    is_valid, validator = _is_valid(schema_file), _validator(schema_file)
    variants = [v for v in _variants(document.obj) if isinstance(v, dict)]
    assert len(variants) > 50
    for variant in variants:
        assert is_valid(variant) == (next(validator.iter_errors(variant), None) is None), variant
