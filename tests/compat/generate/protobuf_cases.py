"""Protobuf message cases shared by the generator (flytekit) and the test (flyte-core): (name, value, type)."""


def namespace():
    from flyteidl.core import identifier_pb2, types_pb2
    from google.protobuf import struct_pb2

    return {"types_pb2": types_pb2, "identifier_pb2": identifier_pb2, "struct_pb2": struct_pb2}


CASES = [
    ("error", "types_pb2.Error(failed_node_id='n1', message='boom')", "types_pb2.Error"),
    ("empty-message", "types_pb2.Error()", "types_pb2.Error"),
    (
        "nested-message",
        "identifier_pb2.TaskExecutionIdentifier(task_id=identifier_pb2.Identifier(resource_type=1, project='p', "
        "domain='d', name='t', version='v'), retry_attempt=2)",
        "identifier_pb2.TaskExecutionIdentifier",
    ),
    ("struct", "struct_pb2.Struct(fields={'a': struct_pb2.Value(string_value='x')})", "struct_pb2.Struct"),
    (
        "list-value",
        "struct_pb2.ListValue(values=[struct_pb2.Value(number_value=1), struct_pb2.Value(string_value='two')])",
        "struct_pb2.ListValue",
    ),
]
