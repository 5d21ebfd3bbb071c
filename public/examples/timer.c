/* Timer interrupt example: a machine-mode trap handler (mtvec) counts CLINT timer
 * interrupts while main sleeps in WFI. mtime runs at 10 MHz; under QEMU -icount shift=0
 * and in Rewind one instruction is one nanosecond of virtual time, and a WFI jumps virtual
 * time to the next timer deadline. The instruction count does not depend on where that
 * deadline falls, because every tick is awaited with WFI. The interval (100000 instructions
 * of virtual time) is far longer than the work between two WFIs. */
#include "rt.h"

#define INTERVAL 1000u /* mtime ticks = 100 us of virtual time */
#define TICKS 10u

static volatile uint32_t ticks;
static volatile uint32_t handler_insns;

static uint64_t read_mtime(void) {
  uint32_t hi, lo;
  do {
    hi = *mmio32(CLINT_MTIME + 4);
    lo = *mmio32(CLINT_MTIME);
  } while (hi != *mmio32(CLINT_MTIME + 4));
  return ((uint64_t)hi << 32) | lo;
}

static void write_mtimecmp(uint64_t v) {
  *mmio32(CLINT_MTIMECMP + 4) = 0xffffffffu; /* no spurious interrupt between the halves */
  *mmio32(CLINT_MTIMECMP) = (uint32_t)v;
  *mmio32(CLINT_MTIMECMP + 4) = (uint32_t)(v >> 32);
}

__attribute__((interrupt("machine"), aligned(4))) static void trap_handler(void) {
  uint32_t t0 = rdinstret();
  uint32_t cause = csr_read(mcause);
  if (cause != 0x80000007u) { /* only the machine timer interrupt is expected */
    rt_report_trap(cause, csr_read(mepc), csr_read(mtval));
    exit(98);
  }
  ticks = ticks + 1;
  /* Relative to now, not to the previous deadline: if the host delivers an interrupt late
   * (QEMU without icount sleep=off warps by wall-clock time), the next one still cannot
   * arrive before main is back in WFI. */
  write_mtimecmp(read_mtime() + INTERVAL);
  handler_insns = rdinstret() - t0;
}


int main(void) {
  uart_puts("timer: waiting for 10 timer interrupts in WFI\n");
  uint64_t start = read_mtime();
  write_mtimecmp(start + INTERVAL);
  csr_write(mtvec, (uint32_t)trap_handler);
  csr_set(mie, MIE_MTIE);
  csr_set(mstatus, MSTATUS_MIE);

  uint32_t seen = 0;
  while (seen < TICKS) {
    while (ticks == seen) wfi();
    seen++;
    uart_puts("tick ");
    print_dec(seen);
    uart_putc('\n');
  }
  csr_clear(mie, MIE_MTIE);
  csr_clear(mstatus, MSTATUS_MIE);
  uint64_t elapsed = read_mtime() - start;

  print_kv("ticks", ticks);
  uart_puts("elapsed mtime covers 10 intervals: ");
  uart_puts(elapsed >= TICKS * INTERVAL && elapsed < (TICKS + 1) * INTERVAL ? "yes\n" : "no\n");
  print_kv("instructions in the last handler", handler_insns);
  return 0;
}
