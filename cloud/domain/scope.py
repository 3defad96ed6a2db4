"""Which dossiers an officer may read: those of their own administration, and those sent to their unit.

The permission matrix (``cloud.domain.access``) says *what* a role may do;
this says *on which dossiers*. A commune officer reads the commune's
dossiers, a district officer the district's and its communes' (the district
supervises them), a province officer the whole province; and anyone reads a
dossier their unit takes part in (a sub-task sent to it, the department
handling it, the unit holding it), which is how a tax office or a commune
sees the liên thông dossiers of another administration. The provincial
monitor reads everything.

Units are dotted codes from province.yaml (``tdm.phu_hoa.tp_ht``): a unit
belongs to the administrative unit whose code is its longest dotted prefix
(``tdm.phu_hoa``), or that is the unit itself. Which administrative units
are under which is the ``parent`` of province.yaml (district codes do not
start with the province's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cloud.domain.roles import Role
from cloud.domain.workflow import Dossier

SEES_EVERYTHING = frozenset({Role.provincial_monitor})


@dataclass(frozen=True)
class Scope:
    unit: str
    """The officer's own unit: dossiers it takes part in are always visible."""
    offices: frozenset[str] | None
    """One-stop offices whose dossiers are visible; None: all of them."""

    def sees(self, dossier: Dossier) -> bool:
        if self.offices is None or dossier.office in self.offices:
            return True
        involved = {dossier.handling_unit, dossier.holder.unit, *(t.unit for t in dossier.subtasks)}
        return self.unit in involved


def home_unit(unit: str, admin_units: Iterable[str]) -> str | None:
    """The administrative unit ``unit`` belongs to: the longest code equal to it or a dotted prefix of it."""
    matches = [a for a in admin_units if unit == a or unit.startswith(a + ".")]
    return max(matches, key=len) if matches else None


@dataclass(frozen=True)
class AdminUnit:
    office: str
    parent: str | None


def scope_for(role: Role, unit: str, admin_units: Mapping[str, AdminUnit]) -> Scope:
    """The scope of an officer of ``unit`` acting as ``role``; ``admin_units``: code → its office and parent."""
    if role in SEES_EVERYTHING:
        return Scope(unit, None)
    home = home_unit(unit, admin_units)
    if home is None:
        return Scope(unit, frozenset())
    return Scope(unit, frozenset(node.office for code, node in admin_units.items()
                                 if home in _lineage(code, admin_units)))


def _lineage(code: str, admin_units: Mapping[str, AdminUnit]) -> list[str]:
    """``code`` and its ancestors, nearest first (a cycle in bad data stops the walk)."""
    chain: list[str] = []
    current: str | None = code
    while current is not None and current not in chain:
        chain.append(current)
        node = admin_units.get(current)
        current = node.parent if node is not None else None
    return chain
