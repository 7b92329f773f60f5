"""The Article item: the one record schema (see docs/ARCHIVE.md and pipelines/archive/schema.json)."""

from __future__ import annotations

import scrapy


class Article(scrapy.Item):
    """One archived article. Field meanings are documented in docs/ARCHIVE.md."""

    # identity
    id = scrapy.Field()  # stable: first 16 hex chars of sha256(canonical_url)
    url = scrapy.Field()  # the URL the page was fetched from (the site's real URL)
    canonical_url = scrapy.Field()
    # the site
    site = scrapy.Field()  # spider name
    publisher = scrapy.Field()
    region = scrapy.Field()
    language = scrapy.Field()
    # the content
    title = scrapy.Field()  # the printed headline, without kicker, site name or SEO tail
    kicker = scrapy.Field()  # the printed kicker (Dachzeile, Spitzmarke, topline) over the headline, or None
    lead = scrapy.Field()  # teaser / summary paragraph(s), or None
    body = scrapy.Field()  # plain text, paragraphs separated by a blank line
    authors = scrapy.Field()  # list[str]
    published = scrapy.Field()  # ISO 8601 with UTC offset, or None
    modified = scrapy.Field()
    section = scrapy.Field()
    keywords = scrapy.Field()  # list[str]
    image = scrapy.Field()
    paywalled = scrapy.Field()  # bool
    places = scrapy.Field()  # list of {"ags", "name", "district", "land", "source", "mentions"}
    place = scrapy.Field()  # the one of places the article is mainly about, or None
    # crawl and archive bookkeeping
    crawled_at = scrapy.Field()  # ISO 8601 UTC
    revision = scrapy.Field()  # 1 for the first version of an article
    previous_hash = scrapy.Field()  # content_hash of the previous revision, or None
    content_hash = scrapy.Field()  # "sha256:<hex>" of the normalised title + body
    aliases = scrapy.Field()  # other URLs of the same article on the same site
    cluster = scrapy.Field()  # near-duplicate (syndication) cluster id, or None
    near_duplicate_of = scrapy.Field()  # id of the article this one copies, or None
    raw = scrapy.Field()  # {"warc": key, "offset": int, "length": int, "record_id": str}
    extractor = scrapy.Field()  # {"method": body layer, "version": str, "fields": {field: layer}}
    schema_version = scrapy.Field()  # 1
    schema_minor = scrapy.Field()  # 1 (kicker, places, place); records without it are minor 0
    # transient, never written to the archive: the HTTP exchange for the WARC record
    # {"url", "status", "headers": list[[name, value]], "body": bytes, "fetched_at", "request_headers"}
    raw_response = scrapy.Field()
    # transient: values computed next to the parse in an extraction worker (pipelines.precompute.Precomputed)
    precomputed = scrapy.Field()
