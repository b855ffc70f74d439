"""Bystanders' faces in the service: found after upload, hidden on the wall, the present link, films and exports
as the project's policy says; staff boxes, consent and overrides; the contributor's own request."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from app.context import Context
from app.cookies import contributor_cookie_name
from app.models import Face, Moment, Project, Render
from app.services import export, faces
from app.services.curation import to_pipeline
from media_pipeline.film import FilmOptions, build_film_plan, render_film
from media_pipeline.types import ProjectInfo
from tests import factories
from tests.facegen import face_clip, face_photo, negatives
from tests.web.test_present import present_token
from tests.web.test_staff_pages import CSRF, sign_in
from tests.web.test_staff_renders import TINY_FILM

OPTIONS = FilmOptions(width=160, height=90, fps=5, photo_s=1.0, transition_s=0.2, quality="preview")


def add(ctx: Context, project: factories.ProjectRef, path: Path, *, scope: str = "public",
        contributor_token: str | None = None) -> factories.MomentRef:
    """An approved moment from `path` with consent scope `scope`; derive and face detection ran inline."""
    ref = factories.make_moment(ctx, project, path, status="approved", contributor_token=contributor_token)
    with ctx.sessions() as s:
        moment = s.get(Moment, ref.id)
        assert moment is not None
        moment.consent_scope = scope
        s.commit()
    return ref


def face_moment(ctx: Context, project: factories.ProjectRef, folder: Path,
                **kwargs: object) -> tuple[factories.MomentRef, tuple[float, ...]]:
    truth = face_photo(folder / "face.jpg", size=(480, 320), person_px=240)
    return add(ctx, project, folder / "face.jpg", **kwargs), truth  # type: ignore[arg-type]


def plain_moment(ctx: Context, project: factories.ProjectRef, folder: Path, *, which: int = 1) -> int:
    """A moment with no face (negatives: 0 noise, 1 a gradient, 2 stripes)."""
    negatives((480, 320))[which].save(folder / "plain.jpg")
    return add(ctx, project, folder / "plain.jpg").id


def detail(img: Image.Image, box: tuple[float, float, float, float]) -> float:
    a = np.asarray(img.convert("L"), dtype=np.float32)
    h, w = a.shape
    x, y, bw, bh = box
    part = a[int(y * h) + 1:int((y + bh) * h) - 1, int(x * w) + 1:int((x + bw) * w) - 1]
    return float(np.abs(np.diff(part, axis=0)).mean() + np.abs(np.diff(part, axis=1)).mean())


def wall_pictures(client: TestClient, url: str) -> dict[int, str]:
    page = client.get(url)
    assert page.status_code == 200
    data = json.loads(re.search(r'id="present-data">(.*?)</script>', page.text, re.S).group(1))  # type: ignore[union-attr]
    return {s["id"]: s["thumb"] for s in data["slides"]}


def test_a_photo_is_looked_at_after_upload_and_its_face_stored(
    ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    ref, truth = face_moment(ctx, project, tmp_path)
    with ctx.sessions() as s:
        moment = s.get(Moment, ref.id)
        assert moment is not None and moment.faces_status == "done"
        [face] = moment.faces
        assert face.source == "detected" and face.score > 0.5
        t0, t1, x, y, w, h = face.boxes[0]
        assert (t0, t1) == (0.0, 0.0)
        assert abs(x - truth[0]) < 0.03 and abs(y - truth[1]) < 0.03 and abs(w - truth[2]) < 0.03
        assert abs(h - truth[3]) < 0.05


def test_a_clip_is_followed_and_its_face_stored_per_time(
    ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    face_clip(tmp_path / "walk.mp4", size=(320, 180), fps=10, duration_s=2.0)
    ref = add(ctx, project, tmp_path / "walk.mp4")
    with ctx.sessions() as s:
        moment = s.get(Moment, ref.id)
        assert moment is not None and moment.kind == "clip" and moment.faces_status == "done"
        [face] = moment.faces  # one person, one track
        times = [box[0] for box in face.boxes]
        assert times == sorted(times) and times[0] == 0.0 and face.boxes[-1][1] >= 1.9  # covers the whole clip
        assert len(face.boxes) >= 6
        assert to_pipeline(moment).faces == tuple(tuple(b) for b in face.boxes)  # public scope: all hidden


def test_the_wall_and_present_link_show_the_face_blurred_only_when_the_policy_says_so(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    ref, truth = face_moment(ctx, project, tmp_path, scope="public")
    public_id = ref.id
    (tmp_path / "w").mkdir()
    face_photo(tmp_path / "w" / "face.jpg", size=(480, 320), person_px=236)  # other bytes, same person
    workshop_id = add(ctx, project, tmp_path / "w" / "face.jpg", scope="workshop").id
    with ctx.sessions() as s:
        plain = {m.id: ctx.storage.path(m.thumb_key).read_bytes() for m in s.query(Moment)}  # type: ignore[arg-type]
    token = present_token(ctx, project.id)
    sign_in(client, staff)
    for wall in (f"/p/{token}", f"/staff/projects/{project.id}/present"):  # the present link, and the staff's wall
        urls = wall_pictures(client, wall)
        served = {i: client.get(u) for i, u in urls.items()}
        assert all(r.status_code == 200 and r.headers["content-type"] == "image/jpeg" for r in served.values())
        # the default policy blurs moments shared publicly; a workshop-only moment is shown as it is
        assert served[public_id].content != plain[public_id]
        assert served[workshop_id].content == plain[workshop_id]
        shown, original = (Image.open(io.BytesIO(b)) for b in (served[public_id].content, plain[public_id]))
        assert detail(shown, truth) < 0.3 * detail(original, truth)
    # policy "always": the workshop moment too; the address changes, so no browser shows a cached unblurred copy
    before = wall_pictures(client, f"/p/{token}")
    with ctx.sessions() as s:
        faces.set_policy(session=s, project=s.get(Project, project.id), policy="always")  # type: ignore[arg-type]
    after = wall_pictures(client, f"/p/{token}")
    assert after[workshop_id] != before[workshop_id] and after[public_id] == before[public_id]
    assert client.get(after[workshop_id]).content != plain[workshop_id]
    # the staff's own pages still show the face (to judge it)
    with ctx.sessions() as s:
        digest = s.get(Moment, public_id).sha256[:16]  # type: ignore[union-attr]
    assert client.get(f"/media/moments/{public_id}/{digest}/thumb").content == plain[public_id]


def test_while_faces_are_looked_for_the_wall_shows_nothing_rather_than_a_face(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    moment_id = face_moment(ctx, project, tmp_path)[0].id
    with ctx.sessions() as s:
        moment = s.get(Moment, moment_id)
        moment.faces_status = "pending"  # type: ignore[union-attr]
        moment.faces.clear()  # type: ignore[union-attr]
        s.commit()
    token = present_token(ctx, project.id)
    url = wall_pictures(client, f"/p/{token}")[moment_id]
    assert client.get(url).status_code == 404


def test_a_consented_face_is_not_blurred_unless_its_owner_asks(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    ref, _ = face_moment(ctx, project, tmp_path)
    moment_id = ref.id
    with ctx.sessions() as s:
        moment = s.get(Moment, moment_id)
        assert moment is not None
        plain = ctx.storage.path(moment.thumb_key).read_bytes()  # type: ignore[arg-type]
        face_id = moment.faces[0].id
    csrf = sign_in(client, staff)
    page = client.get(f"/staff/moments/{moment_id}")
    assert page.text.count('class="face-box') == 1
    r = client.post(f"/staff/moments/{moment_id}/faces/{face_id}/consent", data={"csrf": csrf, "consented": "true"},
                    follow_redirects=False)
    assert r.status_code == 303
    token = present_token(ctx, project.id)
    client.cookies.clear()
    assert client.get(wall_pictures(client, f"/p/{token}")[moment_id]).content == plain
    # the contributor asks on "my moments" for their own face to be blurred too
    assert ref.contributor_token
    client.cookies.set(contributor_cookie_name(project.id), ref.contributor_token)
    mine = client.get(f"/c/{project.invite_token}/me")
    assert f'/me/moments/{moment_id}/own-face' in mine.text
    r = client.post(f"/c/{project.invite_token}/me/moments/{moment_id}/own-face",
                    data={"csrf": CSRF.search(mine.text).group(1), "hidden": "true"},  # type: ignore[union-attr]
                    follow_redirects=False)
    assert r.status_code == 303
    assert "Show my face again" in client.get(f"/c/{project.invite_token}/me").text
    client.cookies.clear()
    assert client.get(wall_pictures(client, f"/p/{token}")[moment_id]).content != plain


def test_staff_add_remove_and_override_boxes(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    plain_id = plain_moment(ctx, project, tmp_path)
    token = present_token(ctx, project.id)
    csrf = sign_in(client, staff)
    with ctx.sessions() as s:
        plain = ctx.storage.path(s.get(Moment, plain_id).thumb_key).read_bytes()  # type: ignore[union-attr, arg-type]
    assert client.get(wall_pictures(client, f"/p/{token}")[plain_id]).content == plain  # nothing to hide
    r = client.post(f"/staff/moments/{plain_id}/faces/add", data={"csrf": csrf, "x": "10", "y": "10", "w": "30",
                                                                 "h": "40"}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(f"/staff/moments/{plain_id}")
    assert 'style="left:10.00%;top:10.00%;width:30.00%;height:40.00%"' in page.text
    assert client.get(wall_pictures(client, f"/p/{token}")[plain_id]).content != plain
    client.post(f"/staff/moments/{plain_id}/faces/override", data={"csrf": csrf, "override": "keep"})
    assert client.get(wall_pictures(client, f"/p/{token}")[plain_id]).content == plain
    client.post(f"/staff/moments/{plain_id}/faces/override", data={"csrf": csrf, "override": ""})
    with ctx.sessions() as s:
        face_id = s.get(Moment, plain_id).faces[0].id  # type: ignore[union-attr]
    client.post(f"/staff/moments/{plain_id}/faces/{face_id}/remove", data={"csrf": csrf})
    assert client.get(wall_pictures(client, f"/p/{token}")[plain_id]).content == plain
    bad = client.post(f"/staff/moments/{plain_id}/faces/add", data={"csrf": csrf, "x": "ten", "y": "1", "w": "1",
                                                                   "h": "1"})
    assert bad.status_code == 422 and "percent" in bad.text
    # the project's policy is set on its settings page
    settings = client.get(f"/staff/projects/{project.id}/settings").text
    assert 'name="policy" value="public" checked' in settings
    r = client.post(f"/staff/projects/{project.id}/faces/policy", data={"csrf": CSRF.search(settings).group(1),  # type: ignore[union-attr]
                                                                       "policy": "never"}, follow_redirects=False)
    assert r.status_code == 303
    assert 'name="policy" value="never" checked' in client.get(f"/staff/projects/{project.id}/settings").text


def test_a_policy_change_re_renders_only_the_segments_it_touches_and_the_export_says_why(
    ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    face_id = face_moment(ctx, project, tmp_path)[0].id
    plain_id = plain_moment(ctx, project, tmp_path)

    def film(name: str) -> tuple[int, list[str]]:
        with ctx.sessions() as s:
            proj = s.get(Project, project.id)
            assert proj is not None
            moments = [to_pipeline(m) for m in sorted(proj.moments, key=lambda m: m.id)]
            plan = build_film_plan(moments, _info(), OPTIONS)
        result = render_film(plan, tmp_path / name, resolve=ctx.storage.path, cache_dir=tmp_path / "cache")
        return result.segments_rendered, faces.blurred_in_plan(plan.to_dict())

    first, blurred = film("a.mp4")
    assert blurred == [str(face_id)]
    with ctx.sessions() as s:
        faces.set_policy(session=s, project=s.get(Project, project.id), policy="never")  # type: ignore[arg-type]
    again, blurred = film("b.mp4")
    # the face moment's segment alone; the cards and the plain photo come from the cache
    assert blurred == [] and first >= 4 and again == 1
    with ctx.sessions() as s:
        proj = s.get(Project, project.id)
        faces.set_policy(session=s, project=proj, policy="public")  # type: ignore[arg-type]
        plan = export.export_plan(session=s, project=proj)  # type: ignore[arg-type]
    meta = json.loads(dict(plan.texts)["project.json"])
    by_id = {m["id"]: m["faces"] for m in meta["moments"]}
    assert by_id[face_id]["blurred"] is True and by_id[face_id]["reason"] == "policy-public-public"
    assert by_id[face_id]["found"] == 1 and by_id[face_id]["blurred_faces"] == 1
    assert by_id[plain_id]["blurred"] is False and by_id[plain_id]["found"] == 0


def _info() -> ProjectInfo:
    return ProjectInfo(title="Dag", date="2024-07-24")


def test_faces_rows_go_with_their_moment(ctx: Context, project: factories.ProjectRef, tmp_path: Path) -> None:
    moment_id = face_moment(ctx, project, tmp_path)[0].id
    with ctx.sessions() as s:
        s.delete(s.get(Moment, moment_id))
        s.commit()
        assert s.query(Face).count() == 0



def test_a_render_looks_for_faces_not_yet_found_and_says_whom_it_blurred(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    moment_id = face_moment(ctx, project, tmp_path)[0].id
    with ctx.sessions() as s:
        moment = s.get(Moment, moment_id)
        assert moment is not None
        moment.faces.clear()
        moment.faces_status = "pending"  # as if the job after derive had not run yet
        s.commit()
    csrf = sign_in(client, staff)
    client.post(f"/staff/projects/{project.id}/films", data={"csrf": csrf, **TINY_FILM})
    with ctx.sessions() as s:
        render = s.scalars(select(Render).where(Render.project_id == project.id)).one()
        assert render.status == "done", render.log
        assert f"faces hidden in moments {moment_id}" in (render.log or "")
        assert len(s.get(Moment, moment_id).faces) == 1  # type: ignore[union-attr]


def test_when_detection_failed_the_whole_picture_is_hidden(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    moment_id = plain_moment(ctx, project, tmp_path, which=0)  # noise: fine detail everywhere
    with ctx.sessions() as s:
        moment = s.get(Moment, moment_id)
        assert moment is not None
        plain = Image.open(ctx.storage.path(moment.thumb_key))  # type: ignore[arg-type]
        moment.faces_status = "failed"
        s.commit()
        assert faces.decide(moment, moment.project).reason == "policy-public-public-detection-failed"
    shown = Image.open(io.BytesIO(client.get(wall_pictures(client, f"/p/{present_token(ctx, project.id)}")[moment_id])
                                  .content))
    whole = (0.05, 0.05, 0.9, 0.9)
    assert detail(shown, whole) < 0.2 * detail(plain, whole)


def test_blurred_copies_go_with_the_moment(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    ref = face_moment(ctx, project, tmp_path)[0]
    token = present_token(ctx, project.id)
    assert client.get(wall_pictures(client, f"/p/{token}")[ref.id]).status_code == 200  # a blurred copy is made
    with ctx.sessions() as s:
        sha = s.get(Moment, ref.id).sha256  # type: ignore[union-attr]
    copies = [k for k in ctx.storage.list_keys(f"derived/{sha[:2]}/") if ".faces-" in k]
    assert len(copies) == 1
    assert ref.contributor_token
    client.cookies.set(contributor_cookie_name(project.id), ref.contributor_token)
    mine = client.get(f"/c/{project.invite_token}/me")
    r = client.post(f"/c/{project.invite_token}/me/moments/{ref.id}/delete",
                    data={"csrf": CSRF.search(mine.text).group(1)}, follow_redirects=False)  # type: ignore[union-attr]
    assert r.status_code == 303
    assert ctx.storage.list_keys(f"derived/{sha[:2]}/") == []
