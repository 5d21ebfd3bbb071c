// Runs a program under qemu-system-riscv32 (virt, -bios none, -icount shift=0,sleep=off) and
// measures its exact instruction count.
//
// sleep=off: in a WFI, virtual time jumps exactly to the next timer deadline (QEMU's icount
// warp), which is what Rewind models. With the default sleep=on QEMU waits for the deadline
// in wall-clock time and then warps by the time that actually passed, so how far time moved
// depends on the host, and a program reading mtime after a WFI is not repeatable.
//
// Counting, method 1 (runQemuReplay, used for every example that reads no input): QEMU 7.2's
// SiFive test device calls exit() from the vCPU thread, so nothing can be asked after the
// guest exits. Instead QEMU runs in record mode (-icount ...,rr=record) with its gdbstub on a
// unix socket; we set a breakpoint on the exit store (`rt_exit_store` in the examples'
// crt0.S), continue, and at the stop ask `info replay` through the gdbstub's monitor command
// (qRcmd): "instruction count = N" is the number of instructions retired before the store.
// The store is one more (Rewind's count at the exit includes it). Then we remove the
// breakpoint and continue, and QEMU exits with the guest's status.
//
// Method 2 (runQemuTrace, for programs that read UART input): record mode does not deliver
// chardev input to a guest that idles in WFI (the recorded char-read event waits for a
// checkpoint that never comes), so those programs are run with -singlestep -d exec,nochain:
// every translation block is one instruction and QEMU logs each block it enters. Entered
// blocks that do not retire are logged too and are subtracted: "cpu_io_recompile: rewound"
// (an I/O access not at the end of its block is re-executed alone) and "Stopped execution
// of TB chain" (the icount budget or an interrupt request ended execution before the
// block's first instruction). QEMU exits inside the exit store, so the log ends with it.
// The first test checks that both methods agree on every example without input.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, closeSync, existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from './process';

export const QEMU = 'qemu-system-riscv32';

export function qemuAvailable(): boolean {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

export interface QemuRun {
  stdout: Buffer;
  exitCode: number | null;
  /** Instructions retired up to and including the exit store. */
  icount: number;
}

export async function runQemuReplay(elfPath: string, exitStore: number, inputPath: string | undefined, timeoutMs = 40_000): Promise<QemuRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-qemu-'));
  const sock = join(dir, 'gdb.sock');
  const stdin = inputPath === undefined ? 'ignore' : openSync(inputPath, 'r');
  const stdoutPath = join(dir, 'stdout');   // a file, not a pipe: see process.ts
  const stdout = openSync(stdoutPath, 'w');
  const child = spawn(QEMU, [
    '-M', 'virt', '-bios', 'none', '-nographic',
    '-icount', `shift=0,sleep=off,rr=record,rrfile=${join(dir, 'replay.bin')}`,
    '-serial', 'stdio', '-monitor', 'none',
    '-chardev', `socket,id=gdb0,path=${sock},server=on,wait=off`, '-gdb', 'chardev:gdb0', '-S',
    '-kernel', elfPath,
  ], { stdio: [stdin, stdout, 'pipe'] });
  if (typeof stdin === 'number') closeSync(stdin);
  closeSync(stdout);
  const err: Buffer[] = [];
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const killOnExit = (): void => { child.kill('SIGKILL'); };
  process.once('exit', killOnExit); // a test runner that gives up must not leave QEMU behind
  let gdb: GdbClient | undefined;
  try {
    gdb = await GdbClient.connect(sock, exited);
    expectReply(await gdb.request(`Z0,${exitStore.toString(16)},4`), 'OK', 'setting the breakpoint');
    const stop = await gdb.request('c');
    if (!stop.startsWith('T05')) throw new Error(`QEMU stopped with '${stop}' instead of at the exit breakpoint`);
    const info = await gdb.monitor('info replay');
    const m = /instruction count = (\d+)/.exec(info);
    if (!m) throw new Error(`unexpected 'info replay' answer: ${JSON.stringify(info)}`);
    const before = Number(m[1]);
    expectReply(await gdb.request(`z0,${exitStore.toString(16)},4`), 'OK', 'removing the breakpoint');
    gdb.send('c'); // QEMU exits when the store reaches the test device
    const exitCode = await exited;
    return { stdout: readFileSync(stdoutPath), exitCode, icount: before + 1 };
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${e instanceof Error ? e.message : String(e)}\nQEMU stderr: ${Buffer.concat(err).toString()}`, { cause: e });
  } finally {
    clearTimeout(timer);
    process.removeListener('exit', killOnExit);
    gdb?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectReply(reply: string, expected: string, what: string): void {
  if (reply !== expected) throw new Error(`QEMU gdbstub answered '${reply}' when ${what}`);
}

/** Just enough of the GDB remote serial protocol: packets, acks, qRcmd output. */
class GdbClient {
  private buf = '';
  private packets: string[] = [];
  private waiter: (() => void) | null = null;
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      this.buf += data;
      this.parse();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
  }

  /** Connects once QEMU's gdbstub answers. QEMU creates the socket before the gdbstub
   *  is attached to it; a connection made in between is dropped, so probe and retry. */
  static async connect(path: string, exited: Promise<number | null>): Promise<GdbClient> {
    let gone = false;
    void exited.then(() => { gone = true; });
    for (let attempt = 0; attempt < 200; attempt++) {
      if (gone) throw new Error('QEMU exited before its gdbstub accepted a connection');
      if (existsSync(path)) {
        const socket = await new Promise<Socket | undefined>((resolve) => {
          const s = connect(path, () => resolve(s));
          s.once('error', () => resolve(undefined));
        });
        if (socket !== undefined) {
          const client = new GdbClient(socket);
          client.send('?');
          const reply = await client.next(1000).catch(() => undefined);
          if (reply !== undefined) return client;
          client.close();
        }
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`QEMU's gdbstub on ${path} did not answer`);
  }

  send(payload: string): void {
    let sum = 0;
    for (let i = 0; i < payload.length; i++) sum = (sum + payload.charCodeAt(i)) & 0xff;
    this.socket.write(`$${payload}#${sum.toString(16).padStart(2, '0')}`, 'latin1');
  }

  async request(payload: string): Promise<string> {
    this.send(payload);
    return this.next();
  }

  /** `monitor CMD`: the console output (O packets) up to the final OK. */
  async monitor(command: string): Promise<string> {
    this.send(`qRcmd,${Buffer.from(command, 'latin1').toString('hex')}`);
    let text = '';
    for (;;) {
      const p = await this.next();
      if (p.startsWith('O') && p !== 'OK') text += Buffer.from(p.slice(1), 'hex').toString('latin1');
      else if (p === 'OK') return text;
      else throw new Error(`monitor ${command}: unexpected reply '${p}'`);
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private async next(timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = this.packets.shift();
      if (p !== undefined) return p;
      if (this.closed) throw new Error('gdbstub connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer from the gdbstub in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => { clearTimeout(timer); resolve(); };
      });
      this.waiter = null;
    }
  }

  private parse(): void {
    for (;;) {
      const start = this.buf.indexOf('$');
      if (start < 0) { this.buf = ''; break; }
      const hash = this.buf.indexOf('#', start);
      if (hash < 0 || this.buf.length < hash + 3) { this.buf = this.buf.slice(start); break; }
      this.packets.push(this.buf.slice(start + 1, hash));
      this.buf = this.buf.slice(hash + 3);
      this.socket.write('+');
    }
    this.waiter?.();
  }
}

/** Method 2 (see the top of this file): count the retired instructions in a single-step trace. */
export async function runQemuTrace(elfPath: string, inputPath: string | undefined, timeoutMs = 40_000): Promise<QemuRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-qemu-trace-'));
  const log = join(dir, 'exec.log');
  try {
    const { stdout, stderr, exitCode } = await runProcess(QEMU, ['-M', 'virt', '-bios', 'none', '-nographic', '-icount', 'shift=0,sleep=off',
      '-serial', 'stdio', '-monitor', 'none', '-singlestep', '-d', 'exec,nochain', '-D', log, '-kernel', elfPath], inputPath, timeoutMs,
      undefined, { stdoutToFile: true });
    if (exitCode === null) throw new Error(`QEMU did not finish in ${timeoutMs} ms\nQEMU stderr: ${stderr}`);
    let icount = 0;
    for (const line of readFileSync(log, 'latin1').split('\n')) {
      if (line.startsWith('Trace ')) icount++;
      else if (line.startsWith('cpu_io_recompile: rewound') || line.startsWith('Stopped execution of TB chain')) icount--;
    }
    return { stdout, exitCode, icount };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
