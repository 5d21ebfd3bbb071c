// Drives a GdbStub in-process (no sockets) the way gdb does: framed packets in, acks and
// packets out, jobs run to their end.
import { readElf } from '../../../src/elf';
import { GdbStub, TimelineTarget, checksum, framePacket, hexToText, textToHex, type StubOptions } from '../../../src/gdb';
import { Timeline, readReplayFile, timelineFromReplay, toReplayFile, writeReplayFile, complete, type LiveInputs } from '../../../src/replay';

/** Fixed live inputs: recordings in tests are reproducible. */
export const fixedInputs: LiveInputs = { rtcNanoseconds: () => 1_700_000_000_000_000_000, seedEntropy: () => 0x1234 };

export function recordingTimeline(elf: Uint8Array, name = 'test'): Timeline {
  return new Timeline(readElf(elf), { name, live: fixedInputs, snapshotInterval: 1000, sliceInstructions: 5000 });
}

/** A replay-only timeline of the complete run of `elf` (through a replay file, as a user gets it). */
export function replayTimeline(elf: Uint8Array, name = 'replay'): Timeline {
  const rec = recordingTimeline(elf, name);
  complete(rec.continueForward());
  const file = readReplayFile(writeReplayFile(toReplayFile(rec)));
  return timelineFromReplay(file, { sliceInstructions: 5000 });
}

export interface Output { acks: string; packets: string[] }

/** Splits stub output into acks and packet payloads, checking every checksum. */
export function parseOutput(out: string): Output {
  let acks = '';
  const packets: string[] = [];
  let i = 0;
  while (i < out.length) {
    const c = out[i]!;
    if (c === '+' || c === '-') { acks += c; i++; continue; }
    if (c !== '$') throw new Error(`unexpected byte ${JSON.stringify(c)} in stub output`);
    const hash = out.indexOf('#', i);
    if (hash < 0) throw new Error('unterminated packet in stub output');
    const body = out.slice(i + 1, hash);
    const sum = out.slice(hash + 1, hash + 3);
    if (parseInt(sum, 16) !== checksum(body)) throw new Error(`bad checksum in stub output: ${out.slice(i, hash + 3)}`);
    packets.push(body);
    i = hash + 3;
  }
  return { acks, packets };
}

export class StubClient {
  out = '';
  readonly stub: GdbStub;
  readonly logs: string[] = [];
  constructor(readonly target: TimelineTarget, options: StubOptions = {}) {
    this.stub = new GdbStub(target, (d) => { this.out += d; }, { log: (l) => this.logs.push(l), ...options });
    // What gdb 13 sends first.
    this.ask('qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+;exec-events+;vContSupported+;QThreadEvents+;no-resumed+');
  }

  get timeline(): Timeline { return this.target.timeline; }

  /** Sends raw bytes and runs any job to its end; returns what the stub wrote. */
  raw(bytes: string): Output {
    this.out = '';
    this.stub.receive(bytes);
    let guard = 0;
    while (this.stub.poll() !== 'idle') {
      if (++guard > 1_000_000) throw new Error('job never ended');
    }
    return parseOutput(this.out);
  }

  /** One request: the reply packets (console `O` packets included). */
  request(payload: string): string[] {
    return this.raw(framePacket(payload)).packets;
  }

  /** The single reply to a request. */
  ask(payload: string): string {
    const p = this.request(payload);
    if (p.length !== 1) throw new Error(`expected one reply to ${payload}, got ${JSON.stringify(p)}`);
    return p[0]!;
  }

  /** `monitor CMD`: its console text, checking the final OK. */
  monitor(command: string): string {
    const p = this.request(`qRcmd,${textToHex(command)}`);
    if (p[p.length - 1] !== 'OK') throw new Error(`monitor ${command}: ${JSON.stringify(p)}`);
    return p.slice(0, -1).map((o) => {
      if (!o.startsWith('O')) throw new Error(`monitor ${command}: unexpected packet ${o}`);
      return hexToText(o.slice(1))!;
    }).join('');
  }

  icount(): number {
    const m = /instruction count = (\d+)/.exec(this.monitor('info replay'));
    if (!m) throw new Error('no instruction count');
    return Number(m[1]);
  }

  pc(): number {
    const v = this.ask('p20');
    return parseInt(v.match(/../g)!.reverse().join(''), 16);
  }
}
