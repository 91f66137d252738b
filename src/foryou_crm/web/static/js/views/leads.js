// The leads list: filters → GET /api/amo-crm/leads, one page at a time. Only the newest
// request's answer is rendered (a sequence number), so fast typing never shows stale rows.
import { api } from "../api.js";
import { $, debounce, fromTemplate, option, safeColor, safeHttpUrl, setText, show } from "../dom.js";
import { explainApiError } from "../errors.js";
import { formatDate, formatPrice } from "../format.js";
import { t } from "../i18n.js";

const PAGE_SIZE = 20;
const EMPTY_FILTERS = Object.freeze({
  query: "",
  pipelineId: "",
  statusId: "",
  responsibleUserId: "",
  priceFrom: "",
  priceTo: "",
  createdFrom: "",
  createdTo: "",
  sort: "-createdAt",
});

export function createLeads(root) {
  const el = {
    section: $("#leads-section", root),
    form: $("#leads-filters", root),
    query: $("#filter-query", root),
    pipeline: $("#filter-pipeline", root),
    status: $("#filter-status", root),
    responsible: $("#filter-responsible", root),
    priceFrom: $("#filter-price-from", root),
    priceTo: $("#filter-price-to", root),
    createdFrom: $("#filter-created-from", root),
    createdTo: $("#filter-created-to", root),
    sort: $("#leads-sort", root),
    summary: $("#leads-summary", root),
    state: $("#leads-state", root),
    empty: $("#leads-empty", root),
    error: $("#leads-error", root),
    errorText: $("#leads-error-text", root),
    retry: $("#leads-retry", root),
    list: $("#leads-list", root),
    prev: $("#leads-prev", root),
    next: $("#leads-next", root),
    page: $("#leads-page", root),
  };
  const filters = { ...EMPTY_FILTERS };
  let page = 1;
  let active = false;
  let sequence = 0;
  let meta = { pipelines: [], users: [] };
  let last = null; // {kind: "data", data} | {kind: "error", error}

  // --- filters -----------------------------------------------------------------------
  const fromInputs = () => {
    filters.query = el.query.value.trim();
    filters.pipelineId = el.pipeline.value;
    filters.statusId = el.status.value;
    filters.responsibleUserId = el.responsible.value;
    filters.priceFrom = wholeNumber(el.priceFrom.value);
    filters.priceTo = wholeNumber(el.priceTo.value);
    filters.createdFrom = el.createdFrom.value;
    filters.createdTo = el.createdTo.value;
    filters.sort = el.sort.value;
  };
  const applyFilters = () => {
    fromInputs();
    page = 1;
    load();
  };
  const applyTyped = debounce(applyFilters, 300);

  el.query.addEventListener("input", applyTyped);
  el.priceFrom.addEventListener("input", applyTyped);
  el.priceTo.addEventListener("input", applyTyped);
  el.pipeline.addEventListener("change", () => {
    fillStatuses();
    applyFilters();
  });
  for (const input of [el.status, el.responsible, el.createdFrom, el.createdTo, el.sort]) {
    input.addEventListener("change", applyFilters);
  }
  // Enter in the search box should not submit (and reload) the page.
  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilters();
  });
  el.form.addEventListener("reset", () => {
    // The browser resets the inputs after this event; read them on the next tick.
    setTimeout(() => {
      fillStatuses();
      applyFilters();
    });
  });
  el.retry.addEventListener("click", () => load());
  el.prev.addEventListener("click", () => goTo(page - 1));
  el.next.addEventListener("click", () => goTo(page + 1));

  function goTo(target) {
    page = Math.max(1, target);
    load();
  }

  function fillSelects() {
    const keepPipeline = el.pipeline.value;
    const keepResponsible = el.responsible.value;
    el.pipeline.replaceChildren(option("", t("leads.all")));
    for (const pipeline of meta.pipelines) el.pipeline.append(option(pipeline.id, pipeline.name));
    el.pipeline.value = keepPipeline;
    el.responsible.replaceChildren(option("", t("leads.all")));
    for (const user of meta.users) el.responsible.append(option(user.id, user.name));
    el.responsible.value = keepResponsible;
    fillStatuses();
  }

  function fillStatuses() {
    const keep = el.status.value;
    const pipeline = meta.pipelines.find((p) => String(p.id) === el.pipeline.value);
    el.status.replaceChildren(option("", pipeline ? t("leads.allStatuses") : t("leads.choosePipeline")));
    for (const status of pipeline?.statuses ?? []) el.status.append(option(status.id, status.name));
    el.status.disabled = !pipeline;
    el.status.value = pipeline ? keep : "";
    if (el.status.value !== keep) filters.statusId = el.status.value;
  }

  async function loadMeta() {
    try {
      const data = await api("/api/amo-crm/pipelines");
      meta = { pipelines: data.pipelines ?? [], users: data.users ?? [] };
    } catch {
      // Filters by pipeline/responsible stay at "All"; the list itself still works.
      meta = { pipelines: [], users: [] };
    }
    fillSelects();
  }

  // --- loading & rendering -----------------------------------------------------------
  function query() {
    return {
      query: filters.query,
      pipelineId: filters.pipelineId,
      statusId: filters.statusId,
      responsibleUserId: filters.responsibleUserId,
      priceFrom: filters.priceFrom,
      priceTo: filters.priceTo,
      createdFrom: dayStart(filters.createdFrom),
      createdTo: dayEnd(filters.createdTo),
      sort: filters.sort,
      page,
      limit: PAGE_SIZE,
    };
  }

  async function load() {
    if (!active) return;
    const mine = ++sequence;
    el.list.setAttribute("aria-busy", "true");
    el.state.dataset.state = "loading";
    if (!last) setText(el.summary, t("leads.loading"));
    try {
      const data = await api("/api/amo-crm/leads", { query: query() });
      if (mine !== sequence || !active) return;
      last = { kind: "data", data };
      render();
      console.info("leads loaded");
    } catch (error) {
      if (mine !== sequence || !active) return;
      last = { kind: "error", error };
      render();
    } finally {
      if (mine === sequence) el.list.setAttribute("aria-busy", "false");
    }
  }

  function render() {
    if (!last) return;
    if (last.kind === "error") {
      el.list.replaceChildren();
      setText(el.errorText, `${t("leads.error")} ${explainApiError(last.error)}`);
      show(el.error, true);
      show(el.empty, false);
      setText(el.summary, "");
      setText(el.page, "");
      el.prev.disabled = el.next.disabled = true;
      el.state.dataset.state = "error";
      return;
    }
    const { items = [], total = 0, sync } = last.data;
    show(el.error, false);
    el.list.replaceChildren(...items.map(renderLead));
    const filtered = JSON.stringify({ ...filters, sort: "" }) !== JSON.stringify({ ...EMPTY_FILTERS, sort: "" });
    let emptyKey = filtered ? "leads.empty" : "leads.emptyNone";
    const syncing = sync && (sync.state === "running" || (sync.state !== "failed" && !sync.lastSyncedAt));
    if (!filtered && syncing) emptyKey = "leads.emptySyncing";
    setText(el.empty, t(emptyKey));
    show(el.empty, items.length === 0);
    setText(el.summary, t("leads.total", { total }));
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    setText(el.page, t("leads.page", { page, pages }));
    el.prev.disabled = page <= 1;
    el.next.disabled = !last.data.hasMore;
    el.state.dataset.state = items.length ? "loaded" : "empty";
  }

  function renderLead(lead) {
    const row = fromTemplate("tpl-lead").firstElementChild;
    row.dataset.leadId = String(lead.id);
    setText(row.querySelector(".lead-name"), lead.name || `#${lead.id}`);
    setText(row.querySelector(".lead-price"), formatPrice(lead.price));
    const color = safeColor(lead.statusColor);
    // CSSOM writes are allowed by the CSP (no inline style attributes are used).
    if (color) row.querySelector(".status-dot").style.setProperty("--status-color", color);
    setText(row.querySelector(".lead-status-name"), lead.statusName ?? "—");
    setText(row.querySelector(".lead-pipeline"), lead.pipelineName ?? "");
    setText(row.querySelector(".lead-responsible"), lead.responsibleUserName || t("leads.noResponsible"));
    setText(row.querySelector(".lead-created"), formatDate(lead.createdAt));
    setText(row.querySelector(".lead-updated"), formatDate(lead.updatedAt));
    const tags = row.querySelector(".tags");
    for (const tag of lead.tags ?? []) {
      const chip = document.createElement("li");
      chip.className = "tag";
      chip.textContent = tag;
      tags.append(chip);
    }
    show(tags, (lead.tags ?? []).length > 0);
    const link = row.querySelector(".lead-link");
    const href = safeHttpUrl(lead.url);
    if (href) {
      link.href = href;
      link.setAttribute("aria-label", `${t("leads.open")}: ${lead.name ?? lead.id}`);
    } else {
      link.remove();
    }
    return row;
  }

  const onLang = () => {
    // Option labels and dates are language-dependent; rebuild them from the data we have.
    fillSelects();
    render();
  };
  window.addEventListener("langchange", onLang);

  return {
    /** Show the section and load it the first time; later calls reload only on request. */
    activate({ refreshMeta = false, reload = false } = {}) {
      if (!active) {
        active = true;
        show(el.section, true);
        loadMeta();
        load();
        return;
      }
      if (refreshMeta) loadMeta();
      if (reload) load();
    },
    deactivate() {
      active = false;
      sequence++;
      last = null;
      show(el.section, false);
      el.list.replaceChildren();
    },
    dispose() {
      active = false;
      sequence++;
      window.removeEventListener("langchange", onLang);
    },
  };
}

// The API takes whole, non-negative amounts; "12.5" or "-3" typed into the box would be a 422.
function wholeNumber(value) {
  const number = Number(value);
  return value === "" || !Number.isFinite(number) ? "" : String(Math.max(0, Math.trunc(number)));
}

// <input type=date> gives a local calendar day; the API takes instants, so send the local
// day's first and last millisecond — "created to 5 May" includes leads created on 5 May.
function dayStart(day) {
  return day ? localDay(day, 0, 0, 0, 0).toISOString() : "";
}

function dayEnd(day) {
  return day ? localDay(day, 23, 59, 59, 999).toISOString() : "";
}

function localDay(day, h, m, s, ms) {
  const [y, mo, d] = day.split("-").map(Number);
  return new Date(y, mo - 1, d, h, m, s, ms);
}
