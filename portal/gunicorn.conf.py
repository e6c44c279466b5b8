"""Gunicorn's settings for the portal: ./dev web, the Dockerfile and docker-compose.yml all use it
(``gunicorn -c portal/gunicorn.conf.py portal.wsgi:application``).

Every response names its server ``Server: portal``: not gunicorn and not its version, which would
tell a scanner which known flaws to try. Gunicorn has no setting for the header; it writes the
module constant ``gunicorn.http.wsgi.SERVER`` (the HTTP/1 and HTTP/2 responses both read it when a
response is made), so this file, which gunicorn runs in the master before forking any worker,
replaces the constant; ``SERVER_SOFTWARE`` in the WSGI environment likewise.
"""

import os

import gunicorn
import gunicorn.arbiter
import gunicorn.http.wsgi

SERVER_NAME = "portal"
gunicorn.SERVER = gunicorn.SERVER_SOFTWARE = SERVER_NAME
gunicorn.http.wsgi.SERVER = gunicorn.http.wsgi.SERVER_SOFTWARE = SERVER_NAME
gunicorn.arbiter.SERVER_SOFTWARE = SERVER_NAME

wsgi_app = "portal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Sync workers: the pages are CPU-bound, and three processes already keep two cores busy; threads
# (gthread) added GIL contention, more CPU per request and a worse p95 in bench/load.py
# (README, "Load test"). Sync workers want a buffering proxy in front for slow clients.
worker_class = "sync"
accesslog = "-"
