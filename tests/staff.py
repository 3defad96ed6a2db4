"""A staff account for the tests that drive the queue and fleet API over HTTP.

The cloud refuses anonymous callers on staff endpoints, so these tests sign
in as an officer who holds the reception role (queue, call-next) and the IT
role (nodes, dead letters): ``AS_IT`` switches the role of one request.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cloud.auth.users import UserStore
from cloud.db import migrate
from cloud.db.dossiers import admin_unit_table
from cloud.db.engine import make_engine
from cloud.dossiers.seed import seed_if_empty

OFFICE = "sai-gon"
"""The demo office, whose queue the staff account operates."""
STAFF = "ops.test"
TOKEN = "test-ops-token"
PASSWORD = "mật khẩu kiểm thử"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
AS_IT = {"X-Acting-Role": "it"}


def prepare_office(db_url: str, reference_data: Path) -> str:
    """Migrate and seed the database as the cloud's start-up would, and return the unit whose office is sai-gon.

    Queues follow the office (an officer operates those of their unit's
    administration), so the staff account must belong to the unit of the
    demo office. Call it before the cloud starts: the service reads the units
    once, at start-up. Until the shipped province has a unit whose office is
    ``sai-gon`` (issue 10), this adds one, named after the office.
    """
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        seed_if_empty(engine, reference_data)
        with engine.begin() as conn:
            unit = conn.execute(select(admin_unit_table.c.id).where(admin_unit_table.c.office == OFFICE)).scalar()
            if unit is None:
                unit = OFFICE
                conn.execute(admin_unit_table.insert().values(
                    id=unit, name="phường Sài Gòn", kind="commune", parent=None, office=OFFICE,
                    office_name="Bộ phận một cửa UBND phường Sài Gòn", agency_id="H29.26734",
                    data={"office": {}, "departments": []}, updated_at=datetime.now(UTC)))
        return str(unit)
    finally:
        engine.dispose()


def staff_unit(db_url: str) -> str:
    """The unit of the demo office (see :func:`prepare_office`), or the office id if none is known yet."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            unit = conn.execute(select(admin_unit_table.c.id).where(admin_unit_table.c.office == OFFICE)).scalar()
    finally:
        engine.dispose()
    return str(unit or OFFICE)


def sign_in_staff(db_url: str) -> dict[str, str]:
    """Create the staff account in a migrated database (once), in the demo office's unit, and return its
    request headers."""
    engine = make_engine(db_url)
    try:
        users = UserStore(engine)
        if users.get(STAFF) is None:
            users.add(STAFF, full_name="Cán bộ vận hành (kiểm thử)", unit=staff_unit(db_url), roles=["reception", "it"],
                      password=PASSWORD)
            users.issue_token(STAFF, kind="api", name="tests", ttl=timedelta(days=1), secret=TOKEN)
    finally:
        engine.dispose()
    return dict(HEADERS)


def sign_in_browser(page: Any, base_url: str, path: str) -> None:
    """Open ``path`` in the console as a visitor would: the sign-in form first, then back to ``path``."""
    from playwright.sync_api import expect

    base = base_url.rstrip("/")
    page.goto(f"{base}{path}")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    page.get_by_test_id("login-username").fill(STAFF)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{base}{path}")
