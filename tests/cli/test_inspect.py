"""`describe` and `events` against a real cluster: kubectl's layouts, filters and errors."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from reconciler.cli.app import app
from reconciler.errors import NotFound, UsageError
from tests.cli.conftest import Arrange
from tests.cli.workloads import kubia_rc, pod

runner = CliRunner()


def test_describe_rc_shows_replicas_pods_status_template_and_events(arrange: Arrange) -> None:
    arrange(kubia_rc(replicas=2))
    result = runner.invoke(app, ["describe", "rc", "kubia"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "Name:         kubia",
        "Namespace:    default",
        "Selector:     app=kubia",
        "Labels:       app=kubia",
    ]
    assert "Replicas:     2 current / 2 desired" in lines
    assert "Pods Status:  2 Running / 0 Waiting / 0 Succeeded / 0 Failed" in lines
    events = lines[lines.index("Events:") + 1 :]
    assert re.split(r"\s{2,}", events[0].strip()) == ["Type", "Reason", "Age", "From", "Message"]
    assert [re.split(r"\s{2,}", line.strip())[1] for line in events[2:]] == [
        "SuccessfulCreate",
        "SuccessfulCreate",
    ]


def test_describe_pod_ends_with_the_kubelets_events(arrange: Arrange) -> None:
    arrange(pod("web"))
    lines = runner.invoke(app, ["describe", "pod/web"]).stdout.splitlines()
    assert re.fullmatch(r"Name:\s+web", lines[0])
    reasons = [re.split(r"\s{2,}", line.strip())[1] for line in lines[lines.index("Events:") + 3 :]]
    assert reasons[0] == "Scheduled"
    assert "Started" in reasons


def test_describe_a_name_prefix_describes_every_match(arrange: Arrange) -> None:
    arrange(kubia_rc(replicas=2))
    text = runner.invoke(app, ["describe", "pods", "kubia"]).stdout
    assert len(re.findall(r"^Name:\s+kubia-", text, flags=re.MULTILINE)) == 2
    assert "\n\n\nName:" in text  # two blank lines between descriptions, as kubectl


def test_describe_a_missing_object_is_not_found(instant_cluster: object) -> None:
    result = runner.invoke(app, ["describe", "svc", "nope"])
    assert isinstance(result.exception, NotFound)
    assert str(result.exception) == 'Error from server (NotFound): services "nope" not found'


def test_describe_namespace_and_node(instant_cluster: object) -> None:
    namespace = runner.invoke(app, ["describe", "ns", "default"]).stdout
    assert namespace.endswith("\nNo resource quota.\n\nNo LimitRange resource.\n")
    node = runner.invoke(app, ["describe", "node", "node-1"]).stdout.splitlines()
    assert node[0] == "Name:               node-1"
    assert any(line.startswith("Non-terminated Pods:") for line in node)


def test_events_are_listed_oldest_first_with_kubectl_events_columns(arrange: Arrange) -> None:
    arrange(pod("web"))
    result = runner.invoke(app, ["events"])
    assert result.exit_code == 0, result.output
    table = [re.split(r"\s{3,}", line) for line in result.stdout.splitlines()]
    assert table[0] == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert table[1][2:4] == ["Scheduled", "Pod/web"]


def test_events_for_one_object_and_of_one_type(arrange: Arrange) -> None:
    arrange(kubia_rc(replicas=1), pod("web"))
    about = runner.invoke(app, ["events", "--for", "rc/kubia"]).stdout.splitlines()
    assert [line.split()[3] for line in about[1:]] == ["ReplicationController/kubia"]
    warnings = runner.invoke(app, ["events", "--types", "Warning"])
    assert warnings.stdout == ""
    assert warnings.stderr == "No events found in default namespace.\n"


def test_events_refuse_unknown_types(instant_cluster: object) -> None:
    result = runner.invoke(app, ["events", "--types", "Error"])
    assert isinstance(result.exception, UsageError)
    assert str(result.exception) == "valid --types are Normal or Warning"


def test_get_events_uses_gets_columns_in_time_order(arrange: Arrange) -> None:
    arrange(pod("web"))
    table = [
        re.split(r"\s{3,}", line) for line in runner.invoke(app, ["get", "ev"]).stdout.splitlines()
    ]
    assert table[0] == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert table[1][2:4] == ["Scheduled", "pod/web"]
