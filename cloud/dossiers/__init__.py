"""The dossier workflow's service layer: reference data and dossiers in the database.

The rules are pure (``cloud.domain``); this package reads files, talks to the
database and calls them. The HTTP API is ``cloud.api.routes.dossiers``.
"""
