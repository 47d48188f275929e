"""What the API's blueprints share about HTTP: the bounded JSON body, a stored file."""

from __future__ import annotations

import io

from flask import Response, request, send_file


def json_body(max_bytes: int) -> object:
    """The request's JSON body (read by the bounded reader), at most ``max_bytes`` (413)."""
    request.max_content_length = max_bytes
    return request.get_json()


def stored_file(
    data: bytes, content_type: str, sha256: str, download_name: str | None = None
) -> Response:
    """A file kept in the database, for the signed-in person who may see it: images open
    in the tab, anything else downloads (a sandboxed page may not run the browser's PDF
    viewer); never sniffed, never cached, sandboxed."""
    resp = send_file(  # an RFC 5987 filename for Chinese names
        io.BytesIO(data),
        mimetype=content_type,
        as_attachment=not content_type.startswith("image/"),
        download_name=download_name,
        etag=sha256,
        max_age=0,
    )
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
