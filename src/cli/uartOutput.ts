// UART output on its way to a stream: collected during run() in one reused buffer, written
// out between slices, waiting for 'drain' so a slow reader never makes the output pile up.
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export class UartOutput {
  private buf = Buffer.allocUnsafe(1 << 16);
  private len = 0;
  private mustDrain = false;
  private readonly decoder: TextDecoder | null;
  /** Bytes written so far. */
  total = 0;

  /** With `utf8`, bytes are decoded as the IDE's console does (U+FFFD for invalid sequences). */
  constructor(private readonly stream: Writable, options: { utf8?: boolean } = {}) {
    this.decoder = options.utf8 ? new TextDecoder('utf-8') : null;
  }

  readonly push = (byte: number): void => {
    this.buf[this.len++] = byte;
    if (this.len === this.buf.length) this.writeOut(false);
  };

  /** Writes what is collected; resolves once the stream can take more. */
  async flush(): Promise<void> {
    this.writeOut(false);
    if (this.mustDrain) {
      this.mustDrain = false;
      await once(this.stream, 'drain');
    }
  }

  /** The end of the output: an incomplete UTF-8 sequence left over becomes U+FFFD. */
  async end(): Promise<void> {
    this.writeOut(true);
    await this.flush();
  }

  private writeOut(last: boolean): void {
    if (this.len === 0 && !(last && this.decoder)) return;
    const bytes = this.buf.subarray(0, this.len);
    this.total += this.len;
    const chunk = this.decoder ? this.decoder.decode(bytes, { stream: !last }) : Buffer.from(bytes);
    this.len = 0;
    if (chunk.length > 0 && !this.stream.write(chunk)) this.mustDrain = true;
  }
}
