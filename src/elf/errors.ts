/** A malformed or unsupported ELF file. `field` names the offending ELF field (spec names:
 *  e_machine, p_offset of program header 2, ...), `value` the value found there. */
export class ElfError extends Error {
  override readonly name = 'ElfError';
  readonly field: string;
  readonly value: number | string;

  constructor(field: string, value: number | string, problem: string) {
    const shown = typeof value === 'string' ? value : ADDRESS_FIELD.test(field) ? hex(value) : formatNumber(value);
    super(`${field} = ${shown}: ${problem}`);
    this.field = field;
    this.value = value;
  }
}

/** Fields holding addresses or file offsets are always shown in hex. */
const ADDRESS_FIELD = /^(e_entry|e_phoff|e_shoff|p_offset|p_paddr|p_vaddr|sh_offset|sh_addr|st_value)\b/;

/** Small numbers in decimal, addresses and large numbers in hex. */
export function formatNumber(value: number): string {
  return value < 0x10000 ? String(value) : `0x${value.toString(16)}`;
}

export function hex(value: number): string {
  return `0x${value.toString(16)}`;
}
