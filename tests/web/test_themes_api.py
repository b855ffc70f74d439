"""The themes map as a render kind through the API, and the themes as JSON."""

from __future__ import annotations

import io
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image

from app.context import Context
from tests import factories
from tests.pipeline.themes_data import DUTCH
from tests.services.theme_day import add_moments


def test_theme_map_render(client: TestClient, ctx: Context, staff: factories.StaffUser,
                          project: factories.ProjectRef, tmp_path: Path) -> None:
    add_moments(ctx, project, DUTCH, tmp_path / "day", language="nl")
    queued = client.post(f"/api/projects/{project.id}/theme-maps", headers=staff.headers,
                         json={"size": "640x360", "photos": 2})
    assert queued.status_code == 202, queued.text
    render = client.get(f"/api/renders/{queued.json()['id']}", headers=staff.headers).json()
    assert render["status"] == "done", render
    file = client.get(f"/api/renders/{render['id']}/file", headers=staff.headers)
    assert file.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(file.content)) as img:
        assert img.size == (640, 360)
    listed = client.get(f"/api/projects/{project.id}/themes", headers=staff.headers).json()
    names = {t["name"]: len(t["moment_ids"]) for t in listed["themes"]}
    assert names == {"Wachtrij": 3, "Koffie": 3, "Lunch": 2, "Parkeerplaats": 2, "#service": 2}


def test_theme_map_refuses_bad_options(client: TestClient, staff: factories.StaffUser,
                                       project: factories.ProjectRef) -> None:
    bad = client.post(f"/api/projects/{project.id}/theme-maps", headers=staff.headers, json={"photos": 9})
    assert bad.status_code == 422 and "2 to 4 photos" in bad.text
    svg = client.post(f"/api/projects/{project.id}/theme-maps", headers=staff.headers, json={"format": "gif"})
    assert svg.status_code == 422 and "png, jpg, svg or pdf" in svg.text


def test_staff_themes_page_edits_beside_the_live_map(client: TestClient, ctx: Context, staff: factories.StaffUser,
                                                     project: factories.ProjectRef, tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    from tests.web.test_staff_pages import sign_in

    ids = add_moments(ctx, project, DUTCH, tmp_path / "day", language="nl")
    csrf = sign_in(client, staff)
    html = BeautifulSoup(client.get(f"/staff/projects/{project.id}/themes").text, "html.parser")
    assert html.select_one("nav.tabs a[aria-current=page]").get_text() in ("Themes", "Thema's")
    summaries = [s.strong.get_text() for s in html.select("details.theme summary")]
    assert summaries == ["Koffie", "Wachtrij", "Lunch", "Parkeerplaats", "#service"]  # largest first
    image = client.get(html.select_one(".themes-map img")["src"])
    assert image.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(image.content)) as img:
        assert img.size == (1600, 900)

    koffie = html.select("details.theme")[0]["id"].removeprefix("theme-")
    moved = client.post(f"/staff/projects/{project.id}/themes/{koffie}/rename",
                        data={"csrf": csrf, "name": "Koffie & thee"}, follow_redirects=False)
    assert moved.status_code == 303
    client.post(f"/staff/projects/{project.id}/themes/move",
                data={"csrf": csrf, "moment_id": ids[0], "theme_id": koffie})
    client.post(f"/staff/projects/{project.id}/themes/extract", data={"csrf": csrf})
    listed = client.get(f"/api/projects/{project.id}/themes", headers=staff.headers).json()
    by_name = {t["name"]: t["moment_ids"] for t in listed["themes"]}
    assert by_name["Koffie & thee"] == [str(ids[0]), *map(str, ids[3:6])]
    refused = client.post(f"/staff/projects/{project.id}/themes/{koffie}/rename", data={"csrf": "wrong", "name": "x"})
    assert refused.status_code == 403


def test_report_page_actions_and_pdf(client: TestClient, ctx: Context, staff: factories.StaffUser,
                                     project: factories.ProjectRef, tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    from tests.web.test_staff_pages import sign_in

    add_moments(ctx, project, DUTCH, tmp_path / "day", language="nl", scope="organisation")
    csrf = sign_in(client, staff)
    added = client.post(f"/staff/projects/{project.id}/actions", follow_redirects=False,
                        data={"csrf": csrf, "text": "Tweede kassa open", "owner": "Sanne", "due": "2026-04-01"})
    assert added.status_code == 303
    bad = client.post(f"/staff/projects/{project.id}/actions", data={"csrf": csrf, "text": "x", "due": "morgen"})
    assert bad.status_code == 422
    json_added = client.post(f"/staff/projects/{project.id}/actions.json", headers={"X-CSRF-Token": csrf},
                             json={"text": "Bord bij de ingang", "owner": "Ahmed"})
    assert json_added.status_code == 201 and json_added.json()["owner"] == "Ahmed"
    html = BeautifulSoup(client.get(f"/staff/projects/{project.id}/report").text, "html.parser")
    rows = [[td.get_text(strip=True) for td in tr.select("td")[:3]] for tr in html.select("table.actions tbody tr")]
    assert rows == [["Tweede kassa open", "Sanne", "2026-04-01"], ["Bord bij de ingang", "Ahmed", ""]]
    assert [h.get_text(" ", strip=True).split(" ·")[0] for h in html.select("article.report h3")][2:5] == \
        ["Koffie", "Wachtrij", "Lunch"]
    pdf = client.get(f"/staff/projects/{project.id}/report.pdf?scope=public")
    assert pdf.status_code == 409  # nobody consented to public use
    pdf = client.get(f"/staff/projects/{project.id}/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
