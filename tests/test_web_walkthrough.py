"""Defects a walkthrough of the reader and editor pages found, each kept fixed by a test."""

from __future__ import annotations

import httpx

from tests.helpers import csrf_from, parse


def _switch(page: httpx.Response) -> dict[str, str]:
    """The footer's language links, by language name."""
    links = parse(page).css(".language-switch a")
    return {link.text(): str(link.attributes["href"]) for link in links}


async def test_the_language_switch_keeps_the_search_the_reader_made(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/search", params={"q": "storm"})
    deutsch = _switch(page)["Deutsch"]
    assert deutsch == "/language/de?next=/search%3Fq%3Dstorm"
    back = await client.get(deutsch)
    assert back.headers["location"] == "/search?q=storm"
    again = await client.get(back.headers["location"])
    assert parse(again).css_first("html").attributes["lang"] == "de"


async def test_after_a_form_error_the_language_switch_leads_to_the_forms_page(
    editor_client: httpx.AsyncClient,
) -> None:
    """An error page answers a POST: its own address takes no GET (it was a 405)."""
    account = await editor_client.get("/admin/account")
    form = {"display_name": "", "csrf_token": csrf_from(account)}
    for referer in ({"referer": "http://testserver/admin/account"}, {}):
        error = await editor_client.post("/admin/account/name", data=form, headers=referer)
        assert error.status_code == 422
        back = await editor_client.get(_switch(error)["Deutsch"])
        assert back.headers["location"] == "/admin/account"
        assert (await editor_client.get("/admin/account")).status_code == 200
