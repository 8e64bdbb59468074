"""The AdminService's matchable attributes RPCs: set, get and delete the attributes of a project, a project-domain
or a workflow, and list them by resource type (executions draw on them through the control plane).
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import (
    matchable_resource_pb2,
    project_attributes_pb2,
    project_domain_attributes_pb2,
    workflow_attributes_pb2,
)
from flyteidl.core import identifier_pb2

from flyte_core.sandbox.admin.requests import AdminRPCs
from flyte_core.sandbox.errors import InvalidArgument, NotFound
from flyte_core.sandbox.state import DOMAINS

ResourceType = identifier_pb2.ResourceType


class AttributeRPCs(AdminRPCs):
    """Matchable attributes by project, project-domain and workflow."""

    def _save_attributes(
        self, attributes: matchable_resource_pb2.MatchingAttributes, project: str, domain: str = "", workflow: str = ""
    ) -> None:
        kind = attributes.WhichOneof("target")
        if kind is None:
            raise InvalidArgument("missing matching_attributes: say which attributes to set")
        if not project:
            raise InvalidArgument("missing project for the attributes")
        if domain and domain not in DOMAINS:
            raise InvalidArgument(f"domain [{domain}] is unrecognized by system (known: {', '.join(DOMAINS)})")
        if self.state.project(project) is None:
            raise InvalidArgument(f"project {project} does not exist")
        self.state.insert(
            "matchable_attributes",
            replace=True,
            resource_type=_resource_type(kind),
            project=project,
            domain=domain,
            workflow=workflow,
            launch_plan="",
            record=attributes.SerializeToString(),
        )

    def _attributes(
        self, resource_type: int, project: str, domain: str = "", workflow: str = ""
    ) -> matchable_resource_pb2.MatchingAttributes:
        row = self.state.find(
            "matchable_attributes",
            "record",
            resource_type=resource_type,
            project=project,
            domain=domain,
            workflow=workflow,
            launch_plan="",
        )
        if row is None:
            scope = "/".join(part for part in (project, domain, workflow) if part)
            raise NotFound(
                f"no {matchable_resource_pb2.MatchableResource.Name(resource_type)} attributes are set for {scope}"
            )
        return matchable_resource_pb2.MatchingAttributes.FromString(row["record"])

    def _delete_attributes(self, resource_type: int, project: str, domain: str = "", workflow: str = "") -> None:
        self._attributes(resource_type, project, domain, workflow)
        self.state.execute(
            "DELETE FROM matchable_attributes WHERE resource_type = ? AND project = ? AND domain = ? AND workflow = ? "
            "AND launch_plan = ''",
            (resource_type, project, domain, workflow),
        )

    def UpdateProjectDomainAttributes(
        self, request: project_domain_attributes_pb2.ProjectDomainAttributesUpdateRequest, context: Any
    ) -> project_domain_attributes_pb2.ProjectDomainAttributesUpdateResponse:
        a = request.attributes
        if not a.domain:
            raise InvalidArgument("missing domain for the project-domain attributes")
        self._save_attributes(a.matching_attributes, a.project, a.domain)
        return project_domain_attributes_pb2.ProjectDomainAttributesUpdateResponse()

    def GetProjectDomainAttributes(
        self, request: project_domain_attributes_pb2.ProjectDomainAttributesGetRequest, context: Any
    ) -> project_domain_attributes_pb2.ProjectDomainAttributesGetResponse:
        attributes = self._attributes(request.resource_type, request.project, request.domain)
        return project_domain_attributes_pb2.ProjectDomainAttributesGetResponse(
            attributes=project_domain_attributes_pb2.ProjectDomainAttributes(
                project=request.project, domain=request.domain, matching_attributes=attributes
            )
        )

    def DeleteProjectDomainAttributes(
        self, request: project_domain_attributes_pb2.ProjectDomainAttributesDeleteRequest, context: Any
    ) -> project_domain_attributes_pb2.ProjectDomainAttributesDeleteResponse:
        self._delete_attributes(request.resource_type, request.project, request.domain)
        return project_domain_attributes_pb2.ProjectDomainAttributesDeleteResponse()

    def UpdateProjectAttributes(
        self, request: project_attributes_pb2.ProjectAttributesUpdateRequest, context: Any
    ) -> project_attributes_pb2.ProjectAttributesUpdateResponse:
        self._save_attributes(request.attributes.matching_attributes, request.attributes.project)
        return project_attributes_pb2.ProjectAttributesUpdateResponse()

    def GetProjectAttributes(
        self, request: project_attributes_pb2.ProjectAttributesGetRequest, context: Any
    ) -> project_attributes_pb2.ProjectAttributesGetResponse:
        attributes = self._attributes(request.resource_type, request.project)
        return project_attributes_pb2.ProjectAttributesGetResponse(
            attributes=project_attributes_pb2.ProjectAttributes(project=request.project, matching_attributes=attributes)
        )

    def DeleteProjectAttributes(
        self, request: project_attributes_pb2.ProjectAttributesDeleteRequest, context: Any
    ) -> project_attributes_pb2.ProjectAttributesDeleteResponse:
        self._delete_attributes(request.resource_type, request.project)
        return project_attributes_pb2.ProjectAttributesDeleteResponse()

    def UpdateWorkflowAttributes(
        self, request: workflow_attributes_pb2.WorkflowAttributesUpdateRequest, context: Any
    ) -> workflow_attributes_pb2.WorkflowAttributesUpdateResponse:
        a = request.attributes
        if not a.domain or not a.workflow:
            raise InvalidArgument("missing domain or workflow for the workflow attributes")
        self._save_attributes(a.matching_attributes, a.project, a.domain, a.workflow)
        return workflow_attributes_pb2.WorkflowAttributesUpdateResponse()

    def GetWorkflowAttributes(
        self, request: workflow_attributes_pb2.WorkflowAttributesGetRequest, context: Any
    ) -> workflow_attributes_pb2.WorkflowAttributesGetResponse:
        attributes = self._attributes(request.resource_type, request.project, request.domain, request.workflow)
        return workflow_attributes_pb2.WorkflowAttributesGetResponse(
            attributes=workflow_attributes_pb2.WorkflowAttributes(
                project=request.project,
                domain=request.domain,
                workflow=request.workflow,
                matching_attributes=attributes,
            )
        )

    def DeleteWorkflowAttributes(
        self, request: workflow_attributes_pb2.WorkflowAttributesDeleteRequest, context: Any
    ) -> workflow_attributes_pb2.WorkflowAttributesDeleteResponse:
        self._delete_attributes(request.resource_type, request.project, request.domain, request.workflow)
        return workflow_attributes_pb2.WorkflowAttributesDeleteResponse()

    def ListMatchableAttributes(
        self, request: matchable_resource_pb2.ListMatchableAttributesRequest, context: Any
    ) -> matchable_resource_pb2.ListMatchableAttributesResponse:
        rows = self.state.all(
            "SELECT project, domain, workflow, launch_plan, record FROM matchable_attributes WHERE resource_type = ? "
            "ORDER BY project, domain, workflow",
            (request.resource_type,),
        )
        return matchable_resource_pb2.ListMatchableAttributesResponse(
            configurations=[
                matchable_resource_pb2.MatchableAttributesConfiguration(
                    attributes=matchable_resource_pb2.MatchingAttributes.FromString(row["record"]),
                    project=row["project"],
                    domain=row["domain"],
                    workflow=row["workflow"],
                    launch_plan=row["launch_plan"],
                )
                for row in rows
            ]
        )


def _resource_type(target: str) -> int:
    fields = [f.name for f in matchable_resource_pb2.MatchingAttributes.DESCRIPTOR.oneofs_by_name["target"].fields]
    return fields.index(target)
