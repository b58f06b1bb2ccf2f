"""The root command: each command's module loads only when that command is used, and a
mistyped command name is answered with the names it resembles."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from reconciler.cli.app import COMMANDS, app

LOADED_MODULES = """
import sys
from reconciler.cli.app import main
sys.argv = ["reconciler", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(" ".join(sorted(name for name in sys.modules if name.startswith("reconciler."))))
"""


def loaded_after(*args: str) -> set[str]:
    """The reconciler modules a fresh process has imported after running the command."""
    result = subprocess.run(
        [sys.executable, "-c", LOADED_MODULES, *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(result.stdout.split("\n")[-2].split())


def test_version_loads_no_command_module() -> None:
    command_modules = {module for module, _ in COMMANDS.values()}
    assert not loaded_after("--version") & command_modules


def test_validate_loads_neither_the_cluster_nor_the_web_server() -> None:
    loaded = loaded_after("validate", "--help")
    assert "reconciler.cli.validate" in loaded
    assert not {m for m in loaded if m.startswith(("reconciler.cluster", "reconciler.web"))}


def test_a_mistyped_command_is_answered_with_the_ones_it_resembles() -> None:
    result = CliRunner().invoke(app, ["gte", "pods"])
    assert result.exit_code == 2
    assert "No such command 'gte'. Did you mean 'get'?" in result.output


def test_help_lists_every_command_in_the_tables_order() -> None:
    result = CliRunner().invoke(app, ["--help"], terminal_width=200)
    rows = [line for line in result.output.splitlines() if line.startswith("│ ") and line[2] != " "]
    listed = [row.split()[1] for row in rows]  # wrapped help continues on indented lines
    assert [name for name in listed if name in COMMANDS] == list(COMMANDS)
