"""django-axes for the test suite: also usable through Client.login().

axes' backend refuses to authenticate without the request, and Django's
Client.login() passes none. A login through the test client has no address
or form to throttle, so it is let through to the ModelBackend; every login
through the admin's form (tests/test_accounts.py, the browser tests) still
goes through axes with its request, lockout included.
"""

from axes.backends import AxesStandaloneBackend


class RequestOptionalAxesBackend(AxesStandaloneBackend):
    def authenticate(self, request=None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
