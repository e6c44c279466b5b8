"""The reporting app's admin pages (Django looks for this module), one module per sub-package."""

from reporting.evaluation import admin as evaluation_admin  # noqa: F401
from reporting.final import admin as final_admin  # noqa: F401
from reporting.periods import admin as periods_admin  # noqa: F401
from reporting.registry import admin as registry_admin  # noqa: F401
