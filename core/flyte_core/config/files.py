"""Finding and reading configuration files, in flytekit's search order.

Two formats exist: the flytectl YAML file (``~/.flyte/config.yaml``: ``admin.endpoint``, ``storage...``),
and the legacy INI ``flytekit.config`` (``[platform] url``...). A name ending in ``yaml``/``yml`` is read as
YAML, anything else as INI, as flytekit does. Unlike flytekit, a file that cannot be parsed is an error
naming the file and the line, never silently ignored.
"""

from __future__ import annotations

import configparser
import logging
import os
from pathlib import Path
from typing import Any, TypeAlias

from flyte_core.config.errors import ConfigError, ConfigFileNotFoundError, describe_value

__all__ = [
    "FLYTECTL_CONFIG_ENV_VAR",
    "FLYTECTL_CONFIG_ENV_VAR_OVERRIDE",
    "ConfigFile",
    "ConfigFileLike",
    "find_config_file",
    "get_config_file",
    "use_config_file",
]

FLYTECTL_CONFIG_ENV_VAR = "FLYTECTL_CONFIG"
"""The variable ``flytectl demo start`` tells users to export: the path of a YAML config file."""

FLYTECTL_CONFIG_ENV_VAR_OVERRIDE = "_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE"
"""Set by ``pyflyte -c FILE`` so ``Config.auto()`` in user code sees the same file; users do not set it."""

_log = logging.getLogger("flyte_core.config")


class ConfigFile:
    """One parsed configuration file, YAML (flytectl) or INI (``flytekit.config``)."""

    def __init__(self, location: str | os.PathLike[str]) -> None:
        path = Path(location).absolute()
        self.location = str(path)
        self._legacy_config: configparser.ConfigParser | None = None
        self._yaml_config: dict[str, Any] | None = None
        text = _read_text(path)
        if self.location.endswith(("yaml", "yml")):
            self._yaml_config = _parse_yaml(text, self.location)
        else:
            self._legacy_config = _parse_ini(text, self.location)

    def __repr__(self) -> str:
        return f"ConfigFile({self.location!r})"

    @property
    def legacy_config(self) -> configparser.ConfigParser | None:
        """The parsed INI file, or None for a YAML file."""
        return self._legacy_config

    @property
    def yaml_config(self) -> dict[str, Any] | None:
        """The parsed YAML document (a mapping), or None for an INI file."""
        return self._yaml_config

    def lookup(self, section: str, option: str, yaml_path: str | None) -> tuple[Any, str] | None:
        """The raw value of a key and the key as the user wrote it, or None when this file does not set it.

        An INI file is looked up by ``[section] option``, a YAML file by the dotted ``yaml_path``
        (keys that have no YAML form are never found in a YAML file).
        """
        if self._legacy_config is not None:
            return self._ini_value(self._legacy_config, section, option)
        if self._yaml_config is not None and yaml_path is not None:
            return self._yaml_value(self._yaml_config, yaml_path)
        return None

    def _ini_value(self, parser: configparser.ConfigParser, section: str, option: str) -> tuple[Any, str] | None:
        key = f"[{section}] {option}"
        if not parser.has_option(section, option):
            return None
        try:
            return parser.get(section, option), key
        except configparser.Error as exc:  # a bad %(interpolation)
            raise ConfigError(f"config file {self.location}: {key}: {exc}", file=self.location, key=key) from exc

    def _yaml_value(self, document: dict[str, Any], yaml_path: str) -> tuple[Any, str] | None:
        node: Any = document
        walked: list[str] = []
        for part in yaml_path.split("."):
            if node is None:
                return None
            if not isinstance(node, dict):
                where = ".".join(walked)
                raise ConfigError(
                    f"config file {self.location}: '{where}' must be a mapping (with a '{part}' key), "
                    f"found {describe_value(node)}",
                    file=self.location,
                    key=where,
                )
            node = node.get(part)
            walked.append(part)
        return None if node is None else (node, yaml_path)


ConfigFileLike: TypeAlias = "str | os.PathLike[str] | ConfigFile | None"
"""What every ``auto(config_file=...)`` accepts: a path, a parsed file, or None to search the usual places."""


def find_config_file() -> Path | None:
    """The config file flytekit would use when none is given, or None (defaults and env vars only).

    Order: ``pyflyte -c`` (``_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE``), ``$FLYTECTL_CONFIG``,
    ``./flytekit.config``, ``~/.flyte/config`` (INI), ``~/.flyte/config.yaml``.
    """
    override = os.environ.get(FLYTECTL_CONFIG_ENV_VAR_OVERRIDE)
    if override:
        path = Path(override).absolute()
        if not path.exists():
            raise ConfigFileNotFoundError(
                f"config file {path} does not exist (given with pyflyte -c/--config, "
                f"exported as {FLYTECTL_CONFIG_ENV_VAR_OVERRIDE})",
                file=str(path),
            )
        return path
    from_env = os.environ.get(FLYTECTL_CONFIG_ENV_VAR)
    if from_env:
        path = Path(from_env).absolute()
        if path.exists():
            return path
        _log.warning("%s points to %s, which does not exist; ignoring it", FLYTECTL_CONFIG_ENV_VAR, path)
    home = Path.home() / ".flyte"
    for candidate in (Path("flytekit.config"), home / "config", home / "config.yaml"):
        if candidate.exists():
            return candidate.absolute()
    return None


def get_config_file(c: ConfigFileLike = None) -> ConfigFile | None:
    """The given file parsed (it must exist), else (None or "") the one ``find_config_file()`` finds, or None."""
    if isinstance(c, ConfigFile):
        return c
    if c is None or c == "":
        found = find_config_file()
        if found is None:
            return None
        _log.debug("using config file %s", found)
        return ConfigFile(found)
    return ConfigFile(c)


def use_config_file(location: str | os.PathLike[str]) -> ConfigFile:
    """Make ``location`` the config file of this process and its children, as ``pyflyte -c FILE`` does.

    The file is parsed first, so a missing or broken file is reported at once.
    """
    config_file = ConfigFile(location)
    os.environ[FLYTECTL_CONFIG_ENV_VAR_OVERRIDE] = config_file.location
    return config_file


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigFileNotFoundError(f"config file {path} does not exist", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}", file=str(path)) from exc


def _parse_yaml(text: str, location: str) -> dict[str, Any]:
    import yaml  # type: ignore[import-untyped, unused-ignore]

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        where = f", line {line}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigError(f"config file {location}{where}: invalid YAML: {problem}", file=location, line=line) from exc
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError(
            f"config file {location}: expected a YAML mapping of sections (admin:, storage:...), "
            f"found {describe_value(document)}",
            file=location,
        )
    return document


def _parse_ini(text: str, location: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text, source=location)
    except configparser.Error as exc:
        line, problem = _ini_problem(exc, text)
        hint = "" if location.endswith(".config") else " (a file whose name does not end in .yaml/.yml is read as INI)"
        raise ConfigError(
            f"config file {location}, line {line}: invalid INI: {problem}{hint}", file=location, line=line
        ) from exc
    if parser.has_section("internal"):
        raise ConfigError(
            f"config file {location}: the [internal] section is reserved for Flyte's own runtime settings; remove it",
            file=location,
            key="[internal]",
        )
    return parser


def _ini_problem(exc: configparser.Error, text: str) -> tuple[int | None, str]:
    """The line number of a configparser error and what is wrong, quoting the offending line."""
    lineno: int | None = getattr(exc, "lineno", None)
    errors = getattr(exc, "errors", None)  # ParsingError: [(lineno, line), ...]
    if lineno is None and errors:
        lineno = errors[0][0]
    lines = text.splitlines()
    line = lines[lineno - 1].strip() if lineno and lineno <= len(lines) else ""
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return lineno, f"{line!r} comes before any [section] header"
    if isinstance(exc, configparser.ParsingError):
        return lineno, f"cannot parse {line!r} (expected 'option = value' or '[section]')"
    if isinstance(exc, configparser.DuplicateOptionError):
        return lineno, f"option '{exc.option}' appears twice in [{exc.section}]"
    if isinstance(exc, configparser.DuplicateSectionError):
        return lineno, f"section [{exc.section}] appears twice"
    return lineno, exc.message


def set_if_exists(d: dict[str, Any], k: str, v: Any) -> dict[str, Any]:
    """flytekit API: ``d[k] = v`` when ``v`` is set (a bool, or anything else not None and not empty); returns ``d``."""
    if isinstance(v, bool) or (v is not None and v):
        d[k] = v
    return d


def read_file_if_exists(filename: str | os.PathLike[str] | None, encoding: str | None = None) -> str | None:
    """flytekit API: the text of ``filename``, or None when no file is named (a named file must exist)."""
    if not filename:
        return None
    return Path(filename).read_text(encoding=encoding)
