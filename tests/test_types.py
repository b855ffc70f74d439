"""Every `# type: ignore` in app/ and media_pipeline/ names the error it silences and says why, as in
`# type: ignore[method-assign]  # FastAPI's documented way to replace the schema`. mypy itself (`make typecheck`,
run by .ci/run) refuses one without a code (ignore-without-code) and one no longer needed (warn_unused_ignores).
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IGNORE = re.compile(r"#\s*type:\s*ignore\b(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")
REASON = re.compile(r"^\s+#\s*\S.{5,}$")  # a second comment after the codes, a few words long


def ignores(source: str) -> list[tuple[int, str]]:
    """(line, comment) of every comment that holds a type: ignore; comments only, never strings."""
    return [(tok.start[0], tok.string) for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type == tokenize.COMMENT and IGNORE.search(tok.string)]


def unexplained(comment: str) -> bool:
    m = IGNORE.search(comment)
    assert m is not None
    return not m["codes"] or not m["codes"].strip("[] ") or not REASON.match(m["rest"])


def test_every_type_ignore_names_its_code_and_reason() -> None:
    bad = [f"{path.relative_to(ROOT)}:{line}: {comment}"
           for package in ("app", "media_pipeline") for path in sorted((ROOT / package).rglob("*.py"))
           for line, comment in ignores(path.read_text())
           if unexplained(comment)]
    assert not bad, "a type: ignore without [code] and  # reason:\n" + "\n".join(bad)


@pytest.mark.parametrize(("comment", "ok"), [
    ("# type: ignore[method-assign]  # FastAPI's documented way to replace the schema", True),
    ("# type: ignore[arg-type, misc]  # PyAV stubs lack Stream.codec_context", True),
    ("# type: ignore", False),
    ("# type: ignore[arg-type]", False),
    ("# type: ignore  # no code given", False),
    ("# type: ignore[]  # empty codes", False),
    ("# type: ignore[attr-defined] # x", False),
])
def test_the_check_tells_an_explained_ignore_from_a_bare_one(comment: str, ok: bool) -> None:
    assert [c for _, c in ignores(f"x = 1  {comment}\n")] == [comment]
    assert unexplained(comment) is not ok


def test_a_type_ignore_inside_a_string_is_not_a_comment() -> None:
    assert ignores('text = "# type: ignore"\n') == []
