"""Every write to consortia and plans, by concern; callers import them from here.

- ``consortia.py``: recommend a consortium, its basic information, deadline extensions;
- ``plans.py``: a plan's sections, tasks and scan, and every workflow action (submit, withdraw,
  reopen, return, reject, approve) through the transition kernel ``portal/transitions.py``;
- ``members.py``: member units;
- ``accounts.py``: the accounts an approval opens, and their invitations;
- ``amendments.py``: amendments of an approved plan (propose, edit, scan, submit, withdraw,
  return, approve) through the transition kernel.
"""

from .accounts import pilot_accounts_open
from .amendments import (
    amendment_approve,
    amendment_member_delete,
    amendment_member_save,
    amendment_pdf,
    amendment_propose,
    amendment_return,
    amendment_set_tasks,
    amendment_submit,
    amendment_update,
    amendment_upload_scan,
    amendment_url,
    amendment_withdraw,
)
from .consortia import (
    CONSORTIUM_FIELDS,
    consortium_create,
    consortium_update,
    deadline_extension_grant,
)
from .members import MEMBER_FIELDS, member_delete, member_save
from .plans import (
    PLAN_TEXT_FIELDS,
    plan_approve,
    plan_bump,
    plan_lock_for_edit,
    plan_reject,
    plan_reopen,
    plan_return,
    plan_set_tasks,
    plan_submit,
    plan_update,
    plan_upload_scan,
    plan_url,
    plan_withdraw,
)

__all__ = [
    "amendment_approve",
    "amendment_member_delete",
    "amendment_member_save",
    "amendment_pdf",
    "amendment_propose",
    "amendment_return",
    "amendment_set_tasks",
    "amendment_submit",
    "amendment_update",
    "amendment_upload_scan",
    "amendment_url",
    "amendment_withdraw",
    "CONSORTIUM_FIELDS",
    "MEMBER_FIELDS",
    "PLAN_TEXT_FIELDS",
    "consortium_create",
    "consortium_update",
    "deadline_extension_grant",
    "member_delete",
    "member_save",
    "pilot_accounts_open",
    "plan_approve",
    "plan_bump",
    "plan_lock_for_edit",
    "plan_reject",
    "plan_reopen",
    "plan_return",
    "plan_set_tasks",
    "plan_submit",
    "plan_update",
    "plan_upload_scan",
    "plan_url",
    "plan_withdraw",
]
