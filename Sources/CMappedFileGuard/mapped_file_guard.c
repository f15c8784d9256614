// See include/ck_mapped_file_guard.h.
#define _GNU_SOURCE
#include "ck_mapped_file_guard.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

// Slots in static storage: the handler reads them without locks or allocation. A slot is claimed
// by `state` (0 free, 1 taken), filled, then published by a release store of `base`; it is cleared
// in the reverse order. 1,024 live mappings is far more than any command keeps (a shard is two).
enum { SLOTS = 1024, PATH_BYTES = 512 };

typedef struct {
    atomic_int state;
    _Atomic(uintptr_t) base;
    size_t size;
    char path[PATH_BYTES];
} slot_t;

static slot_t slots[SLOTS];
static atomic_int unnamed;   // mappings that found no free slot and are still live
static struct sigaction previous;
static pthread_once_t installed = PTHREAD_ONCE_INIT;

static void write_all(const char *text, size_t count) {
    while (count > 0) {
        ssize_t written = write(STDERR_FILENO, text, count);
        if (written <= 0) return;
        text += written;
        count -= (size_t)written;
    }
}

static void write_text(const char *text) { write_all(text, strlen(text)); }

static void write_number(uint64_t value) {
    char digits[24];
    size_t at = sizeof digits;
    do {
        digits[--at] = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0);
    write_all(digits + at, sizeof digits - at);
}

static void on_sigbus(int signal_number, siginfo_t *info, void *context) {
    // BUS_ADRERR is a page beyond the end of the mapped object; other codes are not ours.
    if (info != NULL && info->si_code == BUS_ADRERR) {
        uintptr_t address = (uintptr_t)info->si_addr;
        for (int i = 0; i < SLOTS; i++) {
            uintptr_t base = atomic_load_explicit(&slots[i].base, memory_order_acquire);
            if (base == 0 || address < base || address - base >= slots[i].size) continue;
            write_text("Error: ");
            write_text(slots[i].path);
            write_text(" became shorter while it was being read (byte ");
            write_number((uint64_t)(address - base));
            write_text(" of the ");
            write_number((uint64_t)slots[i].size);
            write_text(" it had when it was opened is gone): another process truncated or rewrote it. "
                       "Run again once that file is complete.\n");
            _exit(1);
        }
        if (atomic_load_explicit(&unnamed, memory_order_relaxed) > 0) {
            write_text("Error: a file became shorter while it was being read (another process truncated "
                       "or rewrote it). Run again once the inputs are complete.\n");
            _exit(1);
        }
    }
    // Not a mapping of ours: hand the signal back to whoever handled it before (or the default
    // action). Returning re-runs the faulting instruction, which faults again under that handler.
    (void)signal_number;
    (void)context;
    sigaction(SIGBUS, &previous, NULL);
    if (info == NULL || info->si_code <= 0) raise(SIGBUS);   // sent by kill/raise: not re-run by a return
}

static void install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &previous);
}

int ck_mapped_file_remember(const void *base, size_t size, const char *path) {
    pthread_once(&installed, install);
    for (int i = 0; i < SLOTS; i++) {
        int expected = 0;
        if (!atomic_compare_exchange_strong(&slots[i].state, &expected, 1)) continue;
        size_t length = strlen(path);
        if (length >= PATH_BYTES) length = PATH_BYTES - 1;
        memcpy(slots[i].path, path, length);
        slots[i].path[length] = 0;
        slots[i].size = size;
        atomic_store_explicit(&slots[i].base, (uintptr_t)base, memory_order_release);
        return i;
    }
    atomic_fetch_add(&unnamed, 1);
    return -1;
}

void ck_mapped_file_forget(int slot) {
    if (slot < 0) {
        atomic_fetch_sub(&unnamed, 1);
        return;
    }
    if (slot >= SLOTS) return;
    atomic_store_explicit(&slots[slot].base, 0, memory_order_release);
    atomic_store(&slots[slot].state, 0);
}

int ck_mapped_file_lookup(const void *address, char *buffer, size_t capacity) {
    uintptr_t wanted = (uintptr_t)address;
    for (int i = 0; i < SLOTS; i++) {
        uintptr_t base = atomic_load_explicit(&slots[i].base, memory_order_acquire);
        if (base == 0 || wanted < base || wanted - base >= slots[i].size) continue;
        if (capacity > 0) {
            size_t length = strlen(slots[i].path);
            if (length >= capacity) length = capacity - 1;
            memcpy(buffer, slots[i].path, length);
            buffer[length] = 0;
        }
        return 1;
    }
    return 0;
}
