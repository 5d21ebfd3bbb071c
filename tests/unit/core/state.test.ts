import { describe, expect, it } from 'vitest';
import { Machine, RAM_BASE } from '../../../src/core';
import * as E from './enc';
import { boot, li, step } from './enc';

const HANDLER = RAM_BASE + 0x400;
/** A busy program: a store loop over two pages, UART output, timer interrupts every 3 mtime ticks. */
function busy(): Machine {
  const main = [
    ...li(8, RAM_BASE + 0x3000), ...li(20, 0x10000000), ...li(21, 0x2004000),
    E.addi(5, 0, 3), E.sw(5, 21, 0), E.sw(0, 21, 4),
    E.addi(7, 0, 0x80), E.csrrs(0, 0x304, 7), E.csrrsi(0, 0x300, 8),
    // loop:
    E.sw(9, 8, 0), E.addi(9, 9, 3), E.addi(8, 8, 4), E.andi(10, 9, 0x3f), E.bne(10, 0, 8), E.sb(9, 20, 0),
    E.lui(11, 0x2000), E.and(12, 8, 11), E.beq(12, 0, -32), ...li(8, RAM_BASE + 0x3000), E.jal(0, -44),
  ];
  const handler = [E.lw(5, 21, 0), E.addi(5, 5, 3), E.sw(5, 21, 0), E.addi(22, 22, 1), E.mret()];
  const m = boot(main);
  m.writeMemory(HANDLER, E.assemble(handler));
  m.writeCsr(0x305, HANDLER);
  return m;
}

describe('saveState / restoreState', () => {
  it('run N, save, run M, restore, run M again -> identical state and RAM', () => {
    const m = busy();
    const tx: number[] = [];
    m.onUartTx = (b) => tx.push(b);
    m.run(50_000);
    const saved = m.saveState();
    const ram = m.ram.slice();
    const txAt = tx.length;
    m.run(120_000);
    const after = m.saveState();
    const ramAfter = m.ram.slice();
    const txAfter = tx.slice(txAt);
    expect(m.x[22]).toBeGreaterThan(100);   // interrupts happened
    m.restoreState(saved);
    m.ram.set(ram);
    expect(m.icount).toBe(50_000);
    tx.length = txAt;
    m.run(120_000);
    expect(m.saveState()).toEqual(after);
    expect(Buffer.compare(m.ram, ramAfter)).toBe(0);
    expect(tx.slice(txAt)).toEqual(txAfter);
  });
  it('restoring into a fresh machine reproduces the run', () => {
    const a = busy();
    a.run(30_000);
    const b = new Machine({ ramSize: 1 << 20 });
    b.restoreState(a.saveState());
    b.ram.set(a.ram);
    a.run(90_000);
    b.run(90_000);
    expect(b.saveState()).toEqual(a.saveState());
    expect(Buffer.compare(a.ram, b.ram)).toBe(0);
  });
  it('the armed timer deadline is state: a restore between the mtimecmp write and the interrupt keeps its phase', () => {
    // mtimecmp = 13 written at position ~1047 (mtime 10): QEMU's deadline is ~1047 + 300, not 1300.
    const code = [...li(21, 0x2004000), E.addi(5, 0, 13), E.sw(5, 21, 0), E.addi(7, 0, 0x80), E.csrrs(0, 0x304, 7),
      E.csrrsi(0, 0x300, 8), E.jal(0, 0)];
    const a = boot(code);
    a.writeMemory(HANDLER, E.assemble([E.jal(0, 0)]));
    a.writeCsr(0x305, HANDLER);
    a.icount = 1040;
    a.run(1100);
    const b = new Machine({ ramSize: 1 << 20 });
    b.restoreState(a.saveState());
    b.ram.set(a.ram);
    const firstHandlerAt = (m: Machine): number => {
      while (m.pc !== HANDLER) m.run(m.icount + 1);
      return m.icount;
    };
    const at = firstHandlerAt(a);
    expect(at % 100).not.toBe(0);
    expect(at).toBeGreaterThan(1300);
    expect(at).toBeLessThan(1400);
    expect(firstHandlerAt(b)).toBe(at);
  });
  it('restore after writing RAM in the other order still runs the restored code (decode cache)', () => {
    const a = boot([E.addi(5, 5, 1), E.jal(0, -4)]);
    a.run(100);
    const st = a.saveState();
    const ram = a.ram.slice();
    const b = boot([E.addi(5, 5, 2), E.jal(0, -4)]);
    b.run(100);
    b.restoreState(st);
    b.ram.set(ram);
    b.run(200);
    a.run(200);
    expect(b.x[5]).toBe(a.x[5]);
  });
  it('is small and rejects malformed input without changing anything', () => {
    const m = busy();
    m.run(1000);
    const st = m.saveState();
    expect(st.length).toBeLessThan(4096);
    const before = m.saveState();
    expect(() => m.restoreState(st.subarray(0, st.length - 8))).toThrow(RangeError);
    expect(() => m.restoreState(new Uint8Array(7))).toThrow(RangeError);
    const bad = st.slice();
    new Float64Array(bad.buffer)[0] = 1;
    expect(() => m.restoreState(bad)).toThrow(RangeError);
    const other = new Machine({ ramSize: 2 << 20 });
    expect(() => other.restoreState(st)).toThrow(RangeError);
    expect(m.saveState()).toEqual(before);
  });
});

describe('dirty and exec page tracking', () => {
  it('guest stores, debugger writes and load mark dirty pages; clearDirtyPages resets', () => {
    const m = boot([...li(8, RAM_BASE + 0x5800), ...li(9, RAM_BASE + 0x8000), E.sw(0, 8, 0), E.sb(0, 8, 0x7ff), E.sw(0, 8, 0x7fe), E.sh(0, 9, -1), E.jal(0, 0)]);
    expect(m.dirtyPages[0]).toBe(1);   // the loaded code
    expect([...m.dirtyPages].reduce((a, b) => a + b, 0)).toBe(1);
    m.clearDirtyPages();
    m.run(6 + 8);
    const dirty = [...m.dirtyPages.keys()].filter((p) => m.dirtyPages[p]);
    expect(dirty).toEqual([5, 6, 7, 8]);   // the misaligned sw and sh cross page boundaries
    m.clearDirtyPages();
    m.writeMemory(RAM_BASE + 0x9ffe, new Uint8Array(4));
    expect([...m.dirtyPages.keys()].filter((p) => m.dirtyPages[p])).toEqual([9, 10]);
  });
  it('execPages marks pages instructions were fetched from, not data pages', () => {
    const m = boot([...li(8, RAM_BASE + 0x2000), ...li(9, RAM_BASE + 0x3000), E.jalr(0, 8, 0)]);
    m.writeMemory(RAM_BASE + 0x2000, E.assemble([E.lw(18, 9, 0), E.jal(0, 0)]));
    m.clearExecPages();
    m.run(6 + 6);
    expect(m.readCsr(0x342)).toBe(0);
    expect([...m.execPages.keys()].filter((p) => m.execPages[p])).toEqual([0, 2]);
    m.clearExecPages();
    m.run(6 + 8);
    expect([...m.execPages.keys()].filter((p) => m.execPages[p])).toEqual([2]);
  });
});

describe('instruction count', () => {
  it('stops at exact targets; running in pieces equals running at once', () => {
    const a = busy(), b = busy();
    a.run(77_777);
    for (const t of [10, 11, 500, 501, 6000, 33_333, 77_777]) {
      expect(b.run(t).kind).toBe('limit');
      expect(b.icount).toBe(t);
    }
    expect(b.saveState()).toEqual(a.saveState());
  });
  it('is exact past 2^31 and 2^32 (timer and counters follow)', () => {
    const m = boot([E.addi(18, 18, 1), E.jal(0, -4)]);
    m.icount = 2 ** 32 - 3;
    expect(m.run(2 ** 32 + 10).kind).toBe('limit');
    expect(m.icount).toBe(2 ** 32 + 10);
    expect(m.x[18]).toBe(7);
    expect(m.readCsr(0xc80)).toBe(1);
    expect(m.readCsr(0xc00)).toBe(10);
    m.icount = 2 ** 33 + 2 ** 31 - 5;
    expect(m.run(2 ** 33 + 2 ** 31 + 1).kind).toBe('limit');
    expect(m.icount).toBe(2 ** 33 + 2 ** 31 + 1);
    expect(m.x[18]).toBe(10);
    expect(m.readCsr(0xc80)).toBe(2);
  });
  it('every instruction counts, trapping ones included; a run to the current icount does nothing', () => {
    const m = boot([0xffffffff]);
    m.writeCsr(0x305, HANDLER);
    m.writeMemory(HANDLER, E.assemble([E.jal(0, 0)]));
    m.run(7);
    expect(m.pc).toBe(HANDLER);
    expect(m.icount).toBe(7);
    expect(m.run(7).kind).toBe('limit');
    expect(m.icount).toBe(7);
    expect(m.run(3).kind).toBe('limit');
    expect(m.icount).toBe(7);
  });
  it('step by step equals a long run', () => {
    const a = busy(), b = busy();
    for (let i = 0; i < 3000; i++) step(b);
    a.run(b.icount);
    expect(b.saveState()).toEqual(a.saveState());
  });
});
