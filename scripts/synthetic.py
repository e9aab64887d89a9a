"""Generate SYNTHETIC content for demos, tests and benchmarks.

Nothing written by this script is real: expert names are built from random syllables, organisations are
"Example Telecom 123"-style placeholders, meetings, documents and drafts are invented, and page bodies are
prose assembled from word lists.  Only the country names (used for member-state experts and venues) are real.
Every YAML file starts with a ``# SYNTHETIC DATA`` comment and every Markdown file says "synthetic" in its
description or title.

Output is fully deterministic for a given seed: each part uses its own ``random.Random`` seeded with a string
derived from the seed (string seeds are hashed with SHA-512, so they do not depend on PYTHONHASHSEED), and no
global random state is touched.

    python scripts/synthetic.py experts --count 5000 [--seed 1] [--out PATH]
    python scripts/synthetic.py site DIR --pages 2000 [--seed 1] [--experts 5000] [--meetings 200] [--documents 2000]

``site`` writes only ``DIR/content/{pages,drafts,data}``; ``site_config.yaml`` and ``content/strings.yaml`` are
the caller's to provide.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project, for the definition of a revision
sys.path.insert(0, str(Path(__file__).resolve().parent))  # its data half, when loaded from its path (the tests)

from synthetic_data import (DRAFT_COMMENTS, DRAFT_RELEASED, DRAFTS, LANGS, ORDINALS, _documents,  # noqa: E402
                            TOPICS, _front_matter, _meetings, generate_documents, generate_experts, generate_meetings,
                            generate_timetable)


# -------------------------------------------------------------------------------------------------- prose

EN_SUBJECTS = ("the group", "Member States", "the secretariat", "many experts", "Sector Members",
               "the draft report", "participants", "several contributions", "the chair", "regional bodies")
EN_VERBS = ("considered", "highlighted", "reviewed", "supported", "questioned", "examined", "welcomed",
            "noted", "described", "compared", "emphasised", "summarised")
EN_ADJS = ("national", "affordable", "resilient", "open", "secure", "sustainable", "regional", "flexible",
           "shared", "long-term", "innovative", "balanced", "practical", "coordinated", "transparent")
EN_NOUNS = ("policy", "framework", "market", "network", "investment", "regulation", "service", "operator",
            "standard", "deployment", "ecosystem", "approach", "strategy", "capacity", "environment", "model")
EN_OPENERS = ("In this context", "At the same time", "For this reason", "In practice", "As a first step",
              "In the long term", "During the preparatory process", "On the basis of earlier drafts", "Moreover")
EN_TAILS = ("in developing countries", "across all regions", "for small operators", "before the next meeting",
            "in the coming years", "within existing mandates", "at the national level", "for end users")

ZH_SUBJECTS = ("专家组", "成员国", "秘书处", "多位专家", "部门成员", "报告草案", "与会者", "若干文稿", "主席", "区域组织")
ZH_VERBS = ("讨论了", "强调了", "审议了", "支持", "注意到", "评估了", "欢迎", "比较了", "总结了", "研究了")
ZH_ADJS = ("国家层面的", "可负担的", "有韧性的", "开放的", "安全的", "可持续的", "区域性的", "灵活的", "长期的", "均衡的")
ZH_OPENERS = ("在此背景下", "与此同时", "为此", "在实践中", "作为第一步", "从长远来看", "在筹备过程中", "根据前几稿草案", "此外")
ZH_TAILS = ("在发展中国家", "在各个区域", "对小型运营商而言", "在下次会议之前", "在今后几年", "在现有职责范围内", "对最终用户而言")
ZH_EMPHASIS = ("（**注意**）", "（*重点*）", "（**仅供参考**）")

EN_TEMPLATES = (
    "{opener}, {subject} {verb} the {adj} {noun} for {topic}.",
    "{opener}, {subject} {verb} the {adj} {noun} for {topic} and the {adj2} {noun2} it requires {tail}.",
    "The {adj} {noun} for {topic} remains a concern {tail}.",
    "{Subject} {verb} how the {adj} {noun} could support {topic} {tail}.",
)
ZH_TEMPLATES = (
    "{opener}，{subject}{verb}{adj}{topic}。",
    "{subject}{verb}{adj}{topic}，并指出{tail}需要{adj2}{topic2}。",
    "{tail}，{topic}仍是{adj}重点。",
    "{opener}，{subject}{verb}{topic}与{topic2}之间的关系。",
)


class EnProse:
    """English sentences, paragraphs, lists and tables from word lists."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def topic(self) -> str:
        return self.rng.choice(TOPICS)[0]

    def sentence(self, mark: str = "") -> str:  # mark: "bold", "em" or ""
        c = self.rng.choice
        subject = c(EN_SUBJECTS)
        return c(EN_TEMPLATES).format(
            opener=c(EN_OPENERS), subject=subject, Subject=subject[0].upper() + subject[1:], verb=c(EN_VERBS),
            adj=f"*{c(EN_ADJS)}*" if mark == "em" else c(EN_ADJS), adj2=c(EN_ADJS),
            noun=f"**{c(EN_NOUNS)}**" if mark == "bold" else c(EN_NOUNS), noun2=c(EN_NOUNS),
            topic=self.topic(), tail=c(EN_TAILS))

    def paragraph(self, extra: str = "") -> str:
        count = self.rng.randint(3, 5)
        marks = {0: "bold", 2: "em"}
        text = " ".join(self.sentence(marks.get(i, "")) for i in range(count))
        return f"{text} {extra}".rstrip()

    def heading(self) -> str:
        return f"{self.rng.choice(EN_ADJS).capitalize()} {self.rng.choice(EN_NOUNS)} and {self.topic()}"

    def link(self, target: str, anchor: str = "") -> str:
        return f"For details, see [the note on {self.topic()}]({target}{anchor})."

    def bullets(self) -> str:
        return "\n".join(f"- {self.rng.choice(EN_ADJS)} {self.rng.choice(EN_NOUNS)} for {self.topic()};"
                         for _ in range(self.rng.randint(3, 5)))

    def numbered(self) -> str:
        return "\n".join(f"{i}. {self.rng.choice(EN_VERBS).capitalize()} the {self.rng.choice(EN_NOUNS)} "
                         f"{self.rng.choice(EN_TAILS)}." for i in range(1, self.rng.randint(4, 6)))

    def table(self) -> str:
        rows = [f"| {self.topic().capitalize()} | {self.rng.choice(('Open', 'Agreed', 'Pending'))} | "
                f"{self.rng.choice(EN_ADJS).capitalize()} {self.rng.choice(EN_NOUNS)} |"
                for _ in range(self.rng.randint(3, 5))]
        return "\n".join(["| Item | Status | Notes |", "|---|---|---|", *rows])


class ZhProse:
    """Chinese counterparts of EnProse, with emphasis next to full-width punctuation."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def topic(self) -> str:
        return self.rng.choice(TOPICS)[1]

    def sentence(self, mark: str = "") -> str:  # mark: "bold", "em" or ""
        c = self.rng.choice
        lead = c(ZH_EMPHASIS) if mark == "em" else ""  # emphasis right after a full-width bracket
        return lead + c(ZH_TEMPLATES).format(
            opener=c(ZH_OPENERS), subject=c(ZH_SUBJECTS), verb=c(ZH_VERBS), adj=c(ZH_ADJS), adj2=c(ZH_ADJS),
            topic=f"“**{self.topic()}**”" if mark == "bold" else self.topic(), topic2=self.topic(),
            tail=c(ZH_TAILS))

    def paragraph(self, extra: str = "") -> str:
        count = self.rng.randint(3, 5)
        marks = {0: "bold", 2: "em"}
        return "".join(self.sentence(marks.get(i, "")) for i in range(count)) + extra

    def heading(self) -> str:
        return f"{self.topic()}与{self.topic()}"

    def link(self, target: str, anchor: str = "") -> str:
        return f"详见[关于{self.topic()}的说明]({target}{anchor})。"

    def bullets(self) -> str:
        return "\n".join(f"- {self.rng.choice(ZH_ADJS)}{self.topic()}；" for _ in range(self.rng.randint(3, 5)))

    def numbered(self) -> str:
        return "\n".join(f"{i}. {self.rng.choice(ZH_TAILS)}{self.rng.choice(ZH_VERBS)}{self.topic()}；"
                         for i in range(1, self.rng.randint(4, 6)))

    def table(self) -> str:
        rows = [f"| {self.topic()} | {self.rng.choice(('待定', '已商定', '讨论中'))} | "
                f"{self.rng.choice(ZH_ADJS)}{self.topic()} |" for _ in range(self.rng.randint(3, 5))]
        return "\n".join(["| 事项 | 状态 | 说明 |", "|---|---|---|", *rows])


PROSE = {"en": EnProse, "zh": ZhProse}

# -------------------------------------------------------------------------------------------------- pages


def _page_name(k: int) -> str:
    return f"page-{k:05d}"


def _page_plans(keys: int, seed) -> list[dict]:
    """Per page key: number of sections and link targets (shared by both languages)."""
    rng = random.Random(f"{seed}/plan")
    sections = [rng.randint(5, 7) for _ in range(keys)]
    plans = []
    for k in range(1, keys + 1):
        anchor = _other(k, keys, rng)
        links = [_other(k, keys, rng) for _ in range(rng.randint(2, 3))]
        plans.append({"sections": sections[k - 1], "links": links,
                      "anchor": (anchor, rng.randint(1, sections[anchor - 1])), "draft": rng.randint(1, DRAFTS)})
    return plans


def _other(k: int, keys: int, rng: random.Random) -> int:
    """A key other than k (k itself when it is the only one)."""
    if keys == 1:
        return k
    o = rng.randint(1, keys - 1)
    return o if o < k else o + 1


def _page_text(k: int, plan: dict, lang: str, seed) -> tuple[dict, str]:
    """A page's front matter fields and Markdown body."""
    p = PROSE[lang](random.Random(f"{seed}/page/{k}/{lang}"))
    title = p.heading()
    label = "Synthetic page for benchmarks: " if lang == "en" else "合成页面（synthetic），用于基准测试："
    links = plan["links"] + [None] * 3
    anchor_key, anchor_sec = plan["anchor"]
    blocks = [p.paragraph(p.link(_page_name(links[0]) + ".md"))]
    for s in range(1, plan["sections"] + 1):
        blocks.append(f"## {p.heading()} {{#sec-{s}}}")
        blocks.extend(_section_blocks(p, s, plan, links, anchor_key, anchor_sec))
    return {"title": title[0].upper() + title[1:], "description": label + p.sentence()}, "\n\n".join(blocks) + "\n"


def _translations(texts: dict[str, tuple[dict, str]]) -> dict[str, str]:
    """The files' texts, by language; the Chinese version records the revision of the English original it
    translates (`translation_of`), as the real site's translations do, so the translation report is as short as a
    maintained site's."""
    from wtpfsite.content.parse import revision  # the project's own definition of a revision

    fields, body = texts["en"]
    original = revision(fields["title"], body)
    return {lang: _front_matter(f if lang == "en" else {**f, "translation_of": original}) + b
            for lang, (f, b) in texts.items()}


def _section_blocks(p, s: int, plan: dict, links: list, anchor_key: int, anchor_sec: int) -> list[str]:
    extra = {2: p.link(_page_name(links[1]) + ".md"),
             3: p.link(_page_name(anchor_key) + ".md", f"#sec-{anchor_sec}"),
             4: p.link(f"../drafts/draft-{plan['draft']}.md", "#outline")}
    if s == 5 and links[2]:
        extra[5] = p.link(_page_name(links[2]) + ".md")
    blocks = [p.paragraph(extra.get(s, "")), p.paragraph()]
    blocks += {1: [p.bullets()], 2: [p.numbered()], 3: [p.table()]}.get(s, [])
    if s == 4:
        blocks += [f"### {p.heading()}", p.paragraph()]
    return blocks


def write_pages(root: Path, pages: int, seed) -> None:
    keys = (pages + 1) // 2
    out = root / "pages"
    out.mkdir(parents=True, exist_ok=True)
    for k, plan in enumerate(_page_plans(keys, seed), start=1):
        texts = _translations({lang: _page_text(k, plan, lang, seed) for lang in LANGS})
        for lang in LANGS:
            (out / f"{_page_name(k)}.{lang}.md").write_text(texts[lang], encoding="utf-8")


# ------------------------------------------------------------------------------------------------- drafts

DRAFT_SECTIONS = (
    ("outline", "Outline", "大纲"), ("background", "Background", "背景"), ("scope", "Scope", "范围"),
    ("issues", "Issues for discussion", "讨论议题"), ("opinions", "Draft opinions", "意见草案"),
    ("next-steps", "Next steps", "后续步骤"), ("emerging", "Emerging technologies", "新兴技术"),
    ("financing", "Financing", "融资"), ("covid", "Impact of the pandemic", "疫情的影响"),
    ("security", "Security and trust", "安全与信任"), ("annex", "Annex", "附件"),
)


def _draft_states(seed) -> list[list[tuple[str, tuple]]]:
    """For each draft, its sections as (id, paragraph versions); later drafts change, add and drop sections."""
    rng = random.Random(f"{seed}/drafts")
    state = {sid: [0, 0] for sid, _, _ in DRAFT_SECTIONS[:6]}
    spare = [sid for sid, _, _ in DRAFT_SECTIONS[6:]]
    states = [[(sid, tuple(v)) for sid, v in state.items()]]
    for _ in range(1, DRAFTS):
        for sid in rng.sample(sorted(state), 2):  # change one paragraph, sometimes add one
            versions = state[sid]
            versions[rng.randrange(len(versions))] += 1
            if rng.random() < 0.5:
                versions.append(0)
        if spare:
            state[spare.pop(0)] = [0, 0]
        droppable = [sid for sid in state if sid != "outline"]
        if rng.random() < 0.6 and len(droppable) > 3:
            del state[rng.choice(droppable)]
        states.append([(sid, tuple(v)) for sid, v in state.items()])
    return states


def _draft_text(n: int, sections, lang: str, seed, documents: list[str], meetings: int) -> tuple[dict, str]:
    """A draft's front matter fields and Markdown body."""
    names = {sid: (en, zh) for sid, en, zh in DRAFT_SECTIONS}
    en, zh = ORDINALS[n - 1]
    title = (f"{en} draft of the synthetic report" if lang == "en" else f"合成报告草案第{zh}稿")
    fields = {
        "number": n, "title": title, "released": DRAFT_RELEASED[n - 1], "comments_due": DRAFT_COMMENTS[n - 1],
        "incorporates": f"ieg-{n - 1}" if 1 < n <= meetings + 1 else None,
        "status": "released" if n <= 3 else "planned", "documents": documents or None,
    }
    blocks = []
    for sid, versions in sections:
        blocks.append(f"## {names[sid][0 if lang == 'en' else 1]} {{#{sid}}}")
        blocks += [PROSE[lang](random.Random(f"{seed}/draft/{sid}/{i}/{v}/{lang}")).paragraph()
                   for i, v in enumerate(versions)]
    return fields, "\n\n".join(blocks) + "\n"


def write_drafts(root: Path, seed, documents: list[dict], meetings: int) -> None:
    out = root / "drafts"
    out.mkdir(parents=True, exist_ok=True)
    for n, sections in enumerate(_draft_states(seed), start=1):
        symbols = [d["symbol"] for d in documents if d["draft"] == n and d["kind"] in ("report", "draft-opinion")]
        texts = _translations({lang: _draft_text(n, sections, lang, seed, symbols[:2], meetings) for lang in LANGS})
        for lang in LANGS:
            (out / f"draft-{n}.{lang}.md").write_text(texts[lang], encoding="utf-8")


# --------------------------------------------------------------------------------------------------- site

def write_site(directory, pages: int = 2000, seed=1, experts: int = 5000, meetings: int = 200,
               documents: int = 2000) -> None:
    """Write a synthetic ``content/`` tree (pages, drafts, data) under ``directory``."""
    root = Path(directory) / "content"
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    meeting_list = _meetings(meetings, seed)
    document_list = _documents(documents, seed, meeting_list)
    (data / "experts.yaml").write_text(generate_experts(experts, seed), encoding="utf-8")
    (data / "meetings.yaml").write_text(generate_meetings(meeting_list), encoding="utf-8")
    (data / "timetable.yaml").write_text(generate_timetable(meeting_list), encoding="utf-8")
    (data / "documents.yaml").write_text(generate_documents(document_list), encoding="utf-8")
    write_drafts(root, seed, document_list, meetings)
    write_pages(root, pages, seed)


# ---------------------------------------------------------------------------------------------------- CLI

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Generate SYNTHETIC content (not real people or documents).")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("experts", help="write a synthetic experts.yaml")
    ex.add_argument("--count", type=int, required=True)
    ex.add_argument("--seed", default="1")
    ex.add_argument("--out", help="output file (default: standard output)")
    site = sub.add_parser("site", help="write a synthetic content/ tree under DIR")
    site.add_argument("dir")
    site.add_argument("--pages", type=int, required=True, help="output pages, both languages together")
    site.add_argument("--seed", default="1")
    site.add_argument("--experts", type=int, default=5000)
    site.add_argument("--meetings", type=int, default=200)
    site.add_argument("--documents", type=int, default=2000)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    counts = [getattr(args, a, 0) for a in ("count", "pages", "experts", "meetings", "documents")]
    if any(c is not None and c < 0 for c in counts):
        print("synthetic.py: counts must not be negative", file=sys.stderr)
        return 2
    if args.command == "experts":
        text = generate_experts(args.count, args.seed)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    else:
        write_site(args.dir, args.pages, args.seed, args.experts, args.meetings, args.documents)
    return 0


if __name__ == "__main__":
    sys.exit(main())
