"""Objects to YAML as kubectl prints them (go-yaml's choices, not YAML 1.2 defaults)."""

from __future__ import annotations

from reconciler.source.dump import to_yaml, to_yaml_documents


def test_keys_are_sorted_and_sequences_sit_under_their_key() -> None:
    pod = {
        "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia"}]},
        "metadata": {"name": "kubia"},
        "kind": "Pod",
        "apiVersion": "v1",
    }
    assert to_yaml(pod) == (
        "apiVersion: v1\n"
        "kind: Pod\n"
        "metadata:\n"
        "  name: kubia\n"
        "spec:\n"
        "  containers:\n"
        "  - image: luksa/kubia\n"
        "    name: kubia\n"
    )


def test_strings_that_would_read_back_as_something_else_are_double_quoted() -> None:
    text = to_yaml(
        {"rv": "1234", "ts": "2024-05-01T12:00:00Z", "empty": "", "yes": "yes", "null": "null"}
    )
    assert text == (
        'empty: ""\n"null": "null"\nrv: "1234"\nts: "2024-05-01T12:00:00Z"\n"yes": "yes"\n'
    )


def test_awkward_strings_are_single_quoted_and_none_is_null() -> None:
    assert to_yaml({"m": "containers with unready status: [kubia]", "t": None}) == (
        "m: 'containers with unready status: [kubia]'\nt: null\n"
    )


def test_multi_line_strings_are_literal_blocks() -> None:
    assert to_yaml({"a": '{"k":1}\n'}) == 'a: |\n  {"k":1}\n'


def test_several_documents_are_separated_by_three_dashes() -> None:
    assert to_yaml_documents([{"a": 1}, {"b": 2}]) == "a: 1\n---\nb: 2\n"


def test_insertion_order_is_kept_on_request() -> None:
    assert to_yaml({"kind": "Pod", "apiVersion": "v1"}, sort_keys=False) == (
        "kind: Pod\napiVersion: v1\n"
    )
