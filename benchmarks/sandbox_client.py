"""The client side of the sandbox benchmarks, for either SDK (run with that SDK's Python; BENCH_SDK names it).

    BENCH_SDK=flytekit|flyte_core <venv>/bin/python sandbox_client.py CONFIG PROJECT_ROOT IMAGE burst N
    BENCH_SDK=flytekit|flyte_core <venv>/bin/python sandbox_client.py CONFIG PROJECT_ROOT IMAGE chain

``burst``: fast-registers ``hello.hello_wf`` with the SDK's ``FlyteRemote.register_script`` (as ``pyflyte run
--remote`` does), times one execution from create to succeeded, then N executions created at once until all
succeeded. ``chain``: registers ``chain.chain_wf`` (a chain of add-one tasks, written by bench.py) and times one
execution. The last line printed is JSON.
"""

import datetime
import importlib
import json
import os
import sys
import time

SUCCEEDED = 4


def main() -> None:
    config_file, root, image, mode = sys.argv[1:5]
    sdk = os.environ.get("BENCH_SDK", "flytekit")
    configuration = importlib.import_module(f"{sdk}.configuration")
    FlyteRemote = importlib.import_module(f"{sdk}.remote").FlyteRemote

    sys.path.insert(0, root)
    module = importlib.import_module("hello" if mode == "burst" else "chain")
    entity = module.hello_wf if mode == "burst" else module.chain_wf

    remote = FlyteRemote(
        configuration.Config.auto(config_file), default_project="flytesnacks", default_domain="development"
    )
    started = time.perf_counter()
    workflow = remote.register_script(
        entity,
        image_config=configuration.ImageConfig.auto(img_name=image),
        source_path=root,
        module_name=module.__name__,
    )
    result = {"register_s": time.perf_counter() - started}
    poll = datetime.timedelta(milliseconds=50)

    started = time.perf_counter()
    inputs = {"name": "bench"} if mode == "burst" else {"x": 0}
    execution = remote.wait(remote.execute(workflow, inputs=inputs), poll_interval=poll, sync_nodes=False)
    result["single_s"] = time.perf_counter() - started
    if execution.closure.phase != SUCCEEDED:
        raise SystemExit(f"the {mode} execution ended in phase {execution.closure.phase}: {execution.closure.error}")
    if mode == "burst":
        count = int(sys.argv[5])
        started = time.perf_counter()
        executions = [remote.execute(workflow, inputs={"name": f"n{i}"}) for i in range(count)]
        result["burst_submit_s"] = time.perf_counter() - started
        finished = [
            remote.wait(e, poll_interval=datetime.timedelta(milliseconds=500), sync_nodes=False) for e in executions
        ]
        result["burst"] = count
        result["burst_s"] = time.perf_counter() - started
        result["burst_failed"] = sum(1 for e in finished if e.closure.phase != SUCCEEDED)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
