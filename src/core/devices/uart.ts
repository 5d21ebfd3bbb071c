// NS16550A as QEMU 7.2's hw/char/serial.c models it (regshift 0, baudbase 399193), with the
// transmitter always ready. Times are virtual nanoseconds supplied by the machine.

const IER_RDI = 0x01, IER_THRI = 0x02, IER_RLSI = 0x04, IER_MSI = 0x08;
const IIR_NO_INT = 0x01, IIR_THRI = 0x02, IIR_RDI = 0x04, IIR_RLSI = 0x06, IIR_CTI = 0x0c;
const LSR_DR = 0x01, LSR_OE = 0x02, LSR_BI = 0x10, LSR_THRE = 0x20, LSR_TEMT = 0x40;
const LSR_INT_ANY = 0x1e;
const MSR_ANY_DELTA = 0x0f;
const LCR_DLAB = 0x80;
const MCR_LOOP = 0x10;
const FCR_FE = 0x01, FCR_RFR = 0x02, FCR_XFR = 0x04;
const FIFO_LEN = 16;
const BAUDBASE = 399193;
const NO_DEADLINE = Number.POSITIVE_INFINITY;

export class Uart16550 {
  rbr = 0; ier = 0; iir = IIR_NO_INT; lcr = 0; mcr = 0x08; lsr = LSR_TEMT | LSR_THRE;
  msr = 0xb0; scr = 0; fcr = 0; divider = 0x0c;
  thrIpending = 0; timeoutIpending = 0;
  itl = 1;
  readonly fifo = new Uint8Array(FIFO_LEN);
  fifoHead = 0; fifoCount = 0;
  charTransmitTime = Math.floor(1e9 / 9600) * 10;
  /** Virtual ns at which the RX FIFO timeout fires, or +Infinity. */
  timeoutNs = NO_DEADLINE;
  /** Interrupt line to the PLIC (source 10). */
  irq = false;

  constructor(
    private readonly setIrq: (level: boolean) => void,
    private readonly tx: (byte: number) => void,
  ) {}

  reset(): void {
    this.rbr = 0; this.ier = 0; this.iir = IIR_NO_INT; this.lcr = 0; this.mcr = 0x08;
    this.lsr = LSR_TEMT | LSR_THRE; this.msr = 0xb0; this.scr = 0; this.fcr = 0; this.divider = 0x0c;
    this.thrIpending = 0; this.timeoutIpending = 0; this.itl = 1;
    this.fifo.fill(0); this.fifoHead = 0; this.fifoCount = 0;
    this.charTransmitTime = Math.floor(1e9 / 9600) * 10;
    this.timeoutNs = NO_DEADLINE;
    this.irq = false;
    this.setIrq(false);
  }

  /** QEMU's serial_can_receive: how many bytes the chardev may hand over now. */
  canReceive(): number {
    if (this.fcr & FCR_FE) {
      if (this.fifoCount < FIFO_LEN) return this.fifoCount <= this.itl ? this.itl - this.fifoCount : 1;
      return 0;
    }
    return (this.lsr & LSR_DR) ? 0 : 1;
  }

  receive(byte: number, nowNs: number): void {
    if (this.fcr & FCR_FE) {
      if (this.fifoCount < FIFO_LEN) {
        this.fifo[(this.fifoHead + this.fifoCount) % FIFO_LEN] = byte;
        this.fifoCount++;
      } else {
        this.lsr |= LSR_OE;
      }
      this.lsr |= LSR_DR;
      this.timeoutNs = nowNs + this.charTransmitTime * 4;
    } else {
      if (this.lsr & LSR_DR) this.lsr |= LSR_OE;
      this.rbr = byte;
      this.lsr |= LSR_DR;
    }
    this.updateIrq();
  }

  /** The RX FIFO timeout timer fired. */
  timeout(): void {
    this.timeoutNs = NO_DEADLINE;
    if (this.fifoCount) {
      this.timeoutIpending = 1;
      this.updateIrq();
    }
  }

  private updateIrq(): void {
    let iir = IIR_NO_INT;
    if ((this.ier & IER_RLSI) && (this.lsr & LSR_INT_ANY)) iir = IIR_RLSI;
    else if ((this.ier & IER_RDI) && this.timeoutIpending) iir = IIR_CTI;
    else if ((this.ier & IER_RDI) && (this.lsr & LSR_DR) && (!(this.fcr & FCR_FE) || this.fifoCount >= this.itl)) iir = IIR_RDI;
    else if ((this.ier & IER_THRI) && this.thrIpending) iir = IIR_THRI;
    else if ((this.ier & IER_MSI) && (this.msr & MSR_ANY_DELTA)) iir = 0x00;
    this.iir = iir | (this.iir & 0xf0);
    this.irq = iir !== IIR_NO_INT;
    this.setIrq(this.irq);
  }

  private updateParameters(): void {
    let frame = 1;
    if (this.lcr & 0x08) frame++;
    const stopBits = (this.lcr & 0x04) ? 2 : 1;
    frame += (this.lcr & 0x03) + 5 + stopBits;
    // QEMU computes this in single precision.
    const speed = this.divider === 0 ? 3500 : Math.fround(BAUDBASE / this.divider);
    this.charTransmitTime = Math.floor(Math.fround(Math.fround(1e9 / speed) * frame));
  }

  /** Register read (offset 0..7) with its side effects. */
  read(off: number, nowNs: number): number {
    switch (off) {
      case 0: {
        if (this.lcr & LCR_DLAB) return this.divider & 0xff;
        let ret: number;
        if (this.fcr & FCR_FE) {
          if (this.fifoCount === 0) ret = 0;
          else {
            ret = this.fifo[this.fifoHead] ?? 0;
            this.fifoHead = (this.fifoHead + 1) % FIFO_LEN;
            this.fifoCount--;
          }
          if (this.fifoCount === 0) {
            this.lsr &= ~(LSR_DR | LSR_BI);
          } else {
            this.timeoutNs = nowNs + this.charTransmitTime * 4;
          }
          this.timeoutIpending = 0;
        } else {
          ret = this.rbr;
          this.lsr &= ~(LSR_DR | LSR_BI);
        }
        this.updateIrq();
        return ret;
      }
      case 1: return (this.lcr & LCR_DLAB) ? (this.divider >> 8) & 0xff : this.ier;
      case 2: {
        const ret = this.iir;
        if ((ret & 0x0f) === IIR_THRI) {
          this.thrIpending = 0;
          this.updateIrq();
        }
        return ret;
      }
      case 3: return this.lcr;
      case 4: return this.mcr;
      case 5: {
        const ret = this.lsr;
        if (this.lsr & (LSR_BI | LSR_OE)) {
          this.lsr &= ~(LSR_BI | LSR_OE);
          this.updateIrq();
        }
        return ret;
      }
      case 6: {
        if (this.mcr & MCR_LOOP) {
          return ((this.mcr & 0x0c) << 4) | ((this.mcr & 0x02) << 3) | ((this.mcr & 0x01) << 5);
        }
        const ret = this.msr;
        if (this.msr & MSR_ANY_DELTA) {
          this.msr &= 0xf0;
          this.updateIrq();
        }
        return ret;
      }
      default: return this.scr;
    }
  }

  /** Register read without side effects (debugger). */
  peek(off: number): number {
    switch (off) {
      case 0:
        if (this.lcr & LCR_DLAB) return this.divider & 0xff;
        if (this.fcr & FCR_FE) return this.fifoCount ? this.fifo[this.fifoHead] ?? 0 : 0;
        return this.rbr;
      case 1: return (this.lcr & LCR_DLAB) ? (this.divider >> 8) & 0xff : this.ier;
      case 2: return this.iir;
      case 3: return this.lcr;
      case 4: return this.mcr;
      case 5: return this.lsr;
      case 6: return this.msr;
      default: return this.scr;
    }
  }

  write(off: number, value: number, nowNs: number): void {
    const val = value & 0xff;
    switch (off) {
      case 0:
        if (this.lcr & LCR_DLAB) {
          this.divider = (this.divider & 0xff00) | val;
          this.updateParameters();
          return;
        }
        this.thrIpending = 0;
        this.lsr &= ~(LSR_THRE | LSR_TEMT);
        this.updateIrq();
        // Transmit at once: the transmitter is always ready.
        this.lsr |= LSR_THRE;
        if (!this.thrIpending) {
          this.thrIpending = 1;
          this.updateIrq();
        }
        if (this.mcr & MCR_LOOP) this.receive(val, nowNs);
        else this.tx(val);
        this.lsr |= LSR_TEMT;
        return;
      case 1:
        if (this.lcr & LCR_DLAB) {
          this.divider = (this.divider & 0x00ff) | (val << 8);
          this.updateParameters();
          return;
        } else {
          const changed = (this.ier ^ val) & 0x0f;
          this.ier = val & 0x0f;
          if (changed & IER_THRI) {
            this.thrIpending = (this.ier & IER_THRI) && (this.lsr & LSR_THRE) ? 1 : 0;
          }
          if (changed) this.updateIrq();
          return;
        }
      case 2: {
        let v = val;
        if (this.fcr === v) return;
        if ((v ^ this.fcr) & FCR_FE) v |= FCR_XFR | FCR_RFR;
        if (v & FCR_RFR) {
          this.lsr &= ~(LSR_DR | LSR_BI);
          this.timeoutNs = NO_DEADLINE;
          this.timeoutIpending = 0;
          this.fifoHead = 0; this.fifoCount = 0;
        }
        if (v & FCR_XFR) {
          this.lsr |= LSR_THRE;
          this.thrIpending = 1;
        }
        this.fcr = v & 0xc9;
        if (this.fcr & FCR_FE) {
          this.iir |= 0xc0;
          this.itl = [1, 4, 8, 14][this.fcr >> 6] ?? 1;
        } else {
          this.iir &= ~0xc0;
        }
        this.updateIrq();
        return;
      }
      case 3:
        this.lcr = val;
        this.updateParameters();
        return;
      case 4:
        this.mcr = val & 0x1f;
        return;
      case 7:
        this.scr = val;
        return;
      default:
        return;   // LSR, MSR: read-only
    }
  }

  static readonly STATE_WORDS = 20;
  save(w: number[]): void {
    w.push(this.rbr, this.ier, this.iir, this.lcr, this.mcr, this.lsr, this.msr, this.scr, this.fcr,
      this.divider, this.thrIpending, this.timeoutIpending, this.itl, this.fifoHead, this.fifoCount,
      this.charTransmitTime, this.timeoutNs === NO_DEADLINE ? -1 : this.timeoutNs, this.irq ? 1 : 0,
      ...this.fifo);
  }
  load(r: () => number): void {
    this.rbr = r(); this.ier = r(); this.iir = r(); this.lcr = r(); this.mcr = r(); this.lsr = r();
    this.msr = r(); this.scr = r(); this.fcr = r(); this.divider = r(); this.thrIpending = r();
    this.timeoutIpending = r(); this.itl = r(); this.fifoHead = r(); this.fifoCount = r();
    this.charTransmitTime = r();
    const t = r();
    this.timeoutNs = t < 0 ? NO_DEADLINE : t;
    this.irq = r() !== 0;
    for (let i = 0; i < FIFO_LEN; i++) this.fifo[i] = r();
    if (this.fifoHead >= FIFO_LEN || this.fifoCount > FIFO_LEN) throw new RangeError('bad UART state');
  }
}
