"""Write expected/flytekit_api.json: every public module of flytekit 1.16.31 and the public names each offers.

A module is public when no part of its dotted path starts with ``_``. Its names are its ``__all__`` when it
has one; otherwise each public class or function defined in the module itself (a package: defined anywhere in
flytekit, since a package's re-exports are its API; what a module merely imports is not) and each UPPER_CASE
constant holding a plain value (str, int, float, bool, tuple, frozenset). Submodules are not names. Modules
that flytekit itself cannot import here (torch, tensorflow... are not installed) are listed with the reason,
without names. Run with flytekit 1.16.31 installed:
    benchmarks/.venv-flytekit-core/bin/python tests/compat/generate/api_inventory.py
"""

import importlib
import inspect
import json
import pathlib
import pkgutil
import types
import warnings


def _kind(obj: object) -> str:
    if inspect.isclass(obj):
        return "class"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj) or inspect.ismethod(obj):
        return "function"
    return "constant"


_PLAIN = (str, int, float, bool, tuple, frozenset)


def _names(module: types.ModuleType) -> dict[str, str]:
    declared = getattr(module, "__all__", None)
    is_package = hasattr(module, "__path__")
    found = {}
    for name in declared if declared is not None else dir(module):
        if name.startswith("_"):
            continue
        try:
            obj = getattr(module, name)
        except AttributeError:
            continue
        if isinstance(obj, types.ModuleType):
            continue
        kind = _kind(obj)
        if declared is None:
            if kind == "constant":
                if not name.isupper() or name == "TYPE_CHECKING" or not isinstance(obj, _PLAIN):
                    continue
            else:
                defined_in = getattr(obj, "__module__", None) or ""
                if not (defined_in == module.__name__ or (is_package and defined_in.startswith("flytekit"))):
                    continue
        found[name] = kind
    return found


def main() -> None:
    warnings.filterwarnings("ignore")
    import flytekit

    modules: dict[str, dict[str, str]] = {"flytekit": _names(flytekit)}
    unimportable: dict[str, str] = {}
    for info in pkgutil.walk_packages(flytekit.__path__, "flytekit."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        try:
            module = importlib.import_module(info.name)
        except BaseException as exc:  # an optional dependency missing, or an import-time error
            unimportable[info.name] = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
            continue
        modules[info.name] = _names(module)
    inventory = {
        "flytekit_version": flytekit.__version__,
        "modules": dict(sorted(modules.items())),
        "unimportable": dict(sorted(unimportable.items())),
    }
    target = pathlib.Path(__file__).parent.parent / "expected" / "flytekit_api.json"
    target.write_text(json.dumps(inventory, indent=1, sort_keys=False) + "\n")
    names = sum(len(v) for v in modules.values())
    print(f"wrote {len(modules)} modules, {names} names ({len(unimportable)} modules unimportable) to {target}")


if __name__ == "__main__":
    main()
