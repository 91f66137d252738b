// The leads filter form: a bar that always shows (search, the "Фільтри (N)" toggle, sort) and a
// panel that folds away (pipeline, stage, responsible, budget, creation date, lead fields). The form only
// shows a state and reports what the agent changed; leads.js owns the state and the URL.
import { $, debounce, option, setText } from "../dom.js";
import { t } from "../i18n.js";
import { calendarDay, customFieldPairs, panelFilterCount, wholeAmount } from "../leads-query.js";

const TYPING_DELAY_MS = 300;
const API = { fromApi: true };

/**
 * @param onChange called with ({filters, sort}, source) after the agent changed something;
 *   `source` names the field, so leads.js can fold a run of keystrokes into one history entry.
 */
export function createFilterForm(root, { onChange }) {
  const el = {
    form: $("#leads-filters", root),
    query: $("#filter-query", root),
    toggle: $("#filters-toggle", root),
    panel: $("#filters-panel", root),
    done: $("#filters-done", root),
    pipeline: $("#filter-pipeline", root),
    status: $("#filter-status", root),
    responsible: $("#filter-responsible", root),
    priceFrom: $("#filter-price-from", root),
    priceTo: $("#filter-price-to", root),
    createdFrom: $("#filter-created-from", root),
    createdTo: $("#filter-created-to", root),
    customFieldset: $("#filter-custom-fields", root),
    customFields: $("#filter-custom-fields-list", root),
    sort: $("#leads-sort", root),
  };
  let meta = { pipelines: [], users: [], fields: [] };
  let shown = null; // the state last given to show(), re-applied when options arrive

  const read = () => ({
    filters: {
      query: el.query.value.trim(),
      pipelineId: el.pipeline.value,
      statusId: el.status.value,
      responsibleUserId: el.responsible.value,
      priceFrom: wholeAmount(el.priceFrom.value),
      priceTo: wholeAmount(el.priceTo.value),
      createdFrom: calendarDay(el.createdFrom.value),
      createdTo: calendarDay(el.createdTo.value),
      customField: [...el.customFields.querySelectorAll("select")]
        .filter((select) => select.value)
        .map((select) => `${select.dataset.fieldId}:${select.value}`)
        .join(","),
    },
    sort: el.sort.value,
  });
  const changed = (source) => onChange(read(), source);

  for (const [source, input] of [["query", el.query], ["priceFrom", el.priceFrom], ["priceTo", el.priceTo]]) {
    input.addEventListener("input", debounce(() => changed(source), TYPING_DELAY_MS));
  }
  el.pipeline.addEventListener("change", () => {
    fillStatuses(el.pipeline.value, el.status.value);
    changed("pipelineId");
  });
  for (const [source, input] of [
    ["statusId", el.status],
    ["responsibleUserId", el.responsible],
    ["createdFrom", el.createdFrom],
    ["createdTo", el.createdTo],
    ["sort", el.sort],
  ]) {
    input.addEventListener("change", () => changed(source));
  }
  el.customFields.addEventListener("change", () => changed("customField"));
  // Enter in the search box applies at once instead of submitting (and reloading) the page.
  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    changed("submit");
  });
  el.form.addEventListener("reset", () => {
    // The browser resets the inputs after this event; read them on the next tick.
    setTimeout(() => {
      fillStatuses("", "");
      changed("reset");
    });
  });

  // --- folding ------------------------------------------------------------------------
  const setOpen = (open) => {
    el.panel.hidden = !open;
    el.toggle.setAttribute("aria-expanded", String(open));
  };
  el.toggle.addEventListener("click", () => setOpen(el.panel.hidden));
  el.done.addEventListener("click", () => {
    setOpen(false);
    el.toggle.focus();
  });
  el.panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    setOpen(false);
    el.toggle.focus();
  });

  // --- options --------------------------------------------------------------------------
  function fillSelects() {
    el.pipeline.replaceChildren(option("", t("leads.all")));
    for (const pipeline of meta.pipelines) el.pipeline.append(option(pipeline.id, pipeline.name, API));
    el.responsible.replaceChildren(option("", t("leads.all")));
    for (const user of meta.users) el.responsible.append(option(user.id, user.name, API));
    fillCustomFields();
  }

  /** One select per filterable lead field (GET /api/amo-crm/custom-fields), "All" first. */
  function fillCustomFields() {
    const fields = meta.fields ?? [];
    el.customFields.replaceChildren(
      ...fields.map((field) => {
        const wrap = document.createElement("div");
        wrap.className = "field";
        const id = `filter-cf-${field.id}`;
        const label = document.createElement("label");
        label.htmlFor = id;
        label.textContent = field.name;
        label.dataset.api = "";
        const select = document.createElement("select");
        select.id = id;
        select.dataset.fieldId = String(field.id);
        select.append(option("", t("leads.all")));
        for (const item of field.enums) select.append(option(item.id, item.value, API));
        wrap.append(label, select);
        return wrap;
      }),
    );
    el.customFieldset.hidden = fields.length === 0;
  }

  function showCustomFields(value) {
    const chosen = new Map(customFieldPairs(value).map((pair) => pair.split(":")));
    for (const select of el.customFields.querySelectorAll("select")) {
      select.value = chosen.get(select.dataset.fieldId) ?? "";
    }
  }

  /** The stage select offers the chosen pipeline's stages, keeping `statusId` if it is one. */
  function fillStatuses(pipelineId, statusId) {
    const pipeline = meta.pipelines.find((p) => String(p.id) === pipelineId);
    el.status.replaceChildren(option("", pipeline ? t("leads.allStatuses") : t("leads.choosePipeline")));
    for (const status of pipeline?.statuses ?? []) el.status.append(option(status.id, status.name, API));
    el.status.disabled = !pipeline;
    el.status.value = pipeline ? statusId : "";
  }

  function renderToggle() {
    const count = shown ? panelFilterCount(shown.filters) : 0;
    setText(el.toggle, count ? t("leads.filtersWithCount", { count }) : t("leads.filters"));
  }

  return {
    /** Put a state into the inputs (first load, Back/Forward, a corrected URL). */
    show(state) {
      shown = state;
      const { filters } = state;
      if (el.query.value.trim() !== filters.query) el.query.value = filters.query;
      el.pipeline.value = filters.pipelineId;
      fillStatuses(filters.pipelineId, filters.statusId);
      el.responsible.value = filters.responsibleUserId;
      if (wholeAmount(el.priceFrom.value) !== filters.priceFrom) el.priceFrom.value = filters.priceFrom;
      if (wholeAmount(el.priceTo.value) !== filters.priceTo) el.priceTo.value = filters.priceTo;
      el.createdFrom.value = filters.createdFrom;
      el.createdTo.value = filters.createdTo;
      showCustomFields(filters.customField);
      el.sort.value = state.sort;
      renderToggle();
    },
    /** Pipelines, stages and users (GET /api/amo-crm/pipelines) and lead fields to choose from. */
    setMeta(next) {
      meta = { fields: [], ...next };
      fillSelects();
      if (shown) this.show(shown);
    },
    /** Labels that live in code rather than in data-i18n attributes. */
    translate() {
      this.setMeta(meta);
    },
  };
}
