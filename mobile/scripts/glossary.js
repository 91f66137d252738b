#!/usr/bin/env node
// Copies the glossary — the web screen's dictionaries, the one source of truth for the words of
// both UIs — into the app (src/i18n/glossary/), because Metro and an app build see only this
// folder. Run after changing src/foryou_crm/web/static/i18n/*.json; the copy is committed, and
// tests/unit/i18n.test.ts (and the backend's tests/web/test_glossary.py) fail when it drifts.
const fs = require('fs');
const path = require('path');

const SOURCE = path.resolve(__dirname, '../../src/foryou_crm/web/static/i18n');
const TARGET = path.resolve(__dirname, '../src/i18n/glossary');

fs.mkdirSync(TARGET, { recursive: true });
for (const language of ['uk', 'en']) {
  fs.copyFileSync(path.join(SOURCE, `${language}.json`), path.join(TARGET, `${language}.json`));
  console.log(`glossary: ${language}.json copied`);
}
