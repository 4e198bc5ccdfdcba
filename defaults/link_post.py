"""
---
id: "ddcb946f-9baa-4662-ba68-5e66b915bd5e"
title: "Link post"
kind: "transform"
entrypoint: "transform"
enabled: true
version: 1
createdAt: "2026-11-24T00:00:00.000Z"
updatedAt: "2026-11-24T00:00:00.000Z"
---
"""
# Runs on a post that arrives from the share sheet or the bookmarklet, before you save it: the text
# you selected becomes a quote, followed by a link to the page, and the post is tagged "link".
#
# transform(post) gets the draft: "title", "body", "tags", "categories", and "source", what arrived
# ("kind": "share" or "bookmarklet", "title", "text", "url"). It returns the post to save: a dict
# with "title" and "body" (and optionally "tags" and "categories"), or a str, which becomes the body.
from urllib.parse import urlsplit


def transform(post):
    source = post["source"]
    parts = []
    if source["text"]:
        parts.append("\n".join(f"> {line}" if line.strip() else ">" for line in source["text"].splitlines()))
    if source["url"]:
        site = urlsplit(source["url"]).hostname or source["url"]
        # In <...>, a ")" in the address cannot end the link early.
        parts.append(f"Via [{site.removeprefix('www.')}](<{source['url']}>)")
    tags = post["tags"] if "link" in post["tags"] else [*post["tags"], "link"]
    return {"title": post["title"], "body": "\n\n".join(parts), "tags": tags}
