"""Joining the pieces without a second encode: concat demuxer by stream copy, audio muxed, chapters added."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

from media_pipeline.film.ffmpeg import FfmpegError, Processes


def _escape_meta(text: str) -> str:
    """ffmetadata escaping: '=', ';', '#', '\\' and newlines are special."""
    for ch in ("\\", "=", ";", "#", "\n"):
        text = text.replace(ch, "\\" + ch)
    return text


def write_chapters(path: Path, chapters: Sequence[tuple[float, str]], length_s: float, title: str) -> None:
    """An ffmetadata file with one [CHAPTER] per (start s, title); each ends where the next starts."""
    lines = [";FFMETADATA1", f"title={_escape_meta(title)}"]
    for index, (start, name) in enumerate(chapters):
        end = chapters[index + 1][0] if index + 1 < len(chapters) else length_s
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={round(start * 1000)}", f"END={round(end * 1000)}",
                  f"title={_escape_meta(name)}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def join_pieces(procs: Processes, pieces: Sequence[Path], audio: Path, chapters: Path, out_path: Path) -> None:
    """`pieces` (same encoding) end to end, with `audio` and `chapters`, as a faststart MP4 at `out_path`."""
    listing = out_path.with_name(out_path.name + ".txt")
    # the concat demuxer's own quoting: a quote inside a path is written as '\''
    listing.write_text("".join("file '" + str(p.resolve()).replace("'", "'\\''") + "'\n" for p in pieces))
    try:
        procs.run([
            "-f", "concat", "-safe", "0", "-i", listing, "-i", audio, "-f", "ffmetadata", "-i", chapters,
            "-map", "0:v:0", "-map", "1:a:0", "-map_metadata", "2", "-map_chapters", "2",
            "-c", "copy", "-movflags", "+faststart", "-f", "mp4", out_path,
        ])
    finally:
        listing.unlink(missing_ok=True)


def poster(procs: Processes, body: Path, frame: int, out_path: Path) -> None:
    """A JPEG of frame number `frame` (0-based) of `body`, or of its first frame when it has fewer.

    Chosen by frame count, not by seeking to a time: a seek past the last frame of a very short piece
    (a 1 s clip is one frame between its crossfades) gives no picture, and ffmpeg fails the whole film.
    """
    out_path.unlink(missing_ok=True)
    with contextlib.suppress(FfmpegError):  # no frame that far in: the first one below
        procs.run(["-i", body, "-vf", f"trim=start_frame={max(0, frame)}", "-frames:v", "1", "-q:v", "3",
                   "-f", "image2", "-update", "1", out_path])
    if not out_path.is_file() or out_path.stat().st_size == 0:
        procs.run(["-i", body, "-frames:v", "1", "-q:v", "3", "-f", "image2", "-update", "1", out_path])
