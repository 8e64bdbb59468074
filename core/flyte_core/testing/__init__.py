"""flytekit's ``flytekit.testing`` path: mocking tasks in unit tests (:mod:`flyte_core.sdk.testing`) and the
secrets manager tests fill in."""

from flyte_core.context import SecretsManager
from flyte_core.sdk.testing import patch, task_mock

__all__ = ["SecretsManager", "patch", "task_mock"]
