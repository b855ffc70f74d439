"""The film's sound: each clip measured (EBU R128) and brought to one loudness, mixed once for the whole
film with crossfades, and an optional music bed that ducks under the clips and fades in and out.

Where nothing sounds the track is digital silence: zeros, faded in and out so there are no clicks.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from media_pipeline.film.ffmpeg import FfmpegError, Processes

RATE = 48_000
CHANNELS = 2
TARGET_LUFS = -16.0
PEAK_CEILING_DB = -1.0  # true peak kept under this after the gain
MAX_GAIN_DB = 20.0  # a near-silent clip is not pumped into loud noise
MUSIC_LUFS = -27.0  # a bed under -16 LUFS speech, before ducking
CHUNK_SAMPLES = RATE  # one second per chunk keeps the mixer's memory small whatever the film's length
_F32 = "<f4"


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float  # -inf for silence
    true_peak_db: float

    def gain_db(self) -> float:
        """The gain that brings this clip to TARGET_LUFS without its peaks passing PEAK_CEILING_DB."""
        if not math.isfinite(self.integrated_lufs):
            return 0.0
        gain = min(MAX_GAIN_DB, TARGET_LUFS - self.integrated_lufs)
        if math.isfinite(self.true_peak_db):
            gain = min(gain, PEAK_CEILING_DB - self.true_peak_db)
        return gain


def samples_at(frame: int, fps: int) -> int:
    """The audio sample where video frame `frame` starts."""
    return round(frame * RATE / fps)


def extract_clip_audio(
    procs: Processes, source: Path, *, start_s: float, length_s: float, out_pcm: Path, out_json: Path
) -> Loudness:
    """Decode a clip's sound from `start_s` for `length_s` as 48 kHz stereo float PCM and measure it.

    Raises FfmpegError when the clip has no sound that can be decoded.
    """
    stderr = procs.run(
        [
            "-ss", f"{start_s:.3f}", "-t", f"{length_s:.3f}", "-i", source, "-vn", "-sn", "-dn", "-map", "0:a:0",
            "-af", f"aresample={RATE},aformat=sample_fmts=flt:channel_layouts=stereo,ebur128=peak=true:framelog=quiet",
            "-f", "f32le", out_pcm,
        ]
    )
    loudness = _parse_ebur128(stderr)
    out_json.write_text(json.dumps({"i": loudness.integrated_lufs, "peak": loudness.true_peak_db}))
    return loudness


def read_loudness(path: Path) -> Loudness:
    data = json.loads(path.read_text())
    return Loudness(float(data["i"]), float(data["peak"]))


def _parse_ebur128(stderr: str) -> Loudness:
    summary = stderr[stderr.rfind("Summary:"):] if "Summary:" in stderr else stderr
    found_i = re.search(r"I:\s+(-?inf|-?[\d.]+) LUFS", summary)
    found_peak = re.search(r"Peak:\s+(-?inf|-?[\d.]+) dBFS", summary)
    if not found_i:
        raise FfmpegError("no loudness measured")
    return Loudness(float(found_i.group(1)), float(found_peak.group(1)) if found_peak else float("-inf"))


@dataclass(frozen=True)
class Placed:
    """One clip's sound on the film's timeline (in samples)."""

    pcm: Path
    start: int
    length: int
    gain_db: float
    fade_in: int
    fade_out: int


def _envelope(index: np.ndarray, placed: Placed) -> np.ndarray:
    """Gain per sample: equal-power fades at both ends, so crossfades keep a steady level."""
    env = np.full(index.shape, 10 ** (placed.gain_db / 20), dtype=np.float32)
    if placed.fade_in:
        env *= np.sin(np.clip(index / placed.fade_in, 0, 1) * math.pi / 2).astype(np.float32)
    if placed.fade_out:
        env *= np.sin(np.clip((placed.length - index) / placed.fade_out, 0, 1) * math.pi / 2).astype(np.float32)
    return env


def mix_voices(out_path: Path, placed: list[Placed], total_samples: int) -> bool:
    """Write the clips' sound for the whole film as raw float PCM; False when the film has no clip sound."""
    placed = sorted(placed, key=lambda p: p.start)
    sources = {p.pcm: np.memmap(p.pcm, dtype=_F32, mode="r") for p in placed if p.pcm.stat().st_size >= 8}
    with out_path.open("wb") as out:
        for chunk_start in range(0, total_samples, CHUNK_SAMPLES):
            chunk_end = min(total_samples, chunk_start + CHUNK_SAMPLES)
            buf = np.zeros((chunk_end - chunk_start, CHANNELS), dtype=np.float32)
            for p in placed:
                if p.pcm not in sources or p.start >= chunk_end or p.start + p.length <= chunk_start:
                    continue
                a = max(chunk_start, p.start) - p.start
                b = min(chunk_end, p.start + p.length) - p.start
                data = sources[p.pcm].reshape(-1, CHANNELS)[a:b]  # shorter than asked when the clip ends early
                if not len(data):
                    continue
                index = np.arange(a, a + len(data), dtype=np.float32)
                at = p.start + a - chunk_start
                buf[at : at + len(data)] += data * _envelope(index, p)[:, None]
            np.clip(buf, -1.0, 1.0, out=buf)
            out.write(buf.astype(_F32).tobytes())
    del sources
    return bool(placed)


def encode_track(
    procs: Processes, voices: Path | None, total_samples: int, out_path: Path, *, music: Path | None
) -> None:
    """The film's AAC track from the mixed clip sound (or silence) and an optional ducked music bed."""
    length_s = total_samples / RATE
    args: list[str | Path] = []
    if voices is not None:
        args += ["-f", "f32le", "-ar", str(RATE), "-ac", str(CHANNELS), "-i", voices]
    else:
        args += ["-f", "lavfi", "-i", f"anullsrc=r={RATE}:cl=stereo"]
    graph = f"[0:a]atrim=end_sample={total_samples},apad=whole_len={total_samples}[voice]"
    if music is not None:
        fade_in = min(2.0, length_s / 4)
        fade_out = min(3.0, length_s / 4)
        args += ["-stream_loop", "-1", "-i", music]
        graph += (
            f";[1:a]aresample={RATE},aformat=sample_fmts=flt:channel_layouts=stereo,"
            f"loudnorm=I={MUSIC_LUFS}:LRA=7:TP=-6,aresample={RATE},atrim=end_sample={total_samples},"
            f"afade=t=in:d={fade_in:.3f},afade=t=out:st={length_s - fade_out:.3f}:d={fade_out:.3f}[music];"
            "[voice]asplit=2[v][key];"
            # the bed drops by up to ~20 dB while a clip speaks and comes back within half a second
            "[music][key]sidechaincompress=threshold=0.015:ratio=12:attack=40:release=500[ducked];"
            f"[v][ducked]amix=inputs=2:normalize=0:duration=first,atrim=end_sample={total_samples}[out]"
        )
    else:
        graph += ";[voice]anull[out]"
    args += ["-filter_complex", graph, "-map", "[out]", "-c:a", "aac", "-b:a", "160k", "-ar", str(RATE), out_path]
    procs.run(args)
