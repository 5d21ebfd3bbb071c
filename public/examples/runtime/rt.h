/* Tiny freestanding runtime for Rewind's examples (QEMU virt machine map). */
#ifndef RT_H
#define RT_H

typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef int int32_t;
typedef unsigned long long uint64_t;
typedef long long int64_t;
typedef unsigned int size_t;

#define UART0_BASE 0x10000000u
#define UART_RBR 0 /* receive buffer (read) */
#define UART_THR 0 /* transmit holding (write) */
#define UART_IER 1 /* interrupt enable */
#define UART_LSR 5 /* line status */
#define UART_LSR_DR 0x01   /* data ready */
#define UART_LSR_THRE 0x20 /* transmit holding register empty */

#define CLINT_BASE 0x02000000u
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000u)
#define CLINT_MTIME (CLINT_BASE + 0xbff8u)

#define PLIC_BASE 0x0c000000u
#define PLIC_UART_IRQ 10

#define MIE_MTIE (1u << 7)
#define MIE_MEIE (1u << 11)
#define MSTATUS_MIE (1u << 3)

#define csr_read(name) ({ uint32_t v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define csr_write(name, v) __asm__ volatile("csrw " #name ", %0" : : "r"((uint32_t)(v)))
#define csr_set(name, v) __asm__ volatile("csrs " #name ", %0" : : "r"((uint32_t)(v)))
#define csr_clear(name, v) __asm__ volatile("csrc " #name ", %0" : : "r"((uint32_t)(v)))

static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline volatile uint8_t *mmio8(uint32_t addr) { return (volatile uint8_t *)addr; }
static inline volatile uint32_t *mmio32(uint32_t addr) { return (volatile uint32_t *)addr; }

/* Retired instructions (low 32 bits). Under QEMU -icount this is virtual time, so only
 * differences between two reads taken without a WFI in between are exact. */
static inline uint32_t rdinstret(void) { return csr_read(minstret); }

void exit(int code) __attribute__((noreturn));

void uart_putc(char c);
void uart_puts(const char *s);
void uart_write(const char *s, size_t n);
int uart_try_getc(void); /* -1 when no byte is waiting */

void print_hex(uint32_t v);        /* 0x%08x */
void print_dec(uint32_t v);        /* unsigned decimal */
void print_sdec(int32_t v);        /* signed decimal */
void print_dec64(uint64_t v);
/* "label: value\n" */
void print_kv(const char *label, uint32_t v);
void print_kv_hex(const char *label, uint32_t v);
void rt_report_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval);

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
