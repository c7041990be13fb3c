
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
