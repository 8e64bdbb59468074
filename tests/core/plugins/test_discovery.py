"""Entry-point discovery reads real distribution metadata and caches it per environment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from flyte_core.plugins.discovery import EntryPointRecord, discover_entry_points

GROUP = "flyte_core.plugins"


def _write_distribution(site: Path, name: str, version: str, entry_points: str) -> Path:
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(entry_points)
    return info


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("FLYTE_CACHE_DIR", str(tmp_path / "cache"))
    return site


def test_finds_entry_points_of_the_group_with_their_distribution(site: Path) -> None:
    entry_points = f"[{GROUP}]\nhello = my_plugin.plugin\n[console_scripts]\nx = y:z\n"
    _write_distribution(site, "my-plugin", "3.1", entry_points)
    records = [r for r in discover_entry_points(GROUP) if r.distribution == "my-plugin"]
    expected = EntryPointRecord(name="hello", value="my_plugin.plugin", distribution="my-plugin", version="3.1")
    assert records == [expected]


def test_cache_is_reused_while_sys_path_directories_are_unchanged(site: Path) -> None:
    info = _write_distribution(site, "my-plugin", "3.1", f"[{GROUP}]\nhello = my_plugin.plugin\n")
    assert any(r.name == "hello" for r in discover_entry_points(GROUP))
    (info / "entry_points.txt").write_text("")  # invisible to the cache key: the cached result is served
    assert any(r.name == "hello" for r in discover_entry_points(GROUP))


def test_installing_a_distribution_invalidates_the_cache(site: Path) -> None:
    _write_distribution(site, "my-plugin", "3.1", f"[{GROUP}]\nhello = my_plugin.plugin\n")
    assert {r.name for r in discover_entry_points(GROUP)} >= {"hello"}
    _write_distribution(site, "other-plugin", "1.0", f"[{GROUP}]\nother = other_plugin\n")
    assert {r.name for r in discover_entry_points(GROUP)} >= {"hello", "other"}


def test_cache_can_be_turned_off(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    info = _write_distribution(site, "my-plugin", "3.1", f"[{GROUP}]\nhello = my_plugin.plugin\n")
    monkeypatch.setenv("FLYTE_PLUGIN_CACHE", "0")
    assert any(r.name == "hello" for r in discover_entry_points(GROUP))
    (info / "entry_points.txt").write_text("")
    assert not any(r.name == "hello" for r in discover_entry_points(GROUP))


def test_unreadable_cache_file_is_ignored(site: Path, tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "entry-points.json").write_text("{not json")
    _write_distribution(site, "my-plugin", "3.1", f"[{GROUP}]\nhello = my_plugin.plugin\n")
    assert any(r.name == "hello" for r in discover_entry_points(GROUP))


def test_a_distribution_found_twice_on_sys_path_is_loaded_once(site: Path, tmp_path: Path, monkeypatch) -> None:
    _write_distribution(site, "my-plugin", "3.1", f"[{GROUP}]\nhello = my_plugin.plugin\n")
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    assert [r.name for r in discover_entry_points(GROUP)].count("hello") == 1
