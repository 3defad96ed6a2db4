"""The error of broker user and ACL changes, shared by the modules that make them.

``broker.acl`` (a hand-edited ACL it cannot rewrite), ``broker.passwords``
(mosquitto_passwd missing or failing) and ``broker.credentials`` (a bad
office or user name) all raise it, so ``onestop broker`` catches one type
and prints its message, which says what went wrong and what to do.
"""

from __future__ import annotations


class CredentialError(ValueError):
    """A user or office that cannot be added/removed; the message says why and what to do."""
