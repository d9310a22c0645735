"""GET /live/{slug}/changes?since=N: the polling fallback for readers without EventSource.

Every reader at the same point asks the same URL, so a CDN can answer most of them: the
response is cacheable for a few seconds and carries an ETag made of the sequence numbers.
The events come from the hub's replay cache (see `Hub.backlog`), so a poll costs the same
whatever the blog's history; a reader too far behind (or ahead) is told to reload.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from dateline.liveblog.forms import KEY_EVENTS
from dateline.numbers import Seq
from dateline.realtime.hub import Hub
from dateline.web import http_cache
from dateline.web.services import services

router = APIRouter()
MAX_AGE = 5


@router.get("/live/{slug}/changes", name="reader.changes")
async def changes(request: Request, slug: str, since: Seq = 0, filter: str = "") -> Response:
    hub: Hub = services(request).hub
    channel, last_seq = await hub.open(slug, since)
    key_only = filter == KEY_EVENTS
    # Every reader that must reload gets the same answer, whatever its `since`.
    point = "reset" if hub.must_reload(since, last_seq) else since
    version = http_cache.Version(f"c{channel.blog_id}-{point}-{last_seq}-{int(key_only)}", None)
    headers = {"ETag": version.etag, "Cache-Control": f"public, max-age={MAX_AGE}"}
    if http_cache.is_fresh(request, version):
        return Response(status_code=304, headers=headers)
    frames = await hub.backlog(channel, since, last_seq)
    if frames is None:
        body = b'{"seq":%d,"reset":true,"events":[]}' % last_seq
    else:
        shown = [f.json for f in frames if f.key_related or not key_only]
        body = b'{"seq":%d,"reset":false,"events":[%s]}' % (last_seq, b",".join(shown))
    return Response(body, media_type="application/json", headers=headers)
