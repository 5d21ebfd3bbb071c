/* Compute-bound example: integer arithmetic, division and branches, no memory traffic
 * to speak of. Prints each result and the instructions each phase retired.
 * Built twice: examples/build/compute.elf (about 7M instructions) and, with -DBENCH,
 * compute-bench.elf (about 1e9 instructions) for tests/bench. */
#include "rt.h"

#ifdef BENCH
#define SCALE 125
#else
#define SCALE 1
#endif

#define PRIME_LIMIT 20000u
#define HASH_ROUNDS (300000u * SCALE)
#define COLLATZ_LIMIT (3000u * SCALE)

/* Trial division: exercises div/rem. */
static uint32_t count_primes(uint32_t limit) {
  uint32_t count = 0;
  for (uint32_t n = 2; n < limit; n++) {
    uint32_t is_prime = 1;
    for (uint32_t d = 2; d * d <= n; d++) {
      if (n % d == 0) {
        is_prime = 0;
        break;
      }
    }
    count += is_prime;
  }
  return count;
}

/* xorshift32 mixed with multiplies (mul, mulh, mulhu). */
static uint32_t hash_mix(uint32_t rounds) {
  uint32_t x = 0x12345678u, acc = 0;
  for (uint32_t i = 0; i < rounds; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    uint64_t wide = (uint64_t)x * 0x9e3779b1u;
    int64_t swide = (int64_t)(int32_t)x * (int32_t)acc;
    acc = (acc ^ (uint32_t)(wide >> 32)) + (uint32_t)(swide >> 32) + i;
  }
  return acc ^ x;
}

/* Longest Collatz chain below a limit: data-dependent branches. */
static uint32_t collatz_longest(uint32_t limit, uint32_t *best_start) {
  uint32_t best = 0;
  *best_start = 1;
  for (uint32_t start = 1; start < limit; start++) {
    uint32_t n = start, steps = 0;
    while (n != 1) {
      n = (n & 1) ? 3 * n + 1 : n >> 1;
      steps++;
    }
    if (steps > best) {
      best = steps;
      *best_start = start;
    }
  }
  return best;
}

int main(void) {
  uint32_t t0 = rdinstret();
  uint32_t primes = 0;
  for (int r = 0; r < SCALE; r++) primes = count_primes(PRIME_LIMIT);
  uint32_t t1 = rdinstret();
  uint32_t hash = hash_mix(HASH_ROUNDS);
  uint32_t t2 = rdinstret();
  uint32_t best_start;
  uint32_t steps = collatz_longest(COLLATZ_LIMIT, &best_start);
  uint32_t t3 = rdinstret();

  print_kv("primes below 20000", primes);
  print_kv("  instructions", t1 - t0);
  print_kv_hex("hash", hash);
  print_kv("  instructions", t2 - t1);
  print_kv("longest collatz chain start", best_start);
  print_kv("longest collatz chain steps", steps);
  print_kv("  instructions", t3 - t2);
  print_kv("total instructions in main", t3 - t0);
  return 0;
}
