"""The HTML report: one self-contained page for reviewing a batch.

The page has no external assets and makes no network request: the styles and
the script are inline, and the batch is a JSON document inside it. The totals
and the table of rules are plain HTML; the list of files is drawn by the
script, a page of them at a time, and a file's lines are drawn only when its
row is opened, so a report of thousands of files stays quick. For a changed
file it shows each changed or dropped line, before and after, with one line
of context; every removed or replaced stretch is highlighted and labelled
with the rule ids that made it.
"""

from __future__ import annotations

import html
import json
from collections import Counter
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


def build_report(files: list[FileRecord], rules: dict[str, str],
                 title: str = "speech-cleaner report") -> str:
    """The report page for a batch.

    ``files`` are :func:`file_data` and :func:`skipped_data` records, in the
    order to list them; ``rules`` maps rule ids to their summaries.
    """
    per_rule: Counter[str] = Counter()
    files_per_rule: Counter[str] = Counter()
    for f in files:
        per_rule.update(f["counts"])
        files_per_rule.update(f["counts"].keys())
    status = Counter(f["status"] for f in files)
    totals = (f"{len(files)} file(s): {status['changed']} changed, {status['unchanged']} "
              f"unchanged, {status['skipped']} skipped; {sum(per_rule.values())} change(s) by "
              f"{len(per_rule)} rule(s)")
    rows = "\n".join(
        f'<tr><td><button type="button" class="rule" data-rule="{html.escape(rid)}">'
        f'{html.escape(rid)}</button></td><td>{html.escape(rules.get(rid, ""))}</td>'
        f'<td class="num">{n}</td><td class="num">{files_per_rule[rid]}</td></tr>'
        for rid, n in sorted(per_rule.items(), key=lambda x: (-x[1], x[0])))
    data = {"files": files, "rules": {rid: rules.get(rid, "") for rid in sorted(per_rule)}}
    return _PAGE.format(
        title=html.escape(title), totals=html.escape(totals), rule_rows=rows,
        style=_STYLE, script=_SCRIPT, data=_json_for_script(data))


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


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p id="totals">{totals}</p>
</header>
<main>
<section id="rules">
<h2>Changes per rule</h2>
<div class="scroll"><table>
<thead><tr><th>rule</th><th>what it does</th><th class="num">changes</th><th class="num">files</th></tr></thead>
<tbody>
{rule_rows}
</tbody>
</table></div>
</section>
<section id="files">
<h2>Files</h2>
<div class="controls">
<label>Rule <select id="rule-filter"><option value="">all rules</option></select></label>
<label>Show <select id="status-filter">
<option value="changed">changed files</option>
<option value="all">all files</option>
<option value="unchanged">unchanged files</option>
<option value="skipped">skipped files</option>
</select></label>
<label>File <input id="name-filter" type="search" placeholder="part of a name"></label>
<button type="button" id="expand">open all shown</button>
</div>
<p id="count"></p>
<div id="file-list"></div>
<button type="button" id="more" hidden>show more</button>
</section>
</main>
<script type="application/json" id="data">{data}</script>
<script>{script}</script>
</body>
</html>
"""

_STYLE = """
:root { --rm: #ffd7d5; --rm-text: #82071e; --add: #ccffd8; --add-text: #055d20;
        --tag: #0550ae; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.6 system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC",
       "Microsoft YaHei", sans-serif; color: #1f2328; background: #fff; }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 12px; }
h1 { font-size: 1.4em; margin: 16px 0 4px; }
h2 { font-size: 1.15em; margin: 20px 0 8px; }
#totals { color: var(--muted); margin: 0 0 8px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
button.rule, .tag { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
button.rule { border: 1px solid var(--line); border-radius: 4px; background: #f6f8fa; cursor: pointer;
              padding: 1px 6px; color: var(--tag); }
button.rule.active { background: var(--tag); color: #fff; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin-bottom: 8px; }
.controls input, .controls select { font: inherit; max-width: 100%; }
#count { color: var(--muted); margin: 4px 0; }
details.file { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
details.file > summary { cursor: pointer; padding: 6px 10px; display: flex; flex-wrap: wrap;
                         gap: 4px 10px; align-items: baseline; }
details.file[open] > summary { border-bottom: 1px solid var(--line); background: #f6f8fa; }
.name { font-weight: 600; overflow-wrap: anywhere; }
.badge { color: var(--muted); font-size: 0.9em; }
.note { color: #9a6700; font-size: 0.9em; }
.skipped .note { color: var(--rm-text); }
.diff { display: grid; grid-template-columns: 3.5em 1fr 1fr; }
.diff > div { padding: 2px 8px; border-bottom: 1px solid #eaeef2; overflow-wrap: anywhere;
              white-space: pre-wrap; }
.diff .no { color: var(--muted); text-align: right; font-variant-numeric: tabular-nums; }
.diff .head { font-weight: 600; color: var(--muted); background: #f6f8fa; }
.diff .gap { grid-column: 1 / -1; color: var(--muted); text-align: center; background: #f6f8fa; }
.diff .kept { color: var(--muted); }
.diff .dropped { background: #fff5f5; }
del.rm { background: var(--rm); color: var(--rm-text); text-decoration: line-through; }
ins.add { background: var(--add); color: var(--add-text); text-decoration: none; }
.tag { display: inline-block; color: var(--tag); background: #ddf4ff; border-radius: 3px;
       padding: 0 3px; margin: 0 2px; vertical-align: 1px; white-space: nowrap; }
.gone { color: var(--muted); font-style: italic; }
.dim del.rm, .dim ins.add { background: none; }
.dim .tag { opacity: 0.35; }
@media (max-width: 640px) {
  body { font-size: 14px; }
  .diff { grid-template-columns: 2.5em 1fr; }
  .diff .after { grid-column: 2; }
  .diff .after::before { content: "→ "; color: var(--muted); }
  .diff .head.after { display: none; }
}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var PAGE = 200;
  var list = document.getElementById("file-list");
  var more = document.getElementById("more");
  var ruleFilter = document.getElementById("rule-filter");
  var statusFilter = document.getElementById("status-filter");
  var nameFilter = document.getElementById("name-filter");
  var count = document.getElementById("count");
  var shown = [], drawn = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function tags(parent, rules) {
    rules.forEach(function (r) {
      var t = el("span", "tag", r);
      t.title = r + ": " + (data.rules[r] || "");
      t.dataset.rule = r;
      parent.appendChild(t);
    });
  }
  Object.keys(data.rules).sort().forEach(function (r) {
    var o = el("option", "", r);
    o.value = r;
    ruleFilter.appendChild(o);
  });

  function drawBody(file, body) {
    var focus = ruleFilter.value;
    var grid = el("div", "diff");
    ["#", "before", "after"].forEach(function (h, i) {
      grid.appendChild(el("div", "head" + (i === 2 ? " after" : i === 0 ? " no" : ""), h));
    });
    file.lines.forEach(function (ln) {
      if (ln.gap) { grid.appendChild(el("div", "gap", "\u22ef " + ln.gap + " unchanged line(s)")); return; }
      var no = el("div", "no " + ln.s, String(ln.n));
      var before = el("div", "before " + ln.s), after = el("div", "after " + ln.s);
      if (ln.s === "kept") {
        before.textContent = ln.t; after.textContent = ln.t;
      } else {
        ln.seg.forEach(function (s) {
          // An unchanged stretch is sent once: [kind, text].
          var kind = s[0], b = s[1], a = s.length > 2 ? s[2] : s[1], rules = s[3] || [];
          if (kind === "same") {
            before.appendChild(document.createTextNode(b));
            after.appendChild(document.createTextNode(a));
            return;
          }
          var wrap = el("span", focus && rules.indexOf(focus) < 0 ? "dim" : "");
          var wrapAfter = el("span", wrap.className);
          if (b) {
            var d = el("del", "rm", b);
            d.dataset.rule = rules.join(" ");
            d.title = rules.join(", ") + " removed this";
            wrap.appendChild(d);
          }
          tags(wrap, rules);
          before.appendChild(wrap);
          if (a) {
            var i = el("ins", "add", a);
            i.dataset.rule = rules.join(" ");
            wrapAfter.appendChild(i);
            after.appendChild(wrapAfter);
          }
        });
        if (ln.s === "dropped") after.appendChild(el("span", "gone", "(line removed)"));
      }
      grid.appendChild(no); grid.appendChild(before); grid.appendChild(after);
    });
    body.appendChild(grid);
  }

  function row(file) {
    var d = el("details", "file " + file.status);
    d.dataset.label = file.label;
    var s = el("summary");
    s.appendChild(el("span", "name", file.label));
    if (file.status === "skipped") {
      s.appendChild(el("span", "note", "skipped: " + file.reason));
    } else {
      s.appendChild(el("span", "badge", file.changes + " change" + (file.changes === 1 ? "" : "s")));
      var rs = el("span", "rules");
      tags(rs, Object.keys(file.counts));
      s.appendChild(rs);
      file.notes.forEach(function (n) { s.appendChild(el("span", "note", n)); });
    }
    d.appendChild(s);
    var body = el("div", "body");
    d.appendChild(body);
    d.addEventListener("toggle", function () {
      if (d.open && !body.firstChild) {
        if (file.lines.length) drawBody(file, body);
        else body.appendChild(el("p", "gone", file.status === "skipped" ? file.reason
                                  : file.notes.join("; ") || "no change"));
      }
    });
    return d;
  }

  function drawMore() {
    var end = Math.min(shown.length, drawn + PAGE);
    var frag = document.createDocumentFragment();
    for (; drawn < end; drawn++) frag.appendChild(row(shown[drawn]));
    list.appendChild(frag);
    more.hidden = drawn >= shown.length;
    more.textContent = "show more (" + (shown.length - drawn) + " left)";
  }

  function apply() {
    var rule = ruleFilter.value, status = statusFilter.value, name = nameFilter.value.trim();
    shown = data.files.filter(function (f) {
      if (status !== "all" && f.status !== status) return false;
      if (rule && !f.counts[rule]) return false;
      return !name || f.label.indexOf(name) >= 0;
    });
    list.textContent = "";
    drawn = 0;
    count.textContent = shown.length + " of " + data.files.length + " file(s) shown";
    document.querySelectorAll("button.rule").forEach(function (b) {
      b.classList.toggle("active", b.dataset.rule === rule);
    });
    drawMore();
  }

  document.querySelectorAll("button.rule").forEach(function (b) {
    b.addEventListener("click", function () {
      ruleFilter.value = ruleFilter.value === b.dataset.rule ? "" : b.dataset.rule;
      apply();
      document.getElementById("files").scrollIntoView();
    });
  });
  ruleFilter.addEventListener("change", apply);
  statusFilter.addEventListener("change", apply);
  nameFilter.addEventListener("input", apply);
  more.addEventListener("click", drawMore);
  document.getElementById("expand").addEventListener("click", function () {
    list.querySelectorAll("details.file").forEach(function (d) { d.open = true; });
  });
  var hash = decodeURIComponent(location.hash.slice(1));
  if (hash.indexOf("rule=") === 0) ruleFilter.value = hash.slice(5);
  apply();
  if (hash === "open") list.querySelectorAll("details.file").forEach(function (d) { d.open = true; });
})();
"""
