"""Why a command did not produce an ack, as exceptions the API maps to status codes."""

from __future__ import annotations


class CommandError(Exception):
    """Base of the command bus's failures."""


class BrokerUnavailable(CommandError):
    """The cloud is not connected to the broker, so nothing was sent."""


class CommandTimeout(CommandError):
    """No ack within the timeout; the command expired and the node will refuse it if it arrives later."""

    def __init__(self, command_id: str, office: str, node: str, timeout: float) -> None:
        super().__init__(f"no ack from {office}/{node} for command {command_id} within {timeout:g}s")
        self.command_id = command_id
        self.office = office
        self.node = node
        self.timeout = timeout
