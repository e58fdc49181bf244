"""What the two offline phone apps (check-in, lead capture) share on the server side: one
service worker (sw.js here) served under each app's path with the app's cache name, the web app
manifest, and the QR decoder.

The QR decoder for browsers without BarcodeDetector: jsQR, the npm package pinned in
package-lock.json (`npm ci`, which `make install` runs), served by the app from node_modules at
/onsite/vendor/jsQR.js. Without npm the file is missing: the pages leave its script out and the
camera button shows only where the browser has BarcodeDetector; typed codes always work.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Response, abort, g, jsonify, url_for

from app.onsite.routes import bp

HERE = Path(__file__).resolve().parent
JSQR = Path(__file__).resolve().parents[2] / "node_modules" / "jsqr" / "dist" / "jsQR.js"


def qr_decoder_url() -> str | None:
    """The address of jsQR's script, or None when npm did not install it."""
    return url_for("onsite.qr_decoder") if JSQR.is_file() else None


@bp.app_context_processor
def _offline_helpers():
    return {"qr_decoder_url": qr_decoder_url}


@bp.route("/onsite/vendor/jsQR.js", endpoint="qr_decoder")
def qr_decoder():
    """Anyone (a static file): jsQR's browser build (Apache-2.0, its licence in
    node_modules/jsqr/LICENSE), 404 when npm did not install it."""
    if not JSQR.is_file():
        abort(404)
    response = Response(JSQR.read_bytes(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def worker_response(cache: str) -> Response:
    """The service worker for an app whose page caches its files in `cache` (the same name as
    the page's script gives ocopfairOffline), to be served under the app's path for its scope."""
    text = (HERE / "sw.js").read_text(encoding="utf-8").replace("__CACHE__", json.dumps(cache))
    response = Response(text, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


def manifest_response(name: str, short_name: str, start_url: str) -> Response:
    """The web app manifest that makes an app installable (its scope is its start page's path)."""
    manifest = {
        "name": name,
        "short_name": short_name,
        "start_url": start_url,
        "scope": start_url,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1b5e20",
        "lang": g.get("locale") or "vi",
        "icons": [
            {
                "src": url_for("static", filename=f"img/checkin-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in (192, 512)
        ],
    }
    response = jsonify(manifest)
    response.mimetype = "application/manifest+json"
    return response
