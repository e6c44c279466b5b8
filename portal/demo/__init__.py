"""Demo data: users for every role, plus loaders that later apps register."""

from base64 import b32decode
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import Organisation, User
from portal.roles import Role
from portal.services import user_sync_role

DEMO_PASSWORD = "demo2026"  # noqa: S105 - published for the demo; load_demo refuses production
# The demo's administrators and Ministry staff share one authenticator secret, published like
# the password (add it to an authenticator app to try two factors: OTP_REQUIRED=1).
DEMO_TOTP_SECRET = "MIITDEMOPORTALTWOFACTOR2"  # noqa: S105 - base32; never in production
DEMO_TOTP_KEY = b32decode(DEMO_TOTP_SECRET).hex()  # TOTPDevice keeps the key in hex

_loaders: list[Callable] = []


def register(loader: Callable) -> Callable:
    if loader not in _loaders:
        _loaders.append(loader)
    return loader


def demo_loaders() -> list[Callable]:
    return list(_loaders)


# Fictional units: the demo never names a real company.
DEMO_UNITS = [
    ("DEMO-UNIT-1", "华北钢铁集团有限公司（示例）", "North China Steel Group Co., Ltd. (demo)"),
    (
        "DEMO-UNIT-2",
        "京华工业数据研究院（示例）",
        "Jinghua Industrial Data Research Institute (demo)",
    ),
]

# username, role, organisation code, family name, given name, job title, e-mail
DEMO_USERS = [
    ("admin", Role.MINISTRY_ADMIN, "MIIT", "王", "立", "处长", "admin@miit.example.cn"),
    ("ministry", Role.MINISTRY_STAFF, "MIIT", "张", "明", "主任科员", "ministry@miit.example.cn"),
    ("security", Role.SECURITY_ADMIN, "MIIT", "孙", "卫", "安全管理员", "security@miit.example.cn"),
    ("auditor", Role.AUDIT_ADMIN, "MIIT", "钱", "审", "审计管理员", "auditor@miit.example.cn"),
    ("beijing", Role.PROVINCIAL_AUTHORITY, "110000", "李", "华", "处长", "beijing@bj.example.cn"),
    (
        "guangdong",
        Role.PROVINCIAL_AUTHORITY,
        "440000",
        "陈",
        "静",
        "副处长",
        "guangdong@gd.example.cn",
    ),
    ("shanghai", Role.PROVINCIAL_AUTHORITY, "310000", "周", "洁", "处长", "shanghai@sh.example.cn"),
    ("jiangsu", Role.PROVINCIAL_AUTHORITY, "320000", "吴", "刚", "处长", "jiangsu@js.example.cn"),
    ("zhejiang", Role.PROVINCIAL_AUTHORITY, "330000", "徐", "蕾", "处长", "zhejiang@zj.example.cn"),
    (
        "shandong",
        Role.PROVINCIAL_AUTHORITY,
        "370000",
        "孔",
        "亮",
        "副处长",
        "shandong@sd.example.cn",
    ),
    ("hubei", Role.PROVINCIAL_AUTHORITY, "420000", "胡", "斌", "处长", "hubei@hb.example.cn"),
    ("sichuan", Role.PROVINCIAL_AUTHORITY, "510000", "罗", "敏", "处长", "sichuan@sc.example.cn"),
    (
        "chongqing",
        Role.PROVINCIAL_AUTHORITY,
        "500000",
        "冉",
        "勇",
        "副处长",
        "chongqing@cq.example.cn",
    ),
    ("anhui", Role.PROVINCIAL_AUTHORITY, "340000", "汪", "涛", "处长", "anhui@ah.example.cn"),
    (
        "lead",
        Role.CONSORTIUM_LEAD,
        "DEMO-UNIT-1",
        "刘",
        "强",
        "数字化部总经理",
        "lead@unit.example.cn",
    ),
    (
        "member",
        Role.CONSORTIUM_MEMBER,
        "DEMO-UNIT-2",
        "赵",
        "敏",
        "研究员",
        "member@unit.example.cn",
    ),
]


@transaction.atomic
def ensure_demo_users() -> dict[str, User]:
    for code, zh, en in DEMO_UNITS:
        Organisation.objects.update_or_create(
            code=code, defaults={"kind": Organisation.Kind.UNIT, "name_zh": zh, "name_en": en}
        )
    # One hash for every demo login: hashing takes ~0.3 s each (that is its point), and the
    # password is the same public demo password anyway.
    password = make_password(DEMO_PASSWORD)
    users = {}
    for username, role, org_code, last, first, title, email in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.role = role
        user.organisation = Organisation.objects.get(code=org_code)
        user.last_name, user.first_name, user.title, user.email = last, first, title, email
        user.is_active = True
        # Set directly (no validators: the demo password is short on purpose and public) and
        # marked as the holder's own, current password: demo logins are never sent to change it.
        user.password = password
        user.password_changed_at = timezone.now()
        user.password_must_change = False
        user.full_clean()
        user.save()
        user_sync_role(user=user)
        if role in settings.OTP_REQUIRED_ROLES:
            TOTPDevice.objects.update_or_create(
                user=user,
                name="authenticator",
                defaults={"key": DEMO_TOTP_KEY, "confirmed": True},
            )
        users[username] = user
    return users
