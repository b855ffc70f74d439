"""The `dayreel` command. User mistakes give one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from app.config import Settings, get_settings
from media_pipeline.words import ROLES, words_of_role


class UserError(Exception):
    """A mistake the user can fix; printed as one line."""


def _ctx(settings: Settings | None = None) -> Any:
    from app import jobs
    from app.context import build_context
    from app.migrate import SchemaNotCurrent, require_current, upgrades_itself

    settings = settings or get_settings()
    # SQLite: this process upgrades the schema itself; elsewhere `dayreel migrate` does, once, before
    migrate = upgrades_itself(settings.db_url)
    if not migrate:
        try:
            require_current(settings.db_url)
        except SchemaNotCurrent as err:
            raise UserError(str(err)) from None
        except OperationalError as err:
            raise UserError(f"cannot open the database: {_first_line(err.orig or err)}") from None
    ctx = build_context(settings, migrate=migrate)
    jobs.configure(ctx)
    return ctx


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.migrate import migrate

    settings = get_settings()
    settings.ensure_dirs()  # the SQLite default lives in the data dir
    try:
        print(migrate(settings.db_url).summary())
    except OperationalError as err:
        raise UserError(f"cannot open the database: {_first_line(err.orig or err)}") from None
    return 0


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [err.__class__.__name__])[0]


# --- serve / worker -------------------------------------------------------------------------------

def _require_shared_secret(settings: Settings) -> None:
    """Refused before anything starts: processes sharing a database must all sign with the same key."""
    from app.config import SHARED_SECRET_MISSING

    if settings.shared_database and not settings.secret_key:
        raise UserError(SHARED_SECRET_MISSING)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app import jobs
    from app.main import create_app
    from app.services import rendering

    settings = get_settings()
    _require_shared_secret(settings)
    ctx = _ctx(settings)
    app = create_app(ctx=ctx)
    stop_requested: list[int] = []

    def remember(sig: int, _frame: Any) -> None:
        # uvicorn re-raises the signal that stopped it; we finish shutting down ourselves
        stop_requested.append(sig)

    signal.signal(signal.SIGTERM, remember)
    signal.signal(signal.SIGINT, remember)
    consumer = None
    if settings.queue_backend != "immediate" and not args.no_jobs:
        consumer = jobs.Consumers(settings.workers, settings.derive_processes)
        with jobs.keep_signal_handlers():
            consumer.start()
        requeued = rendering.requeue_interrupted(ctx, ctx.jobs.render)
        if requeued:
            print(f"re-queued {requeued} render(s) interrupted earlier", file=sys.stderr)
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, log_level="info",
                                                # the app alone decides whom to believe (DAYREEL_TRUSTED_PROXIES)
                                                proxy_headers=False))
    try:
        server.run()
    finally:
        rendering.SHUTTING_DOWN.set()  # a render in flight stops and goes back to the queue
        if consumer is not None:
            consumer.stop(graceful=True)
        ctx.engine.dispose()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from app import jobs
    from app.services import rendering

    settings = get_settings()
    if settings.queue_backend == "immediate":
        raise UserError("the 'immediate' queue runs jobs inline; a worker needs queue_backend sqlite or redis")
    _require_shared_secret(settings)
    ctx = _ctx(settings)
    rendering.requeue_interrupted(ctx, ctx.jobs.render)
    consumer = jobs.create_consumer(args.workers or settings.workers)
    derive = jobs.create_derive_consumer(settings.derive_processes)
    with jobs.keep_signal_handlers():
        derive.start()
    original_stop = consumer.stop

    def stop(graceful: bool = False) -> None:
        rendering.SHUTTING_DOWN.set()
        derive.stop(graceful=graceful)
        original_stop(graceful=graceful)

    consumer.stop = stop
    consumer.run()  # its own signal handlers: SIGINT graceful, SIGTERM immediate
    return 0


# --- projects, users, tokens ----------------------------------------------------------------------

def cmd_project_create(args: argparse.Namespace) -> int:
    from app.db import session_scope
    from app.services import projects

    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        raise UserError(f"--date '{args.date}' is not a date like 2024-07-24") from None
    ctx = _ctx()
    with session_scope(ctx.sessions) as session:
        project = projects.create_project(
            session=session, title=args.title, day=day, timezone=args.tz, language=args.language
        )
        out = {
            "id": project.id,
            "token": project.invite_token,
            "invite_url": projects.invite_url(ctx.settings.public_base_url, project),
        }
    print(json.dumps(out))
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise UserError("the two passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from app.db import session_scope
    from app.services.users import create_user

    password = _read_password(args)
    ctx = _ctx()
    with session_scope(ctx.sessions) as session:
        user = create_user(session=session, email=args.email, password=password, is_admin=args.admin)
        print(f"created {'admin' if user.is_admin else 'staff'} user {user.email}")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from app.db import session_scope
    from app.services.staff_sessions import end_other_sessions
    from app.services.users import reset_password

    password = _read_password(args)
    ctx = _ctx()
    with session_scope(ctx.sessions) as session:
        user = reset_password(session=session, email=args.email, new=password)
        ended = end_other_sessions(session=session, user=user, keep_sid=None)
        print(f"new password set for {user.email}; {ended} browser session(s) signed out")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from app.db import session_scope
    from app.services.users import create_token

    ctx = _ctx()
    with session_scope(ctx.sessions) as session:
        token = create_token(session=session, email=args.email, name=args.name)
    print("API token (shown once; send it as 'Authorization: Bearer <token>'):")
    print(token)
    return 0


# --- media straight from files: probe, film, collage ----------------------------------------------

def probe_file(path: Path, tz: str | None) -> dict[str, Any]:
    """One line of `dayreel probe --json`: what the file is and when it was taken."""
    from media_pipeline.capture_time import resolve_capture_time
    from media_pipeline.probe import probe

    info = probe(path)
    captured = resolve_capture_time(
        embedded=info.captured,
        filename=path.name,
        client_captured_at=None,
        device_tz=tz,
        project_tz=None,  # no project here: without --tz a file's offset, when it has none, stays unknown
        # no upload here: the file's modification time stands in for the upload time
        uploaded_at=datetime.fromtimestamp(path.stat().st_mtime, UTC),
    )
    return {
        "file": str(path),
        "kind": info.kind,
        "format": info.format,
        "width": info.width,
        "height": info.height,
        "duration": info.duration_s,
        "has_audio": info.has_audio,
        "fps": info.fps,
        "rotation": info.rotation,
        **captured.to_dict(),
    }


def cmd_probe(args: argparse.Namespace) -> int:
    from media_pipeline.types import MediaError

    failed = 0
    for name in args.files:
        path = Path(name)
        try:
            if not path.is_file():
                raise MediaError(f"{name}: no such file")
            row = probe_file(path, args.tz)
        except MediaError as err:
            failed += 1
            row = {"file": name, "error": err.message}
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        elif "error" in row:
            print(f"{name}: {row['error']}")
        else:
            print(f"{name}: {row['kind']} {row['width']}x{row['height']} {row['captured_local']} "
                  f"{row['utc_offset'] or ''} ({row['time_source']})")
    return 1 if failed else 0


def folder_moments(src: Path, tz: str | None, warn: Callable[[str], None]) -> list[Any]:
    """Every usable photo and clip in `src` as pipeline moments; the rest is skipped with a warning."""
    from media_pipeline.types import MediaError, Moment

    if not src.is_dir():
        raise UserError(f"{src} is not a folder")
    moments = []
    for path, role in _folder_files(src):
        key = path.relative_to(src).as_posix()
        try:
            row = probe_file(path, tz)
        except MediaError as err:
            warn(f"skipping {key}: {err.message}")
            continue
        moments.append(
            Moment(
                id=key,
                key=key,
                role=role,  # type: ignore[arg-type]  # a role code from ROLE_FOLDERS, whose values are typed str
                kind=row["kind"],
                width=row["width"],
                height=row["height"],
                local_time=datetime.fromisoformat(row["captured_local"]),
                duration_s=row["duration"],
                has_audio=row["has_audio"],
                rotation=row["rotation"],
                caption=path.stem.replace("_", " "),
                contributor=path.name,
            )
        )
    if not moments:
        raise UserError(f"no photos or clips found in {src}")
    return moments


# files in a subfolder named after a role, in either language and either number, get that role (for lanes)
ROLE_FOLDERS = {name: role for role in ROLES for name in words_of_role(role)}


def _folder_files(src: Path) -> list[tuple[Path, str]]:
    """Files in `src` (no role) and in its role subfolders (customers/, employees/, klanten/, medewerkers/)."""
    found: list[tuple[Path, str]] = []
    for path in sorted(src.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_file():
            found.append((path, ""))
        elif path.is_dir() and path.name.lower() in ROLE_FOLDERS:
            role = ROLE_FOLDERS[path.name.lower()]
            found += [(f, role) for f in sorted(path.iterdir()) if f.is_file() and not f.name.startswith(".")]
    return found


def _folder_project(src: Path, moments: list[Any], tz: str | None, title: str | None) -> Any:
    from media_pipeline.types import ProjectInfo

    day = min(m.local_time for m in moments).date().isoformat()
    return ProjectInfo(title=title or src.resolve().name, date=day, timezone=tz or "UTC")


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _size(text: str) -> dict[str, Any]:
    return {"size": text}


def cmd_film(args: argparse.Namespace) -> int:
    from media_pipeline.plan import FilmOptions, PlanError, build_film_plan, render_film

    src, out = Path(args.src), Path(args.output)
    moments = folder_moments(src, args.tz, _warn)
    options_in: dict[str, Any] = {**_size(args.size), "fps": args.fps}
    if args.max_seconds:
        options_in["target_length_s"] = args.max_seconds
    if args.language:
        options_in["language"] = args.language
    if args.lanes:
        options_in["lanes"] = True
    if args.music:
        music = Path(args.music)
        if not music.is_file():
            raise UserError(f"--music {music}: no such file")
        options_in["music_key"] = str(music.resolve())  # an absolute key: src / key is that path
    try:
        options = FilmOptions.from_dict(options_in)
    except PlanError as err:
        raise UserError(str(err)) from None
    try:
        plan = build_film_plan(moments, _folder_project(src, moments, args.tz, args.title), options)
    except PlanError as err:
        raise UserError(str(err)) from None
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dayreel" / "segments"

    def progress(fraction: float, eta: float | None) -> None:
        if sys.stderr.isatty():
            left = f", ~{eta:.0f} s left" if eta else ""
            print(f"\rrendering {fraction * 100:5.1f} %{left}   ", end="", file=sys.stderr)

    result = render_film(plan, out, resolve=lambda key: src / key, cache_dir=cache, progress=progress, log=_warn)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"wrote {result.video_path} ({result.duration_s:.1f} s), {result.poster_path.name}, {result.vtt_path.name}")
    return 0


def cmd_collage(args: argparse.Namespace) -> int:
    from media_pipeline.plan import CollageOptions, PlanError, build_collage_plan, render_collage

    src, out = Path(args.src), Path(args.output)
    fmt = out.suffix.lower().lstrip(".").replace("jpeg", "jpg")
    if fmt not in ("png", "jpg", "pdf"):
        raise UserError("the output must end in .png, .jpg or .pdf")
    moments = folder_moments(src, args.tz, _warn)
    try:
        options = CollageOptions.from_dict(
            {"layout": args.layout, **_size(args.size), "landscape": args.landscape, "format": fmt,
             "max_tiles": args.max_tiles}
        )
    except PlanError as err:
        raise UserError(str(err)) from None
    try:
        plan = build_collage_plan(moments, _folder_project(src, moments, args.tz, args.title), options)
    except PlanError as err:
        raise UserError(str(err)) from None
    path = render_collage(plan, out, resolve=lambda key: src / key)
    print(f"wrote {path}" + (f" ({plan.more.text}: more than stay legible)" if plan.more else ""))
    return 0


def cmd_themes(args: argparse.Namespace) -> int:
    """The themes map of a folder: captions are the file names (koffie_in_de_kantine.jpg), as for collages."""
    from dataclasses import replace

    from media_pipeline.collage.options import PlanError
    from media_pipeline.themes.draw import render_theme_map
    from media_pipeline.themes.extract import extract_themes
    from media_pipeline.themes.map import build_theme_map_plan
    from media_pipeline.themes.options import MAP_FORMATS, ThemeMapOptions

    src, out = Path(args.src), Path(args.output)
    fmt = out.suffix.lower().lstrip(".").replace("jpeg", "jpg")
    if fmt not in MAP_FORMATS:
        raise UserError("the output must end in .png, .jpg, .svg or .pdf")
    moments = folder_moments(src, args.tz, _warn)
    language = args.language or "en"
    project = replace(_folder_project(src, moments, args.tz, args.title), language=language)
    try:
        options = ThemeMapOptions.from_dict({**_size(args.size), "format": fmt, "landscape": not args.portrait,
                                             "photos": args.photos})
        found = extract_themes(moments, language)
        plan = build_theme_map_plan(found.themes, moments, project, options)
    except PlanError as err:
        raise UserError(str(err)) from None
    path = render_theme_map(plan, out, resolve=lambda key: src / key)
    for t in found.themes:
        print(f"{t.name}: {len(t.moment_ids)} moment(s)")
    print(f"wrote {path} ({len(found.themes)} themes, {len(found.unthemed)} moment(s) in none)")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from app.demo import create_demo

    ctx = _ctx()
    for line in create_demo(ctx, render=not args.no_render, language=args.language):
        print(line)
    return 0


# --- parser ---------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dayreel", description="Life in a Day films and collages.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the web service and the job worker in one process")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-jobs", action="store_true",
                   help="serve only; `dayreel worker` processes run the jobs (several machines, see compose.yaml)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run job workers only (renders, thumbnails)")
    p.add_argument("--workers", type=int, default=None)
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("migrate", help="upgrade the database to this code's schema and exit (a deploy step)")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("demo", help="create a demo project with generated media and render its film")
    p.add_argument("--no-render", action="store_true", help="skip rendering the film")
    p.add_argument("--language", choices=["en", "nl"], default="en",
                   help="the one language of the demo: its project, captions and the demo user's pages")
    p.set_defaults(func=cmd_demo)

    project = sub.add_parser("project", help="manage projects").add_subparsers(dest="action", required=True)
    p = project.add_parser("create", help="create a project; prints JSON with id, token, invite_url")
    p.add_argument("--title", required=True)
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--tz", default="Europe/Amsterdam", help="IANA time zone")
    p.add_argument("--language", default="en", choices=["en", "nl"])
    p.set_defaults(func=cmd_project_create)

    user = sub.add_parser("user", help="manage staff users").add_subparsers(dest="action", required=True)
    p = user.add_parser("add", help="create a staff user (asks for a password unless piped)")
    p.add_argument("email")
    p.add_argument("--password-stdin", action="store_true")
    p.add_argument("--admin", action="store_true")
    p.set_defaults(func=cmd_user_add)
    p = user.add_parser("passwd", help="set a staff user's password and sign out all their browser sessions")
    p.add_argument("email")
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(func=cmd_user_passwd)

    token = sub.add_parser("token", help="manage API tokens").add_subparsers(dest="action", required=True)
    p = token.add_parser("create", help="create an API token; printed as the last line")
    p.add_argument("email")
    p.add_argument("--name", default="cli")
    p.set_defaults(func=cmd_token_create)

    p = sub.add_parser("probe", help="what files are and when they were taken")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--tz", default=None, help="zone for turning a UTC-only clip time into local time")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=cmd_probe)

    for name, func in (("film", cmd_film), ("collage", cmd_collage)):
        p = sub.add_parser(name, help=f"render a {name} straight from a folder of photos and clips")
        p.add_argument("src", metavar="SRC_DIR")
        p.add_argument("-o", "--output", required=True)
        p.add_argument("--tz", default=None)
        p.add_argument("--title", default=None)
        if name == "film":
            p.add_argument("--size", default="1920x1080")
            p.add_argument("--fps", type=int, default=30)
            p.add_argument("--max-seconds", type=float, default=None, help="target length of the film")
            p.add_argument("--language", default=None, choices=["en", "nl"])
            p.add_argument("--music", default=None, help="an audio file for the music bed")
            p.add_argument("--lanes", action="store_true",
                           help="customers and employees side by side (files in customers/ and employees/)")
        else:
            p.add_argument("--layout", default="mosaic", choices=["mosaic", "clock", "timeline", "grid", "lanes"])
            p.add_argument("--size", default="3840x2160", help="WxH, A3 or A2")
            p.add_argument("--landscape", action="store_true")
            p.add_argument("--max-tiles", type=int, default=None,
                           help="the most moments shown (default: as many as stay legible); the rest are counted")
        p.set_defaults(func=func)
    p = sub.add_parser("themes", help="the themes map (mind map) of a folder; captions are the file names")
    p.add_argument("src", metavar="SRC_DIR")
    p.add_argument("-o", "--output", required=True, help="map.png, .jpg, .svg or .pdf")
    p.add_argument("--size", default="3840x2160", help="WxH, A3 or A2")
    p.add_argument("--portrait", action="store_true", help="paper sizes upright (landscape by default)")
    p.add_argument("--photos", type=int, default=3, help="photos per branch, 2-4")
    p.add_argument("--language", default=None, choices=["en", "nl"])
    p.add_argument("--tz", default=None)
    p.add_argument("--title", default=None)
    p.set_defaults(func=cmd_themes)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from app.services.errors import ServiceError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (UserError, ServiceError) as err:
        print(f"dayreel: {getattr(err, 'message', err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
