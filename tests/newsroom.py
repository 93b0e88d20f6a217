"""A local news site for the feed tests: a real HTTP server (http.server) serving RSS feeds and real article pages.

Each route is (status, headers, body); a body may be a callable that writes itself (a huge response), and
a route may be made to fail, hang or change between polls. Every request is counted and its headers kept,
so a test can tell whether a page was fetched twice or a conditional request was sent.
"""

from __future__ import annotations

import threading
import time
from email.utils import format_datetime
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Newsroom:
    def __init__(self):
        self.routes: dict[str, tuple[int, dict, object]] = {}
        self.hits: dict[str, int] = {}
        self.requests: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        room = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                with room.lock:
                    room.hits[self.path] = room.hits.get(self.path, 0) + 1
                    room.requests.append((self.path, dict(self.headers)))
                    status, headers, body = room.routes.get(self.path, (404, {}, b"not found"))
                if callable(body):
                    try:
                        body(self)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                etag = headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                for k, v in {"Content-Length": str(len(data)), **headers}.items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def serve(self, path: str, body, status: int = 200, **headers):
        with self.lock:
            self.routes[path] = (status, headers, body)

    def feed(self, path: str, title: str, items: list[dict], etag: str | None = None):
        """An RSS 2.0 feed of `items` ({title, link, description, date: 'YYYY-MM-DD'}) at `path`."""
        rows = []
        for item in items:
            when = datetime.fromisoformat(item.get("date", "2026-01-05")).replace(hour=9, tzinfo=timezone.utc)
            rows.append(
                f"<item><title>{item['title']}</title><link>{item.get('link', '')}</link>"
                f"<guid>{item.get('link') or item['title']}</guid><pubDate>{format_datetime(when)}</pubDate>"
                f"<description><![CDATA[{item.get('description', '')}]]></description></item>")
        xml = (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
               f"<link>{self.url}/</link><description>{title}</description>{''.join(rows)}</channel></rss>")
        headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
        if etag:
            headers["ETag"] = etag
        self.serve(path, xml, **headers)

    def huge(self, path: str, megabytes: int, declared: bool):
        """A response of `megabytes` MB, written in 1 MB pieces; with or without a Content-Length saying so."""
        def write(handler):
            handler.send_response(200)
            handler.send_header("Content-Type", "application/rss+xml")
            if declared:
                handler.send_header("Content-Length", str(megabytes * 2**20))
            handler.end_headers()
            piece = b"<item>" + b"x" * (2**20 - 6)
            for _ in range(megabytes):
                handler.wfile.write(piece)

        self.serve(path, write)

    def slow(self, path: str, seconds: float):
        def write(handler):
            time.sleep(seconds)
            handler.send_response(200)
            handler.end_headers()

        self.serve(path, write)
