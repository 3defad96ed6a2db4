// The console's live parts, keyboard shortcuts and scanner field (the small progressive enhancement
// around htmx, vendor/). Without this script every page still works: it is whole when rendered, and
// the scan form posts the page. Vietnamese text only.
"use strict";

const Live = (() => {
  // A USB scanner "types" a key every few milliseconds; nobody presses two keys 35 ms apart on purpose.
  // So a key outside any field waits that long: another key in time means a scan, not a shortcut.
  const SCAN_GAP_MS = 35;
  const SHORTCUTS = { n: "call-next", f2: "call-next", r: "recall", d: "done", v: "no-show", t: "transfer" };
  const NO_TARGET = "Hãy nhận quầy (hoặc bấm vào một quầy) để dùng phím tắt.";

  const isField = (el) => !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  const scanInput = () => document.getElementById("scan-input");

  // -- connection: the stream's state in the header's banner -------------------------------------

  function setConnection(ok) {
    const el = document.getElementById("connection");
    if (el) el.hidden = ok;
  }

  function watchConnection() {
    document.body.addEventListener("htmx:sseOpen", () => setConnection(true));
    document.body.addEventListener("htmx:sseError", async () => {
      setConnection(false);
      try {
        // The session may have ended (expired, signed out in another tab): then to the sign-in form.
        const page = await fetch(window.location.pathname, { redirect: "manual", cache: "no-store" });
        if (page.type === "opaqueredirect" || page.status === 401) {
          window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
        }
      } catch (_) { /* the network: the banner says so, htmx reconnects */ }
    });
  }

  // -- scan results: a JSON error (the CSRF check, a lost session) as a line, not as raw JSON -------

  function watchScans() {
    document.body.addEventListener("htmx:beforeSwap", (evt) => {
      const xhr = evt.detail.xhr;
      if (!evt.detail.target || evt.detail.target.id !== "scan-results") return;
      if (xhr.status >= 400) {
        evt.detail.shouldSwap = true;
        evt.detail.isError = false;
      }
      if ((xhr.getResponseHeader("content-type") || "").includes("application/json")) {
        let text = `Lỗi ${xhr.status}. Vui lòng thử lại.`;
        try { text = JSON.parse(xhr.responseText).message_vi || text; } catch (_) { /* keep the fallback */ }
        const li = document.createElement("li");
        li.className = "error";
        li.dataset.testid = "scan-result";
        li.textContent = text;
        evt.detail.serverResponse = li.outerHTML;
      }
    });
    document.body.addEventListener("htmx:afterRequest", (evt) => {
      const form = evt.detail.elt.closest && evt.detail.elt.closest("form.scan");
      if (!form) return;
      const input = form.querySelector("input[name=scanned]");
      input.value = "";
      if (input.hasAttribute("autofocus")) input.focus(); else input.blur(); // back to the shortcuts
      if (evt.detail.successful) refreshTables();
    });
    document.body.addEventListener("htmx:sendError", (evt) => {
      const list = document.getElementById("scan-results");
      if (!list || !evt.detail.elt.closest("form.scan")) return;
      const li = document.createElement("li");
      li.className = "error";
      li.dataset.testid = "scan-result";
      li.textContent = "Không kết nối được với máy chủ trung tâm. Kiểm tra mạng rồi quét lại.";
      list.prepend(li);
    });
  }

  // A list page (dossiers, inbox, results) is not live: after a scan moved a dossier, its tables are
  // fetched again so the row shows where the dossier is now. The office page is live already.
  async function refreshTables() {
    const tables = document.querySelectorAll("main table");
    if (!tables.length || document.querySelector("[data-live]")) return;
    try {
      const page = await fetch(window.location.href, { cache: "no-store" });
      if (!page.ok) return;
      const fresh = new DOMParser().parseFromString(await page.text(), "text/html").querySelectorAll("main table");
      tables.forEach((table, i) => { if (fresh[i]) table.replaceWith(fresh[i]); });
    } catch (_) { /* the list stays as it was; the scan itself was recorded */ }
  }

  // -- the keyboard: shortcuts at the counter, and a scanner typing outside the field -------------

  function targetCard() {
    const mine = document.querySelector('.counter-live[data-mine="true"]');
    return (mine && mine.closest(".counter")) || document.querySelector(".counter.selected");
  }

  function showTarget() {
    const el = document.querySelector('[data-testid="shortcut-target"]');
    if (!el) return;
    const card = targetCard();
    el.textContent = card ? `(đang dùng cho Quầy ${card.dataset.counter})` : NO_TARGET;
  }

  function shortcut(action) {
    const card = targetCard();
    if (!card) {
      showTarget();
      return;
    }
    const button = card.querySelector(`button[data-action="${action}"]`);
    if (button && !button.disabled) button.click();
  }

  function watchKeys(withShortcuts) {
    let pending = null; // the key that may be a shortcut or the first character of a scan

    document.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.altKey || e.metaKey || e.repeat || isField(e.target)) return;
      const key = e.key.toLowerCase();
      if (key === "f2") {
        if (withShortcuts) { e.preventDefault(); shortcut(SHORTCUTS.f2); }
        return;
      }
      if (e.key.length !== 1) return;
      const now = performance.now();
      const field = scanInput();
      if (pending && now - pending.last < SCAN_GAP_MS && field) {
        clearTimeout(pending.timer); // a scanner: what it typed so far goes to the scan field, and the rest follows
        field.value = pending.chars + e.key;
        pending = null;
        field.focus();
        e.preventDefault();
        return;
      }
      if (pending) { // slower than a scanner after all: that key was a shortcut
        clearTimeout(pending.timer);
        pending.fire();
      }
      const fire = () => { if (withShortcuts && SHORTCUTS[key]) shortcut(SHORTCUTS[key]); };
      pending = { chars: e.key, last: now, fire, timer: setTimeout(() => { pending = null; fire(); }, SCAN_GAP_MS) };
    });
  }

  // -- pages ------------------------------------------------------------------------------------

  function page(withShortcuts) {
    watchConnection();
    watchScans();
    watchKeys(withShortcuts);
  }

  // The office page: shortcuts act on the counter the officer sits at (or the one they clicked).
  function counterPanel() {
    document.querySelectorAll(".counter").forEach((card) => card.addEventListener("click", () => {
      document.querySelectorAll(".counter.selected").forEach((c) => c.classList.remove("selected"));
      card.classList.add("selected");
      showTarget();
    }));
    document.body.addEventListener("htmx:sseMessage", showTarget);
    showTarget();
  }

  const onPage = document.querySelector("[data-testid=shortcuts]") !== null;
  page(onPage);
  return { counterPanel };
})();
