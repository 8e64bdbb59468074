"""The AdminService's project and domain RPCs: register, update, get and list projects (every project in every
domain of the sandbox), and the domains themselves.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import project_pb2
from flyteidl.core import identifier_pb2

from flyte_core.sandbox import filters
from flyte_core.sandbox.admin.requests import AdminRPCs, _sort
from flyte_core.sandbox.errors import AlreadyExists, InvalidArgument, NotFound
from flyte_core.sandbox.state import DOMAINS

ResourceType = identifier_pb2.ResourceType


class ProjectRPCs(AdminRPCs):
    """Projects and domains."""

    def RegisterProject(
        self, request: project_pb2.ProjectRegisterRequest, context: Any
    ) -> project_pb2.ProjectRegisterResponse:
        import re

        project = request.project
        if not request.HasField("project") or not project.id:
            raise InvalidArgument("missing project.id: RegisterProject needs the project's id")
        if len(project.id) > 63 or not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", project.id):
            raise InvalidArgument(
                f"invalid project id [{project.id}]: use lowercase letters, digits and '-' (a DNS-1123 label, at "
                "most 63 characters)"
            )
        if not project.name:
            raise InvalidArgument(f"missing project.name for project {project.id}")
        if project.domains:
            raise InvalidArgument(
                "Domains are currently only set system wide. Please retry without domains included in your request."
            )
        with self.state.transaction():
            if self.state.project(project.id) is not None:
                raise AlreadyExists(f"project {project.id} already exists")
            self.state.save_project(project)
        return project_pb2.ProjectRegisterResponse()

    def UpdateProject(self, request: project_pb2.Project, context: Any) -> project_pb2.ProjectUpdateResponse:
        if not request.id:
            raise InvalidArgument("missing id: UpdateProject needs the project's id")
        if request.domains:
            raise InvalidArgument(
                "Domains are currently only set system wide. Please retry without domains included in your request."
            )
        with self.state.transaction():
            if self.state.project(request.id) is None:
                raise NotFound(f"project {request.id} does not exist (RegisterProject creates it)")
            self.state.save_project(request)
        return project_pb2.ProjectUpdateResponse()

    def GetProject(self, request: project_pb2.ProjectGetRequest, context: Any) -> project_pb2.Project:
        if not request.id:
            raise InvalidArgument("missing id: GetProject needs the project's id")
        project = self.state.project(request.id)
        if project is None:
            raise NotFound(f"project {request.id} does not exist")
        return _with_domains(project)

    def ListProjects(self, request: project_pb2.ProjectListRequest, context: Any) -> project_pb2.Projects:
        entity = filters.ENTITIES["project"]
        given = filters.parse_filters(request.filters, entity)
        base = "1"
        if not any(condition.name == "state" for condition in given):  # archived projects only when asked for
            base = f"state <> {int(project_pb2.Project.ARCHIVED)}"
        page = self.state.page(
            "project",
            select="record",
            base=base,
            filters_text=request.filters,
            sort_by=_sort(request),
            token=request.token,
            limit=request.limit,
            rpc="ListProjects",
        )
        return project_pb2.Projects(
            projects=[_with_domains(project_pb2.Project.FromString(row["record"])) for row in page.rows],
            token=page.token,
        )

    def GetDomains(self, request: project_pb2.GetDomainRequest, context: Any) -> project_pb2.GetDomainsResponse:
        return project_pb2.GetDomainsResponse(domains=_domains())


def _domains() -> list[project_pb2.Domain]:
    return [project_pb2.Domain(id=domain, name=domain) for domain in DOMAINS]


def _with_domains(project: project_pb2.Project) -> project_pb2.Project:
    project.domains.extend(_domains())
    return project
