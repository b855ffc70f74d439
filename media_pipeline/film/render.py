"""FilmPlan -> MP4 + poster + WebVTT: segments in parallel, cached by content, joined without re-encoding.

The film is cut into segment bodies (each segment minus the frames under its crossfades) and short
transition pieces (a crossfade of one segment's tail into the next one's head). Bodies and transitions
share one encoding and are joined by the concat demuxer with stream copy; the sound is mixed once for
the whole film and muxed in. Editing one moment re-renders its segment and the two transitions beside it.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import av
from PIL import Image

from media_pipeline.film import audio
from media_pipeline.film.cache import FilmCache, SharedCache
from media_pipeline.film.captions import write_vtt
from media_pipeline.film.ffmpeg import FfmpegError, Processes
from media_pipeline.film.join import join_pieces, poster, write_chapters
from media_pipeline.film.plan import FilmPlan, Segment, start_frames
from media_pipeline.film.segments import (
    Pieces,
    caption_fits,
    caption_png,
    caption_window,
    encoder_args,
    file_sha256,
    fingerprint,
    foreground_size,
    lane_overlays,
    render_card,
    render_clip,
    render_lanes,
    render_photo,
    render_transition,
    segment_key,
)
from media_pipeline.types import CancelFn, MediaError, ProgressFn, RenderCancelled, Resolver

CARD_COST = 0.25  # a card costs about a quarter of a picture segment per frame (no decoding, easy to encode)
KEN_BURNS_HEADROOM = 1.15  # a preview is big enough when it covers the picture at the deepest zoom
PAIR_GAIN_DB = 3.0  # two normalised voices at once sum ~3 dB louder than one: each gives that up
_DECODE_ERRORS = (FfmpegError, MediaError, OSError, ValueError, Image.DecompressionBombError, av.error.FFmpegError)


@dataclass(frozen=True)
class FilmResult:
    """What a render made, and what it had to leave out as (moment id, reason)."""

    video_path: Path
    poster_path: Path
    vtt_path: Path
    duration_s: float
    skipped: list[tuple[str, str]] = field(default_factory=list)
    segments_rendered: int = 0
    segments_cached: int = 0


class _Skip(Exception):
    """A moment that cannot be used; the film goes on without it."""


@dataclass(frozen=True)
class SegmentOutcome:
    """What rendering segment `index` of a plan left in the cache, as plain data (JSON-friendly): another
    process, on another machine, joins the film from it with `render_film(..., outcomes=...)`."""

    index: int
    entry: str = ""  # the cache entry holding its pieces; "" when it was left out
    sounds: tuple[str, ...] = ()  # cache entries of the clip sounds it carries (two in a lanes segment)
    cached: bool = False  # found in the cache, not rendered now
    skipped: tuple[tuple[str, str], ...] = ()  # (moment id, reason) when it was left out
    notes: tuple[str, ...] = ()  # lines for the render's log

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "entry": self.entry, "sounds": list(self.sounds), "cached": self.cached,
                "skipped": [list(item) for item in self.skipped], "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SegmentOutcome:
        return cls(int(data["index"]), str(data.get("entry", "")), tuple(data.get("sounds", ())),
                   bool(data.get("cached")), tuple((str(m), str(r)) for m, r in data.get("skipped", ())),
                   tuple(data.get("notes", ())))


@dataclass(frozen=True)
class _Made:
    """A segment in the cache, by entry names: what one job made or found."""

    seg: Segment
    entry: str
    cached: bool
    sounds: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Done:
    """A segment ready to join: its pieces and sounds as local files."""

    seg: Segment
    entry: str
    pieces: Pieces
    cached: bool
    sounds: tuple[tuple[str, Path, float], ...] = ()  # (entry, clip sound as float PCM, gain dB)


class _Progress:
    """Fraction done by estimated cost; seconds left from the pace of work actually rendered (not cached)."""

    def __init__(self, total: float, report: ProgressFn | None) -> None:
        self.total = max(total, 1e-9)
        self.report = report
        self.done = 0.0
        self.rendered = 0.0
        self.started = time.monotonic()

    def add(self, cost: float, *, rendered: bool) -> None:
        self.done += cost
        if rendered:
            self.rendered += cost
        if self.report is None:
            return
        fraction = min(0.99, self.done / self.total)
        elapsed = time.monotonic() - self.started
        left = (self.total - self.done) * elapsed / self.rendered if self.rendered > 0 else None
        self.report(fraction, None if left is None else max(0.0, left))


def render_film(
    plan: FilmPlan,
    out_path: Path,
    *,
    resolve: Resolver,
    cache_dir: Path,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
    workers: int | None = None,
    log: Callable[[str], None] | None = None,
    shared: SharedCache | None = None,
    outcomes: Mapping[int, SegmentOutcome] | None = None,
) -> FilmResult:
    """Render `plan` to `out_path` (MP4, H.264 + AAC, faststart, chapters), its .jpg poster and .vtt captions.

    Segments render in parallel on `workers` processes (default: all cores) and are cached in `cache_dir`
    (and in `shared`, a cache other machines see, when given). Segments with an entry in `outcomes` (by
    index; what `render_segment` returned elsewhere) are taken from the cache as they are; one whose entry
    has gone meanwhile is made again. A moment that cannot be decoded is left out and named in `skipped`
    and `log`. Files appear at their final paths only when complete. Raises RenderCancelled when
    `cancelled()` turns true; then nothing is left behind (no output, no running ffmpeg).
    """
    say = _locked(log)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    cache = FilmCache(cache_dir, shared)
    work = Path(tempfile.mkdtemp(prefix=".film-", dir=out_path.parent))
    cores = os.cpu_count() or 1
    jobs = max(1, workers or cores)
    # every ffmpeg gets its share of the cores (at least 2, so the last job of a render is not single-threaded);
    # fewer threads per process also means fewer frames in flight, which keeps memory bounded
    procs = Processes(cancelled, threads=max(2, cores // jobs))
    pool = ThreadPoolExecutor(max_workers=jobs)
    renderer = _Renderer(plan, resolve=resolve, cache=cache, work=work, procs=procs, pool=pool, say=say)
    try:
        if progress is not None:
            progress(0.0, None)
        result = renderer.run(out_path, progress, dict(outcomes or {}))
        if progress is not None:
            progress(1.0, 0.0)
        return result
    except BaseException:
        procs.stop_all()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        procs.stop_all()
        cache.clean()
        shutil.rmtree(work, ignore_errors=True)


def render_segment(
    plan: FilmPlan,
    index: int,
    *,
    resolve: Resolver,
    cache_dir: Path,
    cancelled: CancelFn | None = None,
    threads: int | None = None,
    shared: SharedCache | None = None,
) -> SegmentOutcome:
    """Make segment `index` of `plan` (its pieces and its clip's sound) in the cache, unless it is there.

    The piece of work one machine does when a film is spread over several: each renders some segments into
    a cache they share (`shared`), then one joins them with `render_film(..., outcomes=...)`. A moment that
    cannot be decoded gives an outcome with `skipped` set; ffmpeg gets `threads` threads (default all cores).
    Raises RenderCancelled when `cancelled()` turns true, leaving no scratch files and no running ffmpeg.
    """
    notes: list[str] = []
    cache = FilmCache(cache_dir, shared)
    work = Path(tempfile.mkdtemp(prefix=".segment-", dir=cache.folder))
    procs = Processes(cancelled, threads=threads or os.cpu_count() or 1)
    renderer = _Renderer(plan, resolve=resolve, cache=cache, work=work, procs=procs, pool=None, say=notes.append)
    segments = plan.segments
    seg = segments[index]
    try:
        made = renderer.segment(seg, index > 0, index < len(segments) - 1)
        return SegmentOutcome(index, made.entry, made.sounds, made.cached, notes=tuple(notes))
    except _Skip as skip:
        left_out = tuple((moment_id, str(skip)) for moment_id in _moment_ids(seg))
        return SegmentOutcome(index, skipped=left_out, notes=tuple(notes))
    finally:
        procs.stop_all()
        cache.clean()
        shutil.rmtree(work, ignore_errors=True)


def _locked(log: Callable[[str], None] | None) -> Callable[[str], None]:
    """`log` for calls from worker threads: the caller's log need not be thread-safe."""
    lock = threading.Lock()

    def say(message: str) -> None:
        if log is not None:
            with lock:
                log(message)

    return say


class _Renderer:
    def __init__(self, plan: FilmPlan, *, resolve: Resolver, cache: FilmCache, work: Path, procs: Processes,
                 pool: ThreadPoolExecutor | None, say: Callable[[str], None]) -> None:
        self.plan = plan
        self.resolve = resolve
        self.cache = cache
        self.work = work
        self.procs = procs
        self.pool = cast(ThreadPoolExecutor, pool)  # only run() uses it
        self.say = say

    # ---- the three phases -------------------------------------------------------------------------------

    def run(self, out_path: Path, report: ProgressFn | None, outcomes: dict[int, SegmentOutcome]) -> FilmResult:
        plan = self.plan
        segments = list(plan.segments)
        t = plan.transition_frames
        total_frames = max(1, plan.length_frames)
        done: dict[str, _Done] = {}
        skipped: list[tuple[str, str]] = []
        cost = sum(s.frames * (CARD_COST if s.card else 1.0) for s in segments)
        cost += t * max(0, len(segments) - 1) + 0.1 * total_frames
        meter = _Progress(cost, report)

        # 1. every segment (and each clip's sound) on its own, in parallel; a segment made elsewhere (`outcomes`)
        # is fetched from the cache, or made again when its entry has gone meanwhile
        futures: dict[Future[Any], Segment] = {}
        for i, seg in enumerate(segments):
            known = outcomes.get(i)
            if known is not None:
                for note in known.notes:
                    self.say(note)
                if known.skipped:
                    self._left_out(known.skipped, skipped)
                    continue
            futures[self.pool.submit(self._ready, seg, i > 0, i < len(segments) - 1, known)] = seg
        for future, seg in self._as_completed(futures):
            try:
                outcome = future.result()
            except _Skip as skip:
                self._left_out(tuple((moment_id, str(skip)) for moment_id in _moment_ids(seg)), skipped)
                meter.add(seg.frames, rendered=False)
                continue
            done[seg.id] = outcome
            meter.add(seg.frames * (CARD_COST if seg.card else 1.0), rendered=not outcome.cached)
        kept = _without_empty_chapters([done[s.id] for s in segments if s.id in done])
        in_order = [moment_id for s in segments for moment_id in _moment_ids(s)]
        skipped.sort(key=lambda item: in_order.index(item[0]))

        # 2. transitions between neighbours that are left, and the sound of the whole film
        starts = start_frames([d.seg.frames for d in kept], t)
        length = starts[-1] + kept[-1].seg.frames
        transitions: list[Path] = []
        jobs: dict[Future[Any], str] = {}
        if t:
            for left, right in itertools.pairwise(kept):
                name = f"t-{fingerprint([left.entry, right.entry, t])}.mp4"
                jobs[self.pool.submit(self._transition, left.pieces, right.pieces, name)] = "transition"
        sound_job = self.pool.submit(self._sound, kept, starts, length)
        jobs[sound_job] = "sound"
        transition_paths: dict[Future[Any], Path] = {}
        for future, _what in self._as_completed(jobs):
            rendered, path = future.result()
            transition_paths[future] = path
            meter.add(t if _what == "transition" else 0.05 * total_frames, rendered=bool(rendered))
        transitions = [transition_paths[f] for f, what in jobs.items() if what == "transition"]
        track = transition_paths[sound_job]

        # 3. join by stream copy, then move the finished files into place
        pieces: list[Path] = []
        for index, outcome in enumerate(kept):
            pieces.append(outcome.pieces.body)
            if index < len(transitions):
                pieces.append(transitions[index])
        fps = plan.fps
        chapters: list[tuple[float, str]] = []
        for outcome, start in zip(kept, starts, strict=True):
            if not chapters or chapters[-1][1] != outcome.seg.chapter:
                chapters.append((0.0 if not chapters else (start + t / 2) / fps, outcome.seg.chapter))
        chapter_file = self.work / "chapters.txt"
        write_chapters(chapter_file, chapters, length / fps, plan.title)
        video_tmp = self.work / "film.mp4"
        join_pieces(self.procs, pieces, track, chapter_file, video_tmp)
        vtt_tmp = self.work / "film.vtt"
        write_vtt(vtt_tmp, _cues(kept, starts, t, fps))
        poster_tmp = self.work / "poster.jpg"
        shutil.copyfile(self._poster(kept), poster_tmp)
        meter.add(0.05 * total_frames, rendered=True)
        self.procs.check()

        poster_path, vtt_path = out_path.with_suffix(".jpg"), out_path.with_suffix(".vtt")
        os.replace(poster_tmp, poster_path)
        os.replace(vtt_tmp, vtt_path)
        os.replace(video_tmp, out_path)
        rendered = sum(1 for d in done.values() if not d.cached)
        self.say(f"film {length / fps:.1f} s: {rendered} segments rendered, {len(done) - rendered} from cache, "
                 f"{len(skipped)} moments left out")
        return FilmResult(out_path, poster_path, vtt_path, length / fps, skipped, rendered, len(done) - rendered)

    def _left_out(self, items: tuple[tuple[str, str], ...], skipped: list[tuple[str, str]]) -> None:
        for moment_id, reason in items:
            skipped.append((moment_id, reason))
            self.say(f"left out moment {moment_id}: {reason}")

    def _as_completed(self, futures: dict[Future[Any], Any]) -> Any:
        """Yield (future, tag) as they finish, checking for cancellation in between."""
        pending = set(futures)
        while pending:
            self.procs.check()
            finished, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            for future in finished:
                error = future.exception()
                if error is not None and not isinstance(error, _Skip):
                    self.procs.stop_all()
                    if isinstance(error, RenderCancelled):
                        raise RenderCancelled("The render was cancelled.") from error
                    raise error
                yield future, futures[future]

    # ---- jobs (run on the pool) -------------------------------------------------------------------------

    def _ready(self, seg: Segment, has_head: bool, has_tail: bool, known: SegmentOutcome | None) -> _Done:
        if known is not None and (adopted := self._adopt(seg, known)) is not None:
            return adopted
        made = self.segment(seg, has_head, has_tail)
        done = self._resolved(made)
        if done is None:
            raise FileNotFoundError(f"the cache entry {made.entry} went missing while the film was made")
        return done

    def _adopt(self, seg: Segment, outcome: SegmentOutcome) -> _Done | None:
        """The segment another job made, from the cache; None when it was left out or its entries are gone."""
        if outcome.skipped or not outcome.entry:
            return None
        return self._resolved(_Made(seg, outcome.entry, outcome.cached, outcome.sounds))

    def _resolved(self, made: _Made) -> _Done | None:
        folder = self.cache.find(made.entry)
        if folder is None:
            return None
        sounds = []
        for entry in made.sounds:
            sound = self.cache.find(entry)
            if sound is None:
                return None
            sounds.append((entry, sound / "sound.f32", audio.read_loudness(sound / "loudness.json").gain_db()))
        if len(sounds) > 1:
            # both lanes speak at once: each a little lower, so the sum keeps the film's loudness
            sounds = [(entry, pcm, gain - PAIR_GAIN_DB) for entry, pcm, gain in sounds]
        return _Done(made.seg, made.entry, Pieces(folder), made.cached, tuple(sounds))

    def segment(self, seg: Segment, has_head: bool, has_tail: bool) -> _Made:
        """Make one segment's pieces and sounds in the cache (or find them there); raises _Skip."""
        self.procs.check()
        plan = self.plan
        source: Path | None = None
        source_id = ""
        sides: list[tuple[Path | None, str]] = []
        if seg.kind == "lanes":
            # one lane that cannot be read takes its pair with it: the film is not left with half a picture
            sides = [self._source(lane.moment) if lane.moment else (None, "") for lane in seg.lanes]
            source_id = "|".join(side_id for _, side_id in sides)
        elif seg.card is None:
            source, source_id = self._source(seg)
        entry = f"s-{segment_key(seg, plan, source_id=source_id, has_head=has_head, has_tail=has_tail)}"
        cached = self.cache.holds(entry)
        if not cached:
            fresh = self.cache.scratch(entry)
            args: dict[str, Any] = {"work": self.work, "pieces": Pieces(fresh), "has_head": has_head,
                                    "has_tail": has_tail}
            if seg.card is not None:
                render_card(self.procs, seg, plan, **args)
            elif seg.kind == "lanes":
                overlays = lane_overlays(seg, plan, self.work)
                try:
                    render_lanes(self.procs, seg, plan, sources=[path for path, _ in sides], overlays=overlays,
                                 **args)
                    self._check_frames(Pieces(fresh), seg, has_head, has_tail)
                except _DECODE_ERRORS as error:
                    raise _Skip(f"a picture of its pair could not be decoded ({_short(error)})") from error
            else:
                # drawn before decoding starts, so a fault in our own drawing is not blamed on the file
                args["caption"] = caption_png(seg, plan, self.work)
                render = render_photo if seg.kind == "photo" else render_clip
                assert source is not None, "a photo or clip segment: _source(seg) above found its file"
                try:
                    render(self.procs, seg, plan, source=source, **args)
                    self._check_frames(Pieces(fresh), seg, has_head, has_tail)
                except _DECODE_ERRORS as error:
                    what = "photo" if seg.kind == "photo" else "clip"
                    raise _Skip(f"the {what} could not be decoded ({_short(error)})") from error
            self.cache.keep(entry, fresh)
        if seg.kind == "lanes":
            heard = [(lane.moment, path, side_id) for lane, (path, side_id) in zip(seg.lanes, sides, strict=True)
                     if lane.moment is not None and lane.moment.kind == "clip" and lane.moment.has_audio]
        else:
            heard = [(seg, source, source_id)] if seg.kind == "clip" and seg.has_audio else []
        sounds = [self._clip_sound(side, path, side_id) for side, path, side_id in heard]
        return _Made(seg, entry, cached, tuple(name for name in sounds if name is not None))

    def _source(self, seg: Segment) -> tuple[Path, str]:
        """The file to read (a preview when it is big enough) and an id of its content for the cache key."""
        try:
            original = Path(self.resolve(seg.key or ""))
        except Exception as error:  # the resolver is the caller's (storage): any failure means "not there"
            raise _Skip(f"its file could not be found ({_short(error)})") from error
        if not original.is_file():
            raise _Skip("its file could not be found")
        content = seg.sha256 or file_sha256(original)
        if seg.kind == "photo" and seg.preview_key:
            preview = self._usable_preview(seg)
            if preview is not None:
                return preview, f"{content}:preview"
        return original, content

    def _usable_preview(self, seg: Segment) -> Path | None:
        try:
            path = Path(self.resolve(seg.preview_key or ""))
            with Image.open(path) as img:
                size = img.size
        except Exception:  # a missing or broken preview only means we read the original
            return None
        need_w, need_h = foreground_size(seg.src_width or size[0], seg.src_height or size[1],
                                         self.plan.width, self.plan.height)
        need = max(need_w, need_h) * KEN_BURNS_HEADROOM
        return path if max(size) >= need else None

    def _clip_sound(self, seg: Segment, source: Path | None, source_id: str) -> str | None:
        """The cache entry of the clip's sound (float PCM and its loudness), made when missing; None when the
        clip has no usable sound."""
        assert source is not None
        length_s = seg.clip_s or seg.frames / self.plan.fps
        entry = f"a-{fingerprint(['sound', audio.RATE, source_id, seg.clip_in_s, length_s])}"
        if not self.cache.holds(entry):
            fresh = self.cache.scratch(entry)
            try:
                audio.extract_clip_audio(self.procs, source, start_s=seg.clip_in_s or 0.0, length_s=length_s,
                                         out_pcm=fresh / "sound.f32", out_json=fresh / "loudness.json")
            except FfmpegError as error:
                self.say(f"moment {seg.moment_id}: no usable sound, shown silent ({_short(error)})")
                return None
            self.cache.keep(entry, fresh)
        return entry

    def _transition(self, left: Pieces, right: Pieces, name: str) -> tuple[bool, Path]:
        found = self.cache.find(name)
        if found is not None:
            return False, found
        fresh = self.cache.scratch(name)
        render_transition(self.procs, left.tail, right.head, fresh / "t.mp4", self.plan)
        return True, self.cache.keep(name, fresh / "t.mp4")

    def _sound(self, kept: list[_Done], starts: list[int], length: int) -> tuple[bool, Path]:
        """The film's AAC track, from the cache when the same sounds sit at the same places (a caption edit)."""
        fps, t = self.plan.fps, self.plan.transition_frames
        placed = []
        entries = []
        for index, (outcome, start) in enumerate(zip(kept, starts, strict=True)):
            for entry, pcm, gain_db in outcome.sounds:
                first = audio.samples_at(start, fps)
                placed.append(audio.Placed(
                    pcm, first, audio.samples_at(start + outcome.seg.frames, fps) - first, gain_db,
                    audio.samples_at(t, fps) if index > 0 else 0,
                    audio.samples_at(t, fps) if index < len(kept) - 1 else 0,
                ))
                entries.append(entry)
        total = audio.samples_at(length, fps)
        music = self._music()
        key = fingerprint([
            "track", audio.RATE, total, str(music and file_sha256(music)),
            [(entry, p.start, p.length, round(p.gain_db, 4), p.fade_in, p.fade_out)
             for entry, p in zip(entries, placed, strict=True)],
        ])
        name = f"track-{key}.m4a"
        found = self.cache.find(name)
        if found is not None:
            return False, found
        voices = self.work / "voices.f32"
        has_voices = audio.mix_voices(voices, placed, total) if placed else False
        self.procs.check()
        fresh = self.cache.scratch(name)
        audio.encode_track(self.procs, voices if has_voices else None, total, fresh / "sound.m4a", music=music)
        voices.unlink(missing_ok=True)
        return True, self.cache.keep(name, fresh / "sound.m4a")

    def _poster(self, kept: list[_Done]) -> Path:
        """A still from the middle of the first moment, kept beside it; when that piece gives no picture, the
        next moment's, then the opening card's: a poster never sinks a film that is already made."""
        pictures = [d for d in kept if d.seg.card is None]
        cards = [d for d in kept if d.seg.card is not None]
        for chosen in [*pictures, *cards]:
            name = f"{chosen.entry}-poster.jpg"
            found = self.cache.find(name)
            if found is not None:
                return found
            index = kept.index(chosen)
            t = self.plan.transition_frames
            body_frames = chosen.seg.frames - (t if index > 0 else 0) - (t if index < len(kept) - 1 else 0)
            fresh = self.cache.scratch(name)
            try:
                poster(self.procs, chosen.pieces.body, max(0, body_frames) // 2, fresh / "poster.jpg")
            except FfmpegError as error:
                self.say(f"poster: no still from {chosen.seg.id} ({_short(error)}); trying the next one")
                continue
            path = self.cache.keep(name, fresh / "poster.jpg")
            if path.exists():
                return path
        raise FfmpegError("no segment of the film gave a still for its poster")

    def _music(self) -> Path | None:
        if not self.plan.music_key:
            return None
        try:
            path = Path(self.resolve(self.plan.music_key))
        except Exception as error:  # the resolver is the caller's: a missing bed leaves the film without music
            self.say(f"music left out: its file could not be found ({_short(error)})")
            return None
        if not path.is_file():
            self.say("music left out: its file could not be found")
            return None
        return path

    # ---- helpers ----------------------------------------------------------------------------------------

    def _check_frames(self, pieces: Pieces, seg: Segment, has_head: bool, has_tail: bool) -> None:
        """Every piece has exactly its frames, or the join would drift: a clip that decodes to nothing fails."""
        t = self.plan.transition_frames
        expected = {pieces.body: seg.frames - (t if has_head else 0) - (t if has_tail else 0)}
        if has_head and t:
            expected[pieces.head] = t
        if has_tail and t:
            expected[pieces.tail] = t
        for path, frames in expected.items():
            with av.open(str(path)) as container:
                count = sum(1 for packet in container.demux(video=0) if packet.size)
            if count != frames:
                raise MediaError(f"{path.name} has {count} frames, not {frames}")


def _without_empty_chapters(kept: list[_Done]) -> list[_Done]:
    """A chapter card whose moments were all left out goes too."""
    result: list[_Done] = []
    for index, outcome in enumerate(kept):
        following = kept[index + 1] if index + 1 < len(kept) else None
        is_chapter = outcome.seg.card is not None and outcome.seg.card.style == "chapter"
        if is_chapter and (following is None or following.seg.card is not None):
            continue
        result.append(outcome)
    return result


def _cues(kept: list[_Done], starts: list[int], t: int, fps: int) -> list[tuple[float, float, str]]:
    """Caption cues in seconds, when the burned-in caption shows: between the crossfades, never two at once."""
    cues = []
    for index, (outcome, start) in enumerate(zip(kept, starts, strict=True)):
        text = outcome.seg.cue_text()
        if not text:
            continue
        edges = {"has_head": index > 0, "has_tail": index < len(kept) - 1}
        first, end, _ = caption_window(outcome.seg.frames, t, fps, **edges)
        if not caption_fits(outcome.seg.frames, t, fps, **edges):  # not burned in: the cue alone, mid-crossfades
            first, end = (t // 2 if edges["has_head"] else 0), outcome.seg.frames - (t // 2 if edges["has_tail"] else 0)
        cues.append((round((start + first) / fps, 3), round((start + end) / fps, 3), text))
    return cues


def _moment_ids(seg: Segment) -> list[str]:
    """The moments a segment shows (none for a card, two for a full pair of lanes)."""
    if seg.lanes:
        return [lane.moment.moment_id or lane.moment.id for lane in seg.lanes if lane.moment]
    return [seg.moment_id] if seg.moment_id else ([] if seg.card else [seg.id])


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[-1][:200] if text else type(error).__name__


__all__ = ["FilmResult", "SegmentOutcome", "encoder_args", "render_film", "render_segment"]
