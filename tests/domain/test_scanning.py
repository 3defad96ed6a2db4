"""Reading a dossier code from what a barcode / QR scanner typed, and the default action of a scan."""

from __future__ import annotations

import pytest

from cloud.domain.codes import CodeFormat
from cloud.domain.roles import Role
from cloud.domain.scanning import SCAN_ACTIONS, ScanError, default_scan_action, read_scanned_code
from cloud.domain.workflow import Action, transition

CODE = "H74.718-261012-0001"
codes = CodeFormat()


@pytest.mark.parametrize("scanned", [
    CODE,
    f"  {CODE.lower()}\r\n",
    f"\t{CODE}\n",
    f"https://dichvucong.binhduong.gov.vn/api/v1/public/dossiers/{CODE}",
    f"https://dichvucong.binhduong.gov.vn/api/v1/public/dossiers/{CODE.lower()}/",
    f"https://example.vn/tra-cuu?code={CODE}&lang=vi",
    f"https://example.vn/tra-cuu?ma={CODE.lower()}",
    "https://example.vn/tra-cuu?code=H74%2E718%2D261012%2D0001",
    f"/api/v1/public/dossiers/{CODE}",
])
def test_a_code_is_found_in_what_scanners_type(scanned: str) -> None:
    assert read_scanned_code(scanned, codes) == CODE


def test_the_query_s_code_wins_over_other_date_like_parts_of_a_url() -> None:
    scanned = f"https://example.vn/H74.718-261011-0009/lookup?code={CODE}"
    assert read_scanned_code(scanned, codes) == CODE


@pytest.mark.parametrize("scanned", ["", "   \r\n", "hello", "H74.718-261341-0001", "https://example.vn/tra-cuu?code=",
                                     "H74.718-261012-0000"])
def test_nothing_readable_is_a_scan_error_that_says_what_to_do(scanned: str) -> None:
    with pytest.raises(ScanError, match="scan the barcode or QR code"):
        read_scanned_code(scanned, codes)


def test_each_default_is_a_real_action_of_that_role_and_others_must_name_one() -> None:
    for role, action in SCAN_ACTIONS.items():
        assert role in transition(action).roles
    assert default_scan_action(Role.results_desk) is Action.deliver_result
    with pytest.raises(ScanError, match="department_head has no default action"):
        default_scan_action(Role.department_head)
    with pytest.raises(ScanError, match="name the action"):
        default_scan_action(Role.leader)
