"""Print the literal type of a dataclass holding a FlyteFile, a FlyteDirectory and a StructuredDataset.

    PYTHONPATH=<pandas for flytekit> benchmarks/.venv-flytekit-core/bin/python \\
        tests/compat/generate/dataclass_with_files.py flytekit > tests/compat/expected/dataclass_with_files.json

The test runs the same script with ``flyte_core`` and compares.
"""

import importlib
import json
import sys
from dataclasses import dataclass

from google.protobuf import json_format


def main(sdk: str) -> None:
    engine = importlib.import_module(f"{sdk}.extend").TypeEngine
    directory = importlib.import_module(f"{sdk}.types.directory").FlyteDirectory
    file = importlib.import_module(f"{sdk}.types.file").FlyteFile
    dataset = importlib.import_module(f"{sdk}.types.structured").StructuredDataset

    @dataclass
    class Holder:
        f: file  # type: ignore[valid-type]
        d: directory  # type: ignore[valid-type]
        s: dataset  # type: ignore[valid-type]
        name: str = "x"

    lt = engine.to_literal_type(Holder)
    pb = lt.to_flyte_idl() if hasattr(lt, "to_flyte_idl") else lt
    print(json.dumps(json_format.MessageToDict(pb), sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
