// The target description (qXfer:features:read:target.xml) for riscv:rv32: one document with
// the features gdb's RISC-V support looks for (org.gnu.gdb.riscv.cpu/.csr/.virtual).
import type { RegisterFeature, RegisterInfo } from './target';

const FEATURE_NAMES: Record<RegisterFeature, string> = {
  cpu: 'org.gnu.gdb.riscv.cpu',
  csr: 'org.gnu.gdb.riscv.csr',
  virtual: 'org.gnu.gdb.riscv.virtual',
};

export function targetXml(architecture: string, registers: readonly RegisterInfo[]): string {
  let xml = '<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "gdb-target.dtd">\n<target version="1.0">\n';
  xml += `<architecture>${architecture}</architecture>\n`;
  for (const feature of ['cpu', 'csr', 'virtual'] as const) {
    const regs = registers.filter((r) => r.feature === feature);
    if (regs.length === 0) continue;
    xml += `<feature name="${FEATURE_NAMES[feature]}">\n`;
    for (const r of regs) {
      xml += `  <reg name="${r.name}" bitsize="${r.bitsize}" regnum="${r.regnum}"${r.type ? ` type="${r.type}"` : ''}/>\n`;
    }
    xml += '</feature>\n';
  }
  return xml + '</target>\n';
}
