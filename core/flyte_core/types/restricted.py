"""Types that may not be task inputs or outputs: bare tuples and NamedTuple values (only for naming outputs)."""

from __future__ import annotations

import typing

from flyte_core.types.type_engine import RestrictedTypeTransformer

TupleTransformer = RestrictedTypeTransformer("non typed tuple", tuple)
TypingTupleTransformer = RestrictedTypeTransformer("non typed tuple", tuple)  # type: ignore[arg-type]
NamedTupleTransformer = RestrictedTypeTransformer("named tuple", typing.NamedTuple)  # type: ignore[arg-type]
