"""The demo's accounts: one officer per role at Phường Sài Gòn and the city, with one shared password.

The desk's officers (reception, the clerk, results) have the office id ``sai-gon`` as
their unit: the one-stop office that receives the dossiers; the ward's
Phòng Kinh tế, Hạ tầng và Đô thị (``hcm.sai_gon.kt``) handles the sample's
business registrations (KD.01); the IT officer and the monitor work for the
city (cloud/data/province.yaml).

Only ``onestop demo`` creates them (and prints them), so someone trying the
system can sign in as each role in turn. A real installation creates its
users with ``onestop users add``; these names and this password must never
exist there.
"""

from __future__ import annotations

from cloud.auth.users import UserStore

DEMO_PASSWORD = "demo-mot-cua"

DEMO_USERS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    # username, full name, unit, roles
    ("tiepnhan", "Nguyễn Thị Lan", "sai-gon", ("reception",)),
    ("truongphong", "Lê Văn Hùng", "hcm.sai_gon.kt", ("department_head",)),
    ("chuyenvien", "Trần Thị Ngọc Ánh", "hcm.sai_gon.kt", ("specialist",)),
    ("lanhdao", "Phạm Quang Minh", "hcm.sai_gon", ("leader",)),
    ("vanthu", "Huỳnh Thị Thanh Hương", "sai-gon", ("clerk",)),
    ("trakq", "Võ Thị Mai", "sai-gon", ("results_desk",)),
    ("quantri", "Đặng Văn Quân", "hcm.sai_gon.vp", ("admin",)),
    ("cntt", "Hoàng Minh Tuấn", "hcm.skhcn", ("it",)),
    ("giamsat", "Bùi Thị Thu", "hcm.vpubnd", ("provincial_monitor",)),
)


def ensure_demo_users(users: UserStore) -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet; returns (username, full name, role) for the banner."""
    for username, full_name, unit, roles in DEMO_USERS:
        if users.get(username) is None:
            users.add(username, full_name=full_name, unit=unit, roles=roles, password=DEMO_PASSWORD)
    return [(username, full_name, roles[0]) for username, full_name, _unit, roles in DEMO_USERS]
