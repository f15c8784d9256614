// The C half of CorpusKitSystem's LargePageHeap: mallopt and sbrk are glibc's <malloc.h> and
// <unistd.h> calls that Swift's Glibc module does not export.
#define _DEFAULT_SOURCE
#include "ck_heap_setup.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

int ck_heap_prefer_huge_pages(int mmap_threshold, int top_pad, size_t huge_page_size) {
    // The trim threshold stays above the pad, so that freeing the block below does not hand
    // the grown heap straight back to the kernel.
    if (mallopt(M_MMAP_THRESHOLD, mmap_threshold) != 1 || mallopt(M_TOP_PAD, top_pad) != 1 ||
        mallopt(M_TRIM_THRESHOLD, 2 * top_pad) != 1) {
        return 0;
    }
    void *before = sbrk(0);
    // A block larger than the heap's free top makes malloc grow the heap by it and the pad.
    // Held in a volatile variable: a malloc whose block is never used may be left out by the
    // compiler (clang does), and then the heap is not grown here.
    size_t grow = (size_t)1 << 20;
    void *volatile block = malloc(grow);
    if (block == NULL) return 0;
    void *after = sbrk(0);
    uintptr_t start = (uintptr_t)block;
    free(block);
    if (before == (void *)-1 || after == (void *)-1 || start + grow > (uintptr_t)after) return 0;
    // Only whole aligned 2 MiB ranges untouched so far can become huge pages: malloc has written
    // the heap's top header after the block (one 4 KiB page there, which gives its range a page
    // table of 4 KiB entries for good), so the advised part starts above the block's end.
    uintptr_t mask = ~(uintptr_t)(huge_page_size - 1);
    uintptr_t lowest = start + grow + 64 > (uintptr_t)before ? start + grow + 64 : (uintptr_t)before;
    uintptr_t first = (lowest + huge_page_size - 1) & mask;
    uintptr_t last = (uintptr_t)after & mask;
    if (last <= first) return 0;
    if (madvise((void *)first, last - first, MADV_HUGEPAGE) != 0) return 0;
    // The next allocations would take the heap below `first` (1–3 MiB) in 4 KiB pages. A block
    // that fills it, where the freed one was, is kept for the life of the process: its pages are
    // never touched but for its header's, so it costs address space only.
    if (start + 64 < first) {
        void *volatile filler = malloc(first - start - 32);
        (void)filler;
    }
    return 1;
}

#else

int ck_heap_prefer_huge_pages(int mmap_threshold, int top_pad, size_t huge_page_size) {
    (void)mmap_threshold; (void)top_pad; (void)huge_page_size;
    return 0;
}

#endif
