"""The moviepy 2 baseline of bench/film.py, run in its own virtual environment (.venv-moviepy).

    make bench-moviepy                                   # builds .venv-moviepy with the `bench-moviepy` extra
    .venv-moviepy/bin/python bench/moviepy_baseline.py RECIPE.json OUT.mp4

moviepy 2.2.1 (its last release) pins Pillow < 12 while dayreel runs on a current Pillow, so the two cannot
share an environment. bench/film.py therefore writes the film as a recipe (plain JSON: card PNGs, files,
sizes, zooms, captions) and runs this script, which imports nothing from dayreel. It prints
`MOVIEPY_SECONDS=<s>`: the composition and encode alone, without interpreter start-up and imports.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter, ImageOps


def render(recipe: dict[str, Any], out: Path) -> None:
    """What a straightforward moviepy 2 script does: a CompositeVideoClip per moment, crossfades, one write."""
    from moviepy import (
        CompositeVideoClip,
        ImageClip,
        TextClip,
        VideoFileClip,
        afx,
        concatenate_videoclips,
        vfx,
    )

    w, h, fps, t = recipe["width"], recipe["height"], recipe["fps"], recipe["transition_s"]
    size_px, font = recipe["font_px"], recipe["font"]
    parts, opened = [], []
    for index, seg in enumerate(recipe["segments"]):
        d = seg["duration"]
        if seg["kind"] == "card":
            part = ImageClip(seg["png"]).with_duration(d)
        else:
            fg_w, fg_h = seg["fg"]
            if seg["kind"] == "photo":
                img = ImageOps.exif_transpose(Image.open(seg["path"])).convert("RGB")
                bg = ImageOps.fit(img, (w // 8, h // 8)).filter(ImageFilter.GaussianBlur(3)).resize((w, h))
                back = ImageClip(np.asarray(bg)).with_duration(d).with_effects([vfx.MultiplyColor(0.45)])
                z0, z1 = seg["zoom"]
                front = (ImageClip(np.asarray(img.resize((fg_w, fg_h)))).with_duration(d)
                         .resized(lambda tt, z0=z0, z1=z1, d=d: z0 + (z1 - z0) * tt / d).with_position("center"))
            else:
                video = VideoFileClip(seg["path"])
                opened.append(video)
                video = video.subclipped(seg["clip_in"], seg["clip_in"] + seg["clip_s"])
                back = video.resized((w, h)).with_effects([vfx.MultiplyColor(0.45)]).without_audio()
                front = video.resized((fg_w, fg_h)).with_position("center")
                if video.audio is not None:
                    front = front.with_effects([afx.AudioNormalize(), afx.AudioFadeIn(t), afx.AudioFadeOut(t)])
            text = TextClip(font=font, text=seg["caption"], font_size=size_px, color="white",
                            bg_color=(0, 0, 0, 128), method="label",
                            duration=d).with_position((round(w * 0.06), "bottom"))
            part = CompositeVideoClip([back, front, text], size=(w, h)).with_duration(d)
        parts.append(part.with_effects([vfx.CrossFadeIn(t)]) if index else part)
    film = concatenate_videoclips(parts, method="compose", padding=-t)
    film.write_videofile(str(out), fps=fps, codec="libx264", preset="veryfast", audio_codec="aac",
                         temp_audiofile=str(out.with_suffix(".audio.m4a")),
                         ffmpeg_params=["-crf", "23", "-pix_fmt", "yuv420p"], threads=os.cpu_count(), logger=None)
    film.close()
    for clip in opened:
        clip.close()


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(f"usage: {sys.argv[0]} RECIPE.json OUT.mp4")
    recipe = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    import moviepy  # noqa: F401  (imported before the clock starts)

    started = time.monotonic()
    render(recipe, Path(sys.argv[2]))
    print(f"MOVIEPY_SECONDS={time.monotonic() - started:.3f}", flush=True)


if __name__ == "__main__":
    main()
