// SiFive PLIC as QEMU 7.2's virt board configures it: 96 sources, 7 priority levels,
// contexts 0 (hart 0 M-mode -> mip.MEIP) and 1 (hart 0 S-mode; registers only, no S-mode here).

export const PLIC_SIZE = 0x202000;
const NUM_SOURCES = 96;
const WORDS = NUM_SOURCES / 32;
const NUM_CONTEXTS = 2;
const PRIORITY_MASK = 7;

export class Plic {
  readonly priority = new Uint32Array(NUM_SOURCES);
  readonly pending = new Uint32Array(WORDS);
  readonly claimed = new Uint32Array(WORDS);
  readonly enable = new Uint32Array(WORDS * NUM_CONTEXTS);
  readonly threshold = new Uint32Array(NUM_CONTEXTS);
  /** Output to hart 0's mip.MEIP. */
  meip = false;

  reset(): void {
    this.priority.fill(0); this.pending.fill(0); this.claimed.fill(0);
    this.enable.fill(0); this.threshold.fill(0);
    this.meip = false;
  }

  /** Interrupt line from a device: pending follows the level (QEMU's sifive_plic_irq_request). */
  setLevel(irq: number, level: boolean): void {
    const w = irq >> 5, bit = 1 << (irq & 31);
    const p = this.pending[w] ?? 0;
    this.pending[w] = level ? (p | bit) >>> 0 : (p & ~bit) >>> 0;
    this.update();
  }

  /** Highest-priority pending, enabled, unclaimed source above the threshold (0 = none). */
  best(ctx: number): number {
    let maxIrq = 0;
    let maxPrio = this.threshold[ctx] ?? 0;
    for (let i = 0; i < WORDS; i++) {
      const pen = ((this.pending[i] ?? 0) & ~(this.claimed[i] ?? 0) & (this.enable[ctx * WORDS + i] ?? 0)) >>> 0;
      if (pen === 0) continue;
      for (let j = 0; j < 32; j++) {
        const irq = (i << 5) + j;
        const prio = this.priority[irq] ?? 0;
        if ((pen & (1 << j)) && prio > maxPrio) { maxIrq = irq; maxPrio = prio; }
      }
    }
    return maxIrq;
  }

  private update(): void {
    this.meip = this.best(0) !== 0;
  }

  private setBit(arr: Uint32Array, irq: number, on: boolean): void {
    const w = irq >> 5, bit = 1 << (irq & 31);
    const v = arr[w] ?? 0;
    arr[w] = on ? (v | bit) >>> 0 : (v & ~bit) >>> 0;
  }

  /** 32-bit register read; `sideEffects` false for the debugger (claim is not performed). */
  read(off: number, sideEffects: boolean): number {
    if (off < NUM_SOURCES * 4) return this.priority[off >> 2] ?? 0;
    if (off >= 0x1000 && off < 0x1000 + NUM_SOURCES / 8) return this.pending[(off - 0x1000) >> 2] ?? 0;
    if (off >= 0x2000 && off < 0x2000 + NUM_CONTEXTS * 0x80) {
      const ctx = (off - 0x2000) >> 7, word = (off & 0x7f) >> 2;
      return word < WORDS ? this.enable[ctx * WORDS + word] ?? 0 : 0;
    }
    if (off >= 0x200000 && off < 0x200000 + NUM_CONTEXTS * 0x1000) {
      const ctx = (off - 0x200000) >> 12, reg = off & 0xfff;
      if (reg === 0) return this.threshold[ctx] ?? 0;
      if (reg === 4) {
        const irq = this.best(ctx);
        if (sideEffects) {
          if (irq) {
            this.setBit(this.pending, irq, false);
            this.setBit(this.claimed, irq, true);
          }
          this.update();
        }
        return irq;
      }
    }
    return 0;
  }

  write(off: number, value: number): void {
    value >>>= 0;
    if (off < NUM_SOURCES * 4) {
      this.priority[off >> 2] = value & PRIORITY_MASK;
      this.update();
    } else if (off >= 0x2000 && off < 0x2000 + NUM_CONTEXTS * 0x80) {
      const ctx = (off - 0x2000) >> 7, word = (off & 0x7f) >> 2;
      if (word < WORDS) {
        this.enable[ctx * WORDS + word] = value;
        this.update();
      }
    } else if (off >= 0x200000 && off < 0x200000 + NUM_CONTEXTS * 0x1000) {
      const ctx = (off - 0x200000) >> 12, reg = off & 0xfff;
      if (reg === 0) {
        this.threshold[ctx] = value & PRIORITY_MASK;
        this.update();
      } else if (reg === 4 && value < NUM_SOURCES) {
        this.setBit(this.claimed, value, false);
        this.update();
      }
    }
  }

  save(w: number[]): void {
    w.push(...this.priority, ...this.pending, ...this.claimed, ...this.enable, ...this.threshold, this.meip ? 1 : 0);
  }
  load(r: () => number): void {
    for (const arr of [this.priority, this.pending, this.claimed, this.enable, this.threshold]) {
      for (let i = 0; i < arr.length; i++) arr[i] = r();
    }
    this.meip = r() !== 0;
  }
}
