/**
 * The replay file: one self-contained, versioned, checksummed binary (docs/replay-format.md).
 * Version 2 is a stream of checksummed records that a recorder appends as it goes, so a file
 * cut by a crash is read up to its last checkpoint; version 1 files (one checksum at the end)
 * are still read. The reader validates every field before it allocates anything sized by the
 * file, and checks the event log against the digests recorded with it.
 */
import type { ProgramImage } from '../core';
import { EventLog, isBoundaryEvent } from './eventLog';
import { LogDigest, hashEquals, type Hash64 } from './hash';
import { ByteReader, ByteWriter, ReplayFileError, crc32, hex } from './fileBytes';
import {
  readConf, readName, readImage, readSymbols, readSource, readEvents, readHashes, readCheckpoint, readFinal,
  FINAL_BYTES, type Checkpoint, type Conf, type Final, type HashEntry, type ReplaySymbol,
} from './fileRecords';
import { ReplayFileWriter, HEADER_BYTES, RECORD_OVERHEAD, REPLAY_MAGIC, REPLAY_VERSION } from './fileWriter';

export { ReplayFileError, crc32 } from './fileBytes';
export { REPLAY_MAGIC, REPLAY_VERSION, ReplayFileWriter, type RecordingHeader } from './fileWriter';
export { MAX_RAM_SIZE, type ReplaySymbol, type HashEntry } from './fileRecords';

export const REPLAY_MAX_BYTES = 512 * 1024 * 1024;

export interface ReplayFile {
  /** The format version the file was read from (files are written in REPLAY_VERSION). */
  version: number;
  ramSize: number;
  snapshotInterval: number;
  name: string;
  image: ProgramImage;
  symbols: ReplaySymbol[];
  source: { fileName: string; text: string } | null;
  log: EventLog;
  /** The end of the log: the instruction count the recording reached (or was recovered to). */
  finalIcount: number;
  exit: { code: number } | null;
  /**
   * The state hash at icount 0. Version 2 covers the reset ROM (and so the entry point) too;
   * version 1 files hashed CPU, devices and RAM only.
   */
  initialHash: { hash: Hash64; coversRom: boolean } | null;
  /** State hashes after icount 0, in increasing (icount, logIndex): each is checked when replay passes it. */
  hashes: HashEntry[];
  /** Set when the recording was cut (the recorder was killed): what the file still holds. */
  recovered: Recovery | null;
}

export interface Recovery {
  /** The furthest instruction count the file shows the recording reached. */
  cutAt: number;
  /** The last checkpoint: the log ends here. */
  recoveredTo: number;
  /** Where the file stops being readable. */
  byteOffset: number;
}

/** The one-line notice for a recovered recording. */
export function recoveryNotice(r: Recovery): string {
  return `recording was cut at icount ${r.cutAt}; recovered up to icount ${r.recoveredTo}`;
}

// ---------------------------------------------------------------------------------- write

/** The whole file at once (exports): the same records a recorder streams, ending with the final record. */
export function writeReplayFile(f: ReplayFile): Uint8Array {
  if (!f.initialHash?.coversRom) throw new Error('internal: a replay file is written with the initial state hash that covers the reset ROM');
  const out = new ByteWriter(1 << 16);
  const writer = new ReplayFileWriter((b) => out.bytes(b));
  writer.begin({
    ramSize: f.ramSize, snapshotInterval: f.snapshotInterval, name: f.name, image: f.image, symbols: f.symbols, source: f.source,
    initialHash: f.initialHash.hash,
  });
  writer.events(f.log);
  writer.hashes(f.hashes);
  writer.finish(f.finalIcount, f.exit);
  return out.result();
}

// ---------------------------------------------------------------------------------- read

export function readReplayFile(bytes: Uint8Array): ReplayFile {
  if (bytes.length > REPLAY_MAX_BYTES) throw new ReplayFileError(`file is ${bytes.length} bytes; the limit is ${REPLAY_MAX_BYTES}`, 0);
  if (bytes.length < HEADER_BYTES) throw new ReplayFileError(`file is ${bytes.length} bytes, too short for a header`, 0);
  const magic = new TextDecoder('latin1').decode(bytes.subarray(0, 8));
  if (magic !== REPLAY_MAGIC) throw new ReplayFileError(`magic is ${JSON.stringify(magic)}, expected "${REPLAY_MAGIC}": not a Rewind replay file`, 0);
  const hv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = hv.getUint16(8, true);
  if (version === 1) return readVersion1(bytes, hv);
  if (version !== REPLAY_VERSION) throw new ReplayFileError(`format version ${version} is not supported (this Rewind reads versions 1 and ${REPLAY_VERSION})`, 8);
  const headerCrc = crc32(bytes.subarray(0, 12));
  if (hv.getUint32(12, true) !== headerCrc) throw new ReplayFileError('header checksum mismatch: the file is damaged', 12);
  const flags = hv.getUint16(10, true);
  if (flags !== 0) throw new ReplayFileError(`header flags are 0x${flags.toString(16)}; version ${REPLAY_VERSION} defines none`, 10);
  return readVersion2(bytes, hv);
}

const STATIC = ['CONF', 'NAME', 'IMAG', 'SYMS', 'SRC_', 'INIT'] as const;
const REQUIRED_STATIC = ['CONF', 'NAME', 'IMAG', 'SYMS', 'INIT'] as const;

function readVersion2(bytes: Uint8Array, hv: DataView): ReplayFile {
  const len = bytes.length;
  // A complete file ends with its final record; without one, the recording was cut.
  const finalAt = len - (FINAL_BYTES + RECORD_OVERHEAD);
  let final: Final | null = null;
  if (finalAt >= HEADER_BYTES && tagAt(bytes, finalAt) === 'FINL' && hv.getUint32(finalAt + 4, true) === FINAL_BYTES) {
    if (hv.getUint32(len - 4, true) !== crc32(bytes.subarray(finalAt, len - 4))) {
      throw new ReplayFileError('record FINL: checksum mismatch: the file is damaged', finalAt);
    }
    final = readFinal(new ByteReader(bytes, finalAt + 8, len - 4, 'record FINL'));
  }
  const maxIcount = final ? final.finalIcount : Number.MAX_SAFE_INTEGER;

  let conf: Conf | null = null;
  let name = '';
  let image: ProgramImage | null = null;
  let symbols: ReplaySymbol[] = [];
  let source: ReplayFile['source'] = null;
  let initial: Hash64 | null = null;
  const seen = new Set<string>();
  const log = new EventLog();
  const hashes: HashEntry[] = [];
  const checkpoints: Checkpoint[] = [];
  const digest = new LogDigest();
  const digestTo = (n: number): Hash64 => {
    for (let i = digest.count; i < n; i++) digest.add(log.icountAt(i), log.kindAt(i), log.payloadAt(i), log.dataAt(i));
    return digest.value();
  };
  let lastIcount = 0;
  let pos = HEADER_BYTES;
  let cutAt: number | null = null;

  while (pos < len) {
    const at = pos;
    // A record that does not fit or fails its checksum ends a cut file; in a complete one it is damage.
    // A whole record that fails its checksum at the end of the file, or a whole final record, is
    // damage too: a write cut short leaves a record that runs past the end, or garbage after it.
    const broken = (why: string, whole: boolean): void => {
      if (final || whole) throw new ReplayFileError(`record at byte ${at}: ${why}: the file is damaged`, at);
      cutAt = at;
    };
    if (len - at < RECORD_OVERHEAD) { broken('the file ends inside a record header', false); break; }
    const tag = tagAt(bytes, at);
    const size = hv.getUint32(at + 4, true);
    if (size > len - at - RECORD_OVERHEAD) { broken(`record ${printable(tag)} of ${size} bytes runs past the end of the file`, false); break; }
    const end = at + 8 + size;
    if (hv.getUint32(end, true) !== crc32(bytes.subarray(at, end))) { broken(`record ${printable(tag)}: checksum mismatch`, end + 4 === len || tag === 'FINL'); break; }
    pos = end + 4;
    const r = new ByteReader(bytes, at + 8, end, `record ${tag}`);
    const isStatic = (STATIC as readonly string[]).includes(tag);
    if (isStatic) {
      if (seen.has(tag)) r.fail(`appears twice`, at);
      if (seen.has('LOG')) r.fail(`comes after the log has begun`, at);
      if (tag !== 'CONF' && !conf) r.fail('comes before the CONF record', at);
      seen.add(tag);
    } else if (['LOG_', 'HASH', 'CHKP', 'FINL'].includes(tag)) {
      if (!seen.has('LOG')) {
        for (const t of REQUIRED_STATIC) if (!seen.has(t)) r.fail(`comes before the required ${t} record`, at);
        seen.add('LOG');
      }
    } else {
      r.fail(`unknown record ${JSON.stringify(printable(tag))}`, at);
    }
    switch (tag) {
      case 'CONF': conf = readConf(r); break;
      case 'NAME': name = readName(r); break;
      case 'IMAG': image = readImage(r, conf!.ramSize); break;
      case 'SYMS': symbols = readSymbols(r); break;
      case 'SRC_': source = readSource(r); break;
      case 'INIT': initial = { hi: r.u32('initial state hash'), lo: r.u32('initial state hash') }; r.done(); break;
      case 'LOG_': {
        const first = r.u32('first event index');
        if (first !== log.length) r.fail(`starts at event ${first}, but ${log.length} events came before it`, r.pos - 4);
        readEvents(r, log, r.u32('event count'), conf!.ramSize, maxIcount);
        r.done();
        if (log.length > 0) lastIcount = Math.max(lastIcount, log.lastIcount);
        break;
      }
      case 'HASH': {
        const first = r.u32('first hash index');
        if (first !== hashes.length) r.fail(`starts at hash ${first}, but ${hashes.length} hashes came before it`, r.pos - 4);
        const list = readHashes(r, r.u32('hash count'), first);
        for (const [k, h] of list.entries()) {
          const prev = hashes[hashes.length - 1];
          if (prev && !(h.icount > prev.icount || (h.icount === prev.icount && h.logIndex > prev.logIndex))) {
            r.fail(`hash ${first + k} at icount ${h.icount} (after event ${h.logIndex}) is not after the one before it`);
          }
          if (h.logIndex > log.length) r.fail(`hash ${first + k} follows event ${h.logIndex}, which comes later in the file`);
          hashes.push(h);
          lastIcount = Math.max(lastIcount, h.icount);
        }
        break;
      }
      case 'CHKP': {
        const c = readCheckpoint(r);
        const prev = checkpoints[checkpoints.length - 1];
        if (prev && (c.icount < prev.icount || c.logIndex < prev.logIndex)) r.fail(`checkpoint at icount ${c.icount} is before the previous one (${prev.icount})`, at);
        if (c.logIndex !== log.length) r.fail(`checkpoint at icount ${c.icount} follows ${c.logIndex} events, but ${log.length} came before it`, at);
        if (!hashEquals(digestTo(c.logIndex), c.logDigest)) r.fail(`checkpoint at icount ${c.icount}: the ${c.logIndex} events before it do not match its log digest (the log was altered)`, at);
        if (c.icount > maxIcount) r.fail(`checkpoint at icount ${c.icount} is past the end of the log (${maxIcount})`, at);
        checkpoints.push(c);
        lastIcount = Math.max(lastIcount, c.icount);
        break;
      }
      case 'FINL':
        if (!final || at !== finalAt) r.fail('the final record must end the file', at);
        break;
    }
  }

  if (!REQUIRED_STATIC.every((t) => seen.has(t))) {
    throw new ReplayFileError(`the file ends (at byte ${cutAt ?? len}) before its program and initial state are complete: nothing can be recovered`, cutAt ?? len);
  }
  const ramSize = conf!.ramSize;
  let recovered: Recovery | null = null;
  let finalIcount: number;
  let exit: ReplayFile['exit'];
  let entries: HashEntry[];
  if (final) {
    if (final.eventCount !== log.length) throw new ReplayFileError(`record FINL: the file holds ${log.length} events, but the recording ended with ${final.eventCount}`, finalAt);
    if (!hashEquals(digestTo(log.length), final.logDigest)) throw new ReplayFileError('record FINL: the event log does not match its digest (the log was altered)', finalAt);
    finalIcount = final.finalIcount;
    exit = final.exit;
    entries = mergeHashes(hashes, checkpoints);
    const last = entries[entries.length - 1];
    if (final.endHashed && !(last && last.icount === finalIcount && last.logIndex === log.length)) {
      throw new ReplayFileError(`record FINL: the recording ends at icount ${finalIcount}, but its last state hash is at icount ${last?.icount ?? 0}`, finalAt);
    }
  } else {
    // Cut: keep what the last checkpoint vouches for.
    const c = checkpoints[checkpoints.length - 1] ?? { icount: 0, logIndex: 0, hash: null };
    const keep = (h: HashEntry): boolean => h.icount < c.icount || (h.icount === c.icount && h.logIndex <= c.logIndex);
    log.truncate(c.logIndex);
    finalIcount = c.icount;
    exit = null;
    entries = mergeHashes(hashes.filter(keep), checkpoints);
    recovered = { cutAt: Math.max(lastIcount, c.icount), recoveredTo: c.icount, byteOffset: cutAt ?? len };
  }
  checkHashesAgainstLog(entries, log, finalIcount);
  return {
    version: REPLAY_VERSION, ramSize, snapshotInterval: conf!.snapshotInterval, name, image: image!, symbols, source, log,
    finalIcount, exit, initialHash: { hash: initial!, coversRom: true }, hashes: entries, recovered,
  };
}

/** Periodic hashes and checkpoints in one list; the same (icount, logIndex) must carry the same hash. */
function mergeHashes(hashes: readonly HashEntry[], checkpoints: readonly Checkpoint[]): HashEntry[] {
  const all: HashEntry[] = [...hashes, ...checkpoints.map((c) => ({ icount: c.icount, logIndex: c.logIndex, hash: c.hash }))];
  all.sort((a, b) => a.icount - b.icount || a.logIndex - b.logIndex);
  const out: HashEntry[] = [];
  for (const h of all) {
    const prev = out[out.length - 1];
    if (prev && prev.icount === h.icount && prev.logIndex === h.logIndex) {
      if (!hashEquals(prev.hash, h.hash)) throw new ReplayFileError(`two different state hashes for icount ${h.icount} after event ${h.logIndex}`, null);
      continue;
    }
    out.push(h);
  }
  return out;
}

/**
 * A hash at (icount, logIndex) describes the state before instruction `icount` with the first
 * `logIndex` events consumed: those must lie at or before it (at it only if applied before the
 * instruction), the rest at or after it.
 */
function checkHashesAgainstLog(entries: readonly HashEntry[], log: EventLog, finalIcount: number): void {
  for (const h of entries) {
    const where = `state hash at icount ${h.icount} (after event ${h.logIndex})`;
    if (h.icount > finalIcount) throw new ReplayFileError(`${where} is past the end of the log (${finalIcount})`, null);
    if (h.logIndex > log.length) throw new ReplayFileError(`${where}: the log has only ${log.length} events`, null);
    if (h.logIndex > 0) {
      const i = h.logIndex - 1;
      const at = log.icountAt(i);
      if (at > h.icount || (at === h.icount && !isBoundaryEvent(log.kindAt(i)))) {
        throw new ReplayFileError(`${where}: event ${i} at icount ${at} cannot have been consumed by then`, null);
      }
    }
    if (h.logIndex < log.length && log.icountAt(h.logIndex) < h.icount) {
      throw new ReplayFileError(`${where}: event ${h.logIndex} at icount ${log.icountAt(h.logIndex)} should have been consumed by then`, null);
    }
  }
}

// ---------------------------------------------------------------------------------- version 1

const V1_REQUIRED = ['CONF', 'NAME', 'IMAG', 'SYMS', 'LOG_', 'FINL', 'HASH'] as const;

/** Version 1: sections in one container with one CRC-32 at the end (written before format 2). */
function readVersion1(bytes: Uint8Array, hv: DataView): ReplayFile {
  if (bytes.length < HEADER_BYTES + 4) throw new ReplayFileError(`file is ${bytes.length} bytes, too short for a header and checksum`, 0);
  const flags = hv.getUint16(10, true);
  if (flags !== 0) throw new ReplayFileError(`header flags are 0x${flags.toString(16)}; version 1 defines none`, 10);
  const bodyEnd = bytes.length - 4;
  const stored = hv.getUint32(bodyEnd, true);
  const actual = crc32(bytes.subarray(0, bodyEnd));
  if (stored !== actual) {
    throw new ReplayFileError(`checksum mismatch (stored 0x${hex(stored)}, computed 0x${hex(actual)}): the file is damaged or truncated`, bodyEnd);
  }
  const sectionCount = hv.getUint32(12, true);
  if (sectionCount > 16) throw new ReplayFileError(`section count ${sectionCount} is more than the format has`, 12);
  const sections = new Map<string, ByteReader>();
  const top = new ByteReader(bytes, HEADER_BYTES, bodyEnd, 'header');
  for (let i = 0; i < sectionCount; i++) {
    const at = top.pos;
    const tag = top.ascii(4, `section ${i} tag`);
    const size = top.u32(`section ${tag} length`);
    top.need(size, `section ${tag}`);
    if (!(V1_REQUIRED as readonly string[]).includes(tag) && tag !== 'SRC_') top.fail(`unknown section ${JSON.stringify(printable(tag))}`, at);
    if (sections.has(tag)) top.fail(`section ${tag} appears twice`, at);
    sections.set(tag, new ByteReader(bytes, top.pos, top.pos + size, `section ${tag}`));
    top.pos += size;
  }
  top.done();
  for (const tag of V1_REQUIRED) if (!sections.has(tag)) throw new ReplayFileError(`required section ${tag} is missing`, HEADER_BYTES);
  const get = (tag: string): ByteReader => sections.get(tag)!;

  const conf = readConf(get('CONF'));
  const name = readName(get('NAME'));
  const image = readImage(get('IMAG'), conf.ramSize);
  const symbols = readSymbols(get('SYMS'));
  const sr = sections.get('SRC_');
  const source = sr ? readSource(sr) : null;

  const fi = get('FINL');
  const finalIcount = fi.count('final instruction count');
  const exited = fi.u8('exited flag');
  if (exited > 1) fi.fail(`exited flag is ${exited}, must be 0 or 1`, fi.pos - 1);
  const exitCode = fi.i32('exit code');
  fi.done();

  const lg = get('LOG_');
  const log = new EventLog();
  readEvents(lg, log, lg.u32('event count'), conf.ramSize, finalIcount);
  lg.done();

  const hs = get('HASH');
  const list = readHashes(hs, hs.u32('hash count'), 0);
  let prev = -1;
  for (const [i, h] of list.entries()) {
    if (h.icount <= prev || h.icount > finalIcount) throw new ReplayFileError(`section HASH: hash ${i} icount ${h.icount} is out of order or past the end of the log`, null);
    prev = h.icount;
  }
  checkHashesAgainstLog(list, log, finalIcount);
  const first = list[0];
  const initialHash = first && first.icount === 0 && first.logIndex === 0 ? { hash: first.hash, coversRom: false } : null;
  return {
    version: 1, ramSize: conf.ramSize, snapshotInterval: conf.snapshotInterval, name, image, symbols, source, log, finalIcount,
    exit: exited ? { code: exitCode } : null, initialHash, hashes: initialHash ? list.slice(1) : list, recovered: null,
  };
}

function tagAt(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

function printable(tag: string): string {
  return tag.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
