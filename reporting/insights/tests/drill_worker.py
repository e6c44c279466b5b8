"""A Celery worker for the fault drills (``drills.py``): the test settings, e-mails written to
files in ``DRILL_MAIL_DIR`` (the drill counts them), and while the file ``DRILL_SLOW_FILE``
exists a roll-up or a summary PDF waits before it starts (up to a minute), so the drill can kill
the worker in the middle of them. Arguments: ``celery worker``'s."""

import os
import sys
import time

os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
settings.EMAIL_FILE_PATH = os.environ["DRILL_MAIL_DIR"]

SLOW_FILE = os.environ["DRILL_SLOW_FILE"]


def slowed(module, name: str) -> None:
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        deadline = time.monotonic() + 60
        if os.path.exists(SLOW_FILE):
            print(f"drill: {name} waits", flush=True)
        while os.path.exists(SLOW_FILE) and time.monotonic() < deadline:
            time.sleep(0.1)
        return original(*args, **kwargs)

    setattr(module, name, wrapper)


from reporting.insights import rollups, summaries  # noqa: E402

slowed(rollups, "rollup_compute")
slowed(summaries, "summary_pdf")

from portal.celery import app  # noqa: E402

app.conf.task_always_eager = False  # the test settings' default: a worker sends, as in production
app.worker_main(["worker", *sys.argv[1:]])
