// Progressive enhancement for the search page; everything works without it.
// - results as you type: a debounced fetch of /api/search redraws the results, the count,
//   the filters and the URL; a newer keystroke cancels the request before it, and the
//   count is announced (role="status");
// - completions: the search box is an ARIA combobox over /api/suggest (arrow keys, Enter,
//   Esc, or a click);
// - on a phone the "Filtreler" button opens the filters over the page;
// - ticking a category submits the form at once (dates wait for Enter or "Filtrele");
// - "/" focuses the search box from anywhere on the page.
"use strict";

const TYPING_PAUSE_MS = 250;
const MIN_LIVE_CHARS = 2;
const MONTHS = ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos",
  "Eylül", "Ekim", "Kasım", "Aralık"];
const SORTS = [["relevance", "İlgiye göre"], ["date", "Tarihe göre"]];

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const count = (n) => new Intl.NumberFormat("tr-TR").format(n);
const decimal = (n) => n.toFixed(1).replace(".", ",");

function trDate(iso) {
  if (!iso) return "";
  const [year, month, day] = iso.split("-").map(Number);
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

// The key a category is counted by (search.schema.category_key): Turkish lower case, folded.
function categoryKey(name) {
  return name.trim().toLocaleLowerCase("tr").replace(/ı/g, "i")
    .normalize("NFD").replace(/[\u0300-\u036f]/g, "");
}

function debounce(action, wait) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => action(...args), wait);
  };
}

// --- results as you type -------------------------------------------------------------------

function liveResults(form, box, area) {
  // every category of the index by key, named as the server's page names it
  const names = JSON.parse(area.dataset.categoryNames || "{}");
  const categoryName = (key, written) => names[key] || derivedName(written || key);
  let pending = null;

  function derivedName(name) {
    if (name !== name.toLocaleLowerCase("tr")) return name;
    return name.replace(/(^|[\s-])(\S)/g, (_, gap, c) => gap + c.toLocaleUpperCase("tr"));
  }

  function params(overrides = {}) {
    const data = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (value !== "" && name !== "page") data.append(name, value);
    }
    for (const [name, value] of Object.entries(overrides)) {
      data.delete(name);
      for (const item of [].concat(value)) if (item !== null && item !== "") data.append(name, item);
    }
    return data;
  }
  const pageUrl = (data) => `/?${data}`;

  const labels = JSON.parse(area.dataset.parameterLabels || "{}"); // web.present.PARAMETER_LABELS

  async function run() {
    const q = box.value.trim();
    if (pending) pending.abort();
    pending = null;
    if (q.length < MIN_LIVE_CHARS) {
      if (!q && area.classList.contains("layout")) clear(); // the old words' results go
      return;
    }
    const data = params();
    const controller = new AbortController();
    pending = controller;
    let body, others;
    try {
      const response = await fetch(`/api/search?${data}`, { signal: controller.signal });
      body = await response.json();
      if (response.ok && data.getAll("category").length) {
        // the other categories' counts, as the server's page gives them: one hit, no category
        const unfiltered = params({ category: null, per_page: "1", page: null });
        others = (await (await fetch(`/api/search?${unfiltered}`, { signal: controller.signal })).json()).facets;
      }
      if (!response.ok) body = { error: body.error || {} };
    } catch {
      return; // cancelled by a newer keystroke or by leaving the page; Enter still works
    }
    if (pending !== controller) return;
    pending = null;
    const focused = area.contains(document.activeElement);
    if (body.error) showError(body.error);
    else render(body, data, others);
    history.replaceState(null, "", pageUrl(data));
    document.title = `${box.value} – haberara`;
    if (focused) document.getElementById("sonuclar").focus(); // not lost with what was redrawn
  }

  function clear() {
    area.innerHTML = `<section class="results" id="sonuclar" tabindex="-1"></section>`;
    area.classList.remove("layout");
    document.getElementById("duyuru").textContent = "";
    const rest = params({ q: null });
    history.replaceState(null, "", `${rest}` ? pageUrl(rest) : "/");
    document.title = "haberara";
  }

  function showError(error) {
    const label = labels[error.parameter] || "Arama";
    area.innerHTML = `<section class="results" id="sonuclar" tabindex="-1">
      <div class="error" role="alert"><p>${escapeHtml(label)} geçersiz: bu arama yapılamadı. Nedenini görmek için Enter'a basın.</p></div></section>`;
    area.classList.remove("layout");
  }

  function render(page, data, others) {
    const welcome = document.querySelector(".welcome");
    if (welcome) welcome.remove();
    area.classList.add("layout");
    const atLeast = page.total_at_least ? "en az " : "";
    const summary = `${atLeast}${count(page.total)} sonuç (${decimal(page.took_ms)} ms)`;
    area.innerHTML = `<section class="results" id="sonuclar" tabindex="-1" aria-labelledby="sonuc-baslik">
      <h2 id="sonuc-baslik" class="visually-hidden">Sonuçlar</h2>
      <div class="toolbar">
        <p class="summary">${summary}</p>
        <a class="filters-toggle" href="#filtreler" aria-controls="filtreler">Filtreler${active(data) ? ` (${active(data)})` : ""}</a>
        <nav class="sort" aria-label="Sıralama">Sırala: ${sortLinks(data)}</nav>
        <a class="json-link" href="/api/search?${escapeHtml(data)}" type="application/json">JSON</a>
      </div>
      ${chips(data)}${notices(page, data)}${hits(page, data)}${pagination(page, data)}
    </section>
    <aside class="filters" id="filtreler" aria-label="Filtreler">${filters(page, data, others)}</aside>`;
    // a live region that stays in the page: one drawn afresh is not read out
    document.getElementById("duyuru").textContent = summary;
    enhanceFilters(area);
  }

  const active = (data) => data.getAll("category").length + (data.get("from") || data.get("to") ? 1 : 0);

  // The active filters, each a link that removes it (as the server draws them).
  function chips(data) {
    const items = data.getAll("category").map((category) => {
      const rest = data.getAll("category").filter((c) => c !== category);
      return [categoryName(categoryKey(category), category), params({ category: rest })];
    });
    if (data.get("from") || data.get("to")) {
      const label = `${trDate(data.get("from")) || "…"} – ${trDate(data.get("to")) || "…"}`;
      items.push([label, params({ from: null, to: null })]);
    }
    if (!items.length) return "";
    const links = items.map(([label, rest]) => `<li><a href="${escapeHtml(pageUrl(rest))}" aria-label="${escapeHtml(label)} filtresini kaldır">${escapeHtml(label)} <span aria-hidden="true">×</span></a></li>`);
    return `<ul class="chips" aria-label="Etkin filtreler">${links.join("")}</ul>`;
  }

  function sortLinks(data) {
    const current = data.get("sort") || "relevance";
    return SORTS.map(([value, label]) => {
      const url = escapeHtml(pageUrl(params({ sort: value === "relevance" ? null : value })));
      const mark = value === current ? ' aria-current="true"' : "";
      return `<a href="${url}"${mark}>${label}</a>`;
    }).join(" ");
  }

  function notices(page, data) {
    let html = "";
    if (page.corrected) {
      const url = escapeHtml(pageUrl(params({ as_typed: "1" })));
      html += `<p class="corrected">“${escapeHtml(page.corrected)}” için sonuçlar gösteriliyor — yine de <a href="${url}">“${escapeHtml(data.get("q"))}” ara</a></p>`;
    }
    if (page.suggestion) {
      const url = escapeHtml(pageUrl(params({ q: page.suggestion })));
      html += `<p class="suggestion">Bunu mu demek istediniz: <a href="${url}">${escapeHtml(page.suggestion)}</a></p>`;
    }
    if (page.phrases_not_found) {
      const phrases = page.phrases_not_found.map((p) => `“${escapeHtml(p)}”`).join(", ");
      const word = page.phrases_not_found.length > 1 ? "ifadelerini" : "ifadesini";
      html += `<p class="notice">${phrases} ${word} tam olarak içeren bir haber bulunamadı; kelimeleri ayrı ayrı arandı.</p>`;
    }
    for (const prefix of page.short_prefixes || []) {
      const word = escapeHtml(prefix.replace(/\*/g, ""));
      html += `<p class="notice">“${escapeHtml(prefix)}”: yıldızlı arama için en az iki harf yazın; “${word}” kelime olarak arandı.</p>`;
    }
    if (page.relaxed) {
      html += "<p class=\"notice\">Bütün kelimeleri içeren haber 10'dan az; kelimelerin yalnızca bazılarını içeren haberler de gösteriliyor (eksik kelimeler sonuçların altında).</p>";
    }
    return html;
  }

  function hits(page, data) {
    if (!page.results.length) {
      const unfilter = active(data)
        ? `<li><a href="${escapeHtml(pageUrl(new URLSearchParams({ q: data.get("q") })))}">Filtreleri kaldırıp yeniden arayın</a>.</li>` : "";
      return `<div class="empty"><p><strong>“${escapeHtml(page.query)}” için sonuç bulunamadı.</strong></p>
        <ul><li>Yazımı kontrol edin ya da daha az kelimeyle arayın.</li>${unfilter}</ul></div>`;
    }
    // the words the marks are for, and the search to go back to (as web.pages.article_url)
    const search = params({ q: page.corrected || page.query, page: page.page > 1 ? String(page.page) : null });
    const items = page.results.map((hit) => {
      const href = `/articles/${hit.id.split("/").map(encodeURIComponent).join("/")}?${search}`;
      const meta = [
        hit.date ? `<time datetime="${escapeHtml(hit.date)}">${trDate(hit.date)}</time>` : "",
        hit.category ? `<span class="category">${escapeHtml(categoryName(categoryKey(hit.category), hit.category))}</span>` : "",
        hit.source ? `<span class="source">${escapeHtml(hit.source)}</span>` : "",
      ].join("");
      const missing = hit.missing.length
        ? `<p class="missing">Eksik: ${hit.missing.map((w) => `<s>${escapeHtml(w)}</s>`).join(", ")}</p>` : "";
      // title_html and snippet come escaped from the server, with <mark> on matches
      return `<li class="hit"><h3><a href="${escapeHtml(href)}">${hit.title_html}</a></h3>
        <p class="meta">${meta}</p><p class="snippet">${hit.snippet}</p>${missing}</li>`;
    });
    return `<ol class="hits" start="${(page.page - 1) * page.per_page + 1}">${items.join("")}</ol>`;
  }

  function pagination(page, data) {
    const last = Math.max(1, Math.ceil(page.total / page.per_page));
    if (last <= 1) return "";
    const link = (n, text, extra = "") =>
      `<a href="${escapeHtml(pageUrl(params({ page: n === 1 ? null : String(n) })))}"${extra}>${text}</a>`;
    const shown = [...new Set([1, last, ...[-2, -1, 0, 1, 2].map((d) => page.page + d)])]
      .filter((n) => n >= 1 && n <= last).sort((a, b) => a - b);
    let html = page.page > 1 ? link(page.page - 1, "‹ Önceki", ' rel="prev"') : "";
    shown.forEach((n, i) => {
      if (i && n - shown[i - 1] > 1) html += '<span class="gap">…</span>';
      html += n === page.page ? link(n, n, ' aria-current="page"') : link(n, n, ` aria-label="Sayfa ${n}"`);
    });
    if (page.page < last) html += link(page.page + 1, "Sonraki ›", ' rel="next"');
    return `<nav class="pagination" aria-label="Sayfalar">${html}</nav>`;
  }

  function filters(page, data, others) {
    const chosen = new Set(data.getAll("category").map(categoryKey));
    const facets = (others || page.facets).category.filter((f) => !chosen.has(f.value));
    const counted = new Map((others || { category: [] }).category.map((f) => [f.value, f]));
    const checked = [...chosen].map((value) => counted.get(value) || { value, count: null });
    // a facet's name is the server's for it (as its articles write it, on every page)
    const boxes = [...checked, ...facets].map((f) => `<label class="check">
      <input type="checkbox" name="category" value="${escapeHtml(f.value)}" form="arama"${chosen.has(f.value) ? " checked" : ""}>
      ${escapeHtml(f.name || categoryName(f.value))} <span class="count">${f.count === null ? "" : count(f.count)}</span></label>`);
    const years = page.facets.year.map((y) => `<li><a href="${escapeHtml(pageUrl(params({ from: `${y.value.padStart(4, "0")}-01-01`, to: `${y.value.padStart(4, "0")}-12-31` })))}">${escapeHtml(y.value)}</a> <span class="count">${count(y.count)}</span></li>`);
    const ranges = document.querySelectorAll(".quick-ranges a");
    return `<fieldset><legend>Tarih aralığı</legend>
        <label for="from">Başlangıç</label>
        <input id="from" name="from" type="date" form="arama" value="${escapeHtml(data.get("from") || "")}">
        <label for="to">Bitiş</label>
        <input id="to" name="to" type="date" form="arama" value="${escapeHtml(data.get("to") || "")}">
        ${quickRanges(ranges)}
      </fieldset>
      ${boxes.length ? `<fieldset><legend>Kategori</legend>${boxes.join("")}</fieldset>` : ""}
      ${years.length ? `<nav class="years" aria-label="Yıla göre"><h2>Yıl</h2><ul>${years.join("")}</ul></nav>` : ""}
      <div class="filter-actions"><button type="submit" form="arama">Filtrele</button>
        <a href="${escapeHtml(pageUrl(new URLSearchParams({ q: data.get("q") })))}">Filtreleri temizle</a></div>`;
  }

  // The quick ranges' dates: the server's (its day) when the page has them, else today's.
  let rangeDates = null;
  function quickRanges(links) {
    if (!rangeDates && links.length) {
      rangeDates = [...links].map((a) => {
        const url = new URL(a.href);
        return [a.textContent, url.searchParams.get("from"), url.searchParams.get("to")];
      });
    }
    rangeDates = rangeDates || todaysRanges();
    const items = rangeDates.map(([label, from, to]) =>
      `<li><a href="${escapeHtml(pageUrl(params({ from, to })))}">${escapeHtml(label)}</a></li>`);
    return `<ul class="quick-ranges" aria-label="Hazır tarih aralıkları">${items.join("")}</ul>`;
  }

  const quick = document.querySelectorAll(".quick-ranges a");
  if (quick.length) quickRanges(quick);
  return { run: debounce(run, TYPING_PAUSE_MS), now: run };
}

function todaysRanges() {
  const iso = (date) => [date.getFullYear(), date.getMonth() + 1, date.getDate()]
    .map((n, i) => String(n).padStart(i ? 2 : 4, "0")).join("-");
  const today = new Date();
  const before = (days) => iso(new Date(today.getFullYear(), today.getMonth(), today.getDate() - days));
  // both ends count (as web.present.quick_ranges): the last 7 days are today and 6 before
  return [["Son 24 saat", before(1)], ["Son 7 gün", before(6)], ["Son 30 gün", before(29)],
    ["Bu yıl", `${today.getFullYear()}-01-01`]].map(([label, from]) => [label, from, iso(today)]);
}

// --- completions: the ARIA combobox ----------------------------------------------------------

function combobox(form, box, onChoose) {
  const list = document.createElement("ul");
  list.id = "oneriler";
  list.className = "completions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Öneriler");
  list.hidden = true;
  box.insertAdjacentElement("afterend", list);
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", list.id);
  box.setAttribute("aria-expanded", "false");
  let options = [];
  let active = -1;
  let pending = null;

  function close() {
    list.hidden = true;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function show(texts) {
    options = texts;
    active = -1;
    list.innerHTML = texts.map((text, i) =>
      `<li role="option" id="oneri-${i}" aria-selected="false">${escapeHtml(text)}</li>`).join("");
    if (!texts.length) return close();
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
  }

  function highlight(index) {
    active = index;
    list.querySelectorAll("[role=option]").forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === index));
    });
    if (index >= 0) box.setAttribute("aria-activedescendant", `oneri-${index}`);
    else box.removeAttribute("aria-activedescendant");
  }

  function choose(index) {
    box.value = options[index];
    close();
    onChoose();
  }

  async function fetchCompletions() {
    const q = box.value;
    if (!q.trim()) return close();
    if (pending) pending.abort();
    const controller = new AbortController();
    pending = controller;
    try {
      const response = await fetch(`/api/suggest?q=${encodeURIComponent(q)}`, { signal: controller.signal });
      if (!response.ok) return close();
      const body = await response.json();
      if (pending === controller && box.value === q && document.activeElement === box) {
        show(body.completions.map((c) => c.text).filter((text) => text !== q));
      }
    } catch {
      // cancelled, or the server is out of reach: no completions, the box works as typed
    }
  }

  box.addEventListener("keydown", (event) => {
    const open = !list.hidden && options.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      const size = options.length;
      highlight(step > 0 ? (active + 1) % size : (active <= 0 ? size - 1 : active - 1));
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close();
    }
  });
  list.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus in the box
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) choose(Number(option.id.replace("oneri-", "")));
  });
  box.addEventListener("blur", close);
  return { run: debounce(fetchCompletions, TYPING_PAUSE_MS / 2), close };
}

// --- the phone layout's filters button -------------------------------------------------------

function enhanceFilters(root) {
  const button = root.querySelector(".filters-toggle");
  const panel = root.querySelector("#filtreler");
  if (!button || !panel) return;
  button.setAttribute("role", "button");
  button.setAttribute("aria-expanded", "false");
  const close = document.createElement("button");
  close.type = "button";
  close.className = "filters-close";
  close.textContent = "Kapat";
  panel.prepend(close);
  const toggle = (open) => {
    panel.classList.toggle("open", open);
    button.setAttribute("aria-expanded", String(open));
    (open ? panel.querySelector("input, a, button:not(.filters-close)") || close : button).focus();
  };
  button.addEventListener("click", (event) => {
    event.preventDefault();
    toggle(!panel.classList.contains("open"));
  });
  close.addEventListener("click", () => toggle(false));
  panel.addEventListener("keydown", (event) => {
    if (!panel.classList.contains("open")) return;
    if (event.key === "Escape") toggle(false);
    if (event.key !== "Tab") return;
    // open over the whole page (a phone): Tab goes round the panel, not behind it
    const items = [...panel.querySelectorAll("a[href], button, input")].filter((item) => item.offsetParent);
    const [first, last] = [items[0], items[items.length - 1]];
    if (event.shiftKey ? document.activeElement === first : document.activeElement === last) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  });
  root.querySelectorAll('input[type="checkbox"][form="arama"]').forEach((input) => {
    input.addEventListener("change", () => input.form.requestSubmit());
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.documentElement.classList.add("js");
  const form = document.getElementById("arama");
  if (!form) return;
  const box = document.getElementById("q");
  const area = document.getElementById("sonuc-alani");
  // a date field left empty is not sent: the address says only what the reader chose
  form.addEventListener("formdata", (event) => {
    for (const [name, value] of [...event.formData]) if (value === "") event.formData.delete(name);
  });
  enhanceFilters(document);
  if (box && area) {
    const results = liveResults(form, box, area);
    const completions = combobox(form, box, () => form.requestSubmit());
    box.addEventListener("input", () => {
      results.run();
      completions.run();
    });
  }
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing && box) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
});
