#ifndef CK_HANDOFF_H
#define CK_HANDOFF_H
// The signalling between ComputePool's caller and its persistent worker threads
// (CorpusKitInference/Model/WorkerThreads.swift).
//
// Why C: a waiting thread spins briefly on a word and then sleeps on that same word (a Linux futex),
// which needs the word's address; Swift's `Atomic` has none to give. The spin uses the CPU's pause
// instruction, which Swift cannot emit. Elsewhere than Linux the sleep is a short poll (no futex).
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One caller and `workers` worker threads, numbered 1 ... `workers` (the caller is part 0).
typedef struct ck_handoff ck_handoff;

/// A new hand-off state; a waiting thread spins up to `spin_ns` nanoseconds before it sleeps.
/// NULL when out of memory.
ck_handoff *ck_handoff_create(int workers, uint32_t spin_ns);
/// Frees it (only once no thread uses it).
void ck_handoff_destroy(ck_handoff *h);

/// Caller: starts workers 1 ..< `parts` (at most `workers + 1` parts) on the job it has stored.
void ck_handoff_publish(ck_handoff *h, int parts);
/// Caller: returns once every worker started by the last `ck_handoff_publish` (or `ck_handoff_stop`)
/// called `ck_handoff_worker_done`; their writes are then visible.
void ck_handoff_caller_wait(ck_handoff *h);
/// Caller: tells every worker to return 0 from `ck_handoff_worker_wait` (then wait for them with
/// `ck_handoff_caller_wait`: each calls `ck_handoff_worker_done` once before it exits).
void ck_handoff_stop(ck_handoff *h);

/// Worker `worker` (1 ... workers): waits until it is started; 1 to run its part of the job, 0 to exit.
int ck_handoff_worker_wait(ck_handoff *h, int worker);
/// Worker: its part is done (or, after a 0 from `ck_handoff_worker_wait`, it is exiting).
void ck_handoff_worker_done(ck_handoff *h);

#ifdef __cplusplus
}
#endif

#endif
