import { describe, expect, it } from 'vitest';
import {
  OVERLONG_PACKET, PacketReader, checksum, decodeBody, decodedLength, escapeBinary, framePacket, fromHex, hexToText,
  runLengthEncode, textToHex, toHex, type ReaderEvent,
} from '../../../src/gdb';
import { le32Hex, parseHexNumber, parseLe32Hex } from '../../../src/gdb/packet';

/** A deterministic byte-string generator (xorshift), biased towards the protocol's special characters. */
function randomStrings(count: number, seed = 0x1234567): string[] {
  let x = seed;
  const next = (): number => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
  const special = '$#}*+-\x03aaaa0';
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const len = next() % 200;
    let s = '';
    for (let j = 0; j < len; j++) {
      const r = next();
      if (r % 3 === 0) s += special[r % special.length];
      else if (r % 3 === 1) s += String.fromCharCode(r % 256);
      else s += (s[s.length - 1] ?? 'z').repeat(1 + (r % 9));
    }
    out.push(s);
  }
  return out;
}

describe('framing', () => {
  it('computes checksums modulo 256 and frames packets as gdb does', () => {
    expect(checksum('')).toBe(0);
    expect(checksum('OK')).toBe(0x9a);
    expect(framePacket('OK')).toBe('$OK#9a');
    expect(framePacket('qSupported')).toBe('$qSupported#37');
    // Known packets from a gdb session log.
    expect(framePacket('vMustReplyEmpty')).toBe('$vMustReplyEmpty#3a');
    expect(framePacket('qRcmd,696e666f207265706c6179')).toBe('$qRcmd,696e666f207265706c6179#42');
  });

  it('escapes binary data and decodes it back', () => {
    expect(escapeBinary('a$b#c}d*e')).toBe('a}\x04b}\x03c}]d}\x0ae');
    for (const s of randomStrings(300)) expect(decodeBody(escapeBinary(s))).toBe(s);
  });

  it('run-length encodes and decodes (never producing # or $ as a count)', () => {
    expect(runLengthEncode('0000000000')).toBe('0*&');
    expect(decodeBody('0* ')).toBe('0000');
    expect(decodeBody('ab*"c')).toBe('abbbbbbc');
    for (const s of randomStrings(300)) {
      const plain = s.replace(/[$#}*]/g, 'x');
      const enc = runLengthEncode(plain);
      expect(enc.includes('*#') || enc.includes('*$')).toBe(false);
      expect(decodeBody(enc)).toBe(plain);
    }
    const long = 'f'.repeat(1000);
    expect(decodeBody(runLengthEncode(long))).toBe(long);
    expect(runLengthEncode(long).length).toBeLessThan(40);
  });

  it('counts the decoded length without decoding, and refuses to decode beyond a bound', () => {
    const codes = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
    for (const s of randomStrings(300)) {
      const enc = runLengthEncode(s.replace(/[$#}*]/g, 'x'));
      expect(decodedLength(codes(enc))).toBe(decodeBody(enc)!.length);
      expect(decodedLength(codes(escapeBinary(s)))).toBe(s.length);
    }
    expect(decodedLength(codes('a*~'))).toBe(98);
    expect(decodedLength(codes('a*'))).toBe(-1);
    expect(decodeBody('a*~', 98)).toBe('a'.repeat(98));
    expect(decodeBody('a*~', 97)).toBeNull();
    expect(decodeBody('abc', 2)).toBeNull();
  });

  it('rejects malformed escapes and runs', () => {
    expect(decodeBody('abc}')).toBeNull();
    expect(decodeBody('*!')).toBeNull(); // nothing to repeat
    expect(decodeBody('a*')).toBeNull();
    expect(decodeBody('a*\x10')).toBeNull(); // count below the printable range
  });
});

describe('PacketReader', () => {
  it('splits a stream into packets, acks and interrupts, across arbitrary chunk boundaries', () => {
    const stream = '+' + framePacket('qSupported:swbreak+') + '-' + '\x03' + 'garbage' + framePacket('m80000000,4') + '+';
    const expected = [
      { kind: 'ack' }, { kind: 'packet', data: 'qSupported:swbreak+' }, { kind: 'nack' }, { kind: 'interrupt' },
      { kind: 'packet', data: 'm80000000,4' }, { kind: 'ack' },
    ];
    for (let split = 1; split <= stream.length; split++) {
      const r = new PacketReader(100);
      const events = [];
      for (let i = 0; i < stream.length; i += split) events.push(...r.push(stream.slice(i, i + split)));
      expect(events, `chunks of ${split}`).toEqual(expected);
    }
  });

  it('decodes escapes and run-length encoding inside packets; the checksum covers the raw bytes', () => {
    const raw = 'X80000000,3:}\x03}\x04a';
    const r = new PacketReader(100);
    expect(r.push(`$${raw}#${checksum(raw).toString(16).padStart(2, '0')}`)).toEqual([{ kind: 'packet', data: 'X80000000,3:#$a' }]);
    expect(r.push(framePacket('0* '))).toEqual([{ kind: 'packet', data: '0000' }]);
  });

  it('reports bad checksums, non-hex checksums, oversized and truncated packets, and recovers', () => {
    const r = new PacketReader(16);
    expect(r.push('$OK#00')).toEqual([{ kind: 'bad-checksum' }]);
    expect(r.push('$OK#zz')).toEqual([{ kind: 'bad-checksum' }]);
    expect(r.push(framePacket('m' + '0'.repeat(40)))).toEqual([{ kind: 'oversized', length: 41, decodedLength: 41 }]);
    expect(r.push('$abc$OK#9a')).toEqual([{ kind: 'malformed' }, { kind: 'packet', data: 'OK' }]);
    expect(r.push(framePacket('abc}'))).toEqual([{ kind: 'malformed' }]);
    expect(r.push(framePacket('g'))).toEqual([{ kind: 'packet', data: 'g' }]);
  });

  it('keeps at most maxPacket bytes of a huge packet', () => {
    const r = new PacketReader(8);
    const events = [];
    for (let i = 0; i < 1000; i++) events.push(...r.push(i === 0 ? '$' : 'x'.repeat(1000)));
    events.push(...r.push('#00'));
    expect(events).toHaveLength(1);
    expect(['bad-checksum', 'oversized']).toContain(events[0]!.kind);
    expect(r.decodedBytes).toBe(0);
  });

  it('answers a run-length bomb by counting it: nothing of it is decoded', () => {
    const r = new PacketReader(0x4000);
    // 16 KiB of packet that would expand to over 500 KiB.
    const bomb = framePacket('X80001000,4000:a' + '*~'.repeat(0x1fe0));
    const events: ReaderEvent[] = [];
    for (let i = 0; i < 100; i++) events.push(...r.push(bomb));
    expect(events).toHaveLength(100);
    for (const ev of events) expect(ev).toEqual({ kind: 'oversized', length: bomb.length - 4, decodedLength: 16 + 0x1fe0 * 97 });
    expect(r.decodedBytes).toBe(0);
    // Within the bound, the same encoding decodes.
    expect(r.push(framePacket('a*~'))).toEqual([{ kind: 'packet', data: 'a'.repeat(98) }]);
    expect(r.decodedBytes).toBe(98);
  });

  it('gives up on a packet that never ends, and reads the next one', () => {
    const r = new PacketReader(64);
    const events: ReaderEvent[] = [];
    events.push(...r.push('$'));
    const chunk = 'a'.repeat(0x10000);
    for (let sent = 0; sent <= OVERLONG_PACKET; sent += chunk.length) events.push(...r.push(chunk));
    expect(events).toEqual([{ kind: 'overlong', length: OVERLONG_PACKET + 1 }]);
    expect(r.inPacket).toBe(false);
    expect(r.push(framePacket('g'))).toEqual([{ kind: 'packet', data: 'g' }]);
  });

  it('feed() stops right after an event when asked, so a transport can read no further', () => {
    const r = new PacketReader(64);
    const stream = framePacket('g') + '+' + framePacket('m0,4') + 'junk';
    const seen: ReaderEvent[] = [];
    const first = r.feed(stream, 0, (ev) => { seen.push(ev); return false; });
    expect(first).toBe(framePacket('g').length);
    expect(seen).toEqual([{ kind: 'packet', data: 'g' }]);
    const second = r.feed(stream, first, (ev) => { seen.push(ev); return false; });
    expect(second).toBe(first + 1);
    expect(r.feed(stream, second, (ev) => { seen.push(ev); return true; })).toBe(stream.length);
    expect(seen.slice(1)).toEqual([{ kind: 'ack' }, { kind: 'packet', data: 'm0,4' }]);
  });
});

describe('hex helpers', () => {
  it('converts bytes, text and little-endian registers', () => {
    expect(toHex(new Uint8Array([0, 0xab, 0x10]))).toBe('00ab10');
    expect(fromHex('00AB10')).toEqual(new Uint8Array([0, 0xab, 0x10]));
    expect(fromHex('abc')).toBeNull();
    expect(fromHex('zz')).toBeNull();
    expect(textToHex('info replay')).toBe('696e666f207265706c6179');
    expect(hexToText('696e666f207265706c6179')).toBe('info replay');
    expect(le32Hex(0x80000010)).toBe('10000080');
    expect(parseLe32Hex('10000080')).toBe(0x80000010);
    expect(parseLe32Hex('1000008')).toBeNull();
  });

  it('parses bounded hex numbers only', () => {
    expect(parseHexNumber('80000000')).toBe(0x80000000);
    expect(parseHexNumber('ffffffff')).toBe(0xffffffff);
    expect(parseHexNumber('100000000')).toBeNull(); // beyond 32 bits
    expect(parseHexNumber('')).toBeNull();
    expect(parseHexNumber('12g')).toBeNull();
    expect(parseHexNumber('-1')).toBeNull();
  });
});
