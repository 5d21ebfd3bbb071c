import { type Hash64, hashWords, hashEquals } from './hash';

/** Identifies a stored page. 0 is the all-zero page, which is never stored. */
export type PageId = number;

export const PAGE_SIZE = 4096;
const PAGE_WORDS = PAGE_SIZE / 4;
const SLAB_PAGES = 64;

/**
 * Content-addressed, reference-counted 4 KiB pages. Identical pages are stored once.
 * Page buffers come from reused slabs: freshly allocated memory is much slower to fill.
 */
export class PageStore {
  private readonly slabs: Int32Array[] = [];
  private readonly free: number[] = [];
  /** slot (id - 1) -> hash, refcount */
  private readonly hashHi: number[] = [];
  private readonly hashLo: number[] = [];
  private readonly refs: number[] = [];
  private readonly byHash = new Map<number, PageId[]>();
  private live = 0;

  /** Bytes of page content held (slab capacity, which is what the process pays for). */
  get bytes(): number { return this.slabs.length * SLAB_PAGES * PAGE_SIZE; }
  /** Number of distinct non-zero pages stored. */
  get count(): number { return this.live; }

  /** Hash of a page as stored in this store (and used in digests). Zero page -> ZERO. */
  static hashPage(words: Int32Array): Hash64 { return hashWords(words); }
  static readonly ZERO_PAGE_HASH: Hash64 = hashWords(new Int32Array(PAGE_WORDS));

  /**
   * Stores (or finds) a page with this content, taking one reference. `words` is read, not kept.
   * Returns 0 for an all-zero page.
   */
  intern(words: Int32Array, hash: Hash64 = hashWords(words)): PageId {
    if (hashEquals(hash, PageStore.ZERO_PAGE_HASH) && isZero(words)) return 0;
    const key = bucketKey(hash);
    const bucket = this.byHash.get(key);
    if (bucket) {
      for (const id of bucket) {
        if (this.hashHi[id - 1] === hash.hi && this.hashLo[id - 1] === hash.lo && equalWords(this.words(id), words)) {
          this.refs[id - 1]!++;
          return id;
        }
      }
    }
    const id = this.allocate();
    this.words(id).set(words);
    this.hashHi[id - 1] = hash.hi;
    this.hashLo[id - 1] = hash.lo;
    this.refs[id - 1] = 1;
    if (bucket) bucket.push(id); else this.byHash.set(key, [id]);
    this.live++;
    return id;
  }

  /** Takes another reference to a stored page. */
  retain(id: PageId): void {
    if (id !== 0) this.refs[id - 1]!++;
  }

  /** Drops one reference; the slot is reused once none are left. */
  release(id: PageId): void {
    if (id === 0) return;
    const slot = id - 1;
    const r = this.refs[slot]! - 1;
    this.refs[slot] = r;
    if (r > 0) return;
    const key = bucketKey({ hi: this.hashHi[slot]!, lo: this.hashLo[slot]! });
    const bucket = this.byHash.get(key);
    if (bucket) {
      const at = bucket.indexOf(id);
      if (at >= 0) bucket.splice(at, 1);
      if (bucket.length === 0) this.byHash.delete(key);
    }
    this.free.push(id);
    this.live--;
  }

  hashOf(id: PageId): Hash64 {
    if (id === 0) return PageStore.ZERO_PAGE_HASH;
    return { hi: this.hashHi[id - 1]!, lo: this.hashLo[id - 1]! };
  }

  /** The page's words (a view into a slab; do not keep across release). */
  words(id: PageId): Int32Array {
    const slot = id - 1;
    const slab = this.slabs[Math.floor(slot / SLAB_PAGES)];
    if (!slab || id === 0) throw new RangeError(`page ${id} is not stored`);
    const off = (slot % SLAB_PAGES) * PAGE_WORDS;
    return slab.subarray(off, off + PAGE_WORDS);
  }

  /** The page's bytes (a view; all zero for id 0 is not provided: callers zero-fill). */
  bytesOf(id: PageId): Uint8Array {
    const w = this.words(id);
    return new Uint8Array(w.buffer, w.byteOffset, PAGE_SIZE);
  }

  private allocate(): PageId {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slot = this.hashHi.length;
    if (slot >= this.slabs.length * SLAB_PAGES) this.slabs.push(new Int32Array(SLAB_PAGES * PAGE_WORDS));
    this.hashHi.push(0); this.hashLo.push(0); this.refs.push(0);
    return slot + 1;
  }
}

function bucketKey(h: Hash64): number {
  return h.hi * 0x200000 + (h.lo >>> 11);
}

function isZero(words: Int32Array): boolean {
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
  return true;
}

function equalWords(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
