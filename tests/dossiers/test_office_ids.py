"""Migration 0010: office codes stored before become office ids (``tdm.bptn`` → ``tdm-bptn``), on SQLite and PostgreSQL.

The rows are written as revision 0009 left the schema, with a dossier made by
the workflow itself (so its JSON is what the service stores), then the
database is upgraded and read back.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.command import downgrade

from cloud.db import migrate
from cloud.db.engine import make_engine
from cloud.domain.catalogue import parse_catalogue
from cloud.domain.roles import Role
from cloud.domain.workflow import Actor, Holder, receive
from tests.domain.support import load, vn
from workdays import WorkingCalendar

NOW = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)
OLD_OFFICE, DEPT = "tdm.bptn", "tdm.ptckh"


JSON = {"data", "fees", "time_limit", "payload", "roles"}
INSTANTS = {"updated_at", "created_at", "received_at", "due_at", "at"}
INTEGERS = {"version", "year", "last_seq"}


def table(name: str, *columns: str) -> sa.TableClause:
    """A table as 0009 has it, with only the columns written here (later revisions may add more)."""
    def typed(c: str) -> sa.types.TypeEngine[Any]:
        if c in JSON:
            return sa.JSON()
        if c in INSTANTS:
            return sa.DateTime(timezone=True)
        return sa.Boolean() if c == "active" else sa.Integer() if c in INTEGERS else sa.String()
    return sa.table(name, *(sa.column(c, typed(c)) for c in columns))


def a_dossier_at_the_desk(office: str) -> dict[str, Any]:
    """The JSON the service stores for a KD.01 dossier received at ``office``, now held by its results desk."""
    procedure = parse_catalogue(load("catalogue.yaml"), "catalogue.yaml").procedure("KD.01")
    d = receive(code="H74.718-261012-0001", procedure=procedure, office=office, handling_unit=DEPT,
                actor=Actor(role=Role.reception, unit=office, officer="tn.lan"), now=vn(2026, 10, 12, 8),
                calendar=WorkingCalendar()).dossier
    return d.model_copy(update={"holder": Holder(unit=office, officer="tkq.mai", role=Role.results_desk)}).model_dump(
        mode="json")


def at_0009(url: str) -> sa.Engine:
    engine = make_engine(url)
    migrate.upgrade(engine)
    downgrade(migrate.alembic_config(engine), "0009")
    return engine


def insert_units(conn: sa.Connection, offices: dict[str, str]) -> None:
    units = table("admin_unit", "id", "name", "kind", "parent", "office", "office_name", "agency_id", "data", "updated_at")
    for n, (unit, office) in enumerate(offices.items()):
        conn.execute(sa.insert(units).values(
            id=unit, name=f"Đơn vị {unit}", kind="district", parent=None, office=office, office_name="Bộ phận một cửa",
            agency_id=f"H74.{n}", data={"office": {"code": office, "name": "Bộ phận một cửa"}}, updated_at=NOW))


def test_a_dossier_of_office_tdm_bptn_is_of_tdm_bptn_after_the_upgrade(database_url: str) -> None:
    engine = at_0009(database_url)
    data = a_dossier_at_the_desk(OLD_OFFICE)
    with engine.begin() as conn:
        insert_units(conn, {"tdm": OLD_OFFICE, "tdm.phu_hoa": "tdm.phu_hoa.bptn", "sg": "sai-gon"})
        conn.execute(sa.insert(table("procedure", "code", "name", "field", "level", "time_limit", "fees", "data",
                                     "updated_at")).values(
            code="KD.01", name="Đăng ký hộ kinh doanh", field="dang_ky_kinh_doanh", level="district",
            time_limit={"working_days": 3}, fees=[], data={}, updated_at=NOW))
        conn.execute(sa.insert(table("dossier", "code", "procedure", "office", "handling_unit", "state", "holder_unit",
                                     "holder_officer", "applicant_name", "channel", "received_at", "due_at",
                                     "updated_at", "data", "version")).values(
            code=data["code"], procedure="KD.01", office=OLD_OFFICE, handling_unit=DEPT, state="result_at_desk",
            holder_unit=OLD_OFFICE, holder_officer="tkq.mai", applicant_name="Nguyễn Thị Bình", channel="counter",
            received_at=NOW, due_at=NOW, updated_at=NOW, data=data, version=1))
        conn.execute(sa.insert(table("dossier_event", "dossier", "action", "from_state", "to_state", "actor_role",
                                     "actor_unit", "actor_officer", "at", "payload")).values(
            dossier=data["code"], action="receive", from_state=None, to_state="received", actor_role="reception",
            actor_unit=OLD_OFFICE, actor_officer="tn.lan", at=NOW, payload={"handling_unit": DEPT}))
        conn.execute(sa.insert(table("receipt_sequence", "office", "year", "last_seq")).values(
            office=OLD_OFFICE, year=2026, last_seq=3))
        users = table("user_account", "username", "full_name", "unit", "roles", "password_hash", "active", "created_at",
                      "updated_at")
        for username, unit in (("tn.lan", OLD_OFFICE), ("cv.an", DEPT)):
            conn.execute(sa.insert(users).values(username=username, full_name="Cán bộ", unit=unit, roles=["reception"],
                                                 password_hash=None, active=True, created_at=NOW, updated_at=NOW))
    migrate.upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT office, holder_unit, handling_unit, data FROM dossier")).one()
        units = dict(conn.execute(sa.text("SELECT id, office FROM admin_unit")).all())
        unit_data = conn.execute(sa.text("SELECT data FROM admin_unit WHERE id = 'tdm'")).scalar_one()
        event_unit = conn.execute(sa.text("SELECT actor_unit FROM dossier_event")).scalar_one()
        receipts = conn.execute(sa.text("SELECT office, last_seq FROM receipt_sequence")).all()
        user_units = dict(conn.execute(sa.text("SELECT username, unit FROM user_account")).all())
    engine.dispose()
    stored = row.data if isinstance(row.data, dict) else json.loads(row.data)
    unit_data = unit_data if isinstance(unit_data, dict) else json.loads(unit_data)
    assert (row.office, row.holder_unit, row.handling_unit) == ("tdm-bptn", "tdm-bptn", DEPT)
    assert stored["office"] == "tdm-bptn" and stored["holder"]["unit"] == "tdm-bptn"
    assert stored["received_by"]["unit"] == "tdm-bptn" and stored["handling_unit"] == DEPT  # a department stays
    assert [(h["sender"]["unit"], h["receiver"]["unit"]) for h in stored["handovers"]] == [("tdm-bptn", DEPT)]
    assert units == {"tdm": "tdm-bptn", "tdm.phu_hoa": "tdm-phu-hoa-bptn", "sg": "sai-gon"}  # unit codes stay
    assert unit_data["office"]["code"] == "tdm-bptn"
    assert event_unit == "tdm-bptn" and [tuple(r) for r in receipts] == [("tdm-bptn", 3)]
    assert user_units == {"tn.lan": "tdm-bptn", "cv.an": DEPT}  # the desk's officer follows the desk


def test_codes_that_would_collide_stop_the_upgrade_and_leave_the_rows(tmp_path: Any) -> None:
    engine = at_0009(f"sqlite:///{tmp_path / 'cloud.db'}")
    with engine.begin() as conn:
        insert_units(conn, {"a": "tdm.bptn", "b": "tdm_bptn"})
    with pytest.raises(RuntimeError, match="'tdm.bptn' and 'tdm_bptn' would both become 'tdm-bptn'|"
                                           "'tdm_bptn' and 'tdm.bptn' would both become 'tdm-bptn'"):
        migrate.upgrade(engine)
    with engine.connect() as conn:
        assert sorted(conn.execute(sa.text("SELECT office FROM admin_unit")).scalars()) == ["tdm.bptn", "tdm_bptn"]
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0009"
    engine.dispose()
