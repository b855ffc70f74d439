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
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
from PIL import Image

from media_pipeline.film import audio
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
class _Done:
    seg: Segment
    pieces: Pieces
    cached: bool
    sounds: tuple[tuple[Path, float], ...] = ()  # (clip sound as float PCM, gain dB): two in a lanes segment


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
) -> FilmResult:
    """Render `plan` to `out_path` (MP4, H.264 + AAC, faststart, chapters), its .jpg poster and .vtt captions.

    Segments render in parallel on `workers` processes (default: all cores) and are cached in `cache_dir`.
    A moment that cannot be decoded is left out and named in `skipped` and `log`. Files appear at their
    final paths only when complete. Raises RenderCancelled when `cancelled()` turns true; then nothing is
    left behind (no output, no running ffmpeg).
    """
    log_lock = threading.Lock()

    def say(message: str) -> None:  # jobs log from worker threads; the caller's log need not be thread-safe
        if log is not None:
            with log_lock:
                log(message)

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    cache = Path(cache_dir) / "film"
    cache.mkdir(parents=True, exist_ok=True)
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
        result = renderer.run(out_path, progress)
        if progress is not None:
            progress(1.0, 0.0)
        return result
    except BaseException:
        procs.stop_all()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        procs.stop_all()
        for folder in renderer.scratch:
            shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


class _Renderer:
    def __init__(self, plan: FilmPlan, *, resolve: Resolver, cache: Path, work: Path, procs: Processes,
                 pool: ThreadPoolExecutor, say: Callable[[str], None]) -> None:
        self.plan = plan
        self.resolve = resolve
        self.cache = cache
        self.work = work
        self.procs = procs
        self.pool = pool
        self.say = say
        self.scratch: list[Path] = []  # half-made cache entries, removed if the render stops

    # ---- the three phases -------------------------------------------------------------------------------

    def run(self, out_path: Path, report: ProgressFn | None) -> FilmResult:
        plan = self.plan
        segments = list(plan.segments)
        t = plan.transition_frames
        total_frames = max(1, plan.length_frames)
        cost = sum(s.frames * (CARD_COST if s.card else 1.0) for s in segments)
        cost += t * max(0, len(segments) - 1) + 0.1 * total_frames
        meter = _Progress(cost, report)

        # 1. every segment (and each clip's sound) on its own, in parallel
        futures = {
            self.pool.submit(self._segment, seg, i > 0, i < len(segments) - 1): seg for i, seg in enumerate(segments)
        }
        done: dict[str, _Done] = {}
        skipped: list[tuple[str, str]] = []
        for future, seg in self._as_completed(futures):
            try:
                outcome = future.result()
            except _Skip as skip:
                for moment_id in _moment_ids(seg):
                    skipped.append((moment_id, str(skip)))
                    self.say(f"left out moment {moment_id}: {skip}")
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
                path = self.cache / f"t-{fingerprint([left.pieces.folder.name, right.pieces.folder.name, t])}.mp4"
                transitions.append(path)
                jobs[self.pool.submit(self._transition, left.pieces, right.pieces, path)] = "transition"
        sound_job = self.pool.submit(self._sound, kept, starts, length)
        jobs[sound_job] = "sound"
        for future, _what in self._as_completed(jobs):
            rendered = future.result()
            meter.add(t if _what == "transition" else 0.05 * total_frames, rendered=bool(rendered))
        track = sound_job.result()[1]

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

    def _segment(self, seg: Segment, has_head: bool, has_tail: bool) -> _Done:
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
        key = segment_key(seg, plan, source_id=source_id, has_head=has_head, has_tail=has_tail)
        pieces = Pieces(self.cache / f"s-{key}")
        cached = (pieces.folder / "done").exists()
        if not cached:
            fresh = self._scratch(pieces.folder.name)
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
                try:
                    render(self.procs, seg, plan, source=source, **args)  # type: ignore[arg-type]
                    self._check_frames(Pieces(fresh), seg, has_head, has_tail)
                except _DECODE_ERRORS as error:
                    what = "photo" if seg.kind == "photo" else "clip"
                    raise _Skip(f"the {what} could not be decoded ({_short(error)})") from error
            (fresh / "done").touch()
            self._publish(fresh, pieces.folder)
        if seg.kind == "lanes":
            heard = [(lane.moment, path, side_id) for lane, (path, side_id) in zip(seg.lanes, sides, strict=True)
                     if lane.moment is not None and lane.moment.kind == "clip" and lane.moment.has_audio]
        else:
            heard = [(seg, source, source_id)] if seg.kind == "clip" and seg.has_audio else []
        sounds = [self._clip_sound(side, path, side_id) for side, path, side_id in heard]
        found = [(pcm, gain) for pcm, gain in sounds if pcm is not None]
        if len(found) > 1:
            # both lanes speak at once: each a little lower, so the sum keeps the film's loudness
            found = [(pcm, gain - PAIR_GAIN_DB) for pcm, gain in found]
        return _Done(seg, pieces, cached, tuple(found))

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

    def _clip_sound(self, seg: Segment, source: Path | None, source_id: str) -> tuple[Path | None, float]:
        assert source is not None
        length_s = seg.clip_s or seg.frames / self.plan.fps
        key = fingerprint(["sound", audio.RATE, source_id, seg.clip_in_s, length_s])
        folder = self.cache / f"a-{key}"
        if not (folder / "done").exists():
            fresh = self._scratch(folder.name)
            try:
                audio.extract_clip_audio(self.procs, source, start_s=seg.clip_in_s or 0.0, length_s=length_s,
                                         out_pcm=fresh / "sound.f32", out_json=fresh / "loudness.json")
            except FfmpegError as error:
                self.say(f"moment {seg.moment_id}: no usable sound, shown silent ({_short(error)})")
                return None, 0.0
            (fresh / "done").touch()
            self._publish(fresh, folder)
        return folder / "sound.f32", audio.read_loudness(folder / "loudness.json").gain_db()

    def _transition(self, left: Pieces, right: Pieces, path: Path) -> bool:
        if path.exists():
            return False
        fresh = self._scratch(path.stem)
        render_transition(self.procs, left.tail, right.head, fresh / "t.mp4", self.plan)
        os.replace(fresh / "t.mp4", path)
        shutil.rmtree(fresh, ignore_errors=True)
        return True

    def _sound(self, kept: list[_Done], starts: list[int], length: int) -> tuple[bool, Path]:
        """The film's AAC track, from the cache when the same sounds sit at the same places (a caption edit)."""
        fps, t = self.plan.fps, self.plan.transition_frames
        placed = []
        for index, (outcome, start) in enumerate(zip(kept, starts, strict=True)):
            for pcm, gain_db in outcome.sounds:
                first = audio.samples_at(start, fps)
                placed.append(audio.Placed(
                    pcm, first, audio.samples_at(start + outcome.seg.frames, fps) - first, gain_db,
                    audio.samples_at(t, fps) if index > 0 else 0,
                    audio.samples_at(t, fps) if index < len(kept) - 1 else 0,
                ))
        total = audio.samples_at(length, fps)
        music = self._music()
        key = fingerprint([
            "track", audio.RATE, total, str(music and file_sha256(music)),
            [(p.pcm.parent.name, p.start, p.length, round(p.gain_db, 4), p.fade_in, p.fade_out) for p in placed],
        ])
        track = self.cache / f"track-{key}.m4a"
        if track.exists():
            return False, track
        voices = self.work / "voices.f32"
        has_voices = audio.mix_voices(voices, placed, total) if placed else False
        self.procs.check()
        fresh = self._scratch(track.stem)
        audio.encode_track(self.procs, voices if has_voices else None, total, fresh / "sound.m4a", music=music)
        os.replace(fresh / "sound.m4a", track)
        shutil.rmtree(fresh, ignore_errors=True)
        voices.unlink(missing_ok=True)
        return True, track

    def _poster(self, kept: list[_Done]) -> Path:
        """A still from the middle of the first moment, kept beside it; when that piece gives no picture, the
        next moment's, then the opening card's: a poster never sinks a film that is already made."""
        pictures = [d for d in kept if d.seg.card is None]
        cards = [d for d in kept if d.seg.card is not None]
        for chosen in [*pictures, *cards]:
            path = chosen.pieces.folder / "poster.jpg"
            if path.exists():
                return path
            index = kept.index(chosen)
            t = self.plan.transition_frames
            body_frames = chosen.seg.frames - (t if index > 0 else 0) - (t if index < len(kept) - 1 else 0)
            fresh = self._scratch("poster")
            try:
                poster(self.procs, chosen.pieces.body, max(0, body_frames) // 2, fresh / "poster.jpg")
            except FfmpegError as error:
                self.say(f"poster: no still from {chosen.seg.id} ({_short(error)}); trying the next one")
                continue
            self._publish(fresh / "poster.jpg", path)
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

    def _scratch(self, name: str) -> Path:
        folder = self.cache / f".{name}.{uuid.uuid4().hex[:8]}"
        folder.mkdir()
        self.scratch.append(folder)
        return folder

    @staticmethod
    def _publish(fresh: Path, final: Path) -> None:
        """Move a finished cache entry into place; another render may have just done the same."""
        try:
            os.replace(fresh, final)
        except OSError:
            shutil.rmtree(fresh, ignore_errors=True)

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


__all__ = ["FilmResult", "encoder_args", "render_film"]
