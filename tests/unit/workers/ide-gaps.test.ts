import { describe, it, expect } from 'vitest';
import { connect, elf } from './connect';
import type { PeekInfo } from '../../../workers/api';
import { SPIN_WRITER } from '../storage/fixtures';


describe('renaming a stored session', () => {
  it('renames the open session and a closed one; the names survive a new engine; empty names are rejected', async () => {
    const dbName = `rewind-rename-${process.pid}`;
    const a = connect({ dbName });
    const first = (await a.api.load(elf('hello'))).session!;
    await a.api.run();
    const second = (await a.api.load(elf('compute'))).session!;
    await a.api.flush();
    const before = await a.api.listSessions();
    expect(before.map((s) => s.id)).toEqual([second.id, first.id]);

    // The open session: the worker's name, info replay and the stored record all change.
    await a.api.renameSession(second.id, '  my compute  ');
    expect((await a.api.status()).session!.name).toBe('my compute');
    expect((await a.api.infoReplay()).text).toContain("'my compute'");
    expect(a.events.some((e) => e.type === 'session' && e.session?.name === 'my compute')).toBe(true);
    // A closed one: only its record (the list keeps its order: updatedAt is unchanged).
    await a.api.renameSession(first.id, 'greeting');
    const after = await a.api.listSessions();
    expect(after.map((s) => [s.id, s.name])).toEqual([[second.id, 'my compute'], [first.id, 'greeting']]);
    expect(after.find((s) => s.id === first.id)!.updatedAt).toBe(before.find((s) => s.id === first.id)!.updatedAt);

    // Later batches of the open session keep the new name.
    await a.api.step();
    await a.api.flush();

    await expect(a.api.renameSession(first.id, '   ')).rejects.toThrow(/cannot be empty/);
    await expect(a.api.renameSession('no-such-id', 'x')).rejects.toThrow(/no stored session/);
    expect((await a.api.listSessions()).find((s) => s.id === first.id)!.name).toBe('greeting');

    const b = connect({ dbName });
    const list = await b.api.listSessions();
    expect(list.map((s) => s.name)).toEqual(['my compute', 'greeting']);
    const opened = await b.api.openSession(first.id);
    expect(opened.name).toBe('greeting');
    expect((await b.api.infoReplay()).text).toContain("'greeting'");
  });
});

describe('peek: pc at an icount without moving', () => {
  it('returns the pc a seek would show and leaves the state hash and position unchanged', async () => {
    const { api, events } = connect({ storage: 'none' });
    await api.load(elf('compute'), { snapshotInterval: 500_000 });
    await api.replayBreak(3_000_000);
    await api.continueForward();
    await api.seek(2_345_678);
    const hash = await api.stateHash();
    const regs = await api.registers();
    const stopsBefore = events.filter((e) => e.type === 'stop').length;

    const targets = [17, 1_000_001, 2_999_999, 3_000_000, 2_345_678];
    const peeks: PeekInfo[] = [];
    for (const t of targets) {
      const p = await api.peek(t);
      expect(p).not.toBeNull();
      peeks.push(p!);
      expect(await api.stateHash()).toBe(hash);
      expect(await api.registers()).toEqual(regs);
    }
    expect(events.filter((e) => e.type === 'stop').length).toBe(stopsBefore);
    // The same pc as a real seek there, with the symbol the pc is in.
    for (const p of peeks) {
      const s = await api.seek(p.icount);
      expect(p.pc).toBe(s.pc);
    }
    const symbols = (await api.status()).session!.symbols;
    for (const p of peeks) {
      expect(p.symbol).toBeDefined();
      const name = p.symbol!.split('+')[0]!;
      const sym = symbols.find((s) => s.name === name)!;
      expect(sym.value >>> 0).toBeLessThanOrEqual(p.pc);
    }
    await expect(api.peek(3_000_001)).rejects.toThrow(/0 to 3000000/);
  });

  it('yields to real requests: a step or a newer peek supersedes it and the session is where it was', async () => {
    const { api } = connect({ storage: 'none' });
    // Few snapshots: a peek far back replays millions of instructions, in slices.
    await api.load({ kind: 'asm', text: SPIN_WRITER, fileName: 'spin.s' }, { snapshotInterval: 20_000_000 });
    await api.replayBreak(12_000_000);
    await api.continueForward();
    const hash = await api.stateHash();
    const r0 = await api.registers();

    // A step arriving while a long peek runs: the peek resolves null, the step starts from 12,000,000.
    const slow = api.peek(11_999_000);
    const step = api.step();
    expect(await slow).toBeNull();
    expect((await step).icount).toBe(12_000_001);
    const back = await api.reverseStep();
    expect(back.icount).toBe(12_000_000);
    expect(await api.stateHash()).toBe(hash);
    expect(await api.registers()).toEqual(r0);

    // Peeks superseding peeks (a pointer moving): only the last answers; then a read sees the origin.
    const many = [2_000_000, 5_000_000, 9_000_000, 11_000_000].map((t) => api.peek(t));
    const answers = await Promise.all(many);
    expect(answers.slice(0, -1).every((a) => a === null)).toBe(true);
    expect(answers[3]!.icount).toBe(11_000_000);
    expect(await api.stateHash()).toBe(hash);
    const pending = api.peek(3_000_000);
    expect(await api.registers()).toEqual(r0);
    expect(await pending).toBeNull();

    // While an operation runs, peek does not touch the machine.
    await api.replayDeleteBreak();
    const run = api.continueForward();
    expect(await api.peek(100)).toBeNull();
    await api.pause();
    await run;
  });
});

describe('console marks from the log', () => {
  it('lists input and output lines of the recording, also after export and import, bounded by limit', async () => {
    const a = connect({ storage: 'none' });
    await a.api.load(elf('echo'));
    await a.api.sendInput('hello rewind\nsecond line\n');
    const run = a.api.continueForward();
    for (let i = 0; i < 200; i++) {
      const text = await a.api.consoleText();
      if (text.includes('SECOND LINE')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await a.api.pause();
    await run;
    const marks = await a.api.consoleMarks();
    expect(marks.input.map((m) => m.text)).toEqual(['hello rewind\n', 'second line\n']);
    expect(marks.inputTruncated).toBe(false);
    expect(marks.outputHigh).toBeGreaterThan(marks.output[marks.output.length - 1]!.icount);
    const outText = marks.output.map((m) => m.text).join('');
    expect(outText).toContain('HELLO REWIND\n');
    expect(marks.output.some((m) => m.text === 'SECOND LINE\n')).toBe(true);
    for (const list of [marks.input, marks.output]) {
      for (let i = 1; i < list.length; i++) expect(list[i]!.icount).toBeGreaterThanOrEqual(list[i - 1]!.icount);
      for (const m of list) expect(m.icount).toBeLessThanOrEqual(marks.frontier);
    }
    // The output line's icount is that of its first byte: the console before it lacks the line.
    const line = marks.output.find((m) => m.text === 'SECOND LINE\n')!;
    await a.api.seek(line.icount);
    expect(await a.api.consoleText()).not.toContain('SECOND LINE');
    await a.api.seek(line.icount + 1);
    expect(await a.api.consoleText()).toContain('S');

    const limited = await a.api.consoleMarks(1);
    expect(limited.input.map((m) => m.text)).toEqual(['second line\n']);
    expect(limited.inputTruncated).toBe(true);
    expect(limited.output).toEqual(marks.output.slice(-1));

    // An imported replay file: the input lines come from its log at once; output is known up to
    // where it has been replayed (outputHigh), and complete once replayed to the end.
    const bytes = await a.api.exportReplay();
    const b = connect({ storage: 'none' });
    await b.api.importReplay(bytes);
    const imported = await b.api.consoleMarks();
    expect(imported.input).toEqual(marks.input);
    expect(imported.outputHigh).toBe(0);
    expect(imported.output).toEqual([]);
    await b.api.seek(imported.frontier);
    const replayed = await b.api.consoleMarks();
    expect(replayed.outputHigh).toBe(marks.outputHigh);
    expect(replayed.output).toEqual(marks.output);
  });
});
