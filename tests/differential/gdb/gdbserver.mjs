#!/usr/bin/env node
// Runs `rewind gdbserver ARGS` (src/cli/gdbserver.ts through tsx, like bin/rewind.mjs) for the
// gdb tests, independently of the CLI dispatcher.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
const { gdbserverCommand } = await import(new URL('../../../src/cli/gdbserver.ts', import.meta.url).href);
const status = await gdbserverCommand(process.argv.slice(2));
process.stdout.write('', () => process.stderr.write('', () => process.exit(status)));
