"""Test configuration: property tests run the same examples on every machine.

Hypothesis draws its examples from a fixed seed (``derandomize``), so a CI run cannot fail on
an example no developer ever saw; set ``HYPOTHESIS_PROFILE=explore`` to search randomly.
"""

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
pytest_plugins = ["tests.postgis"]
