// `rewind replay FILE`: load a replay file, go to an instruction count, and show the state there.
import { Disassembler, REGISTERS } from '../isa';
import { ReplayFileError, REPLAY_MAGIC, REPLAY_MAX_BYTES, readReplayFile, timelineFromReplay, EVENT_KIND_NAMES, type Timeline } from '../replay';
import { makeSymbolizer } from '../elf';
import { describeFsError } from './program';
import { FileLimitError, readFileBounded } from './files';
import { EXIT_USAGE, parseCommand, usageError as argsUsageError } from './args';

const USAGE = `usage: rewind replay FILE [options]

Loads a replay file (written by 'rewind record', 'rewind gdbserver --save' or the web app),
replays it to an instruction count (default: the end of the log), checking the recorded
state hashes on the way, and prints 'info replay', pc and the registers there.

options:
  --seek N     replay to instruction count N (0 <= N <= the end of the log)
  --info       print only what the file holds (name, size of the log, end, exit) and info replay
  --output     also print the guest's UART output up to that point
  -h, --help   show this help

Exit status: 0, 1 if the replay diverges from the recording, 2 for a bad file or argument.
`;

export async function replayCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('replay', args, {
    seek: { type: 'string' },
    info: { type: 'boolean', default: false },
    output: { type: 'boolean', default: false },
  }, USAGE, 'FILE');
  if (typeof parsed === 'number') return parsed;
  const { values, path } = parsed;

  let tl: Timeline;
  let symbolize: (addr: number) => string | undefined;
  try {
    const file = readReplayFile(readFileBounded(path, {
      limit: REPLAY_MAX_BYTES,
      what: 'a replay file',
      sniff: (head) => (new TextDecoder('latin1').decode(head.subarray(0, REPLAY_MAGIC.length)) === REPLAY_MAGIC
        ? { limit: REPLAY_MAX_BYTES, what: 'a replay file' }
        : `not a Rewind replay file (it does not start with "${REPLAY_MAGIC}")`),
    }));
    tl = timelineFromReplay(file);
    symbolize = makeSymbolizer(file.symbols.map((s) => ({ name: s.name, value: s.value, size: s.size, type: 'func' as const, binding: 'global' as const, section: 1 })));
  } catch (err) {
    const msg = err instanceof ReplayFileError || err instanceof Error ? err.message : String(err);
    const fsCode = (err as { code?: unknown } | null)?.code;
    process.stderr.write(`rewind replay: ${fsCode ? `cannot read '${path}': ${describeFsError(err)}` : err instanceof FileLimitError ? msg : `${path}: ${msg}`}\n`);
    return EXIT_USAGE;
  }

  let target = tl.frontier;
  if (values.seek !== undefined) {
    target = Number(values.seek);
    if (!/^\d+$/.test(values.seek) || !Number.isSafeInteger(target)) return usageError(`--seek must be an instruction count, not '${values.seek}'`);
    if (target > tl.frontier) return usageError(`--seek ${target} is past the end of the log (${tl.frontier})`);
  }

  if (values.info) {
    const kinds = new Map<string, number>();
    for (const e of tl.log.events()) kinds.set(EVENT_KIND_NAMES[e.kind], (kinds.get(EVENT_KIND_NAMES[e.kind]) ?? 0) + 1);
    const events = [...kinds].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
    process.stdout.write(`name: ${tl.name}\nend of log: instruction count ${tl.frontier}\ninput events: ${tl.log.length} (${events})\n`
      + `state hashes: ${tl.expectedHashes.size}\nexit: ${tl.exit ? `code ${tl.exit.code}` : 'none recorded'}\n`);
  }

  const op = tl.seek(target);
  let r = op.next();
  while (!r.done) r = op.next();
  const stop = r.value;
  process.stdout.write(`${tl.infoReplay().text}\n`);
  if (stop.cause.kind === 'divergence') {
    process.stderr.write(`rewind replay: ${stop.cause.message}\n`);
    return 1;
  }
  if (values.info) return 0;

  const m = tl.machine;
  const dis = new Disassembler({ symbolize });
  let insn = '(no instruction)';
  try {
    const b = m.readMemory(m.pc, 4);
    insn = dis.disassemble((b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0, m.pc).replace(/\t/g, ' ');
  } catch { /* pc outside memory: the next step would fault */ }
  const sym = symbolize(m.pc);
  process.stdout.write(`pc 0x${hex(m.pc)}${sym ? ` <${sym}>` : ''}: ${insn}\n`);
  const lines: string[] = [];
  for (const r of REGISTERS) {
    const v = m.x[r.number]! >>> 0;
    lines.push(`${r.abi.padEnd(5)} 0x${hex(v)}  ${String(m.x[r.number])}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.output) process.stdout.write(`--- UART output up to instruction count ${target} ---\n${tl.output.textBefore(target)}`);
  return 0;
}

function hex(v: number): string { return (v >>> 0).toString(16).padStart(8, '0'); }

const usageError = (message: string): number => argsUsageError('replay', message);
