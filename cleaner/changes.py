"""The change log: what the cleaner changed, where, and why.

Each :class:`Change` names the rule, the action, the position in the *input*
(1-based line and column, counted in characters of the decoded text), the
text before and the text after. Warnings use the same record with
``kind="warning"`` and change nothing. :class:`DocumentInfo` carries the
document-level facts. Both serialise to the JSON Lines format documented in
the README; the field names are stable.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, NamedTuple

Kind = Literal["change", "warning"]
"""A change of the text, or a warning about text a rule saw and left alone."""


class Change(NamedTuple):
    """One change (or warning) at ``line``, input columns ``[column, end_column)``.

    Immutable; a named tuple rather than a frozen dataclass because a document
    can log hundreds of changes and a frozen dataclass takes five times as
    long to make.
    """

    rule: str
    action: str
    line: int
    column: int
    before: str
    after: str
    kind: Kind = "change"
    message: str = ""
    end_column: int = 0
    noise: tuple[int, int] | None = None
    """For a dropped line: the part of ``before`` (offsets) that the rule recognised as noise.

    Everything of ``before`` outside it holds no speech clause (see
    :mod:`cleaner.speech`); the guard checks this from the log alone.
    """
    review: bool = False
    """Made by a ``review``-level rule (a judgement that removes text): where a reviewer starts."""

    def to_json(self, path: str | None = None) -> dict[str, Any]:
        record: dict[str, Any] = {"type": self.kind}
        if path is not None:
            record["path"] = path
        record.update(self._asdict())
        del record["kind"]
        if not record["message"]:
            del record["message"]
        if record["noise"] is None:
            del record["noise"]
        else:
            record["noise"] = list(record["noise"])
        if not record["review"]:
            del record["review"]
        return record


@dataclass
class DocumentInfo:
    """Document-level facts: how the input was read and what state it is in."""

    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"
    mojibake_repaired: bool = False
    damaged: bool = False
    truncated: bool = False
    hidden_chars: int | None = None
    empty_reason: str = ""

    def to_json(self, path: str | None, changes: list[Change]) -> dict[str, Any]:
        record: dict[str, Any] = {"type": "document"}
        if path is not None:
            record["path"] = path
        record.update(asdict(self))
        record["changes"] = sum(1 for c in changes if c.kind == "change")
        record["warnings"] = sum(1 for c in changes if c.kind == "warning")
        return record


@dataclass
class CleanResult:
    """What :func:`cleaner.clean_text` returns."""

    text: str
    changes: list[Change] = field(default_factory=list)
    info: DocumentInfo = field(default_factory=DocumentInfo)
    lines: list[tuple[int, str]] = field(default_factory=list)
    """Each line of ``text`` (blank separator lines aside) with the input line it came from (empty without a log)."""
    counts: Counter[str] | None = None
    """Changes per rule when the log was not kept (``Options(log=False)``): then ``changes``
    holds only the warnings."""

    @property
    def logged(self) -> bool:
        """Does ``changes`` hold every change (the default), so that a change log can be written?"""
        return self.counts is None

    @property
    def warnings(self) -> list[Change]:
        return [c for c in self.changes if c.kind == "warning"]

    def rule_counts(self) -> Counter[str]:
        if self.counts is not None:
            return Counter(self.counts)
        return Counter(c.rule for c in self.changes if c.kind == "change")

    def jsonl(self, path: str | None = None, stamp: dict[str, str] | None = None) -> str:
        """The change log as JSON Lines: one document record, then one per change.

        ``stamp`` (the tool's version and the rules' fingerprint) goes into
        the document record, so the log says what cleaned the document.
        """
        if not self.logged:
            raise ValueError("this result was cleaned without a log (Options(log=False)): "
                             "clean again with log=True to write one")
        head = {**self.info.to_json(path, self.changes), **(stamp or {})}
        records = itertools.chain([head], (c.to_json(path) for c in self.changes))  # one record alive at a time
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)

    def notes(self) -> list[str]:
        """The document facts that matter for review (the summary line and the report show them)."""
        notes = []
        if self.info.encoding == "docx":
            notes.append("read from a Word document")
        elif self.info.encoding not in ("utf-8", "ascii"):
            notes.append(f"decoded from {self.info.encoding}")
        if self.info.mojibake_repaired:
            notes.append("mojibake repaired")
        if self.info.damaged:
            notes.append("DAMAGED text kept (lost characters or unrepairable mojibake)")
        if self.info.truncated:
            hidden = self.info.hidden_chars
            notes.append("TRUNCATED" + (f", {hidden} characters hidden" if hidden else ""))
        if self.warnings:
            notes.append(f"{len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}")
        if self.info.empty_reason:
            notes.append(self.info.empty_reason)
        return notes

    def summary(self, path: str = "<text>") -> str:
        """One human line, with the document facts that matter for review."""
        return summary_line(path, self.rule_counts(), self.notes())


def summary_line(path: str, counts: Mapping[str, int], notes: Sequence[str]) -> str:
    """:meth:`CleanResult.summary` from a result's counts per rule and notes, when they are at hand already.

    >>> summary_line("a.txt", {"PU002": 2, "AN001": 1}, ["TRUNCATED"])
    'a.txt: 3 changes (AN001×1, PU002×2) [TRUNCATED]'
    """
    n = sum(counts.values())
    parts = [f"{path}: {n} change{'s' if n != 1 else ''}"]
    if counts:
        parts.append("(" + ", ".join(f"{r}×{k}" for r, k in sorted(counts.items())) + ")")
    if notes:
        parts.append("[" + "; ".join(notes) + "]")
    return " ".join(parts)
