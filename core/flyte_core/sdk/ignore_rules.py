"""Which files of a project stay out of its fast-registration archive and its ImageSpec source digest
(flytekit's rules). In the sdk layer because ImageSpec uses them; packaging builds archives with them.

A file is left out when any of these says so:

- git: what ``git ls-files --ignored --others --exclude-standard`` lists (``.gitignore`` files, the repository's
  exclude file and the global one), when the source is inside a git work tree;
- ``.dockerignore`` and ``.flyteignore`` at the source root, with Docker's pattern rules (``**``, ``!``
  exceptions, a pattern also matching everything under a matched directory);
- the standard patterns ``*.pyc``, ``.cache``, ``.cache/*``, ``__pycache__/*``, ``**/__pycache__/*``.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

STANDARD_IGNORE_PATTERNS = ("*.pyc", ".cache", ".cache/*", "__pycache__/*", "**/__pycache__/*")
PATTERN_FILES = (".dockerignore", ".flyteignore")


class IgnoreRules:
    """Every ignore rule of a source root; ``is_ignored(path)`` takes paths relative to it or absolute."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.fspath(root)
        self._git_ignored = git_ignored(self.root)
        self._pattern_files = [PatternMatcher(read_patterns(os.path.join(self.root, name))) for name in PATTERN_FILES]

    def is_ignored(self, path: str | os.PathLike[str]) -> bool:
        """Whether the file at ``path`` stays out of the archive."""
        relative = self._relative(path)
        posix = Path(relative).as_posix()
        if posix in self._git_ignored:
            return True
        if any(matcher.matches(posix) for matcher in self._pattern_files):
            return True
        return any(fnmatch.fnmatch(relative, pattern) for pattern in STANDARD_IGNORE_PATTERNS)

    def is_ignored_directory(self, path: str | os.PathLike[str]) -> bool:
        """Whether everything under the directory ``path`` is ignored, so walking it can be skipped."""
        posix = Path(self._relative(path)).as_posix()
        if f"{posix}/" in self._git_ignored:
            return True
        return any(m.matches(posix) and not m.has_exceptions for m in self._pattern_files)

    def _relative(self, path: str | os.PathLike[str]) -> str:
        relative = os.fspath(path)
        return os.path.relpath(relative, self.root) if os.path.isabs(relative) else relative


class PatternMatcher:
    """Docker's ``.dockerignore`` matching: the last matching pattern decides, ``!`` patterns re-include.

    A pattern matches a path or any of its leading directories (``build`` ignores ``build/x/y.py``);
    ``*`` and ``?`` stay within one path component, ``**`` spans any number; matching ignores case, as
    docker-py's does. ``.dockerignore`` itself is never ignored.
    """

    def __init__(self, patterns: Sequence[str]) -> None:
        self._patterns = [p for p in (_Pattern(text) for text in patterns) if p.parts]
        self.has_exceptions = any(p.exclusion for p in self._patterns)
        self._patterns.append(_Pattern("!.dockerignore"))

    def matches(self, path: str) -> bool:
        """Whether ``path`` (relative, ``/``-separated) is ignored."""
        parents = [part for part in path.split("/")[:-1] if part and part != "."]
        matched = False
        for pattern in self._patterns:
            hit = pattern.match(path)
            if not hit and parents and len(pattern.parts) <= len(parents):
                hit = pattern.match("/".join(parents[: len(pattern.parts)]))
            if hit:
                matched = not pattern.exclusion
        return matched


class _Pattern:
    def __init__(self, text: str) -> None:
        text = text.strip()
        self.exclusion = text.startswith("!")
        if self.exclusion:
            text = text[1:]
        parts: list[str] = []
        for part in text.strip().split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if parts:
                    parts.pop()
                continue
            parts.append(part)
        self.parts = parts
        self._regex = re.compile(_translate("/".join(parts)), re.IGNORECASE) if parts else None

    def match(self, path: str) -> bool:
        return self._regex is not None and self._regex.match(path) is not None


def _translate(pattern: str) -> str:
    """A Docker ignore pattern as a regular expression."""
    out = ["^"]
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            if i < n and pattern[i] == "*":
                i += 1
                if i < n and pattern[i] == "/":
                    i += 1
                out.append(".*" if i >= n else "(.*/)?")
            else:
                out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i
            if j < n and pattern[j] == "!":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                out.append("\\[")
            else:
                chars = pattern[i:j].replace("\\", "\\\\")
                i = j + 1
                if chars[0] == "!":
                    chars = "^" + chars[1:]
                elif chars[0] == "^":
                    chars = "\\" + chars
                out.append(f"[{chars}]")
        else:
            out.append(re.escape(c))
    out.append("$")
    return "".join(out)


def read_patterns(path: str) -> list[str]:
    """The patterns of an ignore file (``.dockerignore``...): its lines without comments; none if it is missing."""
    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line and not line.startswith("#")]


def git_ignored(root: str) -> frozenset[str]:
    """Paths under ``root`` git ignores (files, and directories with a trailing ``/``); empty outside git."""
    git = shutil.which("git")
    if git is None:
        return frozenset()
    ignored: set[str] = set()
    for extra in ([], ["--directory"]):
        try:
            result = subprocess.run(
                [git, "ls-files", "-z", "--ignored", "--others", "--exclude-standard", *extra],
                cwd=root,
                capture_output=True,
                check=False,
            )
        except OSError:
            return frozenset()
        if result.returncode != 0:  # not a git work tree
            return frozenset()
        ignored.update(p for p in result.stdout.decode("utf-8", "surrogateescape").split("\0") if p)
    return frozenset(ignored)
