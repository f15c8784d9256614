TRAIN_DATA_PATH=(
    --data-path
          1607299630 /data/experiments/ci-mixture/corpus/tokenized/ja/ja_wiki_0000_text_document
          2022182798 /data/experiments/ci-mixture/corpus/tokenized/ja/ja_wiki_0001_text_document
         16685381704 /data/experiments/ci-mixture/corpus/tokenized/ja/ja_cc_0000_text_document
                  21 /data/experiments/ci-mixture/corpus/tokenized/en/en_tiny_0000_text_document
         26656646633 /data/experiments/ci-mixture/corpus/tokenized/ja/ja_cc_0001_text_document
         25599478612 /data/experiments/ci-mixture/corpus/tokenized/ja/ja_cc_0002_text_document
          5278498688 /data/experiments/ci-mixture/corpus/tokenized/en/en_wiki_0000_text_document
        183233520170 /data/experiments/ci-mixture/corpus/tokenized/en/en_web_0000_text_document
        238125793558 /data/experiments/ci-mixture/corpus/tokenized/en/en_web_0001_text_document
        278548714260 /data/experiments/ci-mixture/corpus/tokenized/en/en_web_0002_text_document
        192478277524 /data/experiments/ci-mixture/corpus/tokenized/en/en_web_0003_text_document
         11024941577 /data/experiments/ci-mixture/corpus/tokenized/code/code_stack_0000_text_document
          6393585838 /data/experiments/ci-mixture/corpus/tokenized/code/code_stack_0001_text_document
)
