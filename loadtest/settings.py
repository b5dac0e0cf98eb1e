"""Production settings (kb.settings, read from the environment as in production), with one change.

Static files are collected into the load test's scratch folder instead of the
work tree's staticfiles/: WhiteNoise scans STATIC_ROOT when the app starts, so
a collectstatic into the shared folder can break a test run going on beside it.
"""

import os

from kb.settings import *  # noqa: F403

STATIC_ROOT = os.environ["LOADTEST_STATIC_ROOT"]
