#!/usr/bin/env node
// Launcher for `rewind`: runs src/cli/main.ts through tsx's ESM loader, so the CLI works
// right after `npm install` with no build step.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import(new URL('../src/cli/main.ts', import.meta.url).href);

let status;
try {
  status = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`rewind: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  status = 70; // EX_SOFTWARE
}
// Let pending stdout/stderr writes finish, then leave even if stdin is still open.
process.stdout.write('', () => process.stderr.write('', () => process.exit(status)));
