"""Talk to a Flyte control plane: ``FlyteRemote`` and what it returns.

``from flyte_core.remote import FlyteRemote`` as ``from flytekit.remote import FlyteRemote``.
"""

from flyte_core.remote.entities import FlyteLaunchPlan, FlyteTask, FlyteWorkflow
from flyte_core.remote.executions import FlyteNodeExecution, FlyteTaskExecution, FlyteWorkflowExecution
from flyte_core.remote.literals import LiteralsResolver
from flyte_core.remote.remote import FastPackageOptions, FlyteRemote, RegistrationResult

__all__ = [
    "FastPackageOptions",
    "FlyteLaunchPlan",
    "FlyteNodeExecution",
    "FlyteRemote",
    "FlyteTask",
    "FlyteTaskExecution",
    "FlyteWorkflow",
    "FlyteWorkflowExecution",
    "LiteralsResolver",
    "RegistrationResult",
]
