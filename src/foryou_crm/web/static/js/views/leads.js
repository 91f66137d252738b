// The leads list: filters, sort and page → GET /api/amo-crm/leads, one page at a time. The
// state lives in the URL (leads-query.js): each change the agent makes is a history entry, and
// Back/Forward or a shared link restore it. Only the newest request's answer is rendered (a
// sequence number), so fast typing never shows stale rows. A lead's details open over the list
// (`lead` in the same URL, lead-detail.js); the list stays loaded underneath for Back.
import { api } from "../api.js";
import { $, setText, show } from "../dom.js";
import { explainApiError } from "../errors.js";
import { t } from "../i18n.js";
import {
  customFieldPairs,
  defaultListState,
  hasFilters,
  listStateFromQuery,
  queryFromListState,
  sameFilters,
  withKnownIds,
} from "../leads-query.js";
import { renderLeadCard } from "./lead-card.js";
import { createLeadDetail } from "./lead-detail.js";
import { createFilterForm } from "./leads-filters.js";

const PAGE_SIZE = 20;
// Typing into these fields commits every pause; a run of such commits is one history entry.
const TYPED_SOURCES = new Set(["query", "priceFrom", "priceTo"]);

export function createLeads(root) {
  const el = {
    section: $("#leads-section", root),
    title: $("#leads-title", root),
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
  const form = createFilterForm(root, { onChange: (changed, source) => commit({ ...changed, page: 1 }, source) });
  const detail = createLeadDetail(root, { onBack: () => closeLead() });
  let state = defaultListState();
  let meta = null; // GET /api/amo-crm/pipelines, once it has answered
  let currency = null;
  let active = false;
  let sequence = 0;
  let lastSource = null;
  let last = null; // {kind: "data", data} | {kind: "error", error}
  let openedHere = false; // the open lead was opened from this list (Back is the browser's)
  let returnTo = ""; // the lead whose card gets focus when the list comes back

  el.retry.addEventListener("click", () => load());
  el.prev.addEventListener("click", () => goToPage(state.page - 1));
  el.next.addEventListener("click", () => goToPage(state.page + 1));

  // --- state ⇄ URL -------------------------------------------------------------------------
  /** A change the agent made: a new history entry (a run of keystrokes in one field is one). */
  function commit(next, source) {
    const replace = TYPED_SOURCES.has(source) && source === lastSource;
    lastSource = source;
    state = { lead: "", ...next };
    form.show(state);
    writeUrl({ replace });
    return load();
  }

  function writeUrl({ replace }) {
    const url = window.location.pathname + queryFromListState(state);
    if (url === window.location.pathname + window.location.search) return;
    window.history[replace ? "replaceState" : "pushState"](null, "", url);
  }

  /** The state the address bar asks for, with what this account does not have left out. */
  function stateFromUrl() {
    const wanted = listStateFromQuery(window.location.search);
    return meta ? { ...wanted, filters: withKnownIds(wanted.filters, meta) } : wanted;
  }

  const onPopState = () => {
    if (!active) return;
    lastSource = null;
    state = stateFromUrl();
    form.show(state);
    showView();
    load();
  };

  /** The list, or one lead over it, as `state.lead` says. */
  function showView() {
    if (state.lead) {
      detail.open(state.lead, window.location.pathname + queryFromListState({ ...state, lead: "" }));
      show(el.section, false);
      return;
    }
    if (!el.section.hidden) return;
    detail.close();
    openedHere = false;
    show(el.section, true);
  }

  function openLead(id) {
    lastSource = null;
    returnTo = String(id);
    state = { ...state, lead: String(id) };
    writeUrl({ replace: false });
    openedHere = true;
    showView();
  }

  /** Back to the list with its filters: the browser's Back when the list is the entry before. */
  function closeLead() {
    if (openedHere) {
      window.history.back();
      return;
    }
    state = { ...state, lead: "" };
    writeUrl({ replace: false });
    showView();
    render();
  }
  window.addEventListener("popstate", onPopState);

  async function goToPage(page) {
    lastSource = null;
    state = { ...state, page: Math.max(1, page) };
    writeUrl({ replace: false });
    if (await load()) revealListTop();
  }

  /**
   * After paging, the agent is at the pager at the bottom: bring the top of the new page into
   * view and put focus on the list's heading, so keyboard and screen-reader users start there.
   */
  function revealListTop() {
    el.title.scrollIntoView({ block: "start" });
    el.title.focus({ preventScroll: true });
  }

  /** Resolves true when the state lost ids this account does not have (then it needs a load). */
  async function loadMeta() {
    // The lead fields only add selects: without them the other filters still work.
    const fields = api("/api/amo-crm/custom-fields").then(
      (data) => data.fields ?? [],
      () => [],
    );
    try {
      const data = await api("/api/amo-crm/pipelines");
      meta = { pipelines: data.pipelines ?? [], users: data.users ?? [], fields: await fields };
    } catch {
      // Filters by pipeline/responsible stay at "All"; the list itself still works.
      meta = null;
      form.setMeta({ pipelines: [], users: [], fields: [] });
      return false;
    }
    form.setMeta(meta);
    // A link may name a pipeline, stage or user this account does not have: drop them quietly.
    const known = withKnownIds(state.filters, meta);
    if (sameFilters(known, state.filters)) return false;
    state = { ...state, filters: known };
    form.show(state);
    writeUrl({ replace: true });
    return true;
  }

  // --- loading & rendering -----------------------------------------------------------
  function query() {
    const { filters } = state;
    return {
      query: filters.query,
      pipelineId: filters.pipelineId,
      statusId: filters.statusId,
      responsibleUserId: filters.responsibleUserId,
      priceFrom: filters.priceFrom,
      priceTo: filters.priceTo,
      createdFrom: dayStart(filters.createdFrom),
      createdTo: dayEnd(filters.createdTo),
      customField: customFieldPairs(filters.customField),
      sort: state.sort,
      page: state.page,
      limit: PAGE_SIZE,
    };
  }

  /** Resolves true when this request's answer was rendered (not overtaken by a newer one). */
  async function load() {
    if (!active) return false;
    const mine = ++sequence;
    el.list.setAttribute("aria-busy", "true");
    el.state.dataset.state = "loading";
    if (!last) setText(el.summary, t("leads.loading"));
    try {
      const data = await api("/api/amo-crm/leads", { query: query() });
      if (mine !== sequence || !active) return false;
      const lastPage = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
      if (data.items.length === 0 && state.page > lastPage) {
        // A link or Back to a page that no longer exists (fewer leads now): show the last one.
        state = { ...state, page: lastPage };
        writeUrl({ replace: true });
        return load();
      }
      last = { kind: "data", data };
      render();
      console.info("leads loaded");
      return true;
    } catch (error) {
      if (mine !== sequence || !active) return false;
      last = { kind: "error", error };
      render();
      return true;
    } finally {
      if (mine === sequence) el.list.setAttribute("aria-busy", "false");
    }
  }

  function render() {
    if (!last) return;
    if (last.kind === "error") {
      el.list.replaceChildren();
      setText(el.errorText, t("leads.errorWith", { problem: explainApiError(last.error) }));
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
    const base = window.location.pathname;
    el.list.replaceChildren(
      ...items.map((lead) =>
        renderLeadCard(lead, currency, {
          href: base + queryFromListState({ ...state, lead: String(lead.id) }),
          onOpen: () => openLead(lead.id),
        }),
      ),
    );
    if (returnTo && !state.lead) {
      // Back from a lead: focus its card's link, where the agent left the list.
      el.list.querySelector(`[data-lead-id="${returnTo}"] .lead-open`)?.focus();
      returnTo = "";
    }
    const filtered = hasFilters(state.filters);
    let emptyKey = filtered ? "leads.empty" : "leads.emptyNone";
    const working = sync && (sync.state === "running" || sync.state === "queued");
    const syncing = working || (sync && sync.state !== "failed" && !sync.lastSyncedAt);
    if (!filtered && syncing) emptyKey = "leads.emptySyncing";
    setText(el.empty, t(emptyKey));
    show(el.empty, items.length === 0);
    setText(el.summary, t("leads.total", { total }));
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    setText(el.page, t("leads.page", { page: state.page, pages }));
    el.prev.disabled = state.page <= 1;
    el.next.disabled = !last.data.hasMore;
    el.state.dataset.state = items.length ? "loaded" : "empty";
  }

  const onLang = () => {
    // Option labels and dates are language-dependent; rebuild them from the data we have.
    form.translate();
    render();
  };
  window.addEventListener("langchange", onLang);

  return {
    /** Show the section and load it the first time; later calls reload only on request. */
    activate({ refreshMeta = false, reload = false } = {}) {
      if (!active) {
        active = true;
        show(el.section, true);
        state = stateFromUrl();
        writeUrl({ replace: true }); // what was malformed in the URL is gone from it too
        form.show(state);
        showView();
        const { pipelineId, responsibleUserId } = state.filters;
        // Ids from a link are checked against the account before listing, so a stale id
        // never shows a misleading "nothing found" (or sends paging past the end).
        if (pipelineId || responsibleUserId) loadMeta().then(() => load());
        else {
          loadMeta();
          load();
        }
        return;
      }
      if (refreshMeta) loadMeta().then((changed) => changed && load());
      if (reload) load();
    },
    /** Prices follow the account's currency (format.accountCurrency); null shows plain numbers. */
    setCurrency(code) {
      if (code === currency) return;
      currency = code;
      detail.setCurrency(code);
      render();
    },
    deactivate() {
      if (window.location.search) {
        // Without a connection there is no list, so the address bar holds no list state.
        window.history.replaceState(null, "", window.location.pathname);
      }
      active = false;
      sequence++;
      last = null;
      show(el.section, false);
      detail.close();
      el.list.replaceChildren();
    },
    dispose() {
      active = false;
      sequence++;
      detail.dispose();
      window.removeEventListener("langchange", onLang);
      window.removeEventListener("popstate", onPopState);
    },
  };
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
