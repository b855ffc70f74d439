"""Staff pages: sign-in required, members only, CSRF on forms, curation, coverage, settings, staff admin."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.context import Context
from app.models import Moment, Project
from tests import factories
from tests.mediagen import make_photo

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def sign_in(client: TestClient, staff: factories.StaffUser) -> str:
    """Sign `staff` in on `client`; returns the session's CSRF token for forms."""
    token = CSRF.search(client.get("/staff/login").text).group(1)  # type: ignore[union-attr]
    r = client.post("/staff/login", data={"email": staff.email, "password": staff.password, "csrf": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return CSRF.search(client.get("/staff").text).group(1)  # type: ignore[union-attr]


def add_moment(client: TestClient, invite: str, folder: Path, hour: int, *, role: str = "customer",
               caption: str = "", minute: int = 0, colour: str = "red") -> int:
    """Upload a small photo taken at `hour`:`minute` on the project's day; returns the moment id."""
    path = make_photo(folder / f"p{hour:02d}{minute:02d}{role}{colour}.jpg", colour=colour, size=(96, 64),
                      taken=datetime(2024, 7, 24, hour, minute), offset="+02:00")
    with path.open("rb") as fh:
        r = client.post(f"/api/invites/{invite}/moments", files={"file": (path.name, fh)},
                        data={"consent": "true", "role": role, "caption": caption, "alias": "Sam", "mood": "4"})
    assert r.status_code == 201, r.text
    client.cookies.clear()  # the contributor cookie is not the staff's business; keep the session below
    return int(r.json()["id"])


def approve_all(ctx: Context, project_id: int) -> None:
    with ctx.sessions() as s:
        for m in s.scalars(select(Moment).where(Moment.project_id == project_id)):
            m.status = "approved"
        s.commit()


STAFF_PAGES = ["/staff/projects/{id}", "/staff/projects/{id}/moments", "/staff/projects/{id}/film",
               "/staff/projects/{id}/collage", "/staff/projects/{id}/lanes", "/staff/projects/{id}/settings",
               "/staff/projects/{id}/present", "/staff/projects/{id}/delete", "/staff/projects/{id}/qr.png",
               "/staff/projects/{id}/export.zip", "/staff/users"]


def test_staff_pages_need_sign_in(client: TestClient, project: factories.ProjectRef) -> None:
    for url in STAFF_PAGES:
        r = client.get(url.format(id=project.id), follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/staff/login"), url


def test_a_non_member_sees_neither_the_project_nor_its_pages(
    client: TestClient, ctx: Context, project: factories.ProjectRef
) -> None:
    outsider = factories.make_staff(ctx, admin=False)
    sign_in(client, outsider)
    assert "Een dag in het ziekenhuis" not in client.get("/staff").text
    for url in STAFF_PAGES[:-1]:
        r = client.get(url.format(id=project.id), headers={"accept": "text/html"})
        assert r.status_code == 403, url
        assert "not a member" in r.text and "<html" in r.text  # a page, not JSON, for a browser
    assert client.get("/staff/projects/99999/moments").status_code == 404


def test_forms_refuse_a_missing_csrf_token(client: TestClient, staff: factories.StaffUser,
                                           project: factories.ProjectRef) -> None:
    sign_in(client, staff)
    for url, data in [(f"/staff/projects/{project.id}/moments/bulk", {"action": "approve"}),
                      (f"/staff/projects/{project.id}/invite/rotate", {}),
                      (f"/staff/projects/{project.id}/delete", {"confirm_title": "Een dag in het ziekenhuis"}),
                      ("/staff/users", {"email": "x@example.org", "password": "long enough"})]:
        assert client.post(url, data=data, follow_redirects=False).status_code == 403, url
    with ctx_sessions(client) as s:
        assert s.get(Project, project.id) is not None


def ctx_sessions(client: TestClient):  # type: ignore[no-untyped-def]
    return client.app.state.ctx.sessions()  # type: ignore[attr-defined]


def test_curate_grid_filters_groups_and_bulk_approves(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    ids = [add_moment(client, project.invite_token, tmp_path, h, role=r, colour=c)
           for h, r, c in ((7, "customer", "red"), (13, "employee", "green"), (20, "customer", "blue"))]
    csrf = sign_in(client, staff)
    page = client.get(f"/staff/projects/{project.id}/moments").text
    assert page.index("Dawn") < page.index("Midday") < page.index("Evening")
    assert [int(i) for i in re.findall(r'id="m(\d+)"', page)] == ids
    employees = client.get(f"/staff/projects/{project.id}/moments?role=employee").text
    assert re.findall(r'id="m(\d+)"', employees) == [str(ids[1])]
    assert client.get(f"/staff/projects/{project.id}/moments?status=bogus").status_code == 422

    r = client.post(f"/staff/projects/{project.id}/moments/bulk",
                    data={"csrf": csrf, "action": "approve", "ids": [str(ids[0]), str(ids[2])]},
                    follow_redirects=False)
    assert r.status_code == 303
    approved = client.get(f"/staff/projects/{project.id}/moments?status=approved").text
    assert re.findall(r'id="m(\d+)"', approved) == [str(ids[0]), str(ids[2])]
    r = client.post(f"/staff/projects/{project.id}/moments/bulk", data={"csrf": csrf, "one": f"hide:{ids[1]}"},
                    follow_redirects=False)
    assert r.status_code == 303
    with ctx.sessions() as s:
        assert s.get(Moment, ids[1]).status == "hidden"  # type: ignore[union-attr]


def test_bulk_ignores_moments_of_other_projects(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    other = factories.make_project(ctx)  # staff is an admin, but the ids are checked against the project
    foreign = add_moment(client, other.invite_token, tmp_path, 9)
    csrf = sign_in(client, staff)
    r = client.post(f"/staff/projects/{project.id}/moments/bulk",
                    data={"csrf": csrf, "action": "approve", "ids": [str(foreign)]}, headers={"accept": "text/html"})
    assert r.status_code == 422 and "tick at least one" in r.text
    with ctx.sessions() as s:
        assert s.get(Moment, foreign).status == "pending"  # type: ignore[union-attr]


def test_correcting_a_time_marks_it_and_moves_it_in_the_order(
    client: TestClient, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    early = add_moment(client, project.invite_token, tmp_path, 8, caption="breakfast")
    late = add_moment(client, project.invite_token, tmp_path, 18, caption="dinner")
    csrf = sign_in(client, staff)
    r = client.post(f"/staff/moments/{early}", data={"csrf": csrf, "local_time": "2024-07-24T21:30",
                                                     "caption": "late breakfast", "mood": "5"},
                    follow_redirects=False)
    assert r.status_code == 303
    detail = client.get(f"/staff/moments/{early}").text
    assert "a correction by an organiser" in detail and "late breakfast" in detail
    page = client.get(f"/staff/projects/{project.id}/moments").text
    assert re.findall(r'id="m(\d+)"', page) == [str(late), str(early)]
    assert "time corrected" in page
    bad = client.post(f"/staff/moments/{early}", data={"csrf": csrf, "local_time": "half past nine"},
                      headers={"accept": "text/html"})
    assert bad.status_code == 422 and "is not a date and time" in bad.text


def test_trim_saves_through_the_api_with_the_csrf_header(
    client: TestClient, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    from tests.mediagen import make_clip

    clip = make_clip(tmp_path / "c.mp4", duration_s=2.0, size=(64, 48))
    with clip.open("rb") as fh:
        moment = client.post(f"/api/invites/{project.invite_token}/moments", files={"file": ("c.mp4", fh)},
                             data={"consent": "true"}).json()
    client.cookies.clear()
    csrf = sign_in(client, staff)
    page = client.get(f"/staff/moments/{moment['id']}").text
    assert 'id="trim-in"' in page and 'type="range"' in page and "<video" in page
    assert client.patch(f"/api/moments/{moment['id']}", json={"trim_in_s": 0.5}).status_code == 403
    r = client.patch(f"/api/moments/{moment['id']}", json={"trim_in_s": 0.5, "trim_out_s": 1.5},
                     headers={"x-csrf-token": csrf})
    assert r.status_code == 200 and (r.json()["trim_in_s"], r.json()["trim_out_s"]) == (0.5, 1.5)


def test_coverage_strip_and_message_for_the_missing_hours_in_dutch(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    add_moment(client, project.invite_token, tmp_path, 9, role="customer")
    add_moment(client, project.invite_token, tmp_path, 9, role="employee", minute=30)
    add_moment(client, project.invite_token, tmp_path, 12, role="employee")
    with ctx.sessions() as s:
        s.get(Project, project.id).language = "nl"  # type: ignore[union-attr]
        s.commit()
    sign_in(client, staff)
    page = client.get(f"/staff/projects/{project.id}?first=8&last=13&lang=en").text
    assert page.count('class="hour empty"') == 22
    assert '09:00: 1 customer, 1 employee' in page
    ask = re.search(r'<textarea id="ask"[^>]*>(.*?)</textarea>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "08:00-09:00, 10:00-12:00 en 13:00-14:00" in ask
    assert ask.startswith("Hallo!") and f"/c/{project.invite_token}" in ask


def test_settings_save_bumps_consent_version_and_keeps_prompts(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef
) -> None:
    csrf = sign_in(client, staff)
    form = {"csrf": csrf, "title": "Open dag", "day": "2024-07-25", "timezone": "Europe/Lisbon", "language": "nl",
            "welcome_text": "Welkom", "consent_text": "Nieuwe toestemming", "prompts": "Wat zag je?\n\nWat blijft?",
            "brand_color": "#112233", "auto_approve": "true"}
    assert client.post(f"/staff/projects/{project.id}/settings", data=form, follow_redirects=False).status_code == 303
    client.post(f"/staff/projects/{project.id}/settings", data=form)  # the same text again: no new version
    with ctx.sessions() as s:
        p = s.get(Project, project.id)
        assert p is not None
        assert (p.title, p.timezone, p.language, p.consent_version, p.auto_approve) == (
            "Open dag", "Europe/Lisbon", "nl", 2, True)
        assert p.settings["prompts"] == ["Wat zag je?", "Wat blijft?"] and p.brand_color == "#112233"
    bad = client.post(f"/staff/projects/{project.id}/settings", data={**form, "timezone": "Mars/Olympus"},
                      headers={"accept": "text/html"})
    assert bad.status_code == 422 and "unknown time zone" in bad.text


def test_gps_is_kept_only_when_the_project_says_so(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    def upload_with_gps(name: str) -> int:
        photo = make_photo(tmp_path / name, size=(64, 48), colour="green" if "2" in name else "red",
                           taken=datetime(2024, 7, 24, 9, 0), gps=(52.37, 4.89))
        with photo.open("rb") as fh:
            r = client.post(f"/api/invites/{project.invite_token}/moments", files={"file": (name, fh)},
                            data={"consent": "true"})
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    off = upload_with_gps("gps1.jpg")  # the default: no position kept
    csrf = sign_in(client, staff)
    form = {"csrf": csrf, "title": "Dag", "day": "2024-07-24", "timezone": "Europe/Amsterdam", "language": "nl",
            "consent_text": "Ja", "brand_color": "#112233", "keep_gps": "true"}
    assert client.post(f"/staff/projects/{project.id}/settings", data=form, follow_redirects=False).status_code == 303
    on = upload_with_gps("gps2.jpg")
    with ctx.sessions() as s:
        first, second = s.get(Moment, off), s.get(Moment, on)
        assert first is not None and second is not None
        assert (first.gps_lat, first.gps_lon) == (None, None) and first.media_info.get("gps") is None
        assert second.gps_lat == pytest.approx(52.37, abs=1e-3) and second.gps_lon == pytest.approx(4.89, abs=1e-3)


def test_logo_is_stored_content_addressed_and_served_to_staff(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    csrf = sign_in(client, staff)
    logo = make_photo(tmp_path / "logo.png", size=(40, 20), colour="blue")
    with logo.open("rb") as fh:
        r = client.post(f"/staff/projects/{project.id}/logo", data={"csrf": csrf},
                        files={"logo": ("../../etc/passwd.png", fh, "image/png")}, follow_redirects=False)
    assert r.status_code == 303
    with ctx.sessions() as s:
        key = s.get(Project, project.id).settings["logo_key"]  # type: ignore[union-attr]
    assert re.fullmatch(r"logos/[0-9a-f]{2}/[0-9a-f]{64}\.png", key)
    assert client.get(f"/staff/projects/{project.id}/logo").content == logo.read_bytes()
    with (tmp_path / "x.txt").open("wb+") as fh:
        fh.write(b"not an image")
        fh.seek(0)
        bad = client.post(f"/staff/projects/{project.id}/logo", data={"csrf": csrf}, files={"logo": ("x.png", fh)})
    assert bad.status_code == 415


def test_close_reopen_rotate_and_qr_downloads(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef
) -> None:
    csrf = sign_in(client, staff)
    client.post(f"/staff/projects/{project.id}/contributions", data={"csrf": csrf, "open": "false"})
    with ctx.sessions() as s:
        assert s.get(Project, project.id).contributions_open is False  # type: ignore[union-attr]
    client.post(f"/staff/projects/{project.id}/contributions", data={"csrf": csrf, "open": "true"})
    client.post(f"/staff/projects/{project.id}/invite/rotate", data={"csrf": csrf})
    with ctx.sessions() as s:
        p = s.get(Project, project.id)
        assert p is not None and p.contributions_open and p.invite_token != project.invite_token
        new_invite = p.invite_token
    png = client.get(f"/staff/projects/{project.id}/qr.png")
    assert png.content.startswith(b"\x89PNG") and "attachment" in png.headers["content-disposition"]
    svg = client.get(f"/staff/projects/{project.id}/qr.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and "<svg" in svg.text
    assert client.get(f"/staff/projects/{project.id}/qr.gif").status_code == 404
    assert new_invite in client.get(f"/staff/projects/{project.id}/settings").text


def test_admins_create_staff_and_members_see_the_project(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef
) -> None:
    csrf = sign_in(client, staff)
    r = client.post("/staff/users", data={"csrf": csrf, "email": "New@Example.org", "password": "long password"},
                    follow_redirects=False)
    assert r.status_code == 303 and "new@example.org" in client.get("/staff/users").text
    client.post(f"/staff/projects/{project.id}/members", data={"csrf": csrf, "email": "new@example.org"})
    assert "new@example.org" in client.get(f"/staff/projects/{project.id}/settings").text
    missing = client.post(f"/staff/projects/{project.id}/members", data={"csrf": csrf, "email": "nobody@x.org"},
                          headers={"accept": "text/html"})
    assert missing.status_code == 404 and "an administrator can create one" in missing.text

    client.post("/staff/logout", data={"csrf": csrf})
    member = factories.StaffUser(id=0, email="new@example.org", password="long password", token="")
    csrf = sign_in(client, member)
    assert "Een dag in het ziekenhuis" in client.get("/staff").text
    assert client.get(f"/staff/projects/{project.id}/moments").status_code == 200
    assert client.get("/staff/users", headers={"accept": "text/html"}).status_code == 403
    refused = client.post("/staff/users", data={"csrf": csrf, "email": "x@example.org", "password": "long enough"})
    assert refused.status_code == 403


def test_the_account_link_is_never_named_like_the_employee_role(
    client: TestClient, staff: factories.StaffUser
) -> None:
    """'Medewerkers' is what contributors who work there are called; the admin link must not say it."""
    sign_in(client, staff)
    for lang in ("en", "nl"):
        soup = BeautifulSoup(client.get(f"/staff?lang={lang}").text, "html.parser")
        link = soup.find("a", href="/staff/users")
        assert link is not None
        assert link.get_text(strip=True).lower() not in ("staff", "medewerkers", "employees")
