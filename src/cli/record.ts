// `rewind record PROGRAM -o FILE`: run a program at the recording frontier and save the replay file.
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Timeline, toReplayFile, writeReplayFile, type Stop } from '../replay';
import { describeFsError, hostInputs, loadProgram, ProgramError } from './program';
import { EXIT_USAGE, openInput, parseCommand, usageError as argsUsageError } from './args';

const USAGE = `usage: rewind record PROGRAM -o FILE [options]

Runs PROGRAM (an RV32 ELF or assembly source) on the virt machine, recording every
nondeterministic input, and writes the replay file FILE (docs/replay-format.md) when the
guest exits, --max-insns is reached, or the guest waits for input after the input ended.
The UART's output goes to stdout; its input comes from --input (default: stdin).
The exit status is the guest's exit code (0 if it did not exit).

options:
  -o, --output FILE  the replay file to write
  --input FILE|-     UART input from FILE, or '-' for stdin (the default)
  --max-insns N      stop recording after N instructions
  --name NAME        the recording's name (shown by info replay; default: the program's file name)
  -h, --help         show this help
`;

export async function recordCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('record', args, {
    output: { type: 'string', short: 'o' },
    input: { type: 'string' },
    'max-insns': { type: 'string' },
    name: { type: 'string' },
  }, USAGE, 'PROGRAM');
  if (typeof parsed === 'number') return parsed;
  const { values, path } = parsed;
  if (values.output === undefined) return usageError('missing -o FILE (where to write the replay file)');
  let maxInsns = Number.MAX_SAFE_INTEGER;
  if (values['max-insns'] !== undefined) {
    maxInsns = Number(values['max-insns']);
    if (!Number.isSafeInteger(maxInsns) || maxInsns < 1) return usageError(`--max-insns must be a positive integer, not '${values['max-insns']}'`);
  }

  let program;
  try {
    program = await loadProgram(path, 128 * 1024 * 1024);
  } catch (err) {
    if (err instanceof ProgramError) { process.stderr.write(`rewind record: ${err.message}\n`); return EXIT_USAGE; }
    throw err;
  }
  if (program.replay) return usageError(`'${path}' is already a replay file; use 'rewind replay'`);

  const stream = await openInput('record', values.input ?? '-');
  if (typeof stream === 'number') return stream;

  const tl = new Timeline(program.image, { name: values.name ?? basename(path), live: hostInputs() });
  let out: number[] = [];
  tl.onOutput = (byte) => { out.push(byte); };
  const flush = (): void => { if (out.length) { process.stdout.write(Buffer.from(out)); out = []; } };

  let inputEnded = false;
  let wake: (() => void) | null = null;
  stream.on('data', (chunk: Buffer | string) => {
    tl.sendInput(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    wake?.();
  });
  const ended = (): void => { inputEnded = true; wake?.(); };
  stream.on('end', ended);
  stream.on('close', ended);
  stream.on('error', (err) => { process.stderr.write(`rewind record: input error: ${err.message}\n`); ended(); });

  if (maxInsns !== Number.MAX_SAFE_INTEGER) tl.setReplayBreak(maxInsns);
  let stop: Stop;
  for (;;) {
    const op = tl.continueForward();
    let r = op.next();
    while (!r.done) {
      flush();
      await new Promise((resolve) => setImmediate(resolve)); // let input and output events run
      r = op.next();
    }
    stop = r.value;
    flush();
    if (stop.cause.kind !== 'idle') break;
    if (tl.pendingInputLength > 0) continue;
    if (inputEnded) break;
    await new Promise<void>((resolve) => { wake = resolve; });
    wake = null;
  }
  stream.pause();
  if (stream !== process.stdin) stream.destroy();

  const file = writeReplayFile(toReplayFile(tl, { symbols: program.symbols, source: program.source }));
  try {
    await writeFile(values.output, file);
  } catch (err) {
    process.stderr.write(`rewind record: cannot write '${values.output}': ${describeFsError(err)}\n`);
    return 1;
  }
  const why = stop.cause.kind === 'exit' ? `the guest exited with ${stop.cause.code}`
    : stop.cause.kind === 'replay-break' ? '--max-insns reached'
    : stop.cause.kind === 'idle' ? 'the guest waits for input and the input ended'
    : stop.cause.kind === 'divergence' ? stop.cause.message : stop.cause.kind;
  process.stderr.write(`rewind record: ${why}; wrote ${values.output}: ${tl.frontier} instructions, ${tl.log.length} input events, ${file.length} bytes\n`);
  if (stop.cause.kind === 'divergence') return 1;
  return stop.cause.kind === 'exit' ? stop.cause.code & 0xff : 0;
}

const usageError = (message: string): number => argsUsageError('record', message);
