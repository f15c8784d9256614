#ifndef CK_MAPPED_FILE_GUARD_H
#define CK_MAPPED_FILE_GUARD_H
// A clear error instead of a crash when a memory-mapped file shrinks under the process
// (CorpusKitSystem/MappedFile.swift).
//
// Reading a page of a mapping that now lies past the file's end raises SIGBUS: another process
// truncated or rewrote a shard or a checkpoint that this one has mapped. Without a handler that is
// "Bus error" and nothing else. The handler here looks the faulting address up among the live
// mappings, writes one line naming the file and the offset to standard error, and exits with
// status 1. Any other SIGBUS goes on to the handler that was installed before (or the default).
//
// Why C: a signal handler may only make async-signal-safe calls; Swift code can allocate, take
// runtime locks or run lazy global initializers at any point, none of which is safe there.
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Records `[base, base + size)` as a mapping of `path` (copied; a long path is cut) and installs
/// the handler on first use. Returns a slot to pass to `ck_mapped_file_forget`, or -1 when every
/// slot is taken (that mapping's SIGBUS then gives a message without the file's name).
int ck_mapped_file_remember(const void *base, size_t size, const char *path);

/// Forgets the mapping `ck_mapped_file_remember` returned `slot` for (call it before unmapping).
void ck_mapped_file_forget(int slot);

/// The path recorded for the mapping that contains `address`, copied into `buffer` (cut to
/// `capacity - 1` bytes and terminated); 0 when no live mapping contains it. For tests.
int ck_mapped_file_lookup(const void *address, char *buffer, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif
