"""Readers in German and English: a live blog speaks its own language (pages, feeds, JSON-LD,
live frames), every other page the visitor's (Accept-Language, or the switch that sticks), and
dates and ages read the way the language writes them. Also the catalogue check (`make lint`):
the German catalogue is complete, with no empty or fuzzy entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from selectolax.lexbor import LexborHTMLParser as parse_html
from sqlalchemy import update

from dateline import i18n, timefmt
from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import updates
from dateline.liveblog import archive, service
from dateline.liveblog.models import Blog, BlogDraft
from dateline.liveblog.static_export import export_static
from tests.helpers import csrf_from, log_in, parse, post
from tests.test_i18n_admin import english_left

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = i18n.LOCALE_DIR / "de" / "LC_MESSAGES" / "messages.po"
GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}


async def _blog(db: Database, user: User, slug: str, language: str) -> Blog:
    draft = BlogDraft(
        title="Sturmflut an der Nordsee" if language == "de" else "Storm surge on the coast",
        slug=slug,
        standfirst="Der Tag im Überblick.",
        category="Wetter",
        time_zone="Europe/Berlin",
        language=language,
    )
    return await service.create_blog(db, draft, user)


# The catalogue (make lint runs this test too) ------------------------------------------


def test_the_german_catalogue_is_complete_with_no_empty_or_fuzzy_entries() -> None:
    """Every text marked in the source (Python and templates, as `make messages` extracts
    them with babel.cfg) has a German translation that a person reviewed."""
    with CATALOGUE.open("rb") as file:
        catalogue = read_po(file, locale="de")
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    marked = {
        found[2] if isinstance(found[2], str) else found[2][0]
        for found in extract_from_dir(
            ROOT / "src" / "dateline", method_map, options_map, keywords=keywords
        )
    }
    assert len(marked) > 100, "nothing extracted: babel.cfg's patterns match no file"
    empty = [m.id for m in catalogue if m.id and not any(_strings(m.string))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    missing = sorted(msgid for msgid in marked if msgid not in catalogue)
    assert (empty, fuzzy, missing) == ([], [], [])


def _strings(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value or ())


# Dates, ages and numbers --------------------------------------------------------------------


def test_full_dates_read_as_each_language_writes_them() -> None:
    moment = datetime(2026, 12, 7, 0, 6, tzinfo=UTC)
    with i18n.using("de"):
        assert timefmt.full(moment, "Europe/Berlin") == "Mo., 7. Dez. 2026, 01:06 MEZ"
        assert timefmt.full(moment, "Europe/London") == "Mo., 7. Dez. 2026, 00:06 GMT"
        assert timefmt.number(12345) == "12.345"
    with i18n.using("en"):
        assert timefmt.full(moment, "Europe/Kyiv") == "Mon 7 Dec 2026 02:06 EET"
        assert timefmt.number(12345) == "12,345"
    assert timefmt.clock(moment, "Europe/Berlin") == "01:06"


def test_an_update_of_an_earlier_day_shows_its_date_with_the_same_clock() -> None:
    """One time format on the live page: "23:48" today, "6 Dec 23:48" for an earlier day
    (in the blog's zone: 23:48 in London is already tomorrow in Kyiv)."""
    late = datetime(2026, 12, 6, 23, 48, tzinfo=UTC)
    same_night = datetime(2026, 12, 6, 23, 59, tzinfo=UTC)
    next_morning = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with i18n.using("en"):
        assert timefmt.clock(late, "Europe/London", same_night) == "23:48"
        assert timefmt.clock(late, "Europe/London", next_morning) == "6 Dec 23:48"
        assert timefmt.clock(late, "Europe/Kyiv", next_morning) == "01:48"
        next_year = datetime(2027, 1, 2, 9, 0, tzinfo=UTC)
        assert timefmt.clock(late, "Europe/London", next_year) == "6 Dec 2026 23:48"
    with i18n.using("de"):
        assert timefmt.clock(late, "Europe/London", next_morning) == "6. Dez. 23:48"


def test_relative_ages_in_german() -> None:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    with i18n.using("de"):
        assert timefmt.relative(now - timedelta(seconds=20), now) == "gerade eben"
        assert timefmt.relative(now - timedelta(minutes=5), now) == "vor 5 Minuten"
        assert timefmt.relative(now - timedelta(days=1), now) == "vor 1 Tag"
    assert timefmt.relative(now - timedelta(days=1), now) == "1 day ago"


def test_time_zones_are_offered_from_the_iana_list_grouped_by_region() -> None:
    regions = dict(timefmt.zone_choices())
    assert "Europe/Berlin" in regions["Europe"]
    assert "UTC" in regions[""]
    assert list(regions["Europe"]) == sorted(regions["Europe"])


# Pages in the visitor's language -------------------------------------------------------------


async def test_a_german_browser_reads_the_front_login_and_error_pages_in_german(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    blog = await _blog(db, editor, "sturmflut", "en")
    await post(db, blog, editor, "Water is rising.")
    for path, status in (("/", 200), ("/login", 200), ("/nowhere", 404), ("/live/x--y", 404)):
        answer = await client.get(path, headers=GERMAN)
        assert answer.status_code == status, path
        page = parse(answer)
        assert page.css_first("html").attributes["lang"] == "de", path
        assert english_left(answer.text) == [], path
        assert "Accept-Language" in answer.headers["vary"], path
    front = parse(await client.get("/", headers=GERMAN)).text()
    assert "Liveberichterstattung" in front
    assert "1 Eintrag" in front
    english = await client.get("/login", headers=ENGLISH)
    assert "Newsroom log in" in english.text
    assert 'lang="en"' in english.text


async def test_a_german_blog_speaks_german_to_every_reader(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    blog = await _blog(db, editor, "sturmflut", "de")
    first = await post(db, blog, editor, "Der Pegel steigt.", key_event=True)
    async with db.write() as conn:  # the update was posted a day ago
        day_ago = datetime.now(UTC) - timedelta(days=1, minutes=5)
        await conn.execute(
            update(updates).where(updates.c.id == first.id).values(published_at=day_ago)
        )
    await post(db, blog, editor, "Die Deiche halten.")
    answer = await client.get("/live/sturmflut", headers=ENGLISH)
    page = parse(answer)
    assert page.css_first("html").attributes["lang"] == "de"
    assert english_left(answer.text) == []
    assert "vor 1 Tag" in page.text()
    assert "Wichtige Ereignisse" in page.text()
    assert "vary" not in answer.headers  # the same for every reader: cacheable as before
    jsonld = json.loads(page.css_first('script[type="application/ld+json"]').text())
    assert jsonld["inLanguage"] == "de"
    atom = await client.get("/live/sturmflut/feed.atom?filter=key-events")
    assert 'xml:lang="de"' in atom.text
    assert "wichtige Ereignisse" in atom.text
    assert "<language>de</language>" in (await client.get("/live/sturmflut/feed.rss")).text
    assert (await client.get("/live/sturmflut/feed.json")).json()["language"] == "de"
    embed = await client.get("/embed/sturmflut", headers=ENGLISH)
    assert 'lang="de"' in embed.text
    assert english_left(embed.text) == []


async def test_a_german_blogs_live_frames_carry_german_words(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    """Frames are rendered by the hub's pump, outside the reader's request."""
    blog = await _blog(db, editor, "sturmflut", "de")
    await post(db, blog, editor, "Der Pegel steigt.", key_event=True)
    answer = await client.get("/live/sturmflut/changes?since=0", headers=ENGLISH)
    html = answer.json()["events"][-1]["html"]
    assert "Wichtiges Ereignis" in html
    assert "Key event" not in html


async def test_an_english_blog_stays_english_for_a_german_browser(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    blog = await _blog(db, editor, "storm", "en")
    await post(db, blog, editor, "Water is rising.", key_event=True)
    answer = await client.get("/live/storm", headers=GERMAN)
    page = parse(answer)
    assert page.css_first("html").attributes["lang"] == "en"
    assert "Key events" in page.text()
    assert "Wichtige Ereignisse" not in page.text()
    german_etag = answer.headers["etag"]
    assert (await client.get("/live/storm", headers=ENGLISH)).headers["etag"] == german_etag


async def test_site_feeds_speak_the_visitors_language_and_say_so(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    await post(db, await _blog(db, editor, "storm", "en"), editor, "Water is rising.")
    german = await client.get("/feed.atom", headers=GERMAN)
    english = await client.get("/feed.atom", headers=ENGLISH)
    assert 'xml:lang="de"' in german.text
    assert "Liveberichterstattung" in german.text
    assert 'xml:lang="en"' in english.text
    assert german.headers["etag"] != english.headers["etag"]
    assert german.headers["vary"] == "Accept-Language, Cookie"
    again = await client.get(
        "/feed.atom", headers={**GERMAN, "If-None-Match": german.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["vary"] == "Accept-Language, Cookie"  # as the 200 said


async def test_the_language_switch_keeps_the_address_and_is_not_on_blog_pages(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    """The switch leads back to the same address, query included: the link is made from the
    URL alone, so whoever gets that URL gets that link. A blog's own pages (the ones cached
    apart from their query) speak the blog's language whatever the visitor chose, so they
    offer no switch that would change nothing."""
    blog = await _blog(db, editor, "storm", "de")
    await post(db, blog, editor, "Water is rising.")
    front = parse(await client.get("/?page=2"))
    hrefs = [a.attributes["href"] or "" for a in front.css(".language-switch a")]
    assert hrefs == ["/language/en?next=/%3Fpage%3D2", "/language/de?next=/%3Fpage%3D2"]
    live = parse(await client.get(f"/live/{blog.slug}?page=1&planted=elsewhere", headers=ENGLISH))
    assert live.css_first("html").attributes["lang"] == "de"
    assert live.css(".language-switch a") == []


async def test_an_expired_form_says_so_in_german_and_keeps_the_text(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    blog = await _blog(db, editor, "storm", "en")
    await log_in(client, editor.email)
    form = {"csrf_token": "stale", "body": "Die Deiche halten.", "action": "publish"}
    answer = await client.post(f"/admin/live/{blog.slug}/updates", data=form, headers=GERMAN)
    assert answer.status_code == 403
    assert "Dieses Formular war abgelaufen" in answer.text
    assert "Die Deiche halten." in answer.text


# The switch ---------------------------------------------------------------------------------


async def test_the_language_switch_sticks_and_refuses_an_off_site_next(
    client: httpx.AsyncClient,
) -> None:
    front = parse(await client.get("/", headers=ENGLISH))
    links = {a.text(): a.attributes for a in front.css(".language-switch a")}
    assert links["English"].get("aria-current") == "true"
    assert links["Deutsch"]["href"] == "/language/de?next=/"
    answer = await client.get("/language/de?next=/login%3Fnext%3D/admin", headers=ENGLISH)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login?next=/admin")
    cookie = answer.headers["set-cookie"].lower()
    assert "dl_lang=de" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "max-age=31536000" in cookie
    login = await client.get("/login", headers=ENGLISH)  # the cookie beats the browser
    assert "Anmeldung für die Redaktion" in login.text
    switch = parse(login).css_first('.language-switch a[aria-current="true"]')
    assert switch is not None
    assert switch.text() == "Deutsch"
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "evil"):
        away = await client.get("/language/en", params={"next": target})
        assert (away.status_code, away.headers["location"]) == (303, "/"), target
    assert (await client.get("/language/fr?next=/")).status_code == 404


# The blog's language and time zone, chosen by the editor -------------------------------------


async def test_the_blog_form_offers_languages_and_iana_zones_and_checks_them(
    editor_client: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    form = await editor_client.get("/admin/blogs/new")
    page = parse(form)
    assert page.css_first('select[name="time_zone"] optgroup[label="Europe"]') is not None
    assert page.css_first('select[name="time_zone"] option[selected]').text() == "UTC"
    languages = [o.attributes["value"] for o in page.css('select[name="language"] option')]
    assert languages == ["en", "de"]
    fields = {"title": "Sturmflut", "slug": "sturmflut", "csrf_token": csrf_from(form)}
    refused = await editor_client.post(
        "/admin/blogs/new", data={**fields, "time_zone": "Mars/Olympus", "language": "fr"}
    )
    assert refused.status_code == 422
    again = parse(refused)
    assert again.css_first("#language").attributes.get("aria-invalid") == "true"
    assert again.css_first("#time_zone").attributes.get("aria-invalid") == "true"
    done = await editor_client.post(
        "/admin/blogs/new", data={**fields, "time_zone": "Europe/Berlin", "language": "de"}
    )
    assert done.status_code == 303
    reader = await client.get("/live/sturmflut")
    assert parse(reader).css_first("html").attributes["lang"] == "de"


async def test_the_api_sets_and_checks_a_blogs_language(api: httpx.AsyncClient) -> None:
    made = await api.post(
        "/api/v1/blogs", json={"slug": "sturm", "title": "Sturm", "language": "de"}
    )
    assert (made.status_code, made.json()["language"]) == (201, "de")
    plain = await api.post("/api/v1/blogs", json={"slug": "storm", "title": "Storm"})
    assert plain.json()["language"] == "en"
    wrong = await api.post("/api/v1/blogs", json={"slug": "x", "title": "X", "language": "fr"})
    assert wrong.status_code == 422
    assert "language" in wrong.text


async def test_export_and_import_keep_the_language_and_older_files_read_as_english(
    db: Database, settings: Settings, editor: User
) -> None:
    await _blog(db, editor, "sturmflut", "de")
    document = await archive.export_blog(db, settings, "sturmflut")
    assert document["blog"]["language"] == "de"
    copy = await archive.import_blog(db, settings, archive.serialise(document), slug="kopie")
    assert copy.blog.language == "de"
    del document["blog"]["language"]  # a file written before blogs had a language
    older = await archive.import_blog(db, settings, archive.serialise(document), slug="alt")
    assert older.blog.language == "en"


async def test_a_german_blogs_static_export_reads_german_throughout(
    db: Database, settings: Settings, editor: User, tmp_path: Path
) -> None:
    """The archive of a German blog speaks German: its own words, not only the shared
    partials (it said lang="en" and "Coverage ended" around German updates)."""
    blog = await _blog(db, editor, "sturmflut", "de")
    await post(db, blog, editor, "Die Deiche halten.")
    await service.end_coverage(db, blog.slug, editor)
    with i18n.using("en"):  # whoever runs the export: the blog's language wins
        await export_static(db, settings, blog.slug, tmp_path / "site")
    html = (tmp_path / "site" / "index.html").read_text()
    assert parse_html(html).css_first("html").attributes["lang"] == "de"
    assert "Die Deiche halten." in html
    assert english_left(html) == []
