"""The benchmark data generator writes what it says, and its planted mistakes are where it says."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bench.generate import KINDS, Layout, MistakeKind, generate, set_replicas


def _documents(path: Path) -> list[dict]:
    return [d for d in YAML(typ="safe").load_all(path.read_text()) if d is not None]


def test_split_layout_writes_one_object_per_file(tmp_path: Path) -> None:
    data = generate(tmp_path, apps=3)
    assert [p.name for p in data.files] == [
        "kubia-00001-rc.yaml",
        "kubia-00001-svc.yaml",
        "kubia-00002-rc.yaml",
        "kubia-00002-svc.yaml",
        "kubia-00003-rc.yaml",
        "kubia-00003-svc.yaml",
    ]
    assert (data.documents, data.pods) == (6, 9)
    rc, service = _documents(data.files[0])[0], _documents(data.files[1])[0]
    assert rc["kind"] == "ReplicationController"
    assert rc["spec"]["replicas"] == 3
    assert (
        rc["spec"]["selector"]
        == rc["spec"]["template"]["metadata"]["labels"]
        == {"app": "kubia-00001"}
    )
    assert rc["spec"]["template"]["spec"]["containers"][0]["image"] == "luksa/kubia"
    assert service["kind"] == "Service"
    assert service["spec"]["type"] == "LoadBalancer"
    assert service["spec"]["selector"] == {"app": "kubia-00001"}


def test_paired_layout_puts_an_apps_rc_and_service_in_one_file(tmp_path: Path) -> None:
    data = generate(tmp_path, apps=2, layout=Layout.PAIRED, replicas=5)
    assert [p.name for p in data.files] == ["kubia-00001.yaml", "kubia-00002.yaml"]
    kinds = [d["kind"] for d in _documents(data.files[1])]
    assert kinds == ["ReplicationController", "Service"]
    assert data.pods == 10


def test_cluster_data_can_do_without_node_ports_and_services(tmp_path: Path) -> None:
    with_ports = generate(tmp_path / "a", apps=1, node_ports=False)
    service = _documents(with_ports.files[1])[0]
    assert service["spec"]["allocateLoadBalancerNodePorts"] is False
    without = generate(tmp_path / "b", apps=2, services=False)
    assert [p.name for p in without.files] == ["kubia-00001-rc.yaml", "kubia-00002-rc.yaml"]
    assert without.documents == 2


@pytest.mark.parametrize("layout", list(Layout))
def test_every_planted_mistake_is_on_the_line_it_names(tmp_path: Path, layout: Layout) -> None:
    data = generate(tmp_path, apps=40, mistakes=16, layout=layout)
    assert len(data.mistakes) == 16
    assert {m.kind for m in data.mistakes} == set(KINDS)
    assert len({m.path for m in data.mistakes}) == 16
    expected = {
        MistakeKind.MISSPELT_FIELD: ("replcias: 3", "targetPrt: 8080"),
        MistakeKind.WRONG_TYPE: ('replicas: "three"', 'port: "eighty"'),
        MistakeKind.SELECTOR_MISMATCH: ("-other",),
        MistakeKind.BAD_DNS_NAME: ("name: Kubia_",),
    }
    for mistake in data.mistakes:
        line = mistake.path.read_text().splitlines()[mistake.line - 1]
        assert any(text in line for text in expected[mistake.kind]), (mistake, line)
        assert mistake.line in mistake.lines


def test_planted_mistakes_break_only_what_they_claim(tmp_path: Path) -> None:
    data = generate(tmp_path, apps=8, mistakes=4)
    by_kind = {m.kind: m for m in data.mistakes}
    mismatch = by_kind[MistakeKind.SELECTOR_MISMATCH]
    docs = [d for d in _documents(mismatch.path) if d["kind"] == "ReplicationController"]
    spec = docs[0]["spec"]
    assert spec["selector"] != spec["template"]["metadata"]["labels"]
    wrong = by_kind[MistakeKind.WRONG_TYPE]
    obj = _documents(wrong.path)[0]
    value = obj["spec"].get("replicas") or obj["spec"]["ports"][0]["port"]
    assert isinstance(value, str)
    clean = [p for p in data.files if p not in {m.path for m in data.mistakes}]
    for path in clean:
        for doc in _documents(path):
            assert doc["metadata"]["name"].startswith("kubia-")
            if doc["kind"] == "ReplicationController":
                assert doc["spec"]["replicas"] == 3
                assert doc["spec"]["selector"] == doc["spec"]["template"]["metadata"]["labels"]


def test_mistakes_are_spread_over_services_too(tmp_path: Path) -> None:
    data = generate(tmp_path, apps=80, mistakes=8)
    assert any(m.path.name.endswith("-svc.yaml") for m in data.mistakes)
    assert all(
        m.path.name.endswith("-rc.yaml")
        for m in data.mistakes
        if m.kind is MistakeKind.SELECTOR_MISMATCH
    )


def test_more_mistakes_than_apps_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot plant"):
        generate(tmp_path, apps=2, mistakes=3)


def test_set_replicas_rewrites_only_the_replicas_line(tmp_path: Path) -> None:
    data = generate(tmp_path, apps=1)
    path = data.rc_file("kubia-00001")
    before = path.read_text()
    set_replicas(path, 7)
    after = path.read_text()
    assert _documents(path)[0]["spec"]["replicas"] == 7
    assert [a for a, b in zip(after.splitlines(), before.splitlines(), strict=True) if a != b] == [
        "  replicas: 7"
    ]
