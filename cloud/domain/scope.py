"""Which dossiers an officer may read: those of their own administration, and those sent to their unit.

The permission matrix (``cloud.domain.access``) says *what* a role may do;
this says *on which dossiers*. An officer reads the dossiers received by the
one-stop offices of their administrative unit and of every unit under it in
the province's tree: a commune or ward officer the commune's, a province
officer the whole province's, and, in a three-level tree, a district officer
the district's and its communes' (the district supervises them). The tree is
whatever province.yaml gives (province → commune since 1 July 2025, province
→ district → commune in the seeds, deeper would do): the walk follows
``parent`` and knows no level. Anyone also reads a dossier their unit takes
part in (a sub-task sent to it, the department handling it, the unit holding
it), which is how a tax office or a commune sees the liên thông dossiers of
another administration. The provincial monitor reads everything.

An officer's unit is a dotted code from province.yaml (``hcm.sai_gon.vhxh``),
which belongs to the administrative unit whose code is its longest dotted
prefix (``hcm.sai_gon``) or that is the unit itself; or it is the id of a
one-stop office (``sai-gon``: the desk's own officers), which belongs to that
office's unit. Unit codes need not start with their parent's.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def home_unit(unit: str, admin_units: Mapping[str, AdminUnit]) -> str | None:
    """The administrative unit ``unit`` belongs to: the one whose office id it is, else the longest code equal
    to it or a dotted prefix of it."""
    for code, node in admin_units.items():
        if node.office == unit:
            return code
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
