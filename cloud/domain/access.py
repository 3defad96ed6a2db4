"""Who may call what: the role × permission matrix of the API and the console.

One table, read by the HTTP layer (``cloud.api.deps.require``) and printed
in docs/access.md, so the answer to "can a specialist see the fleet?" is in
one place and a test can walk every cell.

A permission is coarse on purpose: it opens a group of endpoints. The
workflow then decides finer questions per dossier (only the officer holding
a dossier may submit it; only the receiving office's desk may return it), so
``dossier.act`` is granted to every role that takes part in a dossier and the
state machine refuses the rest with a reason (HTTP 409).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from cloud.domain.roles import Role


class Permission(StrEnum):
    catalogue_read = "catalogue.read"
    """The procedure catalogue: public information (Cổng dịch vụ công)."""
    dossier_lookup = "dossier.lookup"
    """A dossier's public status by its code: what the receipt's QR code opens."""
    dossier_create = "dossier.create"
    """Receive a dossier at a one-stop desk."""
    dossier_read = "dossier.read"
    """Lists, details with history, receipts, fees: personal data, staff only."""
    dossier_act = "dossier.act"
    """Workflow actions; the state machine checks the role and person per action."""
    queue_read = "queue.read"
    """Offices, their queues and counters."""
    queue_operate = "queue.operate"
    """Call the next ticket, recall: commands to a counter's hub."""
    fleet_read = "fleet.read"
    """Nodes, their presence and the dead-lettered messages; the registry of offices (read)."""
    registry_manage = "registry.manage"
    """Change the registry of offices: add an office, its queue fields, counters, hours, assign officers."""
    notifications_consume = "notifications.consume"
    """The notification feed read by the SMS/Zalo/e-mail workers, which run with an IT account."""
    users_manage = "users.manage"
    """Create users, set roles and passwords, revoke tokens."""
    audit_read = "audit.read"
    """The audit log."""


P = Permission
_PUBLIC = frozenset({P.catalogue_read, P.dossier_lookup})
_STAFF = _PUBLIC | {P.dossier_read, P.queue_read}
_IN_A_DOSSIER = _STAFF | {P.dossier_act}

MATRIX: Mapping[Role, frozenset[Permission]] = {
    Role.public: _PUBLIC,
    Role.reception: _IN_A_DOSSIER | {P.dossier_create, P.queue_operate},
    Role.department_head: _IN_A_DOSSIER,
    Role.specialist: _IN_A_DOSSIER,
    Role.leader: _IN_A_DOSSIER,
    Role.clerk: _IN_A_DOSSIER,
    Role.results_desk: _IN_A_DOSSIER | {P.queue_operate},
    Role.provincial_monitor: _STAFF | {P.audit_read},
    Role.admin: _STAFF | {P.users_manage, P.audit_read, P.fleet_read, P.notifications_consume, P.registry_manage},
    Role.it: _PUBLIC | {P.queue_read, P.fleet_read, P.notifications_consume, P.registry_manage},
}
"""What each role may do. Anyone not signed in acts as ``public``."""

assert set(MATRIX) == set(Role), "every role has a row"


def may(role: Role, permission: Permission) -> bool:
    return permission in MATRIX[role]


def roles_with(permission: Permission) -> tuple[Role, ...]:
    """The roles holding ``permission``, in declaration order (for error messages and docs)."""
    return tuple(role for role in Role if may(role, permission))


def matrix_markdown() -> str:
    """The matrix as a Markdown table, as printed in docs/access.md."""
    roles = list(Role)
    lines = ["| permission | " + " | ".join(r.value for r in roles) + " |",
             "| --- |" + " :-: |" * len(roles)]
    for permission in Permission:
        cells = " | ".join("✔" if may(r, permission) else "" for r in roles)
        lines.append(f"| `{permission.value}` | {cells} |")
    return "\n".join(lines) + "\n"
