// Hall display: renders each state snapshot the hub pushes over SSE.
// The time is the office's (its time zone is on <body>), not the browser's: a TV
// set to UTC or to another province's zone still shows the hour on the slips.
(function () {
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) =>
    ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  const zone = document.body.dataset.timezone;
  const timeFormat = new Intl.DateTimeFormat("vi-VN", {timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23"});
  const dateFormat = new Intl.DateTimeFormat("vi-VN", {timeZone: zone, weekday: "long", day: "2-digit", month: "2-digit", year: "numeric"});
  // open: an officer serves there; paused: the officer chose a break; closed: nobody is there.
  const STATUS = {open: "Đang tiếp nhận", paused: "Tạm nghỉ", closed: "Đóng"};
  let lastAnnouncement = null;

  function tick() {
    const now = new Date();
    $("clock-time").textContent = timeFormat.format(now);
    $("clock-date").textContent = dateFormat.format(now);
    $("idle-time").textContent = timeFormat.format(now);
  }

  function status(c) {
    const officer = c.status !== "closed" && c.officer
      ? `<div class="officer" data-testid="hall-counter-${c.number}-officer">${esc(c.officer)}</div>` : "";
    return `<td><span class="status ${esc(c.status)}" data-testid="hall-counter-${c.number}-status">` +
      `${STATUS[c.status] || esc(c.status)}</span>${officer}</td>`;
  }

  function render(s) {
    const now = s.last_called[0];
    $("calling").hidden = !now;
    $("idle").hidden = Boolean(now);
    if (now) {
      $("now-number").textContent = now.number;
      $("now-counter").textContent = String(now.counter);
    }
    $("counters").innerHTML = s.counters.map((c) =>
      `<tr data-testid="hall-counter-${c.number}" class="${esc(c.status)}"><td>${c.number}</td>` +
      `<td>${esc(c.fields.join(", "))}</td>${status(c)}` +
      `<td class="num${c.current ? "" : " none"}" data-testid="hall-counter-${c.number}-current">${c.current ? esc(c.current) : "—"}</td></tr>`).join("");
    $("waiting").innerHTML = s.fields.map((f) =>
      `<li><span>${esc(f.name)}</span><b data-testid="hall-waiting-${esc(f.code)}">${f.waiting.length}</b></li>`).join("");
    $("idle-waiting").innerHTML = s.fields.map((f) =>
      `<li>${esc(f.name)}: <b data-testid="hall-idle-waiting-${esc(f.code)}">${f.waiting.length}</b> người chờ</li>`).join("");
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
  tick();
  setInterval(tick, 1000);
  connect();
})();
