/* UART input example: echoes its input in upper case until it reads EOT (0x04, Ctrl-D)
 * or 4096 bytes, then prints statistics about the input.
 *
 * Waiting is interrupt driven and costs the same number of instructions however the input
 * arrives (all at once or byte by byte): each byte is taken after exactly one WFI. The UART
 * raises PLIC source 10 while a byte is waiting; mie.MEIE wakes the WFI, mstatus.MIE stays
 * off so no trap is taken. Run with: rewind run echo.elf --input examples/inputs/echo.txt */
#include "rt.h"

#define MAX_INPUT 4096u
#define EOT 0x04

#define PLIC_PRIORITY(irq) (PLIC_BASE + 4u * (irq))
#define PLIC_ENABLE_CTX0 (PLIC_BASE + 0x2000u)
#define PLIC_THRESHOLD_CTX0 (PLIC_BASE + 0x200000u)
#define PLIC_CLAIM_CTX0 (PLIC_BASE + 0x200004u)

static uint8_t input[MAX_INPUT];

static int wait_getc(void) {
  for (;;) {
    wfi();
    uint32_t id = *mmio32(PLIC_CLAIM_CTX0);
    int c = uart_try_getc();
    if (id) *mmio32(PLIC_CLAIM_CTX0) = id; /* complete */
    if (c >= 0) return c;
  }
}

int main(void) {
  *mmio32(PLIC_PRIORITY(PLIC_UART_IRQ)) = 1;
  *mmio32(PLIC_THRESHOLD_CTX0) = 0;
  *mmio32(PLIC_ENABLE_CTX0) = 1u << PLIC_UART_IRQ;
  *mmio8(UART0_BASE + UART_IER) = 1; /* received data available */
  csr_set(mie, MIE_MEIE);

  uart_puts("echo: type text, end with Ctrl-D (EOT)\n");
  uint32_t n = 0;
  while (n < MAX_INPUT) {
    int c = wait_getc();
    if (c == EOT) break;
    input[n++] = (uint8_t)c;
    uart_putc(c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : (char)c);
  }
  csr_clear(mie, MIE_MEIE);

  uint32_t t0 = rdinstret();
  uint32_t lines = 0, words = 0, hash = 2166136261u; /* FNV-1a */
  int in_word = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t c = input[i];
    hash = (hash ^ c) * 16777619u;
    if (c == '\n') lines++;
    int space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space && !in_word) words++;
    in_word = !space;
  }
  uint32_t t1 = rdinstret();
  uart_puts("\n");
  print_kv("bytes", n);
  print_kv("lines", lines);
  print_kv("words", words);
  print_kv_hex("fnv-1a", hash);
  print_kv("  instructions", t1 - t0);
  return 0;
}
