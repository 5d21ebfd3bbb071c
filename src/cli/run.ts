// `rewind run PROGRAM`: run a program on the virt machine with the UART on stdin/stdout.
import type { Readable } from 'node:stream';
import { Machine, type StopReason } from '../core';
import { hostInputs, loadProgram, ProgramError } from './program';
import { EXIT_USAGE, openInput, parseCommand, usageError as argsUsageError } from './args';
import { UartOutput } from './uartOutput';
import { Disassembler } from '../isa';

export { EXIT_USAGE };
/** --max-insns reached (the convention of timeout(1)). */
export const EXIT_LIMIT = 124;

const USAGE = `usage: rewind run PROGRAM [options]

Runs PROGRAM (an RV32 ELF executable, or assembly source .s/.S, assembled first) on
Rewind's QEMU-compatible virt machine.
The UART's output goes to stdout as the guest writes it; its input comes from stdin or
--input. The exit status is the guest's (SiFive test device), or:
  ${EXIT_USAGE}    usage error, unreadable file or malformed ELF
  ${EXIT_LIMIT}  --max-insns reached before the guest exited

options:
  --input FILE|-   UART input from FILE, or '-' for stdin (the default)
  --max-insns N    stop after N instructions
  --stats          print the instruction count, time and MIPS to stderr at the end
  --trace          print 'icount pc disassembly' to stderr for every instruction
  -h, --help       show this help
`;

/** Instructions per run() call; between calls output is flushed and input delivered. */
const SLICE = 2_000_000;
const TRACE_SLICE = 10_000;

export async function runCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('run', args, {
    input: { type: 'string' },
    'max-insns': { type: 'string' },
    stats: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
  }, USAGE, 'PROGRAM');
  if (typeof parsed === 'number') return parsed;
  const { values, path } = parsed;
  let maxInsns: number | undefined;
  if (values['max-insns'] !== undefined) {
    maxInsns = Number(values['max-insns']);
    if (!Number.isSafeInteger(maxInsns) || maxInsns < 0) return usageError(`--max-insns must be a non-negative integer, not '${values['max-insns']}'`);
  }

  const machine = new Machine({ input: hostInputs() });
  let program;
  try {
    program = await loadProgram(path, machine.ramSize);
    if (program.replay) throw new ProgramError(`'${path}' is a replay file; use 'rewind replay'`);
  } catch (err) {
    process.stderr.write(`rewind run: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_USAGE;
  }
  machine.load(program.image);

  const inputStream = await openInput('run', values.input ?? '-');
  if (typeof inputStream === 'number') return inputStream;

  const input = new InputQueue(inputStream);
  const output = new UartOutput(process.stdout);
  machine.onUartTx = output.push;
  const tracer = values.trace ? new Tracer(machine, program.symbolize) : undefined;
  const started = performance.now();
  const stop = await runLoop(machine, input, output, tracer, maxInsns);
  await output.flush();
  tracer?.flush();
  input.close();
  const seconds = (performance.now() - started) / 1000;

  let status: number;
  let stopText: string;
  switch (stop.kind) {
    case 'exit':
      status = stop.code & 0xff; // what the host shell sees, as with QEMU's exit(code)
      stopText = `exit(${stop.code})`;
      break;
    case 'limit':
      process.stderr.write(`rewind: stopped after ${machine.icount} instructions (--max-insns)\n`);
      status = EXIT_LIMIT;
      stopText = 'max-insns';
      break;
    case 'idle':
      process.stderr.write(`rewind: the guest waits for input and the input has ended (after ${machine.icount} instructions)\n`);
      status = 0;
      stopText = 'idle';
      break;
    default:
      process.stderr.write(`rewind: unexpected stop '${stop.kind}' at icount ${machine.icount}\n`);
      status = 70;
      stopText = stop.kind;
  }
  if (values.stats) {
    const mips = seconds > 0 ? machine.icount / seconds / 1e6 : 0;
    process.stderr.write(`rewind: stats: icount=${machine.icount} time=${seconds.toFixed(3)}s mips=${mips.toFixed(1)} stop=${stopText}\n`);
  }
  return status;
}

async function runLoop(machine: Machine, input: InputQueue, output: UartOutput, tracer: Tracer | undefined, maxInsns: number | undefined): Promise<StopReason> {
  const slice = tracer ? TRACE_SLICE : SLICE;
  for (;;) {
    input.deliver(machine);
    const target = maxInsns === undefined ? machine.icount + slice : Math.min(machine.icount + slice, maxInsns);
    const stop = tracer ? tracer.run(target) : machine.run(target);
    await output.flush();
    tracer?.flush();
    switch (stop.kind) {
      case 'exit':
        return stop;
      case 'limit':
        if (maxInsns !== undefined && machine.icount >= maxInsns) return stop;
        await new Promise((resolve) => setImmediate(resolve)); // let stdin and stdout events run
        break;
      case 'idle':
        // Waiting for a UART byte: deliver one if we have it, wait for more, or give up.
        if (input.pending > 0 && machine.uartRxSpace() > 0) break;
        if (input.ended || machine.uartRxSpace() === 0) return stop;
        await input.waitForData();
        break;
      default:
        return stop; // no breakpoints or watchpoints are set, so this is not expected
    }
  }
}

const usageError = (message: string): number => argsUsageError('run', message);

/** UART bytes from a stream, handed to the RX FIFO whenever it has space (as QEMU's chardevs do). */
class InputQueue {
  private chunks: Buffer[] = [];
  private offset = 0;
  pending = 0;
  ended = false;
  private wake: (() => void) | null = null;
  private static readonly HIGH_WATER = 1 << 16;

  constructor(private readonly stream: Readable) {
    stream.on('data', (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      this.chunks.push(buf);
      this.pending += buf.length;
      if (this.pending > InputQueue.HIGH_WATER) stream.pause();
      this.notify();
    });
    const finish = (): void => {
      this.ended = true;
      this.notify();
    };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', (err) => {
      process.stderr.write(`rewind: input error: ${err.message}\n`);
      finish();
    });
  }

  deliver(machine: Machine): void {
    while (this.pending > 0 && machine.uartRxSpace() > 0) {
      const chunk = this.chunks[0] as Buffer;
      if (!machine.uartReceive(chunk[this.offset] as number)) break;
      this.pending--;
      if (++this.offset === chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    if (this.pending < InputQueue.HIGH_WATER / 2 && this.stream.isPaused() && !this.ended) this.stream.resume();
  }

  waitForData(): Promise<void> {
    if (this.pending > 0 || this.ended) return Promise.resolve();
    if (this.stream.isPaused()) this.stream.resume();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  close(): void {
    this.stream.pause();
    if (this.stream !== process.stdin) this.stream.destroy();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** --trace: runs one instruction at a time and prints `icount pc disassembly` to stderr. */
class Tracer {
  private lines: string[] = [];
  private lastIcount = -1;
  private readonly disasm: Disassembler;

  constructor(private readonly machine: Machine, symbolize: (addr: number) => string | undefined) {
    this.disasm = new Disassembler({ symbolize });
  }

  run(target: number): StopReason {
    const m = this.machine;
    for (;;) {
      if (m.icount >= target) return { kind: 'limit' };
      if (m.icount !== this.lastIcount) {
        this.lastIcount = m.icount;
        this.lines.push(`${m.icount} ${m.pc.toString(16).padStart(8, '0')} ${this.instructionText(m.pc)}`);
      }
      const stop = m.run(m.icount + 1);
      if (stop.kind !== 'limit') return stop;
    }
  }

  flush(): void {
    if (this.lines.length === 0) return;
    process.stderr.write(`${this.lines.join('\n')}\n`);
    this.lines = [];
  }

  private instructionText(pc: number): string {
    try {
      const lo = this.machine.readMemory(pc, 2);
      let word = (lo[0] ?? 0) | ((lo[1] ?? 0) << 8);
      if ((word & 3) === 3) {
        const hi = this.machine.readMemory(pc + 2, 2);
        word = (word | ((hi[0] ?? 0) << 16) | ((hi[1] ?? 0) << 24)) >>> 0;
      }
      return this.disasm.disassemble(word, pc).replace(/\t/g, ' ');
    } catch (err) {
      if (err instanceof RangeError) return '(no memory at pc)';
      throw err;
    }
  }
}
