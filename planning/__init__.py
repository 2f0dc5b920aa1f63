"""Planning decisions as pure functions on ``gis`` models (no web, no database, no maps).

Importing ``planning`` registers its policy profiles (``planning/profiles/*.yaml``, e.g.
``jingmen-2023``) with :mod:`gis.profile`.
"""

from pathlib import Path

from gis.profile import PROFILE_DIRS

_PROFILES = Path(__file__).with_name("profiles")
if _PROFILES not in PROFILE_DIRS:
    PROFILE_DIRS.append(_PROFILES)
