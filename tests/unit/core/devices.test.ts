import { describe, expect, it } from 'vitest';
import { Machine, RAM_BASE } from '../../../src/core';
import * as E from './enc';
import { boot, fixedInput, li, step, u32 } from './enc';

const UART = 0x10000000, TEST = 0x100000, RTC = 0x101000;
const store = (addr: number, value: number, op = E.sw): E.Insn[] => [...li(5, addr), ...li(6, value), op(6, 5, 0)];
const load = (rd: number, addr: number, op = E.lw): E.Insn[] => [...li(5, addr), op(rd, 5, 0)];
const run = (code: E.Insn[], input?: ReturnType<typeof fixedInput>) => {
  const m = boot([...code, E.jal(0, 0)], input ? { input } : {});
  const tx: number[] = [];
  m.onUartTx = (b) => tx.push(b);
  const r = m.run(6 + code.length);
  return { m, tx, r };
};

describe('SiFive test device', () => {
  it('0x5555 exits with 0 and the exit sticks', () => {
    const { m, r } = run([...store(TEST, 0x5555), E.addi(9, 0, 1)]);
    expect(r).toEqual({ kind: 'exit', code: 0 });
    expect(m.exited).toBe(true);
    expect(m.x[9]).toBe(0);
    expect(m.icount).toBe(6 + 5);
    expect(m.run(1000)).toEqual({ kind: 'exit', code: 0 });
    expect(m.icount).toBe(11);
  });
  it('(code << 16) | 0x3333 exits with code', () => {
    expect(run(store(TEST, (42 << 16) | 0x3333)).r).toEqual({ kind: 'exit', code: 42 });
    expect(run(store(TEST, 0x3333)).r).toEqual({ kind: 'exit', code: 0 });
  });
  it('16-bit stores work; byte accesses fault (QEMU: min access size 2)', () => {
    expect(run(store(TEST, 0x5555, E.sh)).r).toEqual({ kind: 'exit', code: 0 });
    const { m } = run(store(TEST, 0x55, E.sb));
    expect(m.readCsr(0x342)).toBe(7);
    expect(run(load(9, TEST, E.lb)).m.readCsr(0x342)).toBe(5);
    expect(run(load(9, TEST, E.lw)).m.readCsr(0x342)).toBe(0);
  });
  it('other values are ignored; 0x7777 resets the machine (image reloaded, the clock runs on)', () => {
    expect(run(store(TEST, 0x1234)).r).toEqual({ kind: 'limit' });
    const m = boot([E.addi(9, 9, 1), ...store(RAM_BASE + 0x100, 7), ...store(TEST, 0x7777), E.jal(0, 0)]);
    m.writeMemory(RAM_BASE + 0x200, new Uint8Array([5]));
    m.run(6 + 11);
    expect(m.pc).toBe(0x1000);
    expect(m.x[9]).toBe(0);
    expect(m.icount).toBe(17);
    expect([...m.readMemory(RAM_BASE + 0x200, 1)]).toEqual([5]);   // RAM outside the image is kept
    m.run(17 + 6 + 1);
    expect(m.pc).toBe(RAM_BASE + 4);
    expect(m.x[9]).toBe(1);
  });
  it('0x7777: mtime starts again from 0 at the reset, mtimecmp is kept and re-armed (QEMU 7.2 aclint reset)', () => {
    const cmp = [...store(0x2004000, 30), ...store(0x2004004, 0)];
    const m = boot([...cmp, ...store(TEST, 0x7777), E.jal(0, 0)]);
    m.icount = 1050;
    const resetAt = 1050 + cmp.length + 5;   // the position after the reset store
    const word = (a: number) => new DataView(m.readMemory(a, 4).buffer).getUint32(0, true);
    m.run(resetAt);
    expect(m.pc).toBe(0x1000);
    expect(word(0x200bff8)).toBe(0);
    expect(word(0x2004000)).toBe(30);
    expect(m.readCsr(0xb00)).toBe(resetAt);   // mcycle runs on
    expect(m.readCsr(0x344) & 0x80).toBe(0);   // mtimecmp 30 > mtime 0
    const tick = (Math.floor(resetAt / 100) + 1) * 100;   // mtime counts whole ticks from the reset
    m.run(tick - 1);
    expect(word(0x200bff8)).toBe(0);
    m.run(tick);
    expect(word(0x200bff8)).toBe(1);
  });
});

describe('NS16550A UART', () => {
  it('THR writes go to onUartTx; LSR shows THRE|TEMT; reset values as QEMU', () => {
    const { m, tx } = run([...store(UART, 0x48, E.sb), ...store(UART, 0x69, E.sb), ...load(9, UART + 5, E.lbu),
      ...load(10, UART + 2, E.lbu), ...load(11, UART + 4, E.lbu), ...load(12, UART + 6, E.lbu), ...load(13, UART + 3, E.lbu)]);
    expect(tx).toEqual([0x48, 0x69]);
    expect(m.x[9]).toBe(0x60);
    expect(m.x[10]).toBe(0x01);
    expect(m.x[11]).toBe(0x08);
    expect(m.x[12]).toBe(0xb0);
    expect(m.x[13]).toBe(0);
  });
  it('RX without FIFO: one byte at a time, LSR.DR, RBR read clears it', () => {
    const m = boot([...load(9, UART + 5, E.lbu), ...load(10, UART, E.lbu), ...load(11, UART + 5, E.lbu), E.jal(0, 0)]);
    expect(m.uartReceive(0x7a)).toBe(true);
    expect(m.uartReceive(0x7b)).toBe(false);
    step(m, 9);
    expect([m.x[9], m.x[10], m.x[11]]).toEqual([0x61, 0x7a, 0x60]);
  });
  it('RX with FIFO enabled: 16 bytes, trigger levels, space as QEMU advertises it', () => {
    const m = boot([...store(UART + 2, 0xc1, E.sb), ...load(9, UART + 2, E.lbu), E.jal(0, 0)]);
    step(m, 8);
    expect(m.x[9]).toBe(0xc1);   // IIR: FIFOs enabled, no interrupt
    expect(m.uartRxSpace()).toBe(14);   // trigger level 14
    for (let i = 0; i < 14; i++) expect(m.uartReceive(i)).toBe(true);
    expect(m.uartRxSpace()).toBe(0);
    expect(m.uart.fifoCount).toBe(14);
  });
  it('reads the FIFO in order; LSR.DR until empty', () => {
    const code = [...store(UART + 2, 0x41, E.sb), ...load(9, UART, E.lbu), ...load(10, UART, E.lbu), ...load(11, UART + 5, E.lbu), ...load(12, UART, E.lbu), ...load(13, UART + 5, E.lbu)];
    const m = boot([...code, E.jal(0, 0)]);
    step(m, 5);
    expect(m.uartRxSpace()).toBe(4);
    m.uartReceive(1);
    expect(m.uartRxSpace()).toBe(3);
    m.uartReceive(2);
    step(m, code.length - 5);
    expect([m.x[9], m.x[10], m.x[11], m.x[12], m.x[13]]).toEqual([1, 2, 0x60, 0, 0x60]);
  });
  it('IER/IIR: THR-empty interrupt identification, cleared by reading IIR', () => {
    const { m } = run([...store(UART + 1, 2, E.sb), ...load(9, UART + 2, E.lbu), ...load(10, UART + 2, E.lbu), ...load(11, UART + 1, E.lbu)]);
    expect([m.x[9], m.x[10], m.x[11]]).toEqual([0x02, 0x01, 0x02]);
  });
  it('DLAB exposes DLL/DLM (divisor 12 after reset), SCR stores a byte, LCR/MCR read back', () => {
    const { m } = run([...store(UART + 3, 0x83, E.sb), ...load(9, UART, E.lbu), ...load(10, UART + 1, E.lbu), ...store(UART, 1, E.sb),
      ...store(UART + 3, 0x03, E.sb), ...store(UART + 7, 0xa5, E.sb), ...load(11, UART + 7, E.lbu), ...load(12, UART + 3, E.lbu),
      ...store(UART + 4, 0xff, E.sb), ...load(13, UART + 4, E.lbu)]);
    expect([m.x[9], m.x[10], m.x[11], m.x[12], m.x[13]]).toEqual([12, 0, 0xa5, 3, 0x1f]);
    expect(m.uart.divider).toBe(1);
    // 399193 baud, 10-bit frames, QEMU's single-precision arithmetic
    expect(m.uart.charTransmitTime).toBe(25050);
  });
  it('loopback mode (MCR bit 4) receives what it transmits', () => {
    const { m, tx } = run([...store(UART + 4, 0x10, E.sb), ...store(UART, 0x55, E.sb), ...load(9, UART, E.lbu)]);
    expect(tx).toEqual([]);
    expect(m.x[9]).toBe(0x55);
  });
  it('word accesses read the byte register; misaligned device reads are two aligned reads (QEMU)', () => {
    const { m } = run([...load(9, UART + 4), ...load(10, UART + 1)]);
    expect(m.x[9]).toBe(8);
    expect(u32(m.x[10]!)).toBe(0x08000000);
  });
  it('beyond the 8 UART registers is unmapped', () => {
    expect(run(load(9, UART + 8, E.lbu)).m.readCsr(0x342)).toBe(5);
  });
  it('RX FIFO timeout interrupt after 4 character times below the trigger level', () => {
    const code = [...store(0xc000000 + 40, 1), ...store(0xc002000, 1 << 10), ...store(UART + 2, 0x81, E.sb), ...store(UART + 1, 1, E.sb),
      ...li(7, 0x800), E.csrrs(0, 0x304, 7), E.csrrsi(0, 0x300, 8)];
    const m = boot([...code, E.jal(0, 0)]);
    m.writeMemory(RAM_BASE + 0x400, E.assemble([E.jal(0, 0)]));
    m.writeCsr(0x305, RAM_BASE + 0x400);
    m.run(6 + code.length);
    m.uartReceive(9);   // below the trigger level (8)
    const at = m.icount;
    m.run(at + 4 * 1041660 - 1);
    expect(m.readCsr(0x342)).toBe(0);
    m.run(at + 4 * 1041660 + 1);
    expect(m.readCsr(0x342)).toBe(0x8000000b);
    expect(m.icount).toBe(at + 4 * 1041660 + 1);
    expect(m.readMemory(UART + 2, 1)[0]! & 0x0f).toBe(0x0c);   // IIR: character timeout
  });
});

describe('Goldfish RTC', () => {
  it('TIME_LOW reads the input port and latches TIME_HIGH', () => {
    const ns = 0x1234_5678_9abc;
    const input = fixedInput(ns, [0]);
    const { m } = run([...load(9, RTC), ...load(10, RTC + 4)], input);
    expect(u32(m.x[9]!)).toBe(ns % 2 ** 32);
    expect(m.x[10]).toBe(Math.floor(ns / 2 ** 32));
    expect(input.rtcCalls).toBe(1);
  });
  it('writing TIME_LOW/HIGH sets an offset', () => {
    const input = fixedInput(5000, [0]);
    const { m } = run([...store(RTC + 4, 1), ...store(RTC, 7), ...load(9, RTC), ...load(10, RTC + 4)], input);
    expect([m.x[9], m.x[10]]).toEqual([7, 1]);
  });
  it('byte access faults (QEMU: 4-byte registers only)', () => {
    expect(run(load(9, RTC, E.lbu)).m.readCsr(0x342)).toBe(5);
  });
});

describe('Zkr seed CSR', () => {
  it('csrrw reads OPST=ES16 | 16 bits from the input port', () => {
    const input = fixedInput(0, [0xbeef, 0x1234]);
    const { m } = run([E.csrrw(9, 0x015, 0), E.csrrw(10, 0x015, 0)], input);
    expect(u32(m.x[9]!)).toBe(0x8000beef);
    expect(u32(m.x[10]!)).toBe(0x80001234);
    expect(input.seedCalls).toBe(2);
  });
  it('read-only access (csrrs x0) is illegal and reads nothing', () => {
    const input = fixedInput(0, [1]);
    const { m } = run([E.csrrs(9, 0x015, 0)], input);
    expect(m.readCsr(0x342)).toBe(2);
    expect(input.seedCalls).toBe(0);
  });
  it('the debugger can peek without consuming entropy', () => {
    const input = fixedInput(0, [1]);
    const m = new Machine({ ramSize: 1 << 20, input });
    expect(m.readCsr(0x015)).toBe(0x80000000);
    expect(input.seedCalls).toBe(0);
  });
});

describe('unmapped MMIO and the PLIC/CLINT register rules', () => {
  it('holes in the map fault (CLINT beyond 0x200c000, virtio, PLIC beyond its contexts)', () => {
    for (const a of [0x200c000, 0x10001000, 0xc000000 + 0x202000, 0x0]) {
      expect(run(load(9, a)).m.readCsr(0x342)).toBe(5);
    }
  });
  it('CLINT and PLIC reject byte accesses', () => {
    expect(run(load(9, 0x2000000, E.lbu)).m.readCsr(0x342)).toBe(5);
    expect(run(load(9, 0xc000000, E.lhu)).m.readCsr(0x342)).toBe(5);
  });
  it('PLIC: priorities are 3 bits; enable and threshold read back; claim/complete cycle', () => {
    const { m } = run([...store(0xc000000 + 40, 0xf), ...load(9, 0xc000000 + 40), ...store(0xc002000, -1), ...load(10, 0xc002000),
      ...store(0xc200000, 3), ...load(11, 0xc200000)]);
    expect([m.x[9], m.x[10], m.x[11]]).toEqual([7, -1, 3]);
  });
});

describe('debugger memory access', () => {
  it('reads RAM, ROM and MMIO without side effects; unmapped -> RangeError', () => {
    const m = boot([E.jal(0, 0)]);
    m.uartReceive(0x33);
    expect([...m.readMemory(UART, 1)]).toEqual([0x33]);
    expect([...m.readMemory(UART + 5, 1)]).toEqual([0x61]);   // still there
    expect([...m.readMemory(0x1000, 2)]).toEqual([0x97, 0x02]);
    expect(() => m.readMemory(0x0, 4)).toThrow(RangeError);
    expect(() => m.writeMemory(0x1000, new Uint8Array(1))).toThrow(RangeError);
  });
});
