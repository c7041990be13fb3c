(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var PAGE = 200;
  var $ = function (id) { return document.getElementById(id); };
  var list = $("file-list"), more = $("more"), count = $("count");
  var ruleFilter = $("rule-filter"), statusFilter = $("status-filter");
  var nameFilter = $("name-filter"), reviewFilter = $("review-filter");
  var shown = [], drawn = 0;
  var review = {};  // the review-level rules: judgements that remove text
  data.review.forEach(function (r) { review[r] = true; });

  // ------------------------------------------------------------ language
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  var TEXT = {
    en: {
      title: "speech-cleaner report", other: "中文", show: "Show", changedFiles: "changed files",
      allFiles: "all files", unchangedFiles: "unchanged files", skippedFiles: "skipped files",
      reviewOnly: "review-level changes only", rule: "Rule", allRules: "all rules", file: "File",
      partOfName: "part of a name", openAll: "open all shown", rulesHead: "Changes per rule",
      rulesHint: "click a rule id to show only its files", ruleCol: "rule", whatCol: "what it does",
      fixCol: "fix", changesCol: "changes", filesCol: "files", safe: "safe", review: "review",
      totals: function (t) {
        return t.files + " file(s): " + t.changed + " changed, " + t.unchanged + " unchanged, " +
          t.skipped + " skipped; " + t.changes + " change(s) by " + t.rules + " rule(s)";
      },
      reviewSummary: function (n, files) {
        return plural(n, "review-level change", "review-level changes") + " (lines or text " +
          "removed by judgement) in " + plural(files, "file", "files") + ": start there.";
      },
      reviewJump: "show only these", reviewAll: "show all changes",
      count: function (n, all) { return n + " of " + all + " file(s) shown"; },
      more: function (n) { return "show more (" + n + " left)"; },
      changes: function (n) { return plural(n, "change", "changes"); },
      toReview: function (n) { return n + " to review"; },
      skipped: function (why) { return "skipped: " + why; },
      head: ["#", "before", "after"],
      gap: function (n) { return "\u22ef " + n + " unchanged line(s)"; },
      lineRemoved: "(line removed)", noChange: "no change", removedBy: " removed this",
      reviewTag: " (review-level: a judgement, look first)", notes: []
    },
    zh: {
      title: "speech-cleaner 清理报告", other: "English", show: "显示", changedFiles: "有改动的文件",
      allFiles: "全部文件", unchangedFiles: "未改动的文件", skippedFiles: "跳过的文件",
      reviewOnly: "只看需复核的改动", rule: "规则", allRules: "全部规则", file: "文件名",
      partOfName: "文件名的一部分", openAll: "展开所显示的文件", rulesHead: "各规则的改动",
      rulesHint: "点击规则编号，只看用到它的文件", ruleCol: "规则", whatCol: "作用",
      fixCol: "性质", changesCol: "改动", filesCol: "文件", safe: "安全", review: "需复核",
      totals: function (t) {
        return "共 " + t.files + " 个文件：改动 " + t.changed + " 个，未改动 " + t.unchanged +
          " 个，跳过 " + t.skipped + " 个；" + t.rules + " 条规则共改动 " + t.changes + " 处";
      },
      reviewSummary: function (n, files) {
        return "其中 " + n + " 处改动需复核（按判断删除的行或文字），在 " + files + " 个文件中，请从这里看起。";
      },
      reviewJump: "只看这些", reviewAll: "看全部改动",
      count: function (n, all) { return "显示 " + n + " / " + all + " 个文件"; },
      more: function (n) { return "再显示一些（还有 " + n + " 个）"; },
      changes: function (n) { return n + " 处改动"; },
      toReview: function (n) { return n + " 处需复核"; },
      skipped: function (why) { return "已跳过：" + why; },
      head: ["行", "原文", "清理后"],
      gap: function (n) { return "\u22ef " + n + " 行未变"; },
      lineRemoved: "（整行删除）", noChange: "无改动", removedBy: " 删去了这里",
      reviewTag: "（需复核：按判断删除，请先看）",
      notes: [
        [/^decoded from (.+)$/, "由 $1 编码解码"],
        [/^mojibake repaired$/, "已修复乱码"],
        [/^DAMAGED text kept.*$/, "文本已损坏（有字符丢失或乱码无法修复），原样保留"],
        [/^TRUNCATED, (\d+) characters hidden$/, "内容不全，隐藏了 $1 字"],
        [/^TRUNCATED$/, "内容不全"],
        [/^(\d+) warnings?$/, "$1 条警告"],
        [/^no line changes; only the encoding.*$/, "各行未变；只改写编码、字节序标记或换行符"]
      ]
    }
  };
  var hash = new URLSearchParams(location.hash.slice(1));
  function browserLang() {
    var l = (navigator.languages && navigator.languages[0]) || navigator.language || "";
    return l.toLowerCase().indexOf("zh") === 0 ? "zh" : "en";
  }
  var asked = document.documentElement.dataset.lang;
  var lang = TEXT[hash.get("lang")] ? hash.get("lang") : TEXT[asked] ? asked : browserLang();
  var T = TEXT[lang];
  function note(n) {
    for (var i = 0; i < T.notes.length; i++) if (T.notes[i][0].test(n)) return n.replace(T.notes[i][0], T.notes[i][1]);
    return n;
  }

  // ------------------------------------------------------------ emoji without a font
  // An emoji that no installed font draws would show as an empty box: it is
  // shown as its code point instead, as the diff shows invisible characters.
  var EMOJI = /(\p{Extended_Pictographic}|[\u{1F1E6}-\u{1F1FF}])/u;
  var glyphs = {}, canvas = null, missing = "";
  function pixels(ch) {
    var c = canvas.getContext("2d", { willReadFrequently: true });
    c.clearRect(0, 0, 32, 32);
    c.fillText(ch, 0, 0);
    return Array.prototype.join.call(c.getImageData(0, 0, 32, 32).data, "");
  }
  function drawable(ch) {
    if (glyphs[ch] === undefined) {
      if (!canvas) {
        canvas = document.createElement("canvas");
        canvas.width = canvas.height = 32;
        var c = canvas.getContext("2d", { willReadFrequently: true });
        c.font = "24px " + getComputedStyle(document.body).fontFamily;
        c.textBaseline = "top";
        missing = pixels("\u0378");  // unassigned: what a missing glyph looks like
      }
      glyphs[ch] = pixels(ch) !== missing;
    }
    return glyphs[ch];
  }
  function put(parent, text) {
    if (!EMOJI.test(text)) { parent.appendChild(document.createTextNode(text)); return parent; }
    text.split(EMOJI).forEach(function (part, i) {
      if (i % 2 === 0 || drawable(part)) {
        if (part) parent.appendChild(document.createTextNode(part));
        return;
      }
      var cp = el("span", "cp", "<U+" + part.codePointAt(0).toString(16).toUpperCase() + ">");
      cp.title = part;
      parent.appendChild(cp);
    });
    return parent;
  }

  // ------------------------------------------------------------ drawing
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function tags(parent, rules) {
    rules.forEach(function (r) {
      var t = el("span", review[r] ? "tag review" : "tag", r);
      t.title = r + ": " + (data.rules[r] || "") + (review[r] ? T.reviewTag : "");
      t.dataset.rule = r;
      parent.appendChild(t);
    });
  }
  data.files.forEach(function (f) {
    f.review = 0;
    for (var r in f.counts) if (review[r]) f.review += f.counts[r];
  });
  Object.keys(data.rules).sort().forEach(function (r) {
    var o = el("option", "", r + (review[r] ? " !" : ""));
    o.value = r;
    ruleFilter.appendChild(o);
  });

  // Which changes a filter selects: the others are dimmed in an opened file.
  function selects(rules) {
    var rule = ruleFilter.value;
    if (rule && rules.indexOf(rule) < 0) return false;
    return !reviewFilter.checked || rules.some(function (r) { return review[r]; });
  }

  function drawBody(file, body) {
    var filtering = ruleFilter.value || reviewFilter.checked;
    var grid = el("div", "diff");
    T.head.forEach(function (h, i) {
      grid.appendChild(el("div", "head" + (i === 2 ? " after" : i === 0 ? " no" : ""), h));
    });
    file.lines.forEach(function (ln) {
      if (ln.gap) { grid.appendChild(el("div", "gap", T.gap(ln.gap))); return; }
      var no = el("div", "no " + ln.s, String(ln.n));
      var before = el("div", "before " + ln.s), after = el("div", "after " + ln.s);
      if (ln.s === "kept") {
        put(before, ln.t); put(after, ln.t);
      } else {
        ln.seg.forEach(function (s) {
          // An unchanged stretch is sent once: [kind, text].
          var kind = s[0], b = s[1], a = s.length > 2 ? s[2] : s[1], rules = s[3] || [];
          if (kind === "same") { put(before, b); put(after, a); return; }
          var cls = !filtering ? "" : selects(rules) ? "focus" : "dim";
          if (rules.some(function (r) { return review[r]; })) cls += " review";
          var wrap = el("span", cls.trim()), wrapAfter = el("span", wrap.className);
          if (b) {
            var d = put(el("del", "rm"), b);
            d.dataset.rule = rules.join(" ");
            d.title = rules.join(", ") + T.removedBy;
            wrap.appendChild(d);
          }
          tags(wrap, rules);
          before.appendChild(wrap);
          if (a) {
            var i = put(el("ins", "add"), a);
            i.dataset.rule = rules.join(" ");
            wrapAfter.appendChild(i);
            after.appendChild(wrapAfter);
          }
        });
        if (ln.s === "dropped") after.appendChild(el("span", "gone", T.lineRemoved));
      }
      grid.appendChild(no); grid.appendChild(before); grid.appendChild(after);
    });
    body.appendChild(grid);
  }

  function row(file) {
    var d = el("details", "file " + file.status + (file.review ? " has-review" : ""));
    d.dataset.label = file.label;
    var s = el("summary");
    s.appendChild(put(el("span", "name"), file.label));
    if (file.status === "skipped") {
      s.appendChild(put(el("span", "note"), T.skipped(file.reason)));
    } else {
      s.appendChild(el("span", "badge", T.changes(file.changes)));
      if (file.review) s.appendChild(el("span", "badge review", T.toReview(file.review)));
      var rs = el("span", "rules");
      tags(rs, Object.keys(file.counts));
      s.appendChild(rs);
      file.notes.forEach(function (n) { s.appendChild(put(el("span", "note"), note(n))); });
    }
    d.appendChild(s);
    var body = el("div", "body");
    d.appendChild(body);
    d.addEventListener("toggle", function () {
      if (d.open && !body.firstChild) {
        if (file.lines.length) drawBody(file, body);
        else body.appendChild(put(el("p", "gone"), file.status === "skipped" ? file.reason
                                  : file.notes.map(note).join("; ") || T.noChange));
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
    more.textContent = T.more(shown.length - drawn);
  }

  // ------------------------------------------------------------ the filters, kept in the URL's hash
  function state() {
    var p = new URLSearchParams();
    if (ruleFilter.value) p.set("rule", ruleFilter.value);
    if (statusFilter.value !== "changed") p.set("status", statusFilter.value);
    if (reviewFilter.checked) p.set("review", "1");
    if (nameFilter.value.trim()) p.set("file", nameFilter.value.trim());
    if (hash.has("lang")) p.set("lang", lang);
    return p.toString();
  }
  function restore(p) {
    var rule = p.get("rule") || "", status = p.get("status") || "changed";
    ruleFilter.value = data.rules[rule] !== undefined ? rule : "";
    statusFilter.value = ["changed", "all", "unchanged", "skipped"].indexOf(status) >= 0 ? status : "changed";
    reviewFilter.checked = p.get("review") === "1";
    nameFilter.value = p.get("file") || "";
  }
  function remember() {
    var s = state();
    if (s === location.hash.slice(1)) return;
    var url = location.href.split("#")[0] + (s ? "#" + s : "");
    try { history.replaceState(null, "", url); } catch (e) { location.replace("#" + s); }
  }

  function apply() {
    var rule = ruleFilter.value, status = statusFilter.value, name = nameFilter.value.trim();
    var onlyReview = reviewFilter.checked;
    shown = data.files.filter(function (f) {
      if (status !== "all" && f.status !== status) return false;
      if (rule && !f.counts[rule]) return false;
      if (onlyReview && !f.review) return false;
      return !name || f.label.indexOf(name) >= 0;
    });
    list.textContent = "";
    drawn = 0;
    count.textContent = T.count(shown.length, data.files.length);
    document.querySelectorAll("button.rule").forEach(function (b) {
      b.classList.toggle("active", b.dataset.rule === rule);
    });
    $("review-jump").textContent = onlyReview ? T.reviewAll : T.reviewJump;
    remember();
    drawMore();
  }

  function translate() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    var title = $("title");
    if (!title.dataset.title) { title.textContent = T.title; document.title = T.title; }
    document.querySelectorAll("[data-t]").forEach(function (e) { e.textContent = T[e.dataset.t]; });
    document.querySelectorAll("[data-t-placeholder]").forEach(function (e) {
      e.placeholder = T[e.dataset.tPlaceholder];
    });
    document.querySelectorAll("td.fix").forEach(function (e) { e.textContent = T[e.dataset.fix]; });
    var switcher = $("lang-switch");
    switcher.textContent = T.other;
    switcher.lang = lang === "zh" ? "en" : "zh-CN";
    var t = { files: data.files.length, changed: 0, unchanged: 0, skipped: 0, changes: 0,
              rules: Object.keys(data.rules).length };
    var reviewed = 0, reviewFiles = 0;
    data.files.forEach(function (f) {
      t[f.status] += 1;
      t.changes += f.changes;
      reviewed += f.review;
      if (f.review) reviewFiles += 1;
    });
    $("totals").textContent = T.totals(t);
    $("review-summary").hidden = !reviewed;
    $("review-text").textContent = T.reviewSummary(reviewed, reviewFiles);
  }

  document.querySelectorAll("button.rule").forEach(function (b) {
    b.addEventListener("click", function () {
      ruleFilter.value = ruleFilter.value === b.dataset.rule ? "" : b.dataset.rule;
      apply();
      $("count").scrollIntoView();
    });
  });
  ruleFilter.addEventListener("change", apply);
  statusFilter.addEventListener("change", apply);
  reviewFilter.addEventListener("change", apply);
  nameFilter.addEventListener("input", apply);
  more.addEventListener("click", drawMore);
  $("review-jump").addEventListener("click", function () {
    reviewFilter.checked = !reviewFilter.checked;
    apply();
  });
  $("lang-switch").addEventListener("click", function () {
    lang = lang === "zh" ? "en" : "zh";
    T = TEXT[lang];
    hash.set("lang", lang);
    translate();
    apply();
  });
  $("expand").addEventListener("click", function () {
    list.querySelectorAll("details.file").forEach(function (d) { d.open = true; });
  });
  window.addEventListener("hashchange", function () {
    if (location.hash.slice(1) === state()) return;
    hash = new URLSearchParams(location.hash.slice(1));
    if (TEXT[hash.get("lang")] && hash.get("lang") !== lang) {
      lang = hash.get("lang");
      T = TEXT[lang];
      translate();
    }
    restore(hash);
    apply();
  });
  translate();
  restore(hash);
  apply();
  if (hash.has("open")) list.querySelectorAll("details.file").forEach(function (d) { d.open = true; });
})();
