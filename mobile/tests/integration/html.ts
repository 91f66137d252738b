/** Just enough HTML form reading to drive the amoCRM sandbox consent over HTTP. */

export function unescapeHtml(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
  const body = tag.replace(/^<\s*[a-zA-Z0-9]+/, '').replace(/\/?>$/, '');
  let m: RegExpExecArray | null;
  while ((m = re.exec(body))) {
    out[m[1].toLowerCase()] = unescapeHtml(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

export interface ParsedForm {
  action: string;
  method: string;
  fields: Record<string, string>;
  buttons: Record<string, string>[];
}

/** The first <form> in the page: action, method, named inputs (with values), submit buttons. */
export function parseForm(html: string): ParsedForm {
  const m = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!m) throw new Error(`no <form> in page:\n${html.slice(0, 500)}`);
  const formTag = /<form\b[^>]*>/i.exec(m[0])![0];
  const a = attrs(formTag);
  const fields: Record<string, string> = {};
  for (const input of m[1].match(/<input\b[^>]*>/gi) ?? []) {
    const ia = attrs(input);
    if (ia.name) fields[ia.name] = ia.value ?? '';
  }
  const buttons = (m[1].match(/<button\b[^>]*>/gi) ?? []).map(attrs);
  return { action: a.action ?? '', method: (a.method ?? 'get').toLowerCase(), fields, buttons };
}

export function findLinkById(html: string, id: string): string | null {
  for (const tag of html.match(/<a\b[^>]*>/gi) ?? []) {
    const a = attrs(tag);
    if (a.id === id) return a.href ?? null;
  }
  return null;
}
