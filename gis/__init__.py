"""Spatial foundation of Linkplan: CRS, layer contract, I/O and the road corridor graph.

Nothing in ``gis`` imports ``planning`` or ``api``: dependencies run ``api → planning → gis``.
"""
