"""A JPEG's thumbnail is made alone (draft decoding at a fraction of its size), its preview by a later job;
other files get both from one decode."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PIL import Image

from app.context import Context
from app.models import Moment
from app.services import derive
from tests import factories
from tests.mediagen import make_photo


def _uploaded(ctx: Context, project: factories.ProjectRef, path: Path) -> int:
    ctx.jobs.derive = lambda moment_id: None  # the test runs the jobs itself
    return factories.make_moment(ctx, project, path).id


def _long_side(ctx: Context, key: str) -> int:
    with Image.open(ctx.storage.path(key)) as img:
        return max(img.size)


def test_a_jpeg_gets_its_thumbnail_first_and_its_preview_from_a_later_job(
    ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    photo = make_photo(tmp_path / "a.jpg", size=(2400, 1800), colour="blue", taken=datetime(2024, 7, 24, 9))
    moment_id = _uploaded(ctx, project, photo)

    assert derive.derive_moment(moment_id, ctx=ctx) is True  # the preview is left to its own job
    row = factories.fresh(ctx, Moment, moment_id)
    assert row.derive_status == "done" and row.thumb_key and row.preview_key is None
    assert _long_side(ctx, row.thumb_key) == derive.THUMB_PX
    assert not ctx.storage.exists(row.thumb_key.replace("thumb.jpg", "preview.jpg"))

    derive.derive_preview(moment_id, ctx=ctx)
    row = factories.fresh(ctx, Moment, moment_id)
    assert row.preview_key and _long_side(ctx, row.preview_key) == derive.PREVIEW_PX
    assert row.thumb_key and row.derive_status == "done"


def test_a_png_gets_thumbnail_and_preview_from_one_decode(
    ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    photo = make_photo(tmp_path / "a.png", size=(1000, 800), colour="green", fmt="PNG")
    moment_id = _uploaded(ctx, project, photo)

    assert derive.derive_moment(moment_id, ctx=ctx) is False
    row = factories.fresh(ctx, Moment, moment_id)
    assert row.thumb_key and row.preview_key and row.derive_status == "done"
    assert _long_side(ctx, row.thumb_key) == derive.THUMB_PX and _long_side(ctx, row.preview_key) == 1000


def test_an_upload_on_the_inline_queue_ends_with_both_pictures(
    ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    photo = make_photo(tmp_path / "a.jpg", size=(640, 480), colour="red")
    row = factories.fresh(ctx, Moment, factories.make_moment(ctx, project, photo).id)
    assert row.thumb_key and row.preview_key and row.derive_status == "done"
