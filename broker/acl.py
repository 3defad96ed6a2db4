"""The mosquitto ACL file as this project writes it: per-user blocks, parsed and rendered whole.

Every broker user is an office (its hub's bridge) or a cloud service
(ARCHITECTURE.md): a service reads and writes ``onestop/v1/#``, an office only
``onestop/v1/{its office}/#``. The ACL file is therefore *derived* — parsed
into per-user rules, changed, and written back whole — so that adding an
office twice rotates its password but never leaves two ACL blocks behind, and
removing it removes every trace. The grammar accepted is exactly what
:func:`render_acl` writes; anything else is refused rather than dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from broker.configs import render_template
from broker.errors import CredentialError
from protocol.topics import ROOT

ALL_TOPICS = f"{ROOT}/#"
#: mosquitto ACL access keywords; a ``topic`` line without one means readwrite.
ACCESS = ("read", "write", "readwrite", "deny")

Rule = tuple[str, str]  # (access, topic)


def office_topics(office: str) -> str:
    """The one topic filter an office (and every local user of its hub) may use."""
    return f"{ROOT}/{office}/#"


@dataclass
class AclBlock:
    """One ``user NAME`` line and the ``topic`` lines under it."""

    username: str
    rules: list[Rule]

    @property
    def is_service(self) -> bool:
        return self.rules == [("readwrite", ALL_TOPICS)]

    @property
    def comment(self) -> str:
        if self.is_service:
            return f"cloud service {self.username}: every office"
        offices = [t.split("/")[2] for a, t in self.rules if re.fullmatch(rf"{re.escape(ROOT)}/[^/]+/#", t)]
        if len(self.rules) == 1 and offices:
            return f"office {offices[0]}: only its own topics"
        return f"user {self.username}"

    def text(self) -> str:
        lines = [f"# {self.comment}", f"user {self.username}"]
        lines += [f"topic {access} {topic}" for access, topic in self.rules]
        return "\n".join(lines) + "\n"


def parse_acl(text: str) -> dict[str, AclBlock]:
    """Per-user rules of a mosquitto ACL file written by :func:`render_acl`.

    Anything this project does not write (``pattern`` lines, rules for
    anonymous clients) is refused rather than silently dropped on rewrite.
    """
    blocks: dict[str, AclBlock] = {}
    current: AclBlock | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        rest = rest.strip()
        if keyword == "user" and rest:
            current = blocks.setdefault(rest, AclBlock(rest, []))
        elif keyword == "topic" and current is not None:
            access, _, topic = rest.partition(" ")
            if access not in ACCESS or not topic.strip():
                access, topic = "readwrite", rest
            rule = (access, topic.strip())
            if rule not in current.rules:
                current.rules.append(rule)
        else:
            raise CredentialError(
                f"ACL line {number} ({raw!r}) is not one this tool writes (only 'user NAME' and "
                "'topic ACCESS TOPIC' after a user); move custom rules to another broker config or remove them"
            )
    return blocks


def render_acl(blocks: dict[str, AclBlock]) -> str:
    """ACL text, services first then offices, each sorted: stable diffs."""
    ordered = sorted(blocks.values(), key=lambda b: (not b.is_service, b.username))
    return render_template("acl.j2", blocks=[{"username": b.username, "rules": b.rules, "comment": b.comment} for b in ordered])


def read_acl(path: Path) -> dict[str, AclBlock]:
    """The blocks of an ACL file; none when it does not exist yet."""
    if not path.exists():
        return {}
    return parse_acl(path.read_text(encoding="utf-8"))
