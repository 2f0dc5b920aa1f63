"""The services of the process (一网流转), one module per use case.

The JSON API routes (:mod:`api.routes`), the workbench pages (:mod:`api.web`) and the command
line call these; they read and write the store and call the pure decisions of :mod:`planning`.
"""
