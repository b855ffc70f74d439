"""One ffmpeg command per segment (card, photo, clip or lanes), cut into head | body | tail for the joiner.

A photo or clip fills its box (the frame, or one lane of a split screen) the same way: as large as fits,
never stretched, on a blurred darkened copy of itself (`photo_fill`, `clip_fill`).

Every frame is made by ffmpeg filters (scale, blur of a small copy, zoompan, overlay of a Pillow-drawn
caption, fades): compositing frames in Python is 7-12x slower here. The body is encoded with the film's
encoder; head and tail (the frames under the crossfades) are kept lossless for the transition pieces.

A caption is shown only in the body: it fades in after the crossfade into its moment has ended and out
before the crossfade to the next begins, so two lower thirds are never on screen at once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from PIL import Image, ImageEnhance, ImageFilter, ImageOps

from media_pipeline.faces.blur import blur_faces, clip_blur_chains, clip_spans, still_boxes
from media_pipeline.film.captions import CAPTION_STYLE, caption_image
from media_pipeline.film.cards import CARD_STYLE, card_image
from media_pipeline.film.ffmpeg import Processes
from media_pipeline.film.lane_art import LANE_STYLE, label_image, placeholder_image
from media_pipeline.film.lettering import px, rgb, unit
from media_pipeline.film.plan import FilmPlan, Segment, drop_no_faces
from media_pipeline.images import open_image

CACHE_VERSION = 5  # 4: lanes segments; 5: captions only between the crossfades (faces: in the segment key)
CAPTION_FADE_S = 0.3  # a caption fades in after the crossfade into its moment and out before the next one
MIN_CAPTION_S = 0.4  # a moment with less time between its crossfades (a very short clip) gets no burned-in caption:
# a flash nobody can read; its words stay in the WebVTT file
OVERSAMPLE = 2.0  # the Ken Burns source is kept at up to 2x the shown size so zoompan's whole-pixel steps stay small
BLUR_SCALE = 8  # the background is blurred at 1/8 size: cheap, and smooth once scaled up
BACKGROUND_BRIGHTNESS = 0.45
LANE_DIVIDER = 0.004  # of the short side: 4 px at 1080p, in the brand colour
# the same darkening as multiplying R, G and B by BACKGROUND_BRIGHTNESS, done on Y, U and V
DARKEN = "lutyuv=" + ":".join(
    f"{plane}='{mid}+(val-{mid})*{BACKGROUND_BRIGHTNESS}'" for plane, mid in (("y", 16), ("u", 128), ("v", 128))
)


def encoder_args(quality: str, fps: int) -> list[str]:
    """Identical for every piece of a film, so the pieces join by stream copy."""
    preset, crf = ("veryfast", "23") if quality == "final" else ("ultrafast", "30")
    return [
        "-c:v", "libx264", "-preset", preset, "-crf", crf, "-pix_fmt", "yuv420p", "-profile:v", "high",
        "-g", str(fps * 4), "-r", str(fps), "-video_track_timescale", str(fps * 512), "-an",
    ]


LOSSLESS_ARGS = ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p", "-an"]


@dataclass(frozen=True)
class Pieces:
    """A rendered segment in the cache: the body, and the lossless frames under its fades."""

    folder: Path

    @property
    def body(self) -> Path:
        return self.folder / "body.mp4"

    @property
    def head(self) -> Path:
        return self.folder / "head.mkv"

    @property
    def tail(self) -> Path:
        return self.folder / "tail.mkv"


def fingerprint(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def segment_key(seg: Segment, plan: FilmPlan, *, source_id: str, has_head: bool, has_tail: bool) -> str:
    """A hash of everything that shapes the segment's pixels (not its place on the timeline)."""
    shape = {
        "v": CACHE_VERSION,
        "caption_style": CAPTION_STYLE,
        "card_style": CARD_STYLE,
        "lane_style": LANE_STYLE,
        "size": [plan.width, plan.height],
        "fps": plan.fps,
        "quality": plan.quality,
        "encoder": encoder_args(plan.quality, plan.fps),
        "brand": plan.brand_color,
        "transition": plan.transition_frames,
        "head": has_head,
        "tail": has_tail,
        "source": source_id,
        "segment": _shape_of(seg),
        # the opening and closing cards fade from and to black
        "fade": _edge_fade(seg, has_head, has_tail),
    }
    return fingerprint(shape)


def _shape_of(seg: Segment) -> dict[str, Any]:
    shape = {k: v for k, v in asdict(seg).items() if k not in ("id", "start_frame", "chapter", "key", "preview_key",
                                                                "moment_id", "sha256")}
    drop_no_faces(shape)  # a segment with no faces to hide keeps the key it had before faces existed
    return shape


def _edge_fade(seg: Segment, has_head: bool, has_tail: bool) -> tuple[bool, bool]:
    return (seg.card is not None and not has_head, seg.card is not None and not has_tail)


def foreground_size(src_w: int, src_h: int, width: int, height: int) -> tuple[int, int]:
    """The picture's size in the frame: as large as fits (full height unless it is wider than the frame)."""
    scale = min(width / max(1, src_w), height / max(1, src_h))
    fg_w = min(width, max(2, round(src_w * scale / 2) * 2))
    fg_h = min(height, max(2, round(src_h * scale / 2) * 2))
    return fg_w, fg_h


def _split_outputs(
    frames: int, plan: FilmPlan, pieces: Pieces, has_head: bool, has_tail: bool, threads: int
) -> tuple[str, list[Any]]:
    """The graph's end: [v] cut into head/body/tail outputs, and the output arguments."""
    t = plan.transition_frames
    head = t if has_head else 0
    tail = t if has_tail else 0
    outs = [("body", head, frames - tail, pieces.body, encoder_args(plan.quality, plan.fps))]
    if head:
        outs.append(("head", 0, head, pieces.head, LOSSLESS_ARGS))
    if tail:
        outs.append(("tail", frames - tail, frames, pieces.tail, LOSSLESS_ARGS))
    graph = f"[v]split={len(outs)}" + "".join(f"[s{name}]" for name, *_ in outs) + ";"
    graph += ";".join(
        f"[s{name}]trim=start_frame={a}:end_frame={b},setpts=PTS-STARTPTS[o{name}]" for name, a, b, *_ in outs
    )
    args: list[Any] = []
    for name, a, b, path, codec in outs:
        args += ["-map", f"[o{name}]", *codec, "-threads", str(threads), "-frames:v", str(b - a), path]
    return graph, args


def _still_loop(frames: int, fps: int) -> str:
    """One decoded picture repeated as `frames` frames at `fps` (ffmpeg decodes it once)."""
    return f"loop=loop={frames - 1}:size=1:start=0,setpts=N/({fps}*TB)"


def _fades(seg: Segment, plan: FilmPlan, has_head: bool, has_tail: bool) -> str:
    fade_in, fade_out = _edge_fade(seg, has_head, has_tail)
    length = max(plan.transition_frames, round(plan.fps * 0.6))
    length = min(length, seg.frames // 3)
    parts = []
    if fade_in and length:
        parts.append(f"fade=t=in:s=0:n={length}")
    if fade_out and length:
        parts.append(f"fade=t=out:s={seg.frames - length}:n={length}")
    return ("," + ",".join(parts)) if parts else ""


def render_card(procs: Processes, seg: Segment, plan: FilmPlan, *, work: Path, pieces: Pieces, has_head: bool,
                has_tail: bool) -> None:
    """A card: a Pillow-drawn frame held for the segment's length, fading from/to black at the film's ends."""
    assert seg.card is not None
    still = work / f"{seg.id}.card.png"
    card_image(seg.card, plan.width, plan.height, plan.brand_color).save(still, compress_level=1)
    graph = f"[0:v]format=yuv420p,{_still_loop(seg.frames, plan.fps)}{_fades(seg, plan, has_head, has_tail)}[v];"
    split, out_args = _split_outputs(seg.frames, plan, pieces, has_head, has_tail, procs.threads)
    procs.run(["-framerate", str(plan.fps), "-i", still, "-filter_complex", graph + split, *out_args])


@dataclass(frozen=True)
class Overlay:
    """A transparent PNG and where its top-left corner goes in the frame (px)."""

    path: Path
    x: int
    y: int
    caption: bool = False  # a caption shows only between the crossfades (see caption_window)

    def filter(self) -> str:
        return f"overlay=x={self.x}:y={self.y}"


def caption_window(frames: int, transition_frames: int, fps: int, *, has_head: bool, has_tail: bool
                   ) -> tuple[int, int, int]:
    """(first, end, fade) frames of a segment in which its caption shows: none under the crossfades
    (head and tail), fading in over `fade` frames after `first` and out over `fade` frames before `end`."""
    first = transition_frames if has_head else 0
    end = frames - (transition_frames if has_tail else 0)
    fade = min(round(CAPTION_FADE_S * fps), (end - first) // 3)
    return first, end, max(0, fade)


def caption_fits(frames: int, transition_frames: int, fps: int, *, has_head: bool, has_tail: bool) -> bool:
    """Whether the time between a segment's crossfades is long enough to read a burned-in caption."""
    first, end, _ = caption_window(frames, transition_frames, fps, has_head=has_head, has_tail=has_tail)
    return end - first >= max(1, round(MIN_CAPTION_S * fps))


def _caption_chain(number: int, seg: Segment, plan: FilmPlan, has_head: bool, has_tail: bool, tag: str) -> str:
    """A caption still as a stream of the segment's frames, transparent outside its window, faded at its ends."""
    first, end, fade = caption_window(seg.frames, plan.transition_frames, plan.fps, has_head=has_head,
                                      has_tail=has_tail)
    chain = f"[{number}:v]format=rgba,{_still_loop(seg.frames, plan.fps)}"
    if fade:
        # fade in: frame `first` is its first partly shown frame; fade out: frame end-1 its last
        chain += f",fade=t=in:s={first - 1}:n={fade + 1}:alpha=1" if first else f",fade=t=in:s=0:n={fade}:alpha=1"
        chain += f",fade=t=out:s={end - fade}:n={fade}:alpha=1" if end < seg.frames else ""
    return chain + f"[{tag}]"


def caption_png(seg: Segment, plan: FilmPlan, work: Path) -> Overlay:
    """The segment's lower third as a transparent PNG, cropped to what it covers (less to blend per frame)."""
    layer = Image.new("RGBA", (plan.width, plan.height), (0, 0, 0, 0))
    if seg.caption is not None:
        layer = caption_image(seg.caption, plan.width, plan.height, plan.brand_color)
    return replace(_cropped(layer, work / f"{seg.id}.caption.png", 0, 0), caption=True)


def _cropped(layer: Image.Image, path: Path, x: int, y: int) -> Overlay:
    """`layer` saved cropped to what it covers, as an overlay whose full layer's corner is at (x, y) px."""
    left, top, right, bottom = layer.getchannel("A").getbbox() or (0, 0, 2, 2)
    box = (left // 2 * 2, top // 2 * 2, right, bottom)  # even corners keep 4:2:0 chroma aligned
    layer.crop(box).save(path, compress_level=1)
    return Overlay(path, x + box[0], y + box[1])


class Graph:
    """The inputs and filter chains of one ffmpeg command, built piece by piece (input numbers handed out)."""

    def __init__(self) -> None:
        self.args: list[str | Path] = []
        self.chains: list[str] = []
        self.temps: list[Path] = []  # files made for this command, removed once it has run
        self._count = 0

    def input(self, *args: str | Path) -> int:
        """Add one input (its options, then "-i", path); returns its number for "[n:v]"."""
        self.args += list(args)
        self._count += 1
        return self._count - 1

    def still(self, path: Path, fps: int) -> int:
        return self.input("-framerate", str(fps), "-i", path)

    def text(self) -> str:
        return "".join(chain + ";" for chain in self.chains)


def photo_fill(graph: Graph, seg: Segment, source: Path, *, box: tuple[int, int], fps: int, work: Path,
               tag: str) -> None:
    """Chains making [tag]: `seg.frames` frames of `box` (w, h px) filled by the photo as large as fits,
    moving slowly (Ken Burns), on a blurred, darkened copy of itself (never stretched)."""
    w, h = box
    # decoded (JPEG draft) just large enough for the move; EXIF orientation applied by open_image
    probe_w, probe_h = foreground_size(seg.src_width or w, seg.src_height or h, w, h)
    img = open_image(source, fit=(round(probe_w * OVERSAMPLE), round(probe_h * OVERSAMPLE)))
    if seg.faces:  # hidden before anything is made of it, the blurred background included
        img = blur_faces(img, still_boxes(seg.faces))
    fg_w, fg_h = foreground_size(img.width, img.height, w, h)
    scale = min(1.0, OVERSAMPLE * fg_w / img.width)
    base = img if scale >= 1.0 else img.resize(
        (max(fg_w, round(img.width * scale)), max(fg_h, round(img.height * scale))), Image.Resampling.BILINEAR,
        reducing_gap=2.0,
    )
    small = ImageOps.fit(img, (max(2, w // BLUR_SCALE), max(2, h // BLUR_SCALE)), Image.Resampling.BILINEAR)
    small = small.filter(ImageFilter.GaussianBlur(max(1.0, small.width / 60)))
    background = ImageEnhance.Brightness(small).enhance(BACKGROUND_BRIGHTNESS).resize((w, h), Image.Resampling.BICUBIC)
    del img
    base_path, bg_path = work / f"{seg.id}.{tag}.base.ppm", work / f"{seg.id}.{tag}.bg.ppm"
    base.save(base_path)
    background.save(bg_path)
    graph.temps += [base_path, bg_path]
    del base, background, small
    kb = seg.ken_burns
    n = max(1, seg.frames - 1)
    z0, z1 = (kb.zoom_from, kb.zoom_to) if kb else (1.0, 1.0)
    x0, x1, y0, y1 = (kb.x_from, kb.x_to, kb.y_from, kb.y_to) if kb else (0.5, 0.5, 0.5, 0.5)
    zoom = f"{z0}+({z1 - z0})*on/{n}"
    move_x = f"(iw-iw/zoom)*({x0}+({x1 - x0})*on/{n})"
    move_y = f"(ih-ih/zoom)*({y0}+({y1 - y0})*on/{n})"
    bg, fg = graph.still(bg_path, fps), graph.still(base_path, fps)
    graph.chains += [
        f"[{fg}:v]zoompan=z='{zoom}':x='{move_x}':y='{move_y}':d={seg.frames}:s={fg_w}x{fg_h}:fps={fps},"
        f"setsar=1[{tag}fg]",
        f"[{bg}:v]{_still_loop(seg.frames, fps)}[{tag}bg]",
        f"[{tag}bg][{tag}fg]overlay=x={(w - fg_w) // 2}:y={(h - fg_h) // 2}:shortest=1[{tag}]",
    ]


def clip_fill(graph: Graph, seg: Segment, source: Path, *, box: tuple[int, int], fps: int, threads: int,
              tag: str) -> None:
    """Chains making [tag]: `seg.frames` frames of `box` (w, h px): the clip from its planned in-point, upright
    (ffmpeg applies the display matrix), as large as fits on a blurred copy; held on its last frame when
    shorter than the segment."""
    w, h = box
    bw, bh = max(2, w // BLUR_SCALE // 2 * 2), max(2, h // BLUR_SCALE // 2 * 2)
    shown = max(1, round((seg.clip_s or seg.frames / fps) * fps))
    blur = max(1, min(bw, bh) // 12)
    start = seg.clip_in_s or 0.0
    clip = graph.input("-threads", str(threads), "-ss", f"{start:.3f}",
                       "-t", f"{(seg.clip_s or seg.frames / fps) + 1 / fps:.3f}", "-i", source)
    upright = f"[{clip}:v]fps={fps},setpts=PTS-STARTPTS,scale=trunc(iw*sar/2)*2:ih,setsar=1"
    if seg.faces:  # hidden in the source's own frames, before the background copy is made of them
        graph.chains += [f"{upright}[{tag}src]", *clip_blur_chains(
            clip_spans(seg.faces), src=f"{tag}src", out=f"{tag}hid", offset_s=start, tag=tag,
            size=(seg.src_width // 2 * 2, seg.src_height))]
        upright = f"[{tag}hid]null"
    graph.chains += [
        f"{upright},split=2[{tag}c1][{tag}c2]",
        f"[{tag}c1]scale={bw}:{bh}:force_original_aspect_ratio=increase,crop={bw}:{bh},boxblur={blur}:2,"
        f"{DARKEN},scale={w}:{h}[{tag}bg]",
        f"[{tag}c2]scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2[{tag}fg]",
        f"[{tag}bg][{tag}fg]overlay=x=(W-w)/2:y=(H-h)/2,trim=end_frame={shown},"
        f"tpad=stop_mode=clone:stop={seg.frames},trim=end_frame={seg.frames}[{tag}]",
    ]


def render_photo(procs: Processes, seg: Segment, plan: FilmPlan, *, source: Path, caption: Overlay, work: Path,
                 pieces: Pieces, has_head: bool, has_tail: bool) -> None:
    """A photo: a slow zoom and pan over the picture, on a blurred, darkened copy of itself."""
    graph = Graph()
    photo_fill(graph, seg, source, box=(plan.width, plan.height), fps=plan.fps, work=work, tag="pic")
    _finish(procs, graph, seg, plan, [caption], pieces=pieces, has_head=has_head, has_tail=has_tail)


def render_clip(procs: Processes, seg: Segment, plan: FilmPlan, *, source: Path, caption: Overlay, work: Path,
                pieces: Pieces, has_head: bool, has_tail: bool) -> None:
    """A clip from its planned in-point, upright, on a blurred copy; shorter than its segment, it holds its
    last frame."""
    graph = Graph()
    clip_fill(graph, seg, source, box=(plan.width, plan.height), fps=plan.fps, threads=procs.threads, tag="pic")
    _finish(procs, graph, seg, plan, [caption], pieces=pieces, has_head=has_head, has_tail=has_tail)


def _finish(procs: Processes, graph: Graph, seg: Segment, plan: FilmPlan, overlays: list[Overlay], *,
            pieces: Pieces, has_head: bool, has_tail: bool) -> None:
    """[pic] with `overlays` on top, cut into the pieces and encoded: one ffmpeg command."""
    label = "pic"
    fits = caption_fits(seg.frames, plan.transition_frames, plan.fps, has_head=has_head, has_tail=has_tail)
    for index, overlay in enumerate(o for o in overlays if fits or not o.caption):
        if overlay.caption:
            first, end, _ = caption_window(seg.frames, plan.transition_frames, plan.fps, has_head=has_head,
                                           has_tail=has_tail)
            layer = graph.still(overlay.path, plan.fps)
            graph.chains.append(_caption_chain(layer, seg, plan, has_head, has_tail, f"cap{index}"))
            # outside its window the caption is not blended at all: nothing of it under a crossfade
            graph.chains.append(f"[{label}][cap{index}]{overlay.filter()}:eof_action=pass:"
                                f"enable='between(n,{first},{end - 1})'[ov{index}]")
        else:
            layer = graph.input("-i", overlay.path)
            graph.chains.append(f"[{label}][{layer}:v]{overlay.filter()}[ov{index}]")
        label = f"ov{index}"
    graph.chains.append(f"[{label}]format=yuv420p[v]")
    split, out_args = _split_outputs(seg.frames, plan, pieces, has_head, has_tail, procs.threads)
    try:
        procs.run([*graph.args, "-filter_complex", graph.text() + split, *out_args])
    finally:
        for path in graph.temps:
            path.unlink(missing_ok=True)


def lane_boxes(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) px of the two lanes: left | right on a landscape frame, top / bottom on a vertical one,
    each of even size, with a thin divider (at least 2 px) between them."""
    divider = max(2, round(min(width, height) * LANE_DIVIDER))
    if width >= height:
        half = (width - divider) // 2 // 2 * 2
        return [(0, 0, half, height), (width - half, 0, half, height)]
    half = (height - divider) // 2 // 2 * 2
    return [(0, 0, width, half), (0, height - half, width, half)]


def lane_overlays(seg: Segment, plan: FilmPlan, work: Path) -> list[Overlay]:
    """Each lane's caption (drawn for the lane's size) and label, placed in the frame."""
    overlays = []
    for index, (lane, (x, y, w, h)) in enumerate(zip(seg.lanes, lane_boxes(plan.width, plan.height), strict=True)):
        if lane.moment is not None and lane.moment.caption is not None:
            layer = caption_image(lane.moment.caption, w, h, plan.brand_color)
            overlays.append(replace(_cropped(layer, work / f"{seg.id}.{index}.caption.png", x, y), caption=True))
        label = label_image(lane.label, w, h, plan.brand_color)
        margin = px(28, unit(w, h))
        path = work / f"{seg.id}.{index}.label.png"
        label.save(path, compress_level=1)
        overlays.append(Overlay(path, (x + margin) // 2 * 2, (y + margin) // 2 * 2))
    return overlays


def render_lanes(procs: Processes, seg: Segment, plan: FilmPlan, *, sources: list[Path | None],
                 overlays: list[Overlay], work: Path, pieces: Pieces, has_head: bool, has_tail: bool) -> None:
    """Split screen: each lane filled like a photo or clip segment (or its placeholder), side by side on the
    brand colour, which shows as the divider; then captions and labels (`overlays`) on top."""
    graph = Graph()
    boxes = lane_boxes(plan.width, plan.height)
    colour = "0x{:02X}{:02X}{:02X}".format(*rgb(plan.brand_color))
    graph.chains.append(f"color=c={colour}:s={plan.width}x{plan.height}:r={plan.fps},trim=end_frame={seg.frames},"
                        f"setsar=1[lanes]")
    below = "lanes"
    for index, (lane, source, (x, y, w, h)) in enumerate(zip(seg.lanes, sources, boxes, strict=True)):
        tag = f"lane{index}"
        if lane.moment is None or source is None:
            still = work / f"{seg.id}.{index}.placeholder.png"
            placeholder_image(lane.hour, w, h, plan.brand_color).save(still, compress_level=1)
            graph.temps.append(still)
            number = graph.still(still, plan.fps)
            graph.chains.append(f"[{number}:v]format=yuv420p,{_still_loop(seg.frames, plan.fps)}[{tag}]")
        elif lane.moment.kind == "photo":
            photo_fill(graph, lane.moment, source, box=(w, h), fps=plan.fps, work=work, tag=tag)
        else:
            clip_fill(graph, lane.moment, source, box=(w, h), fps=plan.fps, threads=procs.threads, tag=tag)
        above = "pic" if index == len(seg.lanes) - 1 else f"below{index}"
        graph.chains.append(f"[{below}][{tag}]overlay=x={x}:y={y}:eof_action=repeat[{above}]")
        below = above
    _finish(procs, graph, seg, plan, overlays, pieces=pieces, has_head=has_head, has_tail=has_tail)


def render_transition(procs: Processes, tail: Path, head: Path, out: Path, plan: FilmPlan) -> None:
    """The crossfade from one segment's tail into the next one's head, in the film's encoding."""
    t = plan.transition_frames
    graph = (
        f"[0:v]settb=1/{plan.fps},setpts=N,fps={plan.fps}[a];[1:v]settb=1/{plan.fps},setpts=N,fps={plan.fps}[b];"
        f"[a][b]xfade=transition=fade:duration={t / plan.fps:.6f}:offset=0,format=yuv420p[v]"
    )
    procs.run(["-i", tail, "-i", head, "-filter_complex", graph, "-map", "[v]",
               *encoder_args(plan.quality, plan.fps), "-threads", str(procs.threads), "-frames:v", str(t), out])
