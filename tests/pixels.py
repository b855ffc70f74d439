"""Pixels of a Pillow image as tuples, on every Pillow we support (getdata is deprecated from 12.1, gone in 14)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PIL import Image


def pixels(img: Image.Image) -> Sequence[Any]:
    flattened = getattr(img, "get_flattened_data", None)
    return list(flattened() if flattened is not None else img.getdata())
