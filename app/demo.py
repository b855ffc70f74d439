"""`dayreel demo`: a project with a generated day of photos and clips, ingested the real way."""

from __future__ import annotations

import math
import random
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import imageio_ffmpeg
from PIL import Image, ImageDraw, ImageFilter

from app.context import Context
from app.db import session_scope
from app.models import Project, Render, User
from app.services import derive, projects, rendering
from app.services.ingest import UploadFields, ingest_upload
from app.services.users import create_token, create_user

DEMO_EMAIL = "demo@dayreel.local"
DEMO_PASSWORD = "dayreel-demo"
DEMO_DAY = date(2026, 7, 24)
LANGUAGES = {"en": "English", "nl": "Dutch / Nederlands"}


@dataclass(frozen=True)
class Scene:
    hhmm: str
    kind: str
    caption: dict[str, str]  # by language: the demo speaks one language throughout
    alias: str
    role: str
    mood: int


@dataclass(frozen=True)
class DemoText:
    title: str
    welcome: str


TEXT = {
    "en": DemoText("A day at Café De Linde", "Show us your day: from the first coffee to lights out."),
    "nl": DemoText("Een dag bij Café De Linde", "Laat ons jouw dag zien: van de eerste koffie tot het licht uit."),
}


def _scene(hhmm: str, kind: str, en: str, nl: str, alias: str, role: str, mood: int) -> Scene:
    return Scene(hhmm, kind, {"en": en, "nl": nl}, alias, role, mood)


# in pairs per hour, so the lanes film and collage show a customer's and an employee's moment side by side
SCENES: list[Scene] = [
    _scene("06:10", "photo", "First coffee for the early shift", "Eerste koffie voor de ploegendienst",
           "Zoë", "employee", 3),
    _scene("06:50", "photo", "Off early: cycling to work", "Vroeg op pad: fietsen naar het werk",
           "Anouk", "customer", 4),
    _scene("07:32", "clip", "The shutters go up", "De rolluiken gaan omhoog", "Joël", "employee", 4),
    _scene("07:55", "photo", "Breakfast at the bar", "Ontbijt aan de bar", "Daan", "customer", 4),
    _scene("09:20", "clip", "The terrace fills up", "Het terras loopt vol", "Eef", "customer", 4),
    _scene("09:40", "photo", "Fresh croissants from the oven", "Verse croissants uit de oven",
           "Mehmet", "employee", 5),
    _scene("12:15", "clip", "Lunch rush behind the bar", "Lunchrush achter de bar", "Sven", "employee", 2),
    _scene("12:30", "photo", "A long queue at the till", "Lange rij bij de kassa", "Fatima", "customer", 2),
    _scene("17:20", "clip", "Rain shower: everyone inside", "Regenbui: iedereen naar binnen",
           "Noor", "customer", 3),
    _scene("17:45", "photo", "Drinks after work, finally sitting down", "Borrel na het werk, eindelijk zitten",
           "Ruud", "employee", 5),
    _scene("21:30", "clip", "Cleaning up and lights out", "Opruimen en de lichten uit", "Zoë", "employee", 3),
    _scene("21:50", "photo", "Home, tired but happy", "Thuis, moe maar tevreden", "Anouk", "customer", 4),
]


def sky_colours(hour: float) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Top and horizon colours of the sky at `hour`, from night blue through dawn pink to day."""
    day = max(0.0, math.sin(math.pi * (hour - 5.5) / 15))  # 0 at night, 1 at 13:00
    warm = max(0.0, 1 - abs(hour - 6.5) / 2) + max(0.0, 1 - abs(hour - 20) / 2)
    top = (int(15 + 70 * day), int(20 + 120 * day), int(60 + 170 * day))
    horizon = (int(40 + 150 * day + 160 * warm), int(40 + 140 * day + 60 * warm), int(80 + 140 * day))
    return top, (min(255, horizon[0]), min(255, horizon[1]), min(255, horizon[2]))


def scene_image(hour: float, size: tuple[int, int], seed: int) -> Image.Image:
    """A simple illustrated moment: sky for the hour, sun or moon, a street with houses."""
    rng = random.Random(seed)
    w, h = size
    top, horizon = sky_colours(hour)
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    for y in range(h):
        t = y / h
        draw.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, horizon, strict=True)))
    sun_x = w * ((hour - 5) / 16)
    sun_y = h * (0.7 - 0.5 * max(0.0, math.sin(math.pi * (hour - 5) / 16)))
    r = h * 0.07
    light = 6 <= hour <= 21
    draw.ellipse([sun_x - r, sun_y - r, sun_x + r, sun_y + r], fill=(255, 214, 120) if light else (235, 235, 220))
    ground = int(h * 0.72)
    x = 0
    while x < w:
        bw = rng.randint(w // 10, w // 5)
        bh = rng.randint(h // 6, h // 3)
        shade = rng.randint(40, 90) if not light else rng.randint(110, 170)
        colour = (shade + 30, shade, shade - 20 if shade > 30 else shade)
        draw.rectangle([x, ground - bh, x + bw - 4, h], fill=colour)
        for wy in range(ground - bh + 12, ground - 10, 28):
            for wx in range(x + 10, x + bw - 20, 26):
                lit = (not light and rng.random() < 0.6) or rng.random() < 0.15
                draw.rectangle([wx, wy, wx + 12, wy + 16], fill=(255, 220, 130) if lit else (60, 70, 90))
        x += bw
    draw.rectangle([0, ground, w, h], fill=(70, 70, 75) if light else (30, 30, 35))
    return img.filter(ImageFilter.GaussianBlur(0.6))


def write_photo(path: Path, hhmm: str, seed: int) -> None:
    hour = int(hhmm[:2]) + int(hhmm[3:]) / 60
    size = (1600, 1200) if seed % 3 else (1080, 1440)
    img = scene_image(hour, size, seed)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = f"{DEMO_DAY:%Y:%m:%d} {hhmm}:00"
    exif.get_ifd(0x8769)[0x9011] = "+02:00"
    img.save(path, "JPEG", quality=88, exif=exif.tobytes())


def write_clip(path: Path, hhmm: str, seed: int) -> None:
    """A 4 s clip: a slow pan over the scene with a soft tone, tagged with an iPhone-style local time."""
    hour = int(hhmm[:2]) + int(hhmm[3:]) / 60
    portrait = seed % 2 == 0
    out_w, out_h = (720, 1280) if portrait else (1280, 720)
    still = scene_image(hour, (out_w + 240, out_h), seed)
    with tempfile.TemporaryDirectory() as tmp:
        frame = Path(tmp) / "scene.png"
        still.save(frame)
        freq = 220 + 40 * (seed % 5)
        cmd = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error",
            "-loop", "1", "-framerate", "25", "-t", "4", "-i", str(frame),
            "-f", "lavfi", "-t", "4", "-i", f"sine=frequency={freq}:sample_rate=44100",
            "-filter_complex",
            f"[0:v]crop={out_w}:{out_h}:x='240*t/4':y=0,format=yuv420p[v];"
            "[1:a]volume=0.2,afade=t=in:d=0.5,afade=t=out:st=3.5:d=0.5[a]",
            "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac",
            "-metadata", f"com.apple.quicktime.creationdate={DEMO_DAY:%Y-%m-%d}T{hhmm}:00+0200",
            "-movflags", "use_metadata_tags", str(path),
        ]
        subprocess.run(cmd, check=True, capture_output=True)


def create_demo(ctx: Context, *, render: bool = True, language: str = "en") -> Iterator[str]:
    """Create (or find) the demo project, user and token in one language; yield the lines to print."""
    base = ctx.settings.public_base_url
    text = TEXT[language]
    with session_scope(ctx.sessions) as session:
        user = session.query(User).filter_by(email=DEMO_EMAIL).one_or_none()
        if user is None:
            user = create_user(session=session, email=DEMO_EMAIL, password=DEMO_PASSWORD, is_admin=True)
        user.language = language  # the staff pages speak the demo's language too
        project = session.query(Project).filter_by(title=text.title).one_or_none()
        fresh = project is None
        if project is None:
            project = projects.create_project(
                session=session, title=text.title, day=DEMO_DAY, timezone="Europe/Amsterdam", language=language,
                welcome_text=text.welcome, owner=user,
            )
            project.auto_approve = True
        project_id = project.id
        token = create_token(session=session, email=DEMO_EMAIL, name="demo")
    if fresh:
        yield from _upload_scenes(ctx, project_id, language)
    with session_scope(ctx.sessions) as session:
        project = session.get(Project, project_id)
        assert project is not None
        film = next((r for r in sorted(project.renders, key=lambda r: -r.id) if r.kind == "film"
                     and r.status == "done"), None)
        if film is None and render:
            yield "rendering the demo film (about a minute)..."
            film = rendering.request_render(session=session, project=project, kind="film",
                                            options={"size": "1280x720"}, user=None)
        film_id = film.id if film else None
        invite = projects.invite_url(base, project)
    if film_id is not None:
        rendering.run_render(film_id, ctx=ctx)  # inline; the queued copy finds it done
        with session_scope(ctx.sessions) as session:
            done = session.get(Render, film_id)
            if done is not None and done.status != "done":
                yield f"the demo film did not render: {done.error}"
    yield f"Demo project: {text.title} (id {project_id}), in {LANGUAGES[language]}"
    yield f"  Staff sign-in:   {base}/staff/login   ({DEMO_EMAIL} / {DEMO_PASSWORD})"
    yield f"  Project page:    {base}/staff/projects/{project_id}"
    if film_id is not None:
        yield f"  Watch the film:  {base}/staff/renders/{film_id}"
    yield f"  Invite link:     {invite}"
    yield f"  API docs:        {base}/docs   (API token: {token})"


def _upload_scenes(ctx: Context, project_id: int, language: str) -> Iterator[str]:
    yield f"generating {len(SCENES)} demo moments..."
    phones: dict[str, str | None] = {}  # alias -> contributor token, as if each person used one phone
    with tempfile.TemporaryDirectory() as tmp:
        for i, scene in enumerate(SCENES):
            path = Path(tmp) / (f"moment{i:02d}.jpg" if scene.kind == "photo" else f"moment{i:02d}.mov")
            (write_photo if scene.kind == "photo" else write_clip)(path, scene.hhmm, i + 1)
            with ctx.sessions() as session, path.open("rb") as fh:
                project = session.get(Project, project_id)
                assert project is not None
                result = ingest_upload(
                    session=session, storage=ctx.storage, settings=ctx.settings, project=project, source=fh,
                    fields=UploadFields(caption=scene.caption[language], alias=scene.alias, role=scene.role,
                                        mood=scene.mood, consent=True,
                                        original_name=path.name, captured_at=datetime(2026, 7, 24, 12, 0)),
                    contributor_token=phones.get(scene.alias),
                )
                phones.setdefault(scene.alias, result.contributor_token)
                moment_id = result.moment.id
            if derive.derive_moment(moment_id, ctx=ctx):
                derive.derive_preview(moment_id, ctx=ctx)
