"""Compare two drafts of a Markdown report and describe what changed.

The result is a :class:`DraftChanges` value: sections (split at ``##`` headings)
paired between the drafts, each with its blocks marked same/added/removed/changed,
and changed blocks rendered as an escaped HTML redline using ``<ins>``/``<del>``.
Tables and lists are HTML tables and lists with the changes marked in their cells
and items (`diffhtml.py`); code keeps ``\\n`` between lines, so the page should show
its block HTML with ``white-space: pre-wrap``.
"""
from __future__ import annotations

import difflib
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

from .diffhtml import list_html, table_html
from .draftblocks import LINE_KINDS, Section, split_sections


@dataclass(frozen=True)
class InlineDiff:
    """One changed block as safe HTML: escaped text with <ins>/<del> tags."""
    html: str


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


_WORD_TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]")
_CHAR_TOKEN_RE = re.compile(r"[A-Za-z0-9]+|\s+|.", re.S)
_WORDY_RE = re.compile(r".*\w", re.S)


def _tokens(text: str, cjk: bool) -> list[str]:
    """Tokens for inline diffs: words (or CJK characters), whitespace, punctuation."""
    return (_CHAR_TOKEN_RE if cjk else _WORD_TOKEN_RE).findall(text)


def _content_tokens(text: str, cjk: bool) -> list[str]:
    """Word (or CJK character) tokens of a text, without whitespace and punctuation."""
    return [t for t in _tokens(text, cjk) if _WORDY_RE.match(t)]


def _ratio(ta: list[str], tb: list[str], floor: float) -> float:
    """difflib ratio of two token lists, or 0.0 if it is cheaply shown to be below floor."""
    if not ta or not tb:
        return 0.0
    sm = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    if sm.real_quick_ratio() < floor or sm.quick_ratio() < floor:
        return 0.0
    return sm.ratio()


def _similarity(a: str, b: str, cjk: bool, floor: float = 0.0) -> float:
    """difflib ratio of two texts over their content tokens (0 if below floor)."""
    return _ratio(_content_tokens(a, cjk), _content_tokens(b, cjk), floor)


def _wrap(tag: str, text: str) -> str:
    """Escape ``text`` and wrap it in ``tag`` (nothing if empty)."""
    return f"<{tag}>{html.escape(text)}</{tag}>" if text else ""


def _edge_space(a: str, b: str, end: bool) -> int:
    """Length of the whitespace shared by the starts (or ends) of a and b."""
    n = 0
    while n < min(len(a), len(b)):
        ca, cb = (a[-1 - n], b[-1 - n]) if end else (a[n], b[n])
        if ca != cb or not ca.isspace():
            break
        n += 1
    return n


def _inline_diff(old: str, new: str, cjk: bool) -> InlineDiff:
    """Redline ``old`` -> ``new`` at word (or CJK character) level."""
    a, b = _tokens(old, cjk), _tokens(new, cjk)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    segs = [(tag == "equal", "".join(a[i1:i2]), "".join(b[j1:j2])) for tag, i1, i2, j1, j2 in ops]
    merged: list[tuple[bool, str, str]] = []
    for k, (eq, o, n) in enumerate(segs):
        if eq and o.isspace() and 0 < k < len(segs) - 1:
            eq = False  # whitespace between two changes joins them into one run
        if merged and not eq and not merged[-1][0]:
            merged[-1] = (False, merged[-1][1] + o, merged[-1][2] + n)
        else:
            merged.append((eq, o, n))
    out = []
    for eq, o, n in merged:
        if eq:
            out.append(html.escape(n))
            continue
        lead = _edge_space(o, n, False)
        trail = min(_edge_space(o, n, True), len(o) - lead, len(n) - lead)
        mid_o, mid_n = o[lead:len(o) - trail], n[lead:len(n) - trail]
        out += [html.escape(o[:lead]), _wrap("del", mid_o), _wrap("ins", mid_n),
                html.escape(o[len(o) - trail:])]
    return InlineDiff("".join(out))


def _pair_in_order(n_old: int, n_new: int,
                   similar: Callable[[int, int], bool]) -> list[tuple[int | None, int | None]]:
    """Greedily pair old and new items in order; unpaired get None on one side."""
    pairs: list[tuple[int | None, int | None]] = []
    cursor = 0
    for i in range(n_old):
        match = next((j for j in range(cursor, n_new) if similar(i, j)), None)
        if match is None:
            pairs.append((i, None))
            continue
        pairs += [(None, j) for j in range(cursor, match)] + [(i, match)]
        cursor = match + 1
    return pairs + [(None, j) for j in range(cursor, n_new)]


def _aligned_lines(a: list[str], b: list[str], cjk: bool, exact: bool) -> list[tuple[str | None, str | None]]:
    """The lines of two versions of a block, paired: equal lines, similar ones, and the rest alone."""
    norm = (lambda x: x) if exact else (lambda x: " ".join(x.split()))
    ka, kb = [norm(x) for x in a], [norm(x) for x in b]
    out: list[tuple[str | None, str | None]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes():
        if tag == "equal":
            out += list(zip(a[i1:i2], b[j1:j2]))
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for i, j in _pair_in_order(len(olds), len(news),
                                   lambda i, j: _similarity(olds[i], news[j], cjk, 0.4) >= 0.4):
            out.append((None if i is None else olds[i], None if j is None else news[j]))
    return out


def _marker(cjk: bool) -> Callable[[str | None, str | None], str]:
    """The HTML of one line, cell or item: escaped, inserted, deleted or redlined."""
    def mark(old: str | None, new: str | None) -> str:
        if old is None or new is None:
            return _wrap("ins", new or "") if old is None else _wrap("del", old)
        return html.escape(new) if old == new else _inline_diff(old, new, cjk).html
    return mark


def _line_diff(old: str, new: str, cjk: bool, exact: bool) -> str:
    """Redline a code block line by line."""
    mark = _marker(cjk)
    return "\n".join(mark(o, n) for o, n in _aligned_lines(old.split("\n"), new.split("\n"), cjk, exact))


def _block_html(kind: str, old: str | None, new: str | None, cjk: bool) -> str:
    """A table or a list as one, with its changes marked in cells and items; other blocks as redlined text."""
    a = old.split("\n") if old is not None else []
    b = new.split("\n") if new is not None else []
    if kind == "table":
        return table_html(_aligned_lines(a, b, cjk, False), _marker(cjk))
    if kind == "list":
        return list_html(_aligned_lines(a, b, cjk, False), _marker(cjk))
    if old is None or new is None or old == new:
        return html.escape(new if new is not None else old or "")
    if kind in LINE_KINDS:
        return _line_diff(old, new, cjk, kind == "code")
    return _inline_diff(old, new, cjk).html


def _diff_blocks(old: Section, new: Section, cjk: bool) -> tuple[BlockChange, ...]:
    """Align the blocks of two paired sections and describe each."""
    a, b = old.blocks, new.blocks
    sm = difflib.SequenceMatcher(None, [x.key for x in a], [x.key for x in b], autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            out += [BlockChange("same", x.kind, _block_html(x.kind, x.text, x.text, cjk)) for x in b[j1:j2]]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for i, j in _pair_in_order(len(olds), len(news), lambda i, j: (
                olds[i].kind == news[j].kind
                and _similarity(olds[i].text, news[j].text, cjk, 0.4) >= 0.4)):
            old, new = (None if i is None else olds[i]), (None if j is None else news[j])
            kind = (new or old).kind
            status = "added" if old is None else "removed" if new is None else "changed"
            out.append(BlockChange(status, kind, _block_html(kind, old and old.text, new and new.text, cjk)))
    return tuple(out)


def _pair_sections(old: list[Section], new: list[Section], cjk: bool) -> dict[int, int]:
    """Map new section index -> old index: by explicit id, title, then similarity."""
    pairs: dict[int, int] = {}
    old_ids: dict[str, int] = {}
    for i, s in enumerate(reversed(old)):
        if s.ident:
            old_ids[s.ident] = len(old) - 1 - i
    for j, s in enumerate(new):
        if s.ident in old_ids and old_ids[s.ident] not in pairs.values():
            pairs[j] = old_ids[s.ident]
    for j, s in enumerate(new):
        free = [i for i, o in enumerate(old) if i not in pairs.values() and o.title == s.title]
        if j not in pairs and free:
            pairs[j] = free[0]
    toks = {(side, k): _content_tokens(s.body, cjk) for side, secs in (("o", old), ("n", new))
            for k, s in enumerate(secs) if s.title is not None}
    scored = sorted((-_ratio(toks["o", i], toks["n", j], 0.5), j, i)
                    for j in range(len(new)) if j not in pairs and ("n", j) in toks
                    for i in range(len(old)) if i not in pairs.values() and ("o", i) in toks)
    for score, j, i in scored:
        if -score >= 0.5 and j not in pairs and i not in pairs.values():
            pairs[j] = i
    return pairs


def _moved(pairs: dict[int, int]) -> set[int]:
    """New indices of paired sections outside the longest increasing run of old positions."""
    js = sorted(pairs)
    vals = [pairs[j] for j in js]
    length, prev = [1] * len(vals), [-1] * len(vals)
    for k in range(len(vals)):
        for p in range(k):
            if vals[p] < vals[k] and length[p] + 1 >= length[k]:
                length[k], prev[k] = length[p] + 1, p
    keep: set[int] = set()
    k = max(range(len(vals)), key=lambda x: (length[x], x), default=-1)
    while k >= 0:
        keep.add(k)
        k = prev[k]
    return {js[k] for k in range(len(js)) if k not in keep}


def _order(pairs: dict[int, int], n_old: int, n_new: int) -> list[tuple[int | None, int | None]]:
    """(old, new) index pairs in new-draft order, removed ones after their old predecessor."""
    old_to_new = {i: j for j, i in pairs.items()}
    after: dict[int, list[int]] = {}
    for r in (i for i in range(n_old) if i not in old_to_new):
        p = r - 1
        while p >= 0 and p not in old_to_new:
            p -= 1
        after.setdefault(old_to_new[p] if p >= 0 else -1, []).append(r)
    order: list[tuple[int | None, int | None]] = [(r, None) for r in after.get(-1, [])]
    for j in range(n_new):
        order.append((pairs.get(j), j))
        order += [(r, None) for r in after.get(j, [])]
    return order


def _slugify(text: str) -> str:
    """Heading slug as wtpfsite.markdown makes it: letters of any script and digits."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).lower())
    return "-".join(words)[:80].strip("-") or "section"


def _anchor(section: Section, used: set[str]) -> str:
    """Unique ``change-<slug>`` anchor for a section, recorded in ``used``."""
    name = "preamble" if section.title is None else _slugify(section.title)
    base = "change-" + (section.ident or name)
    anchor, n = base, 2
    while anchor in used:
        anchor, n = f"{base}-{n}", n + 1
    used.add(anchor)
    return anchor


def _section_change(old: Section | None, new: Section | None, moved: bool,
                    cjk: bool, anchor: str) -> SectionChange:
    """Describe one section: added, removed, or paired (same/changed/moved)."""
    if old is None or new is None:
        status = "added" if old is None else "removed"
        blocks = tuple(BlockChange(status, b.kind, _block_html(b.kind, None if new else b.text,
                                                               b.text if new else None, cjk))
                       for b in (new or old).blocks)
        return SectionChange(status, anchor, old.title if old else None,
                             new.title if new else None, False, False, blocks)
    blocks = _diff_blocks(old, new, cjk)
    renamed = old.title != new.title
    if renamed or any(b.status != "same" for b in blocks):
        status = "changed"
    else:
        status = "moved" if moved else "same"
    return SectionChange(status, anchor, old.title, new.title, renamed, moved, blocks)


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
