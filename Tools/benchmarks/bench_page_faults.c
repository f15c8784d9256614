// The page-fault probe of BENCHMARKS.md "Eleventh session" (issue 22): the time of a first touch of a
// fresh anonymous 4 KiB page, and of the same pages mapped up front with MAP_POPULATE, 4,000 pages,
// five rounds. On this project's Zen 3 guest: 2.7-3.4 us a page touched (the first round of a run
// up to 5.0), 1.6-2.2 us populated.
//
//   /opt/swift/usr/bin/clang -O2 Tools/benchmarks/bench_page_faults.c -o /tmp/bench_page_faults
//   taskset -c 0 /tmp/bench_page_faults
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

static double nanoseconds(struct timespec a, struct timespec b) {
    return (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
}

int main(void) {
    const size_t pages = 4000, size = pages * 4096;
    for (int round = 0; round < 5; round++) {
        struct timespec a, b;
        char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return 1;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (size_t i = 0; i < pages; i++) p[i * 4096] = 1;
        clock_gettime(CLOCK_MONOTONIC, &b);
        double touched = nanoseconds(a, b) / pages;
        munmap(p, size);
        clock_gettime(CLOCK_MONOTONIC, &a);
        p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (p == MAP_FAILED) return 1;
        double populated = nanoseconds(a, b) / pages;
        munmap(p, size);
        printf("first touch %.0f ns a page, MAP_POPULATE %.0f ns a page\n", touched, populated);
    }
    return 0;
}
