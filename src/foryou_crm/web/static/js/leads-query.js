// The leads list's state (filters, sort, page) as the /app URL query, so that a reload,
// Back/Forward and a shared link all show the same list. Parameter names are the leads API's
// own (GET /api/amo-crm/leads); only the dates differ in meaning: the URL keeps the calendar
// day the agent picked (YYYY-MM-DD), the request sends that local day's bounds as instants.
// Whatever is malformed in a URL is dropped, never reported: a hand-edited or stale link still
// opens a working list.

export const DEFAULT_SORT = "-createdAt";
export const SORTS = Object.freeze(["-createdAt", "createdAt", "-updatedAt", "updatedAt", "-price", "price"]);

// The API's own bounds (leads/router.py): anything beyond them would be a 422.
const MAX_QUERY_LENGTH = 200;
const MAX_PRICE = 10 ** 15;
const MAX_PAGE = 1_000_000;

export const EMPTY_FILTERS = Object.freeze({
  query: "",
  pipelineId: "",
  statusId: "",
  responsibleUserId: "",
  priceFrom: "",
  priceTo: "",
  createdFrom: "",
  createdTo: "",
  // Lead custom fields (GET /api/amo-crm/custom-fields): "fieldId:enumId" pairs joined by ",",
  // one per field, in field order; the URL repeats `customField` as the API does.
  customField: "",
});

// The order parameters appear in a URL: filters as on the screen, then sort, then page.
const FILTER_NAMES = Object.keys(EMPTY_FILTERS);
// The API takes at most this many customField values (leads/filter.py).
const MAX_CUSTOM_FIELDS = 10;

export function defaultListState() {
  return { filters: { ...EMPTY_FILTERS }, sort: DEFAULT_SORT, page: 1, lead: "" };
}

/** The custom-field filter as a list of "fieldId:enumId" pairs, one per field. */
export function customFieldPairs(value) {
  const seen = new Set();
  const pairs = [];
  for (const pair of String(value ?? "").split(",")) {
    const match = /^([1-9]\d{0,17}):([1-9]\d{0,17})$/.exec(pair.trim());
    if (!match || seen.has(match[1]) || pairs.length >= MAX_CUSTOM_FIELDS) continue;
    seen.add(match[1]);
    pairs.push(`${match[1]}:${match[2]}`);
  }
  return pairs;
}

/** The list state a URL query string asks for; every malformed value falls back to its default. */
export function listStateFromQuery(search) {
  const params = new URLSearchParams(search);
  const get = (name) => (params.get(name) ?? "").trim();
  const filters = {
    query: get("query").length <= MAX_QUERY_LENGTH ? get("query") : "",
    pipelineId: positiveId(get("pipelineId")),
    // A stage means something only inside its pipeline (amoCRM's won/lost stages 142 and 143
    // exist in every pipeline), so a stage without its pipeline is dropped.
    statusId: "",
    responsibleUserId: positiveId(get("responsibleUserId")),
    priceFrom: wholeAmount(get("priceFrom")),
    priceTo: wholeAmount(get("priceTo")),
    createdFrom: calendarDay(get("createdFrom")),
    createdTo: calendarDay(get("createdTo")),
    customField: customFieldPairs(params.getAll("customField").join(",")).join(","),
  };
  if (filters.pipelineId) filters.statusId = positiveId(get("statusId"));
  const sort = SORTS.includes(get("sort")) ? get("sort") : DEFAULT_SORT;
  const page = Math.min(Number(positiveId(get("page")) || 1), MAX_PAGE);
  // The lead whose details are open over the list (views/lead-detail.js), if any.
  return { filters, sort, page, lead: positiveId(get("lead")) };
}

/** "?name=value…" for the non-default parts of the state, or "" for the default list. */
export function queryFromListState({ filters, sort, page, lead = "" }) {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    if (name === "customField") for (const pair of customFieldPairs(filters[name])) params.append(name, pair);
    else if (filters[name]) params.set(name, filters[name]);
  }
  if (sort !== DEFAULT_SORT) params.set("sort", sort);
  if (page > 1) params.set("page", String(page));
  if (lead) params.set("lead", lead);
  const query = params.toString();
  return query ? `?${query}` : "";
}

/**
 * How many filters the folded panel holds (the "Фільтри (N)" count): pipeline, stage,
 * responsible, budget, creation date and each lead field — a range counts once, whichever
 * bounds are set.
 * The search box is not counted: it stays visible in the bar.
 */
export function panelFilterCount(filters) {
  return [
    filters.pipelineId,
    filters.statusId,
    filters.responsibleUserId,
    filters.priceFrom || filters.priceTo,
    filters.createdFrom || filters.createdTo,
  ].filter(Boolean).length + customFieldPairs(filters.customField).length;
}

export function hasFilters(filters) {
  return FILTER_NAMES.some((name) => filters[name]);
}

/**
 * The filters with ids this account does not have (a link from another account, a deleted
 * pipeline or user) removed; `meta` is GET /api/amo-crm/pipelines' answer. An empty list means
 * the mirror has not synced it yet, which proves nothing, so its ids are kept.
 */
export function withKnownIds(filters, meta) {
  const known = { ...filters };
  if (meta.pipelines.length) {
    const pipeline = meta.pipelines.find((p) => String(p.id) === known.pipelineId);
    if (!pipeline) known.pipelineId = "";
    if (!pipeline?.statuses.some((s) => String(s.id) === known.statusId)) known.statusId = "";
  }
  if (meta.users.length && !meta.users.some((u) => String(u.id) === known.responsibleUserId)) {
    known.responsibleUserId = "";
  }
  if (meta.fields?.length) {
    const enums = new Set(meta.fields.flatMap((f) => f.enums.map((e) => `${f.id}:${e.id}`)));
    known.customField = customFieldPairs(known.customField).filter((pair) => enums.has(pair)).join(",");
  }
  return known;
}

export function sameFilters(a, b) {
  return FILTER_NAMES.every((name) => a[name] === b[name]);
}

/** A whole, non-negative amount as typed or linked ("12.5" → "12", "-3" → "0"), else "". */
export function wholeAmount(value) {
  const text = String(value ?? "").trim();
  const number = Number(text);
  if (text === "" || !Number.isFinite(number)) return "";
  return String(Math.min(MAX_PRICE, Math.max(0, Math.trunc(number))));
}

function positiveId(value) {
  return /^[1-9]\d{0,17}$/.test(value) ? value : "";
}

/**
 * A real calendar day as YYYY-MM-DD (what <input type=date> gives), else "". Years stay within
 * 1970–2100: the dates the API accepts (its bounds, core/bounds.py).
 */
export function calendarDay(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return "";
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real && year >= 1970 && year <= 2100 ? value : "";
}
