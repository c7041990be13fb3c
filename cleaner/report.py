"""The HTML report: one self-contained page for reviewing a batch.

The page has no external assets and makes no network request: the styles and
the script (``cleaner/templates/``, where a designer can edit them as the
files they are) are inlined, and the batch is a JSON document inside it. The totals
and the table of rules are plain HTML; the list of files is drawn by the
script, a page of them at a time, and a file's lines are drawn only when its
row is opened, so a report of thousands of files stays quick. For a changed
file it shows each changed or dropped line, before and after, with one line
of context; every removed or replaced stretch is highlighted and labelled
with the rule ids that made it.

The summary and the list of files come first; the table of rules is a
collapsed filter above the list. The filters are kept in the page's address
(``#rule=CT001&review=1``), so that a filtered view can be shared and comes
back on reload. Changes by review-level rules (judgements that remove text)
are marked, and a filter shows them alone, so that a reviewer starts there.
The interface is in English or Chinese (``lang``, or the browser's language).
"""

from __future__ import annotations

import functools
import html
import json
from collections import Counter
from collections.abc import Set
from importlib import resources
from typing import Any, NotRequired, TypedDict

from .render import visible
from .review import FORM_ONLY, SAME, FileReview, LineReview

CONTEXT_LINES = 1


class FileRecord(TypedDict):
    """One file of the report, as the page's script reads it (it goes into the page as JSON)."""

    label: str
    status: str  # "changed", "unchanged" or "skipped"
    reason: NotRequired[str]  # why a skipped file was skipped
    counts: dict[str, int]  # changes per rule id
    changes: int
    notes: list[str]
    lines: list[dict[str, Any]]  # the rows to draw: see _lines


LANGS = ("auto", "zh", "en")
"""The page's interface language: ``auto`` follows the browser (Chinese for ``zh*``)."""
DEFAULT_TITLE = "speech-cleaner report"


def build_report(files: list[FileRecord], rules: dict[str, str], title: str | None = None, *,
                 review: Set[str] = frozenset(), lang: str = "auto") -> str:
    """The report page for a batch.

    ``files`` are :func:`file_data` and :func:`skipped_data` records, in the
    order to list them; ``rules`` maps rule ids to their summaries; ``review``
    holds the ids of the review-level rules (a judgement that removes text),
    whose changes the page marks and can show alone. ``title`` replaces the
    page's own (which follows its language); ``lang`` is one of :data:`LANGS`.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    per_rule: Counter[str] = Counter()
    files_per_rule: Counter[str] = Counter()
    for f in files:
        per_rule.update(f["counts"])
        files_per_rule.update(f["counts"].keys())
    status = Counter(f["status"] for f in files)
    # The script writes the totals in the page's language; this is what a page without it shows.
    totals = (f"{len(files)} file(s): {status['changed']} changed, {status['unchanged']} "
              f"unchanged, {status['skipped']} skipped; {sum(per_rule.values())} change(s) by "
              f"{len(per_rule)} rule(s)")
    rows = "\n".join(
        f'<tr><td><button type="button" class="rule" data-rule="{html.escape(rid)}">'
        f'{html.escape(rid)}</button></td><td>{html.escape(rules.get(rid, ""))}</td>'
        f'<td class="fix {_fix(rid, review)}" data-fix="{_fix(rid, review)}">{_fix(rid, review)}</td>'
        f'<td class="num">{n}</td><td class="num">{files_per_rule[rid]}</td></tr>'
        for rid, n in sorted(per_rule.items(), key=lambda x: (-x[1], x[0])))
    data = {"files": files, "rules": {rid: rules.get(rid, "") for rid in sorted(per_rule)},
            "review": sorted(rid for rid in per_rule if rid in review)}
    return _template("report.html").format(
        title=html.escape(title or DEFAULT_TITLE), custom_title="1" if title else "",
        lang=lang, totals=html.escape(totals), rule_rows=rows, rule_count=len(per_rule),
        style=_template("report.css"), script=_template("report.js"), data=_json_for_script(data))


def _fix(rule_id: str, review: Set[str]) -> str:
    return "review" if rule_id in review else "safe"


def file_data(r: FileReview, rewritten: bool = False) -> FileRecord:
    """One reviewed file, as the report's script reads it (small: changed lines only).

    ``rewritten``: cleaning changes the file's bytes, even if no line changes
    (a GBK file becomes UTF-8, CRLF becomes LF): it counts as changed.
    """
    counts = dict(sorted(r.rule_counts().items()))
    notes = r.result.notes()
    if rewritten and not r.changed:
        notes.append(FORM_ONLY)
    return {
        "label": r.label,
        "status": "changed" if r.changed or rewritten else "unchanged",
        "counts": counts,
        "changes": sum(counts.values()),
        "notes": notes,
        "lines": _lines(r.lines) if r.changed else [],
    }


def skipped_data(label: str, reason: str) -> FileRecord:
    """A file the batch could not clean, and why."""
    return {"label": label, "status": "skipped", "reason": reason, "counts": {}, "changes": 0,
            "notes": [], "lines": []}


@functools.cache
def _template(name: str) -> str:
    """A file of the page (HTML with ``{fields}``, its CSS, its script), shipped in cleaner/templates/."""
    return resources.files("cleaner").joinpath("templates", name).read_text(encoding="utf-8")


def _json_for_script(data: Any) -> str:
    """JSON that cannot end the <script> element it sits in."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _lines(lines: list[LineReview]) -> list[dict[str, Any]]:
    """Changed and dropped lines, with CONTEXT_LINES kept lines around them and gaps counted."""
    show: set[int] = set()
    for i, ln in enumerate(lines):
        if ln.status != "kept" and ln.before:  # empty lines that went are only counted
            show.update(range(max(0, i - CONTEXT_LINES), min(len(lines), i + CONTEXT_LINES + 1)))
    out: list[dict[str, Any]] = []
    gap = 0
    for i, ln in enumerate(lines):
        if ln.status == "dropped" and not ln.before:
            continue  # an empty line that went: counted in the summary, not worth a row
        if i not in show:
            gap += 1
            continue
        if gap:
            out.append({"gap": gap})
            gap = 0
        if ln.status == "kept":
            out.append({"n": ln.number, "s": "kept", "t": ln.before})
        else:
            out.append({"n": ln.number, "s": ln.status,
                        # Removed and added text with its spaces and invisible
                        # characters made visible, as the inline diff shows them.
                        "seg": [[s.kind, s.before] if s.kind == SAME
                                else [s.kind, visible(s.before), visible(s.after), list(s.rules)]
                                for s in ln.segments]})
    if gap:
        out.append({"gap": gap})
    return out
