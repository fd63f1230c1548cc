/*
 * Benchmark load for perf.data readers: two threads whose stacks are 15 to 40
 * frames deep (recursion through several functions), with a handful of hot
 * leaves, so a recording has many distinct stacks like a real application.
 * Usage: deep_stacks SECONDS
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static volatile double sink;

__attribute__((noinline)) static double leaf_sqrtish(int n) {
  double x = n;
  for (int i = 0; i < 2000; i++) x = (x + n / (x + 1.0)) * 0.5;
  return x;
}

__attribute__((noinline)) static double leaf_poly(int n) {
  double x = 0;
  for (int i = 0; i < 1500; i++) x = x * 0.999 + (double)(i ^ n);
  return x;
}

__attribute__((noinline)) static double leaf_mix(int n) {
  unsigned h = (unsigned)n;
  for (int i = 0; i < 1800; i++) h = h * 2654435761u + (unsigned)i;
  return h;
}

static double descend_a(int depth, int seed);
static double descend_b(int depth, int seed);
static double descend_c(int depth, int seed);

/* Three mutually recursive levels: which function calls which depends on the seed, so stacks differ. */
__attribute__((noinline)) static double descend_a(int depth, int seed) {
  if (depth == 0) return leaf_sqrtish(seed);
  return (seed & 1 ? descend_b : descend_c)(depth - 1, seed / 2 + depth) + 1;
}

__attribute__((noinline)) static double descend_b(int depth, int seed) {
  if (depth == 0) return leaf_poly(seed);
  return (seed & 2 ? descend_c : descend_a)(depth - 1, seed * 3 + 1) + 1;
}

__attribute__((noinline)) static double descend_c(int depth, int seed) {
  if (depth == 0) return leaf_mix(seed);
  return (seed & 4 ? descend_a : descend_b)(depth - 1, seed + 7) + 1;
}

static double seconds_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static double run_seconds;

static void *worker(void *arg) {
  unsigned seed = (unsigned)(size_t)arg;
  double end = seconds_now() + run_seconds;
  while (seconds_now() < end) {
    seed = seed * 1103515245u + 12345u;
    int depth = 12 + (int)((seed >> 16) % 26); /* 12..37 frames of recursion, plus main/start frames */
    sink = descend_a(depth, (int)(seed >> 8));
  }
  return 0;
}

int main(int argc, char **argv) {
  run_seconds = argc > 1 ? atof(argv[1]) : 5;
  pthread_t threads[2];
  for (size_t i = 0; i < 2; i++) pthread_create(&threads[i], 0, worker, (void *)(i + 1));
  for (int i = 0; i < 2; i++) pthread_join(threads[i], 0);
  return 0;
}
