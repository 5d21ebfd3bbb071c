// The example programs (public/examples/index.json) with the paths the tests use.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface Example {
  name: string;
  elfPath: string;
  /** UART input file for the example, if it reads input. */
  inputPath?: string;
  exitCode: number;
}

interface IndexEntry { name: string; elf: string; input?: string; exitCode?: number }

export function examples(): Example[] {
  const index = JSON.parse(readFileSync(`${repoRoot}public/examples/index.json`, 'utf8')) as { examples: IndexEntry[] };
  return index.examples.map((e) => ({
    name: e.name,
    // The canonical builds live in examples/build; public/examples holds copies for the web app.
    elfPath: `${repoRoot}examples/build/${e.elf}`,
    ...(e.input !== undefined ? { inputPath: `${repoRoot}examples/inputs/${e.name}.txt` } : {}),
    exitCode: e.exitCode ?? 0,
  }));
}
