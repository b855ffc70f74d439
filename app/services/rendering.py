"""Films and collages: request (validate options, queue), run (plan, render, store), cancel, outdated."""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.context import Context, jobs_of
from app.db import rowcount
from app.leases import expiry, new_owner, owner_gone, release_owner, same_as
from app.models import Moment, Project, Render, User, utcnow
from app.services import faces, film_fanout, themes
from app.services.curation import moments_in_day_order, to_pipeline
from app.services.errors import Conflict, Invalid, readable
from app.services.render_store import store_log, store_plan
from media_pipeline.plan import (
    CollageOptions,
    FilmOptions,
    PlanError,
    build_collage_plan,
    build_film_plan,
    render_collage,
    render_film,
)
from media_pipeline.themes.draw import render_theme_map
from media_pipeline.themes.map import build_theme_map_plan
from media_pipeline.themes.options import ThemeMapOptions
from media_pipeline.types import ProjectInfo, RenderCancelled

log = logging.getLogger("dayreel.rendering")

KINDS = ("film", "collage", "themes")  # themes: the themes map
# set when the process stops: a render in flight stops and goes back to the queue
SHUTTING_DOWN = threading.Event()


def parse_options(kind: str, options: dict[str, Any]) -> dict[str, Any]:
    """Normalised options, or Invalid with the planner's readable message."""
    try:
        if kind == "film":
            return FilmOptions.from_dict(options).to_dict()
        if kind == "themes":
            return ThemeMapOptions.from_dict(options).to_dict()
        return CollageOptions.from_dict(options).to_dict()
    except PlanError as err:
        raise Invalid(str(err)) from None


DIGEST_PREFIX = "v2"  # never in a hex digest: tells these from the older listed digests (the column holds 64)


def moments_digest(session: Session, project: Project) -> str:
    """What a render is made from, summed up by the database in one aggregate over the approved moments:
    adding, removing, approving, hiding or editing one changes the count, the id sum or the newest
    `updated_at` (an edit stamps it), so the digest changes; no moment row is loaded. A change of the project's
    face-blurring policy changes it too (the default adds nothing, so digests made before it still match)."""
    count, id_sum, newest = session.execute(
        select(func.count(Moment.id), func.coalesce(func.sum(Moment.id), 0), func.max(Moment.updated_at))
        .where(Moment.project_id == project.id, Moment.status == "approved")).one()
    text = f"{count}:{id_sum}:{newest.isoformat() if newest else ''}"
    if (policy := faces.policy_of(project)) != faces.DEFAULT_POLICY:  # whose faces are hidden is in the render too
        text += f":faces={policy}"
    return DIGEST_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:62]


def listed_digest(moments: list[Moment]) -> str:
    """The digest renders made before `moments_digest` carry: a hash over every approved moment."""
    h = hashlib.sha256()
    for m in sorted(moments, key=lambda m: m.id):
        h.update(f"{m.id}:{m.updated_at.isoformat()}:{m.status};".encode())
    return h.hexdigest()


def digest_matches(session: Session, render: Render, current: str) -> bool:
    """True when `render` was made from the moments as they are now (`current`: moments_digest)."""
    if render.moments_digest.startswith(DIGEST_PREFIX):
        return render.moments_digest == current
    return render.moments_digest == listed_digest(approved_moments(session, render.project))


def approved_moments(session: Session, project: Project) -> list[Moment]:
    return moments_in_day_order(session=session, project=project, statuses=("approved",))


def request_render(
    *, session: Session, project: Project, kind: str, options: dict[str, Any], user: User | None = None
) -> Render:
    if kind not in KINDS:
        raise Invalid("kind must be 'film', 'collage' or 'themes'")
    opts = parse_options(kind, options)
    music = opts.get("music_key")
    if music and music != (project.settings or {}).get("music_key"):
        # a key names a stored file: only the project's own music may be mixed into its film
        raise Invalid("music_key must be the project's music (upload it in the project settings)")
    digest = moments_digest(session, project)
    if not session.scalar(select(Moment.id).where(Moment.project_id == project.id, Moment.status == "approved")
                          .limit(1)):
        raise Conflict("there are no approved moments yet: approve some moments first")
    if kind == "themes":  # found now, in the request: the job only draws what staff can see and edit
        themes.ensure_extracted(session=session, project=project)
    render = Render(
        project_id=project.id,
        kind=kind,
        options=opts,
        status="queued",
        moments_digest=digest,
        created_by_id=user.id if user else None,
    )
    session.add(render)
    session.commit()
    jobs_of(session).render(render.id)
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
    return not digest_matches(session, render, moments_digest(session, render.project))


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


@dataclass(frozen=True)
class RenderLease:
    """One attempt's hold on a render: only its owner may write progress or the result."""

    render_id: int
    owner: str
    attempt: int


def claim_render(ctx: Context, render_id: int, *, now: datetime | None = None) -> RenderLease | None:
    """Take a queued render for this process, atomically: a render queued twice (restart, retry) runs once."""
    owner = new_owner()
    with ctx.sessions() as session:
        claimed = rowcount(session.execute(
            update(Render)
            .where(Render.id == render_id, Render.status == "queued", Render.cancel_requested.is_(False))
            .values(status="running", started_at=utcnow(), progress=0.0, lease_owner=owner,
                    lease_expires_at=expiry(now, ctx.settings.render_lease_s), attempt=Render.attempt + 1)
        ))
        session.commit()
        attempt = session.scalar(select(Render.attempt).where(Render.id == render_id))
    if not claimed or attempt is None:
        release_owner(owner)
        return None
    return RenderLease(render_id, owner, attempt)


def renew_lease(ctx: Context, lease: RenderLease, *, now: datetime | None = None) -> bool:
    """Push the expiry on; False when another owner took the render over (or it ended)."""
    return _write(ctx, lease, lease_expires_at=expiry(now, ctx.settings.render_lease_s))


def _prefix(lease: RenderLease) -> str:
    return f"renders/{lease.render_id}/{lease.attempt}"  # a late attempt never overwrites the files of another


def settle(ctx: Context, lease: RenderLease, **values: Any) -> bool:
    """The last word of one attempt, written only while it still holds the render; False if it did not.
    A long log goes to storage; the row keeps its end."""
    values.setdefault("finished_at", utcnow())
    if "log" in values:
        values["log"], values["log_key"] = store_log(ctx.storage, _prefix(lease), values["log"])
    done = _write(ctx, lease, lease_owner=None, lease_expires_at=None, **values)
    release_owner(lease.owner)
    return done


def settle_cancelled(ctx: Context, lease: RenderLease, *, log: str) -> None:
    """A cancelled render keeps nothing in storage, not even its plan."""
    if settle(ctx, lease, status="cancelled", log=log, plan=None, plan_key=None):
        ctx.storage.delete_prefix(f"renders/{lease.render_id}/")


def _write(ctx: Context, lease: RenderLease, **values: Any) -> bool:
    with ctx.sessions() as session:
        written = rowcount(session.execute(
            update(Render)
            .where(Render.id == lease.render_id, Render.lease_owner == lease.owner, Render.status == "running")
            .values(**values)
        ))
        session.commit()
    return bool(written)


def work_dir(ctx: Context, render_id: int, attempt: int) -> Path:
    """Each attempt (numbered by its claim) renders in a folder of its own: a late attempt never clears the
    folder of a live one."""
    return ctx.storage.temp_dir() / f"render-{render_id}-{attempt}"


def run_render(render_id: int, *, ctx: Context) -> None:
    """The job: claim, plan, render, store, record. Idempotent; a render that is not queued is left alone."""
    lease = claim_render(ctx, render_id)
    if lease is None:
        return
    run_claimed(ctx, lease)


def run_claimed(ctx: Context, lease: RenderLease) -> None:
    """Render what `lease` holds, renewing the lease meanwhile; stops as soon as another owner has it."""
    render_id = lease.render_id
    beat = _Heartbeat(ctx, lease)
    beat.start()
    try:
        _run_claimed(ctx, lease, beat)
    except Exception as err:  # whatever went wrong, the render must not stay "running" at 0 %
        log.exception("render %s: job failed", render_id)
        settle(ctx, lease, status="failed", error=f"The render stopped on an unexpected error: {readable(err)}",
               log=f"stopped: {type(err).__name__}: {readable(err)}")
    finally:
        beat.stop()
        release_owner(lease.owner)


def _run_claimed(ctx: Context, lease: RenderLease, beat: _Heartbeat) -> None:
    render_id = lease.render_id
    faces.detect_before_render(ctx, render_id=render_id)  # before the plan's session: it must see the faces
    with ctx.sessions() as session:
        render = session.get(Render, render_id)
        if render is None:
            return
        try:
            plan = plan_render(session, render)
        except PlanError as err:
            session.rollback()
            settle(ctx, lease, status="failed", error=str(err), log=f"planning: {err}")
            return
        except Exception as err:  # a plan that cannot be made fails the render; it never stays "running"
            log.exception("render %s: planning failed", render_id)
            session.rollback()
            settle(ctx, lease, status="failed", error=f"The plan could not be made: {readable(err)}",
                   log=f"planning failed: {type(err).__name__}: {readable(err)}")
            return
        kind, ext, project_id = render.kind, output_ext(render), render.project_id
    plan_key, summary = store_plan(ctx.storage, _prefix(lease), plan.to_dict())
    if not _write(ctx, lease, plan=summary, plan_key=plan_key):
        ctx.storage.delete(plan_key)
        return  # taken over while planning
    with ctx.sessions() as session:
        if _cancel_requested(session, render_id):
            settle_cancelled(ctx, lease, log="cancelled before rendering started")
            return

    tracker = _Tracker(ctx, lease, beat.lost)
    if hidden := faces.blurred_in_plan(plan.to_dict()):
        tracker.log(f"faces hidden in moments {', '.join(hidden)} (bystanders' faces blurred)")
    work: Path | None = None
    keys: dict[str, str] = {}
    prefix = _prefix(lease)
    try:
        work = work_dir(ctx, render_id, lease.attempt)
        work.mkdir(parents=True)  # a full disk fails the render here, like any other error below
        out = work / f"{kind}.{ext}"
        if kind == "film" and ctx.settings.fans_out:  # segments spread over every worker, joined here
            result = film_fanout.render_spread(ctx, render_id, lease.attempt, plan, out, project_id=project_id,
                                               cancelled=tracker.cancelled, progress=tracker.progress,
                                               log_line=tracker.log)
        elif kind == "film":  # every segment in this process, on all its cores
            result = render_film(
                plan,
                out,
                resolve=ctx.storage.path,
                cache_dir=film_fanout.cache_dir(ctx),
                progress=tracker.progress,
                cancelled=tracker.cancelled,
                workers=ctx.settings.render_workers,
                log=tracker.log,
                shared=film_fanout.shared_cache(ctx, project_id),
            )
        if kind == "film":
            if tracker.cancelled(force=True):  # asked in the last half second: the film is not kept
                raise RenderCancelled("The render was cancelled.")
            keys["output_key"] = ctx.storage.put_file(result.video_path, f"{prefix}/film.mp4")
            keys["poster_key"] = ctx.storage.put_file(result.poster_path, f"{prefix}/poster.jpg")
            keys["captions_key"] = ctx.storage.put_file(result.vtt_path, f"{prefix}/captions.vtt")
            for moment_id, reason in result.skipped:
                tracker.log(f"skipped moment {moment_id}: {reason}")
        elif kind == "themes":
            path = render_theme_map(plan, out, resolve=ctx.storage.path)
            keys["output_key"] = ctx.storage.put_file(path, f"{prefix}/themes.{ext}")
        else:
            path = render_collage(plan, out, resolve=ctx.storage.path, workers=ctx.settings.render_workers,
                                  cancelled=tracker.cancelled)
            if tracker.cancelled(force=True):  # asked while the last tiles were painted: the file is not kept
                raise RenderCancelled("The render was cancelled.")
            keys["output_key"] = ctx.storage.put_file(path, f"{prefix}/collage.{ext}")
    except RenderCancelled:
        _discard(ctx, keys)
        if tracker.lost():
            log.warning("render %s: attempt %s lost its lease; another worker has it", render_id, lease.attempt)
            ctx.storage.delete(plan_key)
        elif SHUTTING_DOWN.is_set() and not tracker.cancel_requested():
            # the next attempt plans again, under its own prefix
            requeued = settle(ctx, lease, status="queued", progress=0.0, finished_at=None, plan=None, plan_key=None,
                              log=tracker.text("interrupted by shutdown; queued again"))
            ctx.storage.delete(plan_key)
            if requeued:
                ctx.jobs.render(render_id)
        else:
            settle_cancelled(ctx, lease, log=tracker.text())
        return
    except Exception as err:  # a render never takes the worker down; the user sees why it failed
        log.exception("render %s failed", render_id)
        _discard(ctx, keys)
        if not settle(ctx, lease, status="failed", error=readable(err),
                      log=tracker.text(f"failed: {type(err).__name__}: {readable(err)}")):
            ctx.storage.delete(plan_key)  # the plan of a failed render stays, to find out why; a lost one goes
        return
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    if not finish_render(ctx, lease, keys, log_text=tracker.text()):
        ctx.storage.delete(plan_key)


def run_segment(render_id: int, attempt: int, position: int, *, ctx: Context) -> bool:
    """The job of one segment of a film spread over the workers (see app/services/film_fanout.py)."""
    return film_fanout.run_segment(ctx, render_id, attempt, position, stopping=SHUTTING_DOWN.is_set)


def finish_render(ctx: Context, lease: RenderLease, keys: dict[str, str], *, log_text: str = "") -> bool:
    """Record the stored files as the render's result, once: an attempt that lost its lease stores nothing,
    overwrites nothing, and removes the files it uploaded."""
    if settle(ctx, lease, status="done", error=None, progress=100.0, eta_s=0.0, log=log_text, **keys):
        for earlier in range(1, lease.attempt):  # what attempts killed mid-way left behind (their plans, files)
            ctx.storage.delete_prefix(f"renders/{lease.render_id}/{earlier}/")
        return True
    log.warning("render %s: attempt %s lost its lease before finishing; its files are discarded",
                lease.render_id, lease.attempt)
    _discard(ctx, keys)
    return False


def _discard(ctx: Context, keys: dict[str, str]) -> None:
    for key in keys.values():
        ctx.storage.delete(key)


def mark_failed(ctx: Context, render_id: int, error: str) -> None:
    """The last word on a render whose job stopped before it was claimed: failed, never left queued.
    A render some worker holds is that worker's to finish."""
    with ctx.sessions() as session:
        render = session.get(Render, render_id)
        if render is not None and (render.status == "queued"
                                   or (render.status == "running" and render.lease_owner is None)):
            _finish(session, render, status="failed", error=error[:500],
                    log="\n".join(filter(None, [render.log, f"stopped: {error[:500]}"])))


def plan_render(session: Session, render: Render) -> Any:
    """The film or collage plan of the project's approved moments with the render's options."""
    moments = [to_pipeline(m) for m in approved_moments(session, render.project)]
    info = project_info(render.project)
    if render.kind == "film":
        options = FilmOptions.from_dict(render.options)
        return build_film_plan(moments, info, options, film_themes(session, render.project, options))
    if render.kind == "themes":
        found, themed = themes.map_inputs(session=session, project=render.project)
        return build_theme_map_plan(found, themed, info, ThemeMapOptions.from_dict(render.options))
    return build_collage_plan(moments, info, CollageOptions.from_dict(render.options))


def film_themes(session: Session, project: Project, options: FilmOptions) -> list[tuple[str, tuple[str, ...]]]:
    """The staff's themes as (name, moment ids) when the film's chapters are by theme; else none are needed."""
    if options.chapters != "themes":
        return []
    themes.ensure_extracted(session=session, project=project)
    view = themes.themes_view(session=session, project=project)
    return [(t.name, t.moment_ids) for t in themes.pipeline_themes(view)]


def _cancel_requested(session: Session, render_id: int) -> bool:
    return bool(session.scalar(select(Render.cancel_requested).where(Render.id == render_id)))


def _finish(session: Session, render: Render, *, status: str, error: str | None = None, log: str | None = None) -> None:
    render.status = status
    render.error = error
    render.finished_at = utcnow()
    if log is not None:
        render.log = log
    session.commit()


class _Heartbeat:
    """Renews the lease a few times per lease period while the render runs; sets `lost` when it cannot."""

    def __init__(self, ctx: Context, lease: RenderLease) -> None:
        self.ctx, self.lease = ctx, lease
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{lease.render_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        interval = self.ctx.settings.render_lease_s / 4
        while not self._stop.wait(interval):
            try:
                held = renew_lease(self.ctx, self.lease)
            except Exception:  # the database away for a moment: try again; the expiry is the limit
                log.warning("render %s: could not renew its lease", self.lease.render_id, exc_info=True)
                continue
            if not held:
                self.lost.set()
                return


class _Tracker:
    """Progress, cancellation and log for one running render, written to its row at most once a second
    while this attempt holds the render."""

    INTERVAL_S = 1.0

    def __init__(self, ctx: Context, lease: RenderLease, lost: threading.Event) -> None:
        self.ctx, self.lease, self._lost = ctx, lease, lost
        self.lines: list[str] = []
        self._last_write = 0.0
        self._last_check = 0.0
        self._cancel = False

    def progress(self, fraction: float, eta_s: float | None) -> None:
        now = time.monotonic()
        if now - self._last_write < self.INTERVAL_S and fraction < 1:
            return
        self._last_write = now
        if not _write(self.ctx, self.lease, progress=round(min(99.0, max(0.0, fraction * 100)), 1), eta_s=eta_s):
            self._lost.set()

    def cancelled(self, *, force: bool = False) -> bool:
        """True when the render should stop (cancelled, shutting down, or taken over by another owner);
        asks the database at most twice a second unless `force`."""
        if SHUTTING_DOWN.is_set() or self._lost.is_set():
            return True
        now = time.monotonic()
        if force or now - self._last_check >= self.INTERVAL_S / 2:
            self._last_check = now
            with self.ctx.sessions() as session:
                row = session.execute(select(Render.cancel_requested, Render.lease_owner, Render.status)
                                      .where(Render.id == self.lease.render_id)).one_or_none()
            if row is None or row.lease_owner != self.lease.owner or row.status != "running":
                self._lost.set()
            elif row.cancel_requested:
                self._cancel = True
        return self._cancel or self._lost.is_set()

    def cancel_requested(self) -> bool:
        return self._cancel

    def lost(self) -> bool:
        return self._lost.is_set()

    def log(self, line: str) -> None:
        self.lines.append(line)

    def text(self, *extra: str) -> str:
        return "\n".join([*self.lines, *extra])


def requeue_interrupted(ctx: Context, enqueue: Callable[[int], None], *, now: datetime | None = None) -> int:
    """Renders whose lease is stale (expired, or held by a process of this machine that is gone) go back to
    the queue; a render another live worker holds is left alone. Run at start-up and every minute."""
    now = now or utcnow()
    with ctx.sessions() as session:
        running = session.execute(
            select(Render.id, Render.lease_owner, Render.lease_expires_at, Render.attempt)
            .where(Render.status == "running")
        ).all()
    ids = []
    for render_id, owner, expires, attempt in running:
        if expires is not None and expires >= now and not owner_gone(owner):
            continue
        with ctx.sessions() as session:  # only if nobody renewed or took it since we looked
            taken_back = rowcount(session.execute(
                update(Render)
                .where(Render.id == render_id, Render.status == "running",
                       same_as(Render.lease_owner, owner), same_as(Render.lease_expires_at, expires))
                .values(status="queued", progress=0.0, lease_owner=None, lease_expires_at=None)
            ))
            session.commit()
        if taken_back:
            shutil.rmtree(work_dir(ctx, render_id, attempt), ignore_errors=True)
            ids.append(render_id)
    for render_id in ids:
        enqueue(render_id)
    return len(ids)
