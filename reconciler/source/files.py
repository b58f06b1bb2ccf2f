"""Which files a command's PATH arguments name: files, folders (recursively) and `-` for stdin.

`reconciler validate`, `apply` and the daemon's watcher all decide here which paths are
manifests, so that a file the walk skips is also a file whose changes the watcher ignores: names
ending in .yaml, .yml or .json; not hidden (a leading dot, which also skips `.git/`); not an
editor's temporary file; not ignored by a `.reconcilerignore` (gitignore syntax); and never
through a symbolic link that leads out of the folder. A file named explicitly is read whatever
its name, as kubectl does. This module lists paths; it does not parse them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from reconciler.source.diagnostics import Diagnostic, error
from reconciler.source.ignore import IGNORE_FILE, IgnoreRules

SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILE_BYTES = 5 * 1024 * 1024
"""Larger files are refused unread (Kubernetes itself refuses objects over ~1.5 MiB in etcd)."""
TOO_LARGE = (
    f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB, the limit for a manifest file"
)
STDIN = "-"
STDIN_NAME = "STDIN"
"""How standard input is named in messages, as kubectl names it."""

_TEMP_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".crswap", "___jb_tmp___", "___jb_old___")


def is_editor_temp(name: str) -> bool:
    """Files editors write beside the real one while saving: vim's `4913` probe and swap files,
    Emacs `#autosave#` and `.#lock` files, `~` backups, JetBrains' safe-write copies, `*.tmp`."""
    return (
        name == "4913"
        or name.endswith(_TEMP_SUFFIXES)
        or name.startswith(".#")
        or (name.startswith("#") and name.endswith("#"))
    )


def is_manifest_name(name: str) -> bool:
    """Whether a file of this name found in a folder is read as a manifest."""
    return name.lower().endswith(SUFFIXES) and not name.startswith(".") and not is_editor_temp(name)


class SourceFile(NamedTuple):
    """A file to read: `path` None means standard input; `display` is how messages name it.
    A folder's walk gives plain strings (a `Path` per file cost more than reading the file).
    A NamedTuple, like `Found`: one is made per file, and a frozen dataclass costs more to
    define at start-up and to make."""

    path: str | os.PathLike[str] | None
    display: str


class Found(NamedTuple):
    """A manifest file a folder's walk found."""

    path: str
    real: str
    """With symbolic links resolved: one file reached twice is listed once."""
    relative: str
    """Inside the folder, `/`-separated (`apps/kubia-rc.yaml`)."""


class ManifestTree:
    """One folder of manifests: its files, and whether a given path below it is one of them."""

    def __init__(self, root: Path, display: str | None = None) -> None:
        self.root = root
        self.display_root = display if display is not None else str(root)
        shown = os.path.normpath(self.display_root)
        self._display_prefix = "" if shown == os.curdir else os.path.join(shown, "")
        self._real_root = os.path.realpath(root)
        self._root_prefix = os.path.join(str(root), "")

    def files(self) -> list[Path]:
        """Every manifest below the folder, in path order. A file reachable both directly and
        through a symbolic link inside the folder is listed once, by its direct path."""
        return [Path(found.path) for found in self.entries()]

    def entries(self) -> list[Found]:
        """`files()` as strings, with each file's real path (symbolic links resolved) and its
        path inside the folder."""
        found: dict[str, tuple[Found, bool]] = {}
        linked: list[tuple[str, str, str, IgnoreRules]] = []
        seen = {self._real_root}
        self._walk(str(self.root), self._real_root, "", IgnoreRules(), seen, found, linked)
        while linked:  # folders behind links last, so real paths win
            folder, real, relative, rules = linked.pop(0)
            self._walk(folder, real, relative, rules, seen, found, linked)
        return sorted((entry for entry, _ in found.values()), key=lambda entry: entry.relative)

    def display(self, path: Path) -> str:
        """How messages name a file of this folder: the folder as the user wrote it, joined with
        the file's path inside it (`manifests/kubia-rc.yaml`)."""
        return os.path.normpath(os.path.join(self.display_root, self._relative(path)))

    def display_relative(self, relative: str) -> str:
        """`display` of a file the walk found, from its path inside the folder (which holds no
        `.` or `..`, so only the folder's part needs normalising, once)."""
        return self._display_prefix + relative.replace("/", os.sep)

    def wants(self, path: Path, *, directory: bool = False) -> bool:
        """Whether a path below the folder is (or, for a folder, may hold) a manifest: the test
        the watcher applies to each change, consistent with `files()`."""
        relative = self._relative(path)
        if relative in ("", "."):
            return directory
        parts = relative.split("/")
        if parts[0] == ".." or any(part.startswith(".") for part in parts):
            return False
        if not directory and not is_manifest_name(parts[-1]):
            return False
        if path.is_symlink() and not self._inside(os.path.realpath(path)):
            return False
        return not self._rules_for(parts[:-1]).ignores(relative, directory=directory)

    def _relative(self, path: Path) -> str:
        text = str(path)
        if text.startswith(self._root_prefix):  # the usual case, without relpath's cost
            return text[len(self._root_prefix) :].replace(os.sep, "/")
        return os.path.relpath(path, self.root).replace(os.sep, "/")

    def _inside(self, real: str) -> bool:
        return real == self._real_root or real.startswith(self._real_root + os.sep)

    def _rules_for(self, folders: Sequence[str]) -> IgnoreRules:
        """The rules in force in a folder: the ignore files of the root and of each folder down."""
        rules = _read_rules(self.root, "", IgnoreRules())
        for depth in range(1, len(folders) + 1):
            relative = "/".join(folders[:depth])
            rules = _read_rules(self.root / relative, relative, rules)
        return rules

    def _walk(
        self,
        folder: str,
        real_folder: str,
        relative: str,
        rules: IgnoreRules,
        seen: set[str],
        found: dict[str, tuple[Found, bool]],
        linked: list[tuple[str, str, str, IgnoreRules]],
    ) -> None:
        rules = _read_rules(folder, relative, rules)
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return  # unreadable or vanished meanwhile: nothing to read there
        real_prefix = os.path.join(real_folder, "")  # once, not an os.path.join per file
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            inner = f"{relative}/{name}" if relative else name
            is_link = entry.is_symlink()
            if is_link:
                real = os.path.realpath(entry.path)
                if not self._inside(real):
                    continue
            else:
                real = real_prefix + name
            try:
                is_folder = entry.is_dir()
                is_file = not is_folder and entry.is_file()
            except OSError:
                continue
            if is_folder:
                if real in seen or rules.matches(inner, directory=True):
                    continue
                if is_link:
                    linked.append((entry.path, real, inner, rules))
                    continue
                seen.add(real)
                self._walk(entry.path, real, inner, rules, seen, found, linked)
            elif is_file and is_manifest_name(name) and not rules.matches(inner, directory=False):
                previous = found.get(real)
                if previous is None or (previous[1] and not is_link):
                    found[real] = (Found(entry.path, real, inner), is_link)


def _read_rules(folder: str | Path, relative: str, rules: IgnoreRules) -> IgnoreRules:
    try:
        path = os.path.join(folder, IGNORE_FILE)
        with open(path, encoding="utf-8", errors="replace") as stream:
            text = stream.read()
    except OSError:
        return rules
    return rules.extended(text, relative)


def collect(arguments: Sequence[str]) -> tuple[list[SourceFile], list[Diagnostic]]:
    """The files PATH arguments name, each once, in argument order (folders walked in name
    order), and one diagnostic per argument that names nothing."""
    files: list[SourceFile] = []
    problems: list[Diagnostic] = []
    seen: set[str] = set()

    def add(path: str | Path | None, display: str, identity: str) -> None:
        if identity not in seen:
            seen.add(identity)
            files.append(SourceFile(path, display))

    for argument in arguments:
        if argument == STDIN:
            add(None, STDIN_NAME, STDIN)
            continue
        path = Path(argument)
        if path.is_dir():
            tree = ManifestTree(path, argument)
            for found in tree.entries():
                add(found.path, tree.display_relative(found.relative), found.real)
        elif path.is_file():
            add(path, argument, os.path.realpath(path))
        elif path.exists() or path.is_symlink():
            problems.append(error(argument, 0, 0, "not a regular file or folder"))
        else:
            problems.append(error(argument, 0, 0, "no such file or directory"))
    return files, problems
