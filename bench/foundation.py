"""Foundation benchmark: home pages, the catalog page and the catalog API, in-process.

    .venv/bin/python bench/foundation.py [--repeat 200]

Each page is timed through Django's test client (no network), with its query count, so a
regression in either shows up. The floor is Django's own cost for a trivial view (/healthz).
"""

import argparse

from common import (
    add_smoke_argument,
    count_queries,
    force_login,
    report,
    setup_django,
    timed,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    add_smoke_argument(parser)
    args = parser.parse_args()
    warmup = 3
    if args.smoke:
        args.repeat, warmup = 1, 0
    setup_django()

    from django.test import Client

    from portal.demo import ensure_demo_users

    users = ensure_demo_users()
    cases = [
        ("floor: /healthz (no login)", None, "/healthz"),
        ("ministry home", "ministry", "/home/ministry/"),
        ("province home", "beijing", "/home/province/"),
        ("consortium home", "lead", "/home/consortium/"),
        ("catalog page (23 tasks)", "member", "/catalog/idfa-2026/"),
        ("API: reference tasks (23)", "member", "/api/v1/reference-tasks/?program=idfa-2026"),
        ("API: programs", "member", "/api/v1/programs/"),
    ]
    rows = []
    for name, username, url in cases:
        client = Client()
        if username:
            force_login(client, users[username])

        def get(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        result = timed(get, repeat=args.repeat, warmup=warmup)
        result["queries"] = count_queries(get)
        rows.append((name, result))
    report("Foundation pages, in-process (Django test client)", rows)


if __name__ == "__main__":
    main()
