"""Films and collages: request (validate options, queue), run (plan, render, store), cancel, outdated."""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.context import Context
from app.models import Moment, Project, Render, User, utcnow
from app.services.curation import moments_in_day_order, to_pipeline
from app.services.errors import Conflict, Invalid
from media_pipeline.plan import (
    CollageOptions,
    FilmOptions,
    PlanError,
    build_collage_plan,
    build_film_plan,
    render_collage,
    render_film,
)
from media_pipeline.types import ProjectInfo, RenderCancelled

log = logging.getLogger("dayreel.rendering")

KINDS = ("film", "collage")
# set when the process stops: a render in flight stops and goes back to the queue
SHUTTING_DOWN = threading.Event()


def parse_options(kind: str, options: dict[str, Any]) -> dict[str, Any]:
    """Normalised options, or Invalid with the planner's readable message."""
    try:
        if kind == "film":
            return FilmOptions.from_dict(options).to_dict()
        return CollageOptions.from_dict(options).to_dict()
    except PlanError as err:
        raise Invalid(str(err)) from None


def moments_digest(moments: list[Moment]) -> str:
    """A hash of what a render is made from: changes when a moment is added, removed or edited."""
    h = hashlib.sha256()
    for m in sorted(moments, key=lambda m: m.id):
        h.update(f"{m.id}:{m.updated_at.isoformat()}:{m.status};".encode())
    return h.hexdigest()


def approved_moments(session: Session, project: Project) -> list[Moment]:
    return moments_in_day_order(session=session, project=project, statuses=("approved",))


def request_render(
    *, session: Session, project: Project, kind: str, options: dict[str, Any], user: User | None = None
) -> Render:
    if kind not in KINDS:
        raise Invalid("kind must be 'film' or 'collage'")
    opts = parse_options(kind, options)
    music = opts.get("music_key")
    if music and music != (project.settings or {}).get("music_key"):
        # a key names a stored file: only the project's own music may be mixed into its film
        raise Invalid("music_key must be the project's music (upload it in the project settings)")
    moments = approved_moments(session, project)
    if not moments:
        raise Conflict("there are no approved moments yet: approve some moments first")
    render = Render(
        project_id=project.id,
        kind=kind,
        options=opts,
        status="queued",
        moments_digest=moments_digest(moments),
        created_by_id=user.id if user else None,
    )
    session.add(render)
    session.commit()
    from app import jobs

    jobs.enqueue_render(render.id)
    return render


def cancel_render(*, session: Session, render: Render) -> Render:
    if render.status in ("queued", "running"):
        render.cancel_requested = True
        if render.status == "queued":
            render.status = "cancelled"
            render.finished_at = utcnow()
        session.flush()
    return render


def is_outdated(*, session: Session, render: Render) -> bool:
    return render.moments_digest != moments_digest(approved_moments(session, render.project))


def project_info(project: Project) -> ProjectInfo:
    return ProjectInfo(
        title=project.title,
        date=project.day.isoformat(),
        language=project.language,
        timezone=project.timezone,
        brand_color=project.brand_color,
        logo_key=(project.settings or {}).get("logo_key"),
    )


def output_ext(render: Render) -> str:
    return "mp4" if render.kind == "film" else str(render.options.get("format", "png"))


def run_render(render_id: int, *, ctx: Context) -> None:
    """The job: plan, render, store, record. Idempotent; a cancelled or finished render is left alone."""
    with ctx.sessions() as session:
        # claim it atomically: a render queued twice (restart, retry) runs once
        claimed = session.execute(
            update(Render)
            .where(Render.id == render_id, Render.status == "queued", Render.cancel_requested.is_(False))
            .values(status="running", started_at=utcnow(), progress=0.0)
        ).rowcount
        session.commit()
        render = session.get(Render, render_id)
        if not claimed or render is None:
            return
        try:
            plan = plan_render(session, render)
            render.plan = plan.to_dict()
            session.commit()
        except PlanError as err:
            session.rollback()
            _finish(session, render, status="failed", error=str(err), log=f"planning: {err}")
            return
        except Exception as err:  # a plan that cannot be made fails the render; it never stays "running"
            log.exception("render %s: planning failed", render_id)
            session.rollback()
            _finish(session, render, status="failed", error=f"The plan could not be made: {_readable(err)}",
                    log=f"planning failed: {type(err).__name__}: {_readable(err)}")
            return
        if _cancel_requested(session, render_id):
            _finish(session, render, status="cancelled", log="cancelled before rendering started")
            return
        kind, ext = render.kind, output_ext(render)

    tracker = _Tracker(ctx, render_id)
    work: Path | None = None
    try:
        work = ctx.storage.temp_dir() / f"render-{render_id}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)  # a full disk fails the render here, like any other error below
        out = work / f"{kind}.{ext}"
        if kind == "film":
            result = render_film(
                plan,
                out,
                resolve=ctx.storage.path,
                cache_dir=ctx.settings.data_dir / "cache" / "segments",
                progress=tracker.progress,
                cancelled=tracker.cancelled,
                workers=ctx.settings.render_workers,
                log=tracker.log,
            )
            if tracker.cancelled(force=True):  # asked in the last half second: the film is not kept
                raise RenderCancelled("The render was cancelled.")
            keys = {
                "output_key": ctx.storage.put_file(result.video_path, f"renders/{render_id}/film.mp4"),
                "poster_key": ctx.storage.put_file(result.poster_path, f"renders/{render_id}/poster.jpg"),
                "captions_key": ctx.storage.put_file(result.vtt_path, f"renders/{render_id}/captions.vtt"),
            }
            for moment_id, reason in result.skipped:
                tracker.log(f"skipped moment {moment_id}: {reason}")
        else:
            path = render_collage(plan, out, resolve=ctx.storage.path, workers=ctx.settings.render_workers,
                                  cancelled=tracker.cancelled)
            if tracker.cancelled(force=True):  # asked while the last tiles were painted: the file is not kept
                raise RenderCancelled("The render was cancelled.")
            keys = {"output_key": ctx.storage.put_file(path, f"renders/{render_id}/collage.{ext}")}
    except RenderCancelled:
        with ctx.sessions() as session:
            render = session.get(Render, render_id)
            if render is not None and SHUTTING_DOWN.is_set() and not render.cancel_requested:
                render.status, render.progress = "queued", 0.0
                render.log = tracker.text("interrupted by shutdown; queued again")
                session.commit()
                from app import jobs

                jobs.enqueue_render(render_id)
            elif render is not None:
                _finish(session, render, status="cancelled", log=tracker.text())
        return
    except Exception as err:  # a render never takes the worker down; the user sees why it failed
        log.exception("render %s failed", render_id)
        with ctx.sessions() as session:
            render = session.get(Render, render_id)
            if render is not None:
                _finish(session, render, status="failed", error=_readable(err),
                        log=tracker.text(f"failed: {type(err).__name__}: {_readable(err)}"))
        return
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    with ctx.sessions() as session:
        render = session.get(Render, render_id)
        if render is not None:
            for name, key in keys.items():
                setattr(render, name, key)
            render.progress, render.eta_s = 100.0, 0.0
            _finish(session, render, status="done", log=tracker.text())


def mark_failed(ctx: Context, render_id: int, error: str) -> None:
    """The last word on a render whose job stopped on an unexpected error: failed, never left running."""
    with ctx.sessions() as session:
        render = session.get(Render, render_id)
        if render is not None and render.status in ("queued", "running"):
            _finish(session, render, status="failed", error=error[:500],
                    log="\n".join(filter(None, [render.log, f"stopped: {error[:500]}"])))


def plan_render(session: Session, render: Render) -> Any:
    """The film or collage plan of the project's approved moments with the render's options."""
    moments = [to_pipeline(m) for m in approved_moments(session, render.project)]
    info = project_info(render.project)
    if render.kind == "film":
        return build_film_plan(moments, info, FilmOptions.from_dict(render.options))
    return build_collage_plan(moments, info, CollageOptions.from_dict(render.options))


def _cancel_requested(session: Session, render_id: int) -> bool:
    return bool(session.scalar(select(Render.cancel_requested).where(Render.id == render_id)))


def _finish(session: Session, render: Render, *, status: str, error: str | None = None, log: str | None = None) -> None:
    render.status = status
    render.error = error
    render.finished_at = utcnow()
    if log is not None:
        render.log = log
    session.commit()


def _readable(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return (text[-1] if text else type(err).__name__)[:500]


class _Tracker:
    """Progress, cancellation and log for one running render, written to its row at most once a second."""

    INTERVAL_S = 1.0

    def __init__(self, ctx: Context, render_id: int) -> None:
        self.ctx, self.render_id = ctx, render_id
        self.lines: list[str] = []
        self._last_write = 0.0
        self._last_check = 0.0
        self._cancel = False

    def progress(self, fraction: float, eta_s: float | None) -> None:
        now = time.monotonic()
        if now - self._last_write < self.INTERVAL_S and fraction < 1:
            return
        self._last_write = now
        self._update(progress=round(min(99.0, max(0.0, fraction * 100)), 1), eta_s=eta_s)

    def cancelled(self, *, force: bool = False) -> bool:
        """True when the render should stop; asks the database at most twice a second unless `force`."""
        if SHUTTING_DOWN.is_set():
            return True
        now = time.monotonic()
        if force or now - self._last_check >= self.INTERVAL_S / 2:
            self._last_check = now
            with self.ctx.sessions() as session:
                self._cancel = self._cancel or _cancel_requested(session, self.render_id)
        return self._cancel

    def log(self, line: str) -> None:
        self.lines.append(line)

    def text(self, *extra: str) -> str:
        return "\n".join([*self.lines, *extra])

    def _update(self, **values: Any) -> None:
        with self.ctx.sessions() as session:
            session.execute(update(Render).where(Render.id == self.render_id).values(**values))
            session.commit()


def requeue_interrupted(ctx: Context, enqueue: Callable[[int], None]) -> int:
    """Renders left 'running' by a crash go back to the queue at start-up."""
    with ctx.sessions() as session:
        stuck = list(session.scalars(select(Render).where(Render.status == "running")))
        for render in stuck:
            render.status, render.progress = "queued", 0.0
        session.commit()
        ids = [r.id for r in stuck]
    for render_id in ids:
        enqueue(render_id)
    return len(ids)
