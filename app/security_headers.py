"""Security headers on every response: pages, JSON, files, errors and static files.

The Content-Security-Policy lets the browser run only scripts from this site or carrying
this request's nonce, and apply only style sheets from this site or `<style>` elements
carrying the nonce: no inline event handler, `javascript:` URL or `style="..."` attribute
works, so markup an attacker slips into a page can neither run nor restyle it. Templates
give their `<script>` and `<style>` elements `nonce="{{ csp_nonce() }}"`; behaviour lives in
app/static/js/ and is wired by data-attributes (app/static/js/forms.js).

Pages cannot be framed (frame-ancestors 'none', X-Frame-Options DENY), responses are not
sniffed into another type, and links to other sites send only the origin.
Strict-Transport-Security is sent when HSTS_SECONDS is above 0 (production's default).
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g


def csp_nonce() -> str:
    """This request's nonce (made on first use), for `<script nonce=...>` and `<style nonce=...>`."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def content_security_policy(nonce: str) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        # No 'unsafe-inline': style attributes are refused too. A page's own rules (a print
        # size, a progress bar's width) sit in a <style> element carrying the nonce.
        "style-src": f"'self' 'nonce-{nonce}'",
        "img-src": "'self' data:",  # Bootstrap draws its icons (close, select arrow) as data: SVGs
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    # A view that sets its own header (a stricter policy for one file) keeps it.
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    hsts_seconds = current_app.config.get("HSTS_SECONDS") or 0
    if hsts_seconds > 0:
        headers.setdefault("Strict-Transport-Security", f"max-age={int(hsts_seconds)}")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
