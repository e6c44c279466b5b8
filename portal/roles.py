"""Roles: what each one is, which organisation it belongs to, and its Django group.

The user's ``role`` field is the source of truth; each role has a group of the same name
that carries its model-level permissions (used by the admin). ``sync_role_groups`` keeps
groups and their permissions in step and runs after every ``migrate``.
"""

from django.contrib.auth.models import Group, Permission

from .models import Organisation, User

Role = User.Role

ROLE_ORGANISATION_KIND: dict[str, str] = {
    Role.MINISTRY_ADMIN: Organisation.Kind.MINISTRY,
    Role.MINISTRY_STAFF: Organisation.Kind.MINISTRY,
    Role.PROVINCIAL_AUTHORITY: Organisation.Kind.PROVINCIAL_AUTHORITY,
    Role.CONSORTIUM_LEAD: Organisation.Kind.UNIT,
    Role.CONSORTIUM_MEMBER: Organisation.Kind.UNIT,
    Role.SECURITY_ADMIN: Organisation.Kind.MINISTRY,
    Role.AUDIT_ADMIN: Organisation.Kind.MINISTRY,
}

# Each role's home area; the home page of an area is refused to every other role.
HOME_AREA: dict[str, str] = {
    Role.MINISTRY_ADMIN: "ministry",
    Role.MINISTRY_STAFF: "ministry",
    Role.PROVINCIAL_AUTHORITY: "province",
    Role.CONSORTIUM_LEAD: "consortium",
    Role.CONSORTIUM_MEMBER: "consortium",
    Role.SECURITY_ADMIN: "security",
    Role.AUDIT_ADMIN: "audit",
}

MINISTRY_ROLES = frozenset({Role.MINISTRY_ADMIN, Role.MINISTRY_STAFF})
# The security and audit administrators of 三员分立: the admin site and their own tools only,
# never the business pages (plans, reports, dashboards).
NON_BUSINESS_ROLES = frozenset({Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# The three administrators reach the admin site, each with their own share of it.
ADMINISTRATOR_ROLES = frozenset({Role.MINISTRY_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# Model permissions per role, as "app_label.codename". Only the Ministry administrator
# changes reference data, and only through the admin.
#
# 三员分立 (separation of the three administrators), as the admin site applies it:
# - the Ministry administrator is the system administrator: users (creates them, edits their
#   details and organisation, activates and deactivates them, sets their password), organisations,
#   programs and reference data, reporting periods, reminder schedules; never a role, never the
#   audit log, never another administrator's account (portal/admin.py UserAdmin);
# - the security administrator sets and changes roles (nothing else of a user's record), revokes
#   API tokens, resets second-factor devices (/security/two-factor/) and unlocks accounts;
# - the audit administrator reads the audit log and nothing else.
_REFERENCE_MODELS = {
    "tasks_catalog": [
        "program",
        "entitytype",
        "calendarentry",
        "taskcategory",
        "referencetask",
        "referenceterm",
    ],
    "portal": ["organisation"],
}
_DJANGO_CELERY_BEAT = ["periodictask", "crontabschedule", "intervalschedule", "clockedschedule"]


def _admin_permissions() -> list[str]:
    perms = []
    for app, models in _REFERENCE_MODELS.items():
        for model in models:
            perms += [f"{app}.{verb}_{model}" for verb in ("view", "add", "change", "delete")]
    perms += [
        f"django_celery_beat.{v}_{m}"
        for m in _DJANGO_CELERY_BEAT
        for v in ("view", "add", "change")
    ]
    # The audit log is the audit administrator's, not the system administrator's (三员分立).
    perms += ["portal.view_user", "portal.add_user", "portal.change_user"]
    perms += [
        f"consortia.view_{m}" for m in ("consortium", "plan", "planversion", "deadlineextension")
    ]
    # Reporting periods follow the calendar; the administrator sets when entry opens and locks.
    perms += ["reporting.view_reportingperiod", "reporting.change_reportingperiod"]
    # Which deliverable kinds a program records (an inline of the program's page).
    perms += [
        f"reporting.{verb}_programdeliverablekind" for verb in ("view", "add", "change", "delete")
    ]
    # The program's evaluation scorecard and grade bands (inlines of the program's page).
    perms += [
        f"reporting.{verb}_{model}"
        for model in ("evaluationcriterion", "gradeband")
        for verb in ("view", "add", "change", "delete")
    ]
    return perms


ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.MINISTRY_ADMIN: _admin_permissions(),
    Role.MINISTRY_STAFF: [],
    Role.PROVINCIAL_AUTHORITY: [],
    Role.CONSORTIUM_LEAD: [],
    Role.CONSORTIUM_MEMBER: [],
    # Lockouts (django-axes) and API tokens: seen and cleared by the security administrator; the
    # role of a user, and nothing else of it (portal/admin.py UserAdmin).
    Role.SECURITY_ADMIN: [
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
        "portal.view_apitoken",
        "portal.change_apitoken",
        "portal.view_user",
        "portal.change_user",
    ],
    Role.AUDIT_ADMIN: ["portal.view_auditentry"],
}


def sync_role_groups(**_kwargs) -> None:
    """Create one group per role and give it exactly its permissions. Idempotent."""
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
