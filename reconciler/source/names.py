"""Name and label syntax, with the exact messages of Kubernetes' apimachinery validation.

Ports `k8s.io/apimachinery/pkg/util/validation`: DNS-1123 labels and subdomains, DNS-1035 labels,
qualified names (label and annotation keys), label values, IANA port names. Each `is_*` function
returns the list of problems (empty when valid), as the Go functions do, so callers can word
them as `field.Invalid(path, value, msg)`; `label_problems` words label-map problems as
`ValidateLabels` does. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from reconciler.source.diagnostics import FieldProblem
from reconciler.source.document import FieldPath, render_field
from reconciler.source.fielderrors import render_value

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL_ERR = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*"
DNS1123_SUBDOMAIN_ERR = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character"
)
DNS1123_SUBDOMAIN_MAX = 253
DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
DNS1035_LABEL_ERR = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character"
)
QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
QUALIFIED_NAME_ERR = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character"
)
QUALIFIED_NAME_MAX = 63
LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?"
LABEL_VALUE_ERR = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character"
)
LABEL_VALUE_MAX = 63
IANA_SVC_NAME_MAX = 15

_DNS1123_LABEL = re.compile(DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN = re.compile(DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL = re.compile(DNS1035_LABEL_FMT)
_QUALIFIED_NAME = re.compile(QUALIFIED_NAME_FMT)
_LABEL_VALUE = re.compile(LABEL_VALUE_FMT)
_PORT_NAME_CHARS = re.compile("[-a-z0-9]+")
_HAS_LETTER = re.compile("[a-z]")

NameCheck = Callable[[str], list[str]]


def regex_error(message: str, fmt: str, *examples: str) -> str:
    """`msg (e.g. 'a' or 'b', regex used for validation is 'fmt')`, as RegexError words it."""
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{example}'" for example in examples)
    return f"{message} (e.g. {shown}, regex used for validation is '{fmt}')"


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def is_dns1123_label(value: str) -> list[str]:
    problems = []
    if len(value) > DNS1123_LABEL_MAX:
        problems.append(max_len_error(DNS1123_LABEL_MAX))
    if not _DNS1123_LABEL.fullmatch(value):
        if _DNS1123_SUBDOMAIN.fullmatch(value):
            problems.append("must not contain dots")  # newer wording for an otherwise fine name
        else:
            problems.append(regex_error(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return problems


def is_dns1123_subdomain(value: str) -> list[str]:
    problems = []
    if len(value) > DNS1123_SUBDOMAIN_MAX:
        problems.append(max_len_error(DNS1123_SUBDOMAIN_MAX))
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        problems.append(regex_error(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, "example.com"))
    return problems


def is_dns1035_label(value: str) -> list[str]:
    problems = []
    if len(value) > DNS1123_LABEL_MAX:
        problems.append(max_len_error(DNS1123_LABEL_MAX))
    if not _DNS1035_LABEL.fullmatch(value):
        problems.append(regex_error(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return problems


def as_prefix(check: NameCheck) -> NameCheck:
    """The check for a generateName prefix: a trailing '-' is fine, a suffix will follow."""

    def prefix_check(value: str) -> list[str]:
        return check(value[:-1] + "a" if value.endswith("-") else value)

    return prefix_check


def is_qualified_name(value: str) -> list[str]:
    """Label and annotation keys: `[prefix/]name`, prefix a DNS-1123 subdomain."""
    problems: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            problems.append("prefix part must be non-empty")
        else:
            problems.extend(f"prefix part {message}" for message in is_dns1123_subdomain(prefix))
    else:
        example = regex_error(
            QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"
        )
        return [
            f"a qualified name {example} with an optional DNS subdomain prefix and '/' "
            "(e.g. 'example.com/MyName')"
        ]
    if not name:
        problems.append("name part must be non-empty")
    elif len(name) > QUALIFIED_NAME_MAX:
        problems.append(f"name part {max_len_error(QUALIFIED_NAME_MAX)}")
    if not _QUALIFIED_NAME.fullmatch(name):
        problems.append(
            "name part "
            + regex_error(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
        )
    return problems


def is_label_value(value: str) -> list[str]:
    problems = []
    if len(value) > LABEL_VALUE_MAX:
        problems.append(max_len_error(LABEL_VALUE_MAX))
    if not _LABEL_VALUE.fullmatch(value):
        problems.append(
            regex_error(LABEL_VALUE_ERR, LABEL_VALUE_FMT, "MyValue", "my_value", "12345")
        )
    return problems


def is_port_name(value: str) -> list[str]:
    """IANA service names, which container and target ports may be called by."""
    problems = []
    if len(value) > IANA_SVC_NAME_MAX:
        problems.append(max_len_error(IANA_SVC_NAME_MAX))
    if not _PORT_NAME_CHARS.fullmatch(value):
        problems.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _HAS_LETTER.search(value):
        problems.append("must contain at least one letter (a-z)")
    if "--" in value:
        problems.append("must not contain consecutive hyphens (--)")
    if value.startswith("-") or value.endswith("-"):
        problems.append("must not begin or end with a hyphen")
    return problems


def label_problems(labels: Any, path: FieldPath, *, keys_only: bool = False) -> list[FieldProblem]:
    """Problems with a label map's keys and values, reported against the map as Kubernetes
    does (`metadata.labels: Invalid value: "-x": ...`) but positioned on the entry itself."""
    if not isinstance(labels, dict):
        return []
    shown = render_field(path)
    problems = []
    for key, value in labels.items():
        entry = (*path, key)
        for message in is_qualified_name(key):
            text = f"{shown}: Invalid value: {render_value(key)}: {message}"
            problems.append(FieldProblem(entry, text, at_key=True))
        if keys_only or not isinstance(value, str):
            continue
        for message in is_label_value(value):
            problems.append(
                FieldProblem(entry, f"{shown}: Invalid value: {render_value(value)}: {message}")
            )
    return problems
