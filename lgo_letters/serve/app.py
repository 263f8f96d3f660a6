"""The web application of `serve`: Starlette routes over the letter site (and the desk).

Routes (nothing else is served, so no path can reach a file on disk):
  /                 the year's councils (with --review: the review desk's index)
  /<slug>           the council's letter, as HTML, with the live-reload script added
  /<slug>.pdf       the council's letter, rendered as PDF on request
  /_livereload      server-sent events telling open pages to reload
and with --review the desk's pages and forms (lgo_letters.serve.desk_routes).

Pages are made by plain functions run on Starlette's thread pool (preparing a year and
rendering a letter take CPU, not I/O); only the event stream is a coroutine.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from lgo_letters.schema.slugs import is_slug
from lgo_letters.serve.livereload import (
    DIGEST_HEADER,
    ENDPOINT,
    ReloadSignal,
    page_digest,
    with_reload_script,
)
from lgo_letters.serve.pages import internal_error_page
from lgo_letters.serve.site import HTML, LetterSite, Page

log = logging.getLogger(__name__)

# An open page's event stream sends a comment this often, which also notices closed tabs.
KEEPALIVE_SECONDS = 10.0
_GENERATION = re.compile(r"[0-9]{1,18}")


def respond(page: Page, signal: ReloadSignal, generation: int) -> Response:
    """The page as an HTTP response; an HTML page gets the reload script and its digest."""
    headers = {"Cache-Control": "no-store"}
    body = page.body
    if page.content_type == HTML:
        html = body.decode("utf-8")
        headers[DIGEST_HEADER] = page_digest(html)
        body = with_reload_script(html, signal.run, generation).encode("utf-8")
    return Response(body, page.status, headers, media_type=page.content_type)


def page_route(
    path: str, make: Callable[[Request], Page], signal: ReloadSignal, name: str
) -> Route:
    """A GET (and HEAD) route whose page is made by `make`; whatever goes wrong in it is a
    500 page naming the error (and a traceback in the terminal), never the server's end."""

    def endpoint(request: Request) -> Response:
        generation = signal.generation  # before making the page: a change after it reloads
        try:
            page = make(request)
        except Exception as error:  # the server must outlive any one page
            log.exception("serve: %s failed", request.url.path)
            message = f"{type(error).__name__}: {error}"
            page = Page(500, HTML, internal_error_page(message).encode("utf-8"))
        return respond(page, signal, generation)

    return Route(path, endpoint, methods=["GET"], name=name)


def reload_route(signal: ReloadSignal) -> Route:
    async def events(request: Request) -> Response:
        # As sent, without the charset Starlette would add to a text/ type.
        headers = {"Cache-Control": "no-store", "Content-Type": "text/event-stream"}
        if request.method == "HEAD":
            return Response(b"", 200, headers)
        since_text = request.query_params.get("since", "")
        # A page from another run of the server (or a mangled address) reloads at once.
        same_run = request.query_params.get("run") == signal.run and bool(
            _GENERATION.fullmatch(since_text)
        )
        since = int(since_text) if same_run else -1
        kind = b"" if same_run else b"event: reload\n"

        async def stream() -> AsyncIterator[bytes]:
            while not signal.closed:
                generation = await signal.wait_past_async(since, KEEPALIVE_SECONDS)
                if generation is not None:
                    yield f"data: {generation}\n".encode("ascii") + kind + b"\n"
                    return
                yield b": keep-alive\n\n"

        return StreamingResponse(stream(), headers=headers)

    return Route(ENDPOINT, events, methods=["GET"], name="livereload")


def letter_routes(site: LetterSite, signal: ReloadSignal) -> list[BaseRoute]:
    """The letters themselves, and the 404 page for any other address."""

    def letter(request: Request) -> Page:
        slug = request.path_params["slug"]
        return site.letter(slug) if is_slug(slug) else site.not_found("There is no such page.")

    def pdf(request: Request) -> Page:
        slug = request.path_params["slug"]
        return site.pdf(slug) if is_slug(slug) else site.not_found("There is no such page.")

    return [
        page_route("/{slug}.pdf", pdf, signal, "pdf"),
        page_route("/{slug}", letter, signal, "letter"),
    ]


def not_found_route(site: LetterSite, signal: ReloadSignal) -> Route:
    return page_route(
        "/{anything:path}", lambda _: site.not_found("There is no such page."), signal, "other"
    )


def make_app(routes: list[BaseRoute]) -> Starlette:
    return Starlette(routes=routes)
