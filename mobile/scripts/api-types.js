#!/usr/bin/env node
// The API's types, generated from the service's contract (docs/openapi.json, itself written
// from the app by `python -m foryou_crm.apidocs.snapshot docs/openapi.json`) by
// openapi-typescript into src/api/types.gen.ts; src/api/types.ts names the parts the app uses
// and checks its own shapes against them at compile time.
//   npm run api:types            regenerate (after the contract changed)
//   node scripts/api-types.js --check   fail when the committed file is stale (part of npm test)
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

const CONTRACT = path.resolve(__dirname, '../../docs/openapi.json');
const TARGET = path.resolve(__dirname, '../src/api/types.gen.ts');
const HEADER =
  '// Generated from docs/openapi.json by `npm run api:types` (openapi-typescript). Do not edit:\n' +
  '// `npm test` fails when this file differs from what the contract generates.\n\n';

async function generate() {
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const ast = await openapiTS(pathToFileURL(CONTRACT));
  return HEADER + astToString(ast);
}

generate().then(
  (text) => {
    if (process.argv.includes('--check')) {
      const current = fs.existsSync(TARGET) ? fs.readFileSync(TARGET, 'utf8') : '';
      if (current !== text) {
        console.error('src/api/types.gen.ts is stale: run `npm run api:types` (docs/openapi.json changed)');
        process.exit(1);
      }
      console.log('api types: up to date with docs/openapi.json');
      return;
    }
    fs.writeFileSync(TARGET, text);
    console.log('api types: src/api/types.gen.ts written');
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
