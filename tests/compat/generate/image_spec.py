"""Write expected/image_spec.json: flytekit's ImageSpec id, tag, image name, builder and platform.

Run with a Python that has flytekit 1.16.31 installed:
    benchmarks/.venv-flytekit-core/bin/python tests/compat/generate/image_spec.py
"""

import json
import os
import pathlib
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from flytekit.constants import CopyFileDetection  # noqa: E402
from flytekit.image_spec import ImageSpec  # noqa: E402
from image_spec_cases import CASES, TREE  # noqa: E402


def main() -> None:
    os.chdir(TREE)
    sys.path.insert(0, str(TREE))
    __import__("wfmod")
    namespace = {"ImageSpec": ImageSpec, "CopyFileDetection": CopyFileDetection, "TREE": TREE}
    out = []
    for case_id, expression in CASES:
        spec = eval(expression, namespace)
        out.append(
            {
                "id": case_id,
                "expression": expression,
                "spec_id": spec.id,
                "tag": spec.tag,
                "image_name": spec.image_name(),
                "builder": spec.builder,
                "platform": spec.platform,
            }
        )
    target = pathlib.Path(__file__).parent.parent / "expected" / "image_spec.json"
    target.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {len(out)} cases to {target}")


if __name__ == "__main__":
    main()
