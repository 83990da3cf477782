"""What the terminal shows: tables, JSON, CSV, progress, the weekly brief.

In: rows from :mod:`monitor.db.queries` and round events. Out: text on stdout/stderr, never raw
web text (control characters stripped, never parsed as markup).
"""
