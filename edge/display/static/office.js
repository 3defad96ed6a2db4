// Virtual office: buttons press simulated GPIO pins on the hub; everything shown
// comes back from the devices' twins (printer pty, LED bus pty) over SSE.
(function () {
  const $ = (id) => document.getElementById(id);
  const KEYS = [["next", "Gọi số tiếp"], ["recall", "Gọi lại"], ["done", "Xong"], ["no_show", "Vắng mặt"]];
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
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
      `<div class="led" data-testid="led-${c.number}" id="led-${c.number}"></div><div class="keys">` +
      KEYS.map(([k, label]) => `<button data-pin="${c.keypad[k]}" data-testid="key-${c.number}-${k}">${label}</button>`).join("") +
      `</div></div>`).join("");
    document.querySelectorAll("button[data-pin]").forEach((b) => b.addEventListener("click", () => press(b.dataset.pin, b)));
    built = true;
  }

  function render(s) {
    if (!built) build(s);
    $("link").textContent = s.online ? "đã kết nối" : "mất kết nối (hàng đợi vẫn chạy)";
    $("outbox").textContent = s.outbox_pending;
    const m = $("kiosk-message");
    m.textContent = s.kiosk_message.text;
    m.className = "message " + s.kiosk_message.level;
    const sim = s.sim || {receipts: [], led_boards: {}};
    s.counters.forEach((c) => { $(`led-${c.number}`).textContent = sim.led_boards[String(c.led_address)] || ""; });
    $("receipts").innerHTML = sim.receipts.map((r) =>
      `<pre class="receipt" data-testid="receipt">${esc(r.lines.join("\n"))}</pre>`).join("");
  }

  const es = new EventSource("/events");
  es.addEventListener("state", (e) => render(JSON.parse(e.data)));
})();
