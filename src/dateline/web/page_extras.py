"""What one feature adds to a page another feature owns, with neither importing the other.

The editor's blog page belongs to `liveblog`; `facts` marks suggested key events on it and
offers a drafted recap in its recap form. `liveblog` may not import `facts` (facts reads
blogs, and packages import each other one way only), so the app registers facts' providers
here under the page's route name, and the page asks for whatever was registered. A
provider reads what it needs and answers additions: a template to include in one of the
page's named slots, with the values it needs. Templates see `added.slot(name)`; a page that
asks for nothing gets `NOTHING` (a template global), so every slot is safe to render.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request


@dataclass(frozen=True, slots=True)
class Addition:
    """A template to include in the slot `slot`; it reads `extra.values`."""

    slot: str
    template: str
    values: Mapping[str, Any]


# Given the request and the page's own context (read-only), the additions for it.
Provider = Callable[[Request, Mapping[str, Any]], Awaitable[list[Addition]]]


@dataclass(frozen=True, slots=True)
class Added:
    """The additions of one rendered page."""

    additions: tuple[Addition, ...] = ()

    def slot(self, name: str) -> list[Addition]:
        return [addition for addition in self.additions if addition.slot == name]


NOTHING = Added()


@dataclass
class PageExtras:
    """Providers by page (route name), filled by `create_app` before the app serves."""

    providers: dict[str, list[Provider]] = field(default_factory=dict)

    def add(self, page: str, provider: Provider) -> None:
        self.providers.setdefault(page, []).append(provider)

    async def for_page(self, page: str, request: Request, context: Mapping[str, Any]) -> Added:
        found: list[Addition] = []
        for provider in self.providers.get(page, ()):
            found += await provider(request, context)
        return Added(tuple(found))
