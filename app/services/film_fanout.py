"""One film rendered by several workers together: its segments are queue jobs; the render's holder joins them.

With fan-out on (DAYREEL_FILM_FANOUT, by default with the Redis queue) the render job, holding the render's
lease, (1) writes one row per segment of its attempt and enqueues one job per segment (a segment already in
the cache costs its job a look, no rendering); (2) renders segments itself too, claiming them from the same
rows, so a film never waits for a free worker; (3) waits until every row is done, taking back the rows of
workers that stopped renewing their claim (killed, cut off); (4) joins the film from the segment cache. Only
the lease holder joins and only it may record the result, so the film is joined once however the jobs
interleave.

A segment job claims its row (owner and expiry, renewed while it renders, like a render's lease), renders the
segment into the cache (with storage s3 the cache is shared through the bucket, app/storage/shared_segments.py)
and records what it left there. A job of a cancelled render, or of an attempt that is no longer the render's
current one, stops and does nothing.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from app.context import Context
from app.db import rowcount
from app.leases import expiry, new_owner, owner_gone, release_owner, same_as
from app.models import Render, RenderSegment, utcnow
from app.services.errors import readable
from app.services.render_store import load_plan
from app.storage.shared_segments import SharedSegments
from media_pipeline.film import FilmPlan, FilmResult, SegmentOutcome, render_film, render_segment
from media_pipeline.types import ProgressFn, RenderCancelled

log = logging.getLogger("dayreel.rendering")

POLL_S = 0.25  # how often the joining worker looks at the segment rows while others render
JOIN_SHARE = 0.1  # of the progress bar: the segments take the rest


class SegmentFailed(RuntimeError):
    """A segment stopped on an error that is not the moment's fault: the film cannot be made."""


@dataclass(frozen=True)
class SegmentClaim:
    render_id: int
    attempt: int
    position: int
    owner: str


def cache_dir(ctx: Context) -> Path:
    return ctx.settings.data_dir / "cache" / "segments"


def shared_cache(ctx: Context, project_id: int) -> SharedSegments | None:
    """With storage s3, the bucket holds the segment cache every worker shares; on local disk it is shared as it is."""
    return SharedSegments(ctx.storage, project_id) if ctx.settings.storage == "s3" else None


def worker_of(owner: str) -> str:
    """The process of an owner id ("host:pid-namespace:pid"), without the claim's random part."""
    return owner.rpartition(":")[0]


# ---- the segment job ----------------------------------------------------------------------------------------

def run_segment(ctx: Context, render_id: int, attempt: int, position: int, *,
                stopping: Callable[[], bool] = lambda: False) -> bool:
    """The job of one segment: claim it, render it into the cache, record the outcome. False when there was
    nothing to do (done already, held by a live worker, or the render is cancelled or at another attempt)."""
    claim = claim_segment(ctx, render_id, attempt, position)
    if claim is None:
        return False
    render_claimed(ctx, claim, stopping=stopping)
    return True


def claim_segment(ctx: Context, render_id: int, attempt: int, position: int | None = None, *,
                  now: datetime | None = None) -> SegmentClaim | None:
    """Take segment `position` of this attempt, or (None) the first one free: pending, or held by a worker
    that stopped renewing its claim. None when there is none, or the render is no longer running this attempt."""
    now = now or utcnow()
    where = [RenderSegment.render_id == render_id, RenderSegment.attempt == attempt,
             RenderSegment.status.in_(("pending", "running"))]
    if position is not None:
        where.append(RenderSegment.position == position)
    with ctx.sessions() as session:
        if not _current(session, render_id, attempt):
            return None
        rows = session.execute(
            select(RenderSegment.position, RenderSegment.status, RenderSegment.lease_owner,
                   RenderSegment.lease_expires_at).where(*where).order_by(RenderSegment.position)
        ).all()
    for pos, status, owner, expires in rows:
        if status == "running" and expires is not None and expires >= now and not owner_gone(owner):
            continue  # a live worker has it
        me = new_owner()
        with ctx.sessions() as session:  # only if nobody took or finished it since we looked
            taken = rowcount(session.execute(
                update(RenderSegment)
                .where(*_row(render_id, attempt, pos), RenderSegment.status == status,
                       same_as(RenderSegment.lease_owner, owner), same_as(RenderSegment.lease_expires_at, expires))
                .values(status="running", lease_owner=me, lease_expires_at=expiry(now, ctx.settings.render_lease_s))
            ))
            session.commit()
        if taken:
            return SegmentClaim(render_id, attempt, pos, me)
        release_owner(me)
    return None


def render_claimed(ctx: Context, claim: SegmentClaim, *, stopping: Callable[[], bool],
                   threads: int | None = None) -> None:
    """Render the claimed segment into the cache and record its outcome; a cancel gives the row back."""
    try:
        with ctx.sessions() as session:
            render = session.get(Render, claim.render_id)
            stored = _plan_of(ctx, render) if render is not None and render.status == "running" else None
            if render is None or stored is None:  # cancelled or gone: the plan with it; give the segment back
                _update(ctx, claim, RenderSegment.lease_owner == claim.owner, RenderSegment.status == "running",
                        status="pending", lease_owner=None, lease_expires_at=None)
                return
            plan, project_id = FilmPlan.from_dict(stored), render.project_id
        watch = _Watch(ctx, claim, stopping)
        try:
            outcome = render_segment(plan, claim.position, resolve=ctx.storage.path, cache_dir=cache_dir(ctx),
                                     cancelled=watch.cancelled, threads=threads,
                                     shared=shared_cache(ctx, project_id))
        except RenderCancelled:
            _update(ctx, claim, RenderSegment.lease_owner == claim.owner, RenderSegment.status == "running",
                    status="pending", lease_owner=None, lease_expires_at=None)
            return
        except Exception as err:  # not the moment's fault (those are skipped): the film cannot be made
            log.exception("render %s: segment %s failed", claim.render_id, claim.position)
            _update(ctx, claim, RenderSegment.lease_owner == claim.owner, status="failed", error=readable(err),
                    lease_expires_at=None, finished_at=utcnow())
            return
        # done whoever holds it now: a worker that lost its claim but finished anyway made the same entries
        _update(ctx, claim, RenderSegment.status != "done", status="done", outcome=outcome.to_dict(),
                worker=worker_of(claim.owner), lease_owner=claim.owner, lease_expires_at=None, error=None,
                finished_at=utcnow())
    finally:
        release_owner(claim.owner)


def _plan_of(ctx: Context, render: Render) -> dict[str, Any] | None:
    try:
        return load_plan(ctx.storage, render)
    except (FileNotFoundError, KeyError):  # removed by a cancel that raced this job
        return None


class _Watch:
    """The segment job's cancel check: stop when the process stops, the render is cancelled or moved on to
    another attempt, or another worker took the segment; renews the claim on the way (at most twice a second)."""

    INTERVAL_S = 0.5

    def __init__(self, ctx: Context, claim: SegmentClaim, stopping: Callable[[], bool]) -> None:
        self.ctx, self.claim, self.stopping = ctx, claim, stopping
        self._checked = float("-inf")  # the first question goes to the database
        self._stop = False

    def cancelled(self) -> bool:
        if self._stop or self.stopping():
            return True
        now = time.monotonic()
        if now - self._checked < self.INTERVAL_S:
            return False
        self._checked = now
        try:
            renewed = _update(self.ctx, self.claim, RenderSegment.lease_owner == self.claim.owner,
                              RenderSegment.status == "running",
                              lease_expires_at=expiry(None, self.ctx.settings.render_lease_s))
            with self.ctx.sessions() as session:
                current = _current(session, self.claim.render_id, self.claim.attempt)
        except Exception:  # the database away for a moment: go on; the claim's expiry is the limit
            log.warning("render %s: could not renew segment %s", self.claim.render_id, self.claim.position,
                        exc_info=True)
            return False
        self._stop = not (renewed and current)
        return self._stop


# ---- the joining worker -------------------------------------------------------------------------------------

def render_spread(
    ctx: Context, render_id: int, attempt: int, plan: FilmPlan, out: Path, *, project_id: int,
    cancelled: Callable[[], bool], progress: ProgressFn, log_line: Callable[[str], None],
) -> FilmResult:
    """The film of `plan`, its segments spread over every worker: queue them, help render them, wait for
    all, join. Raises RenderCancelled (cancel, shutdown, lease lost) or SegmentFailed."""
    count = len(plan.segments)
    with ctx.sessions() as session:
        session.add_all(RenderSegment(render_id=render_id, attempt=attempt, position=i, status="pending")
                        for i in range(count))
        session.commit()
    for position in range(count):  # with the inline queue of the tests, each runs here and now
        ctx.jobs.segment(render_id, attempt, position)

    helpers = max(1, ctx.settings.render_workers or os.cpu_count() or 1)
    threads = max(2, (os.cpu_count() or 1) // helpers)
    stopped = False
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=helpers, thread_name_prefix=f"segments-{render_id}") as pool:
        busy: set[Future[None]] = set()
        try:
            while True:
                for finished in [f for f in busy if f.done()]:
                    busy.discard(finished)
                    finished.result()  # an error here is ours, not the segment's (those are recorded)
                while len(busy) < helpers and (claim := claim_segment(ctx, render_id, attempt)) is not None:
                    busy.add(pool.submit(render_claimed, ctx, claim, stopping=lambda: stopped or cancelled(),
                                         threads=threads))
                counts = _counts(ctx, render_id, attempt)
                if counts["failed"]:
                    raise SegmentFailed(_first_error(ctx, render_id, attempt))
                done = counts["done"]
                elapsed = time.monotonic() - started
                progress((1 - JOIN_SHARE) * done / count, elapsed * (count - done) / done if done else None)
                if done == count:
                    break
                if cancelled():
                    raise RenderCancelled("The render was cancelled.")
                if busy:
                    wait(busy, timeout=POLL_S, return_when=FIRST_COMPLETED)
                else:
                    time.sleep(POLL_S)  # other workers render the rest: look again shortly
        finally:
            stopped = True  # our helpers stop with the render (a cancel, an error elsewhere)

    outcomes = _outcomes(ctx, render_id, attempt)
    log_line(_who_made_what(ctx, render_id, attempt))
    return render_film(
        plan, out, resolve=ctx.storage.path, cache_dir=cache_dir(ctx), outcomes=outcomes,
        progress=lambda fraction, eta: progress(1 - JOIN_SHARE + JOIN_SHARE * fraction, eta),
        cancelled=cancelled, workers=ctx.settings.render_workers, log=log_line,
        shared=shared_cache(ctx, project_id),
    )


def _counts(ctx: Context, render_id: int, attempt: int) -> Counter[str]:
    with ctx.sessions() as session:
        rows = session.execute(
            select(RenderSegment.status, func.count())
            .where(RenderSegment.render_id == render_id, RenderSegment.attempt == attempt)
            .group_by(RenderSegment.status)
        ).all()
    return Counter({status: n for status, n in rows})


def _outcomes(ctx: Context, render_id: int, attempt: int) -> dict[int, SegmentOutcome]:
    with ctx.sessions() as session:
        rows = session.execute(
            select(RenderSegment.position, RenderSegment.outcome)
            .where(RenderSegment.render_id == render_id, RenderSegment.attempt == attempt)
        ).all()
    return {pos: SegmentOutcome.from_dict(outcome) for pos, outcome in rows if outcome}


def _who_made_what(ctx: Context, render_id: int, attempt: int) -> str:
    with ctx.sessions() as session:
        rows = session.execute(
            select(RenderSegment.worker, RenderSegment.outcome)
            .where(RenderSegment.render_id == render_id, RenderSegment.attempt == attempt)
        ).all()
    made = Counter(worker for worker, outcome in rows if outcome and not outcome.get("cached"))
    cached = sum(1 for _, outcome in rows if outcome and outcome.get("cached"))
    by = ", ".join(f"{worker}: {n}" for worker, n in sorted(made.items())) or "none"
    return f"segments rendered by worker: {by}; {cached} from the shared cache"


def _first_error(ctx: Context, render_id: int, attempt: int) -> str:
    with ctx.sessions() as session:
        error = session.scalar(
            select(RenderSegment.error)
            .where(RenderSegment.render_id == render_id, RenderSegment.attempt == attempt,
                   RenderSegment.status == "failed").order_by(RenderSegment.position).limit(1)
        )
    return error or "a segment could not be rendered"


# ---- rows ---------------------------------------------------------------------------------------------------

def _row(render_id: int, attempt: int, position: int) -> tuple[ColumnElement[bool], ...]:
    return (RenderSegment.render_id == render_id, RenderSegment.attempt == attempt,
            RenderSegment.position == position)


def _update(ctx: Context, claim: SegmentClaim, *conditions: ColumnElement[bool], **values: object) -> bool:
    with ctx.sessions() as session:
        written = rowcount(session.execute(
            update(RenderSegment).where(*_row(claim.render_id, claim.attempt, claim.position), *conditions)
            .values(**values)
        ))
        session.commit()
    return bool(written)


def _current(session: Session, render_id: int, attempt: int) -> bool:
    """The render is running this attempt and nobody asked to cancel it."""
    row = session.execute(
        select(Render.status, Render.attempt, Render.cancel_requested).where(Render.id == render_id)
    ).one_or_none()
    return row is not None and row.status == "running" and row.attempt == attempt and not row.cancel_requested
