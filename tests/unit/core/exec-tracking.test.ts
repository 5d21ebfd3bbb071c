// Execution tracking for the replay engine's interval summaries: takeExecutedPcs() returns the
// distinct RAM pcs executed since the last call, whatever stops happened between: exactly with
// the interpreter; with the translator a superset (a block's pcs are noted on entry).
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../src/core';
import { randomProgram } from '../replay/randomProgram';

function pcsByStepping(seed: number, from: number, to: number): number[] {
  const m = new Machine({ ramSize: 64 * 1024, translate: false });
  m.load(randomProgram(seed));
  m.run(from);
  const seen = new Set<number>();
  while (m.icount < to && !m.exited) {
    if (m.pc >= 0x80000000) seen.add(m.pc);
    m.run(m.icount + 1);
  }
  return [...seen].sort((a, b) => a - b);
}

describe('execution tracking', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: the noted pcs of each interval equal those of a step-by-step run (interpreter)`, () => {
      const m = new Machine({ ramSize: 64 * 1024, translate: false });
      m.load(randomProgram(seed));
      m.execTracking = true;
      let from = 0;
      for (const to of [500, 1234, 1300, 2600]) {
        // A breakpoint in the middle splits the run; the summary must not care.
        m.setBreakpoints([0x80000000 + 4 * ((seed * 7) % 20)]);
        while (m.icount < to && !m.exited) m.run(to);
        m.setBreakpoints([]);
        expect([...m.takeExecutedPcs()], `interval ${from}..${to}`).toEqual(pcsByStepping(seed, from, to));
        from = m.icount;
      }
    });
  }

  it('with the translator, the noted pcs include every executed one', () => {
    for (const seed of [1, 2, 3]) {
      const m = new Machine({ ramSize: 64 * 1024, translateThreshold: 1 });
      m.load(randomProgram(seed));
      m.execTracking = true;
      let from = 0;
      for (const to of [500, 1234, 2600]) {
        while (m.icount < to && !m.exited) m.run(to);
        const noted = new Set(m.takeExecutedPcs());
        expect(pcsByStepping(seed, from, to).filter((pc) => !noted.has(pc)), `interval ${from}..${to}`).toEqual([]);
        from = m.icount;
      }
      expect(m.translatedInstructions).toBeGreaterThan(0);
    }
  });

  it('notes nothing when off, and restarts cleanly after a reset of the interval', () => {
    const m = new Machine({ ramSize: 64 * 1024, translate: false });
    m.load(randomProgram(4));
    m.run(300);
    expect(m.takeExecutedPcs().length).toBe(0);
    m.execTracking = true;
    m.run(400);
    m.resetExecutedPcs();
    m.run(900);
    expect([...m.takeExecutedPcs()]).toEqual(pcsByStepping(4, 400, 900));
  });
});
