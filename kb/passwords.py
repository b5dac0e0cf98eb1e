"""Password rules beyond Django's own."""

from django.core.exceptions import ValidationError


class NoUsernameInPasswordValidator:
    """Refuse a password that contains the username or the name part of the email address.

    Django's UserAttributeSimilarityValidator compares the whole password with
    each attribute, so a username repeated ("alicealicealice") or padded
    ("alice2025!!!!") is not similar enough to be caught; anyone who knows the
    username would try those first. Parts shorter than `min_part_length`
    characters are ignored, as they turn up in ordinary words.
    """

    def __init__(self, min_part_length=3):
        self.min_part_length = min_part_length

    def _parts(self, user):
        username = getattr(user, "get_username", lambda: "")() or ""
        email = getattr(user, "email", "") or ""
        parts = {username, email.partition("@")[0]}
        return {part.casefold() for part in parts if len(part) >= self.min_part_length}

    def validate(self, password, user=None):
        if user is None:
            return
        folded = password.casefold()
        for part in self._parts(user):
            if part in folded:
                raise ValidationError(
                    "The password contains the username or the email address's name; choose one that does not.",
                    code="password_contains_username",
                )

    def get_help_text(self):
        return "Your password can’t contain your username or the name part of your email address."
