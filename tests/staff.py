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
from typing import Any

from cloud.auth.users import UserStore
from cloud.db.engine import make_engine

STAFF = "ops.test"
TOKEN = "test-ops-token"
PASSWORD = "mật khẩu kiểm thử"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
AS_IT = {"X-Acting-Role": "it"}


def sign_in_staff(db_url: str) -> dict[str, str]:
    """Create the staff account in a migrated database (once) and return its request headers."""
    engine = make_engine(db_url)
    try:
        users = UserStore(engine)
        if users.get(STAFF) is None:
            users.add(STAFF, full_name="Cán bộ vận hành (kiểm thử)", unit="hcm.sai_gon", roles=["reception", "it"],
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
