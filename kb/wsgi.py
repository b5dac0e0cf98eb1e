"""
WSGI config for kb project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")

application = get_wsgi_application()

# Each worker, as it starts (gunicorn starts one at once in place of one killed), records any change a
# dead process saved but could not record in the cache (articles.models.UnrecordedChange).
from articles.caching import resume_unrecorded_changes  # noqa: E402  (needs the app loaded above)

resume_unrecorded_changes()
