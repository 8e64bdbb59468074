"""Side by side with flytekit 1.16: the same files and variables give the same configuration.

Each scenario runs one script twice in fresh interpreters, once importing ``flytekit.configuration`` with the
reference flytekit venv and once importing ``flyte_core.configuration`` with ours, in the same working
directory, home and environment, and compares what they print.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flyte_core.config import ENTRIES

from .conftest import WriteFile

FLYTEKIT_PYTHON = Path(__file__).parents[3] / "benchmarks" / ".venv-flytekit-core" / "bin" / "python"
pytestmark = pytest.mark.skipif(
    not FLYTEKIT_PYTHON.exists(), reason=f"the reference flytekit venv is not installed at {FLYTEKIT_PYTHON}"
)

# Prints every config object auto() builds, as plain JSON. Known, deliberate differences are normalized:
# flytekit keeps auth_mode as the string found ("Pkce"), flyte-core stores the AuthType (compared by name);
# flytekit's S3 field is spelled "adressing_style"; flytekit's TaskConfig.org default is the string "None".
SCRIPT = """
import dataclasses, datetime, enum, json
from {module}.configuration import Config, ImageConfig, LocalConfig, TaskConfig

def plain(value):
    if dataclasses.is_dataclass(value):
        return {{f.name.replace("adressing", "addressing"): plain(getattr(value, f.name))
                for f in dataclasses.fields(value)}}
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value

config = plain(Config.auto())
for extra in ("region", "disable_ssl", "auth_type"):  # flyte-core's additions: flytectl's storage keys
    config["data_config"]["s3"].pop(extra, None)
del config["local_sandbox_path"]
config["platform"]["auth_mode"] = config["platform"]["auth_mode"].upper()
task = plain(TaskConfig.auto())
task["org"] = None if task["org"] == "None" else task["org"]
local = plain(LocalConfig.auto())
local.pop("cache_dir", None)  # flyte-core's addition: where the local cache lives
print(json.dumps({{"config": config, "images": plain(ImageConfig.auto()), "task": task,
                  "local": local}}, sort_keys=True))
"""


def _read_with(python: Path | str, module: str, work: Path, home: Path, env: dict[str, str]) -> Any:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE", "_FLYTECTL", "_F_"))}
    result = subprocess.run(
        [str(python), "-c", SCRIPT.format(module=module)],
        capture_output=True,
        text=True,
        cwd=work,
        env={**clean, "HOME": str(home), **env},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _assert_same_as_flytekit(work: Path, home: Path, env: dict[str, str] | None = None) -> Any:
    theirs = _read_with(FLYTEKIT_PYTHON, "flytekit", work, home, env or {})
    ours = _read_with(sys.executable, "flyte_core", work, home, env or {})
    assert ours == theirs
    return ours


SANDBOX_YAML = """\
admin:
  endpoint: dns:///localhost:30080
  authType: Pkce
  insecure: true
console:
  endpoint: http://localhost:30080
logger:
  show-source: true
  level: 0
storage:
  type: stow
  connection:
    endpoint: http://localhost:30002
    access-key: minio
    secret-key: miniostorage
    addressing-style: path
task:
  project: ml
  domain: staging
images:
  spark: ghcr.io/org/spark:v1
  gpu: ghcr.io/org/gpu
"""

LEGACY_INI = """\
[platform]
url = flyte.example.com:443
insecure = false
insecure_skip_verify = true
console_endpoint = https://flyte.example.com/console
[credentials]
client_id = flytepropeller
auth_mode = basic
scopes = all
command = get-token
[aws]
endpoint = http://s3.local:9000
retries = 5
backoff_seconds = 2
enable_debug = true
[gcp]
gsutil_parallelism = true
[azure]
storage_account_name = acct
[secrets]
env_prefix = _MYSEC_
default_dir = /var/secrets
port = 9125
disabled = true
[local]
cache_enabled = false
project = legacy-project
[images]
spark = ghcr.io/org/spark:v2
"""


def test_flytectl_sandbox_yaml_from_flytectl_config_reads_the_same(
    write_file: WriteFile, work: Path, home: Path
) -> None:
    path = write_file("sandbox/config-sandbox.yaml", SANDBOX_YAML)
    ours = _assert_same_as_flytekit(work, home, {"FLYTECTL_CONFIG": str(path)})
    assert ours["config"]["platform"]["endpoint"] == "localhost:30080"


def test_legacy_ini_in_the_working_directory_reads_the_same(write_file: WriteFile, work: Path, home: Path) -> None:
    write_file("work/flytekit.config", LEGACY_INI)
    ours = _assert_same_as_flytekit(work, home)
    assert ours["config"]["data_config"]["s3"]["retries"] == 5


def test_environment_variables_override_the_home_yaml_the_same_way(
    write_file: WriteFile, work: Path, home: Path
) -> None:
    write_file("home/.flyte/config.yaml", SANDBOX_YAML)
    env = {
        "FLYTE_PLATFORM_URL": "dns:///prod.example.com:443",
        "FLYTE_PLATFORM_INSECURE": "False",
        "FLYTE_AWS_ENDPOINT": "http://other:9000",
        "FLYTE_CREDENTIALS_CLIENT_SECRET_ENV_VAR": "MY_CLIENT_SECRET",
        "MY_CLIENT_SECRET": "s3cr3t",
        "FLYTE_LOCAL_CACHE_OVERWRITE": "true",
        "FLYTE_LOCAL_DOMAIN": "production",
        "FLYTE_SECRETS_HOST": "statsd.local",
    }
    ours = _assert_same_as_flytekit(work, home, env)
    assert ours["config"]["platform"]["auth_mode"] == "CLIENTSECRET"


def test_client_secret_file_from_yaml_reads_the_same(write_file: WriteFile, work: Path, home: Path) -> None:
    secret = write_file("secret", "abc123\n")
    write_file("home/.flyte/config.yaml", f"admin:\n  endpoint: x:1\n  clientSecretLocation: {secret}\n")
    ours = _assert_same_as_flytekit(work, home)
    assert ours["config"]["platform"]["client_credentials_secret"] == "abc123"


def test_no_file_and_no_variable_gives_the_same_defaults(work: Path, home: Path) -> None:
    _assert_same_as_flytekit(work, home)


def test_every_flytekit_key_is_in_our_table_with_the_same_yaml_path() -> None:
    code = (
        "import json\n"
        "from flytekit.configuration import internal\n"
        "from flytekit.configuration.file import ConfigEntry\n"
        "keys = [[v.legacy.section, v.legacy.option, v.yaml_entry.switch if v.yaml_entry else None]\n"
        "        for cls in vars(internal).values() if isinstance(cls, type)\n"
        "        for v in vars(cls).values() if isinstance(v, ConfigEntry)]\n"
        "print(json.dumps(keys))"
    )
    result = subprocess.run([str(FLYTEKIT_PYTHON), "-c", code], capture_output=True, text=True, check=True)
    flytekit_keys = {tuple(key) for key in json.loads(result.stdout)}
    ours = {(entry.section, entry.option, entry.yaml_path) for entry in ENTRIES}
    assert len(flytekit_keys) > 40
    assert flytekit_keys - ours == set()
