"""The navigation bar, filtered by what the user's role may open."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from jiqun.accounts.models import ADMIN_ROLES, Role


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("home", _("首页")), ("programmes:list", _("培育工程"))]
    if user.role not in ADMIN_ROLES and user.role != Role.EXPERT:
        items += [
            ("clusters:list", _("集群")),
            ("enterprises:list", _("企业")),
            ("enterprises:carriers", _("创新载体")),
            ("monitoring:periods", _("统计季报")),
            ("targets:overview", _("目标与督导")),
            ("evaluation:runs", _("评价")),
            ("incidents:list", _("事故与失信")),
            ("regions:list", _("区划与园区")),
        ]
    if user.role not in ADMIN_ROLES and user.role not in (Role.EXPERT, Role.ENTERPRISE_REPORTER):
        items.insert(4, ("projects:list", _("项目")))  # after 企业 (jiqun.accounts.scoping.project_q)
        items.insert(6, ("dispatch:index", _("项目调度")))  # after 统计季报: the projects' quarterly dispatch
        items.insert(7, ("chains:list", _("产业链")))  # after 项目调度 (jiqun.accounts.scoping.chain_q)
    if user.role not in ADMIN_ROLES and user.role not in (Role.EXPERT, Role.ENTERPRISE_REPORTER):
        items.insert(1, ("dashboards:overview", _("总览")))  # right after 首页 (jiqun.dashboards.overview)
    if user.role == Role.LEADER:
        items.append(("chain_chief:home", _("我的产业链")))  # the chains a 链长 leads (jiqun.chains.chief_views)
    if user.role not in ADMIN_ROLES and user.role != Role.ENTERPRISE_REPORTER:
        items.append(("recognition:calls", _("赛马认定")))  # an expert finds its assignments there
    if user.role == Role.EXPERT:
        items.append(("evaluation:invitations", _("权重征询")))  # its AHP judgements on evaluation schemes
    if user.role == Role.AUDIT_ADMIN:
        items.append(("audit:list", _("审计日志")))
    items.append(("accounts:tokens", _("接口令牌")))
    if user.is_staff:
        items.append(("admin:index", _("系统管理")))
    path = request.path
    nav = []
    for name, label in items:
        url = reverse(name)
        active = path == url if url == "/" else path.startswith(url)
        nav.append({"url": url, "label": label, "active": active})
    # the home page links the overview only for whom the navigation offers it
    return {"nav_items": nav, "can_overview": any(n["url"] == reverse("dashboards:overview") for n in nav)}
