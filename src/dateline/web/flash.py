"""Flash messages: a code in a short-lived cookie, shown once on the page the browser lands on."""

from __future__ import annotations

from starlette.requests import Request

from dateline.i18n import N_, gettext

FLASH_COOKIE = "dl_flash"
# Flash messages are codes, not text, so nobody can make the site say words of their choosing.
FLASHES = {
    "published": N_("Update published."),
    "edited": N_("Update saved."),
    "deleted": N_("Update deleted."),
    "key-on": N_("Marked as a key event."),
    "key-off": N_("No longer a key event."),
    "pin-on": N_("Update pinned to the top."),
    "pin-off": N_("Update unpinned."),
    "recap": N_("Recap saved."),
    "story-saved": N_("Story saved."),
    "ended": N_("Coverage ended. The blog is kept as it is."),
    "created": N_("Live blog created. Post the first update."),
    "logged-out": N_("You are logged out."),
    "draft-submitted": N_(
        "Draft sent to the blog's editors. It is not public until they publish it."
    ),
    "draft-published": N_("Draft published."),
    "draft-rejected": N_("Draft sent back to its author with your note."),
    "member-added": N_("Added to this live blog's team."),
    "member-removed": N_("Removed from this live blog's team."),
    "password-changed": N_("Password changed. Your other sessions are signed out."),
    "password-changed-tokens-revoked": (
        N_("Password changed. Your other sessions are signed out and your API tokens revoked.")
    ),
    "renamed": N_("Name saved. Your next updates carry it."),
    "session-revoked": N_("That session is signed out."),
    "token-revoked": N_("API token revoked."),
    "user-deactivated": N_("Account deactivated: signed out everywhere, API tokens revoked."),
    "user-reactivated": N_("Account reactivated."),
    "role-changed": N_("Role changed."),
    "invite-revoked": N_("Invitation withdrawn: its link no longer works."),
    "welcome": N_("Welcome to the newsroom. Your account is ready."),
    "comment-sent": N_("Thanks — an editor will read it."),
    "comment-reported": N_("Thank you: an editor will look at it again."),
    "comment-approved": N_("Comment approved: readers see it."),
    "comment-rejected": N_("Comment rejected: its text is gone."),
    "comment-deleted": N_("Comment deleted everywhere."),
    "comment-answered": N_("Answer published as an update."),
    "comments-on": N_("Readers can send comments again."),
    "comments-off": N_("Comments are switched off."),
    "fact-confirmed": N_("Fact confirmed."),
    "fact-corrected": N_("Fact corrected. A later reading of its update keeps your correction."),
    "fact-rejected": N_("Fact rejected: readers no longer see it."),
    "suggestion-dismissed": N_("This update is no longer suggested as a key event."),
}


# Shown where the reader acted rather than at the top of the page: a reader without
# JavaScript who sent or reported a comment lands on the comments section, far down a long
# live page, and would never see a message drawn at its head.
IN_COMMENTS = frozenset({"comment-sent", "comment-reported"})


def place(request: Request) -> str:
    """Where the page draws this request's flash: "comments" or "top"."""
    return "comments" if request.cookies.get(FLASH_COOKIE) in IN_COMMENTS else "top"


def message(request: Request) -> str | None:
    """The text of the flash this request carries, if it carries a known one."""
    text = FLASHES.get(request.cookies.get(FLASH_COOKIE, ""))
    return gettext(text) if text else None
