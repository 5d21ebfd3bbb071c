// Reading input files with a bound: a device (/dev/zero, /dev/urandom), a pipe or a huge file
// is read no further than its format allows, so it fails fast with a clear error.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** A file that is too big or not of the expected kind; the message is for the user as it stands. */
export class FileLimitError extends Error {}

export interface BoundedReadOptions {
  /** The most bytes the format allows. */
  limit: number;
  /** What the file should be, for messages ("an ELF file", "a replay file"). */
  what: string;
  /**
   * Called with the first bytes read (up to 64 KiB, or the whole file if shorter): return an
   * error message to stop reading there, 'head' to return just these bytes (for a reader to
   * reject with its own message), or the limit for the kind of file the bytes show.
   */
  sniff?: (head: Uint8Array) => string | 'head' | { limit: number; what: string };
}

const CHUNK = 64 * 1024;

/** Reads `path` whole, but never more than `limit` bytes. Errors from fs (ENOENT...) pass through. */
export function readFileBounded(path: string, options: BoundedReadOptions): Uint8Array {
  let { limit, what } = options;
  /** True when reading stops at the head. */
  const sniff = (head: Uint8Array): boolean => {
    const r = options.sniff!(head);
    if (r === 'head') return true;
    if (typeof r === 'string') throw new FileLimitError(`'${path}': ${r}`);
    ({ limit, what } = r);
    if (head.length > limit) throw new FileLimitError(`'${path}' is larger than ${describeSize(limit)}, the most ${what} can be`);
    return false;
  };
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error(`'${path}' is a directory`), { code: 'EISDIR' });
    if (st.isFile() && st.size > limit) {
      throw new FileLimitError(`'${path}' is ${st.size} bytes; ${what} is at most ${describeSize(limit)}`);
    }
    // A regular file's size is known; a device or pipe is read in chunks up to the limit.
    let buf = new Uint8Array(st.isFile() ? Math.max(1, st.size) : CHUNK);
    let length = 0;
    let sniffed = options.sniff === undefined;
    for (;;) {
      if (length === buf.length) {
        const next = new Uint8Array(Math.min(limit + 1, buf.length * 2));
        next.set(buf);
        buf = next;
      }
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
      const whole = st.isFile() && length === st.size;
      if (!sniffed && (length >= CHUNK || length === buf.length)) {
        sniffed = true;
        if (sniff(buf.subarray(0, length))) break;
      }
      if (length > limit) {
        throw new FileLimitError(`'${path}' is larger than ${describeSize(limit)}, the most ${what} can be`);
      }
      if (whole) break;
    }
    const bytes = buf.subarray(0, length);
    if (!sniffed) sniff(bytes);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

export function describeSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** An fs error as a user reads it. */
export function describeFsError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}
