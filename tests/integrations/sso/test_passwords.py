"""Where a trust has turned passwords off, its people sign in with the button: the password
form, reset links and invitations all say so, and nobody else is affected."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from coachroom.accounts import services as account_services
from coachroom.accounts.models import Membership
from coachroom.accounts.signin_policy import password_refusal
from coachroom.integrations.sso.models import ProviderKind
from tests.factories import PASSWORD, MembershipFactory, SchoolFactory, UserFactory
from tests.integrations.sso.helpers import make_provider

MESSAGE = (
    "Staff at Trust {n} sign in with Microsoft, not a Coachroom password: use the “Sign in with "
    "Microsoft” button on the sign-in page."
)


def _passwords_off(idp, trust, **fields):
    return make_provider(idp, trust, kind=ProviderKind.MICROSOFT, passwords_allowed=False, **fields)


def _sign_in(client, email: str):
    return client.post(reverse("login"), {"username": email, "password": PASSWORD})


def test_the_password_form_refuses_and_points_to_the_button(client, idp, alice, oak):
    _passwords_off(idp, oak.trust)
    response = _sign_in(client, "alice@oak.example")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "not a Coachroom password" in html
    assert "Sign in with Microsoft" in html
    assert not AccessAttempt.objects.exists()  # not a failed password: no lock counts it


def test_the_message_names_the_trust_and_the_button(idp, alice, oak):
    _passwords_off(idp, oak.trust)
    assert password_refusal("alice@oak.example") == MESSAGE.format(n=oak.trust.name.split()[-1])


def test_an_address_with_no_account_hears_the_same(idp, oak, alice):
    _passwords_off(idp, oak.trust)
    assert password_refusal("nobody@oak.example") == password_refusal("alice@oak.example")


def test_passwords_stay_for_people_the_provider_does_not_sign_in(client, idp, alice, oak, elm):
    sister = SchoolFactory(trust=oak.trust)
    _passwords_off(idp, oak.trust, school=sister)
    response = _sign_in(client, "alice@oak.example")  # alice works at Oak, not the sister
    assert response.status_code == 302
    assert password_refusal("alice@oak.example") is None


def test_someone_also_in_another_trust_keeps_their_password(client, idp, alice, oak, elm):
    MembershipFactory(user=alice, school=elm)
    _passwords_off(idp, oak.trust)
    assert _sign_in(client, "alice@oak.example").status_code == 302


def test_trust_admins_always_keep_their_password(client, idp, oak):
    it = UserFactory(email="it@oak.example")
    oak.trust.admins.add(it)
    _passwords_off(idp, oak.trust)
    assert _sign_in(client, "it@oak.example").status_code == 302


def test_passwords_left_on_still_work(client, idp, alice, oak):
    make_provider(idp, oak.trust, kind=ProviderKind.MICROSOFT, passwords_allowed=True)
    assert _sign_in(client, "alice@oak.example").status_code == 302


def test_a_hidden_provider_turns_nothing_off(client, idp, alice, oak):
    _passwords_off(idp, oak.trust, is_enabled=False)
    assert _sign_in(client, "alice@oak.example").status_code == 302


def test_other_domains_are_untouched(client, idp, outsider, oak):
    _passwords_off(idp, oak.trust)
    assert _sign_in(client, "outsider@elm.example").status_code == 302


def test_no_reset_link_is_sent_and_the_page_is_the_same(client, idp, alice, oak):
    _passwords_off(idp, oak.trust)
    response = client.post(reverse("password_reset"), {"email": "alice@oak.example"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_reset_or_invitation_link_points_to_the_button(client, idp, alice, oak):
    _passwords_off(idp, oak.trust)
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    token = default_token_generator.make_token(alice)
    url = reverse("password_reset_confirm", args=[uid, token])
    page = client.get(url, follow=True)
    assert "You don't need a password" in page.content.decode()
    set_url = page.redirect_chain[-1][0]
    client.post(
        set_url, {"new_password1": "a-new-long-password", "new_password2": "a-new-long-password"}
    )
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert "_auth_user_id" not in client.session


def test_an_invitation_says_to_use_the_button(idp, oak, admin):
    _passwords_off(idp, oak.trust)
    teacher = UserFactory(email="new@oak.example")
    membership = MembershipFactory(user=teacher, school=oak)
    account_services.send_invitation(membership=membership, by=admin)
    body = mail.outbox[-1].body
    assert "Sign in with Microsoft" in body
    assert "Choose a password" not in body
    assert f"{settings.SITE_URL}/sign-in/" in body
    assert Membership.objects.get(pk=membership.pk).invited_at is not None
