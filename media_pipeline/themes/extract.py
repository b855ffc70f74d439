"""Themes of a day from its captions: YAKE key phrases per caption (Dutch or English), #tags, grouped.

Pure and deterministic: the same moments give the same themes, in the same order. No model is
downloaded: YAKE is statistical, stop words come from `stopwordsiso`, stems from Snowball (so
"wachtrij" and "wachtrijen", "queue" and "queues" are one theme).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from statistics import fmean
from typing import Any

import snowballstemmer
import stopwordsiso
import yake

from media_pipeline.daytime import seconds_of_day
from media_pipeline.types import Moment

LANGUAGES = ("nl", "en")
_STEMMER_NAMES = {"nl": "dutch", "en": "english"}
TAG = re.compile(r"#(\w[\w-]*)")
WORD = re.compile(r"[^\W\d_][\w'’-]*")
PHRASES_PER_CAPTION = 6  # YAKE's best phrases of one caption
MAX_THEMES, MIN_THEMES = 12, 5
MOMENTS_PER_THEME = 3  # fewer moments, fewer themes: a theme of one moment says little
MIN_WORD_LEN = 3
TAG_BONUS = 0.5  # a contributor's own #tag wins a tie with a word that covers as many moments


@dataclass(frozen=True)
class Theme:
    """A group of moments sharing a key phrase, and what the day says about it."""

    key: str  # its stems, space-separated: stable across runs and renames
    name: str  # the phrase as contributors wrote it most often
    moment_ids: tuple[str, ...]  # time-of-day order
    terms: tuple[str, ...]  # stems new moments are matched on
    mean_mood: float | None  # 1-5, None when nobody gave a mood
    hours: tuple[int, ...]  # the distinct hours of the day it has moments in
    first_time: str  # "07:32"
    last_time: str
    customers: int
    employees: int
    others: int  # no role given
    from_tag: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ThemeSet:
    themes: tuple[Theme, ...]
    unthemed: tuple[str, ...]  # moments no theme took

    def to_dict(self) -> dict[str, Any]:
        return {"themes": [t.to_dict() for t in self.themes], "unthemed": list(self.unthemed)}


@dataclass(frozen=True)
class CaptionTerms:
    """What one caption offers: candidate keys (stems) with their weight and surface form, and every stem."""

    keys: Mapping[str, float]  # key -> weight (higher is more relevant)
    surface: Mapping[str, str]  # key -> the words as written
    tags: frozenset[str]  # keys that came from a #tag
    stems: frozenset[str]  # every content word's stem


@lru_cache(maxsize=4)
def stop_words(language: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in stopwordsiso.stopwords(language))


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer(_STEMMER_NAMES[language])


@lru_cache(maxsize=4)
def _extractor(language: str) -> yake.KeywordExtractor:
    return yake.KeywordExtractor(lan=language, n=2, top=PHRASES_PER_CAPTION, dedup_lim=0.9,
                                 stopwords=set(stop_words(language)))


def caption_language(text: str, default: str) -> str:
    """'nl' or 'en': whichever language's own stop words the caption uses more (ties: `default`)."""
    words = [w.casefold() for w in WORD.findall(text)]
    nl, en = stop_words("nl"), stop_words("en")
    score_nl = sum(1 for w in words if w in nl and w not in en)
    score_en = sum(1 for w in words if w in en and w not in nl)
    if score_nl == score_en:
        return default if default in LANGUAGES else "en"
    return "nl" if score_nl > score_en else "en"


def _content_words(text: str, language: str) -> list[str]:
    stops = stop_words(language)
    return [w for w in (t.casefold().strip("'’-") for t in WORD.findall(text))
            if len(w) >= MIN_WORD_LEN and w not in stops]


def _stems(words: Sequence[str], language: str) -> list[str]:
    return list(_stemmer(language).stemWords(list(words)))


def caption_terms(caption: str, default_language: str) -> CaptionTerms:
    """The candidate keys of one caption: its YAKE phrases (and their words), and its #tags."""
    language = caption_language(caption, default_language)
    plain = TAG.sub(lambda m: m.group(1).replace("_", " ").replace("-", " "), caption)
    keys: dict[str, float] = {}
    surface: dict[str, str] = {}
    tags: set[str] = set()

    def add(words: list[str], weight: float, tag: bool = False) -> None:
        if not words:
            return
        key = " ".join(_stems(words, language))
        if weight > keys.get(key, 0.0):
            keys[key], surface[key] = weight, " ".join(words)
        if tag:
            tags.add(key)

    if plain.strip():
        for rank, (phrase, _score) in enumerate(_extractor(language).extract_keywords(plain)):
            words = _content_words(phrase, language)
            weight = 1.0 / (1 + rank)
            if len(words) >= 2:
                add(words[:2], weight)
            for word in words:
                add([word], weight * 0.9)
    for raw in TAG.findall(caption):
        words = _content_words(raw.replace("_", " ").replace("-", " "), language) or [raw.casefold()]
        add(words, 2.0, tag=True)
    # matched in both stemmers' spelling: "Koffie to go" in a Dutch day reads as English, yet is about koffie
    content = _content_words(plain, language)
    stems = frozenset(s for lang in LANGUAGES for s in _stems(content, lang))
    return CaptionTerms(keys, surface, frozenset(tags), stems)


def theme_count_limit(moment_count: int) -> int:
    """How many themes a day of `moment_count` captioned moments gets at most: 5-12, fewer for few moments."""
    return max(1, min(MAX_THEMES, max(min(MIN_THEMES, moment_count // 2), moment_count // MOMENTS_PER_THEME)))


def _time_order(moments: Iterable[Moment]) -> list[Moment]:
    return sorted(moments, key=lambda m: (seconds_of_day(m.local_time), m.id))


def describe_theme(key: str, name: str, terms: Sequence[str], moments: Sequence[Moment], *,
                   from_tag: bool = False) -> Theme:
    """A theme's figures from its moments: mean mood, hours spanned, who contributed (customers/employees)."""
    ordered = _time_order(moments)
    moods = [m.mood for m in ordered if m.mood is not None]
    roles = Counter(m.role for m in ordered)
    return Theme(
        key=key,
        name=name,
        moment_ids=tuple(m.id for m in ordered),
        terms=tuple(sorted(set(terms))),
        mean_mood=round(fmean(moods), 2) if moods else None,
        hours=tuple(sorted({m.local_time.hour for m in ordered})),
        first_time=ordered[0].local_time.strftime("%H:%M") if ordered else "",
        last_time=ordered[-1].local_time.strftime("%H:%M") if ordered else "",
        customers=roles["customer"],
        employees=roles["employee"],
        others=len(ordered) - roles["customer"] - roles["employee"],
        from_tag=from_tag,
    )


def extract_themes(moments: Sequence[Moment], language: str, *, max_themes: int | None = None) -> ThemeSet:
    """Group moments that share key phrases into themes, largest first.

    Greedy and deterministic: the key phrase (or #tag) that covers most moments not yet in a theme
    becomes a theme, until `max_themes` (default `theme_count_limit`) or no phrase is shared by two
    moments any more (a #tag stands even alone). A moment left over joins the theme whose words it
    shares most; one sharing none stays unthemed.
    """
    ordered = _time_order(moments)
    terms = {m.id: caption_terms(m.caption, language) for m in ordered}
    captioned = [m for m in ordered if terms[m.id].stems or terms[m.id].tags]
    limit = max_themes if max_themes is not None else theme_count_limit(len(captioned))
    holders: dict[str, list[str]] = {}
    weight: defaultdict[str, float] = defaultdict(float)
    surfaces: dict[str, Counter[str]] = {}
    tag_keys: set[str] = set()
    for m in captioned:
        t = terms[m.id]
        for key, w in t.keys.items():
            holders.setdefault(key, []).append(m.id)
            weight[key] += w
            surfaces.setdefault(key, Counter())[t.surface[key]] += 1
        tag_keys |= t.tags

    assigned: dict[str, str] = {}
    chosen: list[str] = []
    used_stems: set[str] = set()
    while len(chosen) < limit:
        best: tuple[Any, ...] | None = None
        for key in sorted(holders):
            if key in chosen or used_stems & set(key.split()):
                continue
            cover = [mid for mid in holders[key] if mid not in assigned]
            need = 1 if key in tag_keys else 2
            if len(cover) < need:
                continue
            rank = (len(cover) + (TAG_BONUS if key in tag_keys else 0.0), len(key.split()), weight[key])
            if best is None or rank > best[0]:
                best = (rank, key, cover)
        if best is None:
            break
        _, key, cover = best
        chosen.append(key)
        used_stems |= set(key.split())
        for mid in cover:
            assigned[mid] = key

    members: dict[str, list[str]] = {key: [mid for mid in assigned if assigned[mid] == key] for key in chosen}
    vocab = {key: _vocabulary(key, [terms[mid].stems for mid in members[key]]) for key in chosen}
    for m in captioned:
        if m.id not in assigned:
            home = best_theme(terms[m.id].stems, [(key, key.split(), vocab[key]) for key in chosen])
            if home is not None:
                assigned[m.id] = home
                members[home].append(m.id)
    by_id = {m.id: m for m in ordered}
    themes = [
        describe_theme(key, _name(surfaces[key], key in tag_keys), vocab[key], [by_id[i] for i in members[key]],
                       from_tag=key in tag_keys)
        for key in chosen
    ]
    themes.sort(key=lambda t: (-len(t.moment_ids), t.key))
    return ThemeSet(tuple(themes), tuple(m.id for m in ordered if m.id not in assigned))


def _vocabulary(key: str, member_stems: Sequence[frozenset[str]]) -> tuple[str, ...]:
    """The theme's own stems plus any word at least two of its moments use."""
    counts = Counter(s for stems in member_stems for s in stems)
    return tuple(sorted(set(key.split()) | {s for s, n in counts.items() if n >= 2}))


def best_theme(stems: frozenset[str], themes: Sequence[tuple[str, Sequence[str], Sequence[str]]]) -> str | None:
    """The id of the theme sharing most of `stems`; None if none shares any.

    `themes` are (id, own stems, vocabulary) in order of preference: a word of the theme's own key phrase
    (or name) counts triple, any other word of its vocabulary once; a tie goes to the earlier theme.
    """
    best: tuple[float, int] | None = None
    found = None
    for index, (ident, own_terms, vocab) in enumerate(themes):
        own = set(own_terms)
        score = 3 * len(stems & own) + len(stems & (set(vocab) - own))
        if score > 0 and (best is None or (score, -index) > best):
            best, found = (score, -index), ident
    return found


def _name(surfaces: Counter[str], tag: bool) -> str:
    text = sorted(surfaces.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return f"#{text.replace(' ', '')}" if tag else text[:1].upper() + text[1:]


def name_terms(name: str, language: str) -> tuple[str, ...]:
    """The stems of a theme's name (a staff member's rename or a theme added by hand), in both spellings."""
    return tuple(sorted(caption_terms(name, language).stems))


def suggest_for_themes(new_moments: Sequence[Moment], themes: Sequence[tuple[str, Sequence[str], Sequence[str]]],
                       language: str) -> dict[str, str]:
    """New moments matched to existing themes: moment id -> theme id, for those sharing a theme's words.

    `themes` are (id, own stems, vocabulary) in the staff's order; nothing about them changes.
    """
    found: dict[str, str] = {}
    for m in _time_order(new_moments):
        t = caption_terms(m.caption, language)
        ident = best_theme(t.stems | t.tags, themes)
        if ident is not None:
            found[m.id] = ident
    return found
