"""Create an editor without prompts: a staff user in the Editors group.

    manage.py create_editor bob --email bob@example.org --password-from-env EDITOR_PASSWORD

Editors add and change content, never users or permissions (migration 0002
makes the group). The password is read from the named environment variable,
never from the command line, where it would land in the shell's history and
the process list; without one, a password is generated and printed once. It
must pass the site's password validators either way.
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

EDITORS = "Editors"


class Command(BaseCommand):
    help = "Create a staff user in the Editors group, without prompts."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="the editor's email address")
        parser.add_argument(
            "--password-from-env",
            metavar="VARIABLE",
            help="read the password from this environment variable; without it, one is generated and printed",
        )

    def handle(self, username, email, password_from_env, **options):
        User = get_user_model()
        user = User(username=username, email=email, is_staff=True)
        self._validate(user)
        group = Group.objects.filter(name=EDITORS).first()
        if group is None:
            raise CommandError(f"There is no {EDITORS} group: run `manage.py migrate` first.")

        generated = password_from_env is None
        password = secrets.token_urlsafe(18) if generated else self._password_from(password_from_env)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(f"The password in {password_from_env} is refused: {' '.join(error.messages)}") from None

        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(group)
        self.stdout.write(f"Created editor {username!r}: staff, in the {EDITORS} group. They sign in at /admin/.")
        if generated:
            self.stdout.write(f"Password (shown once; they can change it in the admin): {password}")

    def _validate(self, user):
        User = type(user)
        if User._default_manager.filter(username=user.username).exists():
            raise CommandError(f"A user named {user.username!r} already exists; change them in the admin (Users).")
        try:
            user.clean_fields(exclude=["password", "email"])
            if user.email:
                validate_email(user.email)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def _password_from(self, variable):
        password = os.environ.get(variable)
        if not password:
            raise CommandError(f"The environment variable {variable} is not set or is empty.")
        return password
