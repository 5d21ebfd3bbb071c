// The protocol session: turns gdb's packets into calls on a GdbTarget and replies. Pure: bytes
// come in through receive(), go out through the `write` callback, and long operations run in
// slices through poll(), so a transport can read the interrupt byte between slices.
import {
  PacketReader, escapeBinary, framePacket, type ReaderEvent, fromHex, hexToText, le32Hex, parseHexNumber,
  parseLe32Hex, runLengthEncode, textToHex, toHex,
} from './packet';
import {
  EFAULT, EINVAL, ENOSPC, GdbError, SIGTRAP, type GdbJob, type GdbStop, type GdbTarget, type ResumeKind,
} from './target';
import { targetXml } from './targetXml';
import { runMonitorCommand } from './monitor';

export interface StubOptions {
  /** The PacketSize advertised in qSupported (bytes of packet data gdb may send). */
  packetSize?: number;
  /** Diagnostics for the server's operator (refused writes, bad packets). */
  log?: (line: string) => void;
  /**
   * Whether the transport holds as much unsent output as it should: receive() then stops
   * reading (backpressure on a client that sends requests without reading the replies).
   */
  outputFull?: () => boolean;
}

export type PollResult = 'idle' | 'working' | 'waiting';
/** How a session ended: gdb killed or detached, or the stub dropped a misbehaving client. */
export type SessionEnd = 'kill' | 'detach' | 'drop';

const DEFAULT_PACKET_SIZE = 0x4000;
const THREAD_ID = '01';
/** Errors for malformed requests. */
const E_MALFORMED = 'E01';
const E_CHECKSUM = 'E02';
const E_TOO_LONG = `E${ENOSPC.toString(16).padStart(2, '0')}`;
/** Packets kept while a job runs (gdb sends none then; a client that floods them is dropped). */
const MAX_PENDING = 32;

interface RunningJob {
  gen: GdbJob;
  /** How to answer when it ends: a stop reply, or the end of a monitor command. */
  kind: 'resume' | 'monitor';
  /** The target's position when the job started. */
  from: number;
}

export class GdbStub {
  readonly packetSize: number;
  private readonly reader: PacketReader;
  private readonly log: (line: string) => void;
  private readonly outputFull: () => boolean;
  private ackMode = true;
  private lastSent: string | null = null;
  private job: RunningJob | null = null;
  private interruptRequested = false;
  /** Packets that arrived while a job ran (gdb sends none in all-stop mode, but never lose one). */
  private readonly pending: string[] = [];
  private lastStop: GdbStop = { signal: SIGTRAP };
  private gdbSupports = new Set<string>();
  private xml: string | null = null;
  private endedAs: SessionEnd | null = null;
  /**
   * The target's position at the last stop gdb was told of: gdb caches the registers of that
   * stop, so when a monitor command moves the target, gdb's view is stale until the next stop.
   */
  private shownPosition: number;
  /** Called once when the session ends (the transport closes the connection). */
  onEnd: ((how: SessionEnd) => void) | null = null;

  constructor(private readonly target: GdbTarget, private readonly write: (data: string) => void, options: StubOptions = {}) {
    this.packetSize = options.packetSize ?? DEFAULT_PACKET_SIZE;
    // A little slack over PacketSize for the command letters around the data.
    this.reader = new PacketReader(this.packetSize + 64);
    this.log = options.log ?? (() => {});
    this.outputFull = options.outputFull ?? (() => false);
    target.attach();
    this.shownPosition = target.position();
  }

  get ended(): SessionEnd | null { return this.endedAs; }
  get running(): boolean { return this.job !== null; }
  get noAckMode(): boolean { return !this.ackMode; }
  /** Bytes produced by decoding gdb's packets so far (run-length bombs produce none). */
  get decodedBytes(): number { return this.reader.decodedBytes; }

  /**
   * Bytes from gdb (latin1). Returns how many were read: fewer than given when the output is
   * full (see StubOptions.outputFull); the transport offers the rest again once it drained.
   */
  receive(chunk: string): number {
    let i = 0;
    while (i < chunk.length && !this.endedAs && !this.outputFull()) {
      i = this.reader.feed(chunk, i, (ev) => { this.onEvent(ev); return false; });
    }
    return this.endedAs ? chunk.length : i;
  }

  private onEvent(ev: ReaderEvent): void {
    switch (ev.kind) {
      case 'ack': break;
      case 'nack':
        if (this.lastSent !== null) this.write(this.lastSent);
        break;
      case 'interrupt':
        if (this.job) this.interruptRequested = true;
        break;
      case 'bad-checksum':
        this.log('gdb: packet with a bad checksum');
        if (this.ackMode) this.write('-');
        else this.reply(E_CHECKSUM);
        break;
      case 'oversized':
        this.log(ev.decodedLength > ev.length
          ? `gdb: packet of ${ev.length} bytes expands to ${ev.decodedLength} (run-length encoding), more than PacketSize ${this.packetSize}`
          : `gdb: packet of ${ev.length} bytes exceeds PacketSize ${this.packetSize}`);
        this.ack();
        this.reply(E_TOO_LONG);
        break;
      case 'overlong':
        this.log(`gdb: a packet still without its end after ${ev.length} bytes; dropping the connection`);
        this.drop();
        break;
      case 'malformed':
        this.log('gdb: malformed packet (bad escape, run length or framing)');
        if (this.ackMode) this.write('-');
        else this.reply(E_MALFORMED);
        break;
      case 'packet':
        this.ack();
        if (!this.job) {
          this.dispatch(ev.data);
        } else if (this.pending.length < MAX_PENDING) {
          this.pending.push(ev.data);
        } else {
          this.log(`gdb: more than ${MAX_PENDING} packets while the target runs; dropping the connection`);
          this.drop();
        }
        break;
    }
  }

  /** Runs one slice of the current job, if any. */
  poll(): PollResult {
    const job = this.job;
    if (!job) return 'idle';
    let stop: GdbStop;
    if (this.interruptRequested) {
      this.interruptRequested = false;
      job.gen.return(undefined as never);
      stop = this.target.interrupted();
    } else {
      let r: IteratorResult<'working' | 'waiting', GdbStop>;
      try {
        r = job.gen.next();
      } catch (err) {
        this.job = null;
        this.log(`gdb: ${message(err)}`);
        if (job.kind === 'monitor') {
          this.reply('O' + textToHex(message(err) + '\n'));
          this.monitorDone(job.from);
        } else {
          this.reply(errorCode(err));
        }
        this.drainPending();
        return 'idle';
      }
      if (!r.done) return r.value;
      stop = r.value;
    }
    this.job = null;
    if (job.kind === 'resume') {
      this.lastStop = stop;
      if (stop.message) this.reply('O' + textToHex(stop.message + '\n'));
      this.reply(this.stopReply(stop));
      this.shownPosition = this.target.position();
    } else {
      if (stop.message) this.reply('O' + textToHex(stop.message + '\n'));
      this.monitorDone(job.from);
    }
    this.drainPending();
    return this.job ? 'working' : 'idle';
  }

  /** The connection is gone: abandon any running job and release the target. */
  connectionLost(): void {
    if (this.job) {
      this.job.gen.return(undefined as never);
      this.job = null;
    }
    if (!this.endedAs) this.end('detach');
  }

  // ---------------------------------------------------------------- plumbing

  private ack(): void {
    if (this.ackMode) this.write('+');
  }

  private reply(payload: string): void {
    const packet = framePacket(payload);
    this.lastSent = packet;
    this.write(packet);
  }

  /** Gives up on a client that does not speak the protocol; the transport closes the connection. */
  private drop(): void {
    if (this.job) {
      this.job.gen.return(undefined as never);
      this.job = null;
    }
    this.pending.length = 0;
    this.end('drop');
  }

  private end(how: SessionEnd): void {
    this.endedAs = how;
    this.target.detach();
    this.onEnd?.(how);
  }

  private drainPending(): void {
    while (!this.job && !this.endedAs && this.pending.length > 0) this.dispatch(this.pending.shift()!);
  }

  private startJob(kind: RunningJob['kind'], make: () => GdbJob): void {
    let gen: GdbJob;
    try {
      gen = make();
    } catch (err) {
      this.log(`gdb: ${message(err)}`);
      this.reply(errorCode(err));
      return;
    }
    this.job = { gen, kind, from: this.target.position() };
    this.interruptRequested = false;
  }

  private stopReply(stop: GdbStop): string {
    let s = `T${stop.signal.toString(16).padStart(2, '0')}thread:${THREAD_ID};`;
    const r = stop.reason;
    if (r) {
      switch (r.kind) {
        case 'swbreak':
        case 'hwbreak':
          // Only reported to a gdb that said it understands them (qSupported).
          if (this.gdbSupports.has(r.kind)) s += `${r.kind}:;`;
          break;
        case 'watch':
        case 'rwatch':
        case 'awatch':
          s += `${r.kind}:${(r.addr >>> 0).toString(16)};`;
          break;
        case 'replaylog':
          s += `replaylog:${r.end};`;
          break;
        case 'moved':
          // gdb takes a trap marked as a breakpoint, where it finds none, for a breakpoint
          // removed meanwhile ("delayed software breakpoint trap, ignoring"): it refetches the
          // registers and carries on with its command from there, as it would from a stop.
          if (this.gdbSupports.has('swbreak')) s += 'swbreak:;';
          else if (this.gdbSupports.has('hwbreak')) s += 'hwbreak:;';
          break;
      }
    }
    return s;
  }

  // ---------------------------------------------------------------- packets

  private dispatch(p: string): void {
    try {
      const answer = this.handle(p);
      if (answer !== null) this.reply(answer);
    } catch (err) {
      // gdb probes memory around the pc and the stack: unreadable addresses are routine.
      if (p[0] !== 'm') this.log(`gdb: '${printable(p)}': ${message(err)}`);
      this.reply(errorCode(err));
    }
  }

  /** The reply to packet `p`, or null when it sends none now (a job started, or the session ended). */
  private handle(p: string): string | null {
    const c = p[0];
    switch (c) {
      case '?':
        this.shownPosition = this.target.position();
        return this.stopReply(this.lastStop);
      case 'g':
        if (p.length !== 1) return E_MALFORMED;
        // gdb asks for all registers only when it has none cached: from now on it knows them.
        this.shownPosition = this.target.position();
        return this.readAllRegisters();
      case 'G': return this.writeAllRegisters(p.slice(1));
      case 'p': return this.readRegister(p.slice(1));
      case 'P': return this.writeRegister(p.slice(1));
      case 'm': return this.readMemory(p.slice(1));
      case 'M': return this.writeMemoryHex(p.slice(1));
      case 'X': return this.writeMemoryBinary(p.slice(1));
      case 'c': case 's': {
        const rest = p.slice(1);
        if (rest.length > 0 && !this.setPcFromResume(rest)) return E_MALFORMED;
        return this.resume(c === 'c' ? 'continue' : 'step');
      }
      case 'C': case 'S': {
        // The signal is ignored (a bare-metal machine has none to deliver), as QEMU does.
        const [sig, addr] = p.slice(1).split(';');
        if (parseHexNumber(sig ?? '', 2) === null) return E_MALFORMED;
        if (addr !== undefined && !this.setPcFromResume(addr)) return E_MALFORMED;
        return this.resume(c === 'C' ? 'continue' : 'step');
      }
      case 'b':
        if (p === 'bc') return this.resume('reverse-continue');
        if (p === 'bs') return this.resume('reverse-step');
        return '';
      case 'Z': case 'z': return this.breakpoint(c === 'Z', p.slice(1));
      case 'H': return /^[gcm](-1|[0-9a-fA-F]+|p[0-9a-fA-F]+\.(-1|[0-9a-fA-F]+))$/.test(p.slice(1)) ? 'OK' : E_MALFORMED;
      case 'T': return 'OK';
      case 'k':
        this.end('kill');
        return null;
      case 'D':
        this.reply('OK');
        this.end('detach');
        return null;
      case 'q': return this.query(p);
      case 'Q':
        if (p === 'QStartNoAckMode') {
          // The OK is still acknowledged by gdb; nothing after it is.
          this.reply('OK');
          this.ackMode = false;
          return null;
        }
        return '';
      case 'v': return this.vPacket(p);
      default: return '';
    }
  }

  private query(p: string): string | null {
    if (p.startsWith('qSupported')) {
      const features = p.startsWith('qSupported:') ? p.slice('qSupported:'.length).split(';') : [];
      this.gdbSupports = new Set(features.filter((f) => f.endsWith('+')).map((f) => f.slice(0, -1)));
      return [
        `PacketSize=${this.packetSize.toString(16)}`, 'qXfer:features:read+', 'ReverseStep+', 'ReverseContinue+',
        'swbreak+', 'hwbreak+', 'vContSupported+', 'QStartNoAckMode+',
      ].join(';');
    }
    if (p.startsWith('qXfer:features:read:')) return this.readFeatures(p.slice('qXfer:features:read:'.length));
    if (p.startsWith('qRcmd,')) {
      const command = hexToText(p.slice('qRcmd,'.length));
      if (command === null) return E_MALFORMED;
      return this.monitor(command);
    }
    switch (p) {
      case 'qAttached': return '1';
      case 'qC': return `QC${THREAD_ID}`;
      case 'qfThreadInfo': return `m${THREAD_ID}`;
      case 'qsThreadInfo': return 'l';
      case 'qOffsets': return 'Text=0;Data=0;Bss=0';
      case 'qSymbol::': return 'OK';
    }
    if (p.startsWith('qAttached:')) return '1';
    if (p.startsWith('qThreadExtraInfo,')) return textToHex('hart 0');
    return '';
  }

  private vPacket(p: string): string | null {
    if (p === 'vCont?') return 'vCont;c;C;s;S';
    if (p.startsWith('vCont;')) {
      const action = this.vContAction(p.slice('vCont;'.length));
      if (action === null) return E_MALFORMED;
      return this.resume(action);
    }
    if (p === 'vMustReplyEmpty') return '';
    if (p.startsWith('vKill')) {
      this.reply('OK');
      this.end('kill');
      return null;
    }
    return '';
  }

  /** The action of a vCont packet for our one thread (the first that applies to it). */
  private vContAction(list: string): ResumeKind | null {
    for (const item of list.split(';')) {
      const [action, thread] = item.split(':');
      if (thread !== undefined && !/^(-1|0*1|0|p[0-9a-fA-F]+\.(-1|0*1|0))$/.test(thread)) {
        if (!/^(-1|[0-9a-fA-F]+|p[0-9a-fA-F]+\.(-1|[0-9a-fA-F]+))$/.test(thread)) return null;
        continue; // another thread: not ours
      }
      if (action === 'c') return 'continue';
      if (action === 's') return 'step';
      if (action !== undefined && /^[CS][0-9a-fA-F]{2}$/.test(action)) return action[0] === 'C' ? 'continue' : 'step';
      return null;
    }
    return null;
  }

  private resume(kind: ResumeKind): string | null {
    // After a monitor command moved the target, gdb decided this resume from the registers of
    // its last stop: a continue may be stepping over a breakpoint that is not here (and has it
    // removed) or aim at a next pc computed from the old state. Its first instruction therefore
    // stops (see ResumeKind 'resync') and gdb continues from a state it knows. Steps and
    // reverse motions need no care: their result does not depend on what gdb believed.
    const stale = this.target.position() !== this.shownPosition;
    this.startJob('resume', () => this.target.resume(stale && kind === 'continue' ? 'resync' : kind));
    return null;
  }

  /** `c addr` / `s addr`: resume at addr (a pc write, so only where writes are allowed). */
  private setPcFromResume(text: string): boolean {
    const addr = parseHexNumber(text);
    if (addr === null) return false;
    this.target.writeRegister(32, addr);
    return true;
  }

  // ---------------------------------------------------------------- registers and memory

  private readAllRegisters(): string {
    let s = '';
    for (let n = 0; n < this.target.gRegisterCount; n++) s += le32Hex(this.target.readRegister(n));
    return runLengthEncode(s);
  }

  private writeAllRegisters(hex: string): string {
    const count = this.target.gRegisterCount;
    if (hex.length !== count * 8 || fromHex(hex) === null) return E_MALFORMED;
    for (let n = 0; n < count; n++) {
      const v = parseLe32Hex(hex.slice(n * 8, n * 8 + 8))!;
      // Only changed registers: an unchanged G in the past is harmless and gdb sends whole sets.
      if (v !== this.target.readRegister(n) >>> 0) this.target.writeRegister(n, v);
    }
    return 'OK';
  }

  private knownRegister(text: string): number | null {
    const n = parseHexNumber(text, 4);
    if (n === null || !this.target.registers.some((r) => r.regnum === n)) return null;
    return n;
  }

  private readRegister(text: string): string {
    const n = this.knownRegister(text);
    if (n === null) return E_MALFORMED;
    return le32Hex(this.target.readRegister(n));
  }

  private writeRegister(text: string): string {
    const eq = text.indexOf('=');
    if (eq < 0) return E_MALFORMED;
    const n = this.knownRegister(text.slice(0, eq));
    const v = parseLe32Hex(text.slice(eq + 1));
    if (n === null || v === null) return E_MALFORMED;
    this.target.writeRegister(n, v);
    return 'OK';
  }

  /** `addr,len` with a 32-bit address and a length up to `maxLen`, or null. */
  private addrLen(text: string, maxLen: number): { addr: number; len: number } | null {
    const parts = text.split(',');
    if (parts.length !== 2) return null;
    const addr = parseHexNumber(parts[0]!);
    const len = parseHexNumber(parts[1]!);
    if (addr === null || len === null || len > maxLen) return null;
    return { addr, len };
  }

  private readMemory(text: string): string {
    const a = this.addrLen(text, 0xffffffff);
    if (!a) return E_MALFORMED;
    // A reply holds at most PacketSize characters; gdb asks again for the rest.
    const len = Math.min(a.len, Math.floor(this.packetSize / 2) - 8, 0x100000000 - a.addr);
    if (len === 0) return '';
    return runLengthEncode(toHex(this.target.readMemory(a.addr, len)));
  }

  private writeMemoryHex(text: string): string {
    const colon = text.indexOf(':');
    if (colon < 0) return E_MALFORMED;
    const a = this.addrLen(text.slice(0, colon), this.packetSize);
    const data = fromHex(text.slice(colon + 1));
    if (!a || data === null || data.length !== a.len) return E_MALFORMED;
    return this.writeMemory(a.addr, data);
  }

  private writeMemoryBinary(text: string): string {
    const colon = text.indexOf(':');
    if (colon < 0) return E_MALFORMED;
    const a = this.addrLen(text.slice(0, colon), this.packetSize);
    const raw = text.slice(colon + 1);
    if (!a || raw.length !== a.len) return E_MALFORMED;
    const data = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) data[i] = raw.charCodeAt(i);
    return this.writeMemory(a.addr, data);
  }

  private writeMemory(addr: number, data: Uint8Array): string {
    if (data.length === 0) return 'OK'; // gdb's probe for X support
    if (addr + data.length > 0x100000000) throw new GdbError(EFAULT, 'write past the end of the address space');
    this.target.writeMemory(addr, data);
    return 'OK';
  }

  private breakpoint(insert: boolean, text: string): string {
    const parts = text.split(';')[0]!.split(',');
    if (parts.length !== 3) return E_MALFORMED;
    const type = parseHexNumber(parts[0]!, 1);
    const addr = parseHexNumber(parts[1]!);
    const kind = parseHexNumber(parts[2]!, 8);
    if (type === null || addr === null || kind === null) return E_MALFORMED;
    const t = this.target;
    switch (type) {
      case 0: case 1:
        if (insert) t.insertBreakpoint(type, addr, kind); else t.removeBreakpoint(type, addr, kind);
        return 'OK';
      case 2: case 3: case 4:
        if (kind === 0 || addr + kind > 0x100000000) return `E${EINVAL.toString(16)}`;
        if (insert) t.insertWatchpoint(type, addr, kind); else t.removeWatchpoint(type, addr, kind);
        return 'OK';
      default:
        return '';
    }
  }

  private readFeatures(args: string): string {
    const m = /^([^:]+):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(args);
    if (!m) return E_MALFORMED;
    if (m[1] !== 'target.xml') return 'E00';
    const offset = parseHexNumber(m[2]!);
    const length = parseHexNumber(m[3]!);
    if (offset === null || length === null) return E_MALFORMED;
    this.xml ??= targetXml(this.target.architecture, this.target.registers);
    if (offset >= this.xml.length) return 'l';
    // Escaping can double the size: keep the escaped chunk within the packet size.
    const budget = Math.max(1, Math.min(length, Math.floor((this.packetSize - 8) / 2)));
    const chunk = this.xml.slice(offset, offset + budget);
    return (offset + chunk.length >= this.xml.length ? 'l' : 'm') + escapeBinary(chunk);
  }

  // ---------------------------------------------------------------- monitor (qRcmd)

  private monitor(command: string): string | null {
    const from = this.target.position();
    let job: GdbJob | null;
    try {
      job = runMonitorCommand(command, this.target, (text) => this.print(text));
    } catch (err) {
      this.log(`gdb: monitor ${command}: ${message(err)}`);
      this.print(message(err) + '\n');
      job = null;
    }
    if (job === null) {
      this.monitorDone(from);
      return null;
    }
    this.job = { gen: job, kind: 'monitor', from };
    this.interruptRequested = false;
    return null;
  }

  /** Console output during a monitor command, in pieces that fit in a packet. */
  private print(text: string): void {
    const max = Math.floor((this.packetSize - 8) / 2);
    for (let i = 0; i < text.length; i += max) this.reply('O' + textToHex(text.slice(i, i + max)));
  }

  /** Ends a monitor command; says so when it moved the target away from what gdb shows. */
  private monitorDone(from: number): void {
    const now = this.target.position();
    if (now !== from && now !== this.shownPosition) {
      // No packet can make gdb drop the registers it cached at its last stop (in all-stop
      // mode a stop notification trips an assertion in gdb 13): say so where the user looks.
      this.print(`[at instruction count ${now}; gdb shows the registers of instruction count ${this.shownPosition} `
        + `until its next stop or 'maintenance flush register-cache'. stepi, continue and their reverse forms `
        + `start from ${now}; next, step and finish need gdb to know the registers first]\n`);
    }
    this.reply('OK');
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function errorCode(err: unknown): string {
  const code = err instanceof GdbError ? err.code : 1;
  return `E${code.toString(16).padStart(2, '0')}`;
}

function printable(p: string): string {
  const s = p.length > 60 ? p.slice(0, 60) + '...' : p;
  return s.replace(/[^\x20-\x7e]/g, '.');
}
