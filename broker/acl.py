"""The mosquitto ACL file as this project writes it: per-user blocks, parsed and rendered whole.

Every broker user is an office (its hub's bridge) or a cloud service
(ARCHITECTURE.md), and every rule follows the direction of a channel
(``protocol.topics.UPSTREAM`` / ``DOWNSTREAM``):

* a cloud service reads and writes ``onestop/v1/#``;
* an office's login on the cloud broker writes the upstream channels of its
  office's nodes (and its bridge's link notification) and reads the downstream
  ones; it cannot name its nodes (the cloud broker does not know them), so
  the node level is ``+`` there and is enforced by the office broker;
* a node's login on its office broker (the hub agent, each satellite; the
  login name is the node id) writes the upstream channels of that one node and
  reads its downstream ones and the bridge's topics. Nothing the nodes log in
  with may write a command, a config or a cursor: on the office broker only
  the bridge does, which mosquitto does not check against the ACL.

The ACL file is therefore *derived* — parsed
into per-user rules, changed, and written back whole — so that adding an
office twice rotates its password but never leaves two ACL blocks behind, and
removing it removes every trace. The grammar accepted is exactly what
:func:`render_acl` writes; anything else is refused rather than dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from broker.configs import link_topic, render_template
from broker.errors import CredentialError
from protocol.topics import BRIDGE_NODE, DOWNSTREAM, ROOT, UPSTREAM, subscription

ALL_TOPICS = f"{ROOT}/#"
#: mosquitto ACL access keywords; a ``topic`` line without one means readwrite.
ACCESS = ("read", "write", "readwrite", "deny")

Rule = tuple[str, str]  # (access, topic)


def office_topics(office: str) -> str:
    """Every topic of one office: what an office's rules stay inside (and the rule of releases before issue 9)."""
    return f"{ROOT}/{office}/#"


def bridge_topics_of(office: str) -> str:
    """The broker layer's own topics in an office's tree: the link notification and readiness pings."""
    return f"{ROOT}/{office}/{BRIDGE_NODE}/#"


def service_rules() -> list[Rule]:
    return [("readwrite", ALL_TOPICS)]


def office_rules(office: str) -> list[Rule]:
    """An office's login on the cloud broker (its bridge): up for any node of the office, down to them."""
    rules = [("write", subscription(channel, office)) for channel in UPSTREAM]
    rules.append(("write", link_topic(office)))  # the bridge's "1" and its Last Will "0"
    rules += [("read", subscription(channel, office)) for channel in DOWNSTREAM]
    return rules


def node_rules(office: str, node: str) -> list[Rule]:
    """A node's login on its office broker: only that node's channels, each in its direction."""
    rules = [("write", subscription(channel, office, node)) for channel in UPSTREAM]
    rules += [("read", subscription(channel, office, node)) for channel in DOWNSTREAM]
    rules.append(("read", bridge_topics_of(office)))  # is the cloud reachable (bridge/link)?
    return rules


def cloud_standin_rules(office: str) -> list[Rule]:
    """A login that plays the cloud on an office broker without a bridge: the mirror of every node's rules.

    Never created by ``onestop broker init-office``: tests and the demo's
    tooling add it on demand (``broker.stack.OfficeBroker.cloud_login``).
    """
    rules = [("read", subscription(channel, office)) for channel in UPSTREAM]
    rules += [("write", subscription(channel, office)) for channel in DOWNSTREAM]
    rules.append(("read", bridge_topics_of(office)))
    return rules


def _office_of(rules: list[Rule]) -> str | None:
    parts = rules[0][1].split("/") if rules else []
    return parts[2] if len(parts) > 2 and "/".join(parts[:2]) == ROOT else None


@dataclass
class AclBlock:
    """One ``user NAME`` line and the ``topic`` lines under it."""

    username: str
    rules: list[Rule]

    @property
    def is_service(self) -> bool:
        return self.rules == service_rules()

    @property
    def is_legacy(self) -> bool:
        """``topic readwrite onestop/v1/OFFICE/#`` alone: what releases before issue 9 granted everyone."""
        office = _office_of(self.rules)
        return office is not None and self.rules == [("readwrite", office_topics(office))]

    @property
    def comment(self) -> str:
        office = _office_of(self.rules)
        if self.is_service:
            return f"cloud service {self.username}: every office"
        if office is None:
            return f"user {self.username}"
        if self.rules == office_rules(office):
            return f"office {office}: writes its nodes' evt, ack, state, telemetry; reads their cmd, config, cursor"
        if self.rules == node_rules(office, self.username):
            return f"node {self.username} of office {office}: writes only its own evt, ack, state, telemetry"
        if self.rules == cloud_standin_rules(office):
            return f"{self.username}: stands in for the cloud on office {office}'s broker (no bridge)"
        if self.is_legacy:
            return f"{self.username}: every topic of office {office} (before per-channel rules)"
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
