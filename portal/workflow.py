"""The shape every workflow table shares: rows of (state, action) -> (new state, who may).

Each stateful model keeps its own table next to its ``TextChoices`` (``consortia/workflows.py``,
``reporting/workflows.py``), together with what the transition kernel (``portal/transitions.py``)
needs to take a row: the model, the audit prefix, the permission helper that understands the
table's ``actor`` keys, the message for a stale revision and the events a transition announces.
The model and the permission helper are dotted paths, so that the table imports neither (both
import the table).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    actor: str  # who may take it, a key the app's permission helper understands


class Workflow:
    def __init__(
        self,
        transitions: list[Transition],
        *,
        model: str = "",
        prefix: str = "",
        permission: str = "",
        lock_related: Sequence[str] = (),
        save_fields: Sequence[str] | None = None,
        stale_message: str = "",
        announces: Sequence[str] = (),
    ):
        self.transitions = list(transitions)
        self._table = {(t.source, t.action): t for t in self.transitions}
        self.model_label = model  # "app_label.Model"
        self.prefix = prefix  # audit actions are "<prefix>.<action>"
        self.permission_path = permission  # can_<action>(user, obj, action) -> Decision
        # select_related when locking the row (read with it, not locked: transitions.lock)
        self.lock_related = tuple(lock_related)
        self.save_fields = list(save_fields) if save_fields is not None else None
        self.stale_message = stale_message  # lazy text of ValidationError(code="stale")
        self.announces = tuple(announces)  # portal.events announced after every transition

    def transition_for(self, state: str, action: str) -> Transition | None:
        """The row for this action from this state; None when the table has none (out of order)."""
        return self._table.get((state, action))

    def actions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == state]

    @cached_property
    def model(self):
        return apps.get_model(self.model_label)

    @cached_property
    def permission(self) -> Callable:
        return import_string(self.permission_path)
