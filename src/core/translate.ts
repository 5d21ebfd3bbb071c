// Basic-block translator: a straight run of decoded RAM instructions -> one JS function.
//
// A block holds ALU ops, M ops, RAM loads/stores and conditional branches, and ends with (and
// includes) a jump, or before anything else. Everything else (CSR, system, fence, AMO, illegal, fetch faults, a 4-byte
// instruction crossing the page end) ends the block before it; the interpreter runs it.
// Registers live in JS locals inside the block and are written back at every exit.
//
// Contract of a block function (see BlockFn): it runs whole instructions only, at most
// `budget` of them (the caller never enters with budget < len), and returns how many it
// completed, with the next pc in r[PC_OUT]. It stops *before* a load/store that is not an
// in-RAM aligned access (the interpreter then runs that instruction with all its slow paths),
// and right *after* a store that invalidated decoded code (the block may be stale).
// A block whose last instruction jumps back to its own start loops inside the function
// while the budget allows another full pass.

/** Index in the register file where a block leaves the next pc. */
export const PC_OUT = 33;
/** Most instructions in one block. */
export const MAX_BLOCK = 64;

export type BlockFn = (
  r: Int32Array, m8: Uint8Array, m8s: Int8Array, m16: Uint16Array, m16s: Int16Array, m32: Int32Array,
  dirty: Uint8Array, codeFlag: Uint8Array, inv: (off: number, len: number) => boolean,
  mulhuFn: (a: number, b: number) => number, budget: number,
) => number;

/** Ops (decode.ts numbering) a block may contain before its end. */
export function isStraightOp(op: number): boolean {
  return (op >= 13 && op <= 47) || op === 3 || op === 4;
}

/** Ops that end a block and are part of it: JAL, JALR. */
export function isJumpOp(op: number): boolean {
  return op === 5 || op === 6;
}

/** Conditional branches: a block goes on after them. */
export function isBranchOp(op: number): boolean {
  return op >= 7 && op <= 12;
}

/** High 32 bits of the unsigned 64-bit product (the interpreter and blocks share it). */
export function mulhu(a: number, b: number): number {
  a >>>= 0; b >>>= 0;
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + Math.floor(lh / 65536) + Math.floor(hl / 65536) + Math.floor(mid / 65536)) | 0;
}

function branchCond(op: number, a: string, b: string): string {
  switch (op) {
    case 7: return `${a} === ${b}`;
    case 8: return `${a} !== ${b}`;
    case 9: return `${a} < ${b}`;
    case 10: return `${a} >= ${b}`;
    case 11: return `(${a} >>> 0) < (${b} >>> 0)`;
    default: return `(${a} >>> 0) >= (${b} >>> 0)`;
  }
}

/**
 * JS source of a block. `words`: decoded word 0 (flags stripped) and imm of each instruction;
 * `pcs`: their addresses (uint32), consecutive in memory; `ramSize`: bytes of RAM. The source
 * depends on nothing else.
 *
 * Conditional branches inside the block: to the block's start, a loop-back (the function loops
 * while the budget allows one more full pass); with `skips`, a forward branch to a later
 * instruction of the block whose range nests in the enclosing ones becomes an `if`; any other
 * taken branch leaves the block (a side exit). Without `skips` every pass executes a prefix of
 * the block. (Execution tracking notes all of a block's pcs on entry: see Machine.noteBlock.)
 *
 * Counting: `k` is the number of instructions completed before the current pass, minus those
 * skipped so far in it, so `k + i` is the count completed before instruction i.
 */
export function blockSource(words: readonly number[], pcs: readonly number[], ramSize: number, skips: boolean): string {
  const len = pcs.length;
  const start = pcs[0]! | 0;
  const index = new Map<number, number>();
  pcs.forEach((pc, i) => index.set(pc | 0, i));
  const used = new Set<number>();
  const written = new Set<number>();
  let loops = false;
  for (let i = 0; i < len; i++) {
    const d0 = words[2 * i]!;
    const rd = (d0 >> 8) & 63, rs1 = (d0 >> 14) & 31, rs2 = (d0 >> 19) & 31;
    if (rs1 !== 0) used.add(rs1);
    if (rs2 !== 0) used.add(rs2);
    if (rd !== 32 && rd !== 0) { used.add(rd); written.add(rd); }
    const op = d0 & 255;
    if ((op === 5 || (op >= 7 && op <= 12)) && ((pcs[i]! + words[2 * i + 1]!) | 0) === start) loops = true;
  }
  const lastOp = words[2 * (len - 1)]! & 255;
  const fallsThrough = lastOp !== 5 && lastOp !== 6;
  const reg = (n: number): string => (n === 0 ? '0' : `x${n}`);
  const wb = [...written].sort((a, b) => a - b).map((n) => `r[${n}] = x${n};`).join(' ');
  const exit = (pcExpr: string, count: string): string => `{ ${wb} r[${PC_OUT}] = ${pcExpr}; return ${count}; }`;
  const lines: string[] = [];
  const loadRegs = [...used].sort((a, b) => a - b).map((n) => `x${n} = r[${n}]`);
  if (loadRegs.length > 0) lines.push(`let ${loadRegs.join(', ')};`);
  lines.push('let k = 0;');
  if (loops) lines.push('for (;;) {');
  const open: number[] = [];   // end indices of the open skip regions, innermost last
  for (let i = 0; i < len; i++) {
    while (open.length > 0 && open[open.length - 1] === i) { open.pop(); lines.push('}'); }
    const d0 = words[2 * i]!, imm = words[2 * i + 1]!;
    const op = d0 & 255;
    const rdN = (d0 >> 8) & 63;
    const rd = rdN === 32 || rdN === 0 ? '' : `x${rdN}`;
    const a = reg((d0 >> 14) & 31), b = reg((d0 >> 19) & 31);
    const pc = pcs[i]! | 0;
    const npc = (pc + ((d0 & (1 << 24)) !== 0 ? 4 : 2)) | 0;
    const set = (expr: string): void => { if (rd !== '') lines.push(`${rd} = ${expr};`); };
    const addr = `(${a} + ${imm}) ^ -2147483648`;
    switch (op) {
      case 3: set(`${imm | 0}`); break;                                         // LUI
      case 4: set(`${(pc + imm) | 0}`); break;                                  // AUIPC
      case 13: case 14: case 15: case 16: case 17: {                            // loads
        const size = op === 15 ? 4 : op === 14 || op === 17 ? 2 : 1;
        const bad = size === 1 ? `(o >>> 0) >= ${ramSize}` : `(o & ${size - 1}) !== 0 || (o >>> 0) >= ${ramSize}`;
        const val = op === 13 ? 'm8s[o]' : op === 16 ? 'm8[o]' : op === 14 ? 'm16s[o >> 1]' : op === 17 ? 'm16[o >> 1]' : 'm32[o >> 2]';
        lines.push(`{ const o = ${addr}; if (${bad}) ${exit(`${pc}`, `k + ${i}`)}`);
        if (rd !== '') lines.push(`${rd} = ${val};`);
        lines.push('}');
        break;
      }
      case 18: case 19: case 20: {                                              // stores
        const size = op === 20 ? 4 : op === 19 ? 2 : 1;
        const bad = size === 1 ? `(o >>> 0) >= ${ramSize}` : `(o & ${size - 1}) !== 0 || (o >>> 0) >= ${ramSize}`;
        const dst = op === 18 ? 'm8[o]' : op === 19 ? 'm16[o >> 1]' : 'm32[o >> 2]';
        lines.push(`{ const o = ${addr}; if (${bad}) ${exit(`${pc}`, `k + ${i}`)}`);
        lines.push(`${dst} = ${b}; const p = o >>> 12; dirty[p] = 1;`);
        lines.push(`if (codeFlag[p] !== 0 && inv(o, ${size})) ${exit(`${npc}`, `k + ${i + 1}`)} }`);
        break;
      }
      case 21: set(a === '0' ? `${imm}` : `(${a} + ${imm}) | 0`); break;       // ADDI
      case 22: set(`${a} < ${imm} ? 1 : 0`); break;                             // SLTI
      case 23: set(`(${a} >>> 0) < ${imm >>> 0} ? 1 : 0`); break;               // SLTIU
      case 24: set(`${a} ^ ${imm}`); break;                                     // XORI
      case 25: set(`${a} | ${imm}`); break;                                     // ORI
      case 26: set(`${a} & ${imm}`); break;                                     // ANDI
      case 27: set(`${a} << ${imm}`); break;                                    // SLLI
      case 28: set(`(${a} >>> ${imm}) | 0`); break;                             // SRLI
      case 29: set(`${a} >> ${imm}`); break;                                    // SRAI
      case 30: set(`(${a} + ${b}) | 0`); break;                                 // ADD
      case 31: set(`(${a} - ${b}) | 0`); break;                                 // SUB
      case 32: set(`${a} << ${b}`); break;                                      // SLL
      case 33: set(`${a} < ${b} ? 1 : 0`); break;                               // SLT
      case 34: set(`(${a} >>> 0) < (${b} >>> 0) ? 1 : 0`); break;               // SLTU
      case 35: set(`${a} ^ ${b}`); break;                                       // XOR
      case 36: set(`(${a} >>> ${b}) | 0`); break;                               // SRL
      case 37: set(`${a} >> ${b}`); break;                                      // SRA
      case 38: set(`${a} | ${b}`); break;                                       // OR
      case 39: set(`${a} & ${b}`); break;                                       // AND
      case 40: set(`Math.imul(${a}, ${b})`); break;                             // MUL
      case 41: set(`(mulhuFn(${a}, ${b}) - (${a} < 0 ? ${b} : 0) - (${b} < 0 ? ${a} : 0)) | 0`); break;   // MULH
      case 42: set(`(mulhuFn(${a}, ${b}) - (${a} < 0 ? ${b} : 0)) | 0`); break;                        // MULHSU
      case 43: set(`mulhuFn(${a}, ${b})`); break;                                                       // MULHU
      case 44: set(`${b} === 0 ? -1 : (${a} === -2147483648 && ${b} === -1) ? ${a} : (${a} / ${b}) | 0`); break;   // DIV
      case 45: set(`${b} === 0 ? -1 : ((${a} >>> 0) / (${b} >>> 0)) | 0`); break;                                  // DIVU
      case 46: set(`${b} === 0 ? ${a} : (${a} === -2147483648 && ${b} === -1) ? 0 : (${a} % ${b}) | 0`); break;    // REM
      case 47: set(`${b} === 0 ? ${a} : ((${a} >>> 0) % (${b} >>> 0)) | 0`); break;                                // REMU
      case 5: {                                                                 // JAL (always last)
        const t = (pc + imm) | 0;
        set(`${npc}`);
        if (t === start) lines.push(`k += ${i + 1}; if (k + ${len} <= budget) continue; ${exit(`${t}`, 'k')}`);
        else lines.push(exit(`${t}`, `k + ${i + 1}`));
        break;
      }
      case 6: {                                                                 // JALR (always last)
        lines.push(`{ const t = (${a} + ${imm}) & -2;`);
        set(`${npc}`);
        lines.push(`${exit('t', `k + ${i + 1}`)} }`);
        break;
      }
      case 7: case 8: case 9: case 10: case 11: case 12: {                      // branches
        const t = (pc + imm) | 0;
        const cond = branchCond(op, a, b);
        const j = t === ((pcs[len - 1]! + ((words[2 * (len - 1)]! & (1 << 24)) !== 0 ? 4 : 2)) | 0) && fallsThrough ? len : index.get(t);
        if (t === start) {
          lines.push(`if (${cond}) { k += ${i + 1}; if (k + ${len} <= budget) continue; ${exit(`${t}`, 'k')} }`);
        } else if (j === i + 1) {
          // a branch to the next instruction: nothing to do either way
        } else if (skips && j !== undefined && j > i + 1 && (open.length === 0 || j <= open[open.length - 1]!)) {
          lines.push(`if (${cond}) k -= ${j - i - 1}; else {`);
          open.push(j);
        } else {
          lines.push(`if (${cond}) ${exit(`${t}`, `k + ${i + 1}`)}`);
        }
        break;
      }
      default:
        throw new Error(`translate: op ${op} cannot be in a block`);
    }
  }
  while (open.length > 0) { open.pop(); lines.push('}'); }
  if (fallsThrough) {
    const d0 = words[2 * (len - 1)]!;
    lines.push(exit(`${(pcs[len - 1]! + ((d0 & (1 << 24)) !== 0 ? 4 : 2)) | 0}`, `k + ${len}`));
  }
  if (loops) lines.push('}');
  return lines.join('\n');
}

const ARGS = ['r', 'm8', 'm8s', 'm16', 'm16s', 'm32', 'dirty', 'codeFlag', 'inv', 'mulhuFn', 'budget'];
/** Compiled functions by source, shared by all machines: blocks recompile after every cache flush. */
const compiled = new Map<string, BlockFn>();
const MAX_COMPILED = 4096;
/** Set once the host refused `new Function` (then nothing is translated). */
let evalRefused = false;

/** Compile a block's source; null if the host forbids generating code (e.g. a CSP without unsafe-eval). */
export function compileBlock(source: string): BlockFn | null {
  const hit = compiled.get(source);
  if (hit !== undefined) return hit;
  if (evalRefused) return null;
  let fn: BlockFn;
  try {
    fn = new Function(...ARGS, `'use strict';\n${source}`) as BlockFn;
  } catch {
    evalRefused = true;
    return null;
  }
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(source, fn);
  return fn;
}
