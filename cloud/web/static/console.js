// Staff console: keeps the office list current by polling the JSON API every second (the office
// page is live over server-sent events: live.js), and sends the counter buttons to the API.
// Vietnamese text only.
"use strict";

const Console = (() => {
  const POLL_MS = 1000;
  const STATUS_TEXT = { true: "Trực tuyến", false: "Mất kết nối" };
  // What to say when the API gave no Vietnamese message of its own.
  const FALLBACK = {
    404: "Không tìm thấy bộ phận hoặc quầy này.",
    409: "Máy chủ tại bộ phận một cửa từ chối yêu cầu.",
    422: "Yêu cầu không hợp lệ.",
    502: "Máy chủ tại bộ phận một cửa trả lời không hợp lệ.",
    503: "Hệ thống trung tâm đang mất kết nối với máy chủ tin nhắn. Vui lòng thử lại sau ít phút.",
    504: "Máy chủ tại bộ phận một cửa không phản hồi (có thể đang mất kết nối). Lệnh sẽ không được thực hiện sau. Vui lòng thử lại.",
  };
  const NETWORK_ERROR = "Không kết nối được với máy chủ trung tâm. Kiểm tra mạng rồi thử lại.";
  // What each button says while it waits, and once the hub did it.
  const ACTIONS = {
    "call-next": { busy: "Đang gọi số…", done: (c, body) => `Đã gọi số ${body.number} tới quầy ${c}.` },
    recall: { busy: "Đang gọi lại…", done: (c, body) => `Đã gọi lại số ${body.number} tới quầy ${c}.` },
    done: { busy: "Đang kết thúc lượt…", done: (c, body) => `Đã phục vụ xong số ${body.number}.` },
    "no-show": { busy: "Đang ghi vắng mặt…", done: (c, body) => `Số ${body.number} vắng mặt.` },
    transfer: {
      busy: "Đang chuyển quầy…",
      done: (c, body) => `Đã chuyển số ${body.number} sang quầy ${body.to_counter}: quầy đó sẽ gọi số này trước.`,
    },
    "sign-in": { busy: "Đang nhận quầy…", done: (c, body) => `${body.officer_name} đã nhận quầy ${c}.` },
    pause: { busy: "Đang tạm nghỉ…", done: (c) => `Quầy ${c} đang tạm nghỉ.` },
    resume: { busy: "Đang mở lại quầy…", done: (c) => `Quầy ${c} đã tiếp tục phục vụ.` },
    "sign-out": { busy: "Đang rời quầy…", done: (c) => `Đã rời quầy ${c}.` },
  };

  const byTestId = (id) => document.querySelector(`[data-testid="${CSS.escape(id)}"]`);

  function setConnection(ok) {
    const el = document.getElementById("connection");
    if (el) el.hidden = ok;
  }

  // The session ended (expired, or signed out in another tab): back to the sign-in form, then here.
  function toLogin() {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (response.status === 401) toLogin();
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }

  function setStatus(el, online) {
    if (!el) return;
    el.textContent = STATUS_TEXT[online];
    el.classList.toggle("online", online);
    el.classList.toggle("offline", !online);
  }

  function setText(testId, value) {
    const el = byTestId(testId);
    if (el && el.textContent !== String(value)) el.textContent = value;
  }

  // Run fn every POLL_MS, one call at a time (a slow answer never piles up requests).
  // Returns a function that refreshes now, outside the schedule (after a button press).
  function poll(fn) {
    const run = async () => {
      try {
        await fn();
        setConnection(true);
      } catch (err) {
        setConnection(false);
      }
    };
    const tick = async () => {
      await run();
      setTimeout(tick, POLL_MS);
    };
    setTimeout(tick, POLL_MS);
    return run;
  }

  // -- /console ------------------------------------------------------------------------------

  function offices() {
    poll(async () => {
      for (const o of await getJson("/api/v1/offices")) {
        setStatus(byTestId(`office-${o.id}-status`), o.online);
        const up = o.nodes.filter((n) => n.online).length;
        setText(`office-${o.id}-nodes`, `${up}/${o.nodes.length} trực tuyến`);
      }
    });
  }

  // -- /console/offices/{office} ----------------------------------------------------------

  function showMessage(counter, text, ok) {
    const el = byTestId(`counter-${counter}-message`);
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("ok", ok);
    el.classList.toggle("error", !ok);
  }

  // body: the JSON the action takes (a transfer's target counter), or undefined.
  async function runCommand(officeId, counter, action, buttons, refresh, timeoutS, body) {
    buttons.forEach((b) => (b.disabled = true));
    showMessage(counter, ACTIONS[action].busy, true);
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      const response = await fetch(`/api/v1/offices/${encodeURIComponent(officeId)}/counters/${counter}/${action}`, {
        method: "POST",
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout((timeoutS + 10) * 1000),
      });
      if (response.status === 401) toLogin();
      let answer = {};
      try { answer = await response.json(); } catch (_) { /* not JSON: use the fallback text */ }
      if (response.ok) {
        showMessage(counter, ACTIONS[action].done(counter, answer), true);
      } else {
        showMessage(counter, answer.message_vi || FALLBACK[response.status] || `Lỗi ${response.status}. Vui lòng thử lại.`, false);
      }
    } catch (err) {
      showMessage(counter, NETWORK_ERROR, false);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
      refresh();
    }
  }

  // The page keeps itself current over the office's event stream (htmx's SSE extension, live.js):
  // what a button changed arrives there too, so nothing is fetched after it.
  function office(officeId, timeoutS) {
    const refresh = () => {};
    document.querySelectorAll(".counter").forEach((card) => {
      const buttons = [...card.querySelectorAll("button[data-action]")];
      const target = card.querySelector("select[data-testid^='transfer-to-']");
      buttons.forEach((button) => button.addEventListener("click", () => {
        const { counter, action } = button.dataset;
        const body = action === "transfer" ? { to_counter: Number(target.value) } : undefined;
        runCommand(officeId, counter, action, buttons, refresh, timeoutS, body);
      }));
    });
  }

  return { offices, office, runCommand, showMessage, toLogin, getJson, setConnection };
})();
