"""s3fs and botocore are imported only when an s3:// URI is used or ``pyflyte s3`` runs."""

from __future__ import annotations

from tests.core.test_import_cost import PYFLYTE, _imported_modules, _loaded_modules

S3_STACK = ("s3fs", "botocore", "aiobotocore", "boto3")


def _s3_stack(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in S3_STACK)


def test_import_flyte_core_and_the_plugin_imports_no_s3_library() -> None:
    assert _s3_stack(_loaded_modules("import flyte_core, flyte_plugin_s3")) == []


def test_pyflyte_help_imports_no_s3_library() -> None:
    assert _s3_stack(_imported_modules(PYFLYTE, "--help")) == []


def test_pyflyte_s3_help_imports_no_s3_library() -> None:
    assert _s3_stack(_imported_modules(PYFLYTE, "s3", "--help")) == []


def test_local_paths_import_no_s3_library() -> None:
    statement = (
        "from flyte_core.data.file_access import FileAccessProvider; import tempfile; "
        "d = tempfile.mkdtemp(); FileAccessProvider(d, d).put_raw_data(b'x')"
    )
    modules = _loaded_modules(statement)
    assert "fsspec" in modules
    assert _s3_stack(modules) == []


def test_an_s3_uri_imports_s3fs() -> None:
    statement = (
        "from flyte_core.data.file_access import FileAccessProvider; import tempfile; "
        "FileAccessProvider(tempfile.mkdtemp(), 's3://bucket/raw').get_filesystem('s3')"
    )
    assert "s3fs" in _loaded_modules(statement)
