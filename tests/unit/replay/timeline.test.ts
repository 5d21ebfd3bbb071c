import { describe, expect, it } from 'vitest';
import { encode } from '../../../src/isa';
import { Timeline, complete, EventKind, toReplayFile, timelineFromReplay, type LiveInputs } from '../../../src/replay';
import { randomProgram } from './randomProgram';
import { fullStateHash, straightRun } from './reference';

const RAM = 64 * 1024;
const live: LiveInputs = { rtcNanoseconds: () => 1e15, seedEntropy: () => 0x1234 };

function image(words: number[]) {
  const data = new Uint8Array(new Uint32Array(words).buffer);
  return { entry: 0x80000000, segments: [{ addr: 0x80000000, data, memSize: data.length }] };
}

/** Counts a0 up forever, storing it to 0x80004000 each time. */
function counterLoop() {
  return image([
    encode('lui', { rd: 8, uimm20: 0x80004 }),
    encode('addi', { rd: 10, rs1: 10, imm12: 1 }),
    encode('sw', { rs2: 10, rs1: 8, simm12: 0 }),
    encode('jal', { rd: 0, jimm: -8 }),
  ]);
}

/** Polls the UART until a byte arrives, echoes it, stores it at 0x80004000+n, repeats. */
function echoLoop() {
  return image([
    encode('lui', { rd: 8, uimm20: 0x80004 }),
    encode('lui', { rd: 9, uimm20: 0x10000 }),
    encode('lbu', { rd: 5, rs1: 9, imm12: 5 }), // LSR
    encode('andi', { rd: 5, rs1: 5, imm12: 1 }),
    encode('beq', { rs1: 5, rs2: 0, bimm: -8 }),
    encode('lbu', { rd: 6, rs1: 9, imm12: 0 }), // RBR
    encode('sb', { rs2: 6, rs1: 9, simm12: 0 }), // THR
    encode('sb', { rs2: 6, rs1: 8, simm12: 0 }),
    encode('addi', { rd: 8, rs1: 8, imm12: 1 }),
    encode('jal', { rd: 0, jimm: -28 }),
  ]);
}

describe('timeline', () => {
  it('keeps seeks exact after thinning snapshots under a small memory budget', () => {
    const prog = randomProgram(21, { bodyLength: 80, iterations: 60 });
    const tl = new Timeline(prog, { ramSize: RAM, snapshotInterval: 1000, live, memoryBudget: 1 });
    complete(tl.continueForward());
    const end = tl.frontier;
    expect(tl.snapshots.count).toBeLessThan(end / 1000);
    const samples = new Set([0, 1, 999, 1000, 1001, 2500, Math.floor(end / 2), end - 1, end]);
    const ref = straightRun(tl.image, tl.log, RAM, end, samples);
    for (const t of [...samples].reverse()) {
      complete(tl.seek(t));
      expect(fullStateHash(tl.machine)).toEqual(ref.hashes.get(t));
    }
  });

  it('inserts a pinned snapshot mid-interval and keeps it through thinning', () => {
    const tl = new Timeline(counterLoop(), { ramSize: RAM, snapshotInterval: 1000, live, memoryBudget: 1 });
    tl.setReplayBreak(5000);
    complete(tl.continueForward());
    complete(tl.seek(2345));
    const pinned = tl.pinSnapshot();
    expect(pinned).toMatchObject({ icount: 2345, pinned: true });
    tl.setReplayBreak(20000);
    complete(tl.continueForward());
    expect(tl.snapshots.list.some((s) => s.icount === 2345)).toBe(true);
    complete(tl.seek(2400));
    expect(tl.machine.x[10]).toBe(Math.floor((2400 - 5) / 3)); // 6 reset-ROM instructions, then lui; addi/sw/jal
    complete(tl.seek(1999));
    expect(tl.machine.x[10]).toBe(Math.floor((1999 - 5) / 3));
  });

  it('logs debugger writes at the frontier, replays them, and refuses them in the past', () => {
    const tl = new Timeline(counterLoop(), { ramSize: RAM, snapshotInterval: 1000, live });
    tl.setReplayBreak(1500);
    complete(tl.continueForward());
    tl.writeRegister(10, 1_000_000);
    tl.writeMemory(0x80004100, new Uint8Array([9, 8, 7]));
    tl.setReplayBreak(3000);
    complete(tl.continueForward());
    const expectA0 = 1_000_000 + Math.floor((3000 - 1500) / 3);
    expect(tl.machine.x[10]).toBe(expectA0);
    expect(tl.log.countKind(EventKind.RegWrite)).toBe(1);
    expect(tl.log.countKind(EventKind.MemWrite)).toBe(1);
    complete(tl.seek(1499));
    expect(() => tl.writeRegister(10, 5)).toThrow(/cannot change registers in the past/);
    expect(() => tl.writeMemory(0x80004100, new Uint8Array([1]))).toThrow(/in the past/);
    complete(tl.seek(1500));
    expect(tl.machine.x[10]).toBe(1_000_000);
    expect([...tl.machine.readMemory(0x80004100, 3)]).toEqual([9, 8, 7]);
    complete(tl.seek(3000));
    expect(tl.machine.x[10]).toBe(expectA0);
    const rp = timelineFromReplay(toReplayFile(tl));
    complete(rp.seek(3000));
    expect(fullStateHash(rp.machine)).toEqual(fullStateHash(tl.machine));
    expect(() => rp.writeRegister(10, 1)).toThrow(/replays a recording/);
  });

  it('stops idle when the guest waits for input, takes typed input at the frontier and replays it', () => {
    const tl = new Timeline(echoLoop(), { ramSize: RAM, snapshotInterval: 1000, live });
    tl.setReplayBreak(200);
    expect(complete(tl.continueForward()).cause.kind).toBe('replay-break');
    tl.sendInput([...'hi'].map((c) => c.charCodeAt(0)));
    tl.setReplayBreak(600);
    expect(complete(tl.continueForward()).icount).toBe(600);
    tl.sendInput([0x21]);
    tl.setReplayBreak(1200);
    expect(complete(tl.continueForward()).icount).toBe(1200);
    expect(tl.output.textBefore(Infinity)).toBe('hi!');
    expect(tl.log.countKind(EventKind.UartRx)).toBe(3);
    expect(tl.infoReplay()).toMatchObject({ mode: 'recording', icount: 1200 });
    complete(tl.seek(100));
    expect(tl.infoReplay().text).toBe("Replaying execution 'session': instruction count = 100");
    expect(tl.output.textBefore(100)).toBe('');
    complete(tl.seek(1200));
    expect([...tl.machine.readMemory(0x80004000, 3)]).toEqual([0x68, 0x69, 0x21]);
    expect(tl.output.length).toBe(3); // replay does not duplicate output
  });

  it('returns to the start position when a reverse continue is cancelled', () => {
    const tl = new Timeline(counterLoop(), { ramSize: RAM, snapshotInterval: 1000, live, sliceInstructions: 100 });
    tl.setReplayBreak(50_000);
    complete(tl.continueForward());
    const before = fullStateHash(tl.machine);
    tl.watchpoints = [{ addr: 0x80004000, len: 4, kind: 'read' }]; // never read: replays everything
    const op = tl.reverseContinue();
    for (let k = 0; k < 5; k++) expect(op.next().done).toBe(false);
    op.return(undefined as never);
    expect(tl.icount).toBe(50_000);
    expect(fullStateHash(tl.machine)).toEqual(before);
  });

  it('reports the end of the log going forward in a replay-only session', () => {
    const tl = new Timeline(counterLoop(), { ramSize: RAM, snapshotInterval: 1000, live });
    tl.setReplayBreak(4321);
    complete(tl.continueForward());
    const rp = timelineFromReplay(toReplayFile(tl));
    expect(complete(rp.continueForward())).toMatchObject({ icount: 4321, cause: { kind: 'end-of-log' } });
    expect(complete(rp.step())).toMatchObject({ icount: 4321, cause: { kind: 'end-of-log' } });
    expect(complete(rp.reverseStep())).toMatchObject({ icount: 4320, cause: { kind: 'step' } });
    expect(complete(rp.step())).toMatchObject({ icount: 4321, cause: { kind: 'step' } });
    expect(rp.infoReplay().mode).toBe('replaying');
  });

  it('stays exact past 2^32 instructions', () => {
    const start = 2 ** 32 - 500;
    const tl = new Timeline(counterLoop(), { ramSize: RAM, snapshotInterval: 1000, live });
    tl.machine.icount = start; // as if it had already run that long
    tl.setReplayBreak(2 ** 32 + 2500);
    expect(complete(tl.continueForward())).toMatchObject({ icount: 2 ** 32 + 2500, cause: { kind: 'replay-break' } });
    expect(tl.snapshots.list.map((s) => s.icount)).toContain(2 ** 32 + 704);
    const straight = new Timeline(counterLoop(), { ramSize: RAM, snapshotInterval: 1000, live });
    straight.machine.icount = start;
    for (const t of [2 ** 32 + 1234, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1]) {
      complete(tl.seek(t));
      expect(tl.icount).toBe(t);
      if (straight.icount > t) continue;
      straight.setReplayBreak(t);
      complete(straight.continueForward());
    }
    complete(tl.seek(2 ** 32 + 2000));
    straight.setReplayBreak(2 ** 32 + 2000);
    complete(straight.continueForward());
    expect(fullStateHash(tl.machine)).toEqual(fullStateHash(straight.machine));
    expect(tl.machine.x[10]).toBe(Math.floor((2 ** 32 + 2000 - start - 5) / 3));
  });
});
