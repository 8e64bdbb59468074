"""Finding plugin entry points without importing them, with a cache keyed by the environment.

Scanning every installed distribution with ``importlib.metadata`` costs tens of milliseconds, a
large share of ``pyflyte --help``. The result only changes when a distribution is installed,
upgraded, reinstalled or removed, which adds, removes or rewrites a ``*.dist-info`` / ``*.egg-info``
entry of a ``sys.path`` directory; the scan is cached under a digest of those entries' names and
modification times (other files of the directories, such as the user's own scripts, do not count).
``FLYTE_PLUGIN_CACHE=0`` turns the cache off.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from dataclasses import asdict, dataclass

_CACHE_FORMAT = 1
_CACHE_KEYS_KEPT = 16


@dataclass(frozen=True)
class EntryPointRecord:
    """One entry point of the plugin group, as declared by its distribution."""

    name: str
    value: str
    distribution: str
    version: str


def discover_entry_points(group: str) -> list[EntryPointRecord]:
    """Every entry point of ``group`` in installed distributions, in ``sys.path`` order."""
    if os.environ.get("FLYTE_PLUGIN_CACHE", "1").strip().lower() in ("0", "false", "no", "off"):
        return _scan(group)
    key = _environment_key(group)
    cache_file = _cache_file()
    entries = _read_cache(cache_file)
    cached = entries.get(key)
    if cached is not None:
        try:
            return [EntryPointRecord(**record) for record in cached]
        except TypeError:
            pass  # written by another format: rescan
    records = _scan(group)
    entries.pop(key, None)
    entries[key] = [asdict(record) for record in records]
    _write_cache(cache_file, dict(list(entries.items())[-_CACHE_KEYS_KEPT:]))
    return records


def _scan(group: str) -> list[EntryPointRecord]:
    from importlib.metadata import entry_points

    records: list[EntryPointRecord] = []
    seen: set[tuple[str, str]] = set()
    for ep in entry_points(group=group):  # already one distribution per name, first on sys.path wins
        dist = ep.dist
        dist_name = (dist.metadata["Name"] or "unknown") if dist is not None else "unknown"
        version = (dist.version or "") if dist is not None else ""
        if (dist_name, ep.name) in seen:
            continue
        seen.add((dist_name, ep.name))
        records.append(EntryPointRecord(name=ep.name, value=ep.value, distribution=dist_name, version=version))
    return records


_METADATA_SUFFIXES = (".dist-info", ".egg-info", ".egg-link", ".pth", ".egg")


def _environment_key(group: str) -> str:
    parts = [f"{_CACHE_FORMAT}", group, sys.executable]
    for entry in sys.path:
        path = entry or os.getcwd()
        parts.append(path)
        try:
            with os.scandir(path) as entries:
                parts.extend(f"{e.name}@{e.stat().st_mtime_ns}" for e in entries if e.name.endswith(_METADATA_SUFFIXES))
        except OSError:
            parts.append(_file_stamp(path))
    text = "\n".join(parts).encode("utf-8", "surrogateescape")
    return f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}{len(text):x}"


def _file_stamp(path: str) -> str:
    try:
        return str(os.stat(path).st_mtime_ns)
    except OSError:
        return "-"


def _cache_file() -> str:
    root = os.environ.get("FLYTE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "flyte-core"
    )
    return os.path.join(root, "entry-points.json")


def _read_cache(path: str) -> dict[str, list[dict[str, str]]]:
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _CACHE_FORMAT:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _write_cache(path: str, entries: dict[str, list[dict[str, str]]]) -> None:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as file:
            json.dump({"format": _CACHE_FORMAT, "entries": entries}, file)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs the scan next time
