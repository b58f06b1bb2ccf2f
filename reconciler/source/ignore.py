"""Ignore rules: `.reconcilerignore` files in gitignore syntax, like Flux's `.sourceignore`.

The folder walk (`files.py`) and, through it, the daemon's watcher ask whether a path below a
manifest folder is ignored. Supported: comments, blank lines, `!` negation (the last matching rule
wins), a trailing `/` for directories only, a leading or inner `/` anchoring a pattern to the
folder of the ignore file, `*`, `?`, `[...]`, and `**` for any number of folders. As in git, a
file inside an ignored folder stays ignored whatever later rules say. Pure: parses text, never
reads files.
"""

from __future__ import annotations

import re
from typing import NamedTuple

IGNORE_FILE = ".reconcilerignore"


class _Rule(NamedTuple):
    pattern: re.Pattern[str]
    negated: bool
    directories_only: bool
    base: str
    """Folder of the ignore file the rule came from, relative to the root ("" for the root)."""


def _translate(glob: str) -> str:
    """Regex for one gitignore glob (already stripped of `!`, anchoring and trailing `/`)."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("/**", i) and i + 3 == len(glob):
            out.append("/.*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = glob.find("]", i + 2)
            if end == -1:
                out.append(re.escape(c))
                i += 1
                continue
            body = glob[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append(f"[{body}]")
            i = end + 1
        elif c == "\\" and i + 1 < len(glob):
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _parse_line(line: str, base: str) -> _Rule | None:
    if line.endswith("\n"):
        line = line[:-1]
    stripped = line.rstrip(" \t")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "  # an escaped trailing space is part of the pattern
    line = stripped
    if not line or line.startswith("#"):
        return None
    negated = line.startswith("!")
    if negated or line.startswith("\\!") or line.startswith("\\#"):
        line = line[1:]
    directories_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    line = line.lstrip("/")
    prefix = "" if anchored or line.startswith("**/") else "(?:.*/)?"
    pattern = re.compile(prefix + _translate(line) + r"\Z", re.DOTALL)
    return _Rule(pattern, negated, directories_only, base)


class IgnoreRules:
    """The rules in force for one folder tree; immutable, extended per ignore file found."""

    def __init__(self, rules: tuple[_Rule, ...] = ()) -> None:
        self._rules = rules

    def __bool__(self) -> bool:
        return bool(self._rules)

    def extended(self, text: str, base: str = "") -> IgnoreRules:
        """These rules plus those of an ignore file in folder `base` (relative, `/`-separated)."""
        added = tuple(
            rule for line in text.splitlines() if (rule := _parse_line(line, base)) is not None
        )
        return IgnoreRules(self._rules + added) if added else self

    def matches(self, relative: str, *, directory: bool) -> bool:
        """Whether this one path (relative to the root, `/`-separated) is ignored by a rule,
        not looking at its parent folders."""
        ignored = False
        for rule in self._rules:
            if rule.directories_only and not directory:
                continue
            if rule.base:
                if not relative.startswith(rule.base + "/"):
                    continue
                candidate = relative[len(rule.base) + 1 :]
            else:
                candidate = relative
            if rule.pattern.match(candidate):
                ignored = not rule.negated
        return ignored

    def ignores(self, relative: str, *, directory: bool = False) -> bool:
        """Whether a path is ignored, itself or through one of its parent folders."""
        parts = relative.split("/")
        for end in range(1, len(parts)):
            if self.matches("/".join(parts[:end]), directory=True):
                return True
        return self.matches(relative, directory=directory)
