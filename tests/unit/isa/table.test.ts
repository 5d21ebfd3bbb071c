import { describe, expect, it } from 'vitest';
import {
  CSRS, csrName, csrNumber, decode, disassemble, encode, expand, extractField, fieldFits, fieldMask, FIELDS,
  INSTRUCTIONS, instructionLength, insertField, KEYWORDS, matches, REGISTERS, registerNumber, syntaxFields,
  type FieldName,
} from '../../../src/isa';

// Deterministic PRNG (xorshift32) so failures reproduce.
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
}

describe('instruction table', () => {
  it('has unique names and match bits inside the mask', () => {
    const names = new Set<string>();
    for (const d of INSTRUCTIONS) {
      expect(names.has(d.name), d.name).toBe(false);
      names.add(d.name);
      expect((d.match & ~d.mask) >>> 0, d.name).toBe(0);
      expect(instructionLength(d.match & 0xffff), d.name).toBe(d.size);
    }
  });

  it('accounts for every bit of every encoding: mask plus operand fields, without overlap', () => {
    for (const d of INSTRUCTIONS) {
      let covered = d.mask;
      for (const f of syntaxFields(d.syntax)) {
        const m = fieldMask(FIELDS[f]);
        expect((covered & m) >>> 0, `${d.name}: field ${f} overlaps fixed bits or another field`).toBe(0);
        covered = (covered | m) >>> 0;
      }
      expect(covered >>> 0, d.name).toBe(d.size === 4 ? 0xffffffff : 0xffff);
    }
  });

  it('has no overlapping 32-bit encodings', () => {
    const wide = INSTRUCTIONS.filter((d) => d.size === 4);
    for (const a of wide) {
      for (const b of wide) {
        if (a === b) continue;
        const overlap = ((a.match ^ b.match) & a.mask & b.mask) === 0;
        expect(overlap, `${a.name} overlaps ${b.name}`).toBe(false);
      }
    }
  });

  it('has no overlapping 16-bit encodings (exhaustive over all halfwords)', () => {
    const narrow = INSTRUCTIONS.filter((d) => d.size === 2);
    let defined = 0;
    for (let w = 0; w < 0x10000; w++) {
      if ((w & 3) === 3) continue;
      const hits = narrow.filter((d) => matches(d, w));
      expect(hits.length, `${w.toString(16)}: ${hits.map((h) => h.name).join(', ')}`).toBeLessThanOrEqual(1);
      if (hits.length === 1) defined++;
    }
    // Sanity: most of the compressed space is defined for RV32C.
    expect(defined).toBeGreaterThan(28000); // RV32C without the F/D loads and stores
  });

  it('covers RV32IMAC + Zicsr + Zifencei', () => {
    const names = new Set(INSTRUCTIONS.map((d) => d.name));
    for (const n of ['lui', 'auipc', 'jal', 'jalr', 'beq', 'bgeu', 'lb', 'lhu', 'sw', 'addi', 'srai', 'and', 'fence',
      'fence.tso', 'ecall', 'ebreak', 'fence.i', 'csrrw', 'csrrci', 'mul', 'remu', 'lr.w', 'sc.w.aqrl', 'amomaxu.w.rl',
      'c.addi4spn', 'c.lw', 'c.sw', 'c.nop', 'c.addi', 'c.jal', 'c.li', 'c.addi16sp', 'c.lui', 'c.srli', 'c.srai',
      'c.andi', 'c.sub', 'c.xor', 'c.or', 'c.and', 'c.j', 'c.beqz', 'c.bnez', 'c.slli', 'c.lwsp', 'c.jr', 'c.mv',
      'c.ebreak', 'c.jalr', 'c.add', 'c.swsp', 'mret', 'wfi']) {
      expect(names.has(n), n).toBe(true);
    }
    expect(INSTRUCTIONS.filter((d) => d.extension === 'A')).toHaveLength(44);
  });

  it('round-trips decode(encode(x)) for random operands of every instruction', () => {
    const next = rng(12345);
    for (const d of INSTRUCTIONS) {
      for (let k = 0; k < 200; k++) {
        const ops: Partial<Record<FieldName, number>> = {};
        for (const f of syntaxFields(d.syntax)) {
          const field = FIELDS[f];
          // A random encoding of the field, read back as its value: always in range.
          ops[f] = extractField(field, next() & fieldMask(field));
        }
        let word: number;
        try { word = encode(d.name, ops); } catch { continue; } // reserved value (e.g. c.lui 0)
        const dec = decode(word);
        expect(dec?.name, `${d.name} ${word.toString(16)}`).toBe(d.name);
        for (const f of syntaxFields(d.syntax)) expect(dec?.operands[f], `${d.name}.${f}`).toBe(ops[f]);
      }
    }
  });

  it('expands every compressed instruction to its 32-bit equivalent', () => {
    const next = rng(7);
    for (const d of INSTRUCTIONS.filter((x) => x.size === 2)) {
      expect(d.expansion, d.name).toBeDefined();
      for (let k = 0; k < 50; k++) {
        const w = ((next() & ~d.mask) | d.match) & 0xffff;
        const dec = decode(w);
        if (!dec || dec.name !== d.name) continue;
        const ex = expand(dec);
        expect(ex.size).toBe(4);
        // The expansion is encodable as the base instruction.
        expect(() => encode(ex.name, ex.operands)).not.toThrow();
      }
    }
    const cAddi = decode(0x0505);
    expect(cAddi && expand(cAddi)).toMatchObject({ name: 'addi', operands: { rd: 10, rs1: 10, imm12: 1 } });
  });

  it('decodes and encodes known words', () => {
    expect(encode('addi', { rd: 10, rs1: 10, imm12: 1 })).toBe(0x00150513);
    expect(encode('jal', { rd: 1, jimm: 16 })).toBe(0x010000ef);
    expect(encode('c.addi', { crd: 10, cimm6: 1 })).toBe(0x0505);
    expect(encode('c.jr', { crs1: 1 })).toBe(0x8082);
    expect(decode(0x12345537)).toMatchObject({ name: 'lui', operands: { rd: 10, uimm20: 0x12345 } });
    expect(decode(0xfe000ee3)?.operands.bimm).toBe(-4); // beq x0,x0,.-4
    expect(decode(0x0000)).toBeNull();
    expect(decode(0xffffffff)).toBeNull();
    expect(instructionLength(0x8082)).toBe(2);
    expect(instructionLength(0x0513)).toBe(4);
  });

  it('rejects values that do not fit a field', () => {
    expect(fieldFits(FIELDS.imm12, 2047)).toBe(true);
    expect(fieldFits(FIELDS.imm12, 2048)).toBe(false);
    expect(fieldFits(FIELDS.bimm, 3)).toBe(false);
    expect(fieldFits(FIELDS.crdq, 7)).toBe(false);
    expect(fieldFits(FIELDS.crdq, 8)).toBe(true);
    expect(insertField(FIELDS.crdq, 15)).toBe(7 << 2);
    expect(() => encode('c.lui', { crd: 10, clui: 0 })).toThrow();
  });
});

describe('registers and CSRs', () => {
  it('names all 32 registers', () => {
    expect(REGISTERS).toHaveLength(32);
    expect(REGISTERS[2]?.abi).toBe('sp');
    expect(registerNumber('fp')).toBe(8);
    expect(registerNumber('x31')).toBe(31);
    expect(registerNumber('t6')).toBe(31);
  });

  it('knows machine CSRs, counters and seed', () => {
    expect(csrNumber('mstatus')).toBe(0x300);
    expect(csrNumber('MEPC')).toBe(0x341);
    expect(csrNumber('seed')).toBe(0x015);
    expect(csrNumber('cycleh')).toBe(0xc80);
    expect(csrNumber('mhpmcounter31h')).toBe(0xb9f);
    expect(csrNumber('mstatush')).toBe(0x310);
    expect(csrName(0x310, '1.11')).toBeUndefined();
    expect(csrName(0x310)).toBe('mstatush');
    const nums = new Set(CSRS.map((c) => `${c.number}/${c.spec ?? ''}`));
    expect(nums.size).toBe(CSRS.length);
  });

  it('lists editor keywords', () => {
    expect(KEYWORDS.mnemonics).toContain('c.addi');
    expect(KEYWORDS.pseudoInstructions).toContain('la');
    expect(KEYWORDS.directives).toContain('.asciz');
    expect(KEYWORDS.registers).toContain('a0');
  });
});

describe('disassembler', () => {
  it('prints objdump text', () => {
    expect(disassemble(0x00150513, 0)).toBe('add\ta0,a0,1');
    expect(disassemble(0x00150513, 0, { aliases: false })).toBe('addi\ta0,a0,1');
    expect(disassemble(0x010000ef, 0x80000000, { symbolize: (a) => (a === 0x80000010 ? 'main' : undefined) }))
      .toBe('jal\t80000010 <main>');
    expect(disassemble(0x010000ef, 0x80000000, { aliases: false })).toBe('jal\tra,80000010');
    expect(disassemble(0x8082, 0)).toBe('ret');
    expect(disassemble(0x8082, 0, { aliases: false })).toBe('c.jr\tra');
    expect(disassemble(0x0000, 0)).toBe('unimp');
    expect(disassemble(0x0000100b, 0)).toBe('.4byte\t0x100b');
    expect(disassemble(0x6001, 0)).toBe('.2byte\t0x6001');
    expect(disassemble(0x30002573, 0)).toBe('csrr\ta0,mstatus');
    expect(disassemble(0xc80025f3, 0)).toBe('rdcycleh\ta1');
    expect(disassemble(0x0ff0000f, 0)).toBe('fence');
    expect(disassemble(0x0330000f, 0)).toBe('fence\trw,rw');
  });
});
