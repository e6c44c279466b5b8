"""Named events: an app upstream announces that something happened, apps downstream listen.

The one list of events, who announces them and who listens (read this table, not the code, to
learn what a change sets off; a listener registers in its ``AppConfig.ready``):

=================== ================================================= ==========================
event               announced by                                      listened to by
=================== ================================================= ==========================
``FIGURES_CHANGED`` every transition of a plan or a report (their     ``reporting`` roll-ups:
                    workflow tables list it in ``announces``, the     ``rollup_apply``, the
                    kernel ``portal/transitions.py`` announces it);   consortium's rows and its
                    ``consortium.create``, ``consortium.update`` (its  groups', once per
                    entity type) and ``plan.tasks``                   transaction, when it
                    (``consortia/services``); ``report.create``,      commits
                    ``deliverable.save`` / ``deliverable.delete``     (``consortium.update``: a
                    (``reporting``)                                   run of the program)
``CALENDAR_CHANGED`` a program's calendar entry created, changed or   ``reporting`` periods: the
                    deleted (``calendar.*``, ``tasks_catalog``        period follows its entry
                    ``calendar_entry_save`` / ``_delete``)            (``reporting/periods/
                                                                      calendar.py``)
=================== ================================================= ==========================

Listeners are called inside the announcing transaction, right after its audit entry, with the
audit action (``plan.submit``), the object changed and the acting user; work outside the database
belongs in ``transaction.on_commit``.
"""

from collections.abc import Callable

from django.db import models

# A consortium's figures (plans, selected tasks, reports, deliverables) changed.
FIGURES_CHANGED = "figures_changed"
# A program's calendar entry changed (its dates, its kind) or went.
CALENDAR_CHANGED = "calendar_changed"

EVENTS = frozenset({FIGURES_CHANGED, CALENDAR_CHANGED})

Listener = Callable[..., None]  # listener(*, action: str, target: models.Model, actor)
_listeners: dict[str, list[Listener]] = {}


def listen(event: str, listener: Listener) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}: list it in portal/events.py")
    listeners = _listeners.setdefault(event, [])
    if listener not in listeners:
        listeners.append(listener)


def announce(event: str, *, action: str, target: models.Model, actor=None) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}: list it in portal/events.py")
    for listener in _listeners.get(event, []):
        listener(action=action, target=target, actor=actor)
