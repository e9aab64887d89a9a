"""Compare two drafts of a Markdown report: sections (split at ``##`` headings) paired between the drafts, their
blocks marked same/added/removed/changed, changed blocks as an escaped redline with ``<ins>``/``<del>``.
Tables and lists keep their shape: a <table> with the changes marked in its cells, nested <ul>/<ol> with them
marked in the items. Code keeps ``\\n`` between lines (shown with pre-wrap).
"""
from __future__ import annotations

import difflib
import html
import os
import re
import unicodedata
from dataclasses import dataclass
from itertools import groupby, zip_longest
from typing import Callable, Sequence, TypeVar

from ..content.markdown import slugify, unique_id
from .draftblocks import Section, split_sections


@dataclass(frozen=True)
class BlockChange:
    """One block of a section: status, Markdown kind and escaped HTML."""
    status: str  # "same" | "added" | "removed" | "changed"
    kind: str  # "paragraph" | "list" | "table" | "code" | "heading" | "other"
    html: str


@dataclass(frozen=True)
class SectionChange:
    """One ``##`` section (or the preamble) as it changed between drafts."""
    status: str  # "same" | "added" | "removed" | "changed" | "moved"
    anchor: str
    old_title: str | None
    new_title: str | None
    renamed: bool
    moved: bool
    blocks: tuple[BlockChange, ...]


@dataclass(frozen=True)
class DraftChanges:
    """All section changes, in new-draft order, with summary counts."""
    sections: tuple[SectionChange, ...]
    changed: int
    added: int
    removed: int

    @property
    def identical(self) -> bool:
        """True when nothing was changed, added, removed or moved."""
        return self.changed == self.added == self.removed == 0


_T = TypeVar("_T")
# the tokens of inline diffs, by `cjk`: words (or ASCII runs and single characters), whitespace, punctuation
_TOKEN_RE = {False: re.compile(r"\w+|\s+|[^\w\s]"), True: re.compile(r"[A-Za-z0-9]+|\s+|.", re.S)}
_CONTENT_TOKEN_RE = {False: re.compile(r"\w+"), True: re.compile(r"[A-Za-z0-9]+|\w")}  # (less spaces, punctuation)
_ITEM_RE = re.compile(r"^( *)(•|\d{1,9}[.)]) ?(.*)\Z", re.S)  # a list line of draftblocks' list text


def _content_tokens(text: str, cjk: bool) -> list[str]:
    """The word (or character) tokens of a text, without whitespace and punctuation."""
    return _CONTENT_TOKEN_RE[cjk].findall(text)


def _ratio(ta: list[str], tb: list[str], floor: float) -> float:
    """difflib ratio of two token lists, or 0.0 if it is cheaply shown to be below floor."""
    if not ta or not tb:
        return 0.0
    sm = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    if sm.real_quick_ratio() < floor or sm.quick_ratio() < floor:
        return 0.0
    return sm.ratio()


def _similar(a: str, b: str, cjk: bool) -> bool:
    """Whether two texts share at least 40% of their content tokens (difflib ratio)."""
    return _ratio(_content_tokens(a, cjk), _content_tokens(b, cjk), 0.4) >= 0.4


def _wrap(tag: str, text: str) -> str:
    """Escape ``text`` and wrap it in ``tag`` (nothing if empty)."""
    return f"<{tag}>{html.escape(text)}</{tag}>" if text else ""


def _lead_space(a: str, b: str) -> int:
    """Length of the whitespace shared by the starts of a and b."""
    shared = os.path.commonprefix([a, b])
    return len(shared) - len(shared.lstrip())


def _inline_diff(old: str, new: str, cjk: bool) -> str:
    """Redline ``old`` -> ``new`` at word (or CJK character) level: whitespace between two changes joins them into
    one run, and what whitespace the two sides of a run share at its ends stays outside the marks."""
    a, b = _TOKEN_RE[cjk].findall(old), _TOKEN_RE[cjk].findall(new)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    kept = [tag == "equal" and not ("".join(a[i1:i2]).isspace() and 0 < k < len(ops) - 1)
            for k, (tag, i1, i2, _, _) in enumerate(ops)]
    out = []
    for eq, group in groupby(zip(kept, ops), key=lambda pair: pair[0]):
        run = [op for _, op in group]
        o, n = "".join(a[run[0][1]:run[-1][2]]), "".join(b[run[0][3]:run[-1][4]])
        if eq:
            out.append(html.escape(n))
            continue
        lead = _lead_space(o, n)
        trail = min(_lead_space(o[::-1], n[::-1]), len(o) - lead, len(n) - lead)
        mid_o, mid_n = o[lead:len(o) - trail], n[lead:len(n) - trail]
        out += [html.escape(o[:lead]), _wrap("del", mid_o), _wrap("ins", mid_n),
                html.escape(o[len(o) - trail:])]
    return "".join(out)


def _align(a: Sequence[_T], b: Sequence[_T], key: Callable[[_T], str],
           similar: Callable[[_T, _T], bool]) -> list[tuple[_T | None, _T | None]]:
    """Pair the items of two versions: those of equal keys, then similar ones greedily in order; an item left alone
    has None on the other side."""
    out: list[tuple[_T | None, _T | None]] = []
    sm = difflib.SequenceMatcher(None, [key(x) for x in a], [key(x) for x in b], autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            out += zip(a[i1:i2], b[j1:j2])
            continue
        news, cursor = b[j1:j2], 0
        for old in a[i1:i2]:
            match = next((j for j in range(cursor, len(news)) if similar(old, news[j])), None)
            if match is None:
                out.append((old, None))
                continue
            out += [(None, new) for new in news[cursor:match]] + [(old, news[match])]
            cursor = match + 1
        out += [(None, new) for new in news[cursor:]]
    return out


def _aligned_lines(a: list[str], b: list[str], cjk: bool, exact: bool) -> list[tuple[str | None, str | None]]:
    """The lines of two versions of a block, paired: equal lines, similar ones, and the rest alone."""
    norm = (lambda x: x) if exact else (lambda x: " ".join(x.split()))
    return _align(a, b, norm, lambda x, y: _similar(x, y, cjk))


def _status(old: str | None, new: str | None) -> str:
    return "added" if old is None else "removed" if new is None else "same" if old == new else "changed"


def _mark(old: str | None, new: str | None, cjk: bool) -> str:
    """The HTML of one line, cell or item: escaped, inserted, deleted or redlined."""
    if old is None or new is None:
        return _wrap("ins", new or "") if old is None else _wrap("del", old)
    return html.escape(new) if old == new else _inline_diff(old, new, cjk)


def _table_html(pairs: list[tuple[str | None, str | None]], cjk: bool) -> str:
    """A <table> of aligned rows (cells joined by ' | ', the header first), changes marked cell by cell."""
    rows = []
    for index, (old, new) in enumerate(pairs):
        olds = old.split(" | ") if old is not None else []
        news = new.split(" | ") if new is not None else []
        if old is not None and new is not None and len(olds) != len(news):  # a column came or went: whole text
            cells = [_mark(old, new, cjk)] + [""] * (max(len(olds), len(news)) - 1)
        else:
            cells = [_mark(o, n, cjk) for o, n in zip_longest(olds, news)]
        tag = "th" if index == 0 else "td"
        body = "".join(f"<{tag}>{cell}</{tag}>" for cell in cells)
        rows.append(f'<tr class="diff-row-{_status(old, new)}">{body}</tr>')
    return f'<table><thead>{"".join(rows[:1])}</thead><tbody>{"".join(rows[1:])}</tbody></table>'


def _item(line: str) -> tuple[int, bool, str]:
    """Depth, whether ordered, and the text of a list line as draftblocks._list_text writes it."""
    m = _ITEM_RE.match(line)
    if m is None:
        return 0, False, line
    return len(m.group(1)) // 2, m.group(2) != "•", m.group(3)


def _list_html(pairs: list[tuple[str | None, str | None]], cjk: bool) -> str:
    """Nested <ul>/<ol> of aligned items, each item's text marked."""
    out: list[str] = []
    stack: list[str] = []
    for old, new in pairs:
        depth, ordered, _ = _item(new if new is not None else old)
        tag = "ol" if ordered else "ul"
        while len(stack) > depth + 1 or (len(stack) == depth + 1 and stack[-1] != tag):  # deeper, or another kind
            out.append(f"</li></{stack.pop()}>")
        if len(stack) == depth + 1:
            out.append("</li>")
        while len(stack) < depth + 1:
            out.append(f"<{tag}>")
            stack.append(tag)
        text_old = _item(old)[2] if old is not None else None
        text_new = _item(new)[2] if new is not None else None
        out.append(f'<li class="diff-item-{_status(old, new)}">{_mark(text_old, text_new, cjk)}')
    while stack:
        out.append(f"</li></{stack.pop()}>")
    return "".join(out)


def _block_html(kind: str, old: str | None, new: str | None, cjk: bool) -> str:
    """A table or a list as one, with its changes marked in cells and items; other blocks as redlined text."""
    a = old.split("\n") if old is not None else []
    b = new.split("\n") if new is not None else []
    if kind in ("table", "list"):
        return (_table_html if kind == "table" else _list_html)(_aligned_lines(a, b, cjk, False), cjk)
    if old is None or new is None or old == new:
        return html.escape(new if new is not None else old or "")
    if kind == "code":  # line by line
        return "\n".join(_mark(o, n, cjk) for o, n in _aligned_lines(a, b, cjk, True))
    return _inline_diff(old, new, cjk)


def _diff_blocks(old: Section, new: Section, cjk: bool) -> tuple[BlockChange, ...]:
    """Align the blocks of two paired sections and describe each."""
    out = []
    for a, b in _align(old.blocks, new.blocks, lambda x: x.key,
                       lambda x, y: x.kind == y.kind and _similar(x.text, y.text, cjk)):
        status = _status(a and a.key, b and b.key)
        old_text = b.text if status == "same" else a and a.text  # (equal keys: the new text, as it is shown)
        out.append(BlockChange(status, (b or a).kind, _block_html((b or a).kind, old_text, b and b.text, cjk)))
    return tuple(out)


def _pair_sections(old: list[Section], new: list[Section], cjk: bool) -> dict[int, int]:
    """Map new section index -> old index: by explicit id, then title, each in order; then the most similar bodies
    (50% of their content tokens or more)."""
    pairs: dict[int, int] = {}
    for same in (lambda o, n: o.ident and o.ident == n.ident, lambda o, n: o.title == n.title):
        for j, s in enumerate(new):
            free = [i for i, o in enumerate(old) if i not in pairs.values() and same(o, s)]
            if j not in pairs and free:
                pairs[j] = free[0]
    olds = {i: _content_tokens(s.body, cjk) for i, s in enumerate(old)
            if s.title is not None and i not in pairs.values()}
    news = {j: _content_tokens(s.body, cjk) for j, s in enumerate(new) if s.title is not None and j not in pairs}
    for score, j, i in sorted((-_ratio(olds[i], news[j], 0.5), j, i) for j in news for i in olds):
        if -score >= 0.5 and j not in pairs and i not in pairs.values():
            pairs[j] = i
    return pairs


def _moved(pairs: dict[int, int]) -> set[int]:
    """New indices of paired sections outside the longest increasing run of old positions (the last such run)."""
    js = sorted(pairs)
    runs: list[list[int]] = []  # runs[k]: the longest run that ends with js[k] (the last of them)
    for k, j in enumerate(js):
        before = [runs[p] for p in reversed(range(k)) if pairs[js[p]] < pairs[j]]
        runs.append(max(before, key=len, default=[]) + [j])
    return set(js) - set(max(reversed(runs), key=len, default=[]))


def _order(pairs: dict[int, int], n_old: int, n_new: int) -> list[tuple[int | None, int | None]]:
    """(old, new) index pairs in new-draft order, each removed section right after the last paired one before it in
    the old draft (at the start when none is), in old-draft order."""
    old_to_new = {i: j for j, i in pairs.items()}
    placed = {(j, 0, 0): (pairs.get(j), j) for j in range(n_new)}  # by (new position, after it?, old position)
    after = -1
    for i in range(n_old):
        after = old_to_new.get(i, after)
        if i not in old_to_new:
            placed[after, 1, i] = (i, None)
    return [placed[key] for key in sorted(placed)]


def _anchor(section: Section, used: set[str]) -> str:
    """Unique ``change-<id>`` anchor for a section (its explicit id, else its heading's slug), recorded in ``used``."""
    name = "preamble" if section.title is None else slugify(section.title)
    return unique_id("change-" + (section.ident or name), used)


def _section_change(old: Section | None, new: Section | None, moved: bool,
                    cjk: bool, anchor: str) -> SectionChange:
    """Describe one section: added, removed, or paired (same/changed/moved)."""
    empty = Section(None, None, ())
    blocks = _diff_blocks(old or empty, new or empty, cjk)  # all added, or all removed, against an empty one
    if old is None or new is None:
        return SectionChange(_status(old, new), anchor, old and old.title, new and new.title, False, False, blocks)
    renamed = old.title != new.title
    changed = renamed or any(b.status != "same" for b in blocks)
    return SectionChange("changed" if changed else "moved" if moved else "same", anchor, old.title, new.title,
                         renamed, moved, blocks)


def diff_drafts(old_markdown: str, new_markdown: str, lang: str) -> DraftChanges:
    """lang: BCP 47 code; 'zh*' (and 'ja', 'ko') => character-level inline diff, else word-level."""
    cjk = re.split(r"[-_]", lang.lower())[0] in {"zh", "ja", "ko"}
    old = split_sections(unicodedata.normalize("NFC", old_markdown))
    new = split_sections(unicodedata.normalize("NFC", new_markdown))
    pairs = _pair_sections(old, new, cjk)
    moved = _moved(pairs)
    used: set[str] = set()
    sections = tuple(
        _section_change(None if i is None else old[i], None if j is None else new[j],
                        j in moved, cjk, _anchor(new[j] if j is not None else old[i], used))
        for i, j in _order(pairs, len(old), len(new)))
    statuses = [s.status for s in sections]
    return DraftChanges(sections, statuses.count("changed") + statuses.count("moved"),
                        statuses.count("added"), statuses.count("removed"))
