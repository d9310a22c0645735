"""The one sanitiser: whatever Markdown an editor types, the stored HTML is allow-listed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from dateline.html import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown, sanitize

PIECES = st.sampled_from(
    [
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
        "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](data:text/html,<b>)",
        "<a href='javascript:x'>a</a>", "<iframe src=//evil>", '"><b onmouseover=x>',
        "**bold**", "*em*", "> quote", "- item", "1. one", "`code`", "[ok](https://example.org)",
        "<!-- c -->", "&lt;", "\n\n", "<style>*{}</style>", "<<b>>", "</p>", "<math>", "&#x6a;",
    ]
)  # fmt: skip
MARKDOWN = st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=12).map("".join)


def assert_allow_listed(html: str) -> None:
    tree = LexborHTMLParser(f"<div id=root>{html}</div>")
    for node in tree.css("#root *"):
        assert node.tag in ALLOWED_TAGS, node.tag
        allowed = ALLOWED_ATTRIBUTES.get(node.tag, set()) | ({"rel"} if node.tag == "a" else set())
        assert set(node.attributes) <= allowed, (node.tag, node.attributes)
        href = node.attributes.get("href")
        if href is not None:
            assert href.split(":", 1)[0].lower() in {"http", "https", "mailto"} or ":" not in href


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(MARKDOWN)
def test_rendered_markdown_is_always_allow_listed_and_stable(text: str) -> None:
    html = render_markdown(text)
    assert_allow_listed(html)
    assert sanitize(html) == html, "cleaning twice changes nothing: the output is well-formed"


def test_outside_links_get_safe_rel() -> None:
    html = render_markdown("[site](https://example.org/a)")
    assert html == (
        '<p><a href="https://example.org/a" rel="noopener noreferrer nofollow">site</a></p>\n'
    )


def test_raw_html_in_markdown_is_shown_as_text_not_run() -> None:
    html = render_markdown("<b onclick=x>hi</b>")
    assert html == "<p>&lt;b onclick=x&gt;hi&lt;/b&gt;</p>\n"
