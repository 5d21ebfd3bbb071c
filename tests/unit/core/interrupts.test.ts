import { describe, expect, it } from 'vitest';
import { RAM_BASE } from '../../../src/core';
import * as E from './enc';
import { boot, li, step } from './enc';

const HANDLER = RAM_BASE + 0x400;
const MTIMECMP = 0x2004000, MTIME = 0x200bff8, MSIP = 0x2000000;
const PLIC = 0xc000000, UART = 0x10000000;

/** sw of a constant to an address: 5 instructions, clobbers x5/x6. */
const store = (addr: number, value: number): E.Insn[] => [...li(5, addr), ...li(6, value), E.sw(6, 5, 0)];
const load = (rd: number, addr: number): E.Insn[] => [...li(5, addr), E.lw(rd, 5, 0)];
/** Enable MIE and the given mie bits: 4 instructions. */
const enable = (mieBits: number): E.Insn[] => [...li(7, mieBits), E.csrrs(0, 0x304, 7), E.csrrsi(0, 0x300, 8)];

function machine(code: E.Insn[], handler: E.Insn[] = [E.jal(0, 0)]) {
  const m = boot([...code, E.jal(0, 0)]);
  m.writeMemory(HANDLER, E.assemble(handler));
  m.writeCsr(0x305, HANDLER);
  return m;
}

/** Position of the last instruction of `parts` run from `start` (default: the entry, after the 6-instruction reset vector). */
const lastAt = (...parts: E.Insn[][]): number => endAt(6, ...parts);
const endAt = (start: number, ...parts: E.Insn[][]): number => start + parts.reduce((n, p) => n + p.length, 0) - 1;

describe('CLINT timer interrupt', () => {
  // QEMU 7.2 (riscv_aclint_mtimer_write_timecmp) arms its timer when mtimecmp is written at position w:
  // deadline = (w + 1) + (mtimecmp - mtime(w + 1)) * 100 ns, where w + 1 is the virtual time the store sees.
  it('is armed when mtimecmp is written: taken at the write position + (mtimecmp - mtime) * 100', () => {
    const hi = store(MTIMECMP + 4, 0), lo = store(MTIMECMP, 3);
    const code = [...hi, ...lo, ...enable(0x80)];
    const deadline = lastAt(hi, lo) + 1 + 300;   // mtime is 0 at the write
    expect(deadline % 100).not.toBe(0);         // later than mtimecmp * 100
    const m = machine(code);
    m.run(deadline - 1);
    expect(m.pc).toBe(RAM_BASE + 4 * code.length);
    expect(m.readCsr(0x342)).toBe(0);
    expect(m.readCsr(0x344) & 0x80).toBe(0);
    m.run(deadline);
    expect(m.pc).toBe(HANDLER);
    expect(m.readCsr(0x342)).toBe(0x80000007);
    expect(m.readCsr(0x341)).toBe(RAM_BASE + 4 * code.length);
    expect(m.readCsr(0x343)).toBe(0);
    expect(m.readCsr(0x300) & 0x88).toBe(0x80);
  });
  it('the deadline keeps the phase of the write within its tick, for every phase', () => {
    // mtimecmp = mtime + 2 written at w: the interrupt comes (mtimecmp - mtime(w + 1)) * 100 ns after the
    // write, which is (w + 1) mod 100 ns after mtime reaches mtimecmp.
    const read = [...li(5, MTIME), E.lw(8, 5, 0)], write = [E.addi(8, 8, 2), ...li(5, MTIMECMP), E.sw(8, 5, 0)];
    const lateness = new Set<number>();
    for (let start = 1000; start < 1100; start += 7) {
      const m = machine([...read, ...write, ...enable(0x80)]);
      m.icount = start;
      const r = endAt(start, read), w = endAt(start, read, write);
      const mtimeAtRead = Math.floor((r + 1) / 100);
      const deadline = w + 1 + (mtimeAtRead + 2 - Math.floor((w + 1) / 100)) * 100;
      m.run(deadline - 1);
      expect(m.pc, `start ${start}`).not.toBe(HANDLER);
      m.run(deadline);
      expect(m.pc, `start ${start}`).toBe(HANDLER);
      lateness.add(deadline - (mtimeAtRead + 2) * 100);
    }
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lateness)).toBeLessThan(100);
    expect(lateness.size).toBeGreaterThan(10);
  });
  it('a write of mtimecmp <= mtime raises MTIP for the very next instruction', () => {
    const later = store(MTIMECMP, 1000), now = store(MTIMECMP, 50);   // mtime is 50 at 5000
    const m = machine([...later, E.csrrs(8, 0x344, 0), ...now, E.csrrs(9, 0x344, 0)]);
    m.icount = 5000;
    m.run(endAt(5000, later, [0], now, [0]) + 1);
    expect(m.x[8]! & 0x80).toBe(0);
    expect(m.x[9]! & 0x80).toBe(0x80);
  });
  it('mip.MTIP is raised between instructions: a csrr of mip at the position before the deadline reads 0', () => {
    // poll: csrr x8, mip; andi x8, x8, 0x80; beq x8, x0, poll — padded so a csrr falls on each phase of 3
    for (let pad = 0; pad < 3; pad++) {
      const arm = [...store(MTIMECMP, 1), ...Array.from({ length: pad }, () => E.addi(0, 0, 0))];
      const poll = [E.csrrs(8, 0x344, 0), E.andi(8, 8, 0x80), E.beq(8, 0, -8)];
      const m = machine([...arm, ...poll, E.addi(9, 0, 1)]);
      const deadline = lastAt(store(MTIMECMP, 1)) + 1 + 100;
      const first = lastAt(arm) + 1;   // position of the first csrr
      const seen = first + 3 * Math.ceil((deadline - first) / 3);   // first csrr at or after the deadline
      m.run(seen + 3);
      expect(m.x[9], `pad ${pad}`).toBe(0);
      m.run(seen + 4);
      expect(m.x[9], `pad ${pad}`).toBe(1);
    }
  });
  it('mip.MTIP without being enabled; writing a later mtimecmp clears it', () => {
    const m = machine([...store(MTIMECMP, 2), E.csrrs(8, 0x344, 0)]);
    step(m, 6);
    expect(m.x[8]).toBe(0);
    const deadline = lastAt(store(MTIMECMP, 2)) + 1 + 200;
    m.run(deadline - 1);
    expect(m.readCsr(0x344) & 0x80).toBe(0);
    m.run(deadline);
    expect(m.readCsr(0x344) & 0x80).toBe(0x80);
  });
  it('a write of mtime re-arms the timer from the new mtime (QEMU re-runs write_timecmp for the hart)', () => {
    // mtimecmp = 50 (deadline ~5000), then mtime := 40 at position ~1020: 10 ticks later, i.e. ~2020.
    const cmp = store(MTIMECMP, 50), time = store(MTIME, 40);
    const m = machine([...cmp, ...time, ...enable(0x80)]);
    m.icount = 1000;
    const deadline = endAt(1000, cmp, time) + 1 + (50 - 40) * 100;
    m.run(deadline - 1);
    expect(m.pc).not.toBe(HANDLER);
    m.run(deadline);
    expect(m.pc).toBe(HANDLER);
  });
  it('mtime reads floor((icount + bias) / 100); writes move it (QEMU time_delta) and the timer with it', () => {
    const m = machine([...load(8, MTIME), ...store(MTIME, 1000), ...load(9, MTIME), E.csrrs(10, 0xc01, 0), ...store(MTIMECMP, 1001), ...enable(0x80)]);
    m.icount = 1000;
    m.run(1000 + 3 + 5 + 3 + 1);
    expect(m.x[8]).toBe(10);
    expect(m.x[9]).toBe(1000);
    expect(m.x[10]).toBe(1000);
    m.run(1200);
    expect(m.readCsr(0x342)).toBe(0x80000007);
  });
  it('vectored mode sends interrupts to base + 4 * cause', () => {
    const m = machine([...store(MTIMECMP, 1), ...enable(0x80)]);
    m.writeCsr(0x305, HANDLER | 1);
    m.writeMemory(HANDLER + 28, E.assemble([E.jal(0, 0)]));
    m.run(500);
    expect(m.pc).toBe(HANDLER + 28);
  });
});

describe('software interrupt (CLINT msip)', () => {
  it('is taken right after the store that sets msip; msip reads back', () => {
    const code = [...enable(0x8), ...store(MSIP, 1)];
    const m = machine(code, [...load(9, MSIP), E.jal(0, 0)]);
    m.run(6 + code.length);
    expect(m.pc).toBe(HANDLER);
    expect(m.readCsr(0x342)).toBe(0x80000003);
    expect(m.readCsr(0x341)).toBe(RAM_BASE + 4 * code.length);
    step(m, 3);
    expect(m.x[9]).toBe(1);
  });
  it('priority MEI > MSI > MTI when several are pending', () => {
    const m = machine([...store(MSIP, 1), ...store(MTIMECMP, 0), ...enable(0x88)]);
    m.run(100);
    expect(m.readCsr(0x342)).toBe(0x80000003);
  });
  it('not taken in M-mode while mstatus.MIE = 0', () => {
    const m = machine([...store(MSIP, 1), ...li(7, 8), E.csrrs(0, 0x304, 7)]);
    m.run(100);
    expect(m.readCsr(0x342)).toBe(0);
    expect(m.readCsr(0x344) & 8).toBe(8);
  });
});

const uartSetup = [
  ...store(PLIC + 4 * 10, 1),          // priority of source 10
  ...store(PLIC + 0x2000, 1 << 10),    // enable for context 0 (hart 0 M-mode)
  ...store(PLIC + 0x200000, 0),        // threshold
  ...store(UART + 1, 1),               // IER: received data available
  ...enable(0x800),
];

describe('UART RX interrupt through the PLIC', () => {
  const handler = [...load(10, PLIC + 0x200004), ...load(11, UART), ...li(5, PLIC + 0x200004), E.sw(10, 5, 0), E.jal(0, 0)];
  it('a received byte raises MEIP; claim returns 10; RBR returns the byte; complete', () => {
    const m = machine(uartSetup, handler);
    const setupEnd = 6 + uartSetup.length;
    expect(m.run(setupEnd + 10).kind).toBe('limit');
    expect(m.readCsr(0x342)).toBe(0);
    expect(m.uartRxSpace()).toBe(1);
    expect(m.uartReceive(0x41)).toBe(true);
    expect(m.uartRxSpace()).toBe(0);
    expect(m.uartReceive(0x42)).toBe(false);
    expect(m.readCsr(0x344) & 0x800).toBe(0x800);
    const at = m.icount;
    m.run(at);   // the interrupt is taken when execution resumes, before any instruction
    expect(m.pc).toBe(HANDLER);
    expect(m.icount).toBe(at);
    expect(m.readCsr(0x342)).toBe(0x8000000b);
    step(m, 9);
    expect(m.x[10]).toBe(10);
    expect(m.x[11]).toBe(0x41);
    expect(m.readCsr(0x344) & 0x800).toBe(0);
    expect(m.uartRxSpace()).toBe(1);
  });
  it('claim with nothing pending returns 0; threshold masks; priority 0 never interrupts', () => {
    const m = machine([...load(10, PLIC + 0x200004), ...store(PLIC + 0x200000, 1), ...store(PLIC + 4 * 10, 1), ...store(PLIC + 0x2000, 1 << 10), ...store(UART + 1, 1)]);
    m.run(6 + 3 + 20);
    expect(m.x[10]).toBe(0);
    m.uartReceive(1);
    m.run(m.icount + 1);
    expect(m.readCsr(0x344) & 0x800).toBe(0);   // priority 1 is not above threshold 1
    expect(m.plic.read(0x1000, false) & (1 << 10)).toBe(1 << 10);   // but pending
  });
});

describe('WFI', () => {
  it('with an armed timer: idles, virtual time jumps to the deadline (bias), the interrupt wakes it', () => {
    const code = [...store(MTIMECMP, 50), ...enable(0x80), E.wfi(), E.addi(9, 0, 1)];
    const m = machine(code, [...load(8, MTIME), E.jal(0, 0)]);
    const wfiAt = 6 + code.length - 2;
    const deadline = lastAt(store(MTIMECMP, 50)) + 1 + 5000;
    m.run(wfiAt + 1);
    expect(m.halted).toBe(false);
    expect(m.pc).toBe(HANDLER);
    expect(m.bias).toBe(deadline - (wfiAt + 1));
    expect(m.readCsr(0x341)).toBe(RAM_BASE + 4 * (code.length - 1));   // mepc = after the wfi
    step(m, 3);
    expect(m.x[8]).toBe(50);
    expect(m.readCsr(0xc00)).toBe(m.icount + m.bias);
  });
  it('with MIE clear: wakes on the pending timer without trapping and continues after the wfi', () => {
    const code = [...store(MTIMECMP, 50), ...li(7, 0x80), E.csrrs(0, 0x304, 7), E.wfi(), E.addi(9, 0, 1)];
    const m = machine(code);
    m.run(6 + code.length);
    expect(m.x[9]).toBe(1);
    expect(m.readCsr(0x342)).toBe(0);
    expect(m.bias).toBeGreaterThan(0);
  });
  it('with an interrupt already pending and enabled it does not halt', () => {
    const m = machine([...li(7, 0x80), E.csrrs(0, 0x304, 7), E.wfi(), E.addi(9, 0, 1)]);
    m.run(6 + 5);
    expect(m.x[9]).toBe(1);
    expect(m.bias).toBe(0);
  });
  it('with nothing that can wake it: stops with idle; a UART byte wakes it', () => {
    const code = [...uartSetup, ...store(MTIMECMP + 4, -1), E.wfi(), E.addi(9, 0, 1)];
    const m = machine(code, [E.addi(10, 0, 7), E.jal(0, 0)]);
    const r = m.run(1_000_000);
    expect(r.kind).toBe('idle');
    expect(m.halted).toBe(true);
    const at = m.icount;
    expect(m.run(at + 100).kind).toBe('idle');
    expect(m.icount).toBe(at);
    m.uartReceive(0x30);
    m.run(at + 1);
    expect(m.halted).toBe(false);
    expect(m.readCsr(0x342)).toBe(0x8000000b);
    expect(m.x[10]).toBe(7);
  });
  it('the time warp to a disabled timer deadline happens but does not wake (QEMU icount warp)', () => {
    const code = [...uartSetup, ...store(MTIMECMP, 1000), E.wfi()];
    const m = machine(code);
    expect(m.run(10_000).kind).toBe('idle');
    expect(m.icount + m.bias).toBe(lastAt(uartSetup, store(MTIMECMP, 1000)) + 1 + 100_000);
  });
});
