"""python -m app.i18n_import: texts a merged branch still adds to app/locales/<area>.py dicts go into the gettext
catalogues, once, without overwriting what the catalogues say (unless the branch reworded it since --base)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.i18n import LANGUAGES, LOCALES_DIR, catalogue_path
from app.i18n_import import convert, dict_entries, main
from app.upload_errors import SERVER_ERRORS

NEW_MODULE = '''MESSAGES: dict[str, dict[str, str]] = {
    "wall.fresh": {"en": "Just in", "nl": "Net binnen"},  # the newest moment's mark
    "staff.moments": {"en": "All the moments", "nl": "Alle momenten"},
    "wall.count": {"en": ("{n} moment", "{n} moments"), "nl": ("{n} moment", "{n} momenten")},
}
# not text: stays where it is
'''


def _locales(tmp_path: Path) -> Path:
    locales = tmp_path / "app" / "locales"
    for lang in LANGUAGES:
        target = catalogue_path(lang, locales)
        target.parent.mkdir(parents=True)
        shutil.copy(catalogue_path(lang, LOCALES_DIR), target)
    return locales


def _read(locales: Path, lang: str):  # type: ignore[no-untyped-def]
    with catalogue_path(lang, locales).open("rb") as f:
        return read_po(f, locale=lang)


def test_new_keys_go_in_existing_translations_stay_and_the_module_goes(tmp_path: Path) -> None:
    locales = _locales(tmp_path)
    (locales / "wall.py").write_text(NEW_MODULE, encoding="utf-8")
    report = convert(locales)
    assert not (locales / "wall.py").exists() and report.removed == [locales / "wall.py"]
    en, nl = _read(locales, "en"), _read(locales, "nl")
    assert nl["wall.fresh"].string == "Net binnen" and en["wall.fresh"].auto_comments == ["the newest moment's mark"]
    assert nl["wall.count"].string == ("{n} moment", "{n} momenten") and en["wall.count"].pluralizable
    assert en["staff.moments"].string == "Moments"  # the catalogue's text is kept ...
    assert ("staff.moments", "en", "Moments", "All the moments") in report.kept  # ... and the difference told


def test_running_it_again_or_on_a_module_that_reappears_changes_nothing(tmp_path: Path) -> None:
    locales = _locales(tmp_path)
    (locales / "wall.py").write_text(NEW_MODULE, encoding="utf-8")
    convert(locales)
    before = {lang: catalogue_path(lang, locales).read_bytes() for lang in LANGUAGES}
    (locales / "wall.py").write_text(NEW_MODULE, encoding="utf-8")  # a later merge brings it back
    report = convert(locales)
    assert report.added == [] and report.removed == [locales / "wall.py"]
    assert {lang: catalogue_path(lang, locales).read_bytes() for lang in LANGUAGES} == before


def test_what_else_a_merged_module_holds_is_left_for_a_person_unless_it_moved_unchanged(tmp_path: Path) -> None:
    locales = _locales(tmp_path)
    (locales / "contribute.py").write_text(f"{NEW_MODULE}SERVER_ERRORS = {SERVER_ERRORS!r}\n", encoding="utf-8")
    changed = (*SERVER_ERRORS, ("new fragment", "err.new"))
    (locales / "upload.py").write_text(f"{NEW_MODULE}SERVER_ERRORS = {changed!r}\nLIMIT = 3\n", encoding="utf-8")
    report = convert(locales)
    assert report.removed == [locales / "contribute.py"]  # the same list as app/upload_errors.py: nothing lost
    assert report.left == [(locales / "upload.py", ["LIMIT", "SERVER_ERRORS"])]
    left = (locales / "upload.py").read_text(encoding="utf-8")
    assert "MESSAGES" not in left and "err.new" in left and "LIMIT = 3" in left
    assert _read(locales, "nl")["wall.fresh"].string == "Net binnen"


def test_with_a_base_a_branch_s_rewording_wins_and_unchanged_old_text_does_not(tmp_path: Path) -> None:
    locales = _locales(tmp_path)
    git = ["git", "-C", str(tmp_path), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    old = ('MESSAGES = {"staff.moments": {"en": "Moments", "nl": "Momenten"},\n'
           '            "staff.films": {"en": "Films", "nl": "Films"}}\n')
    (locales / "staff.py").write_text(old, encoding="utf-8")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    # the catalogue moved on (the films heading), the branch reworded the moments heading
    (locales / "staff.py").write_text(old.replace('"Momenten"', '"Alle momenten"'), encoding="utf-8")
    before_films = _read(locales, "nl")["staff.films"].string
    report = convert(locales, base_rev="HEAD", repo=tmp_path)
    nl = _read(locales, "nl")
    assert nl["staff.moments"].string == "Alle momenten" and report.updated == ["nl:staff.moments"]
    assert nl["staff.films"].string == before_films and report.kept == []


def test_the_command_prints_what_it_did(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    locales = _locales(tmp_path)
    (locales / "wall.py").write_text(NEW_MODULE, encoding="utf-8")
    assert main(["--locales", str(locales)]) == 0
    out = capsys.readouterr().out
    assert "4 texts added" in out and "1 dict modules removed" in out and "kept the catalogue's en text" in out


def test_a_messages_dict_that_unpacks_another_is_refused_with_its_line() -> None:
    # its entries are not in this source to read: say so instead of literal_eval's "malformed node: None"
    source = 'MESSAGES = {\n    "a": {"en": "A", "nl": "A"},\n    **OTHER,\n}\n'
    with pytest.raises(ValueError, match="unpacks a dict at line 3"):
        dict_entries(source)
    assert dict_entries('MESSAGES = {"a": {"en": "A", "nl": "B"}}\n')["a"].texts == {"en": "A", "nl": "B"}
