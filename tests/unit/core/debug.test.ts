import { describe, expect, it } from 'vitest';
import { RAM_BASE } from '../../../src/core';
import * as E from './enc';
import { boot, li, step } from './enc';

const D = RAM_BASE + 0x1000;

describe('breakpoints', () => {
  it('stop before the instruction at the address; the hit at the starting position is ignored', () => {
    const m = boot([E.addi(18, 18, 1), E.addi(19, 19, 1), E.jal(0, -8)]);
    m.setBreakpoints([RAM_BASE + 4]);
    expect(m.run(1000)).toEqual({ kind: 'breakpoint', pc: RAM_BASE + 4 });
    expect(m.icount).toBe(7);
    expect(m.x[18]).toBe(1);
    expect(m.x[19]).toBe(0);
    expect(m.run(1000)).toEqual({ kind: 'breakpoint', pc: RAM_BASE + 4 });
    expect(m.icount).toBe(10);
    expect(m.x[19]).toBe(1);
    m.setBreakpoints([]);
    expect(m.run(1000).kind).toBe('limit');
  });
  it('work in the reset ROM and on compressed instructions, with a target in between', () => {
    const m = boot([E.cNop(), E.cAddi(5, 1), E.jal(0, -4)]);
    m.setBreakpoints([RAM_BASE + 2]);
    expect(m.run(1000).kind).toBe('breakpoint');
    expect(m.icount).toBe(7);
    expect(m.run(8).kind).toBe('limit');
    expect(m.run(1000).kind).toBe('breakpoint');
    expect(m.icount).toBe(10);
    m.load({ entry: RAM_BASE, segments: [] });
    m.setBreakpoints([0x1008]);
    expect(m.run(100)).toEqual({ kind: 'breakpoint', pc: 0x1008 });
    expect(m.icount).toBe(2);
  });
  it('a breakpoint at the first handler instruction hits with the trap entered', () => {
    const m = boot([0xffffffff]);
    m.writeCsr(0x305, RAM_BASE + 0x100);
    m.writeMemory(RAM_BASE + 0x100, E.assemble([E.jal(0, 0)]));
    m.setBreakpoints([RAM_BASE + 0x100]);
    expect(m.run(100).kind).toBe('breakpoint');
    expect(m.icount).toBe(7);
    expect(m.readCsr(0x342)).toBe(2);
  });
});

describe('watchpoints', () => {
  const prog = (code: E.Insn[]) => {
    const m = boot([...li(8, D), E.addi(0, 0, 0), ...code, E.jal(0, 0)]);
    m.writeMemory(D, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]));
    m.run(8);
    return m;
  };
  it('write watch stops before the store: memory still old, icount at the store', () => {
    const m = prog([E.addi(5, 0, -1), E.lw(6, 8, 4), E.sw(5, 8, 4)]);
    m.setWatchpoints([{ addr: D + 4, len: 4, kind: 'write' }]);
    expect(m.run(100)).toEqual({ kind: 'watchpoint', addr: D + 4, size: 4, access: 'write', index: 0 });
    expect(m.icount).toBe(11);
    expect(m.pc).toBe(RAM_BASE + 20);
    expect([...m.readMemory(D + 4, 4)]).toEqual([5, 6, 7, 8]);
    expect(m.run(100).kind).toBe('limit');   // resuming from the hit executes the store
    expect([...m.readMemory(D + 4, 4)]).toEqual([255, 255, 255, 255]);
  });
  it('read watch: loads hit, stores do not; access watch: both', () => {
    const m = prog([E.sb(0, 8, 5), E.lbu(6, 8, 5)]);
    m.setWatchpoints([{ addr: D + 5, len: 1, kind: 'read' }]);
    expect(m.run(100)).toMatchObject({ kind: 'watchpoint', access: 'read', addr: D + 5, size: 1 });
    expect(m.icount).toBe(10);
    const m2 = prog([E.sb(0, 8, 5), E.lbu(6, 8, 5)]);
    m2.setWatchpoints([{ addr: D + 5, len: 1, kind: 'access' }]);
    expect(m2.run(100)).toMatchObject({ access: 'write' });
    expect(m2.icount).toBe(9);
    expect(m2.run(100)).toMatchObject({ access: 'read' });
    expect(m2.icount).toBe(10);
  });
  it('overlap rules: lengths 1..8, misaligned accesses that straddle the watch, neighbours do not hit', () => {
    const cases: [E.Insn, number, number, boolean][] = [
      [E.lw(6, 8, 0), D + 3, 1, true], [E.lw(6, 8, 0), D + 4, 1, false], [E.lw(6, 8, 1), D + 4, 1, true],
      [E.lh(6, 8, 3), D + 4, 8, true], [E.lh(6, 8, 2), D + 4, 8, false], [E.lb(6, 8, 11), D + 4, 8, true],
      [E.lb(6, 8, 12), D + 4, 8, false], [E.lw(6, 8, -2), D - 1, 2, true], [E.lhu(6, 8, 7), D, 8, true],
    ];
    for (const [insn, addr, len, hit] of cases) {
      const m = prog([insn]);
      m.setWatchpoints([{ addr: D + 100, len: 1, kind: 'write' }, { addr, len, kind: 'read' }]);
      const r = m.run(100);
      expect(r.kind, `${addr - D}/${len}`).toBe(hit ? 'watchpoint' : 'limit');
      if (hit) expect(r).toMatchObject({ index: 1 });
    }
  });
  it('AMOs count as read and write; nothing of the AMO happens before the stop', () => {
    for (const kind of ['read', 'write', 'access'] as const) {
      const m = prog([E.addi(5, 0, 9), E.amoadd(6, 5, 8)]);
      m.setWatchpoints([{ addr: D, len: 4, kind }]);
      const r = m.run(100);
      expect(r).toMatchObject({ kind: 'watchpoint', access: kind === 'read' ? 'read' : 'write' });
      expect(m.icount).toBe(10);
      expect(m.x[6]).toBe(0);
      expect([...m.readMemory(D, 4)]).toEqual([1, 2, 3, 4]);
    }
  });
  it('lr.w reads; sc.w writes only when its reservation matches', () => {
    const m = prog([E.lrw(6, 8), E.scw(7, 5, 8), E.scw(7, 5, 8)]);
    m.setWatchpoints([{ addr: D, len: 4, kind: 'access' }]);
    expect(m.run(100)).toMatchObject({ access: 'read' });
    expect(m.run(100)).toMatchObject({ access: 'write' });
    expect(m.icount).toBe(10);
    expect(m.run(100).kind).toBe('limit');   // the failing sc.w does not access memory
  });
  it('MMIO: a watched UART RBR read stops before the read pops the FIFO', () => {
    const m = boot([...li(8, 0x10000000), E.lbu(6, 8, 0), E.jal(0, 0)]);
    m.uartReceive(0x44);
    m.setWatchpoints([{ addr: 0x10000000, len: 1, kind: 'read' }]);
    expect(m.run(100).kind).toBe('watchpoint');
    expect(m.uartRxSpace()).toBe(0);
    expect(m.run(100).kind).toBe('limit');
    expect(m.x[6]).toBe(0x44);
    expect(m.uartRxSpace()).toBe(1);
  });
  it('a hit at the starting position is ignored (resuming from a watch stop)', () => {
    const m = prog([E.sw(0, 8, 0), E.sw(0, 8, 0)]);
    m.setWatchpoints([{ addr: D, len: 4, kind: 'write' }]);
    expect(m.run(100).kind).toBe('watchpoint');
    expect(m.icount).toBe(9);
    expect(m.run(100).kind).toBe('watchpoint');
    expect(m.icount).toBe(10);
  });
  it('rejects lengths outside 1..8', () => {
    const m = prog([]);
    expect(() => m.setWatchpoints([{ addr: D, len: 0, kind: 'read' }])).toThrow(RangeError);
    expect(() => m.setWatchpoints([{ addr: D, len: 9, kind: 'read' }])).toThrow(RangeError);
  });
  it('a faulting access still stops first (the fault happens when resuming)', () => {
    const m = prog([E.lw(6, 0, 0)]);
    m.setWatchpoints([{ addr: 0, len: 4, kind: 'read' }]);
    expect(m.run(100).kind).toBe('watchpoint');
    expect(m.readCsr(0x342)).toBe(0);
    step(m);
    expect(m.readCsr(0x342)).toBe(5);
  });
});
