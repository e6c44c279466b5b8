"""Action registries: the one place that says, for each workflow action, which service takes it
and what it needs from the user. The page view and the API view of a workflow both look actions
up here (``consortia/actions.py``, the reporting app's ``actions.py``), so an action exists in
both interfaces or in neither, with the same inputs.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Action:
    name: str  # the workflow table's action key
    service: Callable[..., Any]  # service(actor=…, <target>=…, **inputs)
    inputs: tuple[str, ...] = ()  # keys of the form's cleaned data / the serializer's data
    form: type | None = None  # the page's form of the inputs (None: a confirmation only)
    serializer: type | None = None  # the API's body (None: no body)
    response: type | None = None  # the API's answer, when not the registry's default
    summary: str = ""  # the API docs' summary
    description: str = ""
    # What the page says when it is done (``result`` is what the service returned).
    done: Callable[[Any], str] | None = None

    def __post_init__(self):
        object.__setattr__(self, "name", str(self.name))  # a plain key, not the enum member


class ActionRegistry:
    def __init__(self, *, target: str, response: type, actions: list[Action]):
        self.target = target  # the services' keyword for the object: "plan", "report"
        self.response = response  # the API's default answer: the object's new state
        self._actions = {a.name: a for a in actions}

    def __iter__(self) -> Iterator[Action]:
        return iter(self._actions.values())

    def get(self, name: str) -> Action | None:
        return self._actions.get(name)

    def take(self, name: str, *, actor, obj, data: dict | None = None) -> Any:
        """Take action ``name`` on ``obj`` with the validated ``data`` of its form or serializer
        (an input left out takes the service's default)."""
        action = self._actions[name]
        data = data or {}
        inputs = {key: data[key] for key in action.inputs if key in data}
        return action.service(actor=actor, **{self.target: obj}, **inputs)

    def done_message(self, name: str, result: Any, label: str) -> str:
        action = self._actions[name]
        if action.done is not None:
            return action.done(result)
        return _("Done: %(action)s.") % {"action": label}
