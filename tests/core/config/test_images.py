"""Images: parsing ``registry/repo:tag@digest``, the CLI's ``-i name=uri``, the config file's ``images``,
and the default image."""

from __future__ import annotations

import sys

import pytest

from flyte_core import __version__
from flyte_core.config import ConfigError, DefaultImages, Image, ImageConfig, PythonVersion

from .conftest import WriteFile


@pytest.mark.parametrize(
    ("identifier", "fqn", "tag", "digest"),
    [
        ("ghcr.io/org/img:v1", "ghcr.io/org/img", "v1", None),
        ("ghcr.io/org/img@sha256:abc", "ghcr.io/org/img", None, "sha256:abc"),
        ("localhost:5000/img:v2", "localhost:5000/img", "v2", None),
        ("localhost:5000/img", "localhost:5000/img", None, None),
    ],
)
def test_image_identifiers_split_into_fqn_tag_and_digest(identifier: str, fqn: str, tag: str, digest: str) -> None:
    image = Image.look_up_image_info("x", identifier, allow_no_tag_or_digest=True)
    assert (image.fqn, image.tag, image.digest) == (fqn, tag, digest)


def test_full_and_version_use_the_digest_when_there_is_one() -> None:
    tagged = Image(name="a", fqn="r/a", tag="v1")
    pinned = Image(name="a", fqn="r/a", digest="sha256:abc")
    assert (tagged.full, tagged.version) == ("r/a:v1", "v1")
    assert (pinned.full, pinned.version) == ("r/a@sha256:abc", "sha256:abc")


def test_an_image_cannot_have_both_a_tag_and_a_digest() -> None:
    with pytest.raises(ValueError, match="give a tag or a digest, not both"):
        Image(name="a", fqn="r/a", tag="v1", digest="sha256:abc")


def test_an_image_without_tag_or_digest_is_refused_unless_allowed() -> None:
    with pytest.raises(ConfigError, match=r"image 'default': 'r/a' has no tag or digest; write it as r/a:<tag>"):
        Image.look_up_image_info("default", "r/a")


def test_validate_image_takes_a_default_and_named_images() -> None:
    config = ImageConfig.validate_image(None, "image", ("r/default:v1", "spark=r/spark:v2"))
    assert config.default_image == Image(name="default", fqn="r/default", tag="v1")
    assert config.find_image("spark") == Image(name="spark", fqn="r/spark", tag="v2")
    assert [image.name for image in config.images or []] == ["default", "spark"]


def test_validate_image_refuses_two_default_images() -> None:
    with pytest.raises(ConfigError, match="image: only one default image can be given, got r/a:1 and r/b:2"):
        ImageConfig.validate_image(None, "image", ("r/a:1", "default=r/b:2"))


def test_validate_image_without_a_default_uses_the_built_in_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_INTERNAL_IMAGE", "registry.local/flyte:abc")
    config = ImageConfig.validate_image(None, "image", ())
    assert config.default_image == Image(name="default", fqn="registry.local/flyte", tag="abc")


def test_the_default_image_is_named_for_this_python_and_flyte_core() -> None:
    major, minor = sys.version_info[:2]
    assert DefaultImages.default_image() == f"cr.flyte.org/flyteorg/flyte-core:py{major}.{minor}-{__version__}"


def test_find_image_for_a_given_python_and_version() -> None:
    assert DefaultImages.find_image_for(PythonVersion.PYTHON_3_12, "v1.2.3") == (
        "cr.flyte.org/flyteorg/flyte-core:py3.12-1.2.3"
    )


def test_flyte_internal_image_replaces_the_default_image(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_INTERNAL_IMAGE", "mine:1")
    assert DefaultImages.default_image() == "mine:1"
    assert ImageConfig.auto_default_image().default_image == Image(name="default", fqn="mine", tag="1")


def test_yaml_images_become_named_images_with_optional_tags(write_file: WriteFile) -> None:
    path = write_file("config.yaml", "images:\n  spark: ghcr.io/a/spark:v1\n  plain: ghcr.io/a/plain\n")
    config = ImageConfig.auto(path)
    assert config.default_image is None
    assert config.images == [
        Image(name="spark", fqn="ghcr.io/a/spark", tag="v1"),
        Image(name="plain", fqn="ghcr.io/a/plain"),
    ]


def test_ini_images_section_becomes_named_images(write_file: WriteFile) -> None:
    path = write_file("flytekit.config", "[images]\nspark = ghcr.io/a/spark:v1\n")
    assert ImageConfig.auto(path, img_name="r/default:v0").images == [
        Image(name="default", fqn="r/default", tag="v0"),
        Image(name="spark", fqn="ghcr.io/a/spark", tag="v1"),
    ]


def test_yaml_images_that_are_not_a_mapping_are_an_error(write_file: WriteFile) -> None:
    path = write_file("config.yaml", "images:\n  - ghcr.io/a/spark:v1\n")
    with pytest.raises(ConfigError, match=r"images: expected a mapping of name: image URI, found a list"):
        ImageConfig.auto(path)


def test_from_images_builds_a_default_and_named_images() -> None:
    config = ImageConfig.from_images("r/d:1", {"gpu": "r/gpu:2"})
    assert config.find_image("default") == Image(name="default", fqn="r/d", tag="1")
    assert config.find_image("gpu") == Image(name="gpu", fqn="r/gpu", tag="2")
    assert config.find_image("nope") is None
