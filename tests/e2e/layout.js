// Layout probes run inside the page by tests/e2e/layout.py; one object literal, each method
// returns plain data (sizes in CSS px, element descriptions) for Python to judge.
({
  describe(el) {
    const cls = typeof el.className === "string" && el.className ? `.${el.className.split(" ")[0]}` : "";
    return el.tagName.toLowerCase() + (el.id ? `#${el.id}` : "") + cls;
  },

  rendered(el) {
    return el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  },

  overflow() {
    return Math.max(0, document.documentElement.scrollWidth - window.innerWidth);
  },

  // Everything a finger can press: links, buttons, form controls (checkboxes included) and
  // anything made focusable on purpose; tabindex=-1 headings (focused by code) are not.
  smallTargets(minimum) {
    const selector =
      "a[href], button, input, select, textarea, summary, [role=button], [tabindex]:not([tabindex='-1'])";
    return [...document.querySelectorAll(selector)]
      .filter((el) => this.rendered(el))
      .map((el) => [el, el.getBoundingClientRect()])
      .filter(([, r]) => r.width < minimum || r.height < minimum)
      .map(([el, r]) => `${this.describe(el)} ${Math.round(r.width)}×${Math.round(r.height)}`);
  },

  // A control is clipped when it sticks out of the viewport sideways, or (date inputs) when it
  // is narrower than its own content: day, month, year and the picker button. The natural
  // width is measured on a hidden copy with width: auto placed beside it.
  clippedControls() {
    const problems = [];
    for (const el of document.querySelectorAll("input, select, button, textarea")) {
      if (!this.rendered(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.left < -0.5 || r.right > window.innerWidth + 0.5) {
        problems.push(`${this.describe(el)} spans ${Math.round(r.left)}..${Math.round(r.right)} px`);
      }
      if (el.type !== "date") continue;
      const probe = el.cloneNode();
      Object.assign(probe.style, { width: "auto", minWidth: "0", position: "absolute", visibility: "hidden" });
      el.parentElement.append(probe);
      const natural = probe.getBoundingClientRect().width;
      probe.remove();
      if (r.width + 0.5 < natural) {
        problems.push(`${this.describe(el)} is ${Math.round(r.width)} px for ${Math.round(natural)} px of content`);
      }
    }
    return problems;
  },

  // The header's content height, its tallest item, each item's vertical centre, and how many
  // lines each item's text takes (a select shows one line by construction).
  header() {
    const header = document.querySelector("header");
    const style = getComputedStyle(header);
    const items = [...header.children].filter((el) => this.rendered(el));
    const lines = {};
    for (const el of items) {
      if (el.tagName === "SELECT") continue;
      const range = document.createRange();
      range.selectNodeContents(el);
      lines[this.describe(el)] = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    }
    const box = header.getBoundingClientRect();
    const edges = ["paddingTop", "paddingBottom", "borderTopWidth", "borderBottomWidth"];
    return {
      content: Math.round(box.height - edges.reduce((sum, name) => sum + parseFloat(style[name]), 0)),
      tallest: Math.round(Math.max(...items.map((el) => el.getBoundingClientRect().height))),
      centres: items.map((el) => {
        const r = el.getBoundingClientRect();
        return Math.round(r.top + r.height / 2);
      }),
      lines,
    };
  },

  // For each visible row of each <dl> matching the selector: where its label and value sit.
  definitionRows(selector) {
    return [...document.querySelectorAll(selector)].map((dl) =>
      [...dl.querySelectorAll(":scope > div")]
        .filter((row) => this.rendered(row.querySelector("dt")))
        .map((row) => {
          const dt = row.querySelector("dt").getBoundingClientRect();
          const dd = row.querySelector("dd").getBoundingClientRect();
          return { label: row.querySelector("dt").textContent, dt: [dt.left, dt.top], dd: [dd.left, dd.top] };
        }),
    );
  },
})
