"""Write expected/accelerators.json: the GPUAccelerator message flytekit writes for each accelerator constant.

Every constant of ``flytekit.extras.accelerators``, each partition attribute of the multi-instance ones and
their ``.unpartitioned`` form, keyed by the expression that names it. Run with flytekit 1.16.31 installed:
    benchmarks/.venv-flytekit-core/bin/python tests/compat/generate/accelerators.py
"""

import base64
import json
import pathlib

from flytekit.extras import accelerators


def main() -> None:
    out = {}
    for name in sorted(dir(accelerators)):
        value = getattr(accelerators, name)
        if name.startswith("_") or not isinstance(value, accelerators.BaseAccelerator):
            continue
        out[name] = value.to_flyte_idl()
        if isinstance(value, accelerators.MultiInstanceGPUAccelerator):
            out[f"{name}.unpartitioned"] = value.unpartitioned.to_flyte_idl()
            for attr in sorted(vars(type(value))):
                if isinstance(getattr(value, attr), accelerators.MultiInstanceGPUAccelerator):
                    out[f"{name}.{attr}"] = getattr(value, attr).to_flyte_idl()
    encoded = {expr: base64.b64encode(msg.SerializeToString()).decode() for expr, msg in out.items()}
    target = pathlib.Path(__file__).parent.parent / "expected" / "accelerators.json"
    target.write_text(json.dumps(encoded, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(encoded)} accelerators to {target}")


if __name__ == "__main__":
    main()
