"""In a real browser: every demo login reaches its home page; the language switch; the catalog."""

import pytest

from portal.demo import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _seeded(reference_data):
    """The reference data again after an earlier transactional test's flush. (Not
    ``serialized_rollback``: restoring its snapshot collides with the role groups that the flush's
    post-migrate signal has already recreated.)"""


HOME_TITLE = {
    "ministry_admin": ("工业和信息化部首页", "Ministry home"),
    "ministry_staff": ("工业和信息化部首页", "Ministry home"),
    "provincial_authority": ("地方主管部门首页", "Provincial authority home"),
    "consortium_lead": ("联合体首页", "Consortium home"),
    "consortium_member": ("联合体首页", "Consortium home"),
    "security_admin": ("安全管理员首页", "Security administrator home"),
    "audit_admin": ("审计管理员首页", "Audit administrator home"),
}


def login(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")


def test_every_demo_login_reaches_its_home_page_in_both_languages(page):
    ensure_demo_users()
    for username, role, *_ in DEMO_USERS:
        login(page, username)
        title = page.locator("[data-testid=home-title]")
        zh, en = HOME_TITLE[role]
        assert zh in title.inner_text(), username
        page.click("[data-testid=lang-en]")
        assert en in page.locator("[data-testid=home-title]").inner_text(), username
        assert page.locator("html").get_attribute("lang") == "en"
        page.click("[data-testid=lang-zh-hans]")
        assert zh in page.locator("[data-testid=home-title]").inner_text(), username
        page.click("[data-testid=logout]")
        assert "/accounts/login/" in page.url


def test_province_user_is_refused_the_ministry_home_with_a_reason(page):
    ensure_demo_users()
    login(page, "beijing")
    response = page.goto("/home/ministry/")
    assert response.status == 403
    assert "此页面属于其他角色。" in page.locator("[data-testid=denied-reason]").inner_text()


def test_catalog_in_the_browser(page):
    ensure_demo_users()
    login(page, "member")
    page.click("text=专项行动与任务")
    page.click("text=工业数据筑基行动——面向人工智能赋能的高质量行业数据集建设先行先试")
    assert page.locator("[data-testid=task-table] tr[data-task]").count() == 23
    assert page.locator("[data-testid=task-table] .badge-mandatory").count() == 11
    assert "共7个任务大类、23项任务，其中必选11项。" in page.inner_text(
        "[data-testid=task-summary]"
    )
    page.click("[data-testid=lang-en]")
    assert "23 tasks in 7 categories; 11 are mandatory." in page.inner_text(
        "[data-testid=task-summary]"
    )
