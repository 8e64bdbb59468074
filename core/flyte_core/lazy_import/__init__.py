"""flytekit's ``flytekit.lazy_import`` path: ``lazy_module`` lives in :mod:`flyte_core._lazy`."""
