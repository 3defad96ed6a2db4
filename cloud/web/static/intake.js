// Tiếp nhận tại quầy: results while the officer types (the search form works without this script).
// Asks the catalogue API the page's own search uses, the office's procedures first, and draws the
// same list the server renders; the links still open the server-rendered card.
(function () {
  "use strict";
  const form = document.querySelector("[data-testid=procedure-search]");
  if (!form) return;
  const input = form.querySelector("input[name=q]");
  const office = form.dataset.office;
  let timer = null;
  let asked = 0;

  function list() {
    let ul = document.querySelector("[data-testid=procedure-results]");
    if (!ul) {
      ul = document.createElement("ul");
      ul.className = "results";
      ul.dataset.testid = "procedure-results";
      form.insertAdjacentElement("afterend", ul);
    }
    return ul;
  }

  function draw(found, q) {
    const none = document.querySelector("[data-testid=procedure-none]");
    if (none) none.remove();
    const ul = list();
    ul.replaceChildren();
    for (const p of found) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = `${form.getAttribute("action")}?procedure=${encodeURIComponent(p.code)}&q=${encodeURIComponent(q)}`;
      a.dataset.testid = `procedure-${p.code}`;
      a.textContent = p.name;
      li.append(a, ` (${p.code}) · ${p.field_name}`);
      if (!p.served) {
        const other = document.createElement("span");
        other.className = "other";
        other.textContent = " · không thuộc lĩnh vực bộ phận này tiếp nhận";
        li.append(other);
      }
      ul.append(li);
    }
    if (!found.length) {
      const li = document.createElement("li");
      li.textContent = `Không tìm thấy thủ tục nào cho “${q}”.`;
      ul.append(li);
    }
  }

  async function search(q) {
    const mine = ++asked;
    let response = await fetch(`/api/v1/catalogue?limit=20&q=${encodeURIComponent(q)}&office=${encodeURIComponent(office)}`);
    if (response.status === 422) response = await fetch(`/api/v1/catalogue?limit=20&q=${encodeURIComponent(q)}`);
    if (!response.ok || mine !== asked) return;
    draw(await response.json(), q);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2 || q.length > 100) return;
    timer = setTimeout(() => search(q).catch(() => {}), 250);
  });
})();
