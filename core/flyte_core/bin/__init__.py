"""Container entrypoints: the commands a Flyte task's container runs.

- ``pyflyte-execute`` (:mod:`flyte_core.bin.execute`): run one task, write ``outputs.pb`` / ``futures.pb`` /
  ``error.pb`` to the output prefix;
- ``pyflyte-map-execute``: run one item of a map task (the array job's index);
- ``pyflyte-fast-execute`` (:mod:`flyte_core.bin.fast_execute`): unpack the fast-registered code, then run
  one of the above with it.

Their arguments, environment and output files are flytekit's, so tasks registered by flytekit run
here and the other way round. ``python -m flyte_core.bin <command> ...`` runs them without the scripts.
"""
