"""Cases shared by the generator (run with flytekit) and the test (run with flyte-core): files, directories,
structured datasets.

``NAMESPACE(sdk, tmp)`` evaluates the cases' source strings with either SDK; ``tmp`` is a directory
``prepare`` filled (its path is written as ``{TMP}`` in the expected data).
"""

import datetime
import importlib
import os
import typing


def prepare(tmp):
    """Create the local file and directory the local-path cases name."""
    with open(os.path.join(tmp, "data.csv"), "w") as f:
        f.write("a,b\n1,x\n")
    os.makedirs(os.path.join(tmp, "dir"), exist_ok=True)
    with open(os.path.join(tmp, "dir", "a.txt"), "w") as f:
        f.write("a")


def NAMESPACE(sdk, tmp):
    file = importlib.import_module(f"{sdk.__name__}.types.file")
    directory = importlib.import_module(f"{sdk.__name__}.types.directory")
    structured = importlib.import_module(f"{sdk.__name__}.types.structured")
    namespace = {"typing": typing, "datetime": datetime, "os": os, "TMP": tmp, "kwtypes": sdk.kwtypes}
    namespace.update({name: getattr(file, name) for name in FILE_NAMES})
    namespace.update({name: getattr(directory, name) for name in DIRECTORY_NAMES})
    namespace["StructuredDataset"] = structured.StructuredDataset
    namespace["PARQUET"], namespace["CSV"] = "parquet", "csv"
    try:
        import pandas as pd
        import pyarrow as pa

        namespace.update({"pd": pd, "pa": pa})
    except ImportError:
        pass
    return namespace


FILE_NAMES = [
    "FlyteFile",
    "FileExt",
    "CSVFile",
    "HDF5EncodedFile",
    "HTMLPage",
    "JoblibSerializedFile",
    "JPEGImageFile",
    "JSONLFile",
    "ONNXFile",
    "PDFFile",
    "PNGImageFile",
    "PythonNotebook",
    "PythonPickledFile",
    "SVGImageFile",
    "TFRecordFile",
]
DIRECTORY_NAMES = ["FlyteDirectory", "TensorboardLogs", "TFRecordsDirectory"]

# (id, type source): literal types.
LITERAL_TYPES = [
    ("file", "FlyteFile"),
    ("file-csv-str", "FlyteFile['csv']"),
    ("file-csv-dot", "FlyteFile['.csv']"),
    ("file-csv-typevar", "FlyteFile[typing.TypeVar('csv')]"),
    ("file-tar-gz", "FlyteFile[typing.Annotated[str, FileExt('tar.gz')]]"),
    ("os-pathlike", "os.PathLike"),
    *[(f"alias-{name}", name) for name in FILE_NAMES[2:]],
    ("list-of-files", "typing.List[FlyteFile]"),
    ("dict-of-files", "typing.Dict[str, CSVFile]"),
    ("optional-file", "typing.Optional[FlyteFile]"),
    ("directory", "FlyteDirectory"),
    ("directory-svg", "FlyteDirectory['svg']"),
    ("alias-TensorboardLogs", "TensorboardLogs"),
    ("alias-TFRecordsDirectory", "TFRecordsDirectory"),
    ("optional-directory", "typing.Optional[FlyteDirectory]"),
    ("sd", "StructuredDataset"),
    ("sd-columns", "typing.Annotated[StructuredDataset, kwtypes(a=int, b=str)]"),
    ("sd-csv", "typing.Annotated[StructuredDataset, CSV]"),
    ("sd-columns-parquet", "typing.Annotated[StructuredDataset, kwtypes(a=int), PARQUET]"),
    (
        "sd-column-types",
        "typing.Annotated[StructuredDataset, kwtypes(x=float, y=bool, z=typing.List[int], w=typing.Dict[str, float],"
        " t=datetime.datetime, d=datetime.timedelta)]",
    ),
    ("sd-nested-columns", "typing.Annotated[StructuredDataset, kwtypes(a=kwtypes(b=int, c=str))]"),
    ("pandas", "pd.DataFrame"),
    ("pandas-columns", "typing.Annotated[pd.DataFrame, kwtypes(a=int, b=str)]"),
    ("pandas-csv", "typing.Annotated[pd.DataFrame, CSV]"),
    ("arrow", "pa.Table"),
    ("arrow-schema", "typing.Annotated[StructuredDataset, pa.schema([('a', pa.int64()), ('b', pa.string())])]"),
    ("optional-sd", "typing.Optional[StructuredDataset]"),
]

# (id, value source, type source, mode): literals. mode "local" converts in a local task execution,
# "none" in the default context (no execution). Dataframe cases write under a random path: their URI
# is compared as {URI}, with the names of the files written.
LITERALS = [
    ("file-s3", "FlyteFile('s3://bucket/data.csv')", "FlyteFile", "none"),
    ("file-s3-str-csv", "'s3://bucket/data.csv'", "CSVFile", "none"),
    ("file-https-metadata", "FlyteFile('https://example.com/x.txt', metadata={'k': 'v'})", "FlyteFile", "none"),
    ("file-s3-pathlike", "FlyteFile('s3://bucket/x')", "os.PathLike", "none"),
    ("file-list", "[FlyteFile('s3://b/1'), FlyteFile('s3://b/2')]", "typing.List[FlyteFile]", "none"),
    ("file-optional", "FlyteFile('s3://b/x')", "typing.Optional[FlyteFile]", "none"),
    ("file-local-in-local-run", "FlyteFile(TMP + '/data.csv')", "FlyteFile", "local"),
    ("file-local-str-in-local-run", "TMP + '/data.csv'", "CSVFile", "local"),
    ("file-local-no-upload", "FlyteFile(TMP + '/data.csv', remote_path=False)", "FlyteFile", "none"),
    ("directory-s3", "FlyteDirectory('s3://bucket/dir')", "FlyteDirectory", "none"),
    ("directory-s3-str", "'s3://bucket/dir'", "TensorboardLogs", "none"),
    ("directory-local-in-local-run", "FlyteDirectory(TMP + '/dir')", "FlyteDirectory", "local"),
    ("directory-local-no-upload", "FlyteDirectory(TMP + '/dir', remote_directory=False)", "FlyteDirectory", "none"),
    ("sd-uri", "StructuredDataset(uri='s3://bucket/sd', file_format='parquet')", "StructuredDataset", "none"),
    (
        "sd-uri-columns",
        "StructuredDataset(uri='s3://bucket/sd')",
        "typing.Annotated[StructuredDataset, kwtypes(a=int)]",
        "none",
    ),
    (
        "sd-uri-annotation-format-wins",
        "StructuredDataset(uri='s3://bucket/sd', file_format='csv')",
        "typing.Annotated[StructuredDataset, PARQUET]",
        "none",
    ),
    ("pandas", "pd.DataFrame({'a': [1, 2], 'b': ['x', 'y']})", "pd.DataFrame", "local"),
    (
        "pandas-columns",
        "pd.DataFrame({'a': [1, 2], 'b': ['x', 'y']})",
        "typing.Annotated[pd.DataFrame, kwtypes(a=int, b=str)]",
        "local",
    ),
    ("pandas-csv-annotation", "pd.DataFrame({'a': [1, 2]})", "typing.Annotated[pd.DataFrame, CSV]", "local"),
    (
        "sd-dataframe-csv",
        "StructuredDataset(dataframe=pd.DataFrame({'a': [1, 2]}))",
        "typing.Annotated[StructuredDataset, CSV]",
        "local",
    ),
    ("sd-dataframe", "StructuredDataset(dataframe=pd.DataFrame({'a': [1, 2]}))", "StructuredDataset", "local"),
    ("arrow", "pa.table({'a': [1, 2]})", "pa.Table", "local"),
]
