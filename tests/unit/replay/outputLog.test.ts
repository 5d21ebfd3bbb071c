import { describe, expect, it } from 'vitest';
import { OutputLog } from '../../../src/replay/outputLog';

describe('OutputLog', () => {
  it('keeps bytes with their icounts and answers what was written before a position', () => {
    const out = new OutputLog();
    const text = 'héllo → wörld\n';
    const bytes = new TextEncoder().encode(text);
    bytes.forEach((b, i) => out.append(10 + i * 3, b));
    expect(out.length).toBe(bytes.length);
    expect(out.icountAt(2)).toBe(16);
    expect(out.byteAt(0)).toBe(0x68);
    expect(out.lowerBound(16)).toBe(2);
    expect(out.lowerBound(17)).toBe(3);
    expect(out.textBefore(Infinity)).toBe(text); // UTF-8, as the console decodes it
    expect(out.textBefore(10)).toBe('');
    expect([...out.bytesBefore(13)]).toEqual([0x68]);
  });

  it('decodes any amount of output', () => {
    const out = new OutputLog();
    const n = 3_000_000; // far more than fits in one call's arguments
    for (let i = 0; i < n; i++) out.append(i, 0x61 + (i % 26));
    const text = out.textBefore(n);
    expect(text.length).toBe(n);
    expect(text.slice(0, 3)).toBe('abc');
  });

  it('stops keeping output at its limit and says from where', () => {
    const out = new OutputLog(4);
    for (let i = 0; i < 10; i++) out.append(100 + i, 0x30 + i);
    expect(out.length).toBe(4);
    expect(out.textBefore(Infinity)).toBe('0123');
    expect(out.dropped).toEqual({ fromIcount: 104, bytes: 6 });
  });

  it('keeps nothing with limit 0', () => {
    const out = new OutputLog(0);
    out.append(1, 65);
    expect(out.length).toBe(0);
    expect(out.dropped).toEqual({ fromIcount: 1, bytes: 1 });
  });
});
