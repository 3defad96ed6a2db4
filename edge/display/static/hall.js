// Hall display: renders each state snapshot the hub pushes over SSE.
(function () {
  const $ = (id) => document.getElementById(id);
  let lastAnnouncement = null;
  function text(el, value) { el.textContent = value; }
  function render(s) {
    const now = s.last_called[0];
    text($("now-number"), now ? now.number : "—");
    text($("now-counter"), now ? String(now.counter) : "—");
    const rows = s.counters.map((c) =>
      `<tr data-testid="hall-counter-${c.number}"><td>${c.number}</td><td>${c.fields.join(", ")}</td>` +
      `<td class="num">${c.current || (c.open ? "—" : "Tạm nghỉ")}</td></tr>`);
    $("counters").innerHTML = rows.join("");
    $("waiting").innerHTML = s.fields.map((f) =>
      `<li><span>${f.name}</span><b data-testid="hall-waiting-${f.code}">${f.waiting.length}</b></li>`).join("");
    if (s.announcement && s.announcement.id !== lastAnnouncement) {
      lastAnnouncement = s.announcement.id;
      const voice = $("voice");
      voice.src = s.announcement.url;
      voice.dataset.text = s.announcement.text;
      voice.play().catch(() => {});  // autoplay may be blocked outside kiosk mode
    }
  }
  function connect() {
    const es = new EventSource("/events");
    es.addEventListener("state", (e) => { $("offline").hidden = true; render(JSON.parse(e.data)); });
    es.onerror = () => { $("offline").hidden = false; };
  }
  setInterval(() => { text($("clock"), new Date().toLocaleString("vi-VN")); }, 1000);
  connect();
})();
