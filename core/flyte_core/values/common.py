"""Labels, annotations, auth role, raw-output location and notifications: what launch plans and executions carry.

Each object is a thin holder of what the user gave, with ``to_flyte_idl()`` building the
``flyteidl.admin.common_pb2`` message; equality and hashing compare those messages (as flytekit does), so
two ``Labels({"team": "a"})`` are equal. protobuf is imported only when a message is built.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "Annotations",
    "AuthRole",
    "EmailNotification",
    "FlyteIdlEntity",
    "Labels",
    "Notification",
    "PagerDutyNotification",
    "RawOutputDataConfig",
    "SlackNotification",
]


class FlyteIdlEntity:
    """A user-facing object that stands for one flyteidl message."""

    def to_flyte_idl(self) -> Any:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FlyteIdlEntity) and other.to_flyte_idl() == self.to_flyte_idl()

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.to_flyte_idl().SerializeToString(deterministic=True))

    def serialize_to_string(self) -> bytes:
        return bytes(self.to_flyte_idl().SerializeToString())

    @property
    def is_empty(self) -> bool:
        return len(self.serialize_to_string()) == 0

    def __repr__(self) -> str:
        from google.protobuf import text_format

        body = text_format.MessageToString(self.to_flyte_idl(), as_one_line=True)
        return f"{type(self).__name__}({body})"

    __str__ = __repr__


def _string_map(kind: str, values: Any) -> dict[str, str]:
    """A copy of ``values`` checked to be ``{str: str}`` (what the admin API stores)."""
    if not isinstance(values, Mapping):
        raise TypeError(f"{kind} take a dict of str to str, got {type(values).__name__} {values!r}")
    for key, value in values.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(
                f"{kind} take a dict of str to str: entry {key!r}: {value!r} is "
                f"{type(key).__name__}: {type(value).__name__}"
            )
    return dict(values)


class Labels(FlyteIdlEntity):
    """Labels applied to the executions (and their pods) a launch plan starts: ``Labels({"team": "data"})``."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = _string_map("Labels", values)

    @property
    def values(self) -> dict[str, str]:
        return self._values

    def to_flyte_idl(self) -> Any:
        from flyteidl.admin import common_pb2

        return common_pb2.Labels(values=self._values)

    @classmethod
    def from_flyte_idl(cls, pb2_object: Any) -> Labels:
        return cls(dict(pb2_object.values))


class Annotations(FlyteIdlEntity):
    """Annotations applied to the executions (and their pods) a launch plan starts."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = _string_map("Annotations", values)

    @property
    def values(self) -> dict[str, str]:
        return self._values

    def to_flyte_idl(self) -> Any:
        from flyteidl.admin import common_pb2

        return common_pb2.Annotations(values=self._values)

    @classmethod
    def from_flyte_idl(cls, pb2_object: Any) -> Annotations:
        return cls(dict(pb2_object.values))


class AuthRole(FlyteIdlEntity):
    """Deprecated identity of an execution (IAM role and/or service account); prefer ``SecurityContext``."""

    def __init__(self, assumable_iam_role: str | None = None, kubernetes_service_account: str | None = None) -> None:
        self._assumable_iam_role = assumable_iam_role
        self._kubernetes_service_account = kubernetes_service_account

    @property
    def assumable_iam_role(self) -> str | None:
        return self._assumable_iam_role

    @property
    def kubernetes_service_account(self) -> str | None:
        return self._kubernetes_service_account

    def to_flyte_idl(self) -> Any:
        from flyteidl.admin import common_pb2

        return common_pb2.AuthRole(
            assumable_iam_role=self._assumable_iam_role or None,
            kubernetes_service_account=self._kubernetes_service_account or None,
        )

    @classmethod
    def from_flyte_idl(cls, pb2_object: Any) -> AuthRole:
        return cls(
            assumable_iam_role=pb2_object.assumable_iam_role,
            kubernetes_service_account=pb2_object.kubernetes_service_account,
        )


class RawOutputDataConfig(FlyteIdlEntity):
    """Where executions write offloaded data (files, dataframes): ``s3://bucket/prefix``..."""

    def __init__(self, output_location_prefix: str) -> None:
        self._output_location_prefix = output_location_prefix

    @property
    def output_location_prefix(self) -> str:
        return self._output_location_prefix

    def to_flyte_idl(self) -> Any:
        from flyteidl.admin import common_pb2

        return common_pb2.RawOutputDataConfig(output_location_prefix=self._output_location_prefix)

    @classmethod
    def from_flyte_idl(cls, pb2_object: Any) -> RawOutputDataConfig:
        return cls(output_location_prefix=pb2_object.output_location_prefix)


class _Recipients(FlyteIdlEntity):
    """A list of e-mail recipients (the three notification channels all send e-mail)."""

    _message = ""

    def __init__(self, recipients_email: Iterable[str]) -> None:
        if isinstance(recipients_email, str):
            raise TypeError(
                f"recipients_email takes a list of addresses, got the string {recipients_email!r}: "
                f"use [{recipients_email!r}]"
            )
        self._recipients_email = list(recipients_email)

    @property
    def recipients_email(self) -> list[str]:
        return self._recipients_email

    def to_flyte_idl(self) -> Any:
        from flyteidl.admin import common_pb2

        return getattr(common_pb2, self._message)(recipients_email=self._recipients_email)

    @classmethod
    def from_flyte_idl(cls, pb2_object: Any) -> Any:
        return cls(list(pb2_object.recipients_email))


class EmailNotification(_Recipients):
    _message = "EmailNotification"


class SlackNotification(_Recipients):
    _message = "SlackNotification"


class PagerDutyNotification(_Recipients):
    _message = "PagerDutyNotification"


class Notification(FlyteIdlEntity):
    """Who to tell (e-mail, Slack or PagerDuty addresses) when an execution reaches one of ``phases``."""

    def __init__(
        self,
        phases: Iterable[int],
        email: EmailNotification | None = None,
        pager_duty: PagerDutyNotification | None = None,
        slack: SlackNotification | None = None,
    ) -> None:
        self._phases = list(phases)
        self._email = email
        self._pager_duty = pager_duty
        self._slack = slack

    @property
    def phases(self) -> list[int]:
        return self._phases

    @property
    def email(self) -> EmailNotification | None:
        return self._email

    @property
    def pager_duty(self) -> PagerDutyNotification | None:
        return self._pager_duty

    @property
    def slack(self) -> SlackNotification | None:
        return self._slack

    def to_flyte_idl(self) -> Any:
        from flyteidl.admin import common_pb2

        return common_pb2.Notification(
            phases=self._phases,
            email=self._email.to_flyte_idl() if self._email else None,
            pager_duty=self._pager_duty.to_flyte_idl() if self._pager_duty else None,
            slack=self._slack.to_flyte_idl() if self._slack else None,
        )

    @classmethod
    def from_flyte_idl(cls, pb2_object: Any) -> Notification:
        return cls(
            list(pb2_object.phases),
            email=EmailNotification.from_flyte_idl(pb2_object.email) if pb2_object.HasField("email") else None,
            pager_duty=PagerDutyNotification.from_flyte_idl(pb2_object.pager_duty)
            if pb2_object.HasField("pager_duty")
            else None,
            slack=SlackNotification.from_flyte_idl(pb2_object.slack) if pb2_object.HasField("slack") else None,
        )
