"""CorpusKit's tools as a package, so that scripts import their shared helpers (Tools.common,
Tools.references.megatron_reference) without sys.path edits. Run Python scripts as modules from the
repository root: `.venv/bin/python -m Tools.references.make_references --help` (see Tools/README.md).
"""
