"""The web layer: what every page shares, one job a module.

templates (Jinja environment, static files, `path_for`), responses (render, redirect),
forms (the one CSRF check, text fields, form errors), csrf, cookies, flash, http_cache
(ETag, 304, Cache-Control), page_cache, errors (error pages, JSON problems), services (the
typed services object routes receive), routes (static files), sitemap, i18n and language.
Features import these modules directly; this package imports no feature.
"""
