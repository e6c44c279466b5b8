"""The registry tests' pilots and periods, for test modules that do not define their own."""

from consortia.tests.conftest import before_deadline  # noqa: F401
from reporting.registry.tests.test_deliverables import beijing, program, q1  # noqa: F401
from reporting.registry.tests.test_key_industry_models import mdr_pilot, period  # noqa: F401
