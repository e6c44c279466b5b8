"""The mixed load of ``bench/load.py``: five request types, equally likely, no think time.

``bench/load.py`` prepares the database and the sessions and runs this file; by hand, against a
server on that database::

    LOAD_BENCH_SESSIONS=/tmp/…/sessions.json \\
        .venv/bin/locust -f bench/locustfile.py --headless -u 20 -r 5 -t 60s --host http://127.0.0.1:8000

``LOAD_BENCH_SESSIONS`` names a JSON file: the session cookies of the Ministry user and the
provincial-authority user, and per consortium lead its cookies (session and CSRF), the CSRF
token, its report page's path and the form that page posts. Each simulated user is the lead of its own report (so its saves never
conflict with another's) and also sends the Ministry's and the province's requests with their
cookies: what is measured is the server under the mix, whoever's browser sends it.

- ministry dashboard: the national overview of the dashboards, as Ministry staff;
- province home: the provincial authority's home page (its inbox and panels);
- lead report page: the lead's progress report of the open period, editable (a large report:
  the most tasks, two evidence files each);
- lead report save: the page's autosave: the whole form, one text changed, the current revision,
  answered in JSON; a save must come back ``ok`` with the next revision, anything else fails;
- API consortia list: ``/api/v1/consortia/`` (first page), as Ministry staff.

Redirects are not followed: a redirect (to the login page, say) is a failure.
"""

import itertools
import json
import os
import re
from pathlib import Path

from locust import FastHttpUser, constant, task

SESSIONS = json.loads(Path(os.environ["LOAD_BENCH_SESSIONS"]).read_text())
LEAD_SLOTS = itertools.count()
REVISION = re.compile(r'name="revision" value="(\d+)"')
JSON = {"Accept": "application/json"}


class PortalUser(FastHttpUser):
    wait_time = constant(0)  # a closed loop: the next request as soon as one is answered

    def on_start(self):
        leads = SESSIONS["leads"]
        self.lead = leads[next(LEAD_SLOTS) % len(leads)]
        self.form = dict(self.lead["form"])
        self.saves = 0
        self.report_page()  # the lead opens the page: its current revision

    def get(self, name: str, path: str, cookie: str, headers: dict | None = None):
        with self.client.get(
            path,
            name=name,
            headers={"Cookie": cookie, **(headers or {})},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            return response

    @task
    def ministry_dashboard(self):
        paths = SESSIONS["paths"]
        self.get("ministry dashboard", paths["ministry dashboard"], SESSIONS["ministry"])

    @task
    def province_home(self):
        self.get("province home", SESSIONS["paths"]["province home"], SESSIONS["province"])

    @task
    def report_page(self):
        response = self.get("lead report page", self.lead["path"], self.lead["cookie"])
        match = REVISION.search(response.text or "") if response.status_code == 200 else None
        if match:
            self.form["revision"] = match.group(1)

    @task
    def report_save(self):
        self.saves += 1
        # One text changed, as typing does: the save really writes and moves the revision on.
        self.form["summary"] = f"{self.lead['form']['summary']}（自动保存 {self.saves}）"
        with self.client.post(
            self.lead["path"],
            name="lead report save",
            data=self.form,
            headers={
                "Cookie": self.lead["cookie"],
                "X-CSRFToken": self.lead["csrf"],
                **JSON,
            },
            allow_redirects=False,
            catch_response=True,
        ) as response:
            try:
                body = response.json()
            except Exception:  # noqa: BLE001 (anything but JSON is a failure, reported)
                body = {}
            if response.status_code != 200 or not body.get("ok"):
                response.failure(f"HTTP {response.status_code} {body.get('code', '')}".strip())
                if body.get("code") == "stale":
                    self.report_page()
                return
            self.form["revision"] = str(body["revision"])

    @task
    def api_consortia_list(self):
        self.get(
            "API consortia list",
            SESSIONS["paths"]["API consortia list"],
            SESSIONS["ministry"],
            headers=JSON,
        )
