"""The demo's accounts: one officer per role in Thủ Dầu Một, with one shared password.

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
    ("tiepnhan", "Trần Ngọc Lan", "tdm.bptn", ("reception",)),
    ("truongphong", "Lê Văn Hùng", "tdm.ptckh", ("department_head",)),
    ("chuyenvien", "Nguyễn Thị An", "tdm.ptckh", ("specialist",)),
    ("lanhdao", "Phạm Quang Minh", "tdm.ubnd", ("leader",)),
    ("trakq", "Võ Thị Mai", "tdm.bptn", ("results_desk",)),
    ("quantri", "Đặng Văn Quân", "tdm.bptn", ("admin",)),
    ("cntt", "Hoàng Minh Tuấn", "bd.stttt", ("it",)),
    ("giamsat", "Bùi Thị Thu", "bd.vpubnd", ("provincial_monitor",)),
)


def ensure_demo_users(users: UserStore) -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet; returns (username, full name, role) for the banner."""
    for username, full_name, unit, roles in DEMO_USERS:
        if users.get(username) is None:
            users.add(username, full_name=full_name, unit=unit, roles=roles, password=DEMO_PASSWORD)
    return [(username, full_name, roles[0]) for username, full_name, _unit, roles in DEMO_USERS]
