"""Security suite, the API schema (issue 13, item 10): every operation of the OpenAPI schema is run
by Schemathesis with all its checks (``--checks all``), as Ministry staff, a provincial authority
and a consortium lead, against real objects, and must answer as the schema says.

How, and why so:

- The schema comes from drf-spectacular's generator (the one ``/api/schema/`` serves), so an
  endpoint added anywhere is tested without touching this file. Requests go in-process to Django's
  WSGI handler on the test's own database connection, authenticated with a token from
  ``POST /api/v1/auth/token/`` (the public way in).
- Real objects for the path: an approved pilot (with a report, a final summary and an amendment)
  and a draft plan, both in Beijing. ``{consortium_pk}`` / ``consortia/{id}`` take either; every
  other path parameter is read from the list endpoint above it (``…/versions/{number}`` from
  ``…/versions/``); one without a list endpoint is generated (and then mostly answers 404).
- Cases are drawn once per operation (a few schema-valid ones, a couple of schema-invalid ones),
  derandomized: the same requests every run. Each valid case is replayed as each role, each
  invalid one as one role (in turn: schema-invalid input is refused before any rule is asked).
- Mutating operations run for real, each request inside a savepoint that is rolled back: every
  request meets the same data, so a run is deterministic whatever order the requests come in.
- Bounded: PDF rendering (WeasyPrint, ~0.5 s a document) is replaced by a fixed one-page PDF
  (``portal.pdf.html_to_pdf``; content type, headers and permissions are the views' own), and
  the operations are split into ``SHARDS`` tests that pytest-xdist spreads over its workers.
- A schema-valid request refused by the rules (a report that is not open, a code that names no
  program) is answered 400 with the portal's error body: ``positive_data_acceptance`` accepts 400
  besides its defaults. Everything else is Schemathesis's defaults.
"""

import contextlib
import datetime as dt
import functools
import json
import logging
import re
import time
import traceback
import zlib
from unittest import mock

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from werkzeug.test import Client

from consortia.samples import blank_pdf
from consortia.services import amendment_propose
from consortia.tests.conftest import make_ready_plan
from portal.tests.factories import UserFactory
from reporting.conftest import make_pilot
from reporting.final.services import final_start
from reporting.periods.services import report_start
from reporting.registry.services import deliverable_save
from tasks_catalog.models import Program, ReferenceTask

pytestmark = [pytest.mark.django_db, pytest.mark.schema]

ROLES = ("ministry_staff", "provincial_authority", "consortium_lead")
PASSWORD = "pass-for-tests-1"
#: The day every request is made: inside 64号's final period, the pilot's Q1 report still open.
TODAY = dt.date(2026, 12, 10)
#: Cases drawn per operation: valid by the schema, and not.
POSITIVE, NEGATIVE = 1, 1
SHARDS = 4
#: Schemathesis's own list, and 400: the rules refuse some schema-valid requests (docstring).
ACCEPTED = {"expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]}


# --- the application, in-process -------------------------------------------------------------


class InProcessApp(WSGIHandler):
    """Django's WSGI handler on the test's database connection (as Django's test client does:
    no connection closed at the start or end of a request), keeping each server error's
    traceback for the report."""

    def __init__(self):
        super().__init__()
        self.errors: list[str] = []

    def _keep(self, sender, request=None, **kwargs):
        self.errors.append(traceback.format_exc())

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        got_request_exception.connect(self._keep)
        try:
            return super().__call__(environ, start_response)
        finally:
            got_request_exception.disconnect(self._keep)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def token_for(app, user) -> str:
    """A token through the token endpoint; a role that needs two factors gives its code."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal import otp

    data = {"username": user.username, "password": PASSWORD}
    if otp.otp_required_for(user):
        device = TOTPDevice.objects.create(user=user, name=otp.AUTHENTICATOR, confirmed=True)
        data["otp"] = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    response = Client(app).post("/api/v1/auth/token/", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["token"]


# --- the schema and its cases ------------------------------------------------------------------


@functools.cache
def schema_document() -> str:
    generator = SchemaGenerator()
    return OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)).decode()


def load_schema(app):
    config = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": ACCEPTED}})
    schema = schemathesis.openapi.from_dict(json.loads(schema_document()), config=config)
    schema.app = app  # every request, those the checks send again too, goes in-process
    return schema


def shard_of(label: str) -> int:
    return zlib.crc32(label.encode()) % SHARDS


def draw(strategy, count: int) -> list:
    """``count`` cases of ``strategy``, the same ones every run (fewer if there are no more)."""
    found = []

    @hypothesis.settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(strategy)
    def collect(case):
        found.append(case)

    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        collect()
    return found


def negatable(operation, fixed: dict) -> bool:
    """Whether anything but the fixed path parameters can be made invalid."""
    others = [p for p in operation.iter_parameters() if p.name not in fixed or p.location != "path"]
    return bool(others) or bool(list(operation.body))


def cases_for(operation, choices: list[dict]) -> list:
    fixed = [c for c in choices if c] or [{}]
    positive = st.one_of(
        [operation.as_strategy(GenerationMode.POSITIVE, path_parameters=p or None) for p in fixed]
    )
    cases = draw(positive, POSITIVE)
    # Invalid cases keep the real ids when something else can be made invalid, else the ids
    # themselves are made invalid.
    negative_fixed = fixed[0] if negatable(operation, fixed[0]) else None
    negative = operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=negative_fixed)
    return cases + draw(negative, NEGATIVE)


# --- the data ----------------------------------------------------------------------------------


def on(day: str):
    return mock.patch("django.utils.timezone.localdate", return_value=dt.date.fromisoformat(day))


def build_world() -> dict:
    ministry = UserFactory(role="ministry_staff", organisation_code="MIIT")
    beijing = UserFactory(role="provincial_authority", organisation_code="110000")
    pilot = make_pilot(beijing, ministry)
    pilot.lead.set_password(PASSWORD)
    pilot.lead.save(update_fields=["password"])
    program = Program.objects.get(code="idfa-2026")
    with on("2026-03-01"):
        draft = make_ready_plan(beijing, program, name="示例草稿联合体").consortium
    with on("2026-04-01"):
        report_start(actor=pilot.lead, consortium=pilot.consortium, period=pilot.q1)
    with on("2026-06-01"):
        amendment_propose(actor=beijing, plan=pilot.consortium.plan, reason="调整任务分工。")
    with on(TODAY.isoformat()):
        final_start(actor=pilot.lead, consortium=pilot.consortium)
    deliverable_save(
        actor=pilot.lead,
        consortium=pilot.consortium,
        kind="dataset",
        data={
            "name": "钢铁生产过程数据集",
            "period": pilot.q1,
            "tasks": list(ReferenceTask.objects.filter(program=program, number=12)),
            "industry": "steel",
            "stage": "production",
            "modality": "tabular",
            "records": 1000,
            "size_bytes": 2048,
        },
    )
    return {
        "users": {
            "ministry_staff": ministry,
            "provincial_authority": beijing,
            "consortium_lead": pilot.lead,
        },
        "consortia": [pilot.consortium.pk, draft.pk],
        "period": pilot.q1.code,
    }


def names_in(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def _items(body) -> list:
    if isinstance(body, dict):
        body = body.get("results", [])
    return body if isinstance(body, list) else []


def path_choices(schema, app, headers, world) -> dict[str, list[dict]]:
    """Path parameters of each operation: real ids (see the module's docstring)."""
    client = Client(app)
    found: dict[str, object] = {}

    def discover(path: str, name: str, known: dict):
        listing = path[: path.index("{" + name + "}")]
        key = (listing, json.dumps(known, sort_keys=True))
        if key not in found:
            found[key] = None
            if all(name in known for name in names_in(listing)):
                url = listing.format(**known)
                response = client.get(url, headers=headers)
                items = _items(response.json) if response.status_code == 200 else []
                if items and isinstance(items[0], dict):
                    field = "id" if name == "id" or name.endswith(("_pk", "_id")) else name
                    found[key] = items[0].get(field)
        return found[key]

    choices = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        names = [p.name for p in operation.path_parameters]
        variants = []
        consortia = world["consortia"] if "/consortia/{" in operation.path else [None]
        for consortium in consortia:
            params = {}
            for name in names:
                if name == "consortium_pk" or (
                    name == "id" and operation.path.startswith("/api/v1/consortia/{id}/")
                ):
                    params[name] = consortium
                elif name == "period":
                    params[name] = world["period"]
                else:
                    value = discover(operation.path, name, params)
                    if value is not None:
                        params[name] = value
            variants.append(params)
        choices[operation.label] = variants
    return choices


# --- the run -----------------------------------------------------------------------------------


@pytest.fixture
def quiet_requests():
    """Thousands of refusals are expected: keep Django's request log out of the output."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def replay(case, app, headers) -> str | None:
    """Send the case and run every check; the failure's report, or None."""
    app.errors.clear()
    savepoint = transaction.savepoint()
    try:
        case.call_and_validate(headers=headers)
    except (Exception, BaseExceptionGroup) as exc:  # the report, whatever the check raised
        return f"{exc}\n" + "".join(app.errors[-1:])
    finally:
        transaction.savepoint_rollback(savepoint)
    return None


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_operation_answers_as_the_schema_says(shard, settings, tmp_path, quiet_requests):
    settings.MEDIA_ROOT = str(tmp_path)
    app = InProcessApp()
    schema = load_schema(app)
    failures, timings = [], []
    with mock.patch("portal.pdf.html_to_pdf", return_value=blank_pdf(1)):
        world = build_world()
        with on(TODAY.isoformat()):
            tokens = {role: token_for(app, world["users"][role]) for role in ROLES}
            headers = {"Authorization": f"Token {tokens['ministry_staff']}"}
            choices = path_choices(schema, app, headers, world)
            for result in schema.get_all_operations():
                operation = result.ok()
                if shard_of(operation.label) != shard:
                    continue
                started = time.monotonic()
                for number, case in enumerate(cases_for(operation, choices[operation.label])):
                    # Valid cases as every role; invalid ones (refused before any rule is
                    # asked) as one role each, in turn.
                    positive = case.meta is None or case.meta.generation.mode.is_positive
                    for role in ROLES if positive else ROLES[number % len(ROLES) :][:1]:
                        report = replay(case, app, {"Authorization": f"Token {tokens[role]}"})
                        if report:
                            failures.append(f"{operation.label} as {role}:\n{report}")
                timings.append((time.monotonic() - started, operation.label))
    slowest = sorted(timings, reverse=True)[:5]
    print("\n".join(f"{seconds:.2f} s {label}" for seconds, label in slowest))
    assert not failures, f"{len(failures)} failures\n\n" + "\n\n".join(failures)


# --- what the probe found, one by one (fast: the schema only, or one request) -------------------


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_documents_the_portal_refusals():
    document = json.loads(schema_document())
    for label, operation in operations(document):
        responses = operation["responses"]
        assert "400" in responses, label
        if operation.get("security"):
            assert {"401", "403"} <= set(responses), label
        if "{" in label:
            assert "404" in responses, label
        for code in {"401", "403"} & set(responses):
            body = responses[code]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/Error"}, label
    error = document["components"]["schemas"]["ValidationError"]
    assert set(error["required"]) == {"detail", "code"}


def test_the_schema_no_longer_lies_where_the_probe_found_it():
    schemas = json.loads(schema_document())["components"]["schemas"]
    paths = json.loads(schema_document())["paths"]
    # A member's e-mail may be empty.
    email = schemas["Member"]["properties"]["contact_email"]
    assert {"type": "string", "maxLength": 0} in email["oneOf"]
    # The national summary has no province.
    assert schemas["Summary"]["properties"]["province"]["nullable"] is True
    # An entry without a status says "".
    status = schemas["EntryRow"]["properties"]["status"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in status["oneOf"]
    # Exactly one kind of deliverable fits an item: its kind says which.
    deliverable = schemas["Deliverable"]
    assert deliverable["discriminator"]["propertyName"] == "kind"
    assert schemas["Dataset"]["properties"]["kind"]["allOf"] == [
        {"$ref": "#/components/schemas/DatasetKindEnum"}
    ]
    assert "kind" in schemas["Dataset"]["required"]
    assert "anyOf" in schemas["DeliverableRequest"]
    # Downloads say what they are.
    csv_or_xlsx = {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    for path in ("/api/v1/exports/{id}/download/", "/api/v1/evaluations/ranking/export/"):
        assert set(paths[path]["get"]["responses"]["200"]["content"]) == csv_or_xlsx, path
    assert "application/octet-stream" not in schema_document()


def test_an_api_address_no_route_takes_answers_json(client):
    response = client.get("/api/v1/consortia/abc/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_a_page_size_that_is_not_a_whole_number_is_refused(api_client, ministry_staff):
    api_client.force_authenticate(ministry_staff)
    for value in ("true", "0", "²", "-1"):
        response = api_client.get("/api/v1/programs/", {"page_size": value})
        assert response.status_code == 400, value
        assert "page_size" in response.json()["errors"]
    assert api_client.get("/api/v1/programs/", {"page_size": "1"}).json()["results"]
    assert api_client.get("/api/v1/programs/", {"page_size": "5000"}).status_code == 200


def test_an_id_too_large_for_any_table_is_refused_not_a_server_error(api_client, ministry_staff):
    api_client.force_authenticate(ministry_staff)
    items = [{"consortium": 2**70, "period": "2026-q1"}]
    for url, body in (
        ("/api/v1/reports/remind/", {"items": items}),
        ("/api/v1/reports/bulk/", {"action": "accept", "items": items}),
    ):
        response = api_client.post(url, body, format="json")
        assert response.status_code == 400, url
        assert "items" in response.json()["errors"]
