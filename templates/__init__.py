"""Jinja2 templates of the HTML reports, installed as the package ``updater._templates``."""
