"""Fetching registered entities: tasks, workflows and launch plans by name and version, and listings.

``EntityFetching`` turns the admin's entities into ``FlyteTask`` / ``FlyteWorkflow`` / ``FlyteLaunchPlan``,
caching each fetched version.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import common_pb2, launch_plan_pb2
from flyteidl.core import identifier_pb2

from flyte_core.exceptions.user import FlyteEntityNotExistException
from flyte_core.remote.connection import RemoteConnection, _required
from flyte_core.remote.entities import FlyteLaunchPlan, FlyteTask, FlyteWorkflow

__all__ = ["EntityFetching"]

_KINDS = {
    identifier_pb2.TASK: ("task", "GetTask", "ListTasks"),
    identifier_pb2.WORKFLOW: ("workflow", "GetWorkflow", "ListWorkflows"),
    identifier_pb2.LAUNCH_PLAN: ("launch plan", "GetLaunchPlan", "ListLaunchPlans"),
}
_LIST_FIELD = {"ListTasks": "tasks", "ListWorkflows": "workflows", "ListLaunchPlans": "launch_plans"}


class EntityFetching(RemoteConnection):
    """``FlyteRemote``'s fetch and list calls of registered entities and projects."""

    def fetch_task(
        self, project: str | None = None, domain: str | None = None, name: str | None = None, version: str | None = None
    ) -> FlyteTask:
        """The registered task; the newest version when ``version`` is None."""
        return FlyteTask(self._fetch(identifier_pb2.TASK, project, domain, name, version))

    def fetch_workflow(
        self, project: str | None = None, domain: str | None = None, name: str | None = None, version: str | None = None
    ) -> FlyteWorkflow:
        """The registered workflow with its compiled closure; the newest version when ``version`` is None."""
        return FlyteWorkflow(self._fetch(identifier_pb2.WORKFLOW, project, domain, name, version))

    def fetch_launch_plan(
        self, project: str | None = None, domain: str | None = None, name: str | None = None, version: str | None = None
    ) -> FlyteLaunchPlan:
        """The registered launch plan; the newest version when ``version`` is None."""
        return FlyteLaunchPlan(self._fetch(identifier_pb2.LAUNCH_PLAN, project, domain, name, version))

    def fetch_active_launchplan(
        self, project: str | None = None, domain: str | None = None, name: str | None = None
    ) -> FlyteLaunchPlan | None:
        """The active version of launch plan ``name``, or None when no version is active."""
        project, domain = self._project_domain(project, domain)
        request = launch_plan_pb2.ActiveLaunchPlanRequest(
            id=common_pb2.NamedEntityIdentifier(project=project, domain=domain, name=_required(name, "name"))
        )
        try:
            return FlyteLaunchPlan(self._call("GetActiveLaunchPlan", request))
        except FlyteEntityNotExistException:
            return None

    def _fetch(
        self, resource_type: int, project: str | None, domain: str | None, name: str | None, version: str | None
    ) -> Any:
        project, domain = self._project_domain(project, domain)
        name = _required(name, "name")
        key = (resource_type, project, domain, name, version or "")
        if version and key in self._entity_cache:
            return self._entity_cache[key]
        kind, get, listing = _KINDS[resource_type]
        if not version:
            latest = self._list(listing, project, domain, name, limit=1)
            if not latest:
                raise FlyteEntityNotExistException(
                    f"no {kind} named '{name}' is registered in {project}/{domain}; register it first "
                    "(pyflyte register, or pyflyte run --remote)"
                )
            version = latest[0].id.version
        ident = identifier_pb2.Identifier(
            resource_type=resource_type, project=project, domain=domain, name=name, version=version
        )
        proto = self._call(get, common_pb2.ObjectGetRequest(id=ident))
        self._entity_cache[(resource_type, project, domain, name, version)] = proto
        return proto

    def _list(
        self, method: str, project: str, domain: str, name: str | None, limit: int = 100, filters: str = ""
    ) -> list[Any]:
        request = common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project=project, domain=domain, name=name or ""),
            limit=limit,
            sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING),
            filters=filters,
        )
        return list(getattr(self._call(method, request), _LIST_FIELD[method]))

    def list_entity_names(
        self, resource_type: int, project: str | None = None, domain: str | None = None, limit: int = 100
    ) -> list[str]:
        """Names of the registered tasks, workflows or launch plans of a project and domain."""
        project, domain = self._project_domain(project, domain)
        response = self._call(
            "ListNamedEntities",
            common_pb2.NamedEntityListRequest(
                resource_type=resource_type,
                project=project,
                domain=domain,
                limit=limit,
                sort_by=common_pb2.Sort(key="name", direction=common_pb2.Sort.ASCENDING),
            ),
        )
        return [entity.id.name for entity in response.entities]

    def list_tasks_by_version(
        self, version: str, project: str | None = None, domain: str | None = None, limit: int = 100
    ) -> list[FlyteTask]:
        """Tasks registered with ``version``."""
        project, domain = self._project_domain(project, domain)
        protos = self._list("ListTasks", project, domain, None, limit, filters=f"eq(version,{version})")
        return [FlyteTask(p) for p in protos]

    def list_projects(self, limit: int = 100) -> list[Any]:
        """The control plane's projects (``flyteidl.admin.Project``)."""
        from flyteidl.admin import project_pb2

        return list(self._call("ListProjects", project_pb2.ProjectListRequest(limit=limit)).projects)
