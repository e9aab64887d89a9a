"""What `new-draft` leaves to the editor: the lines of the copied body that still describe the previous draft
(its number, as digits, an English ordinal or a Chinese numeral, or its dates, as ISO dates or written out in
the file's language), and what else is left to do once the files exist."""

from __future__ import annotations

import re
from pathlib import Path

from ..base.dates import format_day
from ..render.numerals import ENGLISH_ORDINALS, hanzi
from ..site.routes import Draft


def stale_todo(path: str, text: str, previous: Draft, locale: str, limit: int = 8) -> list[str]:
    """The to-do items for the body lines of a new draft's file that still name the previous draft or its dates."""
    words = [rf"\bdraft[ -]{previous.number}\b", rf"第{hanzi(previous.number)}稿"]
    if previous.number <= len(ENGLISH_ORDINALS):
        words.append(rf"\b{ENGLISH_ORDINALS[previous.number - 1]} draft\b")
    for spec in (previous.meta.released, previous.meta.comments_due):
        for day in {spec.start, spec.end} if spec is not None else ():
            words += [re.escape(day.isoformat()), re.escape(format_day(day, locale))]
    pattern = re.compile("|".join(words), re.IGNORECASE)
    lines = text.splitlines()
    body_start = next((i + 1 for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
    found = [(index + 1, ", ".join(f"'{name}'" for name in names)) for index in range(body_start, len(lines))
             if (names := sorted({m.group(0) for m in pattern.finditer(lines[index])}))]
    items = [f"{path}:{line}: names draft {previous.number} or its dates ({names}): the body was copied from "
             f"draft {previous.number}; describe draft {previous.number + 1}" for line, names in found[:limit]]
    if len(found) > limit:
        items.append(f"{path}: {len(found) - limit} more lines name draft {previous.number} or its dates")
    return items


def follow_up_todo(number: int, previous: Draft, translations: list[Path], shown) -> list[str]:
    """What is left once a new draft's files exist: the previous draft's status, translations, commenters."""
    items = []
    if previous.meta.status == "planned":
        items.append(f"warning: draft {previous.number} is still 'planned': once it is published, set "
                     f"'status: released' in every language version of it")
    for path in translations:
        items.append(f"translate the changes into {shown(path)} when the original is final, then record it: "
                     f".venv/bin/python build.py translated {shown(path)}")
    items.append(f"add the comments on draft {number} to content/data/documents.yaml as they arrive "
                 f"(kind: comment, draft: {number}, source: who sent them)")
    return items
