"""``FlyteDirectory`` and its predefined formats (``flytekit.types.directory`` -> ``flyte_core.types.directory``)."""

from flyte_core.types.directory.types import (
    FlyteDirectory,
    FlyteDirToMultipartBlobTransformer,
    TensorboardLogs,
    TFRecordsDirectory,
    tensorboard,
    tfrecords_dir,
)

__all__ = [
    "FlyteDirToMultipartBlobTransformer",
    "FlyteDirectory",
    "TFRecordsDirectory",
    "TensorboardLogs",
    "tensorboard",
    "tfrecords_dir",
]
