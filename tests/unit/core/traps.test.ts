import { describe, expect, it } from 'vitest';
import { Machine, RAM_BASE } from '../../../src/core';
import * as E from './enc';
import { boot, li, step, u32 } from './enc';

const MCAUSE = 0x342, MEPC = 0x341, MTVAL = 0x343, MSTATUS = 0x300, MTVEC = 0x305;
const HANDLER = RAM_BASE + 0x400;

/** Boot `code` with mtvec pointing at an endless loop at HANDLER. */
function withHandler(code: E.Insn[]) {
  const m = boot([...code, E.jal(0, 0)]);
  m.writeMemory(HANDLER, E.assemble([E.jal(0, 0)]));
  m.writeCsr(MTVEC, HANDLER);
  return m;
}
function expectTrap(m: Machine, cause: number, epc: number, tval: number) {
  expect(m.readCsr(MCAUSE)).toBe(cause);
  expect(m.readCsr(MEPC)).toBe(epc);
  expect(m.readCsr(MTVAL)).toBe(tval >>> 0);
  expect(m.pc).toBe(HANDLER);
  expect(m.priv).toBe(3);
}

describe('reset ROM (QEMU 7.2 virt, -bios none)', () => {
  it('holds QEMU\'s words and enters the program at icount 6 with a0 = hartid, a1 = fdt, a2 = 0x1028', () => {
    const m = new Machine();
    m.load({ entry: 0x80001234, segments: [{ addr: RAM_BASE, data: new Uint8Array(8), memSize: 0x2000 }] });
    const words = new Uint32Array(m.readMemory(0x1000, 40).slice().buffer);
    expect([...words]).toEqual([0x00000297, 0x02828613, 0xf1402573, 0x0202a583, 0x0182a283, 0x00028067,
      0x80001234, 0, 0x87e00000, 0]);
    expect(m.pc).toBe(0x1000);
    m.run(5);
    expect(m.pc).toBe(0x1014);
    m.run(6);
    expect(m.pc).toBe(0x80001234);
    expect(m.x[10]).toBe(0);
    expect(u32(m.x[11]!)).toBe(0x87e00000);
    expect(m.x[12]).toBe(0x1028);
    expect(m.fdtAddress).toBe(0x87e00000);
  });
  it('the fdt address follows QEMU\'s formula for other RAM sizes', () => {
    expect(new Machine({ ramSize: 64 << 20 }).fdtAddress).toBe(0x83e00000);
    expect(new Machine({ ramSize: 1 << 30 }).fdtAddress).toBe(0xbfe00000);
  });
  it('rejects segments entirely outside RAM; drops the bytes of a segment outside RAM (QEMU ROM loader)', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    expect(() => m.load({ entry: 0, segments: [{ addr: 0x1000, data: new Uint8Array(4), memSize: 4 }] })).toThrow(RangeError);
    m.load({ entry: RAM_BASE, segments: [{ addr: RAM_BASE - 4, data: new Uint8Array([1, 2, 3, 4, 5, 6]), memSize: 8 },
      { addr: RAM_BASE + (1 << 20) - 2, data: new Uint8Array([7, 8, 9, 10]), memSize: 4 }] });
    expect([...m.readMemory(RAM_BASE, 4)]).toEqual([5, 6, 0, 0]);
    expect([...m.readMemory(RAM_BASE + (1 << 20) - 2, 2)]).toEqual([7, 8]);
  });
  it('zero-fills segments up to memSize', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    m.writeMemory(RAM_BASE + 8, new Uint8Array([9, 9]));
    m.load({ entry: RAM_BASE, segments: [{ addr: RAM_BASE, data: new Uint8Array([1, 2, 3, 4]), memSize: 16 }] });
    expect([...m.readMemory(RAM_BASE, 12)]).toEqual([1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('exceptions', () => {
  it('illegal 32-bit instruction: mtval = instruction bits (QEMU)', () => {
    const m = withHandler([E.addi(5, 0, 1), 0x12345077]);
    step(m, 2);
    expectTrap(m, 2, RAM_BASE + 4, 0x12345077);
  });
  it('unknown encodings in known opcodes are illegal', () => {
    for (const bits of [E.R(0x02, 1, 1, 0, 1, 0x33), E.I(0, 1, 3, 1, 3), E.S(0, 1, 1, 3, 0x23), E.B(8, 1, 1, 2), E.I(0, 1, 1, 1, 0x67),
      E.R(0x20, 1, 1, 1, 1, 0x13), E.R(0x01, 1, 1, 5, 1, 0x13), E.I(0, 0, 4, 0, 0x73), 0x10200073, E.R(2 << 2, 1, 1, 2, 1, 0x2f),
      E.R(0x1f << 2, 1, 1, 2, 1, 0x2f), E.R(1 << 2, 1, 1, 3, 1, 0x2f), E.I(0, 0, 2, 0, 0x0f), 0xffffffff]) {
      const m = withHandler([bits]);
      step(m);
      expectTrap(m, 2, RAM_BASE, bits);
    }
  });
  it('ebreak: cause 3, mtval 0 (QEMU 7.2)', () => {
    const m = withHandler([E.ebreak()]);
    step(m);
    expectTrap(m, 3, RAM_BASE, 0);
    expect(m.icount).toBe(7);
  });
  it('ecall from M: cause 11; the trap saves MIE into MPIE and M into MPP', () => {
    const m = withHandler([E.csrrsi(0, MSTATUS, 8), E.ecall()]);
    step(m, 2);
    expectTrap(m, 11, RAM_BASE + 4, 0);
    const s = m.readCsr(MSTATUS);
    expect(s & 8).toBe(0);
    expect(s & 0x80).toBe(0x80);
    expect((s >> 11) & 3).toBe(3);
  });
  it('load access fault (unmapped address): cause 5, mtval = address', () => {
    const m = withHandler([E.lw(5, 0, 0x10)]);
    step(m);
    expectTrap(m, 5, RAM_BASE, 0x10);
  });
  it('load access fault just past the end of RAM and across it', () => {
    const m = withHandler([E.lw(5, 8, 0), E.lw(5, 9, 0)]);
    m.x[8] = RAM_BASE + (1 << 20); m.x[9] = RAM_BASE + (1 << 20) - 2;
    step(m);
    expectTrap(m, 5, RAM_BASE, RAM_BASE + (1 << 20));
  });
  it('store access fault: cause 7; stores to the reset ROM are ignored (QEMU ROM)', () => {
    const m = withHandler([E.sw(5, 0, 0x10), E.sw(5, 8, 0)]);
    m.x[8] = 0x1000; m.x[5] = -1;
    step(m);
    expectTrap(m, 7, RAM_BASE, 0x10);
    const m2 = withHandler([E.sw(5, 8, 0)]);
    m2.x[8] = 0x1000; m2.x[5] = -1;
    step(m2);
    expect(m2.readCsr(MCAUSE)).toBe(0);
    expect([...m2.readMemory(0x1000, 4)]).toEqual([0x97, 0x02, 0, 0]);
  });
  it('instruction access fault: jump to unmapped memory, mepc = mtval = target', () => {
    const m = withHandler([E.jalr(0, 8, 0)]);
    m.x[8] = 0x20000;
    step(m, 2);
    expectTrap(m, 1, 0x20000, 0x20000);
    expect(m.icount).toBe(8);   // the faulting fetch counts as an instruction (docs/machine.md)
  });
  it('execution from devices as QEMU 7.2 fetches: 2-byte reads through the bus with the device\'s access rules', () => {
    const jump = (target: number) => {
      const m = withHandler([E.jalr(0, 8, 0)]);
      m.x[8] = target;
      return m;
    };
    // SiFive test device: 2-byte reads return 0, an illegal instruction (QEMU measured: mtval 0)
    for (const t of [0x100000, 0x100ffe]) {
      const m = jump(t);
      step(m, 2);
      expectTrap(m, 2, t, 0);
    }
    // RTC, CLINT (MSWI and MTIMER) and PLIC take only 4-byte accesses: instruction access fault
    for (const t of [0x101000, 0x2000000, 0x2004000, 0x200bff8, 0xc000000, 0x200c000, 0x10000008, 0]) {
      const m = jump(t);
      step(m, 2);
      expectTrap(m, 1, t, t);
    }
    // UART: a 2-byte read returns the byte register, so its registers run as code.
    // +2 IIR = 0x01 (c.nop), then +4 MCR = 0x08 (c.addi4spn with immediate 0: illegal, mtval 0x0008)
    const m = jump(0x10000002);
    step(m, 3);
    expectTrap(m, 2, 0x10000004, 0x0008);
    expect(m.icount).toBe(6 + 3);
    // +6 MSR = 0xb0: c.addi4spn a2, sp, 72; then +8 is outside the UART's 8 bytes
    const m2 = jump(0x10000006);
    m2.x[2] = 1000;
    step(m2, 3);
    expect(m2.x[12]).toBe(1072);
    expectTrap(m2, 1, 0x10000008, 0x10000008);
  });
  it('a fetch from the UART has the read\'s side effects, once per execution (not again after a breakpoint stop)', () => {
    // IER = THRE interrupt enable: IIR reads 0x02 (THR empty pending) until read once, then 0x01.
    const setIer = [...li(5, 0x10000000), E.addi(6, 0, 2), E.sb(6, 5, 1)];
    const m = withHandler([...setIer, E.jalr(0, 8, 0)]);
    m.x[8] = 0x10000002;
    m.setBreakpoints([0x10000002]);
    expect(m.run(1000)).toEqual({ kind: 'breakpoint', pc: 0x10000002 });
    expect(m.readMemory(0x10000002, 1)[0]).toBe(0x02);   // the debugger peeks without side effects
    step(m);   // executes 0x0002 (c.slli x0: a hint), reading IIR once
    expect(m.pc).toBe(0x10000004);
    expect(m.readMemory(0x10000002, 1)[0]).toBe(0x01);
  });
  it('instruction access fault on the second half of a 32-bit instruction at the end of RAM', () => {
    const m = withHandler([E.jalr(0, 8, 0)]);
    const end = RAM_BASE + (1 << 20);
    m.writeMemory(end - 2, new Uint8Array([0x13, 0x00]));   // low half of a 32-bit instruction
    m.x[8] = end - 2;
    step(m, 2);
    expectTrap(m, 1, end - 2, end);
  });
  it('misaligned lr.w / AMO: load-address-misaligned (4) as QEMU 7.2 reports it', () => {
    for (const insn of [E.lrw(5, 8), E.amoadd(5, 6, 8), E.amoswap(5, 6, 8)]) {
      const m = withHandler([insn]);
      m.x[8] = RAM_BASE + 0x801;
      step(m);
      expectTrap(m, 4, RAM_BASE, RAM_BASE + 0x801);
    }
  });
  it('AMO / lr.w to unmapped memory: load access fault (5) as QEMU 7.2 reports it', () => {
    for (const insn of [E.lrw(5, 8), E.amoor(5, 6, 8)]) {
      const m = withHandler([insn]);
      m.x[8] = 0;
      step(m);
      expectTrap(m, 5, RAM_BASE, 0);
    }
  });
  it('sc.w without a reservation to unmapped memory just fails (no trap, as QEMU)', () => {
    const m = withHandler([E.scw(5, 6, 8)]);
    step(m);
    expect(m.readCsr(MCAUSE)).toBe(0);
    expect(m.x[5]).toBe(1);
  });
  it('AMO whose store faults (read-only test device read ok, byte size): store access fault', () => {
    // amoadd.w on the SiFive test device: reads 0, the write of 0+1=1 is a valid no-op; on the PLIC
    // claim register a write is allowed too. Use an address that reads but whose write faults:
    // none exists on virt, so check the store path with a misaligned-free AMO on the UART (size 4 OK).
    const m = withHandler([E.amoadd(5, 6, 8)]);
    m.x[8] = 0x10000004; m.x[6] = 0;   // MCR: read 0x08, write back 0x08
    step(m);
    expect(m.readCsr(MCAUSE)).toBe(0);
    expect(m.x[5]).toBe(8);
  });
  it('mtvec: direct mode sends exceptions and interrupts to base; writes with mode >= 2 are ignored (QEMU)', () => {
    const m = withHandler([]);
    m.writeCsr(MTVEC, RAM_BASE + 0x202);
    expect(m.readCsr(MTVEC)).toBe(HANDLER);
    m.writeCsr(MTVEC, RAM_BASE + 0x201);
    expect(m.readCsr(MTVEC)).toBe(RAM_BASE + 0x201);
  });
  it('vectored mtvec: exceptions still go to base', () => {
    const m = withHandler([E.ecall()]);
    m.writeCsr(MTVEC, HANDLER | 1);
    step(m);
    expect(m.pc).toBe(HANDLER);
  });
  it('the trapping instruction is counted; execution continues in the handler', () => {
    const m = withHandler([0xffffffff]);
    m.writeMemory(HANDLER, E.assemble([E.addi(7, 0, 5), E.jal(0, 0)]));
    step(m, 2);
    expect(m.icount).toBe(8);
    expect(m.x[7]).toBe(5);
  });
});

describe('privilege: mret, U-mode, PMP quirk of QEMU 7.2', () => {
  const toUser = (user: E.Insn[]) => {
    const U_CODE = RAM_BASE + 0x200;
    const m = withHandler([
      ...li(5, U_CODE), E.csrrw(0, MEPC, 5),
      ...li(5, 0x1800), E.csrrc(0, MSTATUS, 5),
      E.addi(5, 0, -1), E.csrrw(0, 0x3b0, 5), E.addi(5, 0, 0x1f), E.csrrw(0, 0x3a0, 5),
      E.mret(),
    ]);
    m.writeMemory(U_CODE, E.assemble([...user, E.jal(0, 0)]));
    step(m, 11);
    expect(m.priv).toBe(0);
    expect(m.pc).toBe(U_CODE);
    return { m, U_CODE };
  };
  it('mret to U with a PMP rule: priv U, MIE <- MPIE, MPIE = 1, MPP = U', () => {
    const { m } = toUser([]);
    const s = m.readCsr(MSTATUS);
    expect(s & 0x80).toBe(0x80);
    expect((s >> 11) & 3).toBe(0);
  });
  it('mret to U with no PMP rule is illegal (QEMU 7.2), mtval = the mret bits', () => {
    const m = withHandler([E.csrrc(0, MSTATUS, 5), E.mret()]);
    m.x[5] = 0x1800;
    step(m, 2);
    expectTrap(m, 2, RAM_BASE + 4, 0x30200073);
  });
  it('ecall from U: cause 8, MPP = U; interrupts are enabled in U regardless of MIE', () => {
    const { m, U_CODE } = toUser([E.addi(6, 0, 1), E.ecall()]);
    step(m, 2);
    expectTrap(m, 8, U_CODE + 4, 0);
    expect((m.readCsr(MSTATUS) >> 11) & 3).toBe(0);
  });
  it('U-mode: mret, wfi, M-mode CSRs and counters without mcounteren are illegal', () => {
    for (const insn of [E.mret(), E.wfi(), E.csrrs(5, MSTATUS, 0), E.csrrs(5, 0xc00, 0), E.csrrs(5, 0xc01, 0), E.csrrs(5, 0xc02, 0)]) {
      const { m, U_CODE } = toUser([insn]);
      step(m);
      expectTrap(m, 2, U_CODE, insn);
    }
  });
  it('U-mode may read cycle/time/instret when mcounteren allows it', () => {
    const { m } = toUser([E.csrrs(5, 0xc00, 0), E.csrrs(6, 0xc01, 0), E.csrrs(7, 0xc02, 0)]);
    m.writeCsr(0x306, 7);
    step(m, 3);
    expect(m.readCsr(MCAUSE)).toBe(0);
    expect(m.x[5]).toBe(m.icount - 2);
    expect(m.x[7]).toBe(m.icount);
  });
  it('mret returns to mepc with bit 0 cleared; mepc keeps bit 0 as written (QEMU)', () => {
    const m = withHandler([E.csrrw(0, MEPC, 5), E.mret()]);
    m.x[5] = RAM_BASE + 0x301;
    m.writeCsr(MSTATUS, 0x1800);
    step(m, 1);
    expect(m.readCsr(MEPC)).toBe(RAM_BASE + 0x301);
    step(m, 1);
    expect(m.pc).toBe(RAM_BASE + 0x300);
    expect(m.priv).toBe(3);
  });
});

describe('CSRs', () => {
  const csrRead = (num: number) => {
    const m = withHandler([E.csrrs(5, num, 0)]);
    step(m);
    return { m, v: u32(m.x[5]!) };
  };
  it('identification CSRs as QEMU 7.2 (misa reflects RV32IMAC + U)', () => {
    expect(csrRead(0xf11).v).toBe(0);
    expect(csrRead(0xf12).v).toBe(0x70216);
    expect(csrRead(0xf13).v).toBe(0x70216);
    expect(csrRead(0xf14).v).toBe(0);
    expect(csrRead(0xf15).v).toBe(0);
    expect(csrRead(0x301).v).toBe(0x40101105);
    expect(csrRead(0x30a).v).toBe(0);
  });
  it('writing a read-only CSR is illegal, mtval = instruction', () => {
    const insn = E.csrrw(0, 0xf11, 1);
    const m = withHandler([insn]);
    step(m);
    expectTrap(m, 2, RAM_BASE, insn);
  });
  it('csrrs/csrrc with x0 do not write (read-only CSRs readable that way)', () => {
    const m = withHandler([E.csrrs(5, 0xf14, 0), E.csrrc(6, 0xf14, 0), E.csrrsi(7, 0xf14, 0)]);
    step(m, 3);
    expect(m.readCsr(MCAUSE)).toBe(0);
  });
  it('unknown CSR is illegal; readCsr throws RangeError', () => {
    const insn = E.csrrs(5, 0x7c0, 0);
    const m = withHandler([insn]);
    step(m);
    expectTrap(m, 2, RAM_BASE, insn);
    expect(() => m.readCsr(0x7c0)).toThrow(RangeError);
    expect(() => m.readCsr(0x180)).toThrow(RangeError);   // satp: no S-mode
  });
  it('csrrw/csrrs/csrrc/…i read-modify-write mscratch', () => {
    const m = withHandler([E.csrrw(5, 0x340, 6), E.csrrs(7, 0x340, 9), E.csrrc(10, 0x340, 11), E.csrrwi(12, 0x340, 3),
      E.csrrsi(13, 0x340, 4), E.csrrci(14, 0x340, 1), E.csrrs(15, 0x340, 0)]);
    m.x[6] = 0x10; m.x[9] = 0x3; m.x[11] = 0x11;
    m.writeCsr(0x340, 0xabc);
    step(m, 7);
    expect([m.x[5], m.x[7], m.x[10], m.x[12], m.x[13], m.x[14], m.x[15]]).toEqual([0xabc, 0x10, 0x13, 0x2, 3, 7, 6]);
  });
  it('mstatus writable bits (MIE, MPIE, MPP, MPRV, TW); MPP only takes M or U', () => {
    const m = withHandler([]);
    m.writeCsr(MSTATUS, 0xffffffff);
    expect(m.readCsr(MSTATUS)).toBe(0x221888);
    m.writeCsr(MSTATUS, 0x800);
    expect((m.readCsr(MSTATUS) >> 11) & 3).toBe(0);
  });
  it('mie keeps MSIE/MTIE/MEIE; mip writes are ignored; mip.MTIP is set after reset (mtimecmp = 0, as QEMU)', () => {
    const m = withHandler([]);
    m.writeCsr(0x304, 0xffffffff);
    expect(m.readCsr(0x304)).toBe(0x888);
    m.writeCsr(0x344, 0xffffffff);
    expect(m.readCsr(0x344)).toBe(0x80);
  });
  it('cycle, instret and time read virtual time (icount + bias; mtime = /100), including the instruction itself', () => {
    const m = withHandler([E.csrrs(5, 0xc00, 0), E.csrrs(6, 0xc02, 0), E.csrrs(7, 0xc01, 0), E.csrrs(8, 0xc80, 0), E.csrrs(9, 0xb00, 0)]);
    step(m, 5);
    expect(m.x[5]).toBe(7);   // instruction 6 reads icount 7, as QEMU's icount does with the instruction retired
    expect(m.x[6]).toBe(8);
    expect(m.x[7]).toBe(0);
    expect(m.x[8]).toBe(0);
    expect(m.x[9]).toBe(11);
  });
  it('cycle/time high halves past 2^32', () => {
    const m = withHandler([E.csrrs(5, 0xc80, 0), E.csrrs(6, 0xc00, 0), E.csrrs(7, 0xc81, 0)]);
    m.icount = 2 ** 32 + 5 - 1;
    step(m, 3);
    expect(m.x[5]).toBe(1);
    expect(m.x[6]).toBe(6);
    expect(m.x[7]).toBe(0);
  });
  it('mcycle/minstret are writable and count on from the written value (QEMU 7.2)', () => {
    const m = withHandler([E.csrrw(0, 0xb00, 5), E.csrrs(6, 0xb00, 0), E.csrrs(7, 0xc00, 0), E.csrrw(0, 0xb82, 5), E.csrrs(8, 0xc82, 0), E.csrrs(9, 0xc02, 0)]);
    m.x[5] = 123;
    step(m, 6);
    expect(m.x[6]).toBe(124);
    expect(m.x[7]).toBe(125);
    expect(m.x[8]).toBe(123);
    expect(m.x[9]).toBe(12);
  });
  it('mcountinhibit freezes the counter at its written value', () => {
    const m = withHandler([E.csrrwi(0, 0x320, 1), E.csrrs(6, 0xb00, 0)]);
    step(m, 2);
    expect(m.x[6]).toBe(0);
  });
  it('pmpcfg/pmpaddr are stored; locked entries are not writable', () => {
    const m = withHandler([]);
    m.writeCsr(0x3b0, 0x1234);
    m.writeCsr(0x3a0, 0x9f);
    m.writeCsr(0x3b0, 0x5678);
    m.writeCsr(0x3a0, 0);
    expect(m.readCsr(0x3b0)).toBe(0x1234);
    expect(m.readCsr(0x3a0)).toBe(0x9f);
  });
  it('medeleg/mideleg read zero (present on QEMU, writes ignored); mhpm counters read zero', () => {
    const m = withHandler([E.csrrw(0, 0x302, 5), E.csrrs(6, 0x302, 0), E.csrrs(7, 0xb03, 0), E.csrrs(8, 0x323, 0)]);
    m.x[5] = -1;
    step(m, 4);
    expect([m.x[6], m.x[7], m.x[8], m.readCsr(MCAUSE)]).toEqual([0, 0, 0, 0]);
  });
});
