"""From page bytes to an article's clean text.

In: HTML bytes and the URL they came from. Out: :class:`~monitor.pages.extraction.Extracted`
(text and metadata).

``extraction`` (trafilatura plus date, title, language and canonical URL), ``cleaning`` (residue
patterns and learned site furniture), ``topic`` (the topic filter), ``dedup`` (exact and near-
duplicate stories).
"""
