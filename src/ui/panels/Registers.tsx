/** Registers x0..x31 and pc with ABI names; values that changed at the last stop are highlighted. */
import { useState } from 'react';
import { useIde } from '../state/store';
import { REGISTERS } from '../../isa';
import { hex32 } from '../format';

export function RegistersPanel() {
  const regs = useIde((s) => s.registers);
  const prev = useIde((s) => s.previousRegisters);
  const [decimal, setDecimal] = useState(false);
  const fmt = (v: number) => (decimal ? String(v | 0) : `0x${hex32(v)}`);
  return (
    <section className="panel" aria-label="Registers">
      <header className="panel-head">
        <h2>Registers</h2>
        <button className="chip" onClick={() => setDecimal(!decimal)} aria-label="Toggle hex/decimal" title="Show values in hex or decimal">{decimal ? 'dec' : 'hex'}</button>
      </header>
      <div className="panel-body">
        {!regs ? <p className="empty">No program loaded.</p> : (
          <table className="regs" data-testid="registers">
            <tbody>
              <tr className={prev && prev.pc !== regs.pc ? 'changed' : ''} data-reg="pc">
                <th>pc</th><td className="abi"></td><td className="val" data-testid="reg-pc">0x{hex32(regs.pc)}</td>
              </tr>
              {REGISTERS.map((r) => {
                const v = regs.x[r.number] ?? 0;
                const changed = prev !== null && (prev.x[r.number] ?? 0) !== v;
                return (
                  <tr key={r.number} className={changed ? 'changed' : ''} data-reg={r.abi}>
                    <th>{r.abi}</th><td className="abi">{r.name}</td><td className="val" data-testid={`reg-${r.abi}`}>{fmt(v)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
