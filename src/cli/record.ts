// `rewind record PROGRAM -o FILE`: run a program at the recording frontier, writing the replay
// file as it goes (crash-safe: checkpoints on disk), and finish it when the run ends or on Ctrl-C.
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Timeline, type Stop } from '../replay';
import { hostInputs, loadProgram, ProgramError } from './program';
import { describeFsError } from './files';
import { EXIT_USAGE, openInput, parseCommand, usageError as argsUsageError } from './args';
import { RecordingFile } from './recordingFile';
import { UartOutput } from './uartOutput';

const USAGE = `usage: rewind record PROGRAM -o FILE [options]

Runs PROGRAM (an RV32 ELF or assembly source) on the virt machine, recording every
nondeterministic input into the replay file FILE (docs/replay-format.md). The file is written
as the recording goes, with a checkpoint on disk at least every --checkpoint-ms: if the
recorder is killed or the machine loses power, 'rewind replay' reads FILE up to its last
checkpoint. The recording ends when the guest exits, --max-insns is reached, the guest waits
for input after the input ended, or on Ctrl-C (SIGINT) or SIGTERM, which finish FILE cleanly.
The UART's output goes to stdout; its input comes from --input (default: stdin).

options:
  -o, --output FILE      the replay file to write
  --input FILE|-         UART input from FILE, or '-' for stdin (the default)
  --max-insns N          stop recording after N instructions
  --name NAME            the recording's name (shown by info replay; default: the program's file name)
  --checkpoint-ms MS     wall-clock time between checkpoints (default 500, at least 10)
  --progress             print a line on stderr at every checkpoint
  --stats                print instructions, time, MIPS and peak memory on stderr at the end
  -h, --help             show this help

Exit status: the guest's exit code (0 if it did not exit), 130 after Ctrl-C (the file is
complete), 1 if FILE cannot be written, 2 for a bad program or argument.
`;

const DEFAULT_CHECKPOINT_MS = 500;
/** Host input waiting for the guest beyond this pauses the input stream. */
const INPUT_HIGH_WATER = 1 << 16;

export async function recordCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('record', args, {
    output: { type: 'string', short: 'o' },
    input: { type: 'string' },
    'max-insns': { type: 'string' },
    name: { type: 'string' },
    'checkpoint-ms': { type: 'string' },
    progress: { type: 'boolean', default: false },
    stats: { type: 'boolean', default: false },
  }, USAGE, 'PROGRAM');
  if (typeof parsed === 'number') return parsed;
  const { values, path } = parsed;
  if (values.output === undefined) return usageError('missing -o FILE (where to write the replay file)');
  let maxInsns = Number.MAX_SAFE_INTEGER;
  if (values['max-insns'] !== undefined) {
    maxInsns = Number(values['max-insns']);
    if (!Number.isSafeInteger(maxInsns) || maxInsns < 1) return usageError(`--max-insns must be a positive integer, not '${values['max-insns']}'`);
  }
  let checkpointMs = DEFAULT_CHECKPOINT_MS;
  if (values['checkpoint-ms'] !== undefined) {
    checkpointMs = Number(values['checkpoint-ms']);
    if (!Number.isFinite(checkpointMs) || checkpointMs < 10) return usageError(`--checkpoint-ms must be a number of milliseconds from 10, not '${values['checkpoint-ms']}'`);
  }

  let program;
  try {
    program = await loadProgram(path, 128 * 1024 * 1024);
  } catch (err) {
    if (err instanceof ProgramError) { process.stderr.write(`rewind record: ${err.message}\n`); return EXIT_USAGE; }
    throw err;
  }
  if (program.replay) return usageError(`'${path}' is already a replay file; use 'rewind replay'`);

  // The replay file keeps the inputs; the output goes to stdout and is not kept here.
  const tl = new Timeline(program.image, { name: values.name ?? basename(path), live: hostInputs(), outputLimit: 0 });
  let file: RecordingFile;
  try {
    file = RecordingFile.create(values.output);
    file.begin(tl, { symbols: program.symbols, source: program.source });
  } catch (err) {
    process.stderr.write(`rewind record: cannot write '${values.output}': ${describeFsError(err)}\n`);
    return 1;
  }

  const stream = await openInput('record', values.input ?? '-');
  if (typeof stream === 'number') { file.close(); return stream; }

  const out = new UartOutput(process.stdout);
  tl.onOutput = out.push;

  let inputEnded = false;
  let interrupted: string | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => { const w = wake; wake = null; w?.(); };
  stream.on('data', (chunk: Buffer | string) => {
    tl.sendInput(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    if (tl.pendingInputLength > INPUT_HIGH_WATER) stream.pause();
    notify();
  });
  const ended = (): void => { inputEnded = true; notify(); };
  stream.on('end', ended);
  stream.on('close', ended);
  stream.on('error', (err) => { process.stderr.write(`rewind record: input error: ${err.message}\n`); ended(); });
  const onSignal = (signal: NodeJS.Signals): void => { interrupted = signal; notify(); };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let lastCheckpoint = performance.now();
  const checkpoint = (): void => {
    if (file.checkpoint(tl) && values.progress) {
      process.stderr.write(`rewind record: saved up to icount ${tl.icount} (${tl.log.length} input events, ${file.bytes} bytes)\n`);
    }
    lastCheckpoint = performance.now();
  };

  if (maxInsns !== Number.MAX_SAFE_INTEGER) tl.setReplayBreak(maxInsns);
  const started = performance.now();
  let stop: Stop | null = null;
  try {
    while (interrupted === null) {
      const op = tl.continueForward();
      let r = op.next();
      while (!r.done) {
        await out.flush();
        if (performance.now() - lastCheckpoint >= checkpointMs) checkpoint();
        await new Promise((resolve) => setImmediate(resolve)); // let input, output and signals run
        if (interrupted !== null) { op.return(undefined as unknown as Stop); break; }
        r = op.next();
      }
      await out.flush();
      if (r.done !== true) break;
      stop = r.value;
      if (stop.cause.kind !== 'idle') break;
      if (tl.pendingInputLength > 0) continue;
      if (inputEnded) break;
      // The guest waits for input: everything so far goes to disk while it waits.
      checkpoint();
      if (stream.isPaused()) stream.resume();
      await new Promise<void>((resolve) => { wake = resolve; });
      if (tl.pendingInputLength <= INPUT_HIGH_WATER / 2 && stream.isPaused() && !inputEnded) stream.resume();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    stream.pause();
    if (stream !== process.stdin) stream.destroy();
  }

  try {
    file.finish(tl);
  } catch (err) {
    file.close();
    process.stderr.write(`rewind record: cannot write '${values.output}': ${describeFsError(err)}\n`);
    return 1;
  }
  const why = interrupted !== null ? `interrupted by ${interrupted}`
    : stop === null ? 'stopped'
    : stop.cause.kind === 'exit' ? `the guest exited with ${stop.cause.code}`
    : stop.cause.kind === 'replay-break' ? '--max-insns reached'
    : stop.cause.kind === 'idle' ? 'the guest waits for input and the input ended'
    : stop.cause.kind === 'divergence' ? stop.cause.message : stop.cause.kind;
  process.stderr.write(`rewind record: ${why}; wrote ${values.output}: ${tl.frontier} instructions, ${tl.log.length} input events, ${file.bytes} bytes\n`);
  if (values.stats) {
    const seconds = (performance.now() - started) / 1000;
    const mips = seconds > 0 ? tl.frontier / seconds / 1e6 : 0;
    const maxrss = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stderr.write(`rewind record: stats: icount=${tl.frontier} time=${seconds.toFixed(3)}s mips=${mips.toFixed(1)} maxrss=${maxrss}MiB\n`);
  }
  if (interrupted !== null) return 130;
  if (stop?.cause.kind === 'divergence') return 1;
  return stop?.cause.kind === 'exit' ? stop.cause.code & 0xff : 0;
}

const usageError = (message: string): number => argsUsageError('record', message);
