"""Office ids in the one alphabet of the MQTT topics: ``tdm.bptn`` becomes ``tdm-bptn``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

An office is one thing everywhere: its id on the MQTT topics, in the broker's
ACL and in the hub's configuration already had to match
``protocol.topics.ID_PATTERN`` (``^[a-z0-9][a-z0-9-]{0,62}$``), while the
dossier tables took the office codes of province.yaml, a dotted alphabet
(``tdm.bptn``, ``tdm.phu_hoa.bptn``). From here province.yaml's office codes are
office ids, and this migration rewrites the codes already stored by the rule
"lowercase, ``.`` and ``_`` become ``-``".

Which codes are office codes: those of ``admin_unit.office`` and
``dossier.office``. Each is rewritten in every column that holds an office
code (``admin_unit.office``, ``dossier.office``, ``receipt_sequence.office``,
``fee_receipt.office``) and, where it stands as a unit (the desk's officers
have the office as their unit; a result at the desk is held by the office),
in the unit columns (``dossier.holder_unit``, ``dossier_event.actor_unit``,
``dossier_subtask.unit``, ``fee_receipt.collected_by_unit``,
``user_account.unit``) and in the ``office`` and ``unit`` keys of the
dossiers' JSON (``dossier.data``: the holder, the hand-overs, the sub-tasks).
Unit codes that are not office codes (``tdm.phu_hoa``) are not touched. Two
codes that would become the same id stop the migration with both named
(nothing is written: Alembic runs it in one transaction).

The audit log is not rewritten: its entries are hash-chained (docs/audit.md),
so they keep the codes of their time. The downgrade changes nothing: the
earlier code accepts these ids as codes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")  # protocol.topics.ID_PATTERN when this was written

OFFICE_COLUMNS = (("admin_unit", "office"), ("dossier", "office"), ("receipt_sequence", "office"),
                  ("fee_receipt", "office"))
UNIT_COLUMNS = (("dossier", "holder_unit"), ("dossier_event", "actor_unit"), ("dossier_subtask", "unit"),
                ("fee_receipt", "collected_by_unit"), ("user_account", "unit"))
JSON_KEYS = frozenset({"office", "unit"})

dossier = sa.table("dossier", sa.column("code", sa.String()), sa.column("data", sa.JSON()))
admin_unit = sa.table("admin_unit", sa.column("id", sa.String()), sa.column("data", sa.JSON()))


def office_id(code: str) -> str:
    """The rule: lowercase, ``.`` and ``_`` become ``-``."""
    return code.lower().replace(".", "-").replace("_", "-")


def _renames(conn: sa.Connection) -> dict[str, str]:
    """Every stored office code that is not an office id yet → its id; refuses codes the rule cannot map."""
    codes: set[str] = set()
    for table, column in (("admin_unit", "office"), ("dossier", "office")):
        t = sa.table(table, sa.column(column, sa.String()))
        codes.update(conn.execute(sa.select(t.c[column]).distinct()).scalars())
    renames = {code: office_id(code) for code in sorted(codes) if office_id(code) != code}
    problems = [f"{code!r} → {new!r} is not an office id" for code, new in renames.items() if not ID_PATTERN.fullmatch(new)]
    taken: dict[str, str] = {code: code for code in codes if code not in renames}
    for code, new in renames.items():
        if new in taken:
            problems.append(f"{code!r} and {taken[new]!r} would both become {new!r}")
        taken[new] = code
    if problems:
        raise RuntimeError("cannot rewrite the office codes: " + "; ".join(problems)
                           + " (rename them by hand first, then upgrade again)")
    return renames


def _rewrite_json(value: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: (renames.get(v, v) if k in JSON_KEYS and isinstance(v, str) else _rewrite_json(v, renames))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite_json(v, renames) for v in value]
    return value


def upgrade() -> None:
    conn = op.get_bind()
    renames = _renames(conn)
    if not renames:
        return
    for table, column in (*OFFICE_COLUMNS, *UNIT_COLUMNS):
        t = sa.table(table, sa.column(column, sa.String()))
        for old, new in renames.items():
            conn.execute(sa.update(t).where(t.c[column] == old).values({column: new}))
    # The unit's copy of its office (its hours…) names the office too.
    for unit_id, data in conn.execute(sa.select(admin_unit.c.id, admin_unit.c.data)).all():
        office = data.get("office") if isinstance(data, dict) else None
        if isinstance(office, dict) and office.get("code") in renames:
            rewritten = {**data, "office": {**office, "code": renames[office["code"]]}}
            conn.execute(sa.update(admin_unit).where(admin_unit.c.id == unit_id).values(data=rewritten))
    # The dossiers' JSON, one row at a time (a province has many, and a row may be large).
    d = dossier.c
    for code in list(conn.execute(sa.select(d.code).order_by(d.code)).scalars()):
        data = conn.execute(sa.select(d.data).where(d.code == code)).scalar_one()
        rewritten = _rewrite_json(data, renames)
        if rewritten != data:
            conn.execute(sa.update(dossier).where(d.code == code).values(data=rewritten))


def downgrade() -> None:
    """Nothing to undo: the ids are valid codes for the earlier code (``[A-Za-z0-9._-]``), and the rule loses
    which of ``.`` and ``_`` a ``-`` was."""
