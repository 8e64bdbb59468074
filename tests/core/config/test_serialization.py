"""``SerializationSettings``: defaults, builder, and the ``_F_SS_C`` transport shared with flytekit."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from flyte_core.config import (
    ConfigError,
    FastSerializationSettings,
    ImageConfig,
    SerializationSettings,
)

FLYTEKIT_PYTHON = Path(__file__).parents[3] / "benchmarks" / ".venv-flytekit-core" / "bin" / "python"
needs_flytekit = pytest.mark.skipif(
    not FLYTEKIT_PYTHON.exists(), reason=f"the reference flytekit venv is not installed at {FLYTEKIT_PYTHON}"
)


def _settings() -> SerializationSettings:
    return SerializationSettings(
        image_config=ImageConfig.from_images("ghcr.io/a/b:v1", {"spark": "ghcr.io/a/spark@sha256:abc"}),
        project="p",
        domain="d",
        version="v1",
        env={"A": "1"},
        git_repo="github.com/a/b",
        fast_serialization_settings=FastSerializationSettings(
            enabled=True, destination_dir="/root", distribution_location="s3://bucket/fast.tar.gz"
        ),
        source_root="/src",
    )


def test_defaults_put_the_entrypoint_in_the_interpreters_virtualenv() -> None:
    settings = SerializationSettings(image_config=ImageConfig())
    assert settings.python_interpreter == "/opt/venv/bin/python3"
    assert settings.flytekit_virtualenv_root == "/opt/venv"
    assert settings.entrypoint_settings.path == "/opt/venv/bin/entrypoint.py"


def test_for_image_builds_settings_around_one_image() -> None:
    settings = SerializationSettings.for_image("r/img:v3", "v3", project="p", domain="d")
    assert settings.image_config.default_image is not None
    assert settings.image_config.default_image.full == "r/img:v3"
    assert (settings.version, settings.project, settings.domain) == ("v3", "p", "d")


def test_new_builder_copies_everything_and_builds_an_equal_copy() -> None:
    settings = _settings()
    builder = settings.new_builder()
    assert builder.build() == settings
    builder.env = {"B": "2"}
    assert settings.env == {"A": "1"}


def test_should_fast_serialize_follows_the_fast_settings() -> None:
    assert _settings().should_fast_serialize()
    assert not SerializationSettings(image_config=ImageConfig()).should_fast_serialize()


def test_transport_round_trip_gives_equal_settings() -> None:
    settings = _settings()
    assert SerializationSettings.from_transport(settings.serialized_context) == settings


def test_with_serialized_context_adds_the_payload_to_env_once() -> None:
    settings = _settings().with_serialized_context()
    assert settings.env is not None
    assert set(settings.env) == {"A", "_F_SS_C"}
    assert settings.with_serialized_context() is settings
    decoded = SerializationSettings.from_transport(settings.env["_F_SS_C"])
    assert decoded.env == {"A": "1"}


def test_a_corrupt_payload_is_an_error_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"_F_SS_C: cannot decode the serialization settings"):
        SerializationSettings.from_transport("not base64 at all!")


def _run_flytekit(code: str, payload: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE", "_F"))}
    result = subprocess.run(
        [str(FLYTEKIT_PYTHON), "-c", code, payload], capture_output=True, text=True, env=env, check=True, timeout=120
    )
    return result.stdout.strip()


FLYTEKIT_SETTINGS = """
import sys
from flytekit.configuration import FastSerializationSettings, ImageConfig, SerializationSettings
settings = SerializationSettings(
    image_config=ImageConfig.from_images("ghcr.io/a/b:v1", {"spark": "ghcr.io/a/spark@sha256:abc"}),
    project="p", domain="d", version="v1", env={"A": "1"}, git_repo="github.com/a/b",
    fast_serialization_settings=FastSerializationSettings(
        enabled=True, destination_dir="/root", distribution_location="s3://bucket/fast.tar.gz"),
    source_root="/src",
)
"""


@needs_flytekit
def test_flytekit_decodes_our_payload_to_the_same_settings() -> None:
    ours = _settings()
    decoded_json = _run_flytekit(
        "import sys\nfrom flytekit.configuration import SerializationSettings\n"
        "print(SerializationSettings.from_transport(sys.argv[1]).to_json())",
        ours.serialized_context,
    )
    assert json.loads(decoded_json) == json.loads(ours.to_json())


@needs_flytekit
def test_flytekits_payload_is_byte_identical_to_ours_and_decodes_here() -> None:
    theirs = _run_flytekit(FLYTEKIT_SETTINGS + "print(settings.serialized_context)", "")
    assert theirs == _settings().serialized_context
    assert SerializationSettings.from_transport(theirs) == _settings()
