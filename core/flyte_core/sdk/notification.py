"""Notifications a launch plan sends when an execution ends: ``Email``, ``Slack``, ``PagerDuty``.

Each takes the terminal phases to notify on (``WorkflowExecutionPhase.FAILED``...) and a list of e-mail
addresses; all three send e-mail (Slack and PagerDuty through their e-mail integrations).
"""

from __future__ import annotations

from collections.abc import Iterable

from flyte_core.values import common as _common
from flyte_core.values.execution import WorkflowExecutionPhase


class Notification(_common.Notification):
    """A notification on terminal phases only (succeeded, failed, aborted, timed out)."""

    VALID_PHASES = frozenset(
        {
            WorkflowExecutionPhase.ABORTED,
            WorkflowExecutionPhase.FAILED,
            WorkflowExecutionPhase.SUCCEEDED,
            WorkflowExecutionPhase.TIMED_OUT,
        }
    )

    def __init__(
        self,
        phases: Iterable[int],
        email: _common.EmailNotification | None = None,
        pager_duty: _common.PagerDutyNotification | None = None,
        slack: _common.SlackNotification | None = None,
    ) -> None:
        phases = list(phases)
        self._validate_phases(phases)
        super().__init__(phases, email=email, pager_duty=pager_duty, slack=slack)

    def _validate_phases(self, phases: list[int]) -> None:
        if len(phases) == 0:
            raise AssertionError(
                f"{type(self).__name__}: you must specify at least one phase for a notification, "
                "e.g. phases=[WorkflowExecutionPhase.FAILED]."
            )
        for phase in phases:
            if phase not in self.VALID_PHASES:
                valid = ", ".join(sorted(WorkflowExecutionPhase.enum_to_string(p) for p in self.VALID_PHASES))
                raise AssertionError(
                    f"Invalid phase: {phase} ({WorkflowExecutionPhase.enum_to_string(phase)}). "
                    f"{type(self).__name__}: only terminal states are permitted for notifications: {valid}."
                )


class PagerDuty(Notification):
    """Notify the PagerDuty e-mail integration: ``PagerDuty(phases=[...], recipients_email=[...])``."""

    def __init__(self, phases: Iterable[int], recipients_email: Iterable[str]) -> None:
        super().__init__(phases, pager_duty=_common.PagerDutyNotification(recipients_email))


class Email(Notification):
    """Send e-mail: ``Email(phases=[WorkflowExecutionPhase.FAILED], recipients_email=["ops@example.com"])``."""

    def __init__(self, phases: Iterable[int], recipients_email: Iterable[str]) -> None:
        super().__init__(phases, email=_common.EmailNotification(recipients_email))


class Slack(Notification):
    """Notify the Slack e-mail integration: ``Slack(phases=[...], recipients_email=[...])``."""

    def __init__(self, phases: Iterable[int], recipients_email: Iterable[str]) -> None:
        super().__init__(phases, slack=_common.SlackNotification(recipients_email))
