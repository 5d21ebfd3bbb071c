// Integer registers: x0..x31 with their ABI names (the names objdump prints).

export interface RegisterDef {
  readonly number: number;
  readonly name: string;      // x0..x31
  readonly abi: string;       // zero, ra, sp, ...
}

const ABI = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2',
  's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7',
  's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
] as const;

export const REGISTERS: readonly RegisterDef[] = ABI.map((abi, number) => ({ number, name: `x${number}`, abi }));

/** ABI name of register n (objdump's default). */
export function registerName(n: number): string {
  return ABI[n & 31] ?? `x${n}`;
}

const byName = new Map<string, number>();
for (const r of REGISTERS) {
  byName.set(r.name, r.number);
  byName.set(r.abi, r.number);
}
byName.set('fp', 8);

/** Register number for `x5`, `t0`, `fp`, ... (lower case), or undefined. */
export function registerNumber(name: string): number | undefined {
  return byName.get(name);
}
