/* Hello world: prints a greeting and how many instructions printing it took. */
#include "rt.h"

int main(void) {
  uint32_t t0 = rdinstret();
  uart_puts("Hello, world! This is RISC-V running on the QEMU virt machine.\n");
  uint32_t t1 = rdinstret();
  print_kv("instructions to print the greeting", t1 - t0);
  return 0;
}
