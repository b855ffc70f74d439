"""Bystanders' faces: found by a job after derive, hidden in what leaves the staff pages, as the project says.

The project's policy says which moments are blurred (by the consent scope their contributor chose); staff
may override it per moment, add or remove a box, and mark a face as consented (the contributor themself);
the contributor may ask for their own face to be hidden too. Originals are never changed: blurred copies
of the derived pictures are made on demand (content-addressed by what they hide), and renders hide the
faces while they are made (media_pipeline.faces.blur).
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.context import Context
from app.models import Face, Moment, Project, Render, utcnow
from app.services.errors import Invalid, NotFound
from app.storage import Storage, derived_key
from media_pipeline.faces import detect_clip, detect_photo
from media_pipeline.faces.blur import blur_faces, still_boxes
from media_pipeline.images import open_image
from media_pipeline.types import FaceSpans

log = logging.getLogger("dayreel.faces")

# never: nothing is blurred; public: moments shared publicly; shared: shared with the organisation or the
# public; always: every moment (even those kept to the workshop)
POLICIES = ("never", "public", "shared", "always")
DEFAULT_POLICY = "public"
OVERRIDES = ("blur", "keep")
WHOLE_PICTURE = (0.0, 1e9, 0.0, 0.0, 1.0, 1.0)  # every frame, the whole frame
_SCOPES_BLURRED = {"never": (), "public": ("public",), "shared": ("organisation", "public"),
                   "always": ("workshop", "organisation", "public")}


def policy_of(project: Project) -> str:
    value = (project.settings or {}).get("face_blur", DEFAULT_POLICY)
    return value if value in POLICIES else DEFAULT_POLICY


def set_policy(*, session: Session, project: Project, policy: str) -> None:
    if policy not in POLICIES:
        raise Invalid(f"face blurring must be one of {', '.join(POLICIES)}")
    project.settings = {**(project.settings or {}), "face_blur": policy}
    session.commit()


@dataclass(frozen=True)
class BlurDecision:
    """Whether a moment's faces are hidden outside the staff pages, why, and which."""

    wanted: bool  # the policy or an override asks for blurring
    reason: str  # a word for logs and the export: override-keep, override-blur, policy-<policy>-<scope>
    spans: FaceSpans  # what is hidden (empty: nothing to hide, or not wanted)
    pending: bool = False  # wanted, but the faces have not been looked for yet
    faces_hidden: int = 0

    @property
    def blurs(self) -> bool:
        return bool(self.spans)


class BlurSubject(Protocol):
    """What a blur decision reads: a Moment, or a row of DECISION_COLUMNS with its faces beside it."""

    # read-only (properties): a frozen _RowSubject qualifies as well as a Moment
    @property
    def consent_scope(self) -> str: ...
    @property
    def faces_status(self) -> str: ...
    @property
    def blur_override(self) -> str | None: ...
    @property
    def blur_own_face(self) -> bool: ...
    @property
    def faces(self) -> Sequence[Face]: ...


DECISION_COLUMNS = (Moment.consent_scope, Moment.faces_status, Moment.blur_override, Moment.blur_own_face)


@dataclass(frozen=True)
class _RowSubject:
    consent_scope: str
    faces_status: str
    blur_override: str | None
    blur_own_face: bool
    faces: Sequence[Face]


def versions(*, session: Session, project: Project, rows: Sequence[Any], where: Sequence[Any]) -> dict[int, str]:
    """`version` for many moment rows (with DECISION_COLUMNS) at once: their faces in one query, not one each."""
    faces_of: dict[int, list[Face]] = {}
    for face in session.scalars(select(Face).join(Moment).where(*where)):
        faces_of.setdefault(face.moment_id, []).append(face)
    return {r.id: _version(decide(_RowSubject(r.consent_scope, r.faces_status, r.blur_override, r.blur_own_face,
                                              faces_of.get(r.id, [])), project)) for r in rows}


def decide(moment: BlurSubject, project: Project) -> BlurDecision:
    """The moment's blur decision under its project's policy and its own overrides."""
    policy = policy_of(project)
    if moment.blur_override == "keep":
        return BlurDecision(False, "override-keep", ())
    if moment.blur_override == "blur":
        reason = "override-blur"
    elif moment.consent_scope in _SCOPES_BLURRED[policy]:
        reason = f"policy-{policy}-{moment.consent_scope}"
    else:
        return BlurDecision(False, f"policy-{policy}-{moment.consent_scope}", ())
    hidden = [f for f in moment.faces if not f.consented or moment.blur_own_face]
    spans = tuple(_span(box) for face in hidden for box in face.boxes)
    if moment.faces_status == "failed" and not moment.faces:
        # nobody knows where the faces are: the whole picture is hidden until staff draw boxes or override
        return BlurDecision(True, f"{reason}-detection-failed", (WHOLE_PICTURE,), faces_hidden=0)
    return BlurDecision(True, reason, spans, pending=moment.faces_status == "pending", faces_hidden=len(hidden))


def _span(box: Sequence[float]) -> tuple[float, float, float, float, float, float]:
    """A stored box, [from s, to s, x, y, w, h] (both writers above store six numbers), as a FaceSpans item."""
    t0, t1, x, y, w, h = box
    return float(t0), float(t1), float(x), float(y), float(w), float(h)


def pipeline_faces(moment: Moment) -> FaceSpans:
    """What the renderers hide in this moment (media_pipeline.types.Moment.faces)."""
    return decide(moment, moment.project).spans


# ---- detection (the job after derive) ------------------------------------------------------------------------


def detect_moment(moment_id: int, *, ctx: Context) -> None:
    """Find the faces in a moment's original and store them; idempotent (detected boxes are replaced,
    boxes staff drew are kept)."""
    with ctx.sessions() as session:
        moment = session.get(Moment, moment_id)
        if moment is None:
            return
        try:
            src = ctx.storage.path(moment.storage_key)
            if moment.kind == "clip":
                rows = [(track.spans(), track.score) for track in detect_clip(src)]
            else:
                rows = [([[0.0, 0.0, *box.as_list()[:4]]], box.score) for box in detect_photo(src)]
        except Exception as err:  # a file we cannot look into (or read back) is hidden whole, never fatal
            log.warning("face detection failed for moment %s: %s", moment_id, err)
            moment.faces_status = "failed"
            session.commit()
            return
        for face in [f for f in moment.faces if f.source == "detected"]:
            moment.faces.remove(face)
        moment.faces.extend(Face(boxes=boxes, score=round(score, 3), source="detected") for boxes, score in rows)
        moment.faces_status = "done"
        _touch(moment)
        session.commit()


def detect_before_render(ctx: Context, *, render_id: int) -> int:
    """Look for faces now in the render's project's approved moments whose job has not run yet (a render must
    not wait for the queue, nor show a face it was meant to hide). Returns how many were looked at."""
    with ctx.sessions() as session:
        render = session.get(Render, render_id)
        if render is None:
            return 0
        ids = list(session.scalars(select(Moment.id).where(
            Moment.project_id == render.project_id, Moment.status == "approved", Moment.faces_status == "pending")))
    for moment_id in ids:
        detect_moment(moment_id, ctx=ctx)
    return len(ids)


# ---- staff and contributor choices -----------------------------------------------------------------------------


def _touch(moment: Moment) -> None:
    """A change of its faces is a change of the moment: the wall sends it again (now blurred), and renders
    made before it show as out of date."""
    moment.updated_at = utcnow()


def face_of(moment: Moment, face_id: int) -> Face:
    for face in moment.faces:
        if face.id == face_id:
            return face
    raise NotFound("no such face in this moment")


def add_box(*, session: Session, moment: Moment, x: float, y: float, w: float, h: float) -> Face:
    """A box staff drew (fractions of the picture); on a clip it covers the whole clip."""
    if not (0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 and 0 < h <= 1):
        raise Invalid("a box needs x and y from 0 to 1 and a width and height above 0, as fractions of the picture")
    w, h = min(w, 1 - x), min(h, 1 - y)
    until = float(moment.duration_s or 0.0) + 1.0 if moment.kind == "clip" else 0.0
    face = Face(boxes=[[0.0, until, round(x, 4), round(y, 4), round(w, 4), round(h, 4)]], score=1.0, source="staff")
    moment.faces.append(face)
    if moment.faces_status == "pending":  # staff drew what matters; a later detection still adds its own
        moment.faces_status = "done"
    _touch(moment)
    session.commit()
    return face


def remove_face(*, session: Session, moment: Moment, face_id: int) -> None:
    moment.faces.remove(face_of(moment, face_id))
    _touch(moment)
    session.commit()


def set_consented(*, session: Session, moment: Moment, face_id: int, consented: bool) -> None:
    face_of(moment, face_id).consented = consented
    _touch(moment)
    session.commit()


def set_override(*, session: Session, moment: Moment, override: str) -> None:
    """'blur' or 'keep' this moment whatever the policy says; '' follows the policy again."""
    if override and override not in OVERRIDES:
        raise Invalid("choose blur, keep or the project's policy")
    moment.blur_override = override or None
    session.commit()


def set_own_face(*, session: Session, moment: Moment, hidden: bool) -> None:
    """The contributor asks for their own face (a consented face) to be hidden too, or no longer."""
    moment.blur_own_face = hidden
    session.commit()


# ---- what leaves the staff pages ------------------------------------------------------------------------------


def fingerprint(spans: FaceSpans) -> str:
    return hashlib.sha256(json.dumps(spans).encode()).hexdigest()[:16]


def version(moment: Moment) -> str:
    """A short word that changes whenever what is hidden in the moment's pictures changes."""
    return _version(decide(moment, moment.project))


def _version(decision: BlurDecision) -> str:
    return "p" if decision.pending else fingerprint(decision.spans)[:8] if decision.blurs else "0"


def shown_key(*, storage: Storage, moment: Moment, variant: str) -> str:
    """The storage key of the thumbnail or preview to show outside the staff pages: the derived file, or a
    copy with the faces hidden when the policy says blur. Never the unblurred one when it should be blurred:
    while the faces are still being looked for, it is "being prepared"."""
    key = moment.thumb_key if variant == "thumb" else moment.preview_key
    if key is None:
        raise NotFound("this picture is still being prepared")
    decision = decide(moment, moment.project)
    if decision.pending:
        raise NotFound("this picture is still being prepared")
    if not decision.blurs:
        return key
    hidden_key = derived_key(moment.sha256, f"{variant}.faces-{fingerprint(decision.spans)}.jpg")
    if not storage.exists(hidden_key):
        # a name of its own: two requests for the same picture may make it at once (the last move wins)
        tmp = storage.temp_dir() / f"faces-{moment.id}-{variant}-{secrets.token_hex(8)}.jpg"
        try:
            blur_faces(open_image(storage.path(key)), still_boxes(decision.spans)).save(tmp, "JPEG", quality=85)
            storage.put_file(tmp, hidden_key)
        finally:
            tmp.unlink(missing_ok=True)
    return hidden_key


def delete_blurred_copies(storage: Storage, sha256: str) -> int:
    """Remove the blurred copies made of one file's derived pictures (when the file itself goes)."""
    start = derived_key(sha256, "")
    copies = [k for k in storage.list_keys(start.rsplit("/", 1)[0] + "/") if k.startswith(start) and ".faces-" in k]
    for key in copies:
        storage.delete(key)
    return len(copies)


def export_record(moment: Moment) -> dict[str, Any]:
    """Per moment in the export's project.json: what was blurred and why."""
    decision = decide(moment, moment.project)
    return {
        "detection": moment.faces_status, "found": len(moment.faces),
        "consented": sum(1 for f in moment.faces if f.consented),
        "blurred": decision.blurs, "blurred_faces": decision.faces_hidden,
        "reason": decision.reason, "override": moment.blur_override, "own_face_hidden": moment.blur_own_face,
    }


def blurred_in_plan(plan: dict[str, Any]) -> list[str]:
    """Ids of the moments a film or collage plan (as data) hides faces in, for the render's log."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("faces") and value.get("moment_id") is not None and str(value["moment_id"]) not in found:
                found.append(str(value["moment_id"]))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(plan)
    return found


def staff_view(moment: Moment) -> dict[str, Any]:
    """The moment page's faces panel: boxes to draw over the picture and the decision in words."""
    decision = decide(moment, moment.project)
    faces = []
    for face in moment.faces:
        box = face.boxes[0] if len(face.boxes) == 1 else _widest(face.boxes)
        faces.append({"id": face.id, "x": box[2], "y": box[3], "w": box[4], "h": box[5], "score": face.score,
                      "source": face.source, "consented": face.consented, "looks": len(face.boxes)})
    return {"faces": faces, "status": moment.faces_status, "policy": policy_of(moment.project),
            "override": moment.blur_override or "", "wanted": decision.wanted, "blurs": decision.blurs,
            "own_face": moment.blur_own_face}


def _widest(boxes: list[list[float]]) -> list[float]:
    """The box over all of a track's boxes: where the face went during the clip."""
    x0, y0 = min(b[2] for b in boxes), min(b[3] for b in boxes)
    x1, y1 = max(b[2] + b[4] for b in boxes), max(b[3] + b[5] for b in boxes)
    return [0.0, 0.0, x0, y0, x1 - x0, y1 - y0]
