#include "rt.h"

void uart_putc(char c) {
  while (!(*mmio8(UART0_BASE + UART_LSR) & UART_LSR_THRE)) {
  }
  *mmio8(UART0_BASE + UART_THR) = (uint8_t)c;
}

void uart_write(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) uart_putc(s[i]);
}

void uart_puts(const char *s) {
  while (*s) uart_putc(*s++);
}

int uart_try_getc(void) {
  if (!(*mmio8(UART0_BASE + UART_LSR) & UART_LSR_DR)) return -1;
  return *mmio8(UART0_BASE + UART_RBR);
}

void print_hex(uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  char buf[10];
  buf[0] = '0';
  buf[1] = 'x';
  for (int i = 0; i < 8; i++) buf[2 + i] = digits[(v >> (28 - 4 * i)) & 0xf];
  uart_write(buf, 10);
}

void print_dec64(uint64_t v) {
  char buf[20];
  int n = 0;
  do {
    buf[n++] = (char)('0' + (int)(v % 10));
    v /= 10;
  } while (v);
  while (n) uart_putc(buf[--n]);
}

void print_dec(uint32_t v) {
  char buf[10];
  int n = 0;
  do {
    buf[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) uart_putc(buf[--n]);
}

void print_sdec(int32_t v) {
  if (v < 0) {
    uart_putc('-');
    print_dec(0u - (uint32_t)v);
  } else {
    print_dec((uint32_t)v);
  }
}

void print_kv(const char *label, uint32_t v) {
  uart_puts(label);
  uart_puts(": ");
  print_dec(v);
  uart_putc('\n');
}

void print_kv_hex(const char *label, uint32_t v) {
  uart_puts(label);
  uart_puts(": ");
  print_hex(v);
  uart_putc('\n');
}

/* Called by crt0's default trap vector. */
void rt_report_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval) {
  uart_puts("\nunexpected trap: mcause=");
  print_hex(mcause);
  uart_puts(" mepc=");
  print_hex(mepc);
  uart_puts(" mtval=");
  print_hex(mtval);
  uart_putc('\n');
}

/* The compiler may emit calls to these even with -ffreestanding. */
void *memset(void *dst, int c, size_t n) {
  uint8_t *d = dst;
  while (n--) *d++ = (uint8_t)c;
  return dst;
}

void *memcpy(void *dst, const void *src, size_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *x = a, *y = b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}
