"""The sandbox's ``flyteidl.service.AdminService``: :class:`AdminService`, flyteadmin's answers over the
:class:`~flyte_core.sandbox.control_plane.ControlPlane`.

The servicer is composed of one mixin per group of RPCs: ``entities`` (tasks, workflows, launch plans, named and
description entities), ``executions`` (executions and propeller's event RPCs), ``node_executions`` (node and task
executions), ``projects`` (projects and domains), ``attributes`` (matchable attributes); ``requests`` holds what
they share, ``service`` the combined servicer.
"""

from flyte_core.sandbox.admin.service import AdminService

__all__ = ["AdminService"]
