"""PodTemplate: flytekit's surface, validated early, with ``kubernetes`` imported only when a pod spec is needed."""

from __future__ import annotations

import subprocess
import sys

import pytest
from kubernetes.client import V1Container, V1PodSpec

import flyte_core
from flyte_core import PodTemplate, task
from flyte_core.exceptions.user import FlyteValidationException
from flyte_core.sdk.pod_template import PRIMARY_CONTAINER_DEFAULT_NAME


def test_podtemplate_is_exported_at_the_top_level() -> None:
    assert flyte_core.PodTemplate is PodTemplate


def test_defaults_are_an_empty_pod_spec_and_the_primary_container() -> None:
    template = PodTemplate()
    assert template.pod_spec == V1PodSpec(containers=[])
    assert template.primary_container_name == PRIMARY_CONTAINER_DEFAULT_NAME == "primary"
    assert (template.labels, template.annotations) == (None, None)


def test_empty_primary_container_name_is_a_validation_error() -> None:
    with pytest.raises(FlyteValidationException, match="A primary container name cannot be undefined"):
        PodTemplate(primary_container_name="")


def test_validation_error_is_an_assertion_error_as_in_flytekit() -> None:
    with pytest.raises(AssertionError):
        PodTemplate(primary_container_name="")


def test_labels_must_be_a_mapping() -> None:
    with pytest.raises(FlyteValidationException, match=r"PodTemplate labels must be a dict .* got list"):
        PodTemplate(labels=["a=b"])  # type: ignore[arg-type]


def test_pod_spec_must_be_a_pod_spec() -> None:
    with pytest.raises(FlyteValidationException, match="pod_spec must be a kubernetes.client.V1PodSpec, got str"):
        PodTemplate(pod_spec="spec: {}")  # type: ignore[arg-type]


def test_version_hash_changes_with_the_template_and_only_then() -> None:
    def make(node: str) -> PodTemplate:
        return PodTemplate(
            pod_spec=V1PodSpec(containers=[V1Container(name="primary")], node_selector={"pool": node}),
            labels={"team": "ml"},
        )

    assert make("a").version_hash() == make("a").version_hash()
    assert make("a").version_hash() != make("b").version_hash()
    assert len(make("a").version_hash()) == 64


def test_task_keeps_its_pod_template() -> None:
    template = PodTemplate(labels={"a": "b"})

    @task(pod_template=template, pod_template_name="base")
    def t() -> None: ...

    assert t.pod_template is template
    assert t.metadata.pod_template_name == "base"


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return result.stdout.strip()


def test_importing_the_module_does_not_import_kubernetes() -> None:
    code = "import sys, flyte_core.sdk.pod_template; print('kubernetes' in sys.modules)"
    assert _run(code) == "False"


def test_labels_only_template_works_without_kubernetes_installed() -> None:
    code = (
        "import sys; sys.modules['kubernetes'] = None\n"
        "from flyte_core import PodTemplate\n"
        "t = PodTemplate(labels={'a': 'b'}); print(t.pod_spec, t.labels['a'], len(t.version_hash()))"
    )
    assert _run(code) == "None b 64"
