"""Where articles come from: feeds and pages over HTTP, politely.

In: feed URLs from the config. Out: feed items and fetched page bytes, and each feed's next
state.

``fetching`` (guarded HTTP client: deadlines, size caps, private-address refusal),
``politeness`` (per-host limits, robots.txt), ``urls`` (canonical form, trust of canonical
claims), ``feeds`` (safe feed parsing), ``timing`` (when a feed is next due), ``feed_state``
(the feed state machine as one pure function).
"""
