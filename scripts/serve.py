#!/usr/bin/env python3
"""Serves www/ on a loopback address with the page's security headers.

    python3 scripts/serve.py [--port 8000] [--root www]

--port 0 picks a free port. The first line printed is always `serving http://127.0.0.1:PORT/`
(the page tests read the port from it). Only loopback addresses are accepted: this is a
development and test server, not something to put on a network.

It serves the page's files and nothing else: no directory listings (a folder without an
index.html is 404), no dotfiles or dot-folders (pkg/.build-stamp holds the build folder's
path), only the kinds of file the page is made of (SERVED below), and only to requests whose
Host header names this server by a loopback name (127.0.0.1:PORT, localhost:PORT, [::1]:PORT):
a page on another site whose name an attacker re-points at 127.0.0.1 (DNS rebinding) sends its
own name and gets 421.
"""

from __future__ import annotations

import argparse
import functools
import ipaddress
import socket
import sys
import urllib.parse
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The page's Content-Security-Policy. www/index.html repeats it in a <meta> element (less
# frame-ancestors, which browsers ignore there) as a second line of defence. 'wasm-unsafe-eval'
# lets the page compile its WebAssembly module and nothing else; no inline script or style.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "connect-src 'self'",
    "img-src 'self' data: blob:",
    "style-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    # Development server: always revalidate, so a rebuilt module is picked up on reload.
    "Cache-Control": "no-cache",
}


# The kinds of file the page is made of (its code, styles, module, vendored library, demo data,
# the sample bundle); anything else under the root is not served.
SERVED = {".html", ".js", ".mjs", ".css", ".wasm", ".json", ".csv", ".svg", ".ts", ".png", ".ico"}


def allowed_hosts(host: str, port: int) -> set[str]:
    """The Host headers a browser sends for this server: its loopback names with the port."""
    names = {"127.0.0.1", "localhost", "[::1]", f"[{host}]" if ":" in host else host}
    return {f"{name}:{port}".lower() for name in names}


class PageHandler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".css": "text/css",
        ".json": "application/json",
        ".html": "text/html; charset=utf-8",
        ".svg": "image/svg+xml",
        ".ts": "text/plain; charset=utf-8",
    }

    def send_head(self):  # noqa: ANN201 (the base class's signature)
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.allowed_hosts:  # type: ignore[attr-defined]
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "unexpected Host header")
            return None
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        parts = [p for p in path.split("/") if p]
        if any(p.startswith(".") for p in parts):
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        local = Path(self.translate_path(self.path))
        if local.is_dir():
            if not (local / "index.html").is_file():
                self.send_error(HTTPStatus.NOT_FOUND)
                return None
        elif local.suffix.lower() not in SERVED:
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return super().send_head()

    def list_directory(self, path):  # noqa: ANN001, ANN201 (the base class's signature)
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def end_headers(self) -> None:
        for name, value in HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        if not self.server.quiet:  # type: ignore[attr-defined]
            super().log_message(format, *args)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port (default 8000)")
    parser.add_argument("--root", type=Path, default=ROOT / "www", help="folder to serve (default www/)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args()

    try:
        if not ipaddress.ip_address(args.host).is_loopback:
            raise ValueError
    except ValueError:
        parser.error(f"--host must be a loopback address such as 127.0.0.1, not {args.host!r}")
    root = args.root.resolve()
    if not (root / "index.html").is_file():
        parser.error(f"{root} has no index.html")
    if not (root / "pkg").is_dir():
        print("serve: warning: no pkg/ folder yet; build the module with `make wasm`", file=sys.stderr)

    handler = functools.partial(PageHandler, directory=str(root))
    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        daemon_threads = True

    with Server((args.host, args.port), handler) as server:
        server.quiet = args.quiet  # type: ignore[attr-defined]
        host, port = server.server_address[:2]
        server.allowed_hosts = allowed_hosts(host, port)  # type: ignore[attr-defined]
        shown = f"[{host}]" if ":" in host else host
        print(f"serving http://{shown}:{port}/", flush=True)
        print("press Ctrl+C to stop", file=sys.stderr, flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
