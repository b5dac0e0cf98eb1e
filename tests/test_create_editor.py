"""`manage.py create_editor` and `make editor`: an editor account without prompts."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import make_editor

pytestmark = pytest.mark.django_db

GOOD = "correct horse battery staple"


def create_editor(*args):
    out = io.StringIO()
    call_command("create_editor", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_staff_user_in_the_editors_group(monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", GOOD)
    out = create_editor("ngoc", "--email", "ngoc@example.org", "--password-from-env", "EDITOR_PASSWORD")
    assert out == "Created editor 'ngoc': staff, in the Editors group. They sign in at /admin/.\n"
    user = User.objects.get(username="ngoc")
    assert (user.email, user.is_staff, user.is_superuser) == ("ngoc@example.org", True, False)
    assert [g.name for g in user.groups.all()] == ["Editors"]
    assert user.check_password(GOOD)


def test_the_new_editor_can_sign_in_and_edit_articles_but_not_users(client, monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", GOOD)
    create_editor("ngoc", "--password-from-env", "EDITOR_PASSWORD")
    response = client.post(reverse("admin:login"), {"username": "ngoc", "password": GOOD, "next": "/admin/"})
    assert response.status_code == 302
    assert client.get(reverse("admin:articles_article_add")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_without_a_password_variable_it_generates_one_and_prints_it_once():
    out = create_editor("ngoc")
    first, second = out.splitlines()
    assert first == "Created editor 'ngoc': staff, in the Editors group. They sign in at /admin/."
    assert second.startswith("Password (shown once; they can change it in the admin): ")
    password = second.rsplit(" ", 1)[1]
    assert len(password) == 24
    assert User.objects.get(username="ngoc").check_password(password)


def test_a_weak_password_is_refused_and_nobody_is_created(monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", "ngocngocngocngoc")
    with pytest.raises(CommandError) as refused:
        create_editor("ngoc", "--password-from-env", "EDITOR_PASSWORD")
    assert str(refused.value) == (
        "The password in EDITOR_PASSWORD is refused: "
        "The password contains the username or the email address's name; choose one that does not."
    )
    assert not User.objects.filter(username="ngoc").exists()


def test_a_missing_password_variable_is_named(monkeypatch):
    monkeypatch.delenv("EDITOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="The environment variable EDITOR_PASSWORD is not set or is empty."):
        create_editor("ngoc", "--password-from-env", "EDITOR_PASSWORD")
    assert not User.objects.exists()


def test_an_existing_username_is_refused_and_left_alone():
    bob = make_editor()
    with pytest.raises(CommandError, match="A user named 'bob' already exists"):
        create_editor("bob")
    assert User.objects.get(username="bob").password == bob.password


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bad name!"], "Enter a valid username."),
        (["x" * 151], "Ensure this value has at most 150 characters (it has 151)."),
        (["ngoc", "--email", "not-an-address"], "Enter a valid email address."),
    ],
)
def test_a_malformed_username_or_email_is_refused(args, message):
    with pytest.raises(CommandError) as refused:
        create_editor(*args)
    assert message in str(refused.value)
    assert not User.objects.exists()
