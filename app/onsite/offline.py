"""What the two offline phone apps (check-in, lead capture) share on the server side.

The QR decoder for browsers without BarcodeDetector: jsQR, the npm package pinned in
package-lock.json (`npm ci`, which `make install` runs), served by the app from node_modules at
/onsite/vendor/jsQR.js. Without npm the file is missing: the pages leave its script out and the
camera button shows only where the browser has BarcodeDetector; typed codes always work.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, url_for

from app.onsite.routes import bp

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
