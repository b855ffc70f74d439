"""Film and collage builders: plan preview, start, watch, outdated mark; export zip and project delete."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.context import Context
from app.models import Moment, Project, Render
from tests import factories
from tests.web.test_staff_pages import add_moment, approve_all, sign_in

TINY_FILM = {"size": "160x90", "fps": "10", "quality": "preview", "photo_s": "2", "transition_s": "0.2"}


def test_film_plan_preview_shows_chapters_order_and_cuts(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    for hour in (7, 9, 13, 19):
        add_moment(client, project.invite_token, tmp_path, hour, caption=f"at {hour}")
    csrf = sign_in(client, staff)
    empty = client.post(f"/staff/projects/{project.id}/film/preview", data={"csrf": csrf, **TINY_FILM})
    assert empty.status_code == 422 and "approve some moments first" in empty.text
    approve_all(ctx, project.id)
    page = client.post(f"/staff/projects/{project.id}/film/preview",
                       data={"csrf": csrf, **TINY_FILM, "photo_s": "4", "target_length_s": "28"}).text
    plan = page[page.index('id="plan"'):]
    assert "Dawn" in plan and "Evening" in plan  # chapters by part of day
    assert plan.index("at 7") < plan.index("at 9") < plan.index("at 13")
    assert "length budget" in plan  # the target made the plan cut something, and says so
    assert "Not in this film" not in plan  # shortening was enough: every moment is in
    assert 'value="28"' in page  # the form keeps what was typed
    # a target with room for one moment: the film keeps it, the rest are counted with their reason
    short = client.post(f"/staff/projects/{project.id}/film/preview?lang=nl",
                        data={"csrf": csrf, **TINY_FILM, "photo_s": "4", "target_length_s": "12"}).text
    left_out = short[short.index('class="left-out"'):]
    assert "Niet in deze film: 3 momenten" in left_out
    assert "<li>3 · geen ruimte meer in de gewenste lengte</li>" in left_out  # other hours, other people
    bad = client.post(f"/staff/projects/{project.id}/film/preview", data={"csrf": csrf, **TINY_FILM, "fps": "240"})
    assert bad.status_code == 422 and "frames per second" in bad.text.lower()
    assert client.post(f"/staff/projects/{project.id}/film/preview", data=TINY_FILM).status_code == 403


def test_lanes_film_preview_shows_customer_and_employee_side_by_side(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    from app.services.builder import film_options_from_form

    assert film_options_from_form({"lanes": "on", "fps": "25"}) == {"fps": 25, "lanes": True}
    add_moment(client, project.invite_token, tmp_path, 9, role="customer", caption="Wachtkamer", colour="red")
    add_moment(client, project.invite_token, tmp_path, 9, role="employee", caption="Ochtendoverdracht",
               minute=10, colour="green")
    approve_all(ctx, project.id)
    csrf = sign_in(client, staff)
    r = client.post(f"/staff/projects/{project.id}/film/preview", data={"csrf": csrf, **TINY_FILM, "lanes": "on"})
    assert r.status_code == 200
    plan = r.text[r.text.index('id="plan"'):]
    # one lanes segment holds both moments; the preview lists each of them
    assert "Wachtkamer" in plan and "Ochtendoverdracht" in plan


def test_start_film_watch_it_and_see_it_outdated_after_a_change(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    ids = [add_moment(client, project.invite_token, tmp_path, h, caption=f"c{h}") for h in (8, 15)]
    approve_all(ctx, project.id)
    csrf = sign_in(client, staff)
    r = client.post(f"/staff/projects/{project.id}/films", data={"csrf": csrf, **TINY_FILM}, follow_redirects=False)
    assert r.status_code == 303
    watch = client.get(r.headers["location"]).text  # jobs run inline: it is done
    render_id = int(r.headers["location"].rsplit("/", 1)[-1])
    assert f'src="/api/renders/{render_id}/file"' in watch and 'kind="captions"' in watch
    assert re.search(r'data-seek="[\d.]+"', watch) and "Morning" in watch
    for part in ("file", "captions", "poster"):
        assert f"/api/renders/{render_id}/{part}" in watch
    ranged = client.get(f"/api/renders/{render_id}/file", headers={"range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.content) == 100
    films = client.get(f"/staff/projects/{project.id}/film").text
    assert f'id="r{render_id}"' in films and "outdated" not in films.split(f'id="r{render_id}"')[1].split("</tr>")[0]
    client.post(f"/staff/moments/{ids[0]}", data={"csrf": csrf, "caption": "changed", "local_time": ""})
    films = client.get(f"/staff/projects/{project.id}/film").text
    assert "outdated" in films.split(f'id="r{render_id}"')[1].split("</tr>")[0]


def test_cancel_a_queued_render_from_the_watch_page(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    add_moment(client, project.invite_token, tmp_path, 8)
    approve_all(ctx, project.id)
    with ctx.sessions() as s:  # a render still waiting in the queue (jobs run inline, so make one by hand)
        render = Render(project_id=project.id, kind="film", options={}, status="queued")
        s.add(render)
        s.commit()
        render_id = render.id
    csrf = sign_in(client, staff)
    page = client.get(f"/staff/renders/{render_id}").text
    assert 'role="progressbar"' in page and f"/staff/renders/{render_id}/cancel" in page
    client.post(f"/staff/renders/{render_id}/cancel", data={"csrf": csrf})
    with ctx.sessions() as s:
        assert s.get(Render, render_id).status == "cancelled"  # type: ignore[union-attr]


def test_collage_comes_with_a_small_preview_render(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    add_moment(client, project.invite_token, tmp_path, 8, role="customer")
    add_moment(client, project.invite_token, tmp_path, 9, role="employee", colour="green")
    approve_all(ctx, project.id)
    csrf = sign_in(client, staff)
    r = client.post(f"/staff/projects/{project.id}/collages",
                    data={"csrf": csrf, "layout": "grid", "size": "1920x1080", "format": "jpg", "labels": "on"},
                    follow_redirects=False)
    assert r.status_code == 303 and "?preview=" in r.headers["location"]
    with ctx.sessions() as s:
        renders = list(s.scalars(select(Render).where(Render.project_id == project.id).order_by(Render.id)))
        assert [(x.options["width"], x.options["format"], x.status) for x in renders] == [
            (960, "png", "done"), (1920, "jpg", "done")]
    watch = client.get(r.headers["location"]).text
    assert "Other sizes and file types" in watch and 'value="A2"' in watch
    listing = client.get(f"/staff/projects/{project.id}/collage").text
    assert "Grid · 1920x1080 · jpg" in listing and "Grid · 960x540 · png" in listing  # the layout by its name
    assert "Raster · 1920x1080 · jpg" in client.get(f"/staff/projects/{project.id}/collage?lang=nl").text
    bad = client.post(f"/staff/projects/{project.id}/collages", data={"csrf": csrf, "layout": "spiral"},
                      headers={"accept": "text/html"})
    assert bad.status_code == 422 and "spiral" in bad.text
    lanes = client.get(f"/staff/projects/{project.id}/lanes").text
    assert lanes.index('class="cell customer"') < lanes.index('class="cell employee"')
    assert lanes.count("<figure>") == 2


def test_collage_form_takes_the_most_moments_shown(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    for hour in (8, 9, 10):
        add_moment(client, project.invite_token, tmp_path, hour)
    approve_all(ctx, project.id)
    csrf = sign_in(client, staff)
    assert 'name="max_tiles"' in client.get(f"/staff/projects/{project.id}/collage").text
    r = client.post(f"/staff/projects/{project.id}/collages",
                    data={"csrf": csrf, "layout": "grid", "size": "960x540", "max_tiles": "2"}, follow_redirects=False)
    assert r.status_code == 303
    with ctx.sessions() as s:
        render = s.scalars(select(Render).where(Render.project_id == project.id)).one()
        assert (render.options["max_tiles"], render.status) == (2, "done")
    too_many = client.post(f"/staff/projects/{project.id}/collages", headers={"accept": "text/html"},
                           data={"csrf": csrf, "layout": "grid", "max_tiles": "5000"})
    assert too_many.status_code == 422 and "most tiles" in too_many.text


def test_export_zip_holds_originals_metadata_consents_notes_and_renders(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    ids = [add_moment(client, project.invite_token, tmp_path, h) for h in (8, 12)]
    approve_all(ctx, project.id)
    csrf = sign_in(client, staff)
    client.post(f"/staff/projects/{project.id}/films", data={"csrf": csrf, **TINY_FILM})
    r = client.post(f"/staff/projects/{project.id}/notes", json={"body": "Meer koffie", "prompt": "Wat blijft?"},
                    headers={"x-csrf-token": csrf})
    assert r.status_code == 201
    r = client.get(f"/staff/projects/{project.id}/export.zip")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = zf.namelist()
        meta = json.loads(zf.read("project.json"))
        notes = zf.read("workshop-notes.txt").decode()
        with ctx.sessions() as s:
            moment = s.get(Moment, ids[0])
            assert moment is not None
            original = ctx.storage.path(moment.storage_key).read_bytes()
        assert zf.read(meta["moments"][0]["file"]) == original
    assert sum(n.startswith("originals/") for n in names) == 2
    assert any(re.fullmatch(r"renders/film-\d+\.mp4", n) for n in names) and any(n.endswith(".vtt") for n in names)
    assert [m["consent"]["version"] for m in meta["moments"]] == [1, 1]
    assert meta["workshop_notes"][0]["body"] == "Meer koffie" and "Meer koffie" in notes


def test_delete_needs_the_title_and_keeps_files_another_project_shares(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    other = factories.make_project(ctx)
    shared = add_moment(client, project.invite_token, tmp_path, 8)  # the same photo in both projects
    add_moment(client, other.invite_token, tmp_path, 8)
    own = add_moment(client, project.invite_token, tmp_path, 9, colour="green")
    with ctx.sessions() as s:
        shared_key = s.get(Moment, shared).storage_key  # type: ignore[union-attr]
        own_keys = [k for k in (lambda m: (m.storage_key, m.thumb_key))(s.get(Moment, own)) if k]
    csrf = sign_in(client, staff)
    assert "Type the title" in client.get(f"/staff/projects/{project.id}/delete").text
    wrong = client.post(f"/staff/projects/{project.id}/delete", data={"csrf": csrf, "confirm_title": "nope"})
    assert wrong.status_code == 422
    r = client.post(f"/staff/projects/{project.id}/delete",
                    data={"csrf": csrf, "confirm_title": "Een dag in het ziekenhuis"}, follow_redirects=False)
    assert r.status_code == 303
    with ctx.sessions() as s:
        assert s.get(Project, project.id) is None
        assert s.scalar(select(func.count()).select_from(Moment).where(Moment.project_id == project.id)) == 0
        assert s.get(Project, other.id) is not None
    assert ctx.storage.exists(shared_key)
    assert own_keys and not any(ctx.storage.exists(k) for k in own_keys)


def test_project_music_goes_under_the_film_and_no_other_key_may(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    import subprocess

    from tests.mediagen import FFMPEG

    song = tmp_path / "song.m4a"
    subprocess.run([FFMPEG, "-y", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=330:duration=3",
                    "-c:a", "aac", str(song)], check=True)
    mid = add_moment(client, project.invite_token, tmp_path, 9)
    approve_all(ctx, project.id)
    csrf = sign_in(client, staff)
    not_music = tmp_path / "notes.mp3"
    not_music.write_text("la la la")
    with not_music.open("rb") as fh:
        bad = client.post(f"/staff/projects/{project.id}/music", data={"csrf": csrf},
                          files={"music": (not_music.name, fh)}, headers={"accept": "text/html"})
    assert bad.status_code == 415
    with song.open("rb") as fh:
        ok = client.post(f"/staff/projects/{project.id}/music", data={"csrf": csrf},
                         files={"music": ("../song.m4a", fh)}, follow_redirects=False)
    assert ok.status_code == 303
    with ctx.sessions() as s:
        p = s.get(Project, project.id)
        assert p is not None
        key = p.settings["music_key"]
        original = s.get(Moment, mid)
        assert original is not None
        original_key = original.storage_key
    assert key.startswith("music/") and key.endswith(".m4a")
    assert "music" in client.get(f"/staff/projects/{project.id}/film").text
    r = client.post(f"/staff/projects/{project.id}/films", data={"csrf": csrf, **TINY_FILM, "music": "on"},
                    follow_redirects=False)
    assert r.status_code == 303
    with ctx.sessions() as s:
        film = s.scalars(select(Render).order_by(Render.id.desc())).first()
        assert film is not None and film.options["music_key"] == key
    # the API may not name another stored file (e.g. someone's clip) as music
    stolen = client.post(f"/api/projects/{project.id}/films", headers=staff.headers,
                         json={"size": "160x90", "music_key": original_key})
    assert stolen.status_code == 422 and "music" in stolen.json()["detail"]
