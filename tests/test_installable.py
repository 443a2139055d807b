"""Installable and offline-capable (config/offline_views.py, core/offline.py): the manifest,
the service worker served from the root, and which pages a device may keep."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coachroom.coaching.models import Observation
from coachroom.core.offline import HEADER, device_key


def test_the_manifest_starts_at_home_with_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/",
        "/",
        "standalone",
    )
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_service_worker_is_served_from_the_root_so_it_covers_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert 'const SHELL = "coachroom-shell-' in script
    assert "/static/coachroom/coachroom.css" in script
    assert '"/offline/"' in script


def test_the_offline_page_names_no_one(client, bob):
    client.force_login(bob)
    page = client.get(reverse("offline")).content.decode()
    assert "No connection" in page
    assert "Bob" not in page
    assert "Sign out" not in page


def test_every_page_links_the_manifest(client, bob):
    client.force_login(bob)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in client.get("/").content.decode()


def test_the_coach_s_home_is_marked_for_keeping_under_their_device_key(client, bob):
    client.force_login(bob)
    response = client.get(reverse("home"))
    assert response[HEADER] == f"keep; user={device_key(bob)}"
    assert f'data-offline-user="{device_key(bob)}"' in response.content.decode()


def test_device_keys_differ_by_person_and_do_not_show_the_id(bob, alice):
    assert device_key(bob) != device_key(alice)
    assert str(bob.pk) != device_key(bob)


def test_a_pair_s_blank_drop_in_form_is_kept_for_its_coach(client, bob, pairing):
    client.force_login(bob)
    response = client.get(reverse("coaching:drop-in-new", args=[pairing.pk]))
    assert response.status_code == 200
    assert HEADER in response
    page = response.content.decode()
    assert "Drop-in: Alice Example" in page
    assert 'name="client_id"' in page


@pytest.mark.parametrize("name", ["coaching:timeline", "coaching:reflections"])
def test_pages_about_other_people_s_coaching_are_never_marked(client, bob, pairing, name):
    client.force_login(bob)
    args = [pairing.coachee_id] if name == "coaching:timeline" else []
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert HEADER not in response


def test_nothing_is_marked_for_someone_signed_out(client):
    response = client.get(reverse("offline"))
    assert HEADER not in response
    assert "data-offline-user" not in response.content.decode()


def test_without_javascript_the_blank_form_saves_the_drop_in_once(client, bob, pairing):
    client.force_login(bob)
    url = reverse("coaching:drop-in-new", args=[pairing.pk])
    client_id = client.get(url).content.decode().split('name="client_id" value="')[1][:36]
    post = {"client_id": client_id, "observed_at": "2026-11-04T09:15", "went_well": "Calm"}
    first = client.post(url, post)
    again = client.post(url, post)  # a double tap
    observation = Observation.objects.get()
    assert first["Location"] == again["Location"] == observation.get_absolute_url()
    assert (observation.went_well, observation.is_draft) == ("Calm", False)


def test_without_javascript_save_draft_on_the_blank_form_opens_the_draft(client, bob, pairing):
    client.force_login(bob)
    url = reverse("coaching:drop-in-new", args=[pairing.pk])
    client_id = client.get(url).content.decode().split('name="client_id" value="')[1][:36]
    response = client.post(url, {"client_id": client_id, "draft": "1", "notes": "Half a thought"})
    observation = Observation.objects.get()
    assert response["Location"] == reverse("coaching:drop-in-edit", args=[observation.pk])
    assert (observation.notes, observation.is_draft) == ("Half a thought", True)
