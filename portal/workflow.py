"""The shape every workflow table shares: rows of (state, action) -> (new state, who may).

Each stateful model keeps its own table next to its ``TextChoices`` (``consortia/workflows.py``,
``reporting/workflows.py``); this module only looks rows up.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    actor: str  # who may take it, a key the app's permission helper understands


class Workflow:
    def __init__(self, transitions: list[Transition]):
        self.transitions = list(transitions)
        self._table = {(t.source, t.action): t for t in self.transitions}

    def transition_for(self, state: str, action: str) -> Transition | None:
        """The row for this action from this state; None when the table has none (out of order)."""
        return self._table.get((state, action))

    def actions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == state]
