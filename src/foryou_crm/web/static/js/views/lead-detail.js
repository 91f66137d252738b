// One lead, whole (GET /api/amo-crm/leads/{id}): contacts with tap-to-call (tel:) and
// tap-to-write (mailto:) links, company, open tasks, custom fields, the latest notes. Opened
// over the list (`?…&lead=ID`, leads.js owns the URL); Back returns to the list as it was.
import { api } from "../api.js";
import { $, safeColor, safeHttpUrl, setText, show } from "../dom.js";
import { explainApiError } from "../errors.js";
import { formatDate, formatPrice, toDate } from "../format.js";
import { has, t } from "../i18n.js";

// Field types whose values are instants (Unix seconds) and yes/no flags.
const DATE_TYPES = new Set(["date", "date_time", "birthday"]);

/** "tel:" plus the digits and a leading "+" only: nothing else of the value reaches the href. */
export function telHref(phone) {
  const digits = String(phone ?? "").replace(/[^\d+]/g, "").replace(/(?!^)\+/g, "");
  return /\d{3,}/.test(digits) ? `tel:${digits}` : null;
}

/** "mailto:" for something shaped like an address (one "@", no spaces), else null. */
export function mailtoHref(email) {
  const text = String(email ?? "").trim();
  if (!/^[^\s@<>"]+@[^\s@<>"]+$/.test(text)) return null;
  return `mailto:${encodeURIComponent(text).replace(/%40/g, "@")}`;
}

/** A custom field's values in words: dates formatted, flags as yes/no, the rest as sent. */
export function fieldText(field) {
  return (field.values ?? [])
    .map(({ value }) => {
      if (field.type === "checkbox") return value ? t("detail.yes") : t("detail.no");
      if (DATE_TYPES.has(field.type) && toDate(Number(value))) return formatDate(Number(value));
      return String(value ?? "");
    })
    .filter(Boolean)
    .join(", ");
}

function node(tag, className, text, { fromApi = false } = {}) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  if (fromApi) el.dataset.api = "";
  return el;
}

function contactLink(href, value, typeKey, labelKey, name) {
  const link = node("a", "btn btn-ghost contact-action");
  link.href = href;
  link.append(node("span", "", value, { fromApi: true }));
  if (typeKey && has(typeKey)) link.append(node("span", "contact-type", t(typeKey)));
  link.setAttribute("aria-label", t(labelKey, { name, [labelKey === "detail.call" ? "phone" : "email"]: value }));
  return link;
}

function renderContact(contact) {
  const item = node("li", "detail-contact");
  item.dataset.contactId = String(contact.id);
  const head = node("p", "contact-head");
  const name = contact.name || `#${contact.id}`;
  head.append(node("strong", "", name, { fromApi: true }));
  if (contact.isMain) head.append(node("span", "contact-main", t("detail.mainContact")));
  item.append(head);
  if (contact.position) {
    const position = node("p", "contact-position");
    position.append(node("span", "", `${t("detail.position")}: `), node("span", "", contact.position, { fromApi: true }));
    item.append(position);
  }
  const actions = node("div", "contact-actions");
  for (const phone of contact.phones ?? []) {
    const href = telHref(phone.value);
    if (href) actions.append(contactLink(href, phone.value, `phoneType.${phone.type}`, "detail.call", name));
  }
  for (const email of contact.emails ?? []) {
    const href = mailtoHref(email.value);
    if (href) actions.append(contactLink(href, email.value, `phoneType.${email.type}`, "detail.write", name));
  }
  if (actions.childElementCount) item.append(actions);
  return item;
}

function renderTask(task, now) {
  const item = node("li", "detail-item");
  item.append(node("p", "detail-text", task.text, { fromApi: true }));
  const due = toDate(task.completeTill);
  const overdue = due && due.getTime() < now;
  const when = node("p", overdue ? "detail-when overdue" : "detail-when");
  when.textContent = t(overdue ? "detail.overdue" : "detail.due", { when: formatDate(task.completeTill) });
  item.append(when);
  return item;
}

function renderNote(note) {
  const item = node("li", "detail-item");
  const head = node("p", "detail-when");
  const typeKey = has(`noteType.${note.type}`) ? `noteType.${note.type}` : "noteType.other";
  head.append(node("span", "", t(typeKey)), node("span", "", ` · ${formatDate(note.createdAt)}`, { fromApi: true }));
  item.append(head);
  if (note.text) item.append(node("p", "detail-text", note.text, { fromApi: true }));
  return item;
}

export function createLeadDetail(root, { onBack }) {
  const el = {
    section: $("#lead-detail", root),
    back: $("#detail-back", root),
    state: $("#detail-state", root),
    error: $("#detail-error", root),
    errorText: $("#detail-error-text", root),
    retry: $("#detail-retry", root),
    body: $("#detail-body", root),
    title: $("#detail-title", root),
    price: $("#detail-price", root),
    dot: $("#detail-dot", root),
    status: $("#detail-status", root),
    pipeline: $("#detail-pipeline", root),
    contacts: $("#detail-contacts", root),
    noContacts: $("#detail-no-contacts", root),
    companyRow: $("#detail-company-row", root),
    company: $("#detail-company", root),
    tasks: $("#detail-tasks", root),
    noTasks: $("#detail-no-tasks", root),
    fields: $("#detail-fields", root),
    noFields: $("#detail-no-fields", root),
    notes: $("#detail-notes", root),
    noNotes: $("#detail-no-notes", root),
    open: $("#detail-open", root),
  };
  let leadId = "";
  let currency = null;
  let sequence = 0;
  let last = null; // {kind: "data", data} | {kind: "error", error}

  el.back.addEventListener("click", (event) => {
    event.preventDefault();
    onBack();
  });
  el.retry.addEventListener("click", () => load());

  async function load() {
    const mine = ++sequence;
    last = null;
    show(el.body, false);
    show(el.error, false);
    setText(el.state, t("detail.loading"));
    el.section.dataset.state = "loading";
    try {
      const data = await api(`/api/amo-crm/leads/${encodeURIComponent(leadId)}`);
      if (mine !== sequence) return;
      last = { kind: "data", data };
    } catch (error) {
      if (mine !== sequence) return;
      last = { kind: "error", error };
    }
    render();
    if (last.kind === "data") el.title.focus({ preventScroll: true });
  }

  function render() {
    if (!last) return;
    if (last.kind === "error") {
      setText(el.state, "");
      setText(el.errorText, t("detail.errorWith", { problem: explainApiError(last.error) }));
      show(el.error, true);
      show(el.body, false);
      el.section.dataset.state = "error";
      return;
    }
    const lead = last.data;
    setText(el.state, "");
    setText(el.title, lead.name || `#${lead.id}`);
    setText(el.price, formatPrice(lead.price, currency ?? lead.currency ?? null));
    const color = safeColor(lead.statusColor);
    if (color) el.dot.style.setProperty("--status-color", color);
    setText(el.status, lead.statusName ?? "—");
    setText(el.pipeline, lead.pipelineName ?? "");
    el.contacts.replaceChildren(...(lead.contacts ?? []).map(renderContact));
    show(el.noContacts, !(lead.contacts ?? []).length);
    show(el.companyRow, Boolean(lead.company));
    setText(el.company, lead.company ? lead.company.name || `#${lead.company.id}` : "");
    const now = Date.now();
    el.tasks.replaceChildren(...(lead.tasks ?? []).map((task) => renderTask(task, now)));
    show(el.noTasks, !(lead.tasks ?? []).length);
    const fields = (lead.customFields ?? []).filter((field) => fieldText(field));
    el.fields.replaceChildren(
      ...fields.map((field) => {
        const row = node("div");
        row.append(node("dt", "", field.name, { fromApi: true }), node("dd", "", fieldText(field), { fromApi: true }));
        return row;
      }),
    );
    show(el.noFields, !fields.length);
    el.notes.replaceChildren(...(lead.notes ?? []).map(renderNote));
    show(el.noNotes, !(lead.notes ?? []).length);
    const href = safeHttpUrl(lead.url);
    show(el.open, Boolean(href));
    if (href) el.open.href = href;
    show(el.body, true);
    el.section.dataset.state = "loaded";
  }

  const onLang = () => render();
  window.addEventListener("langchange", onLang);

  return {
    /** Show lead `id` (a positive id string); `backHref` is the list it returns to. */
    open(id, backHref) {
      el.back.href = backHref;
      show(el.section, true);
      if (id === leadId && last?.kind === "data") return;
      leadId = id;
      load();
    },
    close() {
      sequence++;
      leadId = "";
      last = null;
      show(el.section, false);
    },
    setCurrency(code) {
      currency = code;
      render();
    },
    dispose() {
      sequence++;
      window.removeEventListener("langchange", onLang);
    },
  };
}
