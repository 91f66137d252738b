// One lead in the list: name and budget, stage, main contact, responsible, dates, tags, link.
import { fromTemplate, safeColor, safeHttpUrl, setText, show } from "../dom.js";
import { formatDate, formatPrice } from "../format.js";
import { t } from "../i18n.js";

/**
 * The contact to show on the card: the main one (the API lists it first, `isMain`) or else
 * the first one with a name. A contact whose name is not synced yet (null) is skipped rather
 * than shown as a blank.
 */
export function mainContactName(lead) {
  const named = (lead.contacts ?? []).filter((c) => String(c?.name ?? "").trim());
  const contact = named.find((c) => c.isMain) ?? named[0];
  return contact ? contact.name.trim() : "";
}

/**
 * @param currency ISO code from format.accountCurrency, or null for the lead's own `currency`
 * @param detail {href, onOpen}: the lead's details over the list (leads.js owns the URL)
 */
export function renderLeadCard(lead, currency, detail) {
  const row = fromTemplate("tpl-lead").firstElementChild;
  row.dataset.leadId = String(lead.id);
  const open = row.querySelector(".lead-open");
  setText(open, lead.name || `#${lead.id}`);
  open.href = detail.href;
  open.addEventListener("click", (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return; // a new tab
    event.preventDefault();
    detail.onOpen();
  });
  setText(row.querySelector(".lead-price"), formatPrice(lead.price, currency ?? lead.currency ?? null));
  const color = safeColor(lead.statusColor);
  // CSSOM writes are allowed by the CSP (no inline style attributes are used).
  if (color) row.querySelector(".status-dot").style.setProperty("--status-color", color);
  setText(row.querySelector(".lead-status-name"), lead.statusName ?? "—");
  setText(row.querySelector(".lead-pipeline"), lead.pipelineName ?? "");
  const contact = mainContactName(lead);
  setText(row.querySelector(".lead-contact"), contact);
  show(row.querySelector(".lead-contact-row"), Boolean(contact));
  setText(row.querySelector(".lead-responsible"), lead.responsibleUserName || t("leads.noResponsible"));
  setText(row.querySelector(".lead-created"), formatDate(lead.createdAt));
  setText(row.querySelector(".lead-updated"), formatDate(lead.updatedAt));
  const tags = row.querySelector(".tags");
  for (const tag of lead.tags ?? []) {
    const chip = document.createElement("li");
    chip.className = "tag";
    chip.textContent = tag; // inside .tags[data-api]: the account's data, not the dictionary
    tags.append(chip);
  }
  show(tags, (lead.tags ?? []).length > 0);
  const link = row.querySelector(".lead-link");
  const href = safeHttpUrl(lead.url);
  if (href) {
    link.href = href;
    link.setAttribute("aria-label", t("leads.openNamed", { name: lead.name || `#${lead.id}` }));
  } else {
    link.remove();
  }
  return row;
}
