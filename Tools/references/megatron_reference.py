#!/usr/bin/env python3
"""Independent Python reference for llm-jp Megatron-LM's tools/preprocess_data.py.

This script re-implements, from reading the upstream code (see Sources/CorpusKitShards/FORMAT.md
for the files and commits read), what `python tools/preprocess_data.py` of llm-jp's Megatron-LM
fork (branch llmjp0-mdx) does:

  * read a JSON-lines file line by line in text mode (universal newlines), `json.loads` each line;
  * tokenize `data[key]` for every `--json-keys` key with the fork's tokenizer wrapper semantics,
    inside a `multiprocessing.Pool(workers, initializer=...)` fed with `pool.imap(encode, fin, 32)`;
  * append EOD to non-empty documents with `--append-eod`;
  * write `{output_prefix}_{key}_document.bin/.idx` exactly like Megatron's
    `MMapIndexedDatasetBuilder` (add_doc / finalize), dtype uint16 when vocab_size < 65500 else int32;
  * append `{input},{output_prefix}_{key}_document,{tokens}` to `--output-result-total-token-info`.

It is also CorpusKit's "Megatron-style pipeline" for benchmarks, so it keeps the per-line
json.loads + encode in a Pool structure of the original.

Extensions (not in the fork): input may also be .jsonl.gz (gzip) or .jsonl.zst (zstandard package,
else `zstd -dc`); a `HuggingFaceTokenizer` type backed by the `tokenizers` library; and three
sub-commands used to make test fixtures:

  megatron_reference.py build-ids --ids FILE.json --output-prefix P --dtype uint16|int32
      FILE.json is a list of documents; a document is a list of ids (one sequence, or none when
      empty: add_doc(ids, [len(ids)] if ids else [])) or {"ids": [...], "lengths": [...]}.
  megatron_reference.py merge --output-prefix P IN_PREFIX [IN_PREFIX ...]
      Megatron's merge: builder with the first input's dtype, merge_file_ of each input in order.
  megatron_reference.py dump PREFIX
      Print header fields, sizes, pointers and doc_idx as JSON.

Requires numpy; sentencepiece / tokenizers only for the tokenizer types that use them.
"""

import argparse
import gzip
import io
import json
import multiprocessing
import os
import shutil
import struct
import subprocess
import sys
import time

import numpy as np

# --------------------------------------------------------------------------------------------
# Indexed dataset (megatron/data/indexed_dataset.py, MMapIndexedDataset*)
# --------------------------------------------------------------------------------------------

HDR_MAGIC = b"MMIDIDX\x00\x00"
INDEX_VERSION = 1

# Megatron dtype codes (megatron/core/datasets/indexed_dataset.py DType; the older
# megatron/data/indexed_dataset.py table has the same integer codes).
DTYPE_CODES = {
    1: np.uint8,
    2: np.int8,
    3: np.int16,
    4: np.int32,
    5: np.int64,
    6: np.float64,
    7: np.float32,
    8: np.uint16,
}


def dtype_code(dtype):
    for code, candidate in DTYPE_CODES.items():
        if np.dtype(candidate) == np.dtype(dtype):
            return code
    raise ValueError(dtype)


def best_fitting_dtype(vocab_size=None):
    """megatron: uint16 when vocab_size < 65500, else int32."""
    if vocab_size is not None and vocab_size < 65500:
        return np.uint16
    return np.int32


def index_file_path(prefix):
    return prefix + ".idx"


def data_file_path(prefix):
    return prefix + ".bin"


class IndexReader:
    """MMapIndexedDataset.Index: header, sizes (int32), pointers (int64), doc_idx (int64)."""

    def __init__(self, path):
        with open(path, "rb") as stream:
            magic = stream.read(9)
            if magic != HDR_MAGIC:
                raise ValueError(f"{path}: bad magic {magic!r}")
            (version,) = struct.unpack("<Q", stream.read(8))
            if version != INDEX_VERSION:
                raise ValueError(f"{path}: bad version {version}")
            (code,) = struct.unpack("<B", stream.read(1))
            self.dtype = DTYPE_CODES[code]
            (self.length,) = struct.unpack("<Q", stream.read(8))
            (self.doc_count,) = struct.unpack("<Q", stream.read(8))
            offset = stream.tell()
        buffer = np.fromfile(path, dtype=np.uint8)
        self.sizes = np.frombuffer(buffer, dtype=np.int32, count=self.length, offset=offset)
        offset += self.sizes.nbytes
        self.pointers = np.frombuffer(buffer, dtype=np.int64, count=self.length, offset=offset)
        offset += self.pointers.nbytes
        self.doc_idx = np.frombuffer(buffer, dtype=np.int64, count=self.doc_count, offset=offset)


class MMapIndexedDatasetBuilder:
    """Byte-for-byte the behaviour of Megatron's MMapIndexedDatasetBuilder."""

    def __init__(self, out_file, dtype=np.int64):
        self._data_file = open(out_file, "wb")
        self._dtype = dtype
        self._sizes = []
        self._doc_idx = [0]

    def _array(self, tokens):
        info = np.iinfo(self._dtype)
        for value in tokens:
            if value < info.min or value > info.max:
                raise OverflowError(
                    f"token id {value} does not fit {np.dtype(self._dtype).name}")
        return np.array(tokens, dtype=self._dtype)

    def add_item(self, tokens):
        np_array = self._array(tokens)
        self._data_file.write(np_array.tobytes(order="C"))
        self._sizes.append(np_array.size)

    def add_doc(self, tokens, sizes):
        np_array = self._array(tokens)
        self._data_file.write(np_array.tobytes(order="C"))
        self._sizes.extend(sizes)
        self._doc_idx.append(len(self._sizes))

    def end_document(self):
        self._doc_idx.append(len(self._sizes))

    def merge_file_(self, another_prefix):
        index = IndexReader(index_file_path(another_prefix))
        if np.dtype(index.dtype) != np.dtype(self._dtype):
            raise ValueError(f"{another_prefix}: dtype {np.dtype(index.dtype).name} "
                             f"!= {np.dtype(self._dtype).name}")
        offset = len(self._sizes)
        self._sizes.extend(index.sizes)
        self._doc_idx.extend((offset + index.doc_idx)[1:])
        with open(data_file_path(another_prefix), "rb") as f:
            shutil.copyfileobj(f, self._data_file)

    def finalize(self, index_file):
        self._data_file.close()
        itemsize = np.dtype(self._dtype).itemsize
        # Pointers as Megatron computes them: running byte address, before each sequence.
        # Python ints here (NumPy 1.x promoted int32 * int to int64; this keeps that meaning).
        pointers = []
        address = 0
        for size in self._sizes:
            pointers.append(address)
            address += int(size) * itemsize
        with open(index_file, "wb") as f:
            f.write(HDR_MAGIC)
            f.write(struct.pack("<Q", INDEX_VERSION))
            f.write(struct.pack("<B", dtype_code(self._dtype)))
            f.write(struct.pack("<Q", len(self._sizes)))
            f.write(struct.pack("<Q", len(self._doc_idx)))
            f.write(np.array(self._sizes, dtype=np.int32).tobytes(order="C"))
            f.write(np.array(pointers, dtype=np.int64).tobytes(order="C"))
            f.write(np.array(self._doc_idx, dtype=np.int64).tobytes(order="C"))


# --------------------------------------------------------------------------------------------
# Tokenizers (megatron/tokenizer/tokenizer.py of the fork; DeepSpeedFugaku for JapaneseSentencePiece)
# --------------------------------------------------------------------------------------------

def _sentencepiece(model_file):
    import sentencepiece
    return sentencepiece.SentencePieceProcessor(model_file=model_file)


class _SentencePieceVocab:
    def _populate_vocab(self):
        self._vocab = {}
        self._inv_vocab = {}
        for i in range(len(self.tokenizer)):
            t = self.tokenizer.id_to_piece(i)
            self._inv_vocab[i] = t
            self._vocab[t] = i

    @property
    def vocab_size(self):
        return len(self._vocab)


class SentencePieceTokenizer(_SentencePieceVocab):
    """_SentencePieceTokenizer: NeMo-style special-token splitting, eod = <EOD>."""

    def __init__(self, model_file, vocab_extra_ids=0):
        self.tokenizer = _sentencepiece(model_file)
        self._populate_vocab()
        self._special_tokens = {}
        self._inv_special_tokens = {}

        def add_special_token(t):
            if t not in self._vocab:
                next_id = len(self._vocab)
                self._vocab[t] = next_id
                self._inv_vocab[next_id] = t
            self._special_tokens[t] = self._vocab[t]
            self._inv_special_tokens[self._vocab[t]] = t

        add_special_token("<CLS>")
        add_special_token("<SEP>")
        add_special_token("<EOD>")
        self._eod_id = self._vocab["<EOD>"]
        add_special_token("<MASK>")
        for getter, fallback in ((self.tokenizer.pad_id, "<PAD>"),
                                 (self.tokenizer.bos_id, "<BOS>"),
                                 (self.tokenizer.eos_id, "<EOS>")):
            try:
                token = self.tokenizer.id_to_piece(getter())
            except IndexError:
                token = fallback
            add_special_token(token)
        for i in range(vocab_extra_ids):
            add_special_token("<extra_id_{}>".format(i))

    def tokenize(self, text):
        ids = []
        idx = 0
        while True:
            indices = {}
            for token in self._special_tokens:
                try:
                    indices[token] = text[idx:].index(token)
                except ValueError:
                    continue
            if len(indices) == 0:
                break
            next_token = min(indices, key=indices.get)
            next_idx = idx + indices[next_token]
            ids.extend(self.tokenizer.encode_as_ids(text[idx:next_idx]))
            ids.append(self._special_tokens[next_token])
            idx = next_idx + len(next_token)
        ids.extend(self.tokenizer.encode_as_ids(text[idx:]))
        return ids

    @property
    def eod(self):
        return self._eod_id


class GPTSentencePieceTokenizer(_SentencePieceVocab):
    """_GPTSentencePieceTokenizer: plain encode, eod = eos_id."""

    def __init__(self, model_file):
        self.tokenizer = _sentencepiece(model_file)
        self._populate_vocab()
        self._eos_id = self.tokenizer.eos_id()

    def tokenize(self, text):
        return self.tokenizer.encode_as_ids(text)

    @property
    def eod(self):
        return self._eos_id


class Llama2Tokenizer(_SentencePieceVocab):
    """_Llama2Tokenizer: [bos] + encode(text); eod = eos_id."""

    def __init__(self, model_file):
        self.tokenizer = _sentencepiece(model_file)
        self._populate_vocab()
        self.bos_id = self.tokenizer.bos_id()
        self.eos_id = self.tokenizer.eos_id()
        assert self.tokenizer.vocab_size() == self.tokenizer.get_piece_size()

    def tokenize(self, s, bos=True, eos=False):
        assert type(s) is str
        t = self.tokenizer.encode(s)
        if bos:
            t = [self.bos_id] + t
        if eos:
            t = t + [self.eos_id]
        return t

    @property
    def eod(self):
        return self.eos_id


class JapaneseSentencePiece:
    """_JapaneseSentencePiece (DeepSpeedFugaku / llm-jp Megatron-DeepSpeed): CRLF -> LF, encode;
    eod = piece_to_id("</s>"); vocab_size = sp.vocab_size()."""

    def __init__(self, model_file):
        self.tokenizer = _sentencepiece(model_file)
        self.eod_id = self.tokenizer.piece_to_id("</s>")
        self.eol_symbol = "\n"

    @property
    def vocab_size(self):
        return self.tokenizer.vocab_size()

    def tokenize(self, text):
        text = text.replace("\n", self.eol_symbol)
        text = text.replace("\r\n", self.eol_symbol)
        return self.tokenizer.encode(text)

    @property
    def eod(self):
        return self.eod_id


class HuggingFaceTokenizer:
    """Upstream _HuggingFaceTokenizer semantics with the `tokenizers` library:
    tokenize = encode(text, add_special_tokens=True).ids (what AutoTokenizer(text).input_ids gives
    for a fast tokenizer); eod = id of eos_token from tokenizer_config.json / special_tokens_map.json
    next to tokenizer.json; vocab_size = vocabulary size with added tokens (len(tokenizer))."""

    def __init__(self, path):
        import tokenizers
        if os.path.isdir(path):
            path = os.path.join(path, "tokenizer.json")
        self.tokenizer = tokenizers.Tokenizer.from_file(path)
        self._eod = None
        directory = os.path.dirname(os.path.abspath(path))
        for name in ("tokenizer_config.json", "special_tokens_map.json"):
            config_path = os.path.join(directory, name)
            if not os.path.exists(config_path):
                continue
            with open(config_path, encoding="utf-8") as f:
                eos = json.load(f).get("eos_token")
            if isinstance(eos, dict):
                eos = eos.get("content")
            if isinstance(eos, str):
                self._eod = self.tokenizer.token_to_id(eos)
                break

    @property
    def vocab_size(self):
        return self.tokenizer.get_vocab_size(with_added_tokens=True)

    def tokenize(self, text):
        return self.tokenizer.encode(text, add_special_tokens=True).ids

    @property
    def eod(self):
        if self._eod is None:
            raise ValueError("HuggingFaceTokenizer: no eos_token found next to tokenizer.json")
        return self._eod


class NullTokenizer:
    """_NullTokenizer: ids are the space-separated integers of the text; eod = vocab_size."""

    def __init__(self, vocab_size):
        vocab_size = int(vocab_size)
        self._eos_id = vocab_size
        self.vocab_size = vocab_size + 1

    def tokenize(self, text):
        return [int(x) for x in text.split(" ")]

    @property
    def eod(self):
        return self._eos_id


def build_tokenizer(args):
    kind = args.tokenizer_type
    model = args.tokenizer_model
    if kind == "SentencePieceTokenizer":
        assert model is not None
        return SentencePieceTokenizer(model, vocab_extra_ids=0)
    if kind == "GPTSentencePieceTokenizer":
        assert model is not None
        return GPTSentencePieceTokenizer(model)
    if kind == "Llama2Tokenizer":
        assert model is not None
        return Llama2Tokenizer(model)
    if kind == "JapaneseSentencePiece":
        path = args.vocab_file or model
        assert path is not None
        return JapaneseSentencePiece(path)
    if kind == "HuggingFaceTokenizer":
        assert model is not None
        return HuggingFaceTokenizer(model)
    if kind == "NullTokenizer":
        assert args.vocab_size is not None
        return NullTokenizer(args.vocab_size)
    raise NotImplementedError("{} tokenizer is not implemented.".format(kind))


# --------------------------------------------------------------------------------------------
# preprocess_data.py
# --------------------------------------------------------------------------------------------

class Encoder:
    def __init__(self, args):
        self.args = args

    def initializer(self):
        # Use Encoder class as a container for global data (as the fork does).
        Encoder.tokenizer = build_tokenizer(self.args)

    def encode(self, json_line):
        data = json.loads(json_line)
        ids = {}
        lens = {}
        for key in self.args.json_keys:
            text = data[key]
            if isinstance(text, list):
                sentences = text
            else:
                sentences = [text]
            doc_ids = []
            sentence_lens = []
            for sentence in sentences:
                sentence_ids = Encoder.tokenizer.tokenize(sentence)
                if len(sentence_ids) > 0:
                    doc_ids.extend(sentence_ids)
                    sentence_lens.append(len(sentence_ids))
            if len(doc_ids) > 0 and self.args.append_eod:
                doc_ids.append(Encoder.tokenizer.eod)
                if not self.args.eod_not_in_sizes:
                    sentence_lens[-1] += 1
            ids[key] = doc_ids
            lens[key] = sentence_lens
        return ids, lens, len(json_line)


class _ProcessText:
    """Text lines from `zstd -dc`; close() fails if zstd did (so a corrupt input is never truncated silently)."""

    def __init__(self, path):
        self._path = path
        self._proc = subprocess.Popen(["zstd", "-dc", "--", path], stdout=subprocess.PIPE)
        self._text = io.TextIOWrapper(self._proc.stdout, encoding="utf-8")

    def __iter__(self):
        for line in self._text:
            yield line
        if self._proc.wait() != 0:
            raise IOError(f"zstd -dc {self._path} failed with status {self._proc.returncode}")

    def close(self):
        self._text.close()
        self._proc.wait()


def open_text(path):
    """Text-mode reader with universal newlines, like open(path, 'r', encoding='utf-8')."""
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    if path.endswith(".zst") or path.endswith(".zstd"):
        try:
            import zstandard
        except ImportError:
            return _ProcessText(path)
        raw = open(path, "rb")
        try:
            reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        except TypeError:
            reader = zstandard.ZstdDecompressor().stream_reader(raw)
        return io.TextIOWrapper(reader, encoding="utf-8")
    return open(path, "r", encoding="utf-8")


def output_prefix_for(output_prefix, key, level="document"):
    return "{}_{}_{}".format(output_prefix, key, level)


def preprocess(args):
    print("Opening", args.input)
    fin = open_text(args.input)

    startup_start = time.time()
    encoder = Encoder(args)
    tokenizer = build_tokenizer(args)
    pool = multiprocessing.Pool(args.workers, initializer=encoder.initializer)
    encoded_docs = pool.imap(encoder.encode, fin, 32)

    level = "document"
    builders = {}
    prefixes = {}
    tokens = {}
    for key in args.json_keys:
        prefixes[key] = output_prefix_for(args.output_prefix, key, level)
        builders[key] = MMapIndexedDatasetBuilder(
            data_file_path(prefixes[key]), dtype=best_fitting_dtype(tokenizer.vocab_size))
        tokens[key] = 0

    startup_end = time.time()
    proc_start = time.time()
    total_bytes_processed = 0
    print("Time to startup:", startup_end - startup_start)
    count = 0
    for count, (doc, sentence_lens, bytes_processed) in enumerate(encoded_docs, start=1):
        total_bytes_processed += bytes_processed
        for key in doc.keys():
            builders[key].add_doc(doc[key], sentence_lens[key])
            tokens[key] += len(doc[key])
        if count % args.log_interval == 0:
            elapsed = time.time() - proc_start
            mbs = total_bytes_processed / elapsed / 1024 / 1024
            print(f"Processed {count} documents",
                  f"({count / elapsed} docs/s, {mbs} MB/s).", file=sys.stderr)
    pool.close()
    pool.join()
    fin.close()
    # The fork finalizes only builders[key] of the last key (finalize sits after the key loop);
    # every key is finalized here so each .bin has its .idx.
    for key in args.json_keys:
        builders[key].finalize(index_file_path(prefixes[key]))
    total = sum(tokens.values())
    print(f"Processed Total {total} tokens ({count} documents)", file=sys.stderr)
    if args.output_result_total_token_info:
        with open(args.output_result_total_token_info, "a") as f:
            for key in args.json_keys:
                f.write(f"{args.input},{prefixes[key]},{tokens[key]}\n")


def get_preprocess_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_argument_group(title="input data")
    group.add_argument("--input", type=str, required=True, help="Path to input JSON lines")
    group.add_argument("--json-keys", nargs="+", default=["text"],
                       help="space separate listed of keys to extract from json")
    group.add_argument("--split-sentences", action="store_true",
                       help="Not supported by this reference.")
    group.add_argument("--keep-newlines", action="store_true", help="(only with --split-sentences)")

    group = parser.add_argument_group(title="tokenizer")
    group.add_argument("--tokenizer-type", type=str, required=True,
                       choices=["SentencePieceTokenizer", "GPTSentencePieceTokenizer",
                                "Llama2Tokenizer", "JapaneseSentencePiece",
                                "HuggingFaceTokenizer", "NullTokenizer"])
    group.add_argument("--tokenizer-model", type=str, default=None)
    group.add_argument("--vocab-file", type=str, default=None)
    group.add_argument("--vocab-size", default=786, help="size of vocab for use with NullTokenizer")
    group.add_argument("--merge-file", type=str, default=None)
    group.add_argument("--append-eod", action="store_true",
                       help="Append an <eod> token to the end of a document.")
    group.add_argument("--eod-not-in-sizes", action="store_true",
                       help="Reproduce Megatron-LM before 0609f27f (and llm-jp/Megatron-DeepSpeed): "
                            "the appended EOD is written but not counted in the sequence length.")
    group.add_argument("--lang", type=str, default="english")

    group = parser.add_argument_group(title="output data")
    group.add_argument("--output-prefix", type=str, required=True)
    group.add_argument("--dataset-impl", type=str, default="mmap", choices=["mmap"])
    group.add_argument("--output-result-total-token-info", type=str, default=None,
                       help="CSV file to append '{input},{output_prefix}_{key}_document,{tokens}' to")

    group = parser.add_argument_group(title="runtime")
    group.add_argument("--workers", type=int, required=True)
    group.add_argument("--partitions", type=int, default=1, help="Only 1 is supported.")
    group.add_argument("--log-interval", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.split_sentences:
        parser.error("--split-sentences is not supported by this reference")
    if args.partitions != 1:
        parser.error("--partitions other than 1 is not supported by this reference")
    args.keep_empty = False
    args.rank = 1
    args.make_vocab_size_divisible_by = 128
    args.tensor_model_parallel_size = 1
    args.vocab_extra_ids = 0
    return args


# --------------------------------------------------------------------------------------------
# Fixture sub-commands
# --------------------------------------------------------------------------------------------

def build_ids(argv):
    parser = argparse.ArgumentParser(prog="megatron_reference.py build-ids")
    parser.add_argument("--ids", required=True, help="JSON file: list of documents")
    parser.add_argument("--output-prefix", required=True)
    parser.add_argument("--dtype", choices=["uint16", "int32"], required=True)
    args = parser.parse_args(argv)
    with open(args.ids, encoding="utf-8") as f:
        documents = json.load(f)
    builder = MMapIndexedDatasetBuilder(data_file_path(args.output_prefix),
                                        dtype=np.dtype(args.dtype).type)
    for document in documents:
        if isinstance(document, dict):
            builder.add_doc(document["ids"], document["lengths"])
        else:
            builder.add_doc(document, [len(document)] if document else [])
    builder.finalize(index_file_path(args.output_prefix))


def merge(argv):
    parser = argparse.ArgumentParser(prog="megatron_reference.py merge")
    parser.add_argument("--output-prefix", required=True)
    parser.add_argument("inputs", nargs="+", help="input prefixes, merged in this order")
    args = parser.parse_args(argv)
    first = IndexReader(index_file_path(args.inputs[0]))
    builder = MMapIndexedDatasetBuilder(data_file_path(args.output_prefix), dtype=first.dtype)
    for prefix in args.inputs:
        builder.merge_file_(prefix)
    builder.finalize(index_file_path(args.output_prefix))


def dump(argv):
    parser = argparse.ArgumentParser(prog="megatron_reference.py dump")
    parser.add_argument("prefix")
    args = parser.parse_args(argv)
    index = IndexReader(index_file_path(args.prefix))
    data = np.fromfile(data_file_path(args.prefix), dtype=index.dtype)
    documents = []
    for d in range(len(index.doc_idx) - 1):
        begin, end = int(index.doc_idx[d]), int(index.doc_idx[d + 1])
        documents.append([data[int(index.pointers[s]) // np.dtype(index.dtype).itemsize:
                               int(index.pointers[s]) // np.dtype(index.dtype).itemsize
                               + int(index.sizes[s])].tolist() for s in range(begin, end)])
    json.dump({
        "dtype": np.dtype(index.dtype).name,
        "sizes": index.sizes.tolist(),
        "pointers": index.pointers.tolist(),
        "doc_idx": index.doc_idx.tolist(),
        "documents": documents,
    }, sys.stdout)
    sys.stdout.write("\n")


def main(argv):
    commands = {"build-ids": build_ids, "merge": merge, "dump": dump}
    if argv and argv[0] in commands:
        commands[argv[0]](argv[1:])
    else:
        preprocess(get_preprocess_args(argv))


if __name__ == "__main__":
    main(sys.argv[1:])
