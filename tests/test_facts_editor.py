"""Editors and the facts of their live blog: the review page (each fact's sentence, confirm,
correct, reject, errors at their field), suggested key events on the editor's blog page
(accept, dismiss, nothing for readers), and the recap drafted from the facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from dateline.accounts.service import User
from dateline.db import Database
from dateline.facts import queries, suggestions
from dateline.facts.merge import StoredFact
from dateline.facts.review_api import CORRECTABLE
from dateline.facts.review_form import FIELDS
from dateline.facts.worker import FactsExtractor
from dateline.liveblog import service, team
from dateline.liveblog.models import Blog, BlogDraft, Update, UpdateDraft
from tests.helpers import csrf_from, log_in, make_blog, make_user, parse

TUESDAY = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)
KHARKIV = "Russian shelling killed two people in Kharkiv on Monday."
KHARKIV_AGAIN = "Shelling killed two people in Kharkiv on Monday, officials said."
ODESA = "Russian drones injured seven people in Odesa on Monday."
SWAP = "The delegations agreed to swap 1,000 prisoners of war."


async def publish(db: Database, blog: Blog, editor: User, bodies: list[str]) -> list[Update]:
    """The updates a minute apart, then read by the facts worker as it runs in the app."""
    posted = []
    for minute, body in enumerate(bodies):
        at = TUESDAY + timedelta(minutes=minute)
        draft = UpdateDraft(body=body)
        posted.append(await service.post_update(db, blog.slug, draft, editor, published_at=at))
    await FactsExtractor(db, clock=lambda: TUESDAY).run()
    return posted


async def facts_of(db: Database, blog: Blog) -> list[StoredFact]:
    async with db.read() as conn:
        return await queries.of_blog(conn, blog.id, rejected=True)


def the_fact(found: list[StoredFact], place: str) -> StoredFact:
    return next(fact for fact in found if (fact.fact.get("place") or {}).get("name") == place)


async def review_page(http: httpx.AsyncClient, blog: Blog) -> httpx.Response:
    answer = await http.get(f"/admin/live/{blog.slug}/facts")
    assert answer.status_code == 200, answer.text[:300]
    return answer


async def send(http: httpx.AsyncClient, blog: Blog, fact_id: int, **fields: str) -> httpx.Response:
    token = csrf_from(await review_page(http, blog))
    return await http.post(
        f"/admin/live/{blog.slug}/facts/{fact_id}/review", data={"csrf_token": token, **fields}
    )


# The review page ----------------------------------------------------------------------------


async def test_each_fact_shows_its_sentence_on_hover_and_on_focus(
    db: Database, blog: Blog, editor: User, editor_client: httpx.AsyncClient
) -> None:
    await publish(db, blog, editor, [KHARKIV, SWAP])
    page = parse(await review_page(editor_client, blog))
    facts = page.css(".fact-review")
    assert len(facts) == 2
    kharkiv = next(fact for fact in facts if "Kharkiv" in fact.text())
    summary = kharkiv.css_first(".facts__evidence summary")  # a summary takes keyboard focus
    assert summary.attributes["title"] == KHARKIV
    assert kharkiv.css_first(".facts__evidence blockquote").text() == KHARKIV
    line = kharkiv.css_first(".fact-review__line").text()
    assert line == "Shelling in Kharkiv: 2 killed (2 June)"
    swap = next(fact for fact in facts if "prisoners" in fact.text())
    assert (
        swap.css_first(".fact-review__line").text() == "Exchange of 1,000 prisoners agreed (3 June)"
    )


async def test_confirming_and_rejecting_a_fact(
    db: Database,
    blog: Blog,
    editor: User,
    editor_client: httpx.AsyncClient,
) -> None:
    await publish(db, blog, editor, [KHARKIV, ODESA])
    found = await facts_of(db, blog)
    kharkiv, odesa = the_fact(found, "Kharkiv"), the_fact(found, "Odesa")
    answer = await send(editor_client, blog, kharkiv.id, state="confirmed")
    assert answer.status_code == 303
    assert answer.headers["location"].endswith(f"/admin/live/{blog.slug}/facts#fact-{kharkiv.id}")
    page = parse(await editor_client.get(answer.headers["location"]))
    assert "Fact confirmed." in page.css_first("body").text()
    shown = page.css_first(f"#fact-{kharkiv.id}")
    assert shown.css_first(".fact-review__state").text() == "Confirmed"
    buttons = [button.text() for button in shown.css(".fact-review__actions button")]
    assert buttons == ["Reject"]  # no second confirmation

    assert (await send(editor_client, blog, odesa.id, state="rejected")).status_code == 303
    reader = parse(await editor_client.get(f"/live/{blog.slug}/facts"))
    assert "Odesa" not in reader.css_first("#incidents").text()
    assert "Kharkiv" in reader.css_first("#incidents").text()


async def test_a_correction_with_a_mistake_keeps_what_was_typed_and_says_where(
    db: Database, blog: Blog, editor: User, editor_client: httpx.AsyncClient
) -> None:
    await publish(db, blog, editor, [KHARKIV])
    (kharkiv,) = await facts_of(db, blog)
    typed = {"kind": "shelling", "place": "Kramatorsk", "killed": "two or three"}
    answer = await send(editor_client, blog, kharkiv.id, state="corrected", **typed)
    assert answer.status_code == 422
    shown = parse(answer).css_first(f"#fact-{kharkiv.id}")
    assert "open" in shown.css_first(".fact-review__correct").attributes
    killed = shown.css_first(f"#fact-{kharkiv.id}-killed")
    assert killed.attributes["value"] == "two or three"
    assert killed.attributes["aria-invalid"] == "true"
    error = shown.css_first(f"#{killed.attributes['aria-describedby']}")
    assert error.text() == "Give a whole number from 0 to 10,000,000."
    assert shown.css_first(f"#fact-{kharkiv.id}-place").attributes["value"] == "Kramatorsk"
    (unchanged,) = await facts_of(db, blog)
    assert unchanged.review == "suggested"
    assert unchanged.fact["place"]["name"] == "Kharkiv"


async def test_a_correction_that_changes_nothing_is_refused(
    db: Database, blog: Blog, editor: User, editor_client: httpx.AsyncClient
) -> None:
    await publish(db, blog, editor, [KHARKIV])
    (kharkiv,) = await facts_of(db, blog)
    form = {"kind": "shelling", "place": "Kharkiv", "killed": "2", "date": "2025-06-02"}
    answer = await send(editor_client, blog, kharkiv.id, state="corrected", **form)
    assert answer.status_code == 422
    assert "Nothing was changed" in parse(answer).css_first(".form-error").text()


async def test_a_corrected_fact_is_never_overwritten_by_a_later_extraction(
    db: Database, blog: Blog, editor: User, editor_client: httpx.AsyncClient
) -> None:
    (update,) = await publish(db, blog, editor, [KHARKIV])
    (kharkiv,) = await facts_of(db, blog)
    form = {"kind": "shelling", "place": "Kharkiv", "killed": "3", "injured": "4"}
    form["date"] = "2025-06-02"
    answer = await send(editor_client, blog, kharkiv.id, state="corrected", **form)
    assert answer.status_code == 303
    # The update is edited (so read again): the sentence is the same, the correction stays.
    edited = UpdateDraft(body=f"{KHARKIV} Rescuers are still at work.")
    await service.edit_update(db, blog.slug, update.id, edited, editor)
    assert await FactsExtractor(db, clock=lambda: TUESDAY).run() == 1
    (kept,) = await facts_of(db, blog)  # and no second, suggested copy of it beside it
    assert (kept.id, kept.review) == (kharkiv.id, "corrected")
    assert (kept.fact["killed"], kept.fact["injured"]) == (3, 4)
    page = parse(await review_page(editor_client, blog))
    line = page.css_first(f"#fact-{kharkiv.id} .fact-review__line").text()
    assert line == "Shelling in Kharkiv: 3 killed, 4 injured (2 June)"
    reader = (await editor_client.get(f"/live/{blog.slug}/facts.json")).json()
    assert reader["facts"][0]["fact"]["killed"] == 3


async def test_another_blogs_fact_cannot_be_reviewed_through_this_blog(
    db: Database, blog: Blog, editor: User, editor_client: httpx.AsyncClient
) -> None:
    other = await make_blog(db, editor, slug="other-blog")
    await publish(db, other, editor, [KHARKIV])
    (fact,) = await facts_of(db, other)
    answer = await send(editor_client, blog, fact.id, state="rejected")
    assert answer.status_code == 404
    (untouched,) = await facts_of(db, other)
    assert untouched.review == "suggested"


async def test_an_editor_of_another_team_may_not_review(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await publish(db, blog, editor, [KHARKIV])
    (fact,) = await facts_of(db, blog)
    outsider = await make_user(db, "editor", "outsider@example.org")
    await log_in(client, outsider.email)
    assert (await client.get(f"/admin/live/{blog.slug}/facts")).status_code == 403
    token = csrf_from(await client.get("/admin"))
    answer = await client.post(
        f"/admin/live/{blog.slug}/facts/{fact.id}/review",
        data={"csrf_token": token, "state": "rejected"},
    )
    assert answer.status_code == 403
    (untouched,) = await facts_of(db, blog)
    assert untouched.review == "suggested"


def test_the_correction_form_has_the_fields_the_api_corrects() -> None:
    assert {kind: {field.name for field in FIELDS[kind]} for kind in FIELDS} == CORRECTABLE


# Suggested key events -----------------------------------------------------------------------


def suggestion_of(page: HTMLParser, update: Update) -> str | None:
    found = page.css_first(f"#update-{update.id} .suggestion")
    return None if found is None else " ".join(found.text().split())


async def test_updates_with_a_new_incident_or_agreement_are_suggested_to_editors_only(
    db: Database, blog: Blog, editor: User, editor_client: httpx.AsyncClient
) -> None:
    first, again, swap = await publish(db, blog, editor, [KHARKIV, KHARKIV_AGAIN, SWAP])
    page = parse(await editor_client.get(f"/admin/live/{blog.slug}"))
    assert suggestion_of(page, first) == (
        "Suggested key event New in this blog: Shelling in Kharkiv: 2 killed (2 June) "
        "Accept: mark as key event Dismiss"
    )
    assert suggestion_of(page, again) is None  # the same incident, already seen
    assert "Exchange of 1,000 prisoners agreed" in (suggestion_of(page, swap) or "")
    tools = page.css_first(".editor-facts").text()
    assert "2 suggested key events" in " ".join(tools.split())
    reader = await editor_client.get(f"/live/{blog.slug}")
    assert "Suggested key event" not in reader.text
    assert parse(reader).css(".update--key") == []


async def test_the_facts_workers_reading_is_not_in_the_audit_log(
    db: Database, blog: Blog, editor: User, editor_client: httpx.AsyncClient
) -> None:
    (first,) = await publish(db, blog, editor, [KHARKIV])
    assert suggestion_of(parse(await editor_client.get(f"/admin/live/{blog.slug}")), first)
    rows = parse(await editor_client.get(f"/admin/live/{blog.slug}/audit")).css("#audit tbody tr")
    said = [" ".join(row.css("td")[1].text().split()) for row in rows]
    assert said[0] == f"{editor.display_name} published update {first.id}"
    assert not any("update.facts" in line or "Someone" in line for line in said)


async def test_accepting_a_suggestion_marks_the_key_event_in_one_click(
    db: Database, blog: Blog, editor: User, editor_client: httpx.AsyncClient
) -> None:
    (first,) = await publish(db, blog, editor, [KHARKIV])
    page = await editor_client.get(f"/admin/live/{blog.slug}")
    accept = parse(page).css_first(f"#update-{first.id} .suggestion form")
    fields = {i.attributes["name"]: i.attributes["value"] for i in accept.css("input")}
    answer = await editor_client.post(accept.attributes["action"] or "", data=fields)
    assert answer.status_code == 303
    page = parse(await editor_client.get(f"/admin/live/{blog.slug}"))
    assert suggestion_of(page, first) is None
    reader = parse(await editor_client.get(f"/live/{blog.slug}"))
    assert reader.css_first(f"#update-{first.id}").attributes["data-key-event"] == "true"


async def test_a_dismissed_suggestion_goes_and_readers_see_no_change(
    db: Database, blog: Blog, editor: User, editor_client: httpx.AsyncClient
) -> None:
    first, swap = await publish(db, blog, editor, [KHARKIV, SWAP])
    page = await editor_client.get(f"/admin/live/{blog.slug}")
    dismiss = parse(page).css(f"#update-{first.id} .suggestion form")[1]
    answer = await editor_client.post(
        dismiss.attributes["action"] or "", data={"csrf_token": csrf_from(page)}
    )
    assert answer.status_code == 303
    page = await editor_client.get(answer.headers["location"], follow_redirects=True)
    assert page.url.fragment == f"update-{first.id}"  # back at the update, on its page
    assert "no longer suggested as a key event" in page.text
    assert suggestion_of(parse(page), first) is None
    assert suggestion_of(parse(page), swap) is not None
    reader = parse(await editor_client.get(f"/live/{blog.slug}"))
    assert reader.css_first(f"#update-{first.id}").attributes["data-key-event"] == "false"


async def test_only_this_blogs_editors_dismiss_only_this_blogs_suggestions(
    db: Database,
    blog: Blog,
    editor: User,
    editor_client: httpx.AsyncClient,
    client: httpx.AsyncClient,
) -> None:
    other = await make_blog(db, editor, slug="other-blog")
    (elsewhere,) = await publish(db, other, editor, [KHARKIV])
    page = await editor_client.get(f"/admin/live/{blog.slug}")
    through_this_blog = f"/admin/live/{blog.slug}/updates/{elsewhere.id}/dismiss-key-event"
    answer = await editor_client.post(through_this_blog, data={"csrf_token": csrf_from(page)})
    assert answer.status_code == 404
    contributor = await make_user(db, "contributor", "writer@example.org")
    await team.add_member(db, other.slug, contributor.email, editor)
    await log_in(client, contributor.email)
    page = await client.get(f"/admin/live/{other.slug}")
    assert parse(page).css(".suggestion") == []  # contributors are not offered key events
    own_blog = f"/admin/live/{other.slug}/updates/{elsewhere.id}/dismiss-key-event"
    answer = await client.post(own_blog, data={"csrf_token": csrf_from(page)})
    assert answer.status_code == 403
    async with db.read() as conn:
        assert await suggestions.candidates(conn, other.id) == {elsewhere.id}


async def test_a_rejected_fact_suggests_nothing(
    db: Database, blog: Blog, editor: User, editor_client: httpx.AsyncClient
) -> None:
    (first,) = await publish(db, blog, editor, [KHARKIV])
    (fact,) = await facts_of(db, blog)
    await queries.review(db, fact.id, "rejected", None, editor.id, TUESDAY)
    async with db.read() as conn:
        candidates = await suggestions.candidates(conn, blog.id)
        assert suggestions.suggest(await queries.of_blog(conn, blog.id), candidates) == {}
    page = parse(await editor_client.get(f"/admin/live/{blog.slug}"))
    assert suggestion_of(page, first) is None


# The drafted recap --------------------------------------------------------------------------


async def test_the_recap_form_offers_a_draft_that_is_published_only_when_saved(
    db: Database, blog: Blog, editor: User, editor_client: httpx.AsyncClient
) -> None:
    await publish(db, blog, editor, [KHARKIV, ODESA, SWAP])
    form = parse(await editor_client.get(f"/admin/live/{blog.slug}/recap"))
    offered = [li.text() for li in form.css(".recap-suggestion li")]
    assert offered == [  # of one day, the latest report first
        "Drone in Odesa: 7 injured (2 June)",
        "Shelling in Kharkiv: 2 killed (2 June)",
        "Exchange of 1,000 prisoners agreed (3 June)",
    ]
    draft_link = form.css_first(".recap-suggestion a.button").attributes["href"] or ""
    drafted = await editor_client.get(draft_link)
    assert drafted.status_code == 200
    assert parse(drafted).css_first("textarea#items").text().splitlines() == offered
    blog_now = await editor_client.get(f"/api/v1/blogs/{blog.slug}/recap")
    assert blog_now.json()["items"] == []  # nothing published by drafting
    saved = await editor_client.post(
        f"/admin/live/{blog.slug}/recap",
        data={"csrf_token": csrf_from(drafted), "items": "\n".join(offered[1:])},
    )
    assert saved.status_code == 303
    reader = parse(await editor_client.get(f"/live/{blog.slug}"))
    recap = [li.text() for li in reader.css(".recap li")]
    assert recap == offered[1:]  # what the editor kept, without what they left out


async def test_a_german_blogs_recap_is_drafted_in_german(
    db: Database, editor: User, editor_client: httpx.AsyncClient
) -> None:
    draft = BlogDraft(title="Krieg in der Ukraine", slug="ukraine-de", language="de")
    blog = await service.create_blog(db, draft, editor)
    body = "Bei russischem Beschuss wurden am Montag in Charkiw zwei Menschen getötet."
    await publish(db, blog, editor, [body])
    form = parse(await editor_client.get(f"/admin/live/{blog.slug}/recap"))
    (line,) = [li.text() for li in form.css(".recap-suggestion li")]
    assert form.css_first(".recap-suggestion ul").attributes["lang"] == "de"
    assert line.startswith("Beschuss in Charkiw")
    assert line.endswith("(2. Juni)")


async def test_without_facts_the_recap_form_offers_nothing(
    blog: Blog, editor_client: httpx.AsyncClient
) -> None:
    form = parse(await editor_client.get(f"/admin/live/{blog.slug}/recap"))
    assert form.css(".recap-suggestion") == []


@pytest.mark.parametrize("path", ["/facts", "/recap/draft"])
async def test_contributors_get_neither_review_nor_draft(
    db: Database, blog: Blog, client: httpx.AsyncClient, path: str
) -> None:
    contributor = await make_user(db, "contributor", "writer@example.org")
    await log_in(client, contributor.email)
    assert (await client.get(f"/admin/live/{blog.slug}{path}")).status_code == 403
