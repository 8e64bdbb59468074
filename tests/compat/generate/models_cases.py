# ruff: noqa: E501 - one expression per case, as flytekit code writes it
"""flytekit model constructions shared by the generator (flytekit) and the test (flyte-core): each expression is
evaluated with the SDK's ``models.literals`` as ``L``, ``models.types`` as ``T`` and ``models.core.types`` as
``C``, and its ``to_flyte_idl()`` is compared."""

import datetime

CASES = [
    ("primitive-int", "L.Primitive(integer=42)"),
    ("primitive-float", "L.Primitive(float_value=2.5)"),
    ("primitive-str", "L.Primitive(string_value='x')"),
    ("primitive-bool", "L.Primitive(boolean=False)"),
    ("primitive-datetime-naive", "L.Primitive(datetime=datetime.datetime(2024, 1, 2, 3, 4, 5, 6))"),
    (
        "primitive-datetime-aware",
        "L.Primitive(datetime=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2))))",
    ),
    ("primitive-duration", "L.Primitive(duration=datetime.timedelta(seconds=90, microseconds=5))"),
    ("literal-int", "L.Literal(scalar=L.Scalar(primitive=L.Primitive(integer=1)))"),
    ("literal-hash", "L.Literal(scalar=L.Scalar(primitive=L.Primitive(integer=1)), hash='abc')"),
    ("literal-metadata", "L.Literal(scalar=L.Scalar(none_type=L.Void()), metadata={'k': 'v'})"),
    (
        "literal-collection",
        "L.Literal(collection=L.LiteralCollection(literals=[L.Literal(scalar=L.Scalar(primitive=L.Primitive(integer=i))) for i in range(3)]))",
    ),
    (
        "literal-map",
        "L.Literal(map=L.LiteralMap(literals={'a': L.Literal(scalar=L.Scalar(primitive=L.Primitive(string_value='b')))}))",
    ),
    (
        "blob-single",
        "L.Literal(scalar=L.Scalar(blob=L.Blob(L.BlobMetadata(C.BlobType('csv', C.BlobType.BlobDimensionality.SINGLE)), 's3://b/k.csv')))",
    ),
    (
        "blob-multipart",
        "L.Blob(metadata=L.BlobMetadata(type=C.BlobType(format='', dimensionality=C.BlobType.BlobDimensionality.MULTIPART)), uri='/tmp/d')",
    ),
    ("binary", "L.Scalar(binary=L.Binary(value=b'\\x81\\xa1a\\x01', tag='msgpack'))"),
    (
        "union",
        "L.Literal(scalar=L.Scalar(union=L.Union(value=L.Literal(scalar=L.Scalar(primitive=L.Primitive(integer=3))), stored_type=T.LiteralType(simple=T.SimpleType.INTEGER, structure=T.TypeStructure(tag='int')))))",
    ),
    (
        "structured-dataset",
        "L.StructuredDataset(uri='s3://b/d', metadata=L.StructuredDatasetMetadata(structured_dataset_type=T.StructuredDatasetType(columns=[T.StructuredDatasetType.DatasetColumn('a', T.LiteralType(simple=T.SimpleType.INTEGER))], format='parquet')))",
    ),
    ("type-simple", "T.LiteralType(simple=T.SimpleType.STRING)"),
    ("type-list", "T.LiteralType(collection_type=T.LiteralType(simple=T.SimpleType.FLOAT))"),
    ("type-map", "T.LiteralType(map_value_type=T.LiteralType(simple=T.SimpleType.BOOLEAN))"),
    ("type-blob", "T.LiteralType(blob=C.BlobType(format='PythonPickle', dimensionality=0))"),
    ("type-enum", "T.LiteralType(enum_type=C.EnumType(values=['red', 'green']))"),
    (
        "type-union",
        "T.LiteralType(union_type=T.UnionType(variants=[T.LiteralType(simple=1, structure=T.TypeStructure(tag='int')), T.LiteralType(simple=0, structure=T.TypeStructure(tag='none'))]))",
    ),
    ("type-metadata", "T.LiteralType(simple=T.SimpleType.STRUCT, metadata={'title': 'Point', 'n': 2})"),
    (
        "type-schema",
        "T.LiteralType(schema=T.SchemaType(columns=[T.SchemaType.SchemaColumn('x', T.SchemaType.SchemaColumn.SchemaColumnType.INTEGER)]))",
    ),
    ("retry", "L.RetryStrategy(retries=3)"),
    ("output-reference", "T.OutputReference(node_id='n0', var='o0')"),
    ("error", "T.Error(failed_node_id='n1', message='boom')"),
]


def namespace(literals, types, core_types):
    return {"L": literals, "T": types, "C": core_types, "datetime": datetime}
