"""Reader pages of comments: send one (without JavaScript: post, redirect, thanks), report
one, and every approved comment page by page. No account; the abuse checks are the service's.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from starlette.responses import Response

from dateline import i18n
from dateline.comments import queries, service, views
from dateline.comments.abuse import Rules
from dateline.comments.models import CommentDraft
from dateline.errors import DatelineError, NotFound
from dateline.i18n import gettext as _
from dateline.numbers import RowId, small_int
from dateline.web.forms import StaleForm, form_errors, form_status, text
from dateline.web.responses import redirect, redirect_to, render
from dateline.web.same_origin import posted_public_form
from dateline.web.services import services
from dateline.web.templates import path_for

router = APIRouter()


@router.get("/live/{slug}/comments", name="reader.comments_page")
async def comments_page(request: Request, slug: str, page: str = "1") -> Response:
    return await _page(request, slug, _page_number(page), CommentDraft(body=""), {})


@router.post("/live/{slug}/comments", name="reader.send_comment")
async def send_comment(request: Request, slug: str) -> Response:
    await _speak_blog_language(request, slug)
    form, errors = await posted_public_form(request)
    draft = CommentDraft(text(form, "body"), text(form, "name"), text(form, "website"))
    status = form_status(errors)
    if not errors:
        try:
            await service.submit(
                services(request).db, slug, draft, address(request), rules(request)
            )
            return redirect_to(
                request, "reader.live_blog", slug=slug, anchor="comments", flash="comment-sent"
            )
        except DatelineError as exc:
            errors, status = form_errors(exc), exc.status
    return await _page(request, slug, 1, draft, errors, status)


@router.post("/live/{slug}/comments/{comment_id}/report", name="reader.report_comment")
async def report_comment(request: Request, slug: str, comment_id: RowId) -> Response:
    await _speak_blog_language(request, slug)
    _form, errors = await posted_public_form(request)
    if errors:
        raise StaleForm(errors["form"])
    await service.report(services(request).db, slug, comment_id, address(request), rules(request))
    return redirect_to(
        request, "reader.live_blog", slug=slug, anchor="comments", flash="comment-reported"
    )


# `:int`: only digits, so /live/{slug}/comments/feed.atom is left to the feeds' route.
@router.get("/live/{slug}/comments/{comment_id:int}", name="reader.comment")
async def comment_permalink(request: Request, slug: str, comment_id: RowId) -> Response:
    """Where an answer's quote links: the page of comments that shows this one."""
    async with services(request).db.read() as conn:
        blog = await queries.commented_blog(conn, slug)
        i18n.use(blog.language)
        comment = await queries.comment_by_id(conn, blog.id, comment_id)
        if not comment.is_public:
            raise NotFound(_("This comment is not shown."))
        page = await queries.page_of(conn, comment)
    path = path_for(request, "reader.comments_page", slug=slug)
    return redirect(request, f"{path}?page={page}#comment-{comment_id}")


def address(request: Request) -> str:
    """Whom the rate limit counts: the connecting address (a proxy's, unless the server
    is told to trust its forwarded headers)."""
    return request.client.host if request.client else ""


def rules(request: Request) -> Rules:
    return Rules.of(services(request).settings)


async def _page(
    request: Request,
    slug: str,
    page: int,
    draft: CommentDraft,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    async with services(request).db.read() as conn:
        blog = await queries.commented_blog(conn, slug)
        i18n.use(blog.language)
        shown = await views.discussion(conn, slug, page, queries.PAGE_SIZE)
    shown = replace(shown, draft=draft, errors=errors, with_token=True)
    context = {"blog": blog, "discussion": shown}
    return render(request, "comments/page.html", context, status=status)


async def _speak_blog_language(request: Request, slug: str) -> None:
    """Refusals are said in the blog's language, like the page the form was on."""
    async with services(request).db.read() as conn:
        i18n.use((await queries.commented_blog(conn, slug)).language)


def _page_number(value: str) -> int:
    number = small_int(value, 6)
    if number is None or not 1 <= number <= 100_000:
        raise NotFound(_("Pages are numbered 1, 2, 3…"))
    return number
