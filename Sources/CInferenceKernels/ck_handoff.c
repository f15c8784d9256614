#include "ck_handoff.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#include <unistd.h>
#endif

// Each word sits alone in a 64-byte cache line, so a spinning thread does not slow the others' writes.
typedef struct {
    _Atomic uint32_t started;   // bumped by the caller to start this worker
    _Atomic uint32_t sleeping;  // 1 while the worker is (about to be) asleep on `started`
    uint32_t seen;              // the worker's last `started` (only the worker touches it)
} __attribute__((aligned(64))) ck_slot;

struct ck_handoff {
    _Atomic uint32_t remaining;        // workers not yet done
    _Atomic uint32_t caller_sleeping;  // 1 while the caller is (about to be) asleep on `remaining`
    _Atomic uint32_t stopping;
    uint32_t spin_ns;
    int workers;
    ck_slot slots[];                   // slots[w - 1] for worker w
};

static inline void cpu_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static inline uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

// Sleeps while *word == expected (may return early, spuriously).
static void sleep_on(_Atomic uint32_t *word, uint32_t expected) {
#if defined(__linux__)
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
#else
    (void)word; (void)expected;
    usleep(50);
#endif
}

static void wake(_Atomic uint32_t *word) {
#if defined(__linux__)
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
#else
    (void)word;
#endif
}

// Spins up to `spin_ns` until *word != value; 1 when it changed. After the first 2 us it yields the
// core between looks: on a machine with more runnable threads than cores, the thread spun for may be
// waiting for this very core, and a pure spin would hold it off until the bound (measured: a 100 us
// part took twice as long as with no spin at all; BENCHMARKS.md, issue 21).
static int spin_while_equal(_Atomic uint32_t *word, uint32_t value, uint32_t spin_ns) {
    if (atomic_load_explicit(word, memory_order_acquire) != value) return 1;
    if (spin_ns == 0) return 0;
    uint64_t start = now_ns(), deadline = start + spin_ns;
    for (;;) {
        for (int i = 0; i < 32; i++) {
            cpu_pause();
            if (atomic_load_explicit(word, memory_order_acquire) != value) return 1;
        }
        uint64_t t = now_ns();
        if (t >= deadline) return 0;
        if (t - start > 2000) sched_yield();
    }
}

// Waits until *word != value: spins, then sleeps. `sleeping` is set (sequentially consistent) before the
// last look at `word`, and the other side stores `word` before it reads `sleeping`: one of the two sees
// the other's store, so a sleep never misses its wake.
static void wait_while_equal(_Atomic uint32_t *word, uint32_t value, _Atomic uint32_t *sleeping, uint32_t spin_ns) {
    if (spin_while_equal(word, value, spin_ns)) return;
    atomic_store(sleeping, 1);
    while (atomic_load(word) == value) sleep_on(word, value);
    atomic_store_explicit(sleeping, 0, memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
}

ck_handoff *ck_handoff_create(int workers, uint32_t spin_ns) {
    if (workers < 0) workers = 0;
    size_t size = sizeof(ck_handoff) + (size_t)workers * sizeof(ck_slot);
    size = (size + 63) / 64 * 64;
    ck_handoff *h = aligned_alloc(64, size);
    if (!h) return NULL;
    memset(h, 0, size);
    h->spin_ns = spin_ns;
    h->workers = workers;
    return h;
}

void ck_handoff_destroy(ck_handoff *h) { free(h); }

void ck_handoff_publish(ck_handoff *h, int parts) {
    int started = parts - 1;
    if (started > h->workers) started = h->workers;
    if (started < 0) started = 0;
    atomic_store(&h->remaining, (uint32_t)started);
    for (int w = 0; w < started; w++) {
        ck_slot *slot = &h->slots[w];
        atomic_fetch_add(&slot->started, 1);
        if (atomic_load(&slot->sleeping)) wake(&slot->started);
    }
}

void ck_handoff_caller_wait(ck_handoff *h) {
    uint32_t left;
    while ((left = atomic_load_explicit(&h->remaining, memory_order_acquire)) != 0)
        wait_while_equal(&h->remaining, left, &h->caller_sleeping, h->spin_ns);
}

void ck_handoff_stop(ck_handoff *h) {
    atomic_store(&h->stopping, 1);
    ck_handoff_publish(h, h->workers + 1);
}

int ck_handoff_worker_wait(ck_handoff *h, int worker) {
    ck_slot *slot = &h->slots[worker - 1];
    wait_while_equal(&slot->started, slot->seen, &slot->sleeping, h->spin_ns);
    slot->seen = atomic_load_explicit(&slot->started, memory_order_acquire);
    return !atomic_load_explicit(&h->stopping, memory_order_acquire);
}

void ck_handoff_worker_done(ck_handoff *h) {
    if (atomic_fetch_sub(&h->remaining, 1) == 1 && atomic_load(&h->caller_sleeping)) wake(&h->remaining);
}
