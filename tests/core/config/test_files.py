"""Which config file is used (flytekit's search order) and how unreadable files are reported."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from flyte_core.config import (
    Config,
    ConfigError,
    ConfigFile,
    ConfigFileNotFoundError,
    PlatformConfig,
    find_config_file,
    get_config_file,
    use_config_file,
)

from .conftest import WriteFile

YAML_A = "admin:\n  endpoint: dns:///a.example.com\n"
INI_B = "[platform]\nurl = b.example.com\n"


def _endpoint(config_file: str | Path | None = None) -> str:
    return PlatformConfig.auto(config_file).endpoint


def test_no_file_anywhere_gives_the_defaults() -> None:
    assert find_config_file() is None
    assert get_config_file() is None
    assert _endpoint() == "localhost:30080"


def test_home_flyte_config_yaml_is_found(write_file: WriteFile) -> None:
    write_file("home/.flyte/config.yaml", YAML_A)
    assert _endpoint() == "a.example.com"


def test_home_flyte_config_ini_comes_before_home_config_yaml(write_file: WriteFile, home: Path) -> None:
    write_file("home/.flyte/config.yaml", YAML_A)
    write_file("home/.flyte/config", INI_B)
    assert find_config_file() == home / ".flyte" / "config"
    assert _endpoint() == "b.example.com"


def test_flytekit_config_in_the_working_directory_comes_before_the_home_files(write_file: WriteFile) -> None:
    write_file("home/.flyte/config", "[platform]\nurl = home.example.com\n")
    write_file("work/flytekit.config", INI_B)
    assert _endpoint() == "b.example.com"


def test_flytectl_config_variable_comes_before_the_working_directory(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_file("work/flytekit.config", INI_B)
    path = write_file("elsewhere/sandbox.yaml", YAML_A)
    monkeypatch.setenv("FLYTECTL_CONFIG", str(path))
    assert _endpoint() == "a.example.com"


def test_flytectl_config_pointing_nowhere_is_a_warning_and_the_search_goes_on(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, isolated: Path
) -> None:
    write_file("work/flytekit.config", INI_B)
    monkeypatch.setenv("FLYTECTL_CONFIG", str(isolated / "missing.yaml"))
    with caplog.at_level(logging.WARNING, logger="flyte_core.config"):
        assert _endpoint() == "b.example.com"
    assert "FLYTECTL_CONFIG" in caplog.text
    assert "missing.yaml" in caplog.text


def test_pyflyte_override_comes_before_flytectl_config(write_file: WriteFile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTECTL_CONFIG", str(write_file("sandbox.yaml", YAML_A)))
    monkeypatch.setenv("_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE", str(write_file("cli.config", INI_B)))
    assert _endpoint() == "b.example.com"


def test_pyflyte_override_pointing_nowhere_is_an_error_naming_the_file(
    monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    monkeypatch.setenv("_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE", str(isolated / "typo.yaml"))
    with pytest.raises(ConfigFileNotFoundError, match=r"typo\.yaml does not exist \(given with pyflyte -c"):
        Config.auto()


def test_explicit_file_argument_wins_over_every_searched_place(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE", str(write_file("cli.config", INI_B)))
    explicit = write_file("explicit.yaml", "admin:\n  endpoint: explicit.example.com\n")
    assert _endpoint(str(explicit)) == "explicit.example.com"
    assert _endpoint(explicit) == "explicit.example.com"


def test_explicit_file_that_does_not_exist_is_an_error_naming_it(isolated: Path) -> None:
    with pytest.raises(ConfigFileNotFoundError) as raised:
        Config.auto(str(isolated / "nope.yaml"))
    assert str(raised.value) == f"config file {isolated / 'nope.yaml'} does not exist"
    assert raised.value.file == str(isolated / "nope.yaml")
    assert isinstance(raised.value, FileNotFoundError)


def test_a_relative_path_is_read_from_the_working_directory(write_file: WriteFile, work: Path) -> None:
    write_file("work/my.yaml", YAML_A)
    config_file = ConfigFile("my.yaml")
    assert config_file.location == str(work / "my.yaml")
    assert config_file.yaml_config == {"admin": {"endpoint": "dns:///a.example.com"}}
    assert config_file.legacy_config is None


def test_a_name_not_ending_in_yaml_or_yml_is_read_as_ini(write_file: WriteFile) -> None:
    config_file = ConfigFile(write_file("settings.cfg", INI_B))
    assert config_file.yaml_config is None
    assert config_file.legacy_config is not None
    assert config_file.legacy_config.get("platform", "url") == "b.example.com"


def test_yml_extension_is_read_as_yaml(write_file: WriteFile) -> None:
    assert _endpoint(write_file("c.yml", YAML_A)) == "a.example.com"


def test_an_empty_yaml_file_sets_nothing(write_file: WriteFile) -> None:
    assert PlatformConfig.auto(write_file("empty.yaml", "")) == PlatformConfig()


def test_invalid_yaml_is_an_error_naming_the_file_and_the_line(write_file: WriteFile) -> None:
    path = write_file("broken.yaml", "admin:\n  endpoint: a\n  insecure: [true\n")
    with pytest.raises(ConfigError) as raised:
        Config.auto(path)
    message = str(raised.value)
    assert message.startswith(f"config file {path}, line 4, column 1: invalid YAML:")
    assert raised.value.file == str(path)
    assert raised.value.line == 4


def test_yaml_that_is_not_a_mapping_is_an_error(write_file: WriteFile) -> None:
    path = write_file("list.yaml", "- admin\n- storage\n")
    with pytest.raises(ConfigError, match=r"list\.yaml: expected a YAML mapping of sections .*, found a list"):
        ConfigFile(path)


def test_a_yaml_section_that_is_not_a_mapping_is_an_error_naming_it(write_file: WriteFile) -> None:
    path = write_file("c.yaml", "admin: localhost:30080\n")
    with pytest.raises(ConfigError, match=r"'admin' must be a mapping \(with a 'endpoint' key\), found the string"):
        PlatformConfig.auto(path)


def test_an_empty_yaml_section_sets_nothing(write_file: WriteFile) -> None:
    assert PlatformConfig.auto(write_file("c.yaml", "admin:\nstorage:\n")) == PlatformConfig()


def test_invalid_ini_is_an_error_naming_the_file_and_the_line(write_file: WriteFile) -> None:
    path = write_file("flytekit.config", "[platform]\nurl = x\nthis is not an option\n")
    with pytest.raises(ConfigError) as raised:
        ConfigFile(path)
    assert str(raised.value) == (
        f"config file {path}, line 3: invalid INI: cannot parse 'this is not an option' "
        "(expected 'option = value' or '[section]')"
    )
    assert raised.value.line == 3


def test_a_yaml_file_with_an_ini_name_says_it_was_read_as_ini(write_file: WriteFile) -> None:
    path = write_file("config", YAML_A)
    with pytest.raises(ConfigError, match=r"line 1: invalid INI: .* before any \[section\] header .*read as INI"):
        ConfigFile(path)


def test_a_duplicate_ini_option_is_an_error_naming_the_line(write_file: WriteFile) -> None:
    path = write_file("flytekit.config", "[aws]\nendpoint = a\nendpoint = b\n")
    with pytest.raises(ConfigError, match=r"line 3: invalid INI: option 'endpoint' appears twice in \[aws\]"):
        ConfigFile(path)


def test_an_ini_internal_section_is_refused(write_file: WriteFile) -> None:
    path = write_file("flytekit.config", "[internal]\nimage = x\n")
    with pytest.raises(ConfigError, match=r"the \[internal\] section is reserved"):
        ConfigFile(path)


def test_a_directory_is_not_a_config_file(isolated: Path) -> None:
    (isolated / "dir.yaml").mkdir()
    with pytest.raises(ConfigError, match=r"dir\.yaml cannot be read"):
        ConfigFile(isolated / "dir.yaml")


def test_use_config_file_makes_it_the_file_auto_reads(write_file: WriteFile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTECTL_CONFIG", str(write_file("sandbox.yaml", YAML_A)))
    # set then deleted, so that monkeypatch removes what use_config_file exports once the test is over
    monkeypatch.setenv("_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE", "")
    monkeypatch.delenv("_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE")
    use_config_file(write_file("cli.config", INI_B))
    assert _endpoint() == "b.example.com"


def test_use_config_file_reports_a_missing_file_at_once(isolated: Path) -> None:
    with pytest.raises(ConfigFileNotFoundError, match=r"gone\.yaml"):
        use_config_file(isolated / "gone.yaml")
