#ifndef CK_HEAP_SETUP_H
#define CK_HEAP_SETUP_H

#include <stddef.h>

/// Serves the C heap's blocks below `mmap_threshold` bytes from the main heap, grows that heap
/// once by `top_pad` bytes of address space and advises it MADV_HUGEPAGE (see LargePageHeap.swift
/// for why). Returns 1 when the heap was advised, 0 when it was not (not glibc on Linux, a refused
/// setting, a heap that could not grow in place; in the last case the settings stay).
int ck_heap_prefer_huge_pages(int mmap_threshold, int top_pad, size_t huge_page_size);

#endif
