// The Node transport of the stub (src/cli/gdbserver.ts) with real TCP clients on loopback:
// backpressure on a client that does not read its replies, and a client that never ends a
// packet. Bounds are checked in bytes the server held, never in time.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startGdbServer, type GdbServer } from '../../../src/cli/gdbserver';
import { OVERLONG_PACKET, decodeBody, framePacket, toHex } from '../../../src/gdb';
import { recordingTimeline } from './harness';
import { watchProgram } from './program';

const servers: GdbServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function server(options: Parameters<typeof startGdbServer>[1] = {}): Promise<GdbServer> {
  const s = await startGdbServer(recordingTimeline(watchProgram()), { port: 0, log: () => {}, ...options });
  servers.push(s);
  return s;
}

/** A raw protocol client: packets out, reply payloads in (no-ack mode after hello()). */
class Client {
  private buf = '';
  private waiter: (() => void) | null = null;
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('error', () => {}); // a dropped client sees ECONNRESET or EPIPE
    this.closed = new Promise((r) => socket.once('close', () => r()));
  }

  static async open(port: number): Promise<Client> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new Client(socket);
  }

  /** Starts reading (a Socket without a 'data' listener reads nothing). */
  read(): void {
    this.socket.on('data', (d: string) => {
      this.buf += d;
      this.waiter?.();
    });
  }

  /** The next `n` reply payloads, in order (acks skipped). */
  async replies(n: number): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      for (;;) {
        const start = this.buf.indexOf('$');
        const end = start < 0 ? -1 : this.buf.indexOf('#', start);
        if (end < 0 || this.buf.length < end + 3) break;
        out.push(this.buf.slice(start + 1, end));
        this.buf = this.buf.slice(end + 3);
        if (out.length === n) return out;
      }
      await new Promise<void>((r) => { this.waiter = r; });
      this.waiter = null;
    }
  }

  send(payloads: string[]): void {
    this.socket.write(payloads.map(framePacket).join(''), 'latin1');
  }

  async hello(): Promise<void> {
    this.read();
    this.send(['QStartNoAckMode']);
    expect(await this.replies(1)).toEqual(['OK']);
  }
}

/** Deterministic bytes that run-length encoding cannot shrink. */
function noise(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 0x2545f491;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('gdbserver transport over TCP', () => {
  it('listens on loopback only unless told otherwise', async () => {
    const s = await server();
    const addr = s.server.address();
    expect(typeof addr === 'object' && addr !== null ? addr.address : addr).toBe('127.0.0.1');
  });

  it('stops reading a client that floods requests without reading the replies; what it holds stays bounded', async () => {
    let onPause!: () => void;
    const paused = new Promise<void>((r) => { onPause = r; });
    const s = await server({ onFlowControl: (state) => { if (state === 'paused') onPause(); } });
    const c = await Client.open(s.port);
    await c.hello();
    // 8 KiB of incompressible data at 0x80002000, so every read reply is a full 16 KiB packet.
    const data = noise(0x2000);
    c.send([`M80002000,1000:${toHex(data.subarray(0, 0x1000))}`, `M80003000,1000:${toHex(data.subarray(0x1000))}`]);
    expect(await c.replies(2)).toEqual(['OK', 'OK']);

    // Stop reading, then ask for 24 MiB of replies: far more than the kernel's socket buffers.
    c.socket.pause();
    const count = 1500;
    const len = 0x1ff8; // the most one reply carries with PacketSize 0x4000
    c.send(Array.from({ length: count }, () => `m80002000,${len.toString(16)}`));
    await paused;
    const limit = 256 * 1024;
    expect(s.stats.peakOutputBuffered).toBeLessThan(limit);
    expect(s.stats.peakInputHeld).toBeLessThan(limit);

    // Reading again, every request is answered, in order, and the bounds held throughout.
    c.socket.resume();
    const replies = await c.replies(count);
    const expected = toHex(data.subarray(0, len));
    expect(replies.filter((r) => decodeBody(r) === expected)).toHaveLength(count);
    expect(s.stats.pauses).toBeGreaterThanOrEqual(1);
    expect(s.stats.peakOutputBuffered).toBeLessThan(limit);
    expect(s.stats.peakInputHeld).toBeLessThan(limit);
    c.socket.destroy();
  }, 120_000);

  it('drops a client whose packet never ends, and serves the next one', async () => {
    const s = await server();
    const bad = await Client.open(s.port);
    bad.socket.write('$');
    const chunk = 'a'.repeat(0x10000);
    // Sending stops when the server closes the connection (or once far past its limit).
    let sent = 0;
    let closed = false;
    void bad.closed.then(() => { closed = true; });
    while (!closed && sent < 4 * OVERLONG_PACKET) {
      if (!bad.socket.write(chunk)) await Promise.race([new Promise((r) => bad.socket.once('drain', r)), bad.closed]);
      sent += chunk.length;
    }
    await bad.closed;
    expect(s.stats.peakInputHeld).toBeLessThan(256 * 1024);

    const good = await Client.open(s.port);
    await good.hello();
    good.send(['?']);
    expect(await good.replies(1)).toEqual(['T05thread:01;']);
    good.socket.destroy();
  }, 60_000);
});
