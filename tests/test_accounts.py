"""Accounts: signing in is throttled, and weak passwords are refused.

Before: 200 wrong passwords in a row were all answered and the right one then
worked at once; a password that was the username repeated was accepted.
"""

import io

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from tests.factories import PASSWORD, make_admin, make_editor
from tests.markup import squashed

pytestmark = pytest.mark.django_db

LIMIT = 5  # settings.AXES_FAILURE_LIMIT


def sign_in(client, username, password):
    return client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"})


def fail(client, username, times):
    for _ in range(times):
        response = sign_in(client, username, "not the password")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()


def test_the_failure_limit_is_five(settings):
    assert settings.AXES_FAILURE_LIMIT == LIMIT


def test_a_few_wrong_passwords_do_not_lock_the_account(client):
    make_editor()
    fail(client, "bob", LIMIT - 1)
    response = sign_in(client, "bob", PASSWORD)
    assert response.status_code == 302
    assert response.url == "/admin/"


def test_too_many_wrong_passwords_lock_the_account_with_a_message(client):
    make_editor()
    fail(client, "bob", LIMIT - 1)
    response = sign_in(client, "bob", "not the password")
    assert response.status_code == 429
    page = squashed(response)
    assert "<h1>Sign-in locked</h1>" in page
    assert "There have been 5 wrong passwords in a row for the account “bob”, so it is locked for 60 minutes." in page
    assert "ask an administrator to unlock the account" in page


def test_a_locked_account_refuses_even_the_right_password(client):
    make_editor()
    fail(client, "bob", LIMIT - 1)
    sign_in(client, "bob", "not the password")
    response = sign_in(client, "bob", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_from_another_address(client):
    make_editor()
    fail(client, "bob", LIMIT - 1)
    sign_in(client, "bob", "not the password")
    response = client.post(reverse("admin:login"), {"username": "bob", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429


def test_locking_one_account_leaves_the_others_alone(client):
    make_editor()
    make_admin()
    fail(client, "bob", LIMIT - 1)
    sign_in(client, "bob", "not the password")
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_an_administrator_unlocks_an_account_with_a_command(client):
    make_editor()
    fail(client, "bob", LIMIT - 1)
    sign_in(client, "bob", "not the password")
    out = io.StringIO()
    call_command("axes_reset_username", "bob", stdout=out)
    assert "1 attempts removed." in out.getvalue()
    response = sign_in(client, "bob", PASSWORD)
    assert response.status_code == 302


def test_an_administrator_unlocks_an_account_in_the_admin(client):
    make_editor()
    fail(client, "bob", LIMIT - 1)
    sign_in(client, "bob", "not the password")

    from axes.models import AccessAttempt

    admin_client = type(client)()
    admin_client.force_login(make_admin())
    attempts = admin_client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "bob" in attempts
    attempt = AccessAttempt.objects.get(username="bob")
    response = admin_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302

    assert sign_in(client, "bob", PASSWORD).status_code == 302


def test_production_authenticates_through_axes_first():
    import kb.settings

    assert kb.settings.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    assert kb.settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_the_test_client_can_still_log_in(client):
    make_editor()
    assert client.login(username="bob", password=PASSWORD)
    assert not client.login(username="bob", password="not the password")


def test_an_editor_cannot_unlock_accounts(client):
    client.force_login(make_editor())
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


# --- Passwords -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["alicealicealice", "ALICE-2025-alice", "my name is Alice!", "xx-alice.w-xx-ok"],
)
def test_a_password_containing_the_username_is_refused(password):
    alice = User(username="alice", email="alice.w@example.org")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, alice)
    assert "The password contains the username or the email address's name; choose one that does not." in (
        refused.value.messages
    )


def test_a_password_containing_the_email_name_is_refused():
    user = User(username="editor7", email="ngoc.anh@example.org")
    with pytest.raises(ValidationError) as refused:
        validate_password("ngoc.anh-in-hanoi", user)
    assert refused.value.error_list[0].code == "password_contains_username"


def test_a_short_password_is_refused():
    with pytest.raises(ValidationError) as refused:
        validate_password("pw-9!kQ", User(username="alice"))
    assert "This password is too short. It must contain at least 12 characters." in refused.value.messages


def test_a_good_password_is_accepted():
    assert validate_password("correct horse battery staple", User(username="alice", email="al@example.org")) is None


def add_user_form(username, password):
    return {"username": username, "password1": password, "password2": password, "usable_password": "true"}


def test_the_admin_refuses_a_new_user_whose_password_repeats_the_username(client):
    client.force_login(make_admin())
    response = client.post(reverse("admin:auth_user_add"), add_user_form("mallory", "mallorymallorymallory"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The password contains the username or the email address&#x27;s name; choose one that does not." in page
    assert not User.objects.filter(username="mallory").exists()


def test_the_admin_accepts_a_new_user_with_a_good_password(client):
    client.force_login(make_admin())
    response = client.post(reverse("admin:auth_user_add"), add_user_form("mallory", "correct horse battery staple"))
    assert response.status_code == 302
    assert User.objects.get(username="mallory").check_password("correct horse battery staple")


def test_a_password_change_refused_answers_400_with_the_reason(client):
    # Before, the refused form came back as a 200. Passwords typed are never drawn back into a page.
    bob = make_editor()
    client.force_login(bob)
    form = {"old_password": "not the password", "new_password1": "bob", "new_password2": "bob"}
    response = client.post(reverse("admin:password_change"), form)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your old password was entered incorrectly. Please enter it again." in page
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


def test_setting_a_users_password_refused_answers_400_with_the_reason(client):
    client.force_login(make_admin())
    bob = make_editor()
    form = {"password1": "correct horse battery staple", "password2": "another horse", "usable_password": "true"}
    response = client.post(reverse("admin:auth_user_password_change", args=[bob.pk]), form)
    assert response.status_code == 400
    assert "The two password fields didn’t match." in response.content.decode()
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


def test_a_user_form_refused_answers_400_with_the_reason_and_what_was_typed(client):
    client.force_login(make_admin())
    bob = make_editor()
    form = {"username": "bob the editor!", "first_name": "Robert", "email": "bob@example.org", "is_active": "on"}
    response = client.post(reverse("admin:auth_user_change", args=[bob.pk]), form)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid username." in page
    assert 'value="bob the editor!"' in page
    assert 'value="Robert"' in page
    assert 'value="bob@example.org"' in page
    bob.refresh_from_db()
    assert (bob.username, bob.first_name) == ("bob", "")
