"""The spaCy stage: officials with titles, agencies, figures.

In: clean article texts (and their language). Out: :class:`~monitor.tagging.tagger.Tagged`
(mentions and figures).

``tagger`` (pipelines, the two passes), ``entities`` (mentions from a doc), ``titles`` (titles
attached to people), ``bodies`` (government bodies' spans), ``gazetteer`` (the agency and place
tables from models/), ``figures``, ``counted`` and ``numbers`` (what a figure counts, and when),
``entity_base`` (what they share).
"""
