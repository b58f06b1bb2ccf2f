"""`reconciler validate PATH...`: check manifests against the schemas and Kubernetes' rules.

Thin: `source.validate.validate_paths` does the work (with the on-disk cache under the state
home, so a second run over unchanged files costs little more than reading them); this module
prints one `path:line:col: error: message (kind/name)` line per problem and a summary, or JSON,
and exits 0 when everything is valid, 1 when not.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer

from reconciler.source.parallel import workers_available
from reconciler.source.validate import Report, object_label, validate_paths
from reconciler.store.paths import state_home

commands = typer.Typer()

CACHE_FOLDER = "cache"


class Output(StrEnum):
    """Output formats of `validate`."""

    TEXT = "text"
    JSON = "json"


@commands.command()
def validate(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Manifest files, folders (read recursively) or - for standard input.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Output, typer.Option("-o", "--output", help="text (one line per problem) or json.")
    ] = Output.TEXT,
    cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache",
            help="Reuse results for files already checked (kept under $RECONCILER_HOME/cache).",
        ),
    ] = True,
) -> None:
    """Check manifests against the JSON schemas and Kubernetes' validation rules.

    One line per problem, `path:line:col: error: message (kind/name)`, then a summary.

    Exits 0 when every object is valid, 1 when not.

    Example: reconciler validate manifests/
    """
    report = validate_paths(
        paths, disk=state_home() / CACHE_FOLDER if cache else None, workers=workers_available()
    )
    if output is Output.JSON:
        typer.echo(json.dumps(as_json(report), indent=2))
    else:
        for diagnostic in report.diagnostics:
            typer.echo(str(diagnostic))
        typer.echo(summary(report))
    raise typer.Exit(0 if report.valid else 1)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary(report: Report) -> str:
    """`2 files, 2 objects: valid` or `3 files, 5 objects: 2 errors, 1 warning`."""
    head = f"{_count(report.files, 'file')}, {_count(len(report.documents), 'object')}: "
    tail = _count(report.errors, "error") if report.errors else "valid"
    if report.warnings:
        tail += f", {_count(report.warnings, 'warning')}"
    return head + tail


def as_json(report: Report) -> dict[str, Any]:
    """The `-o json` document: verdict, counts, objects and diagnostics."""
    objects = []
    for document in report.documents:
        obj = document.obj
        meta: dict[str, Any] = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
        objects.append(
            {
                "object": object_label(obj),
                "apiVersion": obj.get("apiVersion"),
                "kind": obj.get("kind"),
                "namespace": meta.get("namespace"),
                "name": meta.get("name"),
                "path": document.path,
                "line": document.line,
                "column": document.column,
            }
        )
    return {
        "valid": report.valid,
        "files": report.files,
        "errors": report.errors,
        "warnings": report.warnings,
        "objects": objects,
        "diagnostics": [diagnostic.to_json() for diagnostic in report.diagnostics],
    }
