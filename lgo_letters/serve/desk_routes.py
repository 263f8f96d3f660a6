"""The review desk's routes (`serve --review`).

Read (GET, HEAD):
  /                    every letter: state, flags, approval; filters, search, sorting
  /<slug>/review       the letter beside its review panel, with the approve and unapprove forms
  /_next?after=<slug>  to the next letter waiting for review
Write (POST only; the guard refuses anything else, and any foreign Origin or Referer):
  /<slug>/approve      approve the letter as the page showed it (the sha256 of its HTML)
  /<slug>/unapprove    withdraw its approval, with a reason
  /_reviewer           change the reviewer's name kept in the browser (a cookie)
Each write checks the form's token (the server's secret) first: without it, 403 and
nothing changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from lgo_letters.release.approval import check_person_text, check_reason
from lgo_letters.release.stages import TO_REVIEW
from lgo_letters.schema.slugs import is_slug
from lgo_letters.serve import desk_pages
from lgo_letters.serve.app import page_route
from lgo_letters.serve.guard import token_matches
from lgo_letters.serve.livereload import ReloadSignal
from lgo_letters.serve.review import SORTS, Desk
from lgo_letters.serve.site import HTML, LetterSite, Page

REVIEWER_COOKIE = "lgo_letters_reviewer"
NO_TOKEN = "Refused: the form does not carry this server's token (reload the page)."
_YEAR_SECONDS = 365 * 24 * 3600
_DONE = {
    "approved": "Approved.",
    "unchanged": "It was already approved, exactly as it is now.",
    "unapproved": "Unapproved: the reason is kept in the history.",
    "renamed": "Your name is changed.",
    "none-left": "No letter is waiting for review.",
}


def write_paths() -> list[re.Pattern[str]]:
    """The addresses that write: the guard lets only POST reach them."""
    return [
        re.compile(r"/[^/]+/approve"),
        re.compile(r"/[^/]+/unapprove"),
        re.compile("/_reviewer"),
    ]


def _reviewer(request: Request) -> str:
    """The name this browser keeps, if it is still a valid one."""
    try:
        return check_person_text(unquote(request.cookies.get(REVIEWER_COOKIE, "")))
    except ValueError:
        return ""


def _checked(what: str, check: Callable[[str], str], text: str) -> str:
    """The text `check` accepts; ValueError naming `what` ("the reason is empty")."""
    try:
        return check(text)
    except ValueError as error:
        raise ValueError(f"{what} {error}") from None


def _html(status: int, text: str) -> Response:
    return Response(text, status, {"Cache-Control": "no-store"}, media_type=HTML)


def _refused(status: int, message: str, slug: str | None = None) -> Response:
    return _html(status, desk_pages.answer_page("Not done", message, slug))


def desk_routes(desk: Desk, site: LetterSite, signal: ReloadSignal) -> list[BaseRoute]:
    def index(request: Request) -> Page:
        params = request.query_params
        current = {
            "state": params.get("state", ""),
            "type": params.get("type", ""),
            "q": params.get("q", "")[:200],
            "sort": params.get("sort", "council") if params.get("sort") in SORTS else "council",
            "order": "desc" if params.get("order") == "desc" else "asc",
        }
        view = desk.view()
        counts = desk.counts()
        rows = desk.rows(
            current["state"], current["type"], current["q"], current["sort"],
            current["order"] == "desc",
        )  # fmt: skip
        text = desk_pages.index_page(
            current,
            title=f"Review desk: annual review letters {desk.year}",
            data_dir=str(desk.year_dir),
            message=_DONE.get(params.get("done", ""), ""),
            failure=view.failure,
            counts=counts,
            total=len(view.rows),
            to_review=sum(1 for row in view.rows.values() if row.stage in TO_REVIEW),
            types=desk.types(),
            rows=rows,
            filtered=any(current[k] for k in ("state", "type", "q")),
        )
        return Page(200, HTML, text.encode("utf-8"))

    def letter(request: Request) -> Page:
        slug = request.path_params["slug"]
        review = desk.letter(slug) if is_slug(slug) else None
        if review is None:
            return site.not_found(f"There is no council record {slug}.yaml to review.")
        text = desk_pages.letter_page(
            title=f"Review: {review.row.name} ({desk.year})",
            year=desk.year,
            row=review.row,
            letter=review.letter,
            shown=review.shown_sha256,
            approvable=review.approvable,
            unapprovable=review.unapprovable,
            figures=review.figures,
            has_last_year=any(f.last_year is not None for f in review.figures),
            flags=review.flags,
            changes=review.changes,
            history=review.history,
            next_slug=review.next_slug,
            token=desk.token,
            reviewer=_reviewer(request),
            message=_DONE.get(request.query_params.get("done", ""), ""),
        )
        return Page(200, HTML, text.encode("utf-8"))

    def next_letter(request: Request) -> Response:
        after = request.query_params.get("after", "")
        slug = desk.next_to_review(after)
        target = f"/{slug}/review" if slug else "/?done=none-left"
        return RedirectResponse(target, 303, {"Cache-Control": "no-store"})

    async def form_of(request: Request) -> dict[str, str] | None:
        """The form's fields, or None when its token is not the server's."""
        form = await request.form(max_files=0, max_fields=10)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        return fields if token_matches(fields.get("token"), desk.token) else None

    def who(request: Request, fields: dict[str, str]) -> str:
        """The name typed in the form, else the one the browser keeps; ValueError if none."""
        typed = fields.get("reviewer")
        if typed is not None:
            return _checked("your name", check_person_text, typed)
        kept = _reviewer(request)
        if not kept:
            raise ValueError("your name is needed: it is recorded with the approval")
        return kept

    def remember(response: Response, name: str) -> Response:
        response.set_cookie(
            REVIEWER_COOKIE, quote(name), max_age=_YEAR_SECONDS, httponly=True, samesite="strict"
        )
        return response

    async def approve(request: Request) -> Response:
        slug = request.path_params["slug"]
        fields = await form_of(request)
        if fields is None:
            return _refused(403, NO_TOKEN)
        if not is_slug(slug):
            return _refused(404, "There is no such letter.")
        try:
            name = who(request, fields)
        except ValueError as error:
            return _refused(400, str(error), slug)
        outcome = await run_in_threadpool(desk.approve, slug, name, fields.get("shown", ""))
        if not outcome.done:
            return _refused(outcome.status, f"Not approved: {outcome.message}.", slug)
        done = "approved" if outcome.message == "approved" else "unchanged"
        target = f"/{slug}/review?done={done}"
        if fields.get("then") == "next":
            target = f"/_next?after={slug}"
        return remember(RedirectResponse(target, 303), name)

    async def unapprove(request: Request) -> Response:
        slug = request.path_params["slug"]
        fields = await form_of(request)
        if fields is None:
            return _refused(403, NO_TOKEN)
        if not is_slug(slug):
            return _refused(404, "There is no such letter.")
        try:
            name = who(request, fields)
            reason = _checked("the reason", check_reason, fields.get("reason", ""))
        except ValueError as error:
            return _refused(400, str(error), slug)
        outcome = await run_in_threadpool(desk.unapprove, slug, name, reason)
        if not outcome.done:
            return _refused(outcome.status, f"Not unapproved: {outcome.message}.", slug)
        return remember(RedirectResponse(f"/{slug}/review?done=unapproved", 303), name)

    async def rename(request: Request) -> Response:
        fields = await form_of(request)
        if fields is None:
            return _refused(403, NO_TOKEN)
        back = fields.get("back", "")
        try:
            name = _checked("your name", check_person_text, fields.get("reviewer", ""))
        except ValueError as error:
            return _refused(400, str(error), back if is_slug(back) else None)
        target = f"/{back}/review?done=renamed" if is_slug(back) else "/?done=renamed"
        return remember(RedirectResponse(target, 303), name)

    return [
        page_route("/", index, signal, "desk"),
        Route("/_next", next_letter, methods=["GET"]),
        Route("/_reviewer", rename, methods=["POST"]),
        page_route("/{slug}/review", letter, signal, "review"),
        Route("/{slug}/approve", approve, methods=["POST"]),
        Route("/{slug}/unapprove", unapprove, methods=["POST"]),
    ]
