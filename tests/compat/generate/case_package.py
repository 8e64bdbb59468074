"""Writing a package of case modules (source written for flytekit) for one SDK, and importing it."""

import importlib
import pathlib
import re
import sys


def write_and_import(root: str, package_name: str, modules: dict, sdk: str = "flytekit") -> dict:
    """Write ``modules`` (name -> source) under ``root/package_name`` with ``flytekit`` replaced by ``sdk``.

    The package is imported afresh (earlier imports of it are forgotten); returns the modules by name.
    """
    package = pathlib.Path(root) / package_name
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    for name, source in modules.items():
        (package / f"{name}.py").write_text(re.sub(r"\bflytekit\b", sdk, source))
    for name in [m for m in sys.modules if m == package_name or m.startswith(package_name + ".")]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        return {name: importlib.import_module(f"{package_name}.{name}") for name in modules}
    finally:
        sys.path.remove(str(root))
