"""The roles people play in a one-stop office.

They come from the seeds (DOMAIN.md, "Roles seen across the seeds") and from
Hải Phòng's four training groups (004: administration, reception, processing,
approval). They live in their own module because both the procedure catalogue
(a processing step names the role that does it) and the workflow (a transition
names the roles allowed to take it) need them, and neither should import the
other just for this list.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user may do; one person may hold several roles, but acts in one at a time."""

    admin = "admin"
    """Configures the office's catalogue, users and queues; takes no part in a dossier."""
    reception = "reception"
    """Officer at the one-stop desk who checks and receives dossiers (cán bộ tiếp nhận)."""
    department_head = "department_head"
    """Head of the specialist department; assigns a handling officer (trưởng phòng)."""
    specialist = "specialist"
    """Handling officer who processes the dossier and drafts the result (chuyên viên thụ lý)."""
    leader = "leader"
    """Leader who signs, approves or refuses (lãnh đạo ký duyệt)."""
    clerk = "clerk"
    """Clerk (văn thư) who numbers, dates and stamps the signed result and enters it in the register."""
    results_desk = "results_desk"
    """Officer at the desk who stamps, collects fees and returns the result (trả kết quả)."""
    it = "it"
    """IT administrator of the fleet; no part in a dossier."""
    provincial_monitor = "provincial_monitor"
    """Province-level supervisor who watches figures and delays; reads, never acts."""
    public = "public"
    """A citizen or organisation looking up a dossier; reads its public status only."""


ROLE_LABELS_VI: dict[Role, str] = {
    Role.admin: "Quản trị hệ thống",
    Role.reception: "Cán bộ tiếp nhận",
    Role.department_head: "Trưởng phòng chuyên môn",
    Role.specialist: "Chuyên viên thụ lý",
    Role.leader: "Lãnh đạo phê duyệt",
    Role.clerk: "Văn thư",
    Role.results_desk: "Cán bộ trả kết quả",
    Role.it: "Cán bộ công nghệ thông tin",
    Role.provincial_monitor: "Giám sát cấp tỉnh",
    Role.public: "Công dân",
}
"""How an officer's screen names a role."""
