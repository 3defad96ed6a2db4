"""The counter card's Xong, Vắng mặt and Chuyển quầy buttons: browser → API → broker → hub → ack.

The hub is tests/cloud/fakes.FakeHub; it records the command the button sent (a transfer carries the
counter chosen in the card's list) and answers as the hub does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from protocol import Ack, Command
from protocol.messages import QueueFinish, QueueTransfer
from tests.cloud.fakes import FakeHub, ack_error, ack_ok, ticket_id
from tests.cloud.test_console import run_in_own_thread
from tests.staff import sign_in_browser


def answer(command: Command) -> Ack:
    data = command.data
    if isinstance(data, QueueFinish):
        return ack_ok(command, {"ticket_id": ticket_id(1), "number": "A001", "field": "ho-tich",
                                "counter": data.counter, "outcome": data.outcome})
    assert isinstance(data, QueueTransfer), data
    if data.to_counter == 2:
        return ack_error(command, "counter_closed", "nobody works at counter 2 today",
                         "Quầy 2 chưa có cán bộ nhận quầy. Hãy chuyển sang quầy đang làm việc.")
    return ack_ok(command, {"ticket_id": ticket_id(2), "number": "A002", "field": "ho-tich",
                            "from_counter": data.counter, "to_counter": data.to_counter})


def test_the_counter_card_has_done_no_show_and_a_transfer_to_each_other_counter(api: httpx.Client) -> None:
    page = api.get("/console/offices/sai-gon").text
    card = page.split('data-testid="counter-1"')[1].split("</article>")[0]
    for text in ("Xong", "Vắng mặt", "Chuyển quầy", 'data-testid="done-1"', 'data-testid="no-show-1"',
                 'data-testid="transfer-1"'):
        assert text in card, text
    choices = card.split('data-testid="transfer-to-1">')[1].split("</select>")[0]
    assert '<option value="2">Quầy 2</option>' in choices and '<option value="3">Quầy 3</option>' in choices
    assert 'value="1"' not in choices  # not to itself


@pytest.mark.browser
def test_done_no_show_and_transfer_from_the_console_say_what_the_hub_did(
    api: httpx.Client, fake_hub: Callable[..., FakeHub], tmp_path: Path
) -> None:
    hub = fake_hub(answer)

    def scenario(page: Any) -> None:
        from playwright.sync_api import expect

        sign_in_browser(page, str(api.base_url), "/console/offices/sai-gon")
        page.get_by_test_id("done-1").click()
        expect(page.get_by_test_id("counter-1-message")).to_have_text("Đã phục vụ xong số A001.")
        page.get_by_test_id("no-show-1").click()
        expect(page.get_by_test_id("counter-1-message")).to_have_text("Số A001 vắng mặt.")
        page.get_by_test_id("transfer-1").click()  # the list's first choice: counter 2, closed
        expect(page.get_by_test_id("counter-1-message")).to_have_text(
            "Quầy 2 chưa có cán bộ nhận quầy. Hãy chuyển sang quầy đang làm việc.")
        page.get_by_test_id("transfer-to-1").select_option("3")
        page.get_by_test_id("transfer-1").click()
        expect(page.get_by_test_id("counter-1-message")).to_have_text(
            "Đã chuyển số A002 sang quầy 3: quầy đó sẽ gọi số này trước.")
        page.screenshot(path=str(tmp_path / "counter-actions.png"), full_page=True)

    run_in_own_thread(scenario)
    assert [c.envelope.data for c in hub.commands] == [
        {"counter": 1, "outcome": "served"}, {"counter": 1, "outcome": "no_show"},
        {"counter": 1, "to_counter": 2}, {"counter": 1, "to_counter": 3}]
