"""``PlatformConfig``: endpoint, TLS and authentication settings as flytekit reads them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from flyte_core.config import AuthType, ConfigError, PlatformConfig

from .conftest import WriteFile

SANDBOX_YAML = """\
admin:
  endpoint: dns:///localhost:30080
  authType: Pkce
  insecure: true
  insecureSkipVerify: true
  caCertFilePath: /etc/ca.pem
  clientId: flytepropeller
  scopes: [all, offline]
  command: [gcloud, auth, print-access-token]
  audience: https://flyte
  httpProxyURL: http://proxy:3128
console:
  endpoint: http://localhost:30080/console
logger:
  show-source: true
  level: 0
"""


def test_defaults_are_flytekits() -> None:
    platform = PlatformConfig()
    assert (platform.endpoint, platform.insecure, platform.auth_mode, platform.rpc_retries, platform.scopes) == (
        "localhost:30080",
        False,
        AuthType.STANDARD,
        3,
        [],
    )


def test_flytectl_yaml_admin_section_is_read(write_file: WriteFile) -> None:
    platform = PlatformConfig.auto(write_file("config.yaml", SANDBOX_YAML))
    assert platform == PlatformConfig(
        endpoint="localhost:30080",
        insecure=True,
        insecure_skip_verify=True,
        ca_cert_file_path="/etc/ca.pem",
        console_endpoint="http://localhost:30080/console",
        command=["gcloud", "auth", "print-access-token"],
        client_id="flytepropeller",
        scopes=["all", "offline"],
        auth_mode=AuthType.PKCE,
        audience="https://flyte",
        http_proxy_url="http://proxy:3128",
    )


def test_dns_scheme_is_stripped_from_the_endpoint_wherever_it_comes_from(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_PLATFORM_URL", "dns:///flyte.example.com:443")
    assert PlatformConfig.auto().endpoint == "flyte.example.com:443"


def test_auth_mode_given_as_a_string_is_stored_as_the_enum() -> None:
    assert PlatformConfig(auth_mode="clientSecret").auth_mode is AuthType.CLIENTSECRET  # type: ignore[arg-type]
    assert PlatformConfig(auth_mode="external_process").auth_mode is AuthType.EXTERNAL_PROCESS  # type: ignore[arg-type]


def test_an_unknown_auth_mode_in_the_constructor_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown auth type 'magic'; expected one of standard, basic"):
        PlatformConfig(auth_mode="magic")  # type: ignore[arg-type]


def test_a_client_secret_file_is_read_and_switches_to_client_secret_auth(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = write_file("secret.txt", "p4ssw0rd\n")
    monkeypatch.setenv("FLYTE_CREDENTIALS_CLIENT_SECRET_LOCATION", str(secret))
    monkeypatch.setenv("FLYTE_CREDENTIALS_AUTH_MODE", "Pkce")
    platform = PlatformConfig.auto()
    assert (platform.client_credentials_secret, platform.auth_mode) == ("p4ssw0rd", AuthType.CLIENTSECRET)


def test_a_client_secret_variable_wins_over_the_secret_file(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_file(
        "config.yaml",
        f"admin:\n  clientSecretLocation: {write_file('secret.txt', 'from-file')}\n  clientSecretEnvVar: MY_SECRET\n",
    )
    monkeypatch.setenv("MY_SECRET", "from-variable")
    platform = PlatformConfig.auto(path)
    assert (platform.client_credentials_secret, platform.auth_mode) == ("from-variable", AuthType.CLIENTSECRET)


def test_a_client_secret_variable_that_is_not_set_changes_nothing(write_file: WriteFile) -> None:
    path = write_file("config.yaml", "admin:\n  clientSecretEnvVar: NOT_SET_ANYWHERE\n  authType: Pkce\n")
    platform = PlatformConfig.auto(path)
    assert (platform.client_credentials_secret, platform.auth_mode) == (None, AuthType.PKCE)


def test_a_plain_client_secret_does_not_change_the_auth_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_CREDENTIALS_CLIENT_SECRET", "s")
    assert PlatformConfig.auto().auth_mode is AuthType.STANDARD


def test_a_missing_client_secret_file_is_an_error_naming_it(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_CREDENTIALS_CLIENT_SECRET_LOCATION", str(isolated / "no-secret"))
    with pytest.raises(ConfigError, match=r"the client secret file '.*no-secret' .* cannot be read: No such file"):
        PlatformConfig.auto()


def test_rpc_retries_is_read_from_the_platform_section(write_file: WriteFile) -> None:
    assert PlatformConfig.auto(write_file("flytekit.config", "[platform]\nrpc_retries = 5\n")).rpc_retries == 5


def test_for_endpoint_sets_only_endpoint_and_insecure() -> None:
    assert PlatformConfig.for_endpoint("x:1", insecure=True) == dataclasses.replace(
        PlatformConfig(), endpoint="x:1", insecure=True
    )


def test_platform_configs_compare_by_value_and_are_immutable() -> None:
    assert PlatformConfig(endpoint="a") == PlatformConfig(endpoint="a")
    assert PlatformConfig(endpoint="a") != PlatformConfig(endpoint="b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        PlatformConfig().endpoint = "x"  # type: ignore[misc]
