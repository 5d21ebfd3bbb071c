/* RTOS example: a tiny preemptive kernel on the CLINT timer. Every TICK mtime units the timer
 * interrupt preempts the running task; the trap handler (rtos-switch.S) saves its context and the
 * kernel (rtos_kernel_trap) resumes the next ready task, round robin. Tasks call the kernel with
 * ecall (yield, sleep, wait). After RUN_TICKS ticks the kernel prints a summary and exits.
 *   producer  fills a ring buffer with pseudo-random numbers inside critical sections
 *             (csrc/csrs mstatus.MIE), and sleeps one tick after every BURST items;
 *   consumer  drains the ring, waiting (inside its critical section) while it is empty;
 *   reporter  prints a line once per tick;
 *   idle      WFI while nobody else is ready: virtual time jumps to the next tick.
 * The timer is re-armed relative to the previous mtimecmp, so ticks are periodic in mtime; the
 * interrupt itself arrives as QEMU arms it, up to 99 ns after mtime reaches mtimecmp
 * (docs/machine.md), so where each tick preempts a task depends on that rule. */
#include "rt.h"

#define TICK 40u /* mtime units: 4 us = 4000 instructions of virtual time */
#ifndef RUN_TICKS
#define RUN_TICKS 12u /* rtos-bench: 25000 */
#endif
#define NTASKS 4u
#define IDLE (NTASKS - 1u)
#define PRODUCER 0u
#define CONSUMER 1u
#define STACK_WORDS 1024u
#define FRAME_WORDS 32u
#define RING 8u
#define BURST 30u
#define MSTATUS_MPP_M (3u << 11)
#define MSTATUS_MPIE (1u << 7)

enum { READY, SLEEPING, WAITING };
enum { SYS_YIELD, SYS_SLEEP, SYS_WAIT };

struct task {
  uint32_t *frame; /* saved context (see rtos-switch.S) while the task is not running */
  uint32_t state;
  uint32_t wake_tick;
  uint32_t resumed; /* how often the kernel resumed it */
  const char *name;
};

static struct task tasks[NTASKS];
static uint32_t stacks[NTASKS][STACK_WORDS] __attribute__((aligned(16)));
static uint32_t current;
static volatile uint32_t ticks;
static uint32_t switches, syscalls;
static volatile uint32_t idle_wakeups;
static uint64_t deadline;

static volatile uint32_t ring[RING];
static volatile uint32_t head, tail;
static volatile uint32_t produced, consumed, sum_produced, sum_consumed, bits_consumed;

void rtos_trap_entry(void);
void rtos_resume(uint32_t *frame) __attribute__((noreturn));
uint32_t *rtos_kernel_trap(uint32_t *frame, uint32_t cause);

/* Critical sections: the timer cannot preempt between these. */
static inline void irq_off(void) { __asm__ volatile("csrc mstatus, %0" ::"r"(MSTATUS_MIE) : "memory"); }
static inline void irq_on(void) { __asm__ volatile("csrs mstatus, %0" ::"r"(MSTATUS_MIE) : "memory"); }

static uint32_t sys(uint32_t num, uint32_t arg) {
  register uint32_t a0 __asm__("a0") = arg;
  register uint32_t a7 __asm__("a7") = num;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
  return a0;
}

static void write_mtimecmp(uint64_t v) {
  *mmio32(CLINT_MTIMECMP + 4) = 0xffffffffu; /* no interrupt between the two halves */
  *mmio32(CLINT_MTIMECMP) = (uint32_t)v;
  *mmio32(CLINT_MTIMECMP + 4) = (uint32_t)(v >> 32);
}

static uint64_t read_mtime(void) {
  uint32_t hi, lo;
  do {
    hi = *mmio32(CLINT_MTIME + 4);
    lo = *mmio32(CLINT_MTIME);
  } while (hi != *mmio32(CLINT_MTIME + 4));
  return ((uint64_t)hi << 32) | lo;
}

/* ---------------------------------------------------------------- tasks */

static void producer(void) {
  uint32_t x = 0x12345678u;
  for (;;) {
    for (int i = 0; i < 3; i++) { /* xorshift32 */
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
    }
    irq_off();
    while (head - tail == RING) sys(SYS_WAIT, 0); /* full: returns with interrupts still off */
    ring[head % RING] = x;
    head = head + 1;
    produced = produced + 1;
    sum_produced = sum_produced + x;
    if (tasks[CONSUMER].state == WAITING) tasks[CONSUMER].state = READY;
    irq_on();
    if (produced % BURST == 0) sys(SYS_SLEEP, 1);
  }
}

static void consumer(void) {
  for (;;) {
    irq_off();
    while (head == tail) sys(SYS_WAIT, 0); /* empty */
    uint32_t item = ring[tail % RING];
    tail = tail + 1;
    if (tasks[PRODUCER].state == WAITING) tasks[PRODUCER].state = READY;
    irq_on();
    uint32_t bits = 0;
    for (uint32_t v = item; v; v &= v - 1) bits++; /* some work per item */
    irq_off(); /* the reporter reads these with interrupts off too */
    consumed = consumed + 1;
    sum_consumed = sum_consumed + item;
    bits_consumed = bits_consumed + bits;
    irq_on();
  }
}

static void reporter(void) {
  for (;;) {
    irq_off();
    uint32_t t = ticks, p = produced, c = consumed;
    irq_on();
    uart_puts("tick ");
    print_dec(t);
    uart_puts(": produced ");
    print_dec(p);
    uart_puts(", consumed ");
    print_dec(c);
    uart_putc('\n');
    sys(SYS_SLEEP, 1);
  }
}

static void idle(void) {
  for (;;) {
    wfi();
    idle_wakeups = idle_wakeups + 1;
  }
}

static void task_returned(void) {
  uart_puts("rtos: a task returned\n");
  exit(97);
}

/* ---------------------------------------------------------------- kernel */

static void finish(void) {
  uart_puts("rtos: ");
  print_dec(RUN_TICKS);
  uart_puts(" ticks done\n");
  print_kv("produced", produced);
  print_kv("consumed", consumed);
  print_kv("set bits consumed", bits_consumed);
  /* What was produced is consumed or still in the ring. */
  uint32_t left = 0;
  for (uint32_t i = tail; i != head; i++) left += ring[i % RING];
  uart_puts("ring checksum: ");
  uart_puts(sum_produced == sum_consumed + left ? "ok\n" : "MISMATCH\n");
  print_kv("context switches", switches);
  print_kv("system calls", syscalls);
  print_kv("idle wakeups", idle_wakeups);
  for (uint32_t i = 0; i < NTASKS; i++) {
    uart_puts(tasks[i].name);
    uart_puts(" resumed ");
    print_dec(tasks[i].resumed);
    uart_puts(" times\n");
  }
  exit(sum_produced == sum_consumed + left ? 0 : 1);
}

static uint32_t pick_next(void) {
  uint32_t start = current == IDLE ? 0 : current + 1;
  for (uint32_t k = 0; k < IDLE; k++) {
    uint32_t i = (start + k) % IDLE;
    if (tasks[i].state == READY) return i;
  }
  return IDLE;
}

/* Called by rtos_trap_entry with the interrupted task's frame; returns the frame to resume. */
uint32_t *rtos_kernel_trap(uint32_t *frame, uint32_t cause) {
  tasks[current].frame = frame;
  if (cause == 0x80000007u) { /* timer tick */
    ticks = ticks + 1;
    deadline += TICK;
    write_mtimecmp(deadline);
    for (uint32_t i = 0; i < NTASKS; i++)
      if (tasks[i].state == SLEEPING && tasks[i].wake_tick <= ticks) tasks[i].state = READY;
    if (ticks == RUN_TICKS) finish();
  } else if (cause == 11u) { /* ecall from M-mode: a7 = call, a0 = argument */
    frame[0] += 4;           /* mepc: resume after the ecall */
    syscalls++;
    if (frame[17] == SYS_SLEEP) {
      tasks[current].state = SLEEPING;
      tasks[current].wake_tick = ticks + frame[10];
    } else if (frame[17] == SYS_WAIT) {
      tasks[current].state = WAITING;
    }
  } else {
    rt_report_trap(cause, frame[0], csr_read(mtval));
    exit(98);
  }
  uint32_t next = pick_next();
  if (next != current) switches++;
  current = next;
  tasks[next].resumed++;
  return tasks[next].frame;
}

static void create(uint32_t i, const char *name, void (*entry)(void)) {
  uint32_t *frame = &stacks[i][STACK_WORDS - FRAME_WORDS];
  uint32_t gp;
  __asm__ volatile("mv %0, gp" : "=r"(gp));
  for (uint32_t k = 0; k < FRAME_WORDS; k++) frame[k] = 0;
  frame[0] = (uint32_t)entry;                    /* mepc */
  frame[1] = (uint32_t)task_returned;            /* ra */
  frame[2] = MSTATUS_MPP_M | MSTATUS_MPIE;       /* mstatus: M-mode, interrupts on after mret */
  frame[3] = gp;
  tasks[i].frame = frame;
  tasks[i].state = READY;
  tasks[i].name = name;
}

int main(void) {
  uart_puts("rtos: 4 tasks, preemptive round robin, a timer tick every 4 us\n");
  create(PRODUCER, "producer", producer);
  create(CONSUMER, "consumer", consumer);
  create(2, "reporter", reporter);
  create(IDLE, "idle", idle);
  csr_write(mtvec, (uint32_t)rtos_trap_entry);
  deadline = read_mtime() + TICK;
  write_mtimecmp(deadline);
  csr_set(mie, MIE_MTIE);
  current = PRODUCER;
  tasks[PRODUCER].resumed = 1;
  rtos_resume(tasks[PRODUCER].frame);
}
