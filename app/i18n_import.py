"""Move UI text still kept in Python dicts (app/locales/<area>.py, MESSAGES = {key: {"en": …, "nl": …}}) into the
gettext catalogues app/locales/<lang>/LC_MESSAGES/messages.po, then remove the dict modules.

    python -m app.i18n_import [--base REV] [--keep]

Branches started before the catalogues add keys to those dicts; after a merge brings such a module back, this
puts the new keys into the catalogues. It is idempotent and keeps what the catalogues already say: a key the
catalogue has keeps its text, unless --base names the commit the branch started from and the branch changed that
key's text since then (a reworded sentence), in which case the branch's text wins. A value may be a pair
("1 moment", "{n} moments") for a plural entry (read with _n in templates)."""

from __future__ import annotations

import argparse
import ast
import io
import subprocess
import sys
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import TypeGuard

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from app.i18n import LANGUAGES, LOCALES_DIR, catalogue_path

Text = str | tuple[str, ...]
# names that lived beside the texts in app/locales/<area>.py, and the module they live in now: a merged module
# that still has them unchanged can go
MOVED = {"SERVER_ERRORS": "app.upload_errors"}
# fixed header dates: writing the same entries twice gives the same bytes (no churn in diffs)
HEADER_DATE = datetime(2026, 12, 5, tzinfo=UTC)


@dataclass
class Entry:
    texts: dict[str, Text]
    comment: str = ""


@dataclass
class Report:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[tuple[str, str, str, str]] = field(default_factory=list)  # key, language, catalogue, dict
    removed: list[Path] = field(default_factory=list)
    left: list[tuple[Path, list[str]]] = field(default_factory=list)  # modules that define more than texts


def _assigns_messages(node: ast.stmt) -> TypeGuard[ast.Assign | ast.AnnAssign]:
    target = node.target if isinstance(node, ast.AnnAssign) else (
        node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
    return isinstance(target, ast.Name) and target.id == "MESSAGES"


def dict_entries(source: str) -> dict[str, Entry]:
    """The MESSAGES dict of a locale module's source, read without importing it (a merged file may be anything)."""
    tree = ast.parse(source)
    comments = {tok.start[0]: tok.string.lstrip("# ").strip()
                for tok in tokenize.generate_tokens(io.StringIO(source).readline) if tok.type == tokenize.COMMENT}
    for node in tree.body:
        if _assigns_messages(node) and isinstance(node.value, ast.Dict):
            entries: dict[str, Entry] = {}
            for key_node, value_node in zip(node.value.keys, node.value.values, strict=True):
                if key_node is None:  # `**OTHER`: entries that are not in this source to read
                    raise ValueError(f"MESSAGES unpacks a dict at line {value_node.lineno}; write its entries out")
                key, value = ast.literal_eval(key_node), ast.literal_eval(value_node)
                texts = {lang: tuple(text) if isinstance(text, list | tuple) else str(text)
                         for lang, text in value.items()}
                entries[key] = Entry(texts, comments.get(value_node.end_lineno or key_node.lineno, ""))
            return entries
    return {}


def _without_messages(source: str) -> tuple[str, list[str]]:
    """The module's source with its MESSAGES dict cut out, and the names it still defines that have not moved
    unchanged to where they live now (MOVED); nothing left to keep when that list is empty."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    kept: list[str] = []
    for node in reversed(tree.body):
        if _assigns_messages(node):
            del lines[node.lineno - 1:node.end_lineno]
            continue
        if isinstance(node, ast.Import | ast.ImportFrom) or (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for target in targets:
            name = target.id if isinstance(target, ast.Name) else type(node).__name__
            value = getattr(node, "value", None)
            if name in MOVED and value is not None and _same_as_moved(name, value):
                continue
            kept.append(name)
    return "".join(lines), sorted(kept)


def _same_as_moved(name: str, value: ast.expr) -> bool:
    try:
        return bool(ast.literal_eval(value) == getattr(import_module(MOVED[name]), name))
    except ValueError:
        return False


def dict_modules(locales_dir: Path) -> list[Path]:
    return sorted(p for p in locales_dir.glob("*.py") if p.name != "__init__.py")


def base_entries(rev: str, modules: Iterable[Path], repo: Path) -> dict[str, Entry]:
    """What the dicts said at commit `rev` (a module missing there contributes nothing)."""
    merged: dict[str, Entry] = {}
    for module in modules:
        relative = module.resolve().relative_to(repo.resolve()).as_posix()
        shown = subprocess.run(["git", "-C", str(repo), "show", f"{rev}:{relative}"], capture_output=True, text=True)
        if shown.returncode == 0:
            merged.update(dict_entries(shown.stdout))
    return merged


def load_catalogue(path: Path, lang: str) -> Catalog:
    if path.exists():
        with path.open("rb") as f:
            return read_po(f, locale=lang, domain="messages")
    return Catalog(locale=lang, domain="messages", project="dayreel", version="1", fuzzy=False,
                   creation_date=HEADER_DATE, revision_date=HEADER_DATE,
                   msgid_bugs_address="", last_translator="dayreel", language_team="dayreel",
                   header_comment="# dayreel interface text. msgid is the key templates pass to _() / _n().")


def save_catalogue(catalogue: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalogue, width=0, no_location=True, sort_output=True, ignore_obsolete=True)
    if not path.exists() or path.read_bytes() != buf.getvalue():
        path.write_bytes(buf.getvalue())


def _message(key: str, text: Text, comment: str) -> Message:
    comments = [comment] if comment else []
    if isinstance(text, tuple):
        return Message((key, key), text, auto_comments=comments)
    return Message(key, text, auto_comments=comments)


def _put(catalogue: Catalog, message: Message) -> None:
    """Add or replace (Catalog's own assignment merges into an entry it has and keeps the old text)."""
    key = message.id if isinstance(message.id, str) else message.id[0]
    if key in catalogue:
        del catalogue[key]
    catalogue[key] = message


def _has_text(message: Message | None) -> bool:
    if message is None:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def merge(entries: dict[str, Entry], catalogues: dict[str, Catalog], base: dict[str, Entry] | None,
          report: Report) -> None:
    for key, entry in entries.items():
        for lang, catalogue in catalogues.items():
            text = entry.texts.get(lang)
            if not text:
                continue
            existing = catalogue.get(key)
            if not _has_text(existing):
                _put(catalogue, _message(key, text, entry.comment))
                report.added.append(f"{lang}:{key}")
                continue
            assert existing is not None
            if existing.string == text:
                continue
            was = base[key].texts.get(lang) if base is not None and key in base else None
            if base is not None and was != text:  # the branch reworded it after it started: its text wins
                _put(catalogue, _message(key, text, entry.comment or (existing.auto_comments or [""])[0]))
                report.updated.append(f"{lang}:{key}")
            elif base is None:  # with a base, an unchanged dict text is simply older than the catalogue
                report.kept.append((key, lang, str(existing.string), str(text)))


def convert(locales_dir: Path = LOCALES_DIR, *, base_rev: str | None = None, keep: bool = False,
            repo: Path | None = None) -> Report:
    report = Report()
    modules = dict_modules(locales_dir)
    catalogues = {lang: load_catalogue(catalogue_path(lang, locales_dir), lang) for lang in LANGUAGES}
    base = base_entries(base_rev, modules, repo or locales_dir.parent.parent) if base_rev else None
    for module in modules:
        merge(dict_entries(module.read_text(encoding="utf-8")), catalogues, base, report)
    for lang, catalogue in catalogues.items():
        save_catalogue(catalogue, catalogue_path(lang, locales_dir))
    if not keep:
        for module in modules:
            rest, names = _without_messages(module.read_text(encoding="utf-8"))
            if names:  # something else lives beside the texts: keep it (without the texts) for a person
                module.write_text(rest, encoding="utf-8")
                report.left.append((module, names))
            else:
                module.unlink()
                report.removed.append(module)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.i18n_import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", metavar="REV", help="commit the merged branches started from (their rewordings win)")
    parser.add_argument("--keep", action="store_true", help="leave the dict modules in place")
    parser.add_argument("--locales", type=Path, default=LOCALES_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    report = convert(args.locales, base_rev=args.base, keep=args.keep)
    print(f"{len(report.added)} texts added, {len(report.updated)} reworded, "
          f"{len(report.removed)} dict modules removed")
    for module, names in report.left:
        print(f"left {module} without its texts: it also defines {', '.join(names)}; move that, then delete it")
    for key, lang, catalogue_text, dict_text in report.kept:
        print(f"kept the catalogue's {lang} text of {key}: {catalogue_text!r} (dict: {dict_text!r}); "
              "pass --base REV to take rewordings made on a branch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
