"""`reconciler get` against a real cluster in a temporary home: kubectl's tables, formats,
selectors, namespaces, errors and exit codes."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from reconciler.cli.app import app
from reconciler.errors import UsageError
from reconciler.source.dump import to_yaml
from tests.cli.conftest import Arrange
from tests.cli.workloads import kubia_rc, namespace, pod

runner = CliRunner()


def rows(output: str) -> list[list[str]]:
    """Table lines split on kubectl's three-space column gaps."""
    return [re.split(r"\s{3,}", line) for line in output.splitlines()]


def test_an_empty_namespace_says_no_resources_found_on_stderr(instant_cluster: object) -> None:
    result = runner.invoke(app, ["get", "pods"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "No resources found in default namespace.\n"


def test_no_resources_across_namespaces_or_for_cluster_kinds_names_no_namespace(
    instant_cluster: object,
) -> None:
    assert runner.invoke(app, ["get", "pods", "-A"]).stderr == "No resources found\n"


def test_nodes_are_listed_with_kubectl_headers(instant_cluster: object) -> None:
    result = runner.invoke(app, ["get", "nodes"])
    assert result.exit_code == 0, result.output
    table = rows(result.stdout)
    assert table[0] == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert [row[:3] for row in table[1:]] == [
        ["node-1", "Ready", "<none>"],
        ["node-2", "Ready", "<none>"],
    ]


def test_every_spelling_of_a_type_lists_the_same(arrange: Arrange) -> None:
    arrange(kubia_rc())
    tables = {
        spelling: [row[:-1] for row in rows(runner.invoke(app, ["get", spelling]).stdout)]
        for spelling in ("rc", "replicationcontroller", "replicationcontrollers", "RC")
    }  # AGE (the last column) left out: it may tick between two invocations
    assert len({repr(table) for table in tables.values()}) == 1
    assert tables["rc"][0] == ["NAME", "DESIRED", "CURRENT", "READY"]
    assert tables["rc"][1][:3] == ["kubia", "2", "2"]


def test_a_missing_object_is_not_found_in_kubectl_words_with_exit_1(
    instant_cluster: object,
) -> None:
    result = runner.invoke(app, ["get", "pods", "x"])
    assert result.exit_code == 1
    assert result.stderr == 'Error from server (NotFound): pods "x" not found\n'


def test_found_objects_print_before_the_not_found_error(arrange: Arrange) -> None:
    arrange(pod("a"))
    result = runner.invoke(app, ["get", "pod/a", "pod/b"])
    assert result.exit_code == 1
    assert rows(result.stdout)[1][0] == "a"
    assert result.stderr == 'Error from server (NotFound): pods "b" not found\n'


def test_an_unknown_type_names_the_valid_ones(instant_cluster: object) -> None:
    result = runner.invoke(app, ["get", "foo"])
    assert isinstance(result.exception, UsageError)
    assert 'the server doesn\'t have a resource type "foo"' in str(result.exception)
    assert "replicationcontrollers" in str(result.exception)


def test_several_types_print_a_table_each_with_kind_prefixed_names(arrange: Arrange) -> None:
    arrange(kubia_rc(replicas=1))
    table = rows(runner.invoke(app, ["get", "rc,pods"]).stdout)
    assert table[0][0] == "NAME"
    assert table[1][0] == "replicationcontroller/kubia"
    assert table[2] == [""]
    assert table[3][:2] == ["NAME", "READY"]
    assert table[4][0].startswith("pod/kubia-")


def test_get_all_lists_pods_controllers_and_services(arrange: Arrange) -> None:
    arrange(kubia_rc(replicas=1))
    names = [row[0] for row in rows(runner.invoke(app, ["get", "all"]).stdout)]
    assert names[1].startswith("pod/kubia-")
    assert "replicationcontroller/kubia" in names


def test_selector_and_namespace_choose_what_is_listed(arrange: Arrange) -> None:
    arrange(namespace("team"), pod("a", app="x"), pod("b", app="y"), pod("c", "team", app="x"))
    selected = rows(runner.invoke(app, ["get", "pods", "-l", "app=x"]).stdout)
    assert [row[0] for row in selected[1:]] == ["a"]
    in_team = rows(runner.invoke(app, ["get", "pods", "-n", "team"]).stdout)
    assert [row[0] for row in in_team[1:]] == ["c"]
    everywhere = rows(runner.invoke(app, ["get", "pods", "-A", "-l", "app=x"]).stdout)
    assert everywhere[0][:2] == ["NAMESPACE", "NAME"]
    assert [row[:2] for row in everywhere[1:]] == [["default", "a"], ["team", "c"]]


def test_a_name_with_a_selector_is_refused(instant_cluster: object) -> None:
    result = runner.invoke(app, ["get", "pods", "a", "-l", "app=x"])
    assert "name cannot be provided when a selector is specified" in str(result.exception)


def test_show_labels_adds_a_labels_column(arrange: Arrange) -> None:
    arrange(pod("a", app="x", tier="web"))
    table = rows(runner.invoke(app, ["get", "pods", "--show-labels"]).stdout)
    assert table[0][-1] == "LABELS"
    assert table[1][-1] == "app=x,tier=web"


def test_output_name_prints_resource_slash_name(arrange: Arrange) -> None:
    arrange(kubia_rc(replicas=0))
    result = runner.invoke(app, ["get", "rc", "-o", "name"])
    assert result.stdout == "replicationcontroller/kubia\n"


def test_output_yaml_of_one_named_object_is_the_object_itself(arrange: Arrange) -> None:
    (created,) = arrange(pod("a"))
    result = runner.invoke(app, ["get", "pod", "a", "-o", "yaml"])
    assert result.exit_code == 0
    assert result.stdout.startswith("apiVersion: v1\nkind: Pod\nmetadata:\n")
    assert result.stdout == to_yaml(created)


def test_output_json_of_a_listing_is_a_v1_list(arrange: Arrange) -> None:
    arrange(pod("a"), pod("b"))
    document = json.loads(runner.invoke(app, ["get", "pods", "-o", "json"]).stdout)
    assert document["kind"] == "List"
    assert document["apiVersion"] == "v1"
    assert [item["metadata"]["name"] for item in document["items"]] == ["a", "b"]
    assert document["metadata"] == {"resourceVersion": ""}


def test_an_unknown_output_format_is_refused(instant_cluster: object) -> None:
    result = runner.invoke(app, ["get", "pods", "-o", "xml"])
    assert 'unable to match a printer suitable for the output format "xml"' in str(result.exception)


def test_watch_prints_the_listing_and_stops_at_the_request_timeout(arrange: Arrange) -> None:
    arrange(pod("a"))
    result = runner.invoke(app, ["get", "pods", "-w", "--request-timeout", "1ms"])
    assert result.exit_code == 0, result.output
    assert rows(result.stdout)[0][:3] == ["NAME", "READY", "STATUS"]
    assert rows(result.stdout)[1][0] == "a"


def test_watch_on_several_types_is_refused(instant_cluster: object) -> None:
    result = runner.invoke(app, ["get", "pods,rc", "-w"])
    assert "watch is only supported on individual resources" in str(result.exception)
