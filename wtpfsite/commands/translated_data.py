"""`build.py translated content/data/FILE.yaml[#ID[.FIELD]]`: record that the translations of a data file's texts
match their originals.

Each text by language that has a translation gets `translation_of: <revision of its original>` in its map
(`{en: ..., zh: ..., translation_of: 3f2a9c0d1b4e}`), the file edited in place (`base/yamledit.py`). `#ID` limits
it to one record (a meeting's or milestone's id, a document's symbol), `#ID.FIELD` to one of its texts. The
original's text goes to the store of originals, for later diffs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..base.errors import ErrorList, UsageError
from ..base.originals import save_original
from ..base.text import TRANSLATION_OF, text_revision
from ..base.yamledit import apply, child, compose, set_value
from ..content.config import SiteConfig
from ..content.records import DATA_FILES


@dataclass(frozen=True)
class RecordedText:
    path: str  # the data file, as displayed
    where: str  # "meeting 'ieg-3': summary"
    line: int
    previous: str | None
    revision: str


def data_target(config: SiteConfig, given: str) -> tuple[Path, str | None] | None:
    """(the data file, the '#ID[.FIELD]' filter) when `given` names a data file of the site, else None."""
    name, _, selector = given.partition("#")
    path = Path(name).resolve()
    folder = (config.content_dir / "data").resolve()
    return (path, selector or None) if path.parent == folder and path.suffix == ".yaml" else None


def record_data_translations(config: SiteConfig, path: Path, selector: str | None) -> list[RecordedText]:
    """Write `translation_of` into every translated text of the data file (or of the selected record)."""
    shown = ErrorList(config.root).display_path
    schema = next((s for s in DATA_FILES if s.name == path.stem), None)
    if schema is None or not path.is_file():
        raise UsageError(f"{shown(path)} is not a data file of the site (one of "
                         f"{', '.join(s.name + '.yaml' for s in DATA_FILES)} in {shown(config.content_dir / 'data')})")
    text = path.read_text("utf-8")
    try:
        top = compose(text)
    except yaml.YAMLError:
        raise UsageError(f"{shown(path)} does not parse: run build.py check and fix it first") from None
    wanted_record, _, wanted_field = (selector or "").partition(".")
    edits, done = [], []
    default = config.default_language
    items = child(top, schema.list_key)
    for item in items.value if isinstance(items, yaml.SequenceNode) else []:
        if not isinstance(item, yaml.MappingNode):
            continue
        ident = _scalar(item, ("id", "symbol", "name"))
        if wanted_record and ident != wanted_record:
            continue
        for key_node, value_node in item.value:
            field = key_node.value
            if (field not in schema.texts or (wanted_field and field != wanted_field)
                    or not isinstance(value_node, yaml.MappingNode)):
                continue
            entries = {k.value: v for k, v in value_node.value}
            original = entries.get(default)
            translations = [code for code in entries if code not in (default, TRANSLATION_OF)]
            if original is None or not translations:
                continue
            revision = text_revision(original.value)
            save_original(config.root, revision, original.value.strip() + "\n")
            previous = entries.get(TRANSLATION_OF)
            done.append(RecordedText(shown(path), f"{schema.record.split(' ', 1)[1]} '{ident}': {field}",
                                     value_node.start_mark.line + 1, previous.value if previous else None, revision))
            edits.append(set_value(text, value_node, TRANSLATION_OF, revision))
    if selector and not done:
        raise UsageError(f"{shown(path)} has no translated text for '{selector}'")
    if edits:
        staged = path.with_name(path.name + ".translated")
        staged.write_text(apply(text, edits), "utf-8", newline="")
        staged.replace(path)
    return done


def _scalar(item: yaml.MappingNode, keys: tuple[str, ...]) -> str:
    for key, value in item.value:
        if key.value in keys and isinstance(value, yaml.ScalarNode):
            return value.value
    return "?"

