// Argument handling the commands share: option parsing with --help, usage errors, input streams.
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Readable } from 'node:stream';
import { describeFsError } from './program';

/** Exit status for a usage error, an unreadable file or a malformed program. */
export const EXIT_USAGE = 2;

type Options = NonNullable<ParseArgsConfig['options']>;

/** Prints `rewind COMMAND: message` and the hint to --help; returns EXIT_USAGE. */
export function usageError(command: string, message: string): number {
  process.stderr.write(`rewind ${command}: ${message}\n(try 'rewind ${command} --help')\n`);
  return EXIT_USAGE;
}

/**
 * Parses `args` for a command taking one positional argument (`what`, e.g. PROGRAM). With -h or
 * --help it prints `usage` and returns 0; on a usage error it says so and returns EXIT_USAGE.
 */
export function parseCommand<O extends Options>(command: string, args: string[], options: O, usage: string, what: string):
  { values: ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true }>>['values']; path: string } | number {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { ...options, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    return usageError(command, err instanceof Error ? err.message : String(err));
  }
  if ((parsed.values as Record<string, unknown>).help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const { positionals } = parsed;
  if (positionals.length !== 1) return usageError(command, positionals.length === 0 ? `missing ${what}` : `unexpected argument '${positionals[1]}'`);
  return { values: parsed.values as ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true }>>['values'], path: positionals[0]! };
}

/** The UART input stream: a file, or stdin for '-'. A file that cannot be opened is a usage error. */
export async function openInput(command: string, path: string): Promise<Readable | number> {
  if (path === '-') return process.stdin;
  const stream = createReadStream(path);
  try {
    await once(stream, 'open');
  } catch (err) {
    process.stderr.write(`rewind ${command}: cannot read input '${path}': ${describeFsError(err)}\n`);
    return EXIT_USAGE;
  }
  return stream;
}
