// `rewind gdbserver PROGRAM|RUN.rwd`: the GDB remote stub over TCP. Recording a new run of an
// ELF or replaying a replay file; gdb drives it as it drives QEMU's record/replay gdbstub.
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import { Timeline, ReplayFileError, recoveryNotice, timelineFromReplay, toReplayFile, writeReplayFile, type ReplayExtras } from '../replay';
import { hostInputs, loadProgram, ProgramError } from './program';
import { EXIT_USAGE, openInput, parseCommand, usageError as argsUsageError } from './args';
import { GdbStub, TimelineTarget, framePacket, type SessionEnd } from '../gdb';

export { EXIT_USAGE };

const USAGE = `usage: rewind gdbserver PROGRAM|RUN.rwd [options]

Serves PROGRAM (an RV32 ELF: a new recording) or RUN.rwd (a replay file: replay only) to
gdb over the GDB remote protocol, with reverse execution:

  gdb-multiarch PROGRAM -ex 'target remote :1234'
  (gdb) break main / continue / reverse-stepi / reverse-continue / watch VAR
  (gdb) monitor info replay | replay_break N | replay_delete_break | replay_seek N | help

PROGRAM may also be assembly source (.s/.S), assembled as 'rewind asm' does (for symbols in
gdb, give gdb the ELF from 'rewind asm'). The guest's UART output goes to stdout. 'kill' in gdb stops the server; 'detach' leaves it
listening for the next debugger (one at a time).

options:
  --port N         TCP port (default 1234; 0 picks a free one, printed on stderr)
  --host ADDR      address to listen on (default 127.0.0.1, loopback only)
  --input FILE|-   UART input for the recording from FILE, or '-' for stdin
  --save FILE      write the recording as a replay file when the server stops
  --name NAME      the recording's name in 'info replay' (default: the program's file name)
  -h, --help       show this help
`;

export interface GdbServerOptions {
  host?: string;
  port?: number;
  /** Operator messages (connections, refused requests). */
  log?: (line: string) => void;
  /** Whether UART input may still arrive (see TimelineTargetOptions.inputOpen). */
  inputOpen?: () => boolean;
  /** Called when the server stops reading a client that does not read its replies, and resumes. */
  onFlowControl?: (state: 'paused' | 'resumed') => void;
}

/** What the transport held at most, over all connections (bounded by design; tests check it). */
export interface GdbServerStats {
  /** Reply bytes waiting in the socket for a client to read them. */
  peakOutputBuffered: number;
  /** Received bytes not yet read by the protocol layer. */
  peakInputHeld: number;
  /** Times reading stopped until the client had read its replies. */
  pauses: number;
}

export interface GdbServer {
  readonly server: Server;
  /** The port it listens on (useful with port 0). */
  readonly port: number;
  /** Resolves when gdb kills the session (the server is closed then) or close() is called. */
  readonly finished: Promise<SessionEnd | 'closed'>;
  readonly stats: GdbServerStats;
  close(): Promise<void>;
}

/** Time a transport slice may run before it lets the socket be read (the interrupt byte). */
const SLICE_MS = 30;
const WAIT_POLL_MS = 10;
/**
 * Reply bytes a client may leave unread before the server stops reading its requests (one
 * reply is at most PacketSize, 16 KiB). Above Node's default writable high-water mark, so a
 * 'drain' event always follows.
 */
const OUTPUT_HIGH_WATER = 64 * 1024;

/** Serves `timeline` to one gdb at a time until gdb kills it. */
export async function startGdbServer(timeline: Timeline, options: GdbServerOptions = {}): Promise<GdbServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const target = new TimelineTarget(timeline, options.inputOpen ? { inputOpen: options.inputOpen } : {});
  let active: Socket | null = null;
  const sockets = new Set<Socket>();
  let resolveFinished!: (how: SessionEnd | 'closed') => void;
  const finished = new Promise<SessionEnd | 'closed'>((r) => { resolveFinished = r; });
  const stats: GdbServerStats = { peakOutputBuffered: 0, peakInputHeld: 0, pauses: 0 };
  const flow: FlowOptions = { stats, ...(options.onFlowControl ? { onFlowControl: options.onFlowControl } : {}) };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    if (active) {
      refuse(socket, log);
      return;
    }
    active = socket;
    log(`rewind gdbserver: debugger connected from ${socket.remoteAddress}:${socket.remotePort}`);
    serve(socket, target, log, flow, (how) => {
      if (active === socket) active = null;
      if (how === 'kill') {
        log('rewind gdbserver: killed by the debugger');
        void closeAll().then(() => resolveFinished('kill'));
      } else if (how === 'drop') {
        log('rewind gdbserver: dropped a client that does not follow the protocol; waiting for the next one');
      } else {
        log('rewind gdbserver: debugger left; waiting for the next one');
      }
    });
  });

  const closeAll = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 1234, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    server, port, finished, stats,
    close: async () => {
      if (server.listening) await closeAll();
      resolveFinished('closed');
    },
  };
}

/** A second debugger gets a clear error for its first packet, then the connection closes. */
function refuse(socket: Socket, log: (line: string) => void): void {
  log(`rewind gdbserver: refused a second debugger from ${socket.remoteAddress}:${socket.remotePort} (one is already connected)`);
  socket.on('data', (data: string) => {
    if (data.includes('#')) {
      socket.end('+' + framePacket('E.Rewind gdbserver: another debugger is already connected; only one at a time'));
    }
  });
  setTimeout(() => socket.destroy(), 5000).unref();
}

interface FlowOptions {
  stats: GdbServerStats;
  onFlowControl?: (state: 'paused' | 'resumed') => void;
}

/**
 * Runs a stub over one connection: socket bytes in, stub output out, jobs in slices between
 * reads. A client that does not read its replies is not read either: once OUTPUT_HIGH_WATER
 * bytes wait in the socket, the stub stops taking requests and the socket stops reading until
 * it drains, so TCP holds the client back instead of the server's memory growing.
 */
function serve(socket: Socket, target: TimelineTarget, log: (line: string) => void, flow: FlowOptions, onDone: (how: SessionEnd) => void): void {
  const { stats } = flow;
  let closed = false;
  const write = (data: string): void => {
    if (closed) return;
    socket.write(data, 'latin1');
    stats.peakOutputBuffered = Math.max(stats.peakOutputBuffered, socket.writableLength);
  };
  const stub = new GdbStub(target, write, { log, outputFull: () => socket.writableLength >= OUTPUT_HIGH_WATER });
  let scheduled = false;
  let done = false;
  /** Received bytes the stub has not read yet: at most about one chunk, as reading stops meanwhile. */
  let held = '';
  let paused = false;
  const finish = (how: SessionEnd): void => {
    if (done) return;
    done = true;
    onDone(how);
  };
  stub.onEnd = (how) => {
    if (how === 'drop') socket.destroy(); else socket.end();
    finish(how);
  };
  const pump = (): void => {
    scheduled = false;
    if (closed) return;
    const deadline = performance.now() + SLICE_MS;
    let r = stub.poll();
    while (r === 'working' && performance.now() < deadline) r = stub.poll();
    if (r === 'working') schedule(0);
    else if (r === 'waiting') schedule(WAIT_POLL_MS);
  };
  const schedule = (ms: number): void => {
    if (scheduled) return;
    scheduled = true;
    if (ms === 0) setImmediate(pump); else setTimeout(pump, ms);
  };
  const readHeld = (): void => {
    if (closed) return;
    held = held.slice(stub.receive(held));
    if (held.length > 0 && !paused && !closed) {
      paused = true;
      stats.pauses++;
      socket.pause();
      flow.onFlowControl?.('paused');
      socket.once('drain', () => {
        paused = false;
        if (closed) return;
        socket.resume();
        flow.onFlowControl?.('resumed');
        readHeld();
      });
    }
    if (stub.running) schedule(0);
  };
  socket.on('data', (data: string) => {
    held += data;
    stats.peakInputHeld = Math.max(stats.peakInputHeld, held.length);
    if (!paused) readHeld();
  });
  socket.on('close', () => {
    closed = true;
    held = '';
    // A client that disconnects mid-command: abandon the job, keep the timeline usable.
    stub.connectionLost();
    finish(stub.ended ?? 'detach');
  });
}

// ---------------------------------------------------------------------------------- CLI

export async function gdbserverCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('gdbserver', args, {
    port: { type: 'string', default: '1234' },
    host: { type: 'string', default: '127.0.0.1' },
    input: { type: 'string' },
    save: { type: 'string' },
    name: { type: 'string' },
  }, USAGE, 'PROGRAM');
  if (typeof parsed === 'number') return parsed;
  const { values, path } = parsed;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !/^\d+$/.test(values.port)) return usageError(`--port must be 0..65535, not '${values.port}'`);

  let timeline: Timeline;
  let inputOpen = (): boolean => false;
  /** What --save writes besides the timeline. */
  let extras: ReplayExtras;
  try {
    const program = await loadProgram(path, 128 * 1024 * 1024);
    extras = { symbols: program.symbols, source: program.source };
    if (program.replay) {
      if (values.input !== undefined) return usageError('--input is for recordings; a replay file brings its own input');
      timeline = timelineFromReplay(program.replay, values.name !== undefined ? { name: values.name } : {});
      if (program.replay.recovered) process.stderr.write(`rewind gdbserver: ${basename(path)}: ${recoveryNotice(program.replay.recovered)}\n`);
    } else {
      timeline = new Timeline(program.image, { name: values.name ?? basename(path), live: hostInputs() });
    }
  } catch (err) {
    if (err instanceof ProgramError || err instanceof ReplayFileError) {
      process.stderr.write(`rewind gdbserver: ${err instanceof ReplayFileError ? `${basename(path)}: ` : ''}${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }

  if (values.input !== undefined) {
    const stream = await openInput('gdbserver', values.input);
    if (typeof stream === 'number') return stream;
    let open = true;
    inputOpen = () => open;
    stream.on('data', (chunk: Buffer | string) => {
      timeline.sendInput(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    });
    stream.on('end', () => { open = false; });
    stream.on('error', (err) => {
      open = false;
      process.stderr.write(`rewind gdbserver: --input: ${err.message}\n`);
    });
  }
  timeline.onOutput = (byte) => { process.stdout.write(Buffer.of(byte)); };

  let server: GdbServer;
  try {
    server = await startGdbServer(timeline, { host: values.host, port, inputOpen });
  } catch (err) {
    process.stderr.write(`rewind gdbserver: cannot listen on ${values.host}:${port}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const mode = timeline.replayOnly ? `replaying '${timeline.name}' (${timeline.frontier} instructions)` : `recording '${timeline.name}'`;
  process.stderr.write(`rewind gdbserver: ${mode}; listening on ${values.host}:${server.port}\n`);
  const stopOnSignal = (): void => { void server.close(); };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  await server.finished;
  process.off('SIGINT', stopOnSignal);
  process.off('SIGTERM', stopOnSignal);
  if (values.save !== undefined) {
    try {
      await writeFile(values.save, writeReplayFile(toReplayFile(timeline, extras)));
      process.stderr.write(`rewind gdbserver: wrote the recording (${timeline.frontier} instructions) to ${values.save}\n`);
    } catch (err) {
      process.stderr.write(`rewind gdbserver: cannot write '${values.save}': ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
  }
  return 0;
}

const usageError = (message: string): number => argsUsageError('gdbserver', message);
