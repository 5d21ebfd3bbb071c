// What the Node commands share: reading a program (ELF, assembly source or replay file) and
// the host's nondeterministic inputs.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { InputPort, ProgramImage } from '../core';
import { RAM_BASE } from '../core';
import { ElfError, makeSymbolizer, readElf, type ElfSymbol } from '../elf';
import { readReplayFile, REPLAY_MAGIC, REPLAY_MAX_BYTES, ReplayFileError, type ReplayFile, type ReplaySymbol } from '../replay';
import { assembleFile, formatDiagnostics } from './asm';
import { describeFsError, FileLimitError, readFileBounded } from './files';

export { describeFsError };

/** A program ready to load, with what a replay file keeps besides it. */
export interface LoadedProgram {
  image: ProgramImage;
  symbols: ReplaySymbol[];
  source: { fileName: string; text: string } | null;
  symbolize: (addr: number) => string | undefined;
  /** Set when the file was a replay file. */
  replay: ReplayFile | null;
}

/** A program that cannot be loaded: the message is for the user as it stands. */
export class ProgramError extends Error {}

const ASSEMBLY = /\.(s|S|asm)$/;

/** The largest ELF file read (debug sections make ELFs bigger than what they load). */
export const MAX_ELF_BYTES = 256 * 1024 * 1024;
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const REPLAY_MAGIC_BYTES = [...REPLAY_MAGIC].map((c) => c.charCodeAt(0));

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}


/** Reads an ELF, an assembly source (assembled in memory) or a replay file. */
export async function loadProgram(path: string, ramSize: number): Promise<LoadedProgram> {
  if (ASSEMBLY.test(path)) return assembleProgram(path, ramSize);
  let bytes: Uint8Array;
  try {
    bytes = readFileBounded(path, {
      limit: Math.max(MAX_ELF_BYTES, REPLAY_MAX_BYTES),
      what: 'an ELF or replay file',
      sniff: (head) => {
        if (startsWith(head, REPLAY_MAGIC_BYTES)) return { limit: REPLAY_MAX_BYTES, what: 'a replay file' };
        if (startsWith(head, ELF_MAGIC)) return { limit: MAX_ELF_BYTES, what: 'an ELF file' };
        return 'head'; // the ELF reader says what is wrong with it
      },
    });
  } catch (err) {
    if (err instanceof FileLimitError) throw new ProgramError(err.message, { cause: err });
    throw new ProgramError(`cannot read '${path}': ${describeFsError(err)}`, { cause: err });
  }
  if (new TextDecoder('latin1').decode(bytes.subarray(0, REPLAY_MAGIC.length)) === REPLAY_MAGIC) {
    try {
      const replay = readReplayFile(bytes);
      const elfSymbols = replay.symbols.map((s) => toElfSymbol(s.name, s.value, s.size));
      return { image: replay.image, symbols: replay.symbols, source: replay.source, symbolize: makeSymbolizer(elfSymbols), replay };
    } catch (err) {
      if (err instanceof ReplayFileError) throw new ProgramError(`${basename(path)}: ${err.message}`, { cause: err });
      throw err;
    }
  }
  try {
    const elf = readElf(bytes, { ramSize });
    return {
      image: { entry: elf.entry, segments: elf.segments },
      symbols: elf.symbols.filter((s) => s.name !== '').map((s) => ({ name: s.name, value: s.value, size: s.size })),
      source: null,
      symbolize: makeSymbolizer(elf.symbols),
      replay: null,
    };
  } catch (err) {
    if (err instanceof ElfError) throw new ProgramError(`${basename(path)}: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Assembles in memory, as `rewind asm` would. */
function assembleProgram(path: string, ramSize: number): LoadedProgram {
  let assembled;
  try {
    assembled = assembleFile(path, { ramSize });
  } catch (err) {
    if (err instanceof FileLimitError) throw new ProgramError(err.message, { cause: err });
    throw new ProgramError(`cannot read '${path}': ${describeFsError(err)}`, { cause: err });
  }
  const { source, result } = assembled;
  if (!result.ok) {
    throw new ProgramError(`${path}: assembly failed\n${formatDiagnostics(path, source, result.diagnostics.filter((d) => d.severity === 'error')).trimEnd()}`);
  }
  for (const seg of result.segments) {
    if (seg.memSize > 0 && (seg.addr < RAM_BASE || seg.addr + seg.memSize > RAM_BASE + ramSize)) {
      throw new ProgramError(`${path}: a section at 0x${seg.addr.toString(16)} lies outside RAM`);
    }
  }
  const elfSymbols: ElfSymbol[] = result.symbols.map((sym) => ({
    name: sym.name, value: sym.addr, size: sym.size, type: sym.type,
    binding: sym.global ? 'global' : 'local', section: sym.section === null ? 0xfff1 : 1,
  }));
  return {
    image: { entry: result.entry, segments: result.segments },
    symbols: result.symbols.map((s) => ({ name: s.name, value: s.addr, size: s.size })),
    source: { fileName: basename(path), text: source },
    symbolize: makeSymbolizer(elfSymbols),
    replay: null,
  };
}

function toElfSymbol(name: string, value: number, size: number): ElfSymbol {
  return { name, value, size, type: 'func', binding: 'global', section: 1 };
}


/** The host side of the machine's nondeterministic inputs: wall clock and entropy. */
export function hostInputs(): InputPort {
  let pool = randomBytes(0);
  let used = 0;
  return {
    rtcNanoseconds(): number {
      // Wall-clock ns since the epoch (about 2^60), a multiple of 256 so the double holds it exactly.
      const ns = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e3)) * 1000n;
      return Number(ns - (ns % 256n));
    },
    seedEntropy(): number {
      if (used + 2 > pool.length) {
        pool = randomBytes(256);
        used = 0;
      }
      const v = pool.readUInt16LE(used);
      used += 2;
      return v;
    },
  };
}
