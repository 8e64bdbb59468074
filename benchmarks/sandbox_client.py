"""The flytekit side of benchmarks/sandbox.sh (run with flytekit's Python): hello end to end, then N at once.

    <flytekit venv>/bin/python sandbox_client.py CONFIG PROJECT_ROOT IMAGE N

Prints JSON: register_s (fast registration of hello_wf), single_s (one execution from create to succeeded,
polling every 50 ms), burst_s (N executions created at once until all succeeded) and burst_failed.
"""

import datetime
import json
import sys
import time


def main() -> None:
    config_file, root, image, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    from flytekit.configuration import Config, ImageConfig
    from flytekit.remote import FlyteRemote

    sys.path.insert(0, root)
    import hello

    remote = FlyteRemote(Config.auto(config_file), default_project="flytesnacks", default_domain="development")
    poll = datetime.timedelta(milliseconds=50)
    started = time.perf_counter()
    workflow = remote.register_script(
        hello.hello_wf, image_config=ImageConfig.auto(img_name=image), source_path=root, module_name="hello"
    )
    register_s = time.perf_counter() - started

    started = time.perf_counter()
    execution = remote.wait(remote.execute(workflow, inputs={"name": "bench"}), poll_interval=poll)
    single_s = time.perf_counter() - started
    assert execution.closure.phase == 4, execution.closure

    started = time.perf_counter()
    executions = [remote.execute(workflow, inputs={"name": f"n{i}"}) for i in range(count)]
    submitted_s = time.perf_counter() - started
    finished = [
        remote.wait(e, poll_interval=datetime.timedelta(milliseconds=500), sync_nodes=False) for e in executions
    ]
    burst_s = time.perf_counter() - started
    failed = sum(1 for e in finished if e.closure.phase != 4)
    print(
        json.dumps(
            {
                "register_s": register_s,
                "single_s": single_s,
                "burst": count,
                "burst_submit_s": submitted_s,
                "burst_s": burst_s,
                "burst_failed": failed,
            }
        )
    )


if __name__ == "__main__":
    main()
