"""JSON Schema checks: each kind's schema from `schemas/`, compiled once, errors in API words.

The validator (`validate.py`) calls `schema_problems` for every object whose kind has a schema;
this is the only module that uses jsonschema and fastjsonschema. fastjsonschema turns a schema
into Python code that checks an object about eight times faster than jsonschema, but it stops at
the first error and says little about it: so it decides whether an object is valid (nearly all
are), and jsonschema, which lists every error with its path, explains the others. The schema
files ship inside the package (`reconciler/schemas` links to the repository's `schemas/`), and
the kinds registry names the file for each kind. Explicit nulls are dropped before checking, as
the API server's decoder treats `field: null` like an absent field (`creationTimestamp: null` in
`kubectl create --dry-run -o yaml` output is valid).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.model.kinds import BY_KIND
from reconciler.model.merge import without_nulls
from reconciler.source import fielderrors
from reconciler.source.diagnostics import FieldProblem
from reconciler.source.document import FieldPath, render_field

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}
MESSAGE_KEYWORD = "x-reconciler-message"
"""Schema annotation with the API server's wording for a failed `pattern`."""
SCHEMA_BASE = "https://reconciler.invalid/schemas/"
"""Where fastjsonschema is told the schema files live, so that their references between files
resolve; `_is_valid` serves them from the package (a `.invalid` name never reaches a network)."""


def _schema_dir() -> Path:
    """The package's schema files, on disk beside its modules in every kind of install (a plain
    path: importlib.resources and the zipfile module it brings cost more than reading them)."""
    return Path(__file__).parents[1] / "schemas"


@functools.cache
def _schemas() -> dict[str, Any]:
    """Every schema file by name, read and parsed once per process."""
    return {
        entry.name: json.loads(entry.read_bytes())
        for entry in _schema_dir().iterdir()
        if entry.name.endswith(".json")
    }


@functools.cache
def _validator(schema_file: str) -> Draft202012Validator:
    """A validator for one kind's schema with every `$ref` already followed: our schemas
    have no cycles, and following references per value is most of jsonschema's cost."""
    # Imported here, not above: jsonschema takes ~50 ms to import, and a run whose files are
    # all in the validation cache never needs it.
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    schemas = _schemas()
    registry: Registry[Any] = Registry().with_resources(
        (name, Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in schemas.items()
    )
    resolver = registry.resolver()
    inlined = _inline(schemas[schema_file], resolver, schema_file, {})
    return Draft202012Validator(inlined)


@functools.cache
def _is_valid(schema_file: str) -> Callable[[Any], bool]:
    """Whether an object passes one kind's schema, by fastjsonschema's code for it (each
    reference a function of its own)."""
    import fastjsonschema  # imported here for the same reason as jsonschema

    schemas = copy.deepcopy(_schemas())  # fastjsonschema writes into what it is served

    def served(uri: str) -> Any:
        return schemas[uri.removeprefix(SCHEMA_BASE)]

    check = fastjsonschema.compile(
        {**schemas[schema_file], "$id": SCHEMA_BASE + schema_file},
        handlers={"https": served},
        use_default=False,  # check the object, never fill in its defaults
        detailed_exceptions=False,
    )

    def is_valid(obj: Any) -> bool:
        try:
            check(obj)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return is_valid


def _inline(node: Any, resolver: Any, base: str, done: dict[str, Any]) -> Any:
    """A copy of a schema with each `{"$ref": ...}` replaced by its target (targets shared)."""
    if isinstance(node, list):
        return [_inline(item, resolver, base, done) for item in node]
    if not isinstance(node, dict):
        return node
    reference = node.get("$ref")
    if isinstance(reference, str):
        target = reference if "#" not in reference or reference.split("#")[0] else base + reference
        if target not in done:
            resolved = resolver.lookup(target)
            document = target.split("#")[0]
            done[target] = _inline(resolved.contents, resolver, document, done)
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return {**done[target], **rest} if rest else done[target]
    return {key: _inline(value, resolver, base, done) for key, value in node.items()}


def schema_problems(obj: dict[str, Any]) -> list[FieldProblem]:
    """What the kind's schema says is wrong with an object (nothing for kinds without one)."""
    info = BY_KIND.get(str(obj.get("kind")))
    if info is None or info.schema is None:
        return []
    checked = without_nulls(obj)
    if _is_valid(info.schema)(checked):
        return []
    problems: list[FieldProblem] = []
    seen: set[tuple[FieldPath, str]] = set()
    for error in _validator(info.schema).iter_errors(checked):
        for problem in _translate(error):
            if (problem.field, problem.message) not in seen:
                seen.add((problem.field, problem.message))
                problems.append(problem)
    return problems


def _translate(error: ValidationError) -> list[FieldProblem]:
    field: FieldPath = tuple(error.absolute_path)
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    value: Any = error.instance
    expected: Any = error.validator_value
    if keyword == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        extras = [key for key in value if key not in allowed]
        return [fielderrors.unknown_field((*field, key), allowed) for key in extras]
    if keyword == "required":
        return [fielderrors.required((*field, name)) for name in expected if name not in value]
    if keyword == "type":
        return [_type_problem(field, value, expected)]
    if keyword == "enum":
        return [fielderrors.unsupported(field, value, [str(v) for v in expected])]
    if keyword in ("minimum", "maximum"):
        return [fielderrors.invalid(field, value, _range_detail(schema, keyword))]
    if keyword == "minItems":
        return [fielderrors.required(field, "must have at least one item")]
    if keyword == "minLength":
        return [fielderrors.invalid(field, value, "must be non-empty")]
    if keyword == "pattern":
        detail = schema.get(MESSAGE_KEYWORD) or f"must match the regular expression '{expected}'"
        return [fielderrors.invalid(field, value, str(detail))]
    return [FieldProblem(field, f"{render_field(field) or '(root)'}: {error.message}")]


def _type_problem(field: FieldPath, value: Any, expected: str | list[str]) -> FieldProblem:
    kinds = [expected] if isinstance(expected, str) else list(expected)
    wanted = " or ".join(_TYPE_NAMES.get(kind, kind) for kind in kinds)
    detail = f"must be {wanted}"
    if "string" in kinds and isinstance(value, bool | int | float):
        detail += " (quote it to keep it text)"
    elif kinds == ["array"] and isinstance(value, dict):
        detail += " (start each item with '- ')"
    return fielderrors.invalid(field, value, detail)


def _range_detail(schema: dict[str, Any], keyword: str) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None and high <= 65535:  # ports and such
        return f"must be between {low} and {high}, inclusive"
    if keyword == "minimum":
        return f"must be greater than or equal to {low}"
    return f"must be less than or equal to {high}"
