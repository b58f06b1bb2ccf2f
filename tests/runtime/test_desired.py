"""The daemon's view of the folder: last good manifests per file, errors, who declares what."""

from __future__ import annotations

from pathlib import Path

from reconciler.api.apply import Manifest
from reconciler.errors import Position
from reconciler.model.keys import ObjectKey
from reconciler.runtime.desired import DesiredState, FileLoad, key_of

A, B = Path("/m/a.yaml"), Path("/m/b.yaml")


def service(name: str, port: int = 80, *, path: Path = A) -> Manifest:
    obj = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {"ports": [{"port": port}]},
    }
    return Manifest(obj, path=str(path))


def load(*manifests: Manifest) -> FileLoad:
    return FileLoad(manifests, tuple(Position(m.path or "", 1, 1) for m in manifests))


def key(name: str) -> ObjectKey:
    return ObjectKey("Service", "default", name)


def test_a_manifest_without_namespace_is_keyed_in_the_default_one() -> None:
    assert key_of(service("web")) == key("web")
    assert key_of(Manifest({"kind": "Service", "metadata": {}})) is None


def test_a_new_file_is_applied_and_owns_its_objects() -> None:
    state = DesiredState()

    update = state.update({A: load(service("web"), service("db"))})

    assert [key_of(m) for m in update.apply] == [key("web"), key("db")]
    assert state.owner == {key("web"): A, key("db"): A}


def test_a_file_with_errors_keeps_its_last_good_manifests() -> None:
    state = DesiredState()
    state.update({A: load(service("web"))})

    update = state.update({A: FileLoad(errors=("/m/a.yaml:3:7: error: bad",))})

    assert update.apply == [] and update.dropped == set()
    assert update.errors == ["/m/a.yaml:3:7: error: bad"]
    assert state.manifests() == [service("web")]
    assert state.broken() == {A}

    fixed = state.update({A: load(service("web", 81))})

    assert fixed.fixed == [A] and state.errors() == [] and state.broken() == set()


def test_a_removed_document_or_file_is_dropped() -> None:
    state = DesiredState()
    state.update({A: load(service("web"), service("db")), B: load(service("cache", path=B))})

    assert state.update({A: load(service("web"))}).dropped == {key("db")}
    assert state.update({B: None}).dropped == {key("cache")}
    assert set(state.owner) == {key("web")}


def test_a_manifest_moved_between_files_in_one_update_is_not_dropped() -> None:
    state = DesiredState()
    state.update({A: load(service("web"))})

    update = state.update({A: None, B: load(service("web", path=B))})

    assert update.dropped == set()
    assert state.owner == {key("web"): B}


def test_a_second_declaration_is_refused_until_the_first_goes_away() -> None:
    state = DesiredState()
    state.update({A: load(service("web"))})

    refused = state.update({B: load(service("web", 81, path=B))})

    assert refused.apply == []
    assert refused.errors == [
        '/m/b.yaml:1:1: error: service "web" in namespace "default" is declared twice; '
        "first at /m/a.yaml:1:1 (service/web)"
    ]

    released = state.update({A: None})

    assert [m.obj["spec"]["ports"][0]["port"] for m in released.apply] == [81]
    assert released.dropped == set() and state.owner == {key("web"): B}
    assert state.errors() == []


def test_replace_treats_files_not_read_as_gone() -> None:
    state = DesiredState()
    state.update({A: load(service("web")), B: load(service("db", path=B))})

    update = state.replace({A: load(service("web"))})

    assert update.dropped == {key("db")}
    assert list(state.files) == [A]


def test_the_declared_kinds_follow_the_objects_files_declare() -> None:
    state = DesiredState()
    pod = Manifest({"kind": "Pod", "metadata": {"name": "web"}}, path=str(B))
    state.update({A: load(service("web"), service("db")), B: load(pod)})
    assert state.kinds() == {"Service", "Pod"}

    state.update({A: load(service("web")), B: load(service("db", path=B))})
    assert state.kinds() == {"Service"}
    state.update({A: None, B: None})
    assert state.kinds() == set()
