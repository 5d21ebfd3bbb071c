// `rewind replay FILE`: load a replay file, go to an instruction count, and show the state there.
import { Disassembler, REGISTERS } from '../isa';
import {
  ReplayFileError, REPLAY_MAGIC, REPLAY_MAX_BYTES, readReplayFile, recoveryNotice, timelineFromReplay, EVENT_KIND_NAMES,
  type ReplayFile, type Timeline,
} from '../replay';
import { makeSymbolizer } from '../elf';
import { describeFsError, FileLimitError, readFileBounded } from './files';
import { parseCommand, usageError as argsUsageError } from './args';
import { UartOutput } from './uartOutput';

const USAGE = `usage: rewind replay FILE [options]

Loads a replay file (written by 'rewind record', 'rewind gdbserver --save' or the web app),
replays it to an instruction count (default: the end of the log), checking the recorded
state hashes on the way, and prints 'info replay', pc and the registers there. A file whose
recording was cut (the recorder was killed) is read up to its last checkpoint, with a notice.

options:
  --seek N     replay to instruction count N (0 <= N <= the end of the log)
  --info       print what the file holds (name, log, end, exit) without replaying; with
               --seek, also replay to N and print 'info replay' there
  --output     print the guest's UART output up to that point (as it replays, UTF-8)
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

  let file: ReplayFile;
  let tl: Timeline;
  try {
    file = readReplayFile(readFileBounded(path, {
      limit: REPLAY_MAX_BYTES,
      what: 'a replay file',
      sniff: (head) => (new TextDecoder('latin1').decode(head.subarray(0, REPLAY_MAGIC.length)) === REPLAY_MAGIC
        ? { limit: REPLAY_MAX_BYTES, what: 'a replay file' }
        : `not a Rewind replay file (it does not start with "${REPLAY_MAGIC}")`),
    }));
    tl = timelineFromReplay(file, { outputLimit: 0 });
  } catch (err) {
    const fsCode = (err as { code?: unknown } | null)?.code;
    const msg = err instanceof Error ? err.message : String(err);
    if (!(err instanceof ReplayFileError || err instanceof FileLimitError || fsCode)) throw err;
    process.stderr.write(`rewind replay: ${fsCode ? `cannot read '${path}': ${describeFsError(err)}` : err instanceof FileLimitError ? msg : `${path}: ${msg}`}\n`);
    return 2;
  }
  if (file.recovered) process.stderr.write(`rewind replay: ${path}: ${recoveryNotice(file.recovered)}\n`);

  let target = tl.frontier;
  if (values.seek !== undefined) {
    target = Number(values.seek);
    if (!/^\d+$/.test(values.seek) || !Number.isSafeInteger(target)) return usageError(`--seek must be an instruction count, not '${values.seek}'`);
    if (target > tl.frontier) return usageError(`--seek ${target} is past the end of the log (${tl.frontier})`);
  }

  if (values.info) {
    const kinds = new Map<string, number>();
    for (let i = 0; i < file.log.length; i++) {
      const k = EVENT_KIND_NAMES[file.log.kindAt(i)];
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    const events = [...kinds].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
    process.stdout.write(`name: ${file.name}\nformat version: ${file.version}\nend of log: instruction count ${file.finalIcount}\n`
      + `input events: ${file.log.length} (${events})\nstate hashes: ${file.hashes.length + (file.initialHash ? 1 : 0)}\n`
      + `exit: ${file.exit ? `code ${file.exit.code}` : 'none recorded'}\n`
      + (file.recovered ? `recovered: ${recoveryNotice(file.recovered)}\n` : ''));
    if (values.seek === undefined) return 0;
  }

  const out = values.output ? new UartOutput(process.stdout, { utf8: true }) : null;
  if (out) {
    process.stdout.write(`--- UART output up to instruction count ${target} ---\n`);
    tl.onOutput = out.push;
  }
  const op = tl.seek(target);
  let r = op.next();
  while (!r.done) {
    if (out) await out.flush();
    r = op.next();
  }
  if (out) {
    await out.end();
    process.stdout.write(`${out.total > 0 ? '\n' : ''}--- end of UART output ---\n`);
  }
  const stop = r.value;
  process.stdout.write(`${tl.infoReplay().text}\n`);
  if (stop.cause.kind === 'divergence') {
    process.stderr.write(`rewind replay: ${stop.cause.message}\n`);
    return 1;
  }
  if (values.info) return 0;

  const symbolize = makeSymbolizer(file.symbols.map((s) => ({ name: s.name, value: s.value, size: s.size, type: 'func' as const, binding: 'global' as const, section: 1 })));
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
  for (const reg of REGISTERS) {
    const v = m.x[reg.number]! >>> 0;
    lines.push(`${reg.abi.padEnd(5)} 0x${hex(v)}  ${String(m.x[reg.number])}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function hex(v: number): string { return (v >>> 0).toString(16).padStart(8, '0'); }

const usageError = (message: string): number => argsUsageError('replay', message);
