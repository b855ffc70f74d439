"""GET /api/projects/{id}/moments in pages: time-of-day order, keyset cursors in a Link header, filters in
SQL, limits with readable 422s, and cursors that stay right while moments keep arriving."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from fastapi.testclient import TestClient

from app.context import Context
from tests import factories

DAY = datetime(2024, 7, 24)


def next_url(r: httpx.Response) -> str | None:
    link = r.links.get("next")
    return link["url"] if link else None


def walk(client: TestClient, staff: factories.StaffUser, url: str) -> tuple[list[dict], int]:
    """Every page from `url` on; the moments and how many pages it took."""
    seen, pages = [], 0
    next_page: str | None = url
    while next_page:
        r = client.get(next_page, headers=staff.headers)
        assert r.status_code == 200, r.text
        seen += r.json()
        pages += 1
        next_page = next_url(r)  # type: ignore[arg-type]
    return seen, pages


def day_key(m: dict) -> tuple[str, int]:
    return (m["captured_local"][11:], m["id"])


def test_pages_cover_every_moment_once_in_time_of_day_order(client: TestClient, ctx: Context,
                                                            staff: factories.StaffUser,
                                                            project: factories.ProjectRef) -> None:
    times = factories.day_times(45)
    times += [DAY.replace(hour=9), DAY.replace(hour=9)]  # a tie: ordered by id
    times += [DAY.replace(hour=6) - timedelta(days=1)]  # the evening before still folds onto the clock
    ids = factories.add_rows(ctx, project, times)
    first = client.get(f"/api/projects/{project.id}/moments?limit=10", headers=staff.headers)
    assert first.status_code == 200 and len(first.json()) == 10
    assert first.headers["link"].endswith('>; rel="next"')
    seen, pages = walk(client, staff, f"/api/projects/{project.id}/moments?limit=10")
    assert pages == 5
    assert sorted(m["id"] for m in seen) == sorted(ids)
    assert [day_key(m) for m in seen] == sorted(day_key(m) for m in seen)
    whole = client.get(f"/api/projects/{project.id}/moments?limit=1000", headers=staff.headers)
    assert "link" not in whole.headers and [m["id"] for m in whole.json()] == [m["id"] for m in seen]


def test_default_page_is_200_and_limits_are_checked(client: TestClient, ctx: Context, staff: factories.StaffUser,
                                                    project: factories.ProjectRef) -> None:
    factories.add_rows(ctx, project, factories.day_times(205))
    r = client.get(f"/api/projects/{project.id}/moments", headers=staff.headers)
    assert len(r.json()) == 200 and "limit=200" in r.links["next"]["url"]
    assert len(client.get(r.links["next"]["url"], headers=staff.headers).json()) == 5
    for bad in ("0", "1001", "-3", "many"):
        r = client.get(f"/api/projects/{project.id}/moments?limit={bad}", headers=staff.headers)
        assert r.status_code == 422, bad
        assert r.json()["errors"][0]["loc"][-1] == "limit"
    r = client.get(f"/api/projects/{project.id}/moments?cursor=not-ours", headers=staff.headers)
    assert r.status_code == 422 and "cursor" in r.json()["detail"]


def test_filters_apply_before_paging_and_travel_in_the_link(client: TestClient, ctx: Context,
                                                            staff: factories.StaffUser,
                                                            project: factories.ProjectRef) -> None:
    factories.add_rows(ctx, project, factories.day_times(60, seed=1), status="approved")
    factories.add_rows(ctx, project, factories.day_times(40, seed=2), status="hidden")
    url = f"/api/projects/{project.id}/moments?status=approved&role=employee&limit=7"
    seen, _pages = walk(client, staff, url)
    assert len(seen) == 30 and {(m["status"], m["role"]) for m in seen} == {("approved", "employee")}
    in_hour, _ = walk(client, staff, f"/api/projects/{project.id}/moments?hour=13&limit=2")
    expected = [t for t in factories.day_times(60, seed=1) + factories.day_times(40, seed=2) if t.hour == 13]
    assert len(in_hour) == len(expected) and all(m["captured_local"][11:13] == "13" for m in in_hour)
    for bad in ("status=lost", "role=boss", "hour=24"):
        assert client.get(f"/api/projects/{project.id}/moments?{bad}", headers=staff.headers).status_code == 422


def test_cursor_stays_right_while_moments_arrive(client: TestClient, ctx: Context, staff: factories.StaffUser,
                                                 project: factories.ProjectRef) -> None:
    """A page rush between two pages: nothing already read repeats, nothing after the cursor is skipped,
    and a moment that arrives later in the day than the cursor is on a later page."""
    factories.add_rows(ctx, project, [DAY.replace(hour=h, minute=m) for h in range(8, 18) for m in (0, 30)])
    first = client.get(f"/api/projects/{project.id}/moments?limit=6", headers=staff.headers)
    read = first.json()
    assert read[-1]["captured_local"][11:16] == "10:30"
    earlier = factories.add_rows(ctx, project, [DAY.replace(hour=7), DAY.replace(hour=10, minute=30)])
    later = factories.add_rows(ctx, project, [DAY.replace(hour=10, minute=30, second=1), DAY.replace(hour=23)])
    rest, _ = walk(client, staff, next_url(first))  # type: ignore[arg-type]
    rest_ids = [m["id"] for m in rest]
    assert not {m["id"] for m in read} & set(rest_ids)
    assert set(later) <= set(rest_ids)
    # 10:30:00 with a higher id than the cursor's moment sorts after it: it is on the later pages, 07:00 is not
    assert earlier[1] in rest_ids and earlier[0] not in rest_ids
    assert len(read) + len(rest) == 20 + 3
    assert [day_key(m) for m in rest] == sorted(day_key(m) for m in rest)


def test_another_projects_moments_never_show(client: TestClient, ctx: Context, staff: factories.StaffUser,
                                             project: factories.ProjectRef) -> None:
    other = factories.make_project(ctx, owner_email=staff.email)
    factories.add_rows(ctx, other, factories.day_times(5))
    mine = factories.add_rows(ctx, project, factories.day_times(3))
    r = client.get(f"/api/projects/{project.id}/moments", headers=staff.headers)
    assert sorted(m["id"] for m in r.json()) == sorted(mine)
    stranger = factories.make_staff(ctx, admin=False)
    assert client.get(f"/api/projects/{project.id}/moments", headers=stranger.headers).status_code == 403
