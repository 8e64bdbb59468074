"""Write expected/serialization.json: what flytekit registers for the modules of serialization_cases.py.

For each settings variant (plain, and fast registration with environment, default resources and a named
image), every registrable entity as ``pyflyte serialize`` would name its file, with its canonical JSON as
the shared ``compare_golden.py --sdk-neutral`` makes it (upstream ids sorted, SDK module paths, SDK version
and encoded settings blanked).

Run with a Python that has flytekit 1.16.31 installed (the shared compat folder must be next to the repo):
    benchmarks/.venv-flytekit-core/bin/python tests/compat/generate/serialization.py
"""

import json
import os
import pathlib
import sys
import tempfile

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[2].parent / "shared" / "compat"))
import compare_golden  # noqa: E402
from serialization_cases import SETTINGS, load_package  # noqa: E402


def settings_for(variant: dict):
    from flytekit.configuration import FastSerializationSettings, ImageConfig, SerializationSettings
    from flytekit.core.resources import Resources, ResourceSpec

    images = [f"{name}={uri}" for name, uri in variant.get("images", {}).items()]
    resources = variant.get("default_resources")
    return SerializationSettings(
        image_config=ImageConfig.validate_image(None, "image", (variant["image"], *images)),
        project=variant["project"],
        domain=variant["domain"],
        version=variant["version"],
        env=variant.get("env"),
        default_resources=ResourceSpec(
            requests=Resources(**resources["requests"]), limits=Resources(**resources["limits"])
        )
        if resources
        else None,
        fast_serialization_settings=FastSerializationSettings(
            enabled="fast_destination_dir" in variant,
            destination_dir=variant.get("fast_destination_dir"),
            distribution_location=variant.get("fast_distribution"),
        ),
    )


def main() -> None:
    from flytekit.core.context_manager import FlyteContextManager, FlyteEntities
    from flytekit.core.launch_plan import LaunchPlan
    from flytekit.tools.serialize_helpers import get_registrable_entities, persist_registrable_entities

    compare_golden.SDK_NEUTRAL = True
    out = {}
    for name, variant in SETTINGS.items():
        FlyteEntities.entities.clear()  # a fresh package per variant: serializing changes some entities
        LaunchPlan.CACHE.clear()
        load_package(tempfile.mkdtemp(), "flytekit")
        settings = settings_for(variant)
        ctx = FlyteContextManager.current_context().with_serialization_settings(settings)
        with FlyteContextManager.with_context(ctx) as ctx:
            entities = get_registrable_entities(ctx)
        folder = tempfile.mkdtemp()
        persist_registrable_entities(entities, folder)
        out[name] = {
            f: compare_golden.canonical_json(compare_golden.load_canonical(os.path.join(folder, f), True))
            for f in sorted(os.listdir(folder))
        }
    target = HERE.parent / "expected" / "serialization.json"
    target.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {sum(len(v) for v in out.values())} entities to {target}")


if __name__ == "__main__":
    main()
