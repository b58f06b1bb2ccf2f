"""Every command is documented: help with an example, and a row in README's tour table.

Walks the real typer app (sub-apps included), so a command added anywhere without docs fails
here, as sqlite-utils' test_docs does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import product
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main

from reconciler.cli.app import app

README = Path(__file__).resolve().parents[2] / "README.md"
COMMAND_WORD = re.compile(r"^[a-z][a-z-]*(\\\|[a-z][a-z-]*)*$")


def commands(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """(`cluster node stop`, command) for every runnable command, groups walked. (Typer brings
    its own copy of click, so groups are recognised by what they do, not by class.)"""
    context = typer.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        if hasattr(command, "list_commands"):
            yield from commands(command, (*prefix, name))
        else:
            yield " ".join((*prefix, name)), command


ALL = sorted(commands(typer.main.get_command(app)), key=lambda pair: pair[0])


def tour_commands() -> set[str]:
    """The command paths README's tour table documents (`stop\\|start` counts as both)."""
    text = README.read_text()
    tour = text[text.index("## A short tour") :]
    tour = tour[: tour.index("\n## ", 1)]
    covered = set()
    for cell in re.findall(r"^\| `reconciler ([^`]*)`", tour, flags=re.MULTILINE):
        words = []
        for word in cell.split():
            if not COMMAND_WORD.match(word):
                break
            words.append(word.split("\\|"))
        for choice in product(*words):
            # `scale rc\|rs NAME` documents `scale`: every leading run of words counts
            covered.update(" ".join(choice[:end]) for end in range(1, len(choice) + 1))
    return covered


def test_the_app_has_commands() -> None:
    assert {"get", "describe", "delete", "scale", "expose", "run"} <= {path for path, _ in ALL}


@pytest.mark.parametrize(("path", "command"), ALL, ids=[path for path, _ in ALL])
def test_every_command_has_help_with_an_example(path: str, command: Any) -> None:
    help_text = command.help or ""
    assert help_text.strip(), f"`reconciler {path}` has no help"
    assert "Example" in help_text, f"`reconciler {path}` help shows no example"


@pytest.mark.parametrize(("path", "command"), ALL, ids=[path for path, _ in ALL])
def test_every_command_is_in_the_readme_tour(path: str, command: Any) -> None:
    assert path in tour_commands(), f"`reconciler {path}` is missing from README's tour table"


def test_ci_runs_exactly_the_test_command_readme_gives() -> None:
    """CI must prove what a newcomer is told to run: the README's second quick-start command."""
    blocks = re.findall(r"```sh\n(.*?)\n```", README.read_text(), flags=re.DOTALL)
    test_command = next(block for block in blocks if "pytest" in block)
    ci = (README.parent / ".ci" / "run").read_text().splitlines()
    assert test_command in ci
