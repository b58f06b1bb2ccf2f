"""Parsing manifest files: plain objects, exact positions, YAML as kubectl reads it, and bad input
that becomes one clear diagnostic instead of a crash."""

from __future__ import annotations

import pytest

from reconciler.source.diagnostics import Severity
from reconciler.source.files import MAX_FILE_BYTES
from reconciler.source.loader import MAX_ALIAS_NODES, MAX_DEPTH, LoadResult, load_bytes
from reconciler.source.scalars import resolve_plain
from tests.kubia import rc_yaml

KUBIA_RC = "# the kubia replication controller\n" + rc_yaml()


def load(text: str | bytes) -> LoadResult:
    return load_bytes(text.encode() if isinstance(text, str) else text, "m.yaml")


def only_error(result: LoadResult) -> str:
    assert len(result.diagnostics) == 1, result.diagnostics
    diagnostic = result.diagnostics[0]
    assert diagnostic.severity is Severity.ERROR
    return str(diagnostic)


def test_a_manifest_becomes_a_plain_dict_with_typed_scalars() -> None:
    (document,) = load(KUBIA_RC).documents
    assert document.obj["spec"]["replicas"] == 3
    assert document.obj["spec"]["template"]["spec"]["containers"][0] == {
        "name": "kubia",
        "image": "luksa/kubia",
        "ports": [{"containerPort": 8080}],
    }
    assert type(document.obj) is dict
    assert (document.path, document.index, document.item) == ("m.yaml", 0, None)


def test_values_are_located_at_their_line_and_column() -> None:
    (document,) = load(KUBIA_RC).documents
    image = ("spec", "template", "spec", "containers", 0, "image")
    assert document.locate(image) == (17, 16)
    assert document.locate(image, key=True) == (17, 9)
    assert document.locate(("spec", "template", "spec", "containers", 0)) == (16, 9)
    assert document.locate(("spec", "replicas")) == (7, 13)
    assert (document.line, document.column) == (2, 1)


def test_a_missing_field_is_located_at_the_key_of_its_parent() -> None:
    (document,) = load(KUBIA_RC).documents
    missing = ("spec", "template", "spec", "containers", 0, "resources", "limits")
    assert document.locate(missing) == (16, 9)
    assert document.locate(("status",)) == (2, 1)


def test_every_document_of_a_multi_document_file_keeps_its_index_and_positions() -> None:
    text = "---\n# empty documents still count\n---\nkind: A\n---\n\nkind: B\nx: [1, 2]\n"
    documents = load(text).documents
    assert [(d.index, d.obj["kind"]) for d in documents] == [(1, "A"), (2, "B")]
    assert documents[1].locate(("x", 1)) == (8, 8)
    assert documents[1].line == 7


def test_json_files_parse_with_positions() -> None:
    (document,) = load('{\n\t"kind": "Pod",\n\t"spec": {"containers": []}\n}\n').documents
    assert document.obj == {"kind": "Pod", "spec": {"containers": []}}
    assert document.locate(("spec", "containers")) == (3, 25)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", True),
        ("on", True),
        ("Off", False),
        ("n", False),
        ("~", None),
        ("null", None),
        ("", None),
        ("42", 42),
        ("-7", -7),
        ("0755", 493),
        ("0x1F", 31),
        ("1_000", 1000),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("08", 8.0),
        ("1e999", "1e999"),
        ("2020-01-01", "2020-01-01"),
        ("luksa/kubia", "luksa/kubia"),
        ("8080/TCP", "8080/TCP"),
    ],
)
def test_plain_scalars_resolve_as_kubectls_yaml_library_does(text: str, value: object) -> None:
    assert resolve_plain(text) == value
    assert type(resolve_plain(text)) is type(value)


def test_quoted_and_explicitly_tagged_scalars_stay_text() -> None:
    (document,) = load("a: 'yes'\nb: \"8080\"\nc: !!str 3\nd: !!int '7'\nbase: |\n  x\n").documents
    assert document.obj == {"a": "yes", "b": "8080", "c": "3", "d": 7, "base": "x\n"}


def test_aliases_and_merge_keys_expand_into_independent_copies() -> None:
    text = "defaults: &d {app: kubia, tier: web}\nlabels:\n  <<: *d\n  tier: db\ncopy: *d\n"
    (document,) = load(text).documents
    assert document.obj["labels"] == {"app": "kubia", "tier": "db"}
    document.obj["copy"]["app"] = "changed"
    assert document.obj["defaults"]["app"] == "kubia"


def test_a_list_kind_is_unpacked_into_its_items() -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- kind: Pod\n  metadata: {name: a}\n- kind: Service\n  metadata: {name: b}\n"
    )
    documents = load(text).documents
    assert [(d.obj["kind"], d.index, d.item) for d in documents] == [
        ("Pod", 0, 0),
        ("Service", 0, 1),
    ]
    assert documents[1].locate(("metadata", "name")) == (7, 20)
    assert documents[1].line == 6


def test_a_syntax_error_points_at_the_problem_and_keeps_earlier_documents() -> None:
    result = load("kind: A\n---\nspec:\n  replicas: 3\n selector: {}\n")
    assert [d.obj for d in result.documents] == [{"kind": "A"}]
    assert only_error(result).startswith(
        "m.yaml:5:2: error: YAML syntax error: did not find expected key"
    )


def test_an_unclosed_flow_sequence_is_a_syntax_error_naming_where_it_started() -> None:
    message = only_error(load("ports: [80, 443\nkind: Pod\n"))
    assert "YAML syntax error" in message
    assert "started at line 1, column 8" in message


def test_tabs_in_indentation_get_a_message_about_tabs() -> None:
    assert only_error(load("spec:\n\treplicas: 3\n")) == (
        "m.yaml:2:1: error: YAML syntax error: tab character; indent with spaces"
    )


def test_a_duplicate_key_is_an_error_at_the_second_key() -> None:
    result = load("kind: Pod\nspec:\n  replicas: 1\n  replicas: 2\n")
    assert result.documents == ()
    assert only_error(result) == (
        'm.yaml:4:3: error: key "replicas" already set in map (first set at line 3)'
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("- a\n- b\n", "a list"),
        ("just text\n", "the scalar 'just text'"),
        ("42\n", "the scalar 42"),
    ],
)
def test_a_document_that_is_not_a_mapping_is_an_error(text: str, found: str) -> None:
    assert only_error(load(text)) == (
        "m.yaml:1:1: error: expected a Kubernetes object (a mapping with apiVersion and kind), "
        f"found {found}"
    )


def test_an_empty_file_has_no_objects_and_only_a_warning() -> None:
    for text in ("", "# only a comment\n", "---\n---\n"):
        result = load(text)
        assert result.documents == ()
        (warning,) = result.diagnostics
        assert str(warning) == "m.yaml:1:1: warning: no objects in this file"


def test_bytes_that_are_not_utf8_are_located() -> None:
    assert only_error(load(b"kind: Pod\nname: caf\xe9\n")) == (
        "m.yaml:2:10: error: invalid UTF-8 byte 0xe9; manifests must be UTF-8"
    )


def test_utf16_with_a_byte_order_mark_is_read() -> None:
    (document,) = load("kind: Pod\n".encode("utf-16")).documents
    assert document.obj == {"kind": "Pod"}


def test_a_binary_file_is_refused() -> None:
    assert only_error(load(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")) == (
        "m.yaml:1:1: error: binary file, not YAML or JSON text"
    )


def test_control_characters_are_refused_with_their_position() -> None:
    assert only_error(load("kind: Pod\nx: a\x07b\n")) == (
        "m.yaml:2:5: error: unacceptable character #x0007: control characters are not allowed"
    )


def test_a_huge_file_is_refused_unparsed() -> None:
    result = load(b"#" * (MAX_FILE_BYTES + 1))
    assert only_error(result) == (
        "m.yaml:1:1: error: file is larger than 5 MiB, the limit for a manifest file"
    )


def test_a_billion_laughs_alias_bomb_is_refused() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    message = only_error(load("\n".join(lines) + "\n"))
    assert f"aliases expand to more than {MAX_ALIAS_NODES} values" in message


def test_a_recursive_alias_is_refused() -> None:
    assert only_error(load("a: &a [1, *a]\n")) == (
        "m.yaml:1:11: error: alias *a refers to the node that contains it"
    )


def test_an_unknown_alias_is_an_error() -> None:
    assert only_error(load("a: *nowhere\n")) == "m.yaml:1:4: error: unknown alias *nowhere"


@pytest.mark.parametrize("opening", ["[", "{a: ", "- "])
def test_absurd_nesting_is_refused_without_crashing(opening: str) -> None:
    message = only_error(load(opening * 200_000))
    assert f"nesting deeper than {MAX_DEPTH} levels" in message


def test_an_unsupported_tag_spoils_only_its_document() -> None:
    result = load("kind: A\nx: !Ref y\n---\nkind: B\n")
    assert [d.obj["kind"] for d in result.documents] == ["B"]
    assert only_error(result) == "m.yaml:2:4: error: unsupported YAML tag !Ref"


def test_a_mapping_used_as_a_key_is_an_error() -> None:
    assert only_error(load("? {a: 1}\n: x\n")) == (
        "m.yaml:1:3: error: a mapping key must be a string, not a mapping"
    )


@pytest.mark.parametrize(
    ("text", "go"), [(".nan", "NaN"), (".inf", "+Inf"), ("-.Inf", "-Inf"), ("!!float .NaN", "NaN")]
)
def test_nan_and_infinities_are_refused_as_kubectl_refuses_them(text: str, go: str) -> None:
    result = load(f"kind: A\nlimits:\n  cpu: {text}\n---\nkind: B\nlimits:\n  cpu: '.nan'\n")
    assert [d.obj["limits"]["cpu"] for d in result.documents] == [".nan"]
    shown = text.removeprefix("!!float ")
    assert only_error(result) == (
        f"m.yaml:3:8: error: {shown} is not a number JSON can hold (kubectl: json: unsupported "
        f'value: {go}); quote it ("{shown}") if it is meant as text'
    )
