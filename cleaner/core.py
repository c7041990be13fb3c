"""The pure core: text in, clean text and the list of changes out.

:func:`clean_text` splits the text into lines, runs every rule stage by stage
(see :data:`cleaner.rules.STAGES`), and assembles the output form. It never
touches files; decoding and writing live in :mod:`cleaner.fileio`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from itertools import pairwise

import re

import regex

from .changes import Change, CleanResult, DocumentInfo, Kind
from .guard import BodyIntegrityError, Removals, check_body
from .lines import Edit, Line, split_lines
from . import defaults
from .actions import ACTIONS, REMOVALS
from .defaults import ANONYMISE_MODES, Anonymise, placeholder_problem
from .rules import PLACEHOLDER, GatePlan, Rule, load_rules, search
from .speech import (CLAUSE_HAN, Span, edge_ends, han_count, han_covered, is_genre_talk,
                     is_paragraph, is_speech, leaves_speech, zones)
from .mojibake import DOCUMENT_CHECKS, REPAIRS
from .transforms import TRANSFORMS

_SPACE = re.compile(r"\s+")
_CLAUSE_MARK = re.compile("[。！？；]|(?:[，,]|……)\\s*$")


@dataclass(frozen=True)
class Options:
    """How to clean. Every field has the default of the default policy.

    placeholder: what anonymised tokens (``XX``, ``×××``, ``***`` …) become.
    anonymise: ``replace`` them with the placeholder, ``drop`` them, or ``keep`` them.
    blank_lines: put one blank line between paragraphs instead of none.
    guard: check the result with :func:`cleaner.guard.check_body` (raises
        :class:`~cleaner.guard.BodyIntegrityError` if body text was lost).
    timeout: seconds one pattern of a user rule may spend on one line before
        the rule is stopped with :class:`RuleTimeout` (a catastrophic regex);
        the default rules are tested on pathological input instead.
    preview: also run the rules whose ``status`` is ``preview`` (new rules
        still being measured); ``removed`` rules never run.
    safe_only: run only the rules whose fix is ``safe`` (pure form:
        punctuation, width, placeholders of unambiguous marks), none of the
        ``review`` ones that judge what is noise.
    log: keep a record of every change. Off, the result keeps only the
        warnings; the changes are counted per rule
        (:meth:`CleanResult.rule_counts`), the guard gets the input spans
        of the removals (:class:`cleaner.guard.Removals`), and the
        result's ``lines`` (for a review) are not kept, which saves most of
        the time and memory that a log costs. The clean text is the same.
    """

    placeholder: str = defaults.PLACEHOLDER
    anonymise: Anonymise = "replace"
    blank_lines: bool = False
    guard: bool = True
    timeout: float = defaults.TIMEOUT
    preview: bool = False
    safe_only: bool = False
    log: bool = True

    def __post_init__(self) -> None:
        """Refuse a value the engine would misuse deep inside (a number as the placeholder, "no" as true)."""
        if self.anonymise not in ANONYMISE_MODES:
            raise ValueError(f"anonymise must be one of {', '.join(ANONYMISE_MODES)}, "
                             f"not {self.anonymise!r}")
        if not isinstance(self.placeholder, str):
            raise TypeError(f"placeholder must be a str, not {type(self.placeholder).__name__}")
        problem = placeholder_problem(self.placeholder)
        if problem is not None:
            raise ValueError(f"placeholder {self.placeholder!r} {problem}")
        for name in _FLAGS:
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, not {getattr(self, name)!r}")
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, (int, float)) or not self.timeout > 0:
            raise ValueError(f"timeout must be a number of seconds above 0, not {self.timeout!r}")


_FLAGS = tuple(f.name for f in fields(Options) if f.type == "bool")  # the options that are True or False


class RuleTimeout(Exception):
    """A rule's pattern ran past the time limit on one line."""

    def __init__(self, rule: str, line: int, seconds: float) -> None:
        self.rule = rule
        self.line = line  # 0: while its prefilter scanned the whole document
        where = f"on line {line}" if line else "scanning the document (its prefilter)"
        super().__init__(f"rule {rule} took longer than {seconds:g} s {where} "
                         "(a catastrophic regular expression?)")


@lru_cache(maxsize=1)
def default_rules() -> tuple[Rule, ...]:
    """The default rule set, loaded once per process."""
    return tuple(load_rules())


def clean_text(text: str, rules: list[Rule] | tuple[Rule, ...] | None = None, *,
               options: Options | None = None, **settings: object) -> CleanResult:
    """Clean one document.

    ``rules`` defaults to the default rule set; ``options`` (or the same
    fields as keyword arguments) choose the placeholder policy and the output
    form. Returns the clean text, every change made (in the order made) and
    the document-level facts.

    >>> r = clean_text("更新时间:2022-10 来源:网友投稿\\nXX同志:大家好!\\n")
    >>> r.text
    '××同志：大家好！\\n'
    >>> [c.rule for c in r.changes]
    ['FN001', 'AN001', 'PU002', 'PU002']
    """
    if not isinstance(text, str):
        raise TypeError(f"clean_text takes the text as a str, not {type(text).__name__}"
                        + ("; for bytes, use cleaner.clean_bytes (it detects the encoding)"
                           if isinstance(text, (bytes, bytearray)) else ""))
    opts = options or Options()
    if settings:
        unknown = sorted(set(settings) - {f.name for f in fields(Options)})
        if unknown:
            raise TypeError(f"clean_text got unknown option(s) {', '.join(unknown)}; the options are "
                            f"{', '.join(f.name for f in fields(Options))}")
        opts = replace(opts, **settings)  # type: ignore[arg-type]
    doc = _Document(text, opts)
    for rule in default_rules() if rules is None else rules:
        doc.run(rule)
    result = doc.result()
    removals = None if opts.log else doc.removals
    del doc  # its lines, maps and caches: a long document's guard runs without them
    # Nothing recorded and the input given back as it came: the guard could only
    # compare the text with itself (a clean document, on a rerun or from a corpus).
    if opts.guard and (result.changes or (removals is not None and removals.spans) or result.text != text):
        try:
            check_body(text, result.text, result.changes, removals)
        except BodyIntegrityError:
            if not opts.log:  # the error names the change that lost text: run again with every change logged
                return clean_text(text, rules, options=replace(opts, log=True))
            raise
    return result


class _Document:
    """The lines of one document while the rules run, and what they did."""

    def __init__(self, text: str, options: Options) -> None:
        parts = split_lines(text)
        self.lines = [Line(i + 1, s) for i, s in enumerate(parts)]
        self.options = options
        self.changes: list[Change] = []
        # Without a log, the changes that remove nothing are only counted (see Options.log).
        self._counts: Counter[str] | None = None if options.log else Counter()
        self.removals = Removals()  # without a log: what the guard reads of the removals
        self.info = DocumentInfo()
        self._line = 0  # the line a rule is working on, for RuleTimeout
        self._input_nonblank = any(s.strip() for s in parts)
        self._joined: str | None = None  # the lines as one text, for rule gates
        # Every character the lines may hold: the input's, and each logged change's
        # new text (an edit only brings in what it writes). A literal with a character
        # outside it cannot be there, and its gate scan is skipped.
        self._chars = set(text)
        self._chars.add("\n")  # the gates scan the lines joined by line breaks
        # What _matches found, by rule and text: the same line is asked about
        # again (duplicate lines, the warning for a long line, edge pieces).
        self._known: dict[tuple[int, str], bool] = {}
        # Facts about a line's text that many rules ask for, by text.
        self._paragraphs: dict[str, bool] = {}
        self._ends: dict[str, list[int]] = {}

    def _edited(self) -> None:
        """Forget the joined text: call after any line was changed or dropped."""
        self._joined = None

    def _joined_text(self) -> str:
        """The current lines as one text, with a line break before and after each."""
        if self._joined is None:
            self._joined = "\n".join(["", *[ln.text for ln in self.lines], ""])  # one copy, not three
        return self._joined

    def _is_paragraph(self, text: str) -> bool:
        """:func:`cleaner.speech.is_paragraph`, once per text: every rule that leads asks it of the head."""
        known = self._paragraphs.get(text)
        if known is None:
            known = self._paragraphs[text] = is_paragraph(text)
        return known

    def _edge_ends(self, text: str) -> list[int]:
        """:func:`cleaner.speech.edge_ends`, once per text: _drop_line and _settle both need them."""
        known = self._ends.get(text)
        if known is None:
            known = self._ends[text] = edge_ends(text)
        return known

    def _misses(self, gate: GatePlan) -> bool:
        """Can no scan of this gate hit the document? Each hit starts with one of the gate's
        first characters, and the document holds none of them: one set operation, no scan.
        (False for an empty gate, which takes every line.)"""
        plan, anywhere = gate
        return bool(plan) and anywhere is not None and self._chars.isdisjoint(anywhere)

    def _candidates(self, rule: Rule) -> list[Line]:
        """The lines the rule could change, found by scans of the whole document.

        The rule's gate (its ``requires`` literals and ``prefilter``) runs over
        the joined text (see :meth:`Rule.gate`); every line with a hit is a
        candidate, and each scan goes on from the next line. Without a gate,
        every line is one.
        """
        gate = rule.matcher.gate_plan(self.options.placeholder)
        plan = gate[0]
        if not plan:
            return self.lines
        if not self.lines or self._misses(gate):
            return []
        chars = self._chars
        doc = ""
        hits: list[int] = []  # where a hit starts, at most one per line and scanner
        for scan, firsts in plan:
            if firsts is not None and chars.isdisjoint(firsts):
                continue  # no hit can start in this document: a set operation, not a scan
            doc = doc or self._joined_text()
            if isinstance(scan, str):
                if scan[-1] not in chars:
                    continue  # not in the document either
                pos = doc.find(scan)
                while pos >= 0:
                    hits.append(pos)
                    pos = doc.find("\n", pos + 1)  # on from the break before the next line
                    pos = doc.find(scan, pos) if pos >= 0 else -1
            else:
                pos = 0
                while (m := search(scan, doc, pos, self._timeout(rule))) is not None:
                    hits.append(m.start())
                    pos = doc.find("\n", m.start() + 1)
                    if pos < 0:
                        break
        if not hits:
            return []
        # A hit at position p is on the line after the last break at or before p.
        hits.sort()
        found: list[Line] = []
        last = len(self.lines) - 1
        breaks = counted_to = 0
        index = -1
        for pos in hits:
            breaks += doc.count("\n", counted_to, pos + 1)
            counted_to = pos + 1
            if breaks - 1 != index:
                index = breaks - 1
                if index > last:
                    break
                found.append(self.lines[index])
        return found

    # ------------------------------------------------------------ dispatch

    def run(self, rule: Rule) -> None:
        opts = self.options
        if opts.anonymise == "keep" and rule.uses_placeholder:
            return
        if rule.status != "stable" and (rule.status == "removed"
                                        or (rule.status == "preview" and not opts.preview)):
            return
        if opts.safe_only and rule.safety != "safe":
            return
        if rule.action in _BY_GATE and self._misses(rule.matcher.gate_plan(opts.placeholder)):
            return  # the action works on its gate's lines, and the gate can find none here
        self._line = 0
        try:
            _HANDLERS[rule.action](self, rule)
        except TimeoutError:
            raise RuleTimeout(rule.id, self._line, self.options.timeout) from None

    def result(self) -> CleanResult:
        sep = "\n\n" if self.options.blank_lines else "\n"
        texts = [ln.text for ln in self.lines]
        if texts:  # the final break joined in, not added to a copy of a long text
            texts[-1] += "\n"
        text = sep.join(texts)
        if not text and self._input_nonblank:
            self.info.empty_reason = "every line was removed as noise"
        # The map of output lines to input lines is for a review (a diff, the report), which reads the log.
        lines = [(ln.number, ln.text) for ln in self.lines] if self.options.log else []
        return CleanResult(text, self.changes, self.info, lines, counts=self._counts)

    # ------------------------------------------------------------ helpers

    def _record(self, rule: Rule, line: Line, pos: int, before: str, after: str,
                kind: Kind = "change", message: str = "", action: str | None = None,
                noise: Span | None = None) -> None:
        """Log a change of the current text ``[pos, pos + len(before))`` of ``line``."""
        if after:
            self._chars.update(after)
        if self._counts is not None and kind == "change":  # no log: counted, and only what the guard reads kept
            self._counts[rule.id] += 1
            done = action or rule.action
            if done in REMOVALS and self.options.guard:
                self.removals.add(done, line.number, line.column(pos) + 1, self._end_column(line, pos, before) + 1,
                                  before, noise)
            return
        end_column = self._end_column(line, pos, before)
        self.changes.append(Change(rule.id, action or rule.action, line.number,
                                   line.column(pos) + 1, before, after, kind, message,
                                   end_column + 1, noise,
                                   review=kind == "change" and rule.safety == "review"))

    @staticmethod
    def _end_column(line: Line, pos: int, before: str) -> int:
        """The input column (0-based) where the current text ``[pos, pos + len(before))`` of ``line`` ends."""
        end = pos + len(before)
        return line.original_length if end >= len(line.text) else line.column(end)

    def _patterns(self, rule: Rule) -> list[regex.Pattern[str]]:
        return rule.matcher.patterns_for(self.options.placeholder)

    def _timeout(self, rule: Rule) -> float | None:
        """The time limit for a rule's patterns: user rules only (it costs a clock read per call)."""
        return None if rule.builtin else self.options.timeout

    def _matches(self, rule: Rule, text: str, candidate: bool = False) -> bool:
        """Does a pattern of the rule match ``text`` (and no exclude)?

        ``candidate``: the line came from :meth:`_candidates`, so the literal
        pre-check (a speed-up only, implied by the patterns) already holds.
        """
        if not candidate and not rule.may_match(text, self.options.placeholder,
                                                self._timeout(rule)):
            return False
        key = (id(rule), text)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = self._pattern_matches(rule, text)
        return known

    def _pattern_matches(self, rule: Rule, text: str) -> bool:
        """:meth:`_matches` without the literal pre-check, which the caller has done.

        The patterns are tried one by one. Alone, the regex engine rejects
        most of them at once (a literal they need is missing); joined into one
        alternation it cannot, and ED004's six took 3x as long joined (on
        the lines and pieces the wild pages ask about, 221 ms against 114 ms
        for all rules).
        """
        t = self._timeout(rule)
        found = any(p.search(text, timeout=t) for p in self._patterns(rule))
        return found and not (rule.exclude and rule.excluded(text, t))

    def _drop(self, rule: Rule, doomed: list[Line], action: str | None = None,
              message: str = "") -> None:
        """Drop whole lines that are noise from end to end (a repeated title, a preamble)."""
        ids = {id(ln) for ln in doomed}
        for ln in doomed:
            self._record(rule, ln, 0, ln.text, "", action=action, noise=(0, len(ln.text)),
                         message=message)
        self.lines = [ln for ln in self.lines if id(ln) not in ids]
        self._edited()

    def _remove_lines(self, rule: Rule, lines: list[Line], whole: bool = True,
                      why: dict[int, str] | None = None) -> None:
        """Remove what the rule recognises in ``lines``, never the speech that shares a line.

        Every line-dropping action comes through here (see :meth:`_settle`):
        a line goes whole only if nothing outside the noise is a speech
        clause; a site's sentence at the edge of speech is cut off alone; a
        line whose noise cannot be told apart from its speech is kept with a
        warning. ``whole`` is false for lines the rule's patterns do not
        match as a whole (or that are longer than its ``max_line_length``):
        only their edges are tried. This holds for every rule, default or user.
        """
        doomed: list[Line] = []
        head = self._head_lines(lines) if rule.leads else set()
        tail = self._tail_lines(lines) if rule.trails else set()
        for ln in lines:
            self._line = ln.number
            verdict, spans = self._settle(rule, ln.text, whole, id(ln) in head, id(ln) in tail)
            if verdict == "drop":
                self._mark_truncated_in(rule, ln.text)
                self._record(rule, ln, 0, ln.text, "", noise=spans[0],
                             message=(why or {}).get(id(ln), ""))
                doomed.append(ln)
            elif verdict == "cut":
                for start, end in spans:
                    self._mark_truncated_in(rule, ln.text[start:end])
                    self._record(rule, ln, start, ln.text[start:end], "", noise=(0, end - start),
                                 message="only the site's words: the rest of the line is speech")
                ln.apply([(start, end, "") for start, end in spans])
                self._edited()
            elif whole:
                self._record(rule, ln, 0, ln.text, ln.text, kind="warning",
                             message="looks like noise, but shares the line with speech that "
                             "the rule's match does not separate; kept")
            elif (rule.max_line_length is not None and len(ln.text) <= 10 * rule.max_line_length
                  and self._matches(rule, ln.text)):
                self._record(rule, ln, 0, ln.text, ln.text, kind="warning",
                             message=f"looks like noise but is longer than "
                             f"{rule.max_line_length} characters; kept")
        if doomed:
            ids = {id(ln) for ln in doomed}
            self.lines = [ln for ln in self.lines if id(ln) not in ids]
            self._edited()

    def _mark_truncated_in(self, rule: Rule, text: str) -> None:
        """Record the hidden-text counts of a truncation notice that is being removed."""
        if not rule.truncation:
            return
        for p in self._patterns(rule):
            m = p.search(text, timeout=self._timeout(rule))
            if m:
                self._mark_truncated(rule, m)
                return

    def _head_lines(self, lines: list[Line]) -> set[int]:
        """Those of ``lines`` with no paragraph of speech above them in the document (by id)."""
        return self._outside_body(lines, self.lines)

    def _tail_lines(self, lines: list[Line]) -> set[int]:
        """Those of ``lines`` with no paragraph of speech below them in the document (by id)."""
        return self._outside_body(lines, reversed(self.lines))

    def _outside_body(self, lines: list[Line], walk: Iterable[Line]) -> set[int]:
        """Those of ``lines`` met in ``walk`` (the document from one end) up to its first paragraph."""
        wanted = {id(ln) for ln in lines}
        found: set[int] = set()
        for ln in walk:
            if id(ln) in wanted:
                found.add(id(ln))
            if self._is_paragraph(ln.text):
                break
        return found

    def _settle(self, rule: Rule, text: str, whole: bool = True,
                head: bool = False, tail: bool = False) -> tuple[str, list[Span]]:
        """Decide how much of a line is the rule's noise.

        ``("drop", [noise])``: the rule matches the line (``whole``) and
        nothing outside ``noise`` is a speech clause (see
        :func:`cleaner.speech.leaves_speech`), so the whole line goes.
        ``("cut", spans)``: the rule matches pieces at the start or the end of
        the line (a site's sentence before ``同志们：`` or after ``谢谢大家！``)
        and the rest is speech; only the spans go. ``("keep", [])``: the noise
        cannot be told from the speech (a long piece, or a rule that names a
        piece in the middle), or there is none. A short line that the rule
        matches only as a whole is one unit of noise and goes
        (:meth:`_one_unit`). ``head``: no paragraph of speech stands above the
        line, so a rule that ``leads`` (a lead-in that points to the text
        below) may take the sentences before its own, and its match, when it
        ends a sentence, is cut with them. ``tail``: no paragraph of speech
        stands below the line, so a rule that ``trails`` (a label that opens
        the site's commentary on the text above) may take the sentences after
        its label, when the label opens the line and what follows its first
        sentence is short (at most ``CLAUSE_HAN`` Han characters) and neither
        opens nor closes a speech (:func:`cleaner.speech.is_genre_talk`).
        """
        ends = self._edge_ends(text)
        if whole:
            t = self._timeout(rule)
            spans = [m.span() for p in self._patterns(rule) for m in p.finditer(text, timeout=t)
                     if m.end() > m.start()]
            leads = head and rule.leads
            # a commentary's label opens the line, and what follows its first sentence is no
            # longer than one clause of the site's and neither opens nor closes a speech
            trails = (tail and rule.trails and any(not text[:a].strip() for a, _ in spans)
                      and han_count(text[ends[0]:]) <= CLAUSE_HAN and is_genre_talk(text[ends[0]:]))
            if not leaves_speech(text, spans, across=(leads and is_genre_talk(text)) or trails):
                if len(ends) == 1 or not spans:  # the clause is the site's
                    return "drop", [(0, len(text))]
                return "drop", [(min(a for a, _ in spans), max(b for _, b in spans))]
            if leads:
                # a lead-in names its own span: from the line's start to the end of its sentence
                lead = max((b for a, b in spans if not text[:a].strip()), default=0)
                if lead in ends[:-1] and is_speech(text[lead:]) and is_genre_talk(text[:lead]):
                    return "cut", [(0, lead)]
        cuts: list[Span] = []
        lo, hi = 0, len(text)
        while lo < hi:
            inner = [e for e in ends if lo < e < hi]
            cut = self._edge_piece(rule, text, lo, hi, inner)
            if cut is None:
                break
            cuts.append(cut)
            lo, hi = (cut[1], hi) if cut[0] == lo else (lo, cut[0])
        if not cuts:
            if whole and self._one_unit(rule, text, ends):
                return "drop", [(0, len(text))]
            return "keep", []
        if lo >= hi:
            return "drop", [(0, len(text))]
        return "cut", sorted(cuts)

    def _one_unit(self, rule: Rule, text: str, ends: list[int]) -> bool:
        """Does the rule see the line only as a whole, and is it short enough to be one unit of noise?

        An ad such as ``公文高手，超级方便的写作神器！立即了解`` has a sentence end
        inside, yet the rule matches none of its pieces alone: the line is one
        piece of the site's, like a one-piece line (at most ``CLAUSE_HAN`` Han
        characters). A rule that matches some piece alone names that piece as
        its noise, and the rest of the line is not its to take.
        """
        if han_count(text) > CLAUSE_HAN:
            return False
        starts = [0, *ends[:-1]]
        return not any(self._matches(rule, text[a:b].strip()) for a, b in zip(starts, ends, strict=True))

    def _edge_piece(self, rule: Rule, text: str, lo: int, hi: int,
                    inner: list[int]) -> Span | None:
        """The fewest pieces at the start, else at the end, of ``text[lo:hi]`` that the rule matches.

        When what is left beside them is no speech clause, the whole of
        ``[lo, hi)`` is returned: it is all the site's; so it is when one
        piece is left and the rule matches it alone. A run of pieces is
        taken only if the rule needs its outermost piece (a marker in the
        second sentence does not take the first one with it). Runs longer
        than the rule's ``max_line_length``, or with a piece of more than
        ``CLAUSE_HAN`` Han characters (a speech glued on without a break), are
        not tried.
        """
        limit = rule.max_line_length
        if not inner:  # one piece is left: the site's too if the rule matches it alone
            short = han_count(text[lo:hi]) <= CLAUSE_HAN and (limit is None or hi - lo <= limit)
            return (lo, hi) if short and self._matches(rule, text[lo:hi].strip()) else None
        prev = lo
        for i, e in enumerate(inner):
            if (limit is not None and e - lo > limit) or han_count(text[prev:e]) > CLAUSE_HAN:
                break  # too long for the rule, or a piece too long to be one clause of noise
            if self._matches(rule, text[lo:e].strip()):
                if i and self._matches(rule, text[inner[0]:e].strip()):
                    break  # the rule does not need the first piece: it is not the site's
                return (lo, hi) if not is_speech(text[e:hi]) else (lo, e)
            prev = e
        after = hi
        for i, s in enumerate(reversed(inner)):
            if (limit is not None and hi - s > limit) or han_count(text[s:after]) > CLAUSE_HAN:
                break
            if self._matches(rule, text[s:hi].strip()):
                if i and self._matches(rule, text[s:inner[-1]].strip()):
                    break  # nor the last one
                return (lo, hi) if not is_speech(text[lo:s]) else (s, hi)
            after = s
        return None

    def _nonblank(self) -> list[Line]:
        return [ln for ln in self.lines if ln.text.strip()]

    def _mark_truncated(self, rule: Rule, m: regex.Match[str]) -> None:
        if not rule.truncation:
            return
        self.info.truncated = True
        groups = m.groupdict()
        hidden: int | None = None
        if groups.get("hidden"):
            hidden = _to_int(groups["hidden"])
        elif groups.get("total") and groups.get("shown"):
            total, shown = _to_int(groups["total"]), _to_int(groups["shown"])
            if total is not None and shown is not None and total >= shown:
                hidden = total - shown
        if hidden is not None:
            self.info.hidden_chars = (self.info.hidden_chars or 0) + hidden

    # ------------------------------------------------------------ actions

    def _drop_line(self, rule: Rule) -> None:
        matched: list[Line] = []
        edged: list[Line] = []
        limit = rule.max_line_length
        candidates = self._candidates(rule)
        if not candidates:
            return  # most rules on most pages: nothing to try, and no head lines to find
        if rule.zone == "head":  # only where no paragraph of speech stands above
            head = self._head_lines(candidates)
            candidates = [ln for ln in candidates if id(ln) in head]
        elif rule.zone == "tail":  # only where no paragraph of speech stands below
            tail = self._tail_lines(candidates)
            candidates = [ln for ln in candidates if id(ln) in tail]
        for ln in candidates:
            self._line = ln.number
            if limit is not None and len(ln.text) > 10 * limit:
                edged.append(ln)  # far too long to be this kind of noise, but its edges may be
            elif self._matches(rule, ln.text, candidate=True):
                if limit is not None and len(ln.text.strip()) > limit:
                    edged.append(ln)
                else:
                    matched.append(ln)
            elif len(self._edge_ends(ln.text)) > 1:
                edged.append(ln)
        self._remove_lines(rule, matched)
        self._remove_lines(rule, edged, whole=False)

    def _score_line(self, rule: Rule) -> None:
        """Drop short lines outside the speech body that the rule's vocabulary covers.

        The body runs from the first to the last paragraph of speech (see
        :func:`cleaner.speech.zones`); only lines before or after it are
        judged, and only those that end no clause (no ``。！？；``, no final
        comma or ``……``), no longer than the rule's
        ``max_line_length``. A line goes when the rule's patterns (words only
        a web page's interface uses) and its ``filler`` (dates, counts,
        separators) cover at least ``coverage`` of its Han characters, and
        the patterns hit at least once.
        """
        body = zones([ln.text for ln in self.lines], self._is_paragraph)
        if body is None:
            return
        first, last = body
        limit = rule.max_line_length
        t = self._timeout(rule)
        picked: list[Line] = []
        why: dict[int, str] = {}
        for i, ln in enumerate(self.lines):
            if first <= i <= last:
                continue
            text = ln.text
            if (not text.strip() or (limit is not None and len(text.strip()) > limit)
                    or _CLAUSE_MARK.search(text) or (rule.exclude and rule.excluded(text, t))):
                continue
            self._line = ln.number
            words = [m.span() for p in self._patterns(rule) for m in p.finditer(text, timeout=t)
                     if m.end() > m.start()]
            if not words:
                continue
            spans = words + [m.span() for p in rule.compiled_filler
                             for m in p.finditer(text, timeout=t)]
            share = han_covered(text, spans)
            if share >= rule.coverage:
                picked.append(ln)
                zone = "before the first" if i < first else "after the last"
                why[id(ln)] = (f"interface words cover {share:.0%} of a short line {zone} "
                               "paragraph of speech")
        self._remove_lines(rule, picked, why=why)

    def _delete(self, rule: Rule) -> None:
        self._substitute(rule, lambda m: "")

    def _replace(self, rule: Rule) -> None:
        if rule.transform is not None:
            fn = TRANSFORMS[rule.transform]
            self._substitute(rule, lambda m: fn(m.group()))
            return
        template = rule.replacement or ""
        if rule.uses_placeholder:
            value = "" if self.options.anonymise == "drop" else self.options.placeholder
            template = template.replace(PLACEHOLDER, value.replace("\\", "\\\\"))
        self._substitute(rule, lambda m: m.expand(template))

    def _substitute(self, rule: Rule, make: Callable[[regex.Match[str]], str]) -> None:
        emptied = []
        for ln in self._candidates(rule):
            self._line = ln.number
            if not ln.text:
                continue
            edits = self._edits(rule, ln, make)
            if not edits:
                continue
            had_text = bool(ln.text.strip())
            ln.apply(edits)
            self._edited()
            if had_text and not ln.text.strip():
                emptied.append(ln)
        if emptied:
            ids = {id(ln) for ln in emptied}
            self.lines = [ln for ln in self.lines if id(ln) not in ids]
            self._edited()

    def _edits(self, rule: Rule, ln: Line, make: Callable[[regex.Match[str]], str]) -> list[Edit]:
        """Edit and log every match of the rule's patterns on the line (none if an exclude matches).

        The line is a candidate (see :meth:`_candidates`), so the patterns are
        tried straight away: a line that matches is scanned once, not first
        searched and then scanned again.
        """
        matches: list[regex.Match[str]] = []
        for p in self._patterns(rule):
            matches.extend(m for m in p.finditer(ln.text, timeout=self._timeout(rule))
                           if m.end() > m.start())
        if not matches or (rule.exclude and rule.excluded(ln.text, self._timeout(rule))):
            return []
        if len(matches) > 1:
            matches.sort(key=lambda m: (m.start(), -m.end()))
        edits: list[Edit] = []
        end = -1
        for m in matches:
            if m.start() < end:
                continue  # overlaps an earlier match of another pattern
            after = make(m)
            end = m.end()
            if after == m.group():
                continue
            edits.append((m.start(), m.end(), after))
            self._record(rule, ln, m.start(), m.group(), after)
            self._mark_truncated(rule, m)
        return edits

    def _drop_block(self, rule: Rule) -> None:
        seq = self._nonblank()
        if rule.anchor == "foot":
            seq.reverse()
        seq = seq[: rule.window]
        members, last, gap = 0, -1, 0
        limit = rule.max_line_length
        t = self._timeout(rule)
        for i, ln in enumerate(seq):
            self._line = ln.number
            if (limit is None or len(ln.text) <= limit) and self._matches(rule, ln.text):
                members, last, gap = members + 1, i, 0
            elif (last >= 0 and len(ln.text.strip()) <= rule.gap_max_length
                  and not any(p.search(ln.text, timeout=t) for p in rule.compiled_gap_stop)):
                gap += 1
                if gap > rule.gap_max:
                    break
            else:
                break
        if last < 0 or members < rule.min_members:
            return
        block = seq[: last + 1]
        if rule.anchor == "foot":
            block.reverse()
        self._remove_lines(rule, block)

    def _drop_preamble(self, rule: Rule) -> None:
        """Drop the site's prose between a collection's title and the heading of its first piece.

        A page of several texts (``…发言稿（通用6篇）``) puts the site's genre
        talk under its title and before ``篇1``, ``第一篇`` or the title's own
        words numbered 1 (``教师节发言稿1``); the first piece begins at that
        heading, so nothing between is speech. The rule's ``patterns`` find the
        heading among the first ``window`` lines (a ``name`` group, when it
        matched, must be part of the title); ``after`` finds the title above
        it. Only paragraphs (sentences of prose) between them go. A line that
        opens a speech (``gap_stop``: a salutation) means the page is not laid
        out so, and nothing goes; more than ``_PREAMBLE_MAX`` paragraphs, or one
        longer than ``max_line_length``, are kept with a warning.
        """
        seq = self._nonblank()[: rule.window]
        t = self._timeout(rule)
        for first, ln in enumerate(seq):
            self._line = ln.number
            heading = self._heading(rule, ln.text)
            if heading is None:
                continue
            name = _SPACE.sub("", heading)
            title = next((i for i in range(first) if (not name or name in _SPACE.sub("", seq[i].text))
                          and any(p.search(seq[i].text, timeout=t) for p in rule.compiled_after)),
                         None)
            if title is not None:
                break
        else:
            return
        between = seq[title + 1: first]
        if any(p.search(b.text, timeout=t) for b in between for p in rule.compiled_gap_stop):
            return  # a speech opens before the heading: not a collection's preamble
        doomed = [b for b in between if self._is_paragraph(b.text)]
        limit = rule.max_line_length
        if len(doomed) > _PREAMBLE_MAX or any(limit is not None and len(b.text) > limit
                                               for b in doomed):
            for b in doomed:
                self._line = b.number
                self._record(rule, b, 0, b.text, b.text, kind="warning",
                             message="looks like a collection's preamble, but is longer than "
                             "a site's lead-in; kept")
            return
        self._drop(rule, doomed, message=f"the site's preamble between the collection's title "
                   f"(line {seq[title].number}) and its first piece (line {seq[first].number})")

    def _heading(self, rule: Rule, text: str) -> str | None:
        """The words a first piece's heading names (``""`` for ``第1篇``), or None if it is none."""
        for p in self._patterns(rule):
            m = p.search(text, timeout=self._timeout(rule))
            if m is None or rule.excluded(text, self._timeout(rule)):
                continue
            name = m.groupdict().get("name") or ""
            if name and len(_SPACE.sub("", name)) < _HEADING_NAME_MIN:
                continue
            return name
        return None

    def _page_numbers(self, rule: Rule) -> None:
        """Delete the numbers a document-preview site puts before each page of the text.

        Such a site flattens each page of a document into one line and numbers
        the lines: ``1、文化宣传中心主任竞职演讲稿 各位领导…``, ``2、了走路，才去做…``
        (the page breaks off mid-word). The rule's patterns find the number (a
        group ``n``); the engine deletes the numbers only where they run
        1, 2, 3… over consecutive lines (at least ``min_members``) that are
        pages: each but the last at least ``_PAGE_MIN`` characters long, and
        within ``_PAGE_SPREAD`` of each other's length. A speech's own numbered
        paragraphs differ in length, and stay.
        """
        seq = self._nonblank()
        found = [self._page_number(rule, ln) for ln in seq]
        numbers = [f[0] if f else 0 for f in found]
        i = 0
        while i < len(seq):
            if numbers[i] != 1:
                i += 1
                continue
            j = i + 1
            while j < len(seq) and numbers[j] == j - i + 1:
                j += 1
            run = seq[i:j]
            if j - i >= rule.min_members and _are_pages([ln.text for ln in run]):
                for ln, number in zip(run, found[i:j], strict=True):
                    self._line = ln.number
                    start, end = number[1] if number else (0, 0)
                    self._record(rule, ln, start, ln.text[start:end], "",
                                 message=f"a preview page's number: pages 1–{j - i} of equal length")
                    ln.apply([(start, end, "")])
                self._edited()
            i = j

    def _page_number(self, rule: Rule, ln: Line) -> tuple[int, Span] | None:
        """The number a rule's pattern finds on a line (its ``n`` group) and the span to delete."""
        for p in self._patterns(rule):
            m = p.search(ln.text, timeout=self._timeout(rule))
            if m is not None and m.groupdict().get("n"):
                number = _to_int(m.group("n"))
                if number is not None:
                    return number, m.span()
        return None

    def _drop_repeated_title(self, rule: Rule) -> None:
        """Drop the copies of a page's title and a site's summary that repeats the text.

        - a copy of the title among the next ``rule.window`` lines, and any further
          copies that follow those one after another;
        - a copy of a collection title (``…（通用17篇）``, ``…15篇``, ``…范文``) anywhere below it,
          also when the title is the second line (under the site's name or a breadcrumb);
        - the second of two identical collection headings in a row;
        - a summary line below the title that repeats the start of the text after it:
          with a site's label (``导读``, ``【摘要】：``) when its first 20 characters do,
          without one only when it ends in an ellipsis and the text after it holds all of it.
        """
        seq = self._nonblank()
        if len(seq) < 2:
            return
        flat = [_SPACE.sub("", ln.text) for ln in seq]
        doomed: set[int] = set()
        title = flat[0]
        if len(title) >= 2:
            anywhere = _is_collection_heading(title)
            kept = 0  # lines kept below the title: where a copy stands once the copies above it are gone
            for i in range(1, len(seq)):
                if flat[i] == title and (kept < rule.window or anywhere or i - 1 in doomed):
                    doomed.add(i)
                else:
                    kept += 1
        # The other checks see the lines as a second run would, without the copies:
        # what one run leaves, the next run leaves too.
        rest = [i for i in range(len(seq)) if i not in doomed]
        if len(rest) > 2 and _is_collection_heading(flat[rest[1]]) and flat[rest[1]] != title:
            # the collection title under a line of the site's own (its name, a breadcrumb)
            doomed.update(i for i in rest[2:] if flat[i] == flat[rest[1]])
        for a, b in pairwise(rest):
            if flat[b] == flat[a] and _is_collection_heading(flat[b]):
                doomed.add(b)
        rest = [i for i in range(len(seq)) if i not in doomed]
        for k in range(1, min(len(rest) - 1, _SUMMARY_WINDOW + 1)):
            following = [flat[i] for i in rest[k + 1: k + 1 + _SUMMARY_WINDOW]]
            if _repeats_next(flat[rest[k]], following):
                doomed.add(rest[k])
        if doomed:
            self._drop(rule, [seq[i] for i in sorted(doomed)])

    def _fix_mojibake(self, rule: Rule) -> None:
        """Repair lines; once one line is repaired, retry the others with relaxed evidence."""
        transform = rule.transform or "ftfy"
        repair = REPAIRS[transform]
        check = DOCUMENT_CHECKS.get(transform)
        if check is not None and not check(self._joined_text()):
            return
        tried = self._matching(rule, self._candidates(rule), candidate=True)
        relaxed = False
        for attempt in (False, True):
            if attempt and not relaxed:
                break
            for ln in tried:
                edits = repair(ln.text, attempt)
                for start, end, fixed in edits:
                    self._record(rule, ln, start, ln.text[start:end], fixed)
                if edits:
                    ln.apply(edits)
                    self._edited()
                    relaxed = self.info.mojibake_repaired = True
            tried = self._matching(rule, tried)

    def _matching(self, rule: Rule, lines: list[Line], candidate: bool = False) -> list[Line]:
        """Those of ``lines`` that the rule matches (see :meth:`_matches`), each named if it times out."""
        found = []
        for ln in lines:
            self._line = ln.number
            if self._matches(rule, ln.text, candidate):
                found.append(ln)
        return found

    def _warn(self, rule: Rule) -> None:
        t = self._timeout(rule)
        for ln in self._candidates(rule):
            self._line = ln.number
            if rule.excluded(ln.text, t):
                continue
            for p in self._patterns(rule):
                for m in p.finditer(ln.text, timeout=t):
                    self._record(rule, ln, m.start(), m.group(), m.group(), kind="warning",
                                 message=rule.summary)
                    if rule.damage:
                        self.info.damaged = True


# A page or collection title: a count of pieces (（通用17篇）, 15篇, 篇1), a collection
# word, or a bracketed tail; short and without a full stop, so never a paragraph.
# The handler of each action in cleaner.actions.ACTIONS: the method of the same name.
_HANDLERS: dict[str, Callable[[_Document, Rule], None]] = {
    name: getattr(_Document, "_" + name) for name in ACTIONS}
_BY_GATE = frozenset(name for name, action in ACTIONS.items() if action.by_gate)

_COLLECTION = regex.compile(r"\d+篇|篇\d|[范範]文|精[选選]|大全|集[锦錦]|合集|[汇彙][编編总總]|通用|（[^（）]{1,30}）$")
# A site's label before its summary of the text: 导读, 【摘要】：, 内容简介: …
_SUMMARY_LABEL = regex.compile(
    r"^[【\[]?(?:摘要|[导導][读讀语語]|内容(?:摘要|简介|提要|概要)|內容(?:摘要|簡介|提要|概要)|[简簡]介)[】\]]?[:：|]?\|?")
_SUMMARY_WINDOW = 8
_PAGE_MIN = 200  # a preview site's page, flattened to a line, holds several hundred characters
_PAGE_SPREAD = 0.15  # and its pages are cut to one size
_ENDS_SENTENCE = frozenset("。！？!?…；;”’」』）)")  # a line that ends so was not cut by a page's size
_PREAMBLE_MAX = 3  # a site's lead-in under a collection's title is one to three paragraphs
_HEADING_NAME_MIN = 4  # the title's words in a first piece's heading: 教师节发言稿1
_SUMMARY_MIN = 20


def _is_collection_heading(flat: str) -> bool:
    return 4 <= len(flat) <= 80 and "。" not in flat and _COLLECTION.search(flat) is not None


def _repeats_next(flat: str, following: list[str]) -> bool:
    """Whether a line is a site's summary of the text that follows it (spaces removed)."""
    label = _SUMMARY_LABEL.match(flat)
    body = flat[label.end():] if label else flat
    stripped = body.rstrip("…").rstrip(".")
    if len(stripped) < _SUMMARY_MIN:
        return False
    rest = "".join(following)
    if label and label.end() > 0:
        return rest.startswith(stripped[:_SUMMARY_MIN])
    return len(stripped) < len(body) and rest.startswith(stripped)


def _are_pages(texts: list[str]) -> bool:
    """Are these lines a document's pages cut to one size (the last may be shorter)?

    A page is cut where the size runs out, mid-sentence: a speech's own
    numbered points of about one length each end their sentence.
    """
    sizes = [len(t) for t in texts[:-1]]
    return (min(sizes) >= _PAGE_MIN and max(sizes) <= min(sizes) * (1 + _PAGE_SPREAD)
            and len(texts[-1]) <= max(sizes) * (1 + _PAGE_SPREAD)
            and not any(t.rstrip()[-1:] in _ENDS_SENTENCE for t in texts[:-1]))


def _to_int(s: str) -> int | None:
    digits = "".join(c for c in s if c.isdigit())
    try:
        return int(digits) if digits else None
    except ValueError:
        return None
