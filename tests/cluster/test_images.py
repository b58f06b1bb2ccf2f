"""The image catalog: references parse as the container runtime parses them, unknown registries
fail to pull in containerd's words, catalog images answer as the book's apps do, and shell images
read a learner's one-liner."""

from __future__ import annotations

import pytest

from reconciler.cluster.containers import go_duration
from reconciler.cluster.images import (
    GENERIC,
    Image,
    Pulled,
    PullError,
    parse_ref,
    process_of,
    pull,
)


@pytest.mark.parametrize(
    ("image", "name", "familiar"),
    [
        ("nginx", "docker.io/library/nginx:latest", "nginx"),
        ("luksa/kubia:v1", "docker.io/luksa/kubia:v1", "luksa/kubia"),
        ("docker.io/luksa/kubia", "docker.io/luksa/kubia:latest", "luksa/kubia"),
        ("localhost:5000/app:2", "localhost:5000/app:2", "localhost:5000/app"),
        ("gcr.io/google-samples/hello-app:1.0", "gcr.io/google-samples/hello-app:1.0",
         "gcr.io/google-samples/hello-app"),
    ],
)  # fmt: skip
def test_references_parse_as_the_runtime_parses_them(image: str, name: str, familiar: str) -> None:
    ref = parse_ref(image)
    assert ref.name == name
    assert ref.familiar == familiar


def pulled(image: str) -> Image:
    result = pull(image)
    assert isinstance(result, Pulled), result
    return result.image


def error(image: str) -> str:
    result = pull(image)
    assert isinstance(result, PullError), result
    return result.message


def test_any_docker_hub_name_pulls_and_serves_http() -> None:
    assert pulled("foo/bar") is GENERIC
    assert pulled("foo/bar").serves(1234)
    assert pulled("nginx").serves(80) and not pulled("nginx").serves(8080)


def test_unknown_registries_fail_the_way_containerd_says() -> None:
    assert error("gcr.io/typo/app").endswith(
        'failed to resolve reference "gcr.io/typo/app:latest": gcr.io/typo/app:latest: not found'
    )
    assert error("registry.example.com/x").endswith(
        "dial tcp: lookup registry.example.com on 172.18.0.1:53: no such host"
    )
    assert error("localhost:5000/app").endswith(
        "dial tcp 127.0.0.1:5000: connect: connection refused"
    )


def test_the_kubia_images_answer_as_the_books_apps() -> None:
    assert pulled("luksa/kubia").answer("kubia-x", 1).body == "You've hit kubia-x\n"
    assert pulled("luksa/kubia:v2").answer("p", 1).body == "This is v2 running in pod p\n"
    v3 = pulled("luksa/kubia:v3")
    assert [v3.answer("p", n).status for n in range(1, 7)] == [200, 200, 200, 200, 500, 500]
    unhealthy = pulled("luksa/kubia-unhealthy")
    assert unhealthy.answer("p", 5).status == 200
    assert unhealthy.answer("p", 6).body == "I'm not well. Please restart me!"


def test_a_shell_image_runs_what_its_command_says() -> None:
    busybox = pulled("busybox")
    assert process_of(busybox, (), ()).runs_for == 0.0
    assert process_of(busybox, ["sleep", "3600"], ()).runs_for == 3600.0
    assert process_of(busybox, ["sleep", "infinity"], ()).runs_for is None
    assert process_of(busybox, ["sleep", "9" * 400], ()).runs_for is None  # beyond a float
    forever = process_of(busybox, ["sh", "-c"], ["while true; do sleep 5; done"])
    assert forever.runs_for is None
    failing = process_of(busybox, ["sh", "-c", 'echo "bye"; sleep 2; exit 3'], ())
    assert (failing.runs_for, failing.exit_code, failing.logs) == (2.0, 3, ("bye",))


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.5234, "523ms"), (3.1, "3.1s"), (3.98765, "3.987s"), (10, "10s"), (80, "1m20s"),
     (300, "5m0s"), (3600, "1h0m0s")],
)  # fmt: skip
def test_durations_print_as_go_prints_them(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text
