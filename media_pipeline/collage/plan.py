"""Moments + options -> CollagePlan. Pure and deterministic: no media is opened (sizes come from
`Moment.width/height`), text is only measured."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

from media_pipeline.collage import clock, grid, lanes, mosaic, timeline
from media_pipeline.collage.capacity import default_max_tiles, fair_ranking, take
from media_pipeline.collage.draw import ink_on, layout_label, parse_colour, title_band
from media_pipeline.collage.geometry import Rect
from media_pipeline.collage.model import CollagePlan, CollageTile, MoreNote, Palette, Placement
from media_pipeline.collage.options import CollageOptions, PlanError
from media_pipeline.collage.wording import date_text, more_text, people_text
from media_pipeline.daytime import seconds_of_day
from media_pipeline.fonts import displayable
from media_pipeline.types import Moment, ProjectInfo

SCREEN = Palette(
    background=(18, 18, 20),
    ink=(240, 240, 236),
    muted=(160, 160, 160),
    accent=(228, 87, 46),
    accent_ink=(255, 255, 255),
    placeholder=(70, 70, 74),
)
PAPER = Palette(
    background=(250, 249, 246),
    ink=(28, 28, 30),
    muted=(110, 110, 110),
    accent=(228, 87, 46),
    accent_ink=(255, 255, 255),
    placeholder=(200, 200, 198),
)


def build_collage_plan(moments: Sequence[Moment], project: ProjectInfo, options: CollageOptions) -> CollagePlan:
    """Place the moments on the canvas in time-of-day order and measure titles and labels.

    At most `options.max_tiles` moments are shown (default: as many as stay legible at this layout and
    size), sampled fairly across hours, roles and contributors; the plan's `more` note counts the rest.
    Sizes in the plan are canvas pixels (`options.size_px`; paper sizes at 300 dpi). Raises
    `PlanError` when there is nothing to show.
    """
    if not moments:
        raise PlanError("There are no moments to put in the collage yet.")
    left_out = 0
    if options.layout == "lanes":  # only customers and employees have a lane; the rest are counted
        with_role = [m for m in moments if m.role in lanes.ROLES]
        left_out = len(moments) - len(with_role)
        if not with_role:
            raise PlanError(
                f"None of the {len(moments)} moments has a role (customer or employee) yet; "
                "give them roles or choose another layout."
            )
        moments = with_role
    for m in moments:
        if m.width <= 0 or m.height <= 0:
            raise PlanError(f"Moment {m.id} has no known picture size; probe it again before making a collage.")
    ordered = sorted(moments, key=lambda m: (seconds_of_day(m.local_time), m.id))
    width, height = options.size_px
    contributors = len({m.contributor or m.alias for m in ordered} - {""})
    people = people_text(contributors, len(ordered), project.language)
    everyone = ordered
    limit = options.max_tiles or default_max_tiles(options.layout, (width, height))
    ranking = fair_ranking(everyone, options.seed) if len(everyone) > limit else None
    if ranking is not None:
        ordered = take(everyone, ranking, limit)
    seconds = [seconds_of_day(m.local_time) for m in ordered]
    sizes = [(m.width, m.height) for m in ordered]
    base = PAPER if options.format == "pdf" else SCREEN
    accent = parse_colour(project.brand_color)
    palette = Palette(base.background, base.ink, base.muted, accent, ink_on(accent), base.placeholder)
    gutter = max(1, round(min(width, height) * 0.004))
    title = displayable(project.title, "bold")
    subtitle = f"{date_text(project.date, project.language)} · {people}"
    with_logo = project.logo_key is not None

    band = None
    area: Rect = (0, 0, width, height)
    if options.title and options.layout != "clock":
        band_h = max(12, round(min(width, height) * 0.085))
        band = title_band((0, 0, width, band_h), "band", title, subtitle, with_logo=with_logo)
        area = (0, band_h + gutter, width, height - band_h - gutter)

    note_h = 0
    if ranking is not None:  # a strip along the bottom, clear of every tile, says how many are not shown
        note_h = max(10, round(min(width, height) * 0.04))
        area = (area[0], area[1], area[2], area[3] - note_h - gutter)

    dial = axis = lanes_axis = None
    placements: list[Placement]
    if options.layout == "mosaic":
        placements = mosaic.place_mosaic(sizes, area, gutter)
    elif options.layout == "grid":
        placements = grid.place_grid(sizes, area, gutter)
    elif options.layout == "clock":
        dial = clock.dial_for((width, height), project.language)
        if options.title:
            band = title_band(clock.title_rect(dial), "disc", title, subtitle, with_logo=with_logo)
        if ranking is not None and options.max_tiles is None:  # fewer, so none has to be stacked
            def prefix(count: int) -> tuple[list[tuple[int, int]], list[float]]:
                some = take(everyone, ranking, count)
                return [(m.width, m.height) for m in some], [seconds_of_day(m.local_time) for m in some]

            ordered = take(everyone, ranking, clock.legible_count(prefix, limit, (width, height), dial, gutter,
                                                                  note_h))
            sizes, seconds = prefix(len(ordered))
        placements = clock.place_clock(sizes, seconds, (width, height), dial, gutter, note_h)
    elif options.layout == "lanes":
        roles = [m.role for m in ordered]
        placements, lanes_axis = lanes.place_lanes(roles, sizes, seconds, area, gutter, project.language, left_out)
    else:
        placements, axis = timeline.place_timeline(ordered, sizes, seconds, area, gutter, project.language)

    more = None
    if ranking is not None:
        count = len(everyone) - len(ordered)
        more = MoreNote(count, more_text(count, project.language), (0, height - note_h, width, note_h),
                        max(8, round(note_h * 0.6)))

    # one label size for the whole collage (mixed sizes look untidy), smaller when tiles are small
    label_px = max(8, min(round(min(width, height) / 54), round(median(p.rect[3] for p in placements) / 5.5)))
    min_label_px = max(7, round(min(width, height) / 160))
    captions = [" ".join(displayable(ordered[p.index].caption or ordered[p.index].alias).split()) for p in placements]
    times = [ordered[p.index].local_time.strftime("%H:%M") for p in placements]
    labels = [
        layout_label(p.rect, t, c, label_px, min_label_px) if options.labels else None
        for p, t, c in zip(placements, times, captions, strict=True)
    ]
    if options.layout == "grid" and any(labels):  # one size and one band height: the bands line up
        common = min(label.font_px for label in labels if label)
        labels = [
            layout_label(p.rect, t, c, common, common, band_lines=2)
            for p, t, c in zip(placements, times, captions, strict=True)
        ]
    tiles = []
    for p, time_text, caption, label in zip(placements, times, captions, labels, strict=True):
        m = ordered[p.index]
        tiles.append(
            CollageTile(
                moment_id=m.id,
                key=m.key,
                preview_key=m.preview_key,
                faces=m.faces,
                kind=m.kind,
                source_size=(m.width, m.height),
                rect=p.rect,
                crop=p.crop,
                seconds_of_day=seconds[p.index],
                time_text=time_text,
                caption=caption,
                label=label,
                leader=p.leader,
                frame_at_s=_poster_second(m) if m.kind == "clip" else None,
                stacked=tuple(ordered[j].id for j in p.members),
            )
        )
    return CollagePlan(
        layout=options.layout,
        width=width,
        height=height,
        format=options.format,
        dpi=options.dpi,
        seed=options.seed,
        language=project.language,
        palette=palette,
        gutter_px=gutter,
        tiles=tuple(tiles),
        title=band,
        logo_key=project.logo_key if band else None,
        dial=dial,
        axis=axis,
        lanes=lanes_axis,
        more=more,
    )


def _poster_second(m: Moment) -> float:
    """One second into the part of the clip the curators kept, or its middle when that is shorter."""
    start = m.trim_in_s or 0.0
    end = m.trim_out_s or m.duration_s or start + 2.0
    return round(min(start + 1.0, (start + end) / 2), 3)
