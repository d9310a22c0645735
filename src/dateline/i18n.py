"""Languages: which one a person reads, and the words in it (gettext catalogues en and de).

Every word a person reads is an English msgid marked where it is written (`_()` and
`{% trans %}` in templates, `gettext` in Python, `N_` for text kept in a table and translated
where it is shown). The language of a request is chosen once, held in a context variable for
the rest of the request, and everything that speaks (templates, Babel dates and ages, Python
messages) reads it from there, so nothing passes a language around:

- a live blog's reader pages, feeds and embeds speak the blog's own language (`use`);
- every other page speaks the `dl_lang` cookie that the language switch sets, else the
  browser's Accept-Language, else English (`LanguageMiddleware`);
- the CLI speaks LC_ALL / LC_MESSAGES / LANG.

Catalogues live in `dateline/locale/<lang>/LC_MESSAGES/messages.po`; `make` compiles them to
`.mo` files (a fresh clone builds them), which are read once per process, lazily.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from jinja2 import Environment
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LANGUAGES = {"en": "English", "de": "Deutsch"}  # code -> its own name, for the switch
DEFAULT = "en"
COOKIE = "dl_lang"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("dateline_language", default=DEFAULT)
# Per request: whether the answer still depends on who asks (cookie, Accept-Language); `use`
# clears it. A mutable cell, so a change made deeper in the request reaches the middleware.
_by_visitor: ContextVar[list[bool] | None] = ContextVar("dateline_by_visitor", default=None)
VARY = b"Accept-Language, Cookie"
# What people read: pages and feeds. Scripts, styles, images and the live JSON say no words.
WORDED = (b"text/html", b"application/atom+xml", b"application/rss+xml", b"application/feed+json")


class CataloguesMissing(RuntimeError):
    """A language's compiled catalogue is not there: the checkout was not built."""


@cache
def catalogue(language: str) -> NullTranslations:
    """The compiled catalogue of `language`; English needs none (its msgids are the text)."""
    if language == DEFAULT:
        return NullTranslations()
    mo = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.exists():
        raise CataloguesMissing(f"{mo} is missing: run `make catalogues` (make run/test do).")
    with mo.open("rb") as file:
        return Translations(file, domain=DOMAIN)


def current() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return catalogue(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return catalogue(_current.get()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks text for the catalogue where it is defined; `gettext` translates it where shown."""
    return message


Param = str | int | float


class Phrase(str):
    """Words said now and read later, perhaps by someone in another language.

    The `str` is the English text (what logs, the API and the `last_error` column read);
    `code` names the words where they are kept (a table, another process), `params` fill the
    `%(name)s` of the msgid, and `said()` gives them in the language spoken when it is called.
    Made by a `Phrasebook`, which knows every code of its kind.
    """

    code: str
    msgid: str
    params: dict[str, Param]

    def __new__(cls, code: str, msgid: str, params: Mapping[str, Param] | None = None) -> Phrase:
        values = dict(params or {})
        phrase = super().__new__(cls, _filled(msgid, values))
        phrase.code, phrase.msgid, phrase.params = code, msgid, values
        return phrase

    def __reduce__(self) -> tuple[type[Phrase], tuple[str, str, dict[str, Param]]]:
        return (Phrase, (self.code, self.msgid, self.params))  # across fetch processes

    def said(self) -> str:
        """The words in the language being spoken (`current()`), a phrase within them too."""
        values = {k: v.said() if isinstance(v, Phrase) else v for k, v in self.params.items()}
        return _filled(gettext(self.msgid), values)

    def kept(self) -> dict[str, object]:
        """`params` as JSON keeps them, a phrase within them as its code and params."""
        return {
            name: {"code": value.code, "params": value.kept()}
            if isinstance(value, Phrase)
            else value
            for name, value in self.params.items()
        }


def _filled(text: str, params: Mapping[str, Param]) -> str:
    return text % params if params else text


class Phrasebook:
    """The phrases of one kind by code, their msgids marked with `N_` where the book is
    written: `book("timeout", seconds=5)` says one; `restore` reads a stored code back."""

    def __init__(self, **msgids: str) -> None:
        self._msgids = msgids

    def __call__(self, code: str, /, **params: Param) -> Phrase:
        return Phrase(code, self._msgids[code], params)

    def __or__(self, other: Phrasebook) -> Phrasebook:
        """Both books in one; a code in both would be read back wrong, so it is refused."""
        shared = self._msgids.keys() & other._msgids.keys()
        if shared:
            raise ValueError(f"codes in both phrasebooks: {sorted(shared)}")
        return Phrasebook(**self._msgids, **other._msgids)

    def restore(self, code: str, kept: Mapping[str, object] | None) -> Phrase | None:
        """The phrase kept as `code` and `kept` params (`Phrase.kept`); None for a code this
        book does not know (a row written before codes, or by a later version) or params
        that do not fit its msgid."""
        msgid = self._msgids.get(code)
        if msgid is None:
            return None
        params: dict[str, Param] = {}
        for name, value in (kept or {}).items():
            if isinstance(value, Mapping):
                inner = self.restore(str(value.get("code", "")), value.get("params"))
                if inner is None:
                    return None
                params[name] = inner
            elif isinstance(value, str | int | float):
                params[name] = value
            else:
                return None
        try:
            return Phrase(code, msgid, params)
        except (KeyError, TypeError, ValueError):
            return None


@contextmanager
def using(language: str) -> Iterator[None]:
    """Speak `language` inside the block (tests, the CLI, a blog's pages)."""
    token = _current.set(known(language))
    try:
        yield
    finally:
        _current.reset(token)


def use(language: str) -> None:
    """Speak `language` for the rest of this request (a live blog's own language): the
    answer no longer depends on the visitor's cookie or browser, so it needs no `Vary`."""
    _current.set(known(language))
    cell = _by_visitor.get()
    if cell is not None:
        cell[0] = False


def follows_visitor() -> bool:
    """Whether this request speaks the visitor's choice (False on a blog's own pages, whose
    language is the blog's: a language switch there would change nothing on the page)."""
    cell = _by_visitor.get()
    return cell is None or cell[0]


def known(language: str | None) -> str:
    """`language` when Dateline speaks it, else the default."""
    return language if language in LANGUAGES else DEFAULT


def from_accept_language(header: str) -> str | None:
    """The first language of an Accept-Language header that we speak, by its q-values."""
    wanted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            wanted.append((-quality, index, primary))
    return min(wanted)[2] if wanted else None


def choose(cookie: str | None, accept_language: str | None) -> str:
    """A visitor's language: the switch's cookie, else the browser's wish, else English."""
    if cookie is not None and cookie in LANGUAGES:
        return cookie
    return from_accept_language(accept_language or "") or DEFAULT


def from_environment(environ: dict[str, str] | None = None) -> str:
    """The CLI's language, as gettext reads it: LC_ALL, LC_MESSAGES, LANG ("de_DE.UTF-8")."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return known(value.split(".")[0].split("_")[0].lower())
    return DEFAULT


def translate_help(command: object, language: str) -> None:
    """Say the help texts of a command-line tree (a click command, its options, arguments and
    subcommands) in `language`, in place. Typer reads them when the commands are declared,
    before anyone knows the locale, so they are marked there with `N_` and translated here,
    once, before the command line is read. Duck-typed: pages and workers never import click."""
    with using(language):
        waiting: list[object] = [command]
        while waiting:
            found = waiting.pop()
            for holder in (found, *getattr(found, "params", ())):
                for name in ("help", "short_help"):
                    text = getattr(holder, name, None)
                    if text:
                        setattr(holder, name, gettext(text))
            waiting.extend(getattr(found, "commands", {}).values())


# Files served as they are: no words, so no language to choose and nothing to vary by.
WORDLESS = ("/static/", "/media/")


class LanguageMiddleware:
    """Chooses each request's language before anything renders (pure ASGI, no cost on
    streams). The API speaks English: its answers are for programs.

    A page or feed worded in the visitor's language says so with `Vary: Accept-Language,
    Cookie`, so no shared cache hands a German copy to an English reader; one whose route
    called `use` (a blog's own language) is the same for everyone and stays cacheable."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(WORDLESS):
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/api/"):
            with using(DEFAULT):
                await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        language = choose(_cookie(headers.get("cookie", "")), headers.get("accept-language"))
        by_visitor = [True]

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start" and by_visitor[0]:
                sent = message.get("headers", [])
                media = next((v for k, v in sent if k.lower() == b"content-type"), b"")
                # A 304 carries the Vary its 200 would have (it has no content type).
                if media.startswith(WORDED) or message["status"] == 304:
                    message["headers"] = [*sent, (b"vary", VARY)]
            await send(message)

        token = _by_visitor.set(by_visitor)
        try:
            with using(language):
                await self.app(scope, receive, send_with_vary)
        finally:
            _by_visitor.reset(token)


def _cookie(header: str) -> str | None:
    for pair in header.split(";"):
        name, _, value = pair.strip().partition("=")
        if name == COOKIE:
            return value
    return None


def install(env: Environment) -> None:
    """Templates translate with `_()`, `ngettext()` and `{% trans %}`, in the request's
    language, and know it as `language()` (for `<html lang>`)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        language=current, languages=LANGUAGES, language_follows_visitor=follows_visitor
    )
