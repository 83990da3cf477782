"""What every table and column of the database means, for people browsing it in Datasette.

One entry per table: a title, a description, and for each column ``(title, description)``.
:func:`monitor.web.serve.metadata` turns this into Datasette metadata; the tests check that every
column the migrations create is described here.
"""

from __future__ import annotations

from typing import Any

#: table -> {"title", "description", "columns": {column: (title, description)}}
TABLES: dict[str, dict[str, Any]] = {
    "articles": {
        "title": "Articles",
        "description": "Every stored article, one row per story and URL: the clean text "
        "(page furniture removed), where and when it was published. A story republished by "
        "another outlet is stored again with duplicate_of pointing at the first copy, and is "
        "not tagged twice. Search box: accent-, case-insensitive (cossio finds Cossío).",
        "columns": {
            "id": ("ID", "Row number of the article."),
            "url": ("URL", "Canonical URL of the article."),
            "title": ("Title", "Headline as published."),
            "author": ("Author", "Byline, when the page names one."),
            "published": ("Published", "When the outlet published it (ISO 8601, from the "
                          "page, else the feed); empty when unknown, never the fetch time."),
            "site_name": ("Site name", "Name the site gives itself (og:site_name)."),
            "source": ("Source", "Outlet: the feed's name, else the site name."),
            "language": ("Language", "Language of the text (ISO 639-1 code)."),
            "description": ("Summary", "The page's own summary (meta description)."),
            "text": ("Text", "Clean article text: trafilatura's extraction with widget "
                     "notices, share buttons, related links and repeated site lines removed."),
            "text_hash": ("Text hash", "Hash of the folded text; equal for exact copies."),
            "minhash": ("MinHash", "Signature used to find near-duplicates (binary)."),
            "word_count": ("Words", "Number of words in the text."),
            "feed_id": ("Feed", "Feed the article came from; empty for ingested pages."),
            "on_topic": ("On topic", "1 when it matches the topic terms, 0 when it was kept "
                         "without them (ingest --all, or a feed with topic_filter: false)."),
            "duplicate_of": ("Copy of", "The first stored copy of the same story, when this "
                             "is a republication; empty for originals."),
            "fetched_at": ("Fetched", "When monitor fetched the page (UTC)."),
            "tagger": ("Tagger", "spaCy pipeline and version that tagged the text."),
            "tagged_at": ("Tagged", "When the entities and figures were extracted (UTC)."),
            "truncated": ("Truncated", "1 when the text was cut at cleaning.max_chars (at a "
                          "line break), 0 when it is whole."),
            "canonical_claim": ("Claimed canonical", "A canonical URL the page named on "
                                "another site: recorded, not believed (the article is kept "
                                "under the URL it was fetched from)."),
        },
    },
    "entities": {
        "title": "Entities",
        "description": "People, officials, agencies, organisations, places and groups: one "
        "row per real-world entity, whatever it was called. Search box: names and aliases, "
        "accent-insensitive.",
        "columns": {
            "id": ("ID", "Row number of the entity."),
            "key": ("Key", "Folded label and name that identify the entity."),
            "name": ("Name", "Canonical name (the fullest form seen, or the agency's "
                     "official name)."),
            "label": ("spaCy label", "PERSON, ORG, GPE, NORP, LOC, FAC…"),
            "kind": ("Kind", "official (a person named with a title), person, agency, "
                     "organization, place, group or other."),
            "aliases": ("Aliases", "Every other way it was written (JSON list)."),
            "titles": ("Titles", "Titles given to the person, e.g. Deputy Foreign Minister "
                       "(JSON list)."),
            "first_seen": ("First seen", "Publication date of the first article naming it."),
            "last_seen": ("Last seen", "Publication date of the latest article naming it."),
        },
    },
    "mentions": {
        "title": "Mentions",
        "description": "Each time an entity is named in an article, with the sentence, the "
        "title given to a person there and the side they speak for.",
        "columns": {
            "id": ("ID", "Row number of the mention."),
            "article_id": ("Article", "The article the entity is named in."),
            "entity_id": ("Entity", "The entity named."),
            "text": ("As written", "The words used in the article."),
            "start": ("Start", "Character offset of the mention in the article text."),
            "end": ("End", "Character offset just after the mention."),
            "sentence": ("Sentence", "The sentence the mention is in."),
            "title": ("Title", "Title given to the person in this sentence, if any."),
            "affiliation": ("Affiliation", "Country or side the person is named for "
                            "(\"US\", \"Cuba\"…), when the sentence says it."),
        },
    },
    "figures": {
        "title": "Figures",
        "description": "Numbers found in articles, with what they count, when, and the "
        "sentence they are in.",
        "columns": {
            "id": ("ID", "Row number of the figure."),
            "article_id": ("Article", "The article the figure is in."),
            "value": ("Value", "The number as a number (\"16,531\" -> 16531)."),
            "text": ("As written", "The number as written in the article."),
            "unit": ("Unit", "Unit or currency (%, USD, km…), when there is one."),
            "attribution": ("Attribution", "1 for a count of the people the story cites "
                            "(\"two sources said\"): kept, but left out of the figure views."),
            "bound": ("Bound", "\"at least\" when the text gives no exact number (\"hundreds "
                      "of thousands\", \"dozens\"): the value is then a lower bound by "
                      "convention (200,000; 24), not a count the text stated."),
            "what": ("What", "What the number counts, from the sentence."),
            "when": ("When", "The date or period it refers to, from the sentence."),
            "sentence": ("Sentence", "The sentence the figure is in."),
            "start": ("Start", "Character offset of the figure in the article text."),
            "end": ("End", "Character offset just after the figure."),
        },
    },
    "feeds": {
        "title": "Feeds",
        "description": "The configured feeds and their health: last status, consecutive "
        "errors, last error, HTTP caching state and schedule.",
        "columns": {
            "id": ("ID", "Row number of the feed."),
            "url": ("URL", "Feed URL from the configuration."),
            "name": ("Name", "Name from the configuration, if any."),
            "title": ("Title", "The feed's own title."),
            "site_url": ("Site", "Home page the feed points to."),
            "topic_filter": ("Topic filter", "1: only items about Cuba are kept; 0: all."),
            "etag": ("ETag", "Validator sent back for conditional GET."),
            "last_modified": ("Last-Modified", "Validator sent back for conditional GET."),
            "content_hash": ("Content hash", "Hash of the last body, to skip unchanged feeds."),
            "last_status": ("Status", "ok, not_modified (HTTP 304), unchanged (same bytes), "
                            "error or gone."),
            "http_status": ("HTTP status", "Status code of the last response."),
            "error_count": ("Errors", "Consecutive failed polls (0 after a success)."),
            "last_error": ("Last error", "What went wrong the last time it failed."),
            "last_polled_at": ("Polled", "When it was last polled (UTC)."),
            "last_ok_at": ("Last OK", "When it last answered successfully (UTC)."),
            "next_poll_at": ("Next poll", "When it will be polled next (UTC)."),
            "created_at": ("Added", "When the feed was first seen in the configuration."),
            "state": ("State", "active, or gone after HTTP 410 (not polled until --force)."),
            "failure_score": ("Failure score", "Weighted failures that drive the backoff."),
            "poll_interval": ("Interval", "Seconds between polls, from how often it "
                              "publishes."),
        },
    },
    "skipped": {
        "title": "Skipped pages",
        "description": "Pages fetched but not kept (off topic, or disallowed by robots.txt); "
        "recorded so they are never fetched again.",
        "columns": {
            "url": ("URL", "The page's URL."),
            "title": ("Title", "The page's title."),
            "reason": ("Reason", "off_topic or robots."),
            "feed_id": ("Feed", "Feed the page came from."),
            "seen_at": ("Seen", "When it was fetched (UTC)."),
        },
    },
    "article_errors": {
        "title": "Article errors",
        "description": "Article pages that could not be fetched or had no text, and why; "
        "retried a few times.",
        "columns": {
            "url": ("URL", "The article page's URL."),
            "feed_id": ("Feed", "Feed that listed it."),
            "attempts": ("Attempts", "How many times it was tried."),
            "last_error": ("Last error", "Why the last attempt failed."),
            "last_attempt_at": ("Last attempt", "When it was last tried (UTC)."),
        },
    },
    "article_urls": {
        "title": "Article URLs",
        "description": "Every URL an article was seen under (feed link, redirect target, "
        "canonical, AMP copy), so a story is never fetched twice.",
        "columns": {
            "url": ("URL", "A URL the article was seen under."),
            "article_id": ("Article", "The article."),
        },
    },
    "feed_backlog": {
        "title": "Feed backlog",
        "description": "Items a feed listed beyond the per-round cap "
        "(poll.max_articles_per_feed), fetched in later rounds even while the feed itself is "
        "unchanged.",
        "columns": {
            "url": ("URL", "The item's link."),
            "feed_id": ("Feed", "Feed that listed it."),
            "title": ("Title", "The item's title in the feed."),
            "published": ("Published", "The item's date in the feed."),
            "guid": ("GUID", "The item's id in the feed."),
            "added_at": ("Added", "When it was put in the backlog (UTC)."),
        },
    },
    "monitor_meta": {
        "title": "About this file",
        "description": "Facts about the database file itself, e.g. made_by = demo for a "
        "database built by monitor demo.",
        "columns": {
            "key": ("Key", "Name of the fact."),
            "value": ("Value", "Its value."),
        },
    },
    "site_lines": {
        "title": "Site lines",
        "description": "Short lines counted per site: a line seen in many articles of one "
        "site is furniture and is removed from the text.",
        "columns": {
            "site": ("Site", "Host the line was seen on."),
            "key": ("Line", "Folded text of the line."),
            "articles": ("Articles", "Number of articles of that site containing it."),
        },
    },
}

#: Internal tables: described, but hidden from the table lists.
HIDDEN = {"article_urls", "site_lines", "monitor_meta", "_sqlite_migrations"}


def column_title(table: str, column: str) -> str | None:
    entry = TABLES.get(table, {}).get("columns", {}).get(column)
    return entry[0] if entry else None
