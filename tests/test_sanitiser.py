"""The one sanitiser: whatever Markdown an editor types, the stored HTML is allow-listed;
and the one rule for written text: blank means nothing visible, single lines stay single."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from dateline.html import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown, sanitize
from dateline.text import is_blank, line, lines

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


# Written text: blank, single-line and body cleaning (dateline.text) -------------------------

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad \t\n\r\u00a0\u2028\u3000\u180e\u3164\u2800"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ANY_TEXT = st.text(alphabet=st.sampled_from(INVISIBLE + BIDI + "\x00\x01\x85aé ع😀")) | st.text()


@pytest.mark.parametrize(
    "written", ["", "   ", INVISIBLE, BIDI, "\u200b" * 50, "\u2060\ufeff\u00ad\n\u200d"]
)
def test_text_of_only_invisible_characters_is_blank(written: str) -> None:
    assert is_blank(written)
    assert line(written) == ""


@pytest.mark.parametrize("written", ["a", "\u200ba", "·", "😀", "ع", "\u200d😀", "-"])
def test_one_visible_character_is_enough(written: str) -> None:
    assert not is_blank(written)
    assert not is_blank(line(written))


def test_a_single_line_text_loses_line_breaks_bidi_controls_and_invisible_ends() -> None:
    assert line("\u200b Crime\nand\r\n\tJustice \u2028 now\ufeff") == "Crime and Justice now"
    assert line("Mara \u202eQuell\u202c: \u2067report\u2069") == "Mara Quell: report"
    assert line("Quoi\u00a0?") == "Quoi\u00a0?", "a no-break space on its own is the writer's"
    assert line("Flag 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f") == (
        "Flag 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    ), "tag characters end a flag emoji: they are not padding"


def test_a_body_keeps_its_lines_and_loses_bidi_and_other_controls() -> None:
    assert lines("\u200bFirst\r\nsecond\u202e\x01\n\n- item\t1\n  ") == "First\nsecond\n\n- item\t1"


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_cleaned_text_holds_no_bidi_control_or_line_break_and_cleaning_twice_changes_nothing(
    text: str,
) -> None:
    single = line(text)
    assert not set(single) & set(BIDI + "\n\r\x00\x01\x85\u2028")
    assert line(single) == single
    assert is_blank(single) == is_blank(text.translate(dict.fromkeys(map(ord, BIDI))))
    body = lines(text)
    assert not set(body) & set(BIDI + "\r\x00\x01")
    assert lines(body) == body
