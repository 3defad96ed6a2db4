"""A staff account for the tests that drive the queue and fleet API over HTTP.

The cloud refuses anonymous callers on staff endpoints, so these tests sign
in as an officer who holds the reception role (queue, call-next) and the IT
role (nodes, dead letters): ``AS_IT`` switches the role of one request. The
account works for Phường Sài Gòn (unit ``hcm.sai_gon``), the unit of the
demo office ``sai-gon``, so a rule that lets officers operate only the
offices of their unit (cloud/domain/scope.py) still lets it operate that one.
"""

from __future__ import annotations

from datetime import timedelta
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
    """Migrate and seed the database as the cloud's start-up would, and return the staff's unit.

    Queues follow the office (an officer operates those of their unit's
    administration) and a desk officer's unit is the office itself (they
    receive there: docs/workflow.md), so the staff account sits at the demo
    office's desk, ``sai-gon``, of the unit Phường Sài Gòn.
    """
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        seed_if_empty(engine, reference_data)
        with engine.connect() as conn:
            unit = conn.execute(select(admin_unit_table.c.id).where(admin_unit_table.c.office == OFFICE)).scalar()
        assert unit is not None, f"the reference data in {reference_data} has no unit whose office is {OFFICE}"
        return OFFICE
    finally:
        engine.dispose()


def sign_in_staff(db_url: str) -> dict[str, str]:
    """Create the staff account in a migrated database (once), in the demo office's unit, and return its
    request headers."""
    engine = make_engine(db_url)
    try:
        users = UserStore(engine)
        if users.get(STAFF) is None:
            users.add(STAFF, full_name="Cán bộ vận hành (kiểm thử)", unit=OFFICE, roles=["reception", "it"],
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
