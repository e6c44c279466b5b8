"""Background jobs: dispatching a Celery task once the surrounding transaction has committed."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def dispatch_on_commit(task, *args) -> None:
    """``task.delay(*args)`` when the transaction commits (at once outside one).

    A broker outage (or, with eager Celery, a failing task) is logged, never raised: the user's
    action has committed already, and every job here is picked up again when it goes stale.
    """

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:
            logger.exception("%s%r could not be dispatched", task.name, args)

    transaction.on_commit(send)
