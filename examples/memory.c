/* Memory-heavy example: a 1 MiB sieve, block copies, pointer chasing through a shuffled
 * 512 KiB array, misaligned accesses and atomics. Touches about 2.5 MiB of RAM.
 * Built twice: memory.elf (about 29M instructions) and, with -DBENCH, memory-bench.elf
 * (about 1e9 instructions) for tests/bench. */
#include "rt.h"

#ifdef BENCH
#define SCALE 37
#else
#define SCALE 1
#endif

#define SIEVE_SIZE (1u << 20)
#define COPY_WORDS (128u * 1024u) /* 512 KiB */
#define CHASE_NODES (128u * 1024u)

static uint8_t composite[SIEVE_SIZE];
static uint32_t src_buf[COPY_WORDS];
static uint32_t dst_buf[COPY_WORDS];
static uint32_t next_node[CHASE_NODES];
static uint8_t misaligned_area[256];

static uint32_t lcg_state = 1;
static uint32_t lcg(void) {
  lcg_state = lcg_state * 1664525u + 1013904223u;
  return lcg_state;
}

static uint32_t sieve(void) {
  memset(composite, 0, sizeof composite);
  uint32_t count = 0;
  for (uint32_t i = 2; i < SIEVE_SIZE; i++) {
    if (composite[i]) continue;
    count++;
    for (uint32_t j = i * 2; j < SIEVE_SIZE; j += i) composite[j] = 1;
  }
  return count;
}

static uint32_t copy_and_sum(void) {
  for (uint32_t i = 0; i < COPY_WORDS; i++) src_buf[i] = lcg();
  for (uint32_t i = 0; i < COPY_WORDS; i += 4) {
    dst_buf[i] = src_buf[i];
    dst_buf[i + 1] = src_buf[i + 1];
    dst_buf[i + 2] = src_buf[i + 2];
    dst_buf[i + 3] = src_buf[i + 3];
  }
  uint32_t sum = 0;
  for (uint32_t i = 0; i < COPY_WORDS; i++) sum = (sum << 1 | sum >> 31) ^ dst_buf[i];
  return sum;
}

/* Sattolo's shuffle makes one cycle through all nodes; walking it is a random-access chase. */
static uint32_t chase(void) {
  for (uint32_t i = 0; i < CHASE_NODES; i++) next_node[i] = i;
  for (uint32_t i = CHASE_NODES - 1; i > 0; i--) {
    uint32_t j = lcg() % i;
    uint32_t t = next_node[i];
    next_node[i] = next_node[j];
    next_node[j] = t;
  }
  uint32_t p = 0, steps = 0, mix = 0;
  do {
    p = next_node[p];
    mix += p ^ steps;
    steps++;
  } while (p != 0);
  return mix ^ steps;
}

/* Misaligned loads and stores (QEMU virt handles them in hardware for RAM). */
static uint32_t misaligned(void) {
  for (uint32_t i = 0; i < sizeof misaligned_area; i++) misaligned_area[i] = (uint8_t)(i * 7 + 3);
  uint32_t acc = 0;
  for (uint32_t off = 1; off < 200; off += 3) {
    uint8_t *p = misaligned_area + off;
    uint32_t w, h;
    int32_t hs;
    __asm__ volatile("lw %0, 0(%1)" : "=r"(w) : "r"(p));
    __asm__ volatile("lhu %0, 1(%1)" : "=r"(h) : "r"(p));
    __asm__ volatile("lh %0, 3(%1)" : "=r"(hs) : "r"(p));
    acc = acc * 31 + w + h + (uint32_t)hs;
    __asm__ volatile("sw %0, 2(%1)" : : "r"(acc), "r"(p) : "memory");
    __asm__ volatile("sh %0, 5(%1)" : : "r"(w), "r"(p) : "memory");
  }
  for (uint32_t i = 0; i < sizeof misaligned_area; i++) acc = acc * 33 + misaligned_area[i];
  return acc;
}

static uint32_t atomic_counter;
static uint32_t atomics(void) {
  uint32_t acc = 0;
  for (uint32_t i = 0; i < 1000; i++) {
    acc += __atomic_fetch_add(&atomic_counter, i, __ATOMIC_SEQ_CST);
    acc ^= __atomic_fetch_xor(&atomic_counter, acc, __ATOMIC_RELAXED);
    uint32_t expected = atomic_counter;
    __atomic_compare_exchange_n(&atomic_counter, &expected, expected + 1, 0, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST); /* lr.w / sc.w */
    acc += __atomic_exchange_n(&atomic_counter, acc >> 3, __ATOMIC_ACQ_REL);
  }
  return acc + atomic_counter;
}

int main(void) {
  uint32_t t0 = rdinstret();
  uint32_t primes = 0, sum = 0, mix = 0;
  for (int r = 0; r < SCALE; r++) {
    primes = sieve();
    sum = copy_and_sum();
    mix = chase();
  }
  uint32_t t1 = rdinstret();
  uint32_t mis = misaligned();
  uint32_t t2 = rdinstret();
  uint32_t atom = atomics();
  uint32_t t3 = rdinstret();

  print_kv("primes below 2^20 (sieve)", primes);
  print_kv_hex("copy checksum", sum);
  print_kv_hex("pointer chase", mix);
  print_kv("  instructions", t1 - t0);
  print_kv_hex("misaligned", mis);
  print_kv("  instructions", t2 - t1);
  print_kv_hex("atomics", atom);
  print_kv("  instructions", t3 - t2);
  return 0;
}
