"""The console's dossier pages: the list and one dossier's record, in the reader's scope, with names.

Before, ``/console/dossiers`` was 404 and a dossier could be read only as
JSON. The pages read the same store and scopes as the API: another
administration's dossier is neither listed nor shown, and people read
names (officers, units, procedures, actions), never logins or codes.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.dossiers.conftest import OFFICE, bc_reception, clerk, desk, head, it, leader, new_dossier, reception, specialist
from tests.dossiers.flows import act


def test_the_list_shows_the_readers_dossiers_by_name_and_hides_the_others(client: TestClient) -> None:
    mine = new_dossier(client, "KD.01", "Nguyễn Thị Bình")["code"]
    theirs = new_dossier(client, "KD.01", "Lê Văn Cường", office="bc-bptn", headers=bc_reception)["code"]
    page = client.get("/console/dossiers", headers=reception)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'data-code="{mine}"' in page.text and "Nguyễn Thị Bình" in page.text
    assert theirs not in page.text and "Lê Văn Cường" not in page.text, "another administration's dossier is listed"
    assert "Đã tiếp nhận" in page.text  # the state by its label
    received = client.get("/console/dossiers?state=received", headers=reception).text
    returned = client.get("/console/dossiers?state=returned", headers=reception).text
    assert mine in received and mine not in returned and 'data-testid="dossiers-empty"' in returned


def test_a_dossier_page_tells_its_story_in_names(client: TestClient) -> None:
    code = new_dossier(client, "KD.01", "Nguyễn Thị Bình")["code"]
    assert act(client, code, "assign", head, {"officer": "cv.an"}).status_code == 200
    page = client.get(f"/console/dossiers/{code}", headers=reception)
    assert page.status_code == 200
    text = page.text
    assert f"Hồ sơ {code}" in text and "Nguyễn Thị Bình" in text
    assert "Tiếp nhận hồ sơ" in text and "Phân công thụ lý" in text  # each step by its Vietnamese name
    assert "Cán bộ tn.lan" in text and "Cán bộ tp.hung" in text  # officers by full name (tests' names)
    assert ">tn.lan<" not in text and ">tp.hung<" not in text, "a login is shown where a person reads"
    assert f">{OFFICE}<" not in text, "the office is shown by its code"


def test_another_administrations_dossier_is_not_found_and_a_role_without_dossiers_signs_in(client: TestClient) -> None:
    theirs = new_dossier(client, "KD.01", "Lê Văn Cường", office="bc-bptn", headers=bc_reception)["code"]
    hidden = client.get(f"/console/dossiers/{theirs}", headers=reception)
    unknown = client.get("/console/dossiers/KHONG-CO", headers=reception)
    assert hidden.status_code == unknown.status_code == 404
    assert "Lê Văn Cường" not in hidden.text and 'data-testid="dossier-not-found"' in hidden.text
    to_login = client.get("/console/dossiers", headers=it, follow_redirects=False)
    assert to_login.status_code == 303 and to_login.headers["location"].startswith("/login?next=/console/dossiers")


@pytest.mark.parametrize(("who", "home"), [
    (reception, "/console"), (head, "/console/team"), (specialist, "/console/inbox"), (leader, "/console/approvals"),
    (desk, "/console/results"), (clerk, "/console/register"), (it, "/console"),
])
def test_each_role_lands_on_its_own_home(client: TestClient, who: dict[str, str], home: str) -> None:
    landed = client.get("/console/home", headers=who, follow_redirects=False)
    assert landed.status_code == 303 and landed.headers["location"] == home
    assert client.get(home, headers=who).status_code == 200


def test_a_visitor_without_a_session_is_sent_to_sign_in_first(client: TestClient) -> None:
    landed = client.get("/", follow_redirects=False)
    assert landed.status_code in (302, 303, 307) and landed.headers["location"] == "/console/home"
    home = client.get("/console/home", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/login?next=/console/home"
