/* Traps example: ecall, ebreak and illegal instructions are caught by a machine-mode
 * handler (mtvec) that reports mcause/mepc/mtval and skips the instruction; then main
 * drops to user mode (mret with MPP=U, PMP opened for U as QEMU requires) and comes back
 * through an ecall from U-mode. Exits with status 3 to show how an exit code is passed
 * to the host (SiFive test device: (3 << 16) | 0x3333).
 * Every trap here is raised while decoding (QEMU counts the instruction, as Rewind does);
 * faults QEMU detects at run time (loads, stores, CSR permission checks) retire nothing in
 * QEMU but count one in Rewind, so they are kept out of the examples. */
#include "rt.h"

static volatile uint32_t trap_count;
static volatile uint32_t last_cause, last_tval, last_epc_offset;
extern char trap_points[]; /* base for reporting mepc as an offset */

__attribute__((interrupt("machine"), aligned(4))) static void trap_handler(void) {
  uint32_t cause = csr_read(mcause);
  uint32_t epc = csr_read(mepc);
  last_cause = cause;
  last_tval = csr_read(mtval);
  last_epc_offset = epc - (uint32_t)trap_points;
  trap_count = trap_count + 1;
  if (cause == 8) csr_set(mstatus, 3u << 11); /* ecall from U: return to M-mode */
  uint16_t low = *(volatile uint16_t *)epc;
  csr_write(mepc, epc + ((low & 3) == 3 ? 4 : 2));
}

static void report(const char *what) {
  uart_puts(what);
  uart_puts(": mcause=");
  print_dec(last_cause);
  uart_puts(" mtval=");
  print_hex(last_tval);
  uart_puts(" at +");
  print_dec(last_epc_offset);
  uart_putc('\n');
}

int main(void) {
  csr_write(mtvec, (uint32_t)trap_handler);
  uint32_t t0 = rdinstret();
  __asm__ volatile(".globl trap_points\ntrap_points:\n\tli a7, 93\n\tecall" ::: "a7", "memory");
  report("ecall from M");
  __asm__ volatile(".option push\n.option norvc\nebreak\n.option pop" ::: "memory");
  report("ebreak");
  __asm__ volatile("c.ebreak" ::: "memory");
  report("c.ebreak");
  __asm__ volatile(".4byte 0xffffffff" ::: "memory");
  report("illegal (32-bit)");
  __asm__ volatile(".2byte 0x0000" ::: "memory");
  report("illegal (16-bit zero)");

  /* PMP entry 0: NAPOT over the whole address space, R/W/X, so U-mode may run. */
  csr_write(pmpaddr0, 0xffffffffu);
  csr_write(pmpcfg0, 0x1f);
  __asm__ volatile(
      "la t0, 1f\n\t"
      "csrw mepc, t0\n\t"
      "li t0, 0x1800\n\t"
      "csrc mstatus, t0\n\t" /* MPP = U */
      "mret\n"
      "1:\tecall\n\t" /* from U-mode: mcause 8 */
      ::: "t0", "memory");
  report("ecall from U");
  uint32_t t1 = rdinstret();
  print_kv("traps taken", trap_count);
  print_kv("instructions", t1 - t0);
  uart_puts("exiting with status 3\n");
  return 3;
}
