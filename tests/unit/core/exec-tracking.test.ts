// Execution tracking for the replay engine's interval summaries: takeExecutedPcs() returns
// exactly the distinct RAM pcs executed since the last call, whatever stops happened between.
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../src/core';
import { randomProgram } from '../replay/randomProgram';

function pcsByStepping(seed: number, from: number, to: number): number[] {
  const m = new Machine({ ramSize: 64 * 1024 });
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
    it(`seed ${seed}: the noted pcs of each interval equal those of a step-by-step run`, () => {
      const m = new Machine({ ramSize: 64 * 1024 });
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

  it('notes nothing when off, and restarts cleanly after a reset of the interval', () => {
    const m = new Machine({ ramSize: 64 * 1024 });
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
