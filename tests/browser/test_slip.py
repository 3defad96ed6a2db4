"""The virtual office's slip, drawn as the printer would print the bytes: a QR code a scanner reads, a big number.

The screenshot is of the slip in a real chromium; zbarimg (Debian's
zbar-tools) reads the QR code from the pixels, and the number's digits are
measured in the pixels against the digits of an ordinary line.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from broker.process import free_port
from edge.agent import HubAgent, HubOptions
from edge.config_file import load_office_config

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser
SCALE = 2  # device pixels per CSS pixel of the screenshot

#: The box (CSS pixels, from the slip's top left corner) of ``text`` inside the slip line that contains it.
TEXT_BOX = """(slip, text) => {
  const line = [...slip.querySelectorAll(".line")].find((l) => l.textContent.includes(text));
  const node = line.querySelector("span").firstChild;
  const range = document.createRange();
  const start = node.textContent.indexOf(text);
  range.setStart(node, start);
  range.setEnd(node, start + text.length);
  const box = range.getBoundingClientRect(), origin = slip.getBoundingClientRect();
  return {x: box.left - origin.left, y: box.top - origin.top, width: box.width, height: box.height};
}"""


@pytest.fixture
def hub(tmp_path, office_broker):
    office = office_broker("sai-gon", bridged=False)
    agent = HubAgent(load_office_config(ROOT / "firmware_configs/sai-gon.yaml"),
                     HubOptions(data_dir=tmp_path / "edge", simulate=True, mqtt_port=office.port,
                                mqtt_password=office.hub_password, display_port=free_port(), open_all_day=True))
    agent.start()
    yield agent
    agent.stop()


def _ink_height(image: Image.Image, box: dict[str, float]) -> int:
    """Rows of the box that hold a dark pixel: the height of the glyphs drawn there, in device pixels."""
    left, top = int(box["x"] * SCALE), int(box["y"] * SCALE)
    crop = image.crop((left, top, left + int(box["width"] * SCALE), top + int(box["height"] * SCALE))).convert("L")
    rows = [y for y in range(crop.height) if any(crop.getpixel((x, y)) < 100 for x in range(crop.width))]
    return rows[-1] - rows[0] + 1 if rows else 0


def test_the_slip_draws_the_qr_code_its_bytes_carry_and_the_number_in_double_size(hub, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN", device_scale_factor=SCALE)
    page = context.new_page()
    page.goto(f"{hub.server.url}/office")
    page.get_by_test_id("kiosk-ho-tich").click()
    slip = page.get_by_test_id("receipt").first
    expect(slip).to_contain_text("A001")
    qr = slip.get_by_test_id("receipt-qr")
    expect(qr).to_be_visible()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    printed = hub.sim.printer.receipts[0]
    shot = tmp_path / "slip.png"
    slip.screenshot(path=str(shot))

    # What a phone at the counter would read from the paper: the QR data the printer was sent.
    read = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(shot)],
                          capture_output=True, text=True, timeout=60)
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == printed.qr_codes[0] == printed.blocks[-3].data  # the ticket id, then two lines

    # The number was sent at double width and height (ESC !): its digits are twice as high as a line's.
    image = Image.open(shot)
    number = _ink_height(image, slip.evaluate(TEXT_BOX, "A001"))
    (issued,) = [line for line in printed.lines if line.startswith("Giờ lấy số: ")]
    time_of_issue = issued.removeprefix("Giờ lấy số: ")  # "09:00 23/11/2026": digits, as the number's
    digits = _ink_height(image, slip.evaluate(TEXT_BOX, time_of_issue))
    assert digits > 8 and number >= 1.8 * digits, (number, digits)
    line_box = slip.evaluate(TEXT_BOX, time_of_issue)["height"]
    assert slip.evaluate(TEXT_BOX, "A001")["height"] >= 1.8 * line_box
    context.close()
