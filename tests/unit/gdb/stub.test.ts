// The protocol layer against the real replay session, without sockets.
import { describe, expect, it } from 'vitest';
import { TimelineTarget, framePacket, runLengthEncode, decodeBody, textToHex, PC_REGNUM, CSR_REGNUM_BASE } from '../../../src/gdb';
import { StubClient, parseOutput, recordingTimeline, replayTimeline } from './harness';
import { encode } from '../../../src/isa';
import { WATCH, assemble, elf32, watchProgram } from './program';

const hex32 = (v: number): string => v.toString(16);
const le = (v: number): string => (v >>> 0).toString(16).padStart(8, '0').match(/../g)!.reverse().join('');

const parseOutputPackets = (out: string): string[] => parseOutput(out).packets;

function client(elf = watchProgram()): StubClient {
  return new StubClient(new TimelineTarget(recordingTimeline(elf)));
}

/** Forward to the watch program's first store, with one breakpoint there. */
function atFirstStore(c: StubClient): void {
  expect(c.ask(`Z0,${hex32(WATCH.STORE)},4`)).toBe('OK');
  expect(c.ask('vCont;c')).toBe('T05thread:01;swbreak:;');
  expect([c.icount(), c.pc()]).toEqual([9, WATCH.STORE]);
}

describe('connection and queries', () => {
  it('advertises reverse execution and the stop reasons in qSupported', () => {
    const c = client();
    const r = c.ask('qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+');
    for (const f of ['PacketSize=4000', 'ReverseStep+', 'ReverseContinue+', 'qXfer:features:read+', 'swbreak+', 'hwbreak+', 'vContSupported+', 'QStartNoAckMode+']) {
      expect(r.split(';')).toContain(f);
    }
    expect(c.ask('?')).toBe('T05thread:01;');
    expect(c.ask('qAttached:1')).toBe('1');
    expect(c.ask('qC')).toBe('QC01');
    expect(c.ask('qfThreadInfo')).toBe('m01');
    expect(c.ask('qsThreadInfo')).toBe('l');
    expect(c.ask('qOffsets')).toBe('Text=0;Data=0;Bss=0');
    expect(c.ask('Hg0')).toBe('OK');
    expect(c.ask('Hc-1')).toBe('OK');
    expect(c.ask('vCont?')).toBe('vCont;c;C;s;S');
    expect(c.ask('vMustReplyEmpty')).toBe('');
    expect(c.ask('qSomethingNew')).toBe('');
  });

  it('serves a riscv:rv32 target description with x0-x31, pc, machine CSRs and priv, in chunks', () => {
    const c = client();
    let xml = '';
    for (let off = 0; ; ) {
      const r = decodeBody(c.ask(`qXfer:features:read:target.xml:${off.toString(16)},200`))!;
      xml += r.slice(1);
      off += r.length - 1;
      if (r[0] === 'l') break;
      expect(r[0]).toBe('m');
    }
    expect(xml).toContain('<architecture>riscv:rv32</architecture>');
    expect(xml).toContain('<feature name="org.gnu.gdb.riscv.cpu">');
    const regs = [...xml.matchAll(/<reg name="([^"]+)" bitsize="32" regnum="(\d+)"/g)].map((m) => [m[1], Number(m[2])] as const);
    const byName = new Map(regs);
    expect(byName.get('zero')).toBe(0);
    expect(byName.get('t6')).toBe(31);
    expect(byName.get('pc')).toBe(PC_REGNUM);
    for (const csr of [['mstatus', 0x300], ['mtvec', 0x305], ['mepc', 0x341], ['mcause', 0x342], ['mhartid', 0xf14]] as const) {
      expect(byName.get(csr[0]), csr[0]).toBe(CSR_REGNUM_BASE + csr[1]);
    }
    expect(byName.has('seed')).toBe(false);
    expect(byName.get('priv')).toBe(CSR_REGNUM_BASE + 4096);
    expect(c.ask('qXfer:features:read:other.xml:0,100')).toBe('E00');
    expect(c.ask(`qXfer:features:read:target.xml:${(xml.length + 5).toString(16)},100`)).toBe('l');
  });
});

describe('registers and memory', () => {
  it('reads all registers with g (pc last) and single ones with p', () => {
    const c = client();
    const g = decodeBody(c.ask('g'))!;
    expect(g).toHaveLength(33 * 8);
    expect(g.slice(32 * 8)).toBe(le(0x1000));
    expect(c.ask('p20')).toBe(le(0x1000));
    expect(c.ask(`p${(CSR_REGNUM_BASE + 0xf14).toString(16)}`)).toBe(le(0)); // mhartid
    expect(c.ask(`p${(CSR_REGNUM_BASE + 4096).toString(16)}`)).toBe(le(3)); // priv: M
    expect(c.ask('p21')).toMatch(/^E/); // f0: not in the description
    expect(c.ask('pzz')).toBe('E01');
  });

  it('reads memory (m), and returns the readable prefix or an error outside memory', () => {
    const c = client();
    expect(decodeBody(c.ask('m80000000,4'))).toBe(le(encode('lui', { rd: 6, uimm20: 0x80001 })));
    // Across the end of RAM (128 MiB): the readable part.
    expect(decodeBody(c.ask('m87fffffe,4'))).toBe('0000');
    expect(c.ask('m0,4')).toMatch(/^E/);
    // A huge length is answered with as much as fits in a packet.
    const big = decodeBody(c.ask('m80000000,ffffffff'))!;
    expect(big.length).toBeGreaterThan(1000);
    expect(big.length).toBeLessThanOrEqual(0x4000);
    expect(c.ask('m80000000')).toBe('E01');
    expect(c.ask('mxyz,4')).toBe('E01');
    expect(c.ask('m123456789,4')).toBe('E01'); // beyond 32 bits
  });

  it('writes memory and registers at the frontier (M, X, P, G), refuses them in the past', () => {
    const c = client();
    atFirstStore(c); // at the frontier
    expect(c.ask(`M${hex32(WATCH.DATA)},4:efbeadde`)).toBe('OK');
    expect(decodeBody(c.ask(`m${hex32(WATCH.DATA)},4`))).toBe('efbeadde');
    // X: binary, with the escaped characters gdb escapes.
    const data = '\x24\x23\x7d\x2a';
    let esc = '';
    for (const ch of data) esc += '$#}*'.includes(ch) ? '}' + String.fromCharCode(ch.charCodeAt(0) ^ 0x20) : ch;
    expect(c.ask(`X${hex32(WATCH.DATA)},0:`)).toBe('OK');
    expect(c.ask(`X${hex32(WATCH.DATA)},4:${esc}`)).toBe('OK');
    expect(decodeBody(c.ask(`m${hex32(WATCH.DATA)},4`))).toBe('24237d2a');
    expect(c.ask(`P5=${le(0x1234)}`)).toBe('OK');
    expect(c.ask('p5')).toBe(le(0x1234));
    // The store now writes t0 = 0x1234.
    expect(c.ask('s')).toBe('T05thread:01;');
    expect(decodeBody(c.ask(`m${hex32(WATCH.DATA)},4`))).toBe(le(0x1234));
    // Back in the past: writes are errors and change nothing.
    expect(c.ask('bs')).toBe('T05thread:01;');
    expect(c.ask(`M${hex32(WATCH.DATA)},4:00000000`)).toMatch(/^E/);
    expect(c.ask(`X${hex32(WATCH.DATA)},1:a`)).toMatch(/^E/);
    expect(c.ask(`P5=${le(7)}`)).toMatch(/^E/);
    const g = decodeBody(c.ask('g'))!;
    expect(c.ask(`G${g.slice(0, 8 * 5)}${le(9)}${g.slice(8 * 6)}`)).toMatch(/^E/);
    expect(c.ask(`G${g}`)).toBe('OK'); // nothing changes: harmless
    expect(c.ask('p5')).toBe(le(0x1234));
    expect(c.logs.some((l) => l.includes('in the past'))).toBe(true);
    // Malformed writes.
    expect(c.ask(`M${hex32(WATCH.DATA)},4:0011`)).toBe('E01');
    expect(c.ask(`M${hex32(WATCH.DATA)},2:zzzz`)).toBe('E01');
    expect(c.ask(`P5=12`)).toBe('E01');
    expect(c.ask(`Gabc`)).toBe('E01');
  });
});

describe('execution', () => {
  it('continues to breakpoints (swbreak/hwbreak), steps and reverse-steps', () => {
    const c = client();
    atFirstStore(c);
    expect(c.ask('c')).toBe('T05thread:01;swbreak:;');
    expect([c.icount(), c.pc()]).toEqual([13, WATCH.STORE]);
    expect(c.ask('s')).toBe('T05thread:01;');
    expect([c.icount(), c.pc()]).toEqual([14, WATCH.LOAD]);
    expect(c.ask('vCont;s:1')).toBe('T05thread:01;');
    expect(c.icount()).toBe(15);
    expect(c.ask('bs')).toBe('T05thread:01;');
    expect(c.ask('bs')).toBe('T05thread:01;');
    expect([c.icount(), c.pc()]).toEqual([13, WATCH.STORE]);
    expect(c.ask(`z0,${hex32(WATCH.STORE)},4`)).toBe('OK');
    expect(c.ask(`Z1,${hex32(WATCH.LOOP_END)},4`)).toBe('OK');
    expect(c.ask('vCont;c:p1.-1')).toBe('T05thread:01;hwbreak:;');
    expect([c.icount(), c.pc()]).toEqual([16, WATCH.LOOP_END]);
  });

  it('reverse-continues to the latest breakpoint hit, then to the beginning of the log', () => {
    const c = client();
    atFirstStore(c);
    expect(c.ask('c')).toBe('T05thread:01;swbreak:;');
    expect(c.ask('s')).toBe('T05thread:01;');
    expect(c.icount()).toBe(14);
    expect(c.ask('bc')).toBe('T05thread:01;swbreak:;');
    expect([c.icount(), c.pc()]).toEqual([13, WATCH.STORE]);
    expect(c.ask('bc')).toBe('T05thread:01;swbreak:;');
    expect(c.icount()).toBe(9);
    expect(c.ask('bc')).toBe('T05thread:01;replaylog:begin;');
    expect([c.icount(), c.pc()]).toEqual([0, 0x1000]);
    // At the beginning a reverse step stays there and says so (QEMU answers E14).
    expect(c.ask('bs')).toBe('T05thread:01;replaylog:begin;');
    expect(c.icount()).toBe(0);
    // Forward again replays the recording.
    expect(c.ask('c')).toBe('T05thread:01;swbreak:;');
    expect(c.icount()).toBe(9);
  });

  it('stops before a watched access forward, and lands before the latest access backward (as gdb steps over it)', () => {
    const c = client();
    const data = `${hex32(WATCH.DATA)}`;
    expect(c.ask(`Z2,${data},4`)).toBe('OK');
    expect(c.ask('vCont;c')).toBe(`T05thread:01;watch:${data};`);
    expect([c.icount(), c.pc()]).toEqual([9, WATCH.STORE]);
    expect(decodeBody(c.ask(`m${data},4`))).toBe(le(0)); // not written yet
    // gdb steps over it with the watchpoint removed and shows old and new value.
    expect(c.ask(`z2,${data},4`)).toBe('OK');
    expect(c.ask('s')).toBe('T05thread:01;');
    expect(decodeBody(c.ask(`m${data},4`))).toBe(le(1));
    expect(c.ask(`Z2,${data},4`)).toBe('OK');
    for (const [t, v] of [[13, 1], [17, 2]] as const) {
      expect(c.ask('c')).toBe(`T05thread:01;watch:${data};`);
      expect([c.icount(), c.pc()]).toEqual([t, WATCH.STORE]);
      expect(decodeBody(c.ask(`m${data},4`))).toBe(le(v));
      expect(c.ask(`z2,${data},4`)).toBe('OK');
      expect(c.ask('s')).toBe('T05thread:01;');
      expect(c.ask(`Z2,${data},4`)).toBe('OK');
    }
    expect(c.icount()).toBe(18);
    // Reverse: the latest access is instruction 17. The reply comes one instruction after it
    // (here: where we are) with watch:, and gdb's own reverse step lands before the access.
    expect(c.ask('bc')).toBe(`T05thread:01;watch:${data};`);
    expect(c.icount()).toBe(18);
    expect(c.ask(`z2,${data},4`)).toBe('OK');
    expect(c.ask('bs')).toBe('T05thread:01;');
    expect([c.icount(), c.pc()]).toEqual([17, WATCH.STORE]);
    expect(decodeBody(c.ask(`m${data},4`))).toBe(le(2)); // the old value, before the access
    expect(c.ask(`Z2,${data},4`)).toBe('OK');
    // From 17 the next one back is instruction 13: reply at 14.
    expect(c.ask('bc')).toBe(`T05thread:01;watch:${data};`);
    expect(c.icount()).toBe(14);
    expect(c.ask('bs')).toBe('T05thread:01;');
    expect(c.icount()).toBe(13);
    expect(c.ask('bc')).toBe(`T05thread:01;watch:${data};`);
    expect(c.icount()).toBe(10);
  });

  it('reports read and access watchpoints and the first watched byte of a wider access', () => {
    const c = client();
    expect(c.ask(`Z3,${hex32(WATCH.DATA)},4`)).toBe('OK');
    expect(c.ask('c')).toBe(`T05thread:01;rwatch:${hex32(WATCH.DATA)};`);
    expect([c.icount(), c.pc()]).toEqual([10, WATCH.LOAD]);
    expect(c.ask(`z3,${hex32(WATCH.DATA)},4`)).toBe('OK');
    expect(c.ask(`Z4,${hex32(WATCH.DATA + 2)},2`)).toBe('OK');
    expect(c.ask('c')).toBe(`T05thread:01;awatch:${hex32(WATCH.DATA + 2)};`);
    expect([c.icount(), c.pc()]).toEqual([13, WATCH.STORE]);
    expect(c.ask(`z4,${hex32(WATCH.DATA + 2)},2`)).toBe('OK');
    // Watching 16 bytes (more than one core watchpoint covers).
    expect(c.ask(`Z2,${hex32(WATCH.DATA - 12)},10`)).toBe('OK');
    expect(c.ask('c')).toBe(`T05thread:01;watch:${hex32(WATCH.DATA)};`);
    expect(c.icount()).toBe(17);
    expect(c.ask(`Z2,${hex32(WATCH.DATA)},0`)).toMatch(/^E/);
  });

  it('stops at the guest exit and at the end of a replay log with replaylog:end', () => {
    const c = client();
    const r = c.request('c');
    expect(r).toHaveLength(2);
    expect(r[0]).toBe('O' + textToHex('[the guest exited with code 0 at instruction count 33]\n'));
    expect(r[1]).toBe('T05thread:01;replaylog:end;');
    expect(c.icount()).toBe(33);
    expect(c.request('s').at(-1)).toBe('T05thread:01;replaylog:end;');
    expect(c.icount()).toBe(33);
    expect(c.ask('bs')).toBe('T05thread:01;');
    expect(c.icount()).toBe(32);

    const replay = new StubClient(new TimelineTarget(replayTimeline(watchProgram())));
    expect(replay.monitor('info replay')).toBe("Replaying execution 'replay': instruction count = 0\n");
    expect(replay.request('c').at(-1)).toBe('T05thread:01;replaylog:end;');
    expect(replay.icount()).toBe(33);
    expect(replay.ask(`M${hex32(WATCH.DATA)},4:00000000`)).toMatch(/^E/);
    expect(replay.ask('bc')).toBe('T05thread:01;replaylog:begin;');
  });

  it('is interrupted by 0x03 during a continue and reports SIGINT', () => {
    const loop = elf32(assemble([['jal', { rd: 0, jimm: 0 }]]));
    const c = client(loop);
    c.out = '';
    c.stub.receive(framePacket('c'));
    expect(c.stub.running).toBe(true);
    for (let i = 0; i < 3; i++) expect(c.stub.poll()).toBe('working');
    c.stub.receive('\x03');
    expect(c.stub.poll()).toBe('idle');
    expect(c.out).toBe('+' + framePacket('T02thread:01;'));
    const t = c.icount();
    expect(t).toBeGreaterThan(10_000);
    expect(c.pc()).toBe(0x80000000);
    // Reverse continue with no breakpoint can be interrupted too and goes back to where it began.
    expect(c.ask('Z0,80000000,4')).toBe('OK');
    c.out = '';
    c.stub.receive(framePacket('bc'));
    c.stub.receive('\x03');
    expect(c.stub.poll()).toBe('idle');
    expect(c.out).toBe('+' + framePacket('T02thread:01;'));
    expect(c.icount()).toBe(t);
  });
});

describe('monitor commands', () => {
  it('info replay, replay_break, replay_delete_break, replay_seek and help, with QEMU names and words', () => {
    const c = client();
    expect(c.monitor('info replay')).toBe("Recording execution 'test': instruction count = 0\n");
    expect(c.monitor('replay_break 20')).toBe('');
    expect(c.ask('c')).toBe('T05thread:01;');
    expect(c.monitor('info replay')).toBe("Recording execution 'test': instruction count = 20\n");
    expect(c.monitor('replay_break 10')).toBe('cannot set breakpoint at the instruction in the past\n');
    expect(c.monitor('replay_break 0x1a')).toBe('');
    expect(c.ask('c')).toBe('T05thread:01;');
    expect(c.icount()).toBe(26);
    expect(c.monitor('replay_seek 5')).toMatch(/^\[at instruction count 5; gdb shows the registers of instruction count 26 /);
    expect([c.icount(), c.pc()]).toEqual([5, 0x1014]);
    expect(c.monitor('info replay')).toBe("Replaying execution 'test': instruction count = 5\n");
    expect(c.monitor('replay_break 30')).toBe('');
    expect(c.monitor('replay_delete_break')).toBe('');
    expect(c.ask('g')).toMatch(/^[0-9a-f*]/); // gdb refetching: its view is current again
    expect(c.request('c').at(-1)).toBe('T05thread:01;replaylog:end;');
    expect(c.monitor('replay_seek 1000')).toMatch(/cannot seek to 1000/);
    expect(c.icount()).toBe(33);
    expect(c.monitor('replay_seek')).toBe("Parameter 'icount' is missing\n");
    expect(c.monitor('replay_seek abc')).toMatch(/not an instruction count/);
    expect(c.monitor('frobnicate')).toBe("unknown command: 'frobnicate'\n");
    const help = c.monitor('help');
    for (const cmd of ['info', 'replay_break', 'replay_delete_break', 'replay_seek']) expect(help).toContain(`${cmd} `);
    expect(c.monitor('help replay_seek')).toBe('replay_seek icount -- replay execution to the specified instruction count\n');
    expect(c.monitor('info')).toBe('info replay  -- show record/replay information\n');
    expect(c.ask('qRcmd,zz')).toBe('E01');
  });
});

describe('after a monitor command moved the target (gdb still holds the registers of its last stop)', () => {
  /** At the breakpoint on LOOP_END, position 12, as gdb saw it. */
  function atLoopEnd(c: StubClient, type = 0): void {
    expect(c.ask(`Z${type},${hex32(WATCH.LOOP_END)},4`)).toBe('OK');
    expect(c.ask('c')).toBe(`T05thread:01;${type === 0 ? 'swbreak' : 'hwbreak'}:;`);
    expect(c.icount()).toBe(12);
  }

  it('the first continue stops one instruction on, marked so that gdb carries on from a state it knows', () => {
    const c = client();
    atLoopEnd(c, 1);
    const notice = c.monitor('replay_seek 7');
    expect(notice).toContain('[at instruction count 7; gdb shows the registers of instruction count 12 until its next stop');
    // gdb steps over "its" breakpoint at LOOP_END (removed) and resumes: no breakpoint is
    // missed, the stop is at 8 and looks like a breakpoint trap with no breakpoint there.
    expect(c.ask(`z1,${hex32(WATCH.LOOP_END)},4`)).toBe('OK');
    expect(c.ask('vCont;c:1')).toBe('T05thread:01;swbreak:;');
    expect([c.icount(), c.pc()]).toEqual([8, 0x80000008]);
    expect(c.ask(`Z1,${hex32(WATCH.LOOP_END)},4`)).toBe('OK');
    expect(c.ask('vCont;c')).toBe('T05thread:01;hwbreak:;');
    expect(c.icount()).toBe(12);
    // The instruction after the seek target at a breakpoint: that breakpoint is the stop.
    expect(c.monitor('replay_seek 11')).toContain('[at instruction count 11;');
    expect(c.ask('c')).toBe('T05thread:01;hwbreak:;');
    expect(c.icount()).toBe(12);
    // At the replay break: a plain stop, as a continue gives there.
    c.monitor('replay_seek 3');
    expect(c.monitor('replay_break 4')).toBe('');
    expect(c.ask('c')).toBe('T05thread:01;');
    expect(c.icount()).toBe(4);
    expect(c.timeline.replayBreak).toBe(4);
  });

  it('needs no resync when the target did not move, or once gdb fetched the registers again', () => {
    const c = client();
    atLoopEnd(c);
    expect(c.monitor('replay_seek 12')).toBe(''); // where gdb is: nothing to say
    expect(c.ask('c')).toBe('T05thread:01;swbreak:;');
    expect(c.icount()).toBe(16);
    expect(c.monitor('replay_seek 3')).toContain('[at instruction count 3;');
    expect(c.monitor('info replay')).toBe("Replaying execution 'test': instruction count = 3\n"); // said once
    c.ask('g'); // e.g. after 'maintenance flush register-cache'
    expect(c.ask('c')).toBe('T05thread:01;swbreak:;');
    expect(c.icount()).toBe(12);
  });

  it('steps and reverse motions after a seek are the usual ones', () => {
    const c = client();
    expect(c.request('c').at(-1)).toBe('T05thread:01;replaylog:end;');
    c.monitor('replay_seek 7');
    expect(c.ask('s')).toBe('T05thread:01;');
    expect(c.icount()).toBe(8);
    c.monitor('replay_seek 20');
    expect(c.ask('bs')).toBe('T05thread:01;');
    expect(c.icount()).toBe(19);
    expect(c.ask(`Z0,${hex32(WATCH.STORE)},4`)).toBe('OK');
    c.monitor('replay_seek 20');
    expect(c.ask('bc')).toBe('T05thread:01;swbreak:;');
    expect(c.icount()).toBe(17);
  });

  it('a watched access by the instruction right after the seek target is the stop, not skipped', () => {
    const c = client();
    expect(c.request('c').at(-1)).toBe('T05thread:01;replaylog:end;');
    const data = hex32(WATCH.DATA);
    expect(c.ask(`Z2,${data},4`)).toBe('OK');
    c.monitor('replay_seek 8'); // instruction 9 is the first store
    expect(c.ask('c')).toBe(`T05thread:01;watch:${data};`);
    expect([c.icount(), c.pc()]).toEqual([9, WATCH.STORE]);
    expect(c.ask('s')).toBe('T05thread:01;'); // gdb's step over the watchpoint: it shows 10
    c.monitor('replay_seek 9');
    // Instruction 9 is a continue's own first instruction (not a hit), 10 (the load) writes nothing.
    expect(c.ask('c')).toBe('T05thread:01;swbreak:;');
    expect(c.icount()).toBe(10);
    expect(c.ask('c')).toBe(`T05thread:01;watch:${data};`);
    expect(c.icount()).toBe(13);
  });

  it('a gdb that knows neither swbreak nor hwbreak gets a plain stop', () => {
    const c = client();
    expect(c.ask('qSupported:multiprocess+')).toContain('PacketSize=');
    c.monitor('replay_break 9');
    expect(c.ask('c')).toBe('T05thread:01;');
    c.monitor('replay_seek 3');
    expect(c.ask('c')).toBe('T05thread:01;');
    expect(c.icount()).toBe(4);
  });
});

describe('bounded resources', () => {
  it('answers run-length bombs with E1c without expanding them, and the session goes on', () => {
    const c = client();
    atFirstStore(c);
    const before = c.stub.decodedBytes;
    // Within PacketSize as sent, over 500 KiB once expanded.
    const bomb = framePacket(`X${hex32(WATCH.DATA)},4000:a` + '*~'.repeat(0x1fe0));
    for (let i = 0; i < 200; i++) expect(c.raw(bomb)).toEqual({ acks: '+', packets: ['E1c'] });
    expect(c.stub.decodedBytes).toBe(before);
    expect(c.logs.at(-1)).toContain(`expands to ${16 + 0x1fe0 * 97} (run-length encoding), more than PacketSize 16384`);
    expect(decodeBody(c.ask(`m${hex32(WATCH.DATA)},4`))).toBe(le(0));
    // A legitimate run within the bound still decodes (a write at the frontier).
    expect(c.ask(`X${hex32(WATCH.DATA)},4:a* `)).toBe('OK');
    expect(decodeBody(c.ask(`m${hex32(WATCH.DATA)},4`))).toBe('61616161');
  });

  it('reads no further while the transport says its output is full', () => {
    // As a socket that takes `room` bytes before its buffer counts as full.
    let room = Number.POSITIVE_INFINITY; // the client's first request (qSupported) goes through
    let written = (): number => 0;
    const c = new StubClient(new TimelineTarget(recordingTimeline(watchProgram())), { outputFull: () => written() >= room });
    written = () => c.out.length;
    const requests = framePacket('m80000000,4') + framePacket('g') + framePacket('?');
    c.out = '';
    room = 0;
    expect(c.stub.receive(requests)).toBe(0);
    expect(c.out).toBe('');
    room = 1;
    const taken = c.stub.receive(requests);
    expect(taken).toBe(framePacket('m80000000,4').length);
    expect(c.stub.receive(requests.slice(taken))).toBe(0);
    room = Number.POSITIVE_INFINITY;
    expect(c.stub.receive(requests.slice(taken))).toBe(requests.length - taken);
    expect(parseOutputPackets(c.out.replace(/\+/g, ''))).toHaveLength(3);
  });

  it('drops a client that floods packets while the target runs, or sends a packet that never ends', () => {
    const loop = elf32(assemble([['jal', { rd: 0, jimm: 0 }]]));
    const a = client(loop);
    a.stub.receive(framePacket('c'));
    expect(a.stub.running).toBe(true);
    a.stub.receive(framePacket('m80000000,4').repeat(32));
    expect(a.stub.ended).toBeNull();
    a.stub.receive(framePacket('m80000000,4'));
    expect(a.stub.ended).toBe('drop');
    expect(a.stub.running).toBe(false);
    expect(a.logs.at(-1)).toContain('more than 32 packets while the target runs');

    const b = client(loop);
    b.stub.receive('$');
    const chunk = 'x'.repeat(0x10000);
    for (let i = 0; i < 20 && !b.stub.ended; i++) b.stub.receive(chunk);
    expect(b.stub.ended).toBe('drop');
    expect(b.logs.at(-1)).toMatch(/a packet still without its end after \d+ bytes/);
  });
});

describe('robustness', () => {
  it('acks in ack mode, retransmits on -, and stops acking after QStartNoAckMode', () => {
    const c = client();
    expect(c.raw(framePacket('?'))).toEqual({ acks: '+', packets: ['T05thread:01;'] });
    expect(c.raw('-')).toEqual({ acks: '', packets: ['T05thread:01;'] });
    expect(c.raw('$?#00')).toEqual({ acks: '-', packets: [] });
    expect(c.raw(framePacket('QStartNoAckMode'))).toEqual({ acks: '+', packets: ['OK'] });
    expect(c.stub.noAckMode).toBe(true);
    expect(c.raw(framePacket('?'))).toEqual({ acks: '', packets: ['T05thread:01;'] });
    expect(c.raw('$?#00')).toEqual({ acks: '', packets: ['E02'] });
    expect(c.raw('+')).toEqual({ acks: '', packets: [] });
  });

  it('answers oversized, malformed and non-hex packets with errors and goes on', () => {
    const c = client();
    expect(c.raw(framePacket('M80001000,4:' + '00'.repeat(20000)))).toEqual({ acks: '+', packets: ['E1c'] });
    expect(c.raw('$m80000000,4$?#3f')).toEqual({ acks: '-+', packets: ['T05thread:01;'] });
    expect(c.ask('Z0,zz,4')).toBe('E01');
    expect(c.ask('Z0,80000000')).toBe('E01');
    expect(c.ask('Z9,80000000,4')).toBe('');
    expect(c.ask('vCont;x')).toBe('E01');
    expect(c.ask('Cxyz')).toBe('E01');
    expect(c.ask('c12345678901')).toBe('E01');
    expect(c.ask('H')).toBe('E01');
    expect(c.raw('\x03')).toEqual({ acks: '', packets: [] }); // nothing running: ignored
    expect(c.ask('?')).toBe('T05thread:01;');
    expect(runLengthEncode(c.ask('g'))).toBeTruthy();
  });

  it('survives a connection lost mid-continue: the next debugger finds a usable session', () => {
    const loop = elf32(assemble([['addi', { rd: 5, rs1: 5, imm12: 1 }], ['jal', { rd: 0, jimm: -4 }]]));
    const target = new TimelineTarget(recordingTimeline(loop));
    const first = new StubClient(target);
    expect(first.ask('Z0,80000000,4')).toBe('OK');
    expect(first.ask('Z2,80001000,4')).toBe('OK');
    first.stub.receive(framePacket('bc'));
    first.stub.receive(framePacket('c'));
    expect(first.stub.poll()).not.toBe('idle');
    first.stub.connectionLost();
    expect(first.stub.ended).toBe('detach');
    expect(target.timeline.breakpoints.size).toBe(0);
    expect(target.timeline.watchpoints).toHaveLength(0);
    const second = new StubClient(target);
    expect(second.ask('?')).toBe('T05thread:01;');
    expect(second.ask('Z0,80000004,4')).toBe('OK');
    const before = second.icount();
    expect(second.ask('c')).toBe('T05thread:01;swbreak:;');
    expect(second.icount()).toBeGreaterThan(before);
    expect(second.pc()).toBe(0x80000004);
  });

  it('pins a snapshot where a debugger attaches; D detaches, k kills', () => {
    const tl = recordingTimeline(watchProgram());
    const target = new TimelineTarget(tl);
    const a = new StubClient(target);
    expect(a.monitor('replay_break 20')).toBe('');
    expect(a.ask('c')).toBe('T05thread:01;');
    expect(a.ask('Z0,80000000,4')).toBe('OK');
    let ended: string | null = null;
    a.stub.onEnd = (how) => { ended = how; };
    expect(a.request('D')).toEqual(['OK']);
    expect(ended).toBe('detach');
    expect(tl.breakpoints.size).toBe(0);
    const b = new StubClient(target);
    expect(tl.snapshots.list.some((s) => s.icount === 20 && s.pinned)).toBe(true);
    expect(b.request('k')).toEqual([]);
    expect(b.stub.ended).toBe('kill');
    expect(b.raw(framePacket('?'))).toEqual({ acks: '', packets: [] });
  });
});
