"""Planning decisions as pure functions on ``gis`` models (no web, no database, no maps).

The city policy profiles (``planning/profiles/*.yaml``, e.g. ``jingmen-2023``) are found by
:func:`gis.profile.load_profile` on its explicit search path :data:`gis.profile.PROFILE_DIRS`;
importing this package registers nothing.
"""
