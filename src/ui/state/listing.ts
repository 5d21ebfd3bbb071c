/** The disassembly listing the editor shows for a program without source (an ELF). */
import type { Remote } from 'comlink';
import type { EngineApi, SessionInfo, SourceLineInfo } from '../../../workers/api';
import { Disassembler, instructionLength } from '../../isa';
import { hex32, Symbols } from '../format';

const MAX_LISTING = 64 * 1024;

/** The code range: from the entry to the end of the last sized symbol after it (capped). */
function codeRange(session: SessionInfo): { start: number; end: number } {
  const start = session.entry >>> 0;
  let end = start + 0x100;
  for (const s of session.symbols) {
    const v = s.value >>> 0;
    if (v >= start && v < start + MAX_LISTING && s.size > 0) end = Math.max(end, v + s.size);
  }
  return { start, end: Math.min(end, start + MAX_LISTING) };
}

export async function buildListing(api: Remote<EngineApi>, session: SessionInfo): Promise<{ text: string; lines: SourceLineInfo[] }> {
  const { start, end } = codeRange(session);
  const { bytes } = await api.readMemory(start, end - start + 4);
  const syms = new Symbols(session.symbols);
  const labels = new Map<number, string>();
  for (const s of syms.list) if (!labels.has(s.value >>> 0)) labels.set(s.value >>> 0, s.name);
  const dis = new Disassembler({ symbolize: (a) => syms.lookup(a) });
  const out: string[] = [`# ${session.name}: disassembly (no source in this program)`];
  const lines: SourceLineInfo[] = [];
  let off = 0;
  while (start + off < end) {
    const addr = (start + off) >>> 0;
    const label = labels.get(addr);
    if (label !== undefined) { out.push(''); out.push(`${hex32(addr)} <${label}>:`); }
    const half = (bytes[off] ?? 0) | ((bytes[off + 1] ?? 0) << 8);
    const size = instructionLength(half);
    const word = size === 2 ? half : (half | ((bytes[off + 2] ?? 0) << 16) | ((bytes[off + 3] ?? 0) << 24)) >>> 0;
    const enc = size === 2 ? half.toString(16).padStart(4, '0') : word.toString(16).padStart(8, '0');
    out.push(`  ${addr.toString(16)}:\t${enc.padEnd(8)}\t${dis.disassemble(word, addr)}`);
    lines.push({ line: out.length, addr, size, insn: true });
    off += size;
  }
  return { text: out.join('\n') + '\n', lines };
}
