// CSR names and numbers, as GNU binutils 2.40 knows them (objdump's naming is the reference).

/**
 * `spec`: names that depend on the privileged-spec version objdump assumes.
 * '1.12' names (e.g. mstatush, menvcfg) are shown only for 1.12 and later, '1.11' names
 * (the removed N extension CSRs) only for 1.11 and earlier. GNU as records priv spec 1.11 in the
 * ELF attributes of any file that uses CSRs, and objdump then names CSRs as 1.11 does.
 */
export interface CsrDef {
  readonly name: string;
  readonly number: number;
  readonly spec?: '1.11' | '1.12';
}

function c(name: string, number: number, spec?: '1.11' | '1.12'): CsrDef {
  return spec ? { name, number, spec } : { name, number };
}

function range(prefix: string, suffix: string, first: number, last: number, base: number, spec?: '1.11' | '1.12'): CsrDef[] {
  const out: CsrDef[] = [];
  for (let i = first; i <= last; i++) out.push(c(`${prefix}${i}${suffix}`, base + i - first, spec));
  return out;
}

export const CSRS: readonly CsrDef[] = [
  c('ustatus', 0x000, '1.11'),
  c('fflags', 0x001),
  c('frm', 0x002),
  c('fcsr', 0x003),
  c('uie', 0x004, '1.11'),
  c('utvec', 0x005, '1.11'),
  c('vstart', 0x008),
  c('vxsat', 0x009),
  c('vxrm', 0x00a),
  c('vcsr', 0x00f),
  c('seed', 0x015),
  c('uscratch', 0x040, '1.11'),
  c('uepc', 0x041, '1.11'),
  c('ucause', 0x042, '1.11'),
  c('utval', 0x043, '1.11'),
  c('uip', 0x044, '1.11'),
  c('sstatus', 0x100),
  c('sedeleg', 0x102, '1.11'),
  c('sideleg', 0x103, '1.11'),
  c('sie', 0x104),
  c('stvec', 0x105),
  c('scounteren', 0x106),
  c('senvcfg', 0x10a, '1.12'),
  c('sstateen0', 0x10c),
  c('sstateen1', 0x10d),
  c('sstateen2', 0x10e),
  c('sstateen3', 0x10f),
  c('sieh', 0x114),
  c('sscratch', 0x140),
  c('sepc', 0x141),
  c('scause', 0x142),
  c('stval', 0x143),
  c('sip', 0x144),
  c('stimecmp', 0x14d),
  c('siselect', 0x150),
  c('sireg', 0x151),
  c('siph', 0x154),
  c('stopei', 0x15c),
  c('stimecmph', 0x15d),
  c('satp', 0x180),
  c('vsstatus', 0x200),
  c('vsie', 0x204),
  c('vstvec', 0x205),
  c('vsieh', 0x214),
  c('vsscratch', 0x240),
  c('vsepc', 0x241),
  c('vscause', 0x242),
  c('vstval', 0x243),
  c('vsip', 0x244),
  c('vstimecmp', 0x24d),
  c('vsiselect', 0x250),
  c('vsireg', 0x251),
  c('vsiph', 0x254),
  c('vstopei', 0x25c),
  c('vstimecmph', 0x25d),
  c('vsatp', 0x280),
  c('mstatus', 0x300),
  c('misa', 0x301),
  c('medeleg', 0x302),
  c('mideleg', 0x303),
  c('mie', 0x304),
  c('mtvec', 0x305),
  c('mcounteren', 0x306),
  c('mvien', 0x308),
  c('mvip', 0x309),
  c('menvcfg', 0x30a, '1.12'),
  c('mstateen0', 0x30c),
  c('mstateen1', 0x30d),
  c('mstateen2', 0x30e),
  c('mstateen3', 0x30f),
  c('mstatush', 0x310, '1.12'),
  c('midelegh', 0x313),
  c('mieh', 0x314),
  c('mvienh', 0x318),
  c('mviph', 0x319),
  c('menvcfgh', 0x31a, '1.12'),
  c('mstateen0h', 0x31c),
  c('mstateen1h', 0x31d),
  c('mstateen2h', 0x31e),
  c('mstateen3h', 0x31f),
  c('mcountinhibit', 0x320),
  ...range('mhpmevent', '', 3, 31, 0x323),
  c('mscratch', 0x340),
  c('mepc', 0x341),
  c('mcause', 0x342),
  c('mtval', 0x343),
  c('mip', 0x344),
  c('mtinst', 0x34a, '1.12'),
  c('mtval2', 0x34b, '1.12'),
  c('miselect', 0x350),
  c('mireg', 0x351),
  c('miph', 0x354),
  c('mtopei', 0x35c),
  ...range('pmpcfg', '', 0, 3, 0x3a0),
  ...range('pmpcfg', '', 4, 15, 0x3a4, '1.12'),
  ...range('pmpaddr', '', 0, 15, 0x3b0),
  ...range('pmpaddr', '', 16, 63, 0x3c0, '1.12'),
  c('scontext', 0x5a8),
  c('hstatus', 0x600),
  c('hedeleg', 0x602),
  c('hideleg', 0x603),
  c('hie', 0x604),
  c('htimedelta', 0x605),
  c('hcounteren', 0x606),
  c('hgeie', 0x607),
  c('hvien', 0x608),
  c('hvictl', 0x609),
  c('henvcfg', 0x60a),
  c('hstateen0', 0x60c),
  c('hstateen1', 0x60d),
  c('hstateen2', 0x60e),
  c('hstateen3', 0x60f),
  c('hidelegh', 0x613),
  c('htimedeltah', 0x615),
  c('hvienh', 0x618),
  c('henvcfgh', 0x61a),
  c('hstateen0h', 0x61c),
  c('hstateen1h', 0x61d),
  c('hstateen2h', 0x61e),
  c('hstateen3h', 0x61f),
  c('htval', 0x643),
  c('hip', 0x644),
  c('hvip', 0x645),
  c('hviprio1', 0x646),
  c('hviprio2', 0x647),
  c('htinst', 0x64a),
  c('hviph', 0x655),
  c('hviprio1h', 0x656),
  c('hviprio2h', 0x657),
  c('hgatp', 0x680),
  c('hcontext', 0x6a8),
  ...range('mhpmevent', 'h', 3, 31, 0x723),
  c('mseccfg', 0x747, '1.12'),
  c('mseccfgh', 0x757, '1.12'),
  c('tselect', 0x7a0),
  c('tdata1', 0x7a1),
  c('tdata2', 0x7a2),
  c('tdata3', 0x7a3),
  c('tinfo', 0x7a4),
  c('tcontrol', 0x7a5),
  c('mcontext', 0x7a8),
  c('mscontext', 0x7aa),
  c('dcsr', 0x7b0),
  c('dpc', 0x7b1),
  c('dscratch0', 0x7b2),
  c('dscratch1', 0x7b3),
  c('mcycle', 0xb00),
  c('minstret', 0xb02),
  ...range('mhpmcounter', '', 3, 31, 0xb03),
  c('mcycleh', 0xb80),
  c('minstreth', 0xb82),
  ...range('mhpmcounter', 'h', 3, 31, 0xb83),
  c('cycle', 0xc00),
  c('time', 0xc01),
  c('instret', 0xc02),
  ...range('hpmcounter', '', 3, 31, 0xc03),
  c('vl', 0xc20),
  c('vtype', 0xc21),
  c('vlenb', 0xc22),
  c('cycleh', 0xc80),
  c('timeh', 0xc81),
  c('instreth', 0xc82),
  ...range('hpmcounter', 'h', 3, 31, 0xc83),
  c('scountovf', 0xda0),
  c('stopi', 0xdb0),
  c('hgeip', 0xe12),
  c('vstopi', 0xeb0),
  c('mvendorid', 0xf11),
  c('marchid', 0xf12),
  c('mimpid', 0xf13),
  c('mhartid', 0xf14),
  c('mconfigptr', 0xf15, '1.12'),
  c('mtopi', 0xfb0),
].sort((a, b) => a.number - b.number);

/** Extra names GNU as accepts for some CSRs. */
export const CSR_ALIASES: Readonly<Record<string, number>> = {
  dscratch: 0x7b2,
  sbadaddr: 0x143,
  mbadaddr: 0x343,
  sptbr: 0x180,
  mucounteren: 0x320,
  ubadaddr: 0x043,
};

const byName = new Map<string, CsrDef>();
const byNumber = new Map<number, CsrDef[]>();
for (const csr of CSRS) {
  byName.set(csr.name, csr);
  const list = byNumber.get(csr.number) ?? [];
  list.push(csr);
  byNumber.set(csr.number, list);
}

/** CSR number for a name (either case), or undefined. */
export function csrNumber(name: string): number | undefined {
  const lower = name.toLowerCase();
  return byName.get(lower)?.number ?? CSR_ALIASES[lower];
}

/** The name objdump shows for a CSR number under the given privileged spec, or undefined. */
export function csrName(number: number, privSpec: '1.11' | '1.12' = '1.12'): string | undefined {
  const list = byNumber.get(number);
  if (!list) return undefined;
  for (const csr of list) {
    if (csr.spec === undefined) return csr.name;
    if (csr.spec === '1.12' && privSpec === '1.12') return csr.name;
    if (csr.spec === '1.11' && privSpec === '1.11') return csr.name;
  }
  return undefined;
}
