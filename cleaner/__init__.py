"""speech-cleaner: clean Chinese speeches saved from document-sharing sites.

The public API is :func:`clean_text` (pure: text in, clean text and changes
out), :func:`clean_bytes` (decode, then clean) and :func:`load_rules`; and the
pipeline the ``cleaner`` command runs on each file (decode, clean, guard,
write): :func:`clean_file` for one file or one file's bytes, :class:`Pipeline`
and :func:`clean_many` for a batch, :func:`find_sources` to find its files.
"""

from ._version import __version__
from .changes import Change, CleanResult, DocumentInfo
from .core import Options, RuleTimeout, clean_text, default_rules
from .fileio import DecodeError, clean_bytes, decode
from .files import Source, find_sources
from .guard import BodyIntegrityError
from .pipeline import FileOutcome, Pipeline, WriteBack, clean_file, clean_many
from .rules import Rule, RuleError, load_rule_file, load_rules

__all__ = [
    "BodyIntegrityError", "Change", "CleanResult", "DecodeError", "DocumentInfo", "FileOutcome",
    "Options", "Pipeline", "Rule", "RuleError", "RuleTimeout", "Source", "WriteBack",
    "clean_bytes", "clean_file", "clean_many", "clean_text", "decode", "default_rules",
    "find_sources", "load_rule_file", "load_rules", "__version__",
]
