// Virtual office: buttons press simulated GPIO pins on the hub; everything shown
// comes back from the devices' twins (printer pty, LED bus pty) over SSE.
(function () {
  const $ = (id) => document.getElementById(id);
  const KEYS = [["next", "Gọi số tiếp"], ["recall", "Gọi lại"], ["done", "Xong"], ["no_show", "Vắng mặt"]];
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
  const STATUS = {open: "Đang tiếp nhận", paused: "Tạm nghỉ", closed: "Đóng"};
  let built = false;

  async function press(pin, button) {
    button.disabled = true;
    try {
      const r = await fetch(`/sim/pins/${pin}/press`, {method: "POST"});
      if (!r.ok) alert((await r.json()).detail || "Không bấm được nút");
    } finally { button.disabled = false; }
  }

  function build(s) {
    $("kiosk-buttons").innerHTML = s.kiosk.map((b) =>
      `<button data-pin="${b.pin}" data-testid="kiosk-${b.field}${b.priority ? "-priority" : ""}"` +
      ` class="${b.priority ? "priority" : ""}">${esc(b.name)}${b.priority ? " (ưu tiên)" : ""}</button>`).join("");
    $("counters").innerHTML = s.counters.map((c) =>
      `<div class="counter"><div class="counter-head">Quầy ${c.number}<small>${esc(c.fields.join(", "))}</small></div>` +
      `<div class="counter-status" id="status-${c.number}" data-testid="counter-status-${c.number}"></div>` +
      `<div class="led" data-testid="led-${c.number}" id="led-${c.number}"></div><div class="keys">` +
      KEYS.map(([k, label]) => `<button data-pin="${c.keypad[k]}" data-testid="key-${c.number}-${k}">${label}</button>`).join("") +
      `</div><p class="message error" id="msg-${c.number}" data-testid="counter-message-${c.number}"></p></div>`).join("");
    document.querySelectorAll("button[data-pin]").forEach((b) => b.addEventListener("click", () => press(b.dataset.pin, b)));
    built = true;
  }

  // A receipt as the printer lays it out (edge/simulation/paper.py): each line in the size its
  // ESC/POS command set (height × 24 dots, width × 12 dots a character), each QR code drawn by the hub.
  function block(b) {
    if (b.kind === "qr") {
      const margin = {left: "0 auto 0 0", center: "0 auto", right: "0 0 0 auto"}[b.align] || "0 auto";
      return `<img class="qr" data-testid="receipt-qr" src="${esc(b.url)}" alt="${esc(b.data)}"` +
        ` style="width: calc(${b.dots} * var(--dot)); margin: ${margin}">`;
    }
    const size = `font-size: calc(${20 * b.height} * var(--dot)); line-height: calc(${24 * b.height} * var(--dot))`;
    const stretch = b.width !== b.height ? ` style="transform: scaleX(${b.width / b.height})"` : "";
    return `<div class="line ${esc(b.align)}${b.bold ? " bold" : ""}" data-size="${b.width}x${b.height}" style="${size}">` +
      `<span${stretch}>${esc(b.text)}</span></div>`;
  }
  function receipt(r) {
    return `<div class="receipt" data-testid="receipt" data-index="${r.index}">${r.blocks.map(block).join("")}</div>`;
  }

  function render(s) {
    if (!built) build(s);
    $("link").textContent = !s.online ? "mất kết nối với máy chủ tại văn phòng (hàng đợi vẫn chạy)"
      : s.cloud_link === false ? "mất kết nối (hàng đợi vẫn chạy, sự kiện chờ gửi)" : "đã kết nối";
    $("outbox").textContent = s.outbox_pending;
    const m = $("kiosk-message");
    m.textContent = s.kiosk_message.text;
    m.className = "message " + s.kiosk_message.level;
    const sim = s.sim || {receipts: [], led_boards: {}};
    s.counters.forEach((c) => {
      $(`led-${c.number}`).textContent = sim.led_boards[String(c.led_address)] || "";
      $(`status-${c.number}`).textContent = (STATUS[c.status] || c.status) + (c.officer ? ` · ${c.officer}` : "");
      $(`msg-${c.number}`).textContent = c.message || "";
    });
    $("receipts").innerHTML = sim.receipts.map(receipt).join("");
  }

  const es = new EventSource("/events");
  es.addEventListener("state", (e) => render(JSON.parse(e.data)));
})();
