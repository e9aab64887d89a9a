"""The Markdown back ends side by side: markdown-it-py (the reference) and markdown-it-pyrs (fastmd.py).

A harness, not a test: it prints medians and ratios and asserts nothing. For the Markdown bodies of a
SYNTHETIC corpus (made by scripts/synthetic.py, or one given with --content), it times, in one process:

- `reference`: `markdown.parse_markdown_reference`, markdown-it-py with the CJK-friendly emphasis rule,
  for every document;
- `fast`: `markdown.parse_markdown`, which the build uses: markdown-it-pyrs through fastmd.py where it
  renders exactly what the reference renders (by its rendered path where it takes the document, else by the
  walk over the tree), the reference elsewhere;
- `walk`: the same with the walk only (`fastmd.parse(..., rendered=False)`), as before the rendered path;
- `pyrs tree only`: markdown-it-pyrs building its syntax tree, with nothing rendered (the floor);

each over the English and the Chinese documents separately, and checks that `fast` gave the same
results as `reference` for every document (and `walk` too). It also counts the documents the rendered path
took, and the documents and top-level blocks that the fast back end handed to the reference.

    .venv/bin/python benchmarks/markdown_backends.py                 # 2,000 synthetic pages, 5 runs
    .venv/bin/python benchmarks/markdown_backends.py --pages 200 --runs 3
    .venv/bin/python benchmarks/markdown_backends.py --content benchmarks/work/sites-2000/ours/content
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wtpfsite import fastmd  # noqa: E402
from wtpfsite.errors import ErrorList  # noqa: E402
from wtpfsite.frontmatter import split_front_matter  # noqa: E402
from wtpfsite.markdown import parse_markdown, parse_markdown_reference  # noqa: E402


def bodies(content: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"en": [], "zh": []}
    for path in sorted(content.rglob("*.md")):
        lang = path.name.split(".")[-2]
        split = split_front_matter(path.read_text("utf-8"), path, ErrorList(content))
        if lang in found and split.meta is not None:
            found[lang].append(split.body)
    return found


def synthetic_content(pages: int, folder: Path) -> Path:
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "scripts" / "synthetic.py")
    synthetic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synthetic)
    synthetic.write_site(folder, pages=pages, seed=1, experts=1, meetings=1, documents=1)
    return folder / "content"


def timed(function, texts: list[str], runs: int) -> tuple[float, list]:
    samples, results = [], []
    for _ in range(runs):
        started = time.perf_counter()
        results = [function(text) for text in texts]
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="synthetic pages (half English, half Chinese)")
    parser.add_argument("--content", type=Path, help="a content folder to read instead of a new synthetic one")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not fastmd.available():
        print("markdown-it-pyrs is not installed: only the reference back end is here", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as temporary:
        content = args.content or synthetic_content(args.pages, Path(temporary))
        texts = bodies(content)

    handed: list[int] = []
    original = fastmd._Walk.reference_block
    fastmd._Walk.reference_block = lambda self, *lines: handed.append(1) or original(self, *lines)
    tree = fastmd._parser(False).tree
    taken: list[int] = []
    rendered = fastmd._rendered
    fastmd._rendered = lambda *a: (lambda made: taken.append(made is not None) or made)(rendered(*a))

    print(f"SYNTHETIC corpus: {content if args.content else f'scripts/synthetic.py, {args.pages} pages'}; "
          f"median of {args.runs} runs, one process\n")
    print("| documents | count | MB | reference s | fast s | walk s | pyrs tree only s | reference / fast "
          "| by the rendered path | whole documents to the reference | blocks to the reference |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for lang, group in texts.items():
        size = sum(len(text.encode("utf-8")) for text in group) / 1e6
        reference, expected = timed(lambda text: parse_markdown_reference(text, 1), group, args.runs)
        handed.clear()
        taken.clear()
        fast, got = timed(lambda text: parse_markdown(text, 1), group, args.runs)
        blocks, by_rendering = len(handed) // args.runs, sum(taken) // args.runs
        walk, walked = timed(lambda text: fastmd.parse(text, 1, rendered=False) or parse_markdown_reference(text, 1),
                             group, args.runs)
        whole = sum(1 for text in group if fastmd.parse(text, 1) is None)
        floor, _ = timed(tree, group, args.runs)
        if [_placed(made, ref) for made, ref in zip(got, expected)] != expected or walked != expected:
            print(f"DIFFERENT RESULTS for the {lang} documents", file=sys.stderr)
            return 1
        print(f"| {lang} | {len(group)} | {size:.1f} | {reference:.2f} | {fast:.2f} | {walk:.2f} | {floor:.2f} | "
              f"{reference / fast:.1f}x | {by_rendering} | {whole} | {blocks} |")
    return 0


def _placed(made, reference):
    """`made` with the links the rendered path left unplaced (markdown.UNPLACED) placed where the reference found
    them, as pages.link_positions places them when an error needs it."""
    from dataclasses import replace

    from wtpfsite.markdown import UNPLACED

    if len(made.links) != len(reference.links):
        return made
    return replace(made, links=tuple(replace(link, line=ref.line, col=ref.col) if link.line == UNPLACED else link
                                     for link, ref in zip(made.links, reference.links)))


if __name__ == "__main__":
    sys.exit(main())
