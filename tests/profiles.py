"""The hypothesis profiles of the suite, loaded before any property is defined.

A property's settings take their unset values from the profile loaded when the
property is decorated, so this module runs first (``tests/conftest.py`` imports it
before the shipped contract modules): ``ci`` when ``CI`` is set, else ``dev``;
``HYPOTHESIS_PROFILE`` chooses another.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# No deadline: examples that talk to a database vary in time with the server's load.
settings.register_profile(
    "dev",
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.register_profile(  # CI runs every property on four stores within its time limit
    "ci",
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
