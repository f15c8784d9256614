#ifndef CK_SPACE_RUN_H
#define CK_SPACE_RUN_H

#include <stddef.h>
#include <stdint.h>

/// Most pieces of `▁` a run's relaxation offers from one start (the chains of llm-jp's
/// vocabularies are 16 `▁` long, v2.1's 24).
#define CK_SPACE_RUN_LANES 32

/// Where a Viterbi node's fields are (the Swift `ViterbiNode`'s layout, passed in rather than
/// assumed): its size and the byte offsets of its score, start and trie value.
typedef struct {
    int64_t stride, score, start, value;
} ck_viterbi_node_layout;

/// The offers of every start inside a run of `length` (≥ 1) escaped spaces (`▁`), made in the
/// references' order (see UnigramViterbi.swift, "Runs of ▁"): from each `▁` of the run in turn,
/// the pieces of 1 … 16 `▁` that fit before the run's end, each kept where strictly better than
/// what reached its end.
///
/// - `nodes` points at the node of the run's first `▁`, at byte `position` (p); the run's `▁` are
///   3 bytes, so its positions are the nodes p + 3j, j = 0 … length. Node p must be final (and
///   re-based where the references would have).
/// - `lanes[k - 1]` (k = 1 … `lane_count`, at most CK_SPACE_RUN_LANES) is the score of the piece
///   of k `▁`, −∞ where there is none, and must be readable (−∞) up to the next multiple of 8;
///   `values[k]` that piece's trie value (stored in a node it wins).
/// - `limit`: the magnitude beyond which the references re-base path scores (sentencepiece's
///   ±100,000), +∞ for none. When a start inside the run (j = 1 … length − 1) reaches it, nothing
///   is written and 0 is returned (the caller then makes the offers start by start); else 1.
int ck_space_run_f32(void *nodes, int64_t position, ck_viterbi_node_layout layout, int64_t length, const float *lanes,
                     int64_t lane_count, const int32_t *values, float limit);
int ck_space_run_f64(void *nodes, int64_t position, ck_viterbi_node_layout layout, int64_t length, const double *lanes,
                     int64_t lane_count, const int32_t *values, double limit);

#endif
