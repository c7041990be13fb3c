"""speech-cleaner: clean Chinese speeches saved from document-sharing sites.

The public API is :func:`clean_text` (pure: text in, clean text and changes
out), :func:`clean_bytes` (decode, then clean) and :func:`load_rules`.
"""

from .changes import Change, CleanResult, DocumentInfo
from .core import Options, RuleTimeout, clean_text, default_rules
from .fileio import DecodeError, clean_bytes, decode
from .guard import BodyIntegrityError
from .rules import Rule, RuleError, load_rule_file, load_rules

__all__ = [
    "BodyIntegrityError", "Change", "CleanResult", "DecodeError", "DocumentInfo", "Options",
    "Rule", "RuleError", "RuleTimeout",
    "clean_bytes", "clean_text", "decode", "default_rules", "load_rule_file", "load_rules",
]
__version__ = "0.1.0"
