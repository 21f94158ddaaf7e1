from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from jiqun.accounts import views as account_views
from jiqun.api.docs import api_docs
from jiqun.api.views import api
from jiqun.core import views as core_views

admin.site.site_header = "集群培育平台 · 系统管理"
admin.site.site_title = "jiqun"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", account_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/", include("jiqun.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("programmes/", include("jiqun.programmes.urls")),
    path("clusters/", include("jiqun.clusters.urls")),
    path("enterprises/", include("jiqun.enterprises.urls")),
    path("regions/", include("jiqun.regions.urls")),
    path("monitoring/", include("jiqun.monitoring.urls")),
    path("targets/", include("jiqun.targets.urls")),
    path("evaluation/", include("jiqun.evaluation.urls")),
    path("recognition/", include("jiqun.recognition.urls")),
    path("incidents/", include("jiqun.incidents.urls")),
    path("audit/", include("jiqun.audit.urls")),
    path("chains/prospects/", include("jiqun.chains.urls_prospects")),
    path("chains/chief/", include("jiqun.chains.urls_chief")),
    path("projects/dispatch/", include("jiqun.projects.urls_dispatch")),
    path("chains/excel/", include("jiqun.chains.urls_excel")),
    path("projects/", include("jiqun.projects.urls")),
    path("chains/", include("jiqun.chains.urls")),  # after chains/prospects/, chains/excel/, chains/chief/
    path("dashboards/", include("jiqun.dashboards.urls")),
    path("reports/", include("jiqun.reports.urls")),
    path("tasks/", include("jiqun.core.urls_tasks")),
    path("admin/", admin.site.urls),
    path("api/v1/docs", api_docs, name="api_docs"),
    path("api/v1/", api.urls),
]

# The platform's own error pages (jiqun/templates/400.html …), JSON under /api/.
handler400 = "jiqun.core.errors.bad_request"
handler403 = "jiqun.core.errors.permission_denied"
handler404 = "jiqun.core.errors.page_not_found"
handler500 = "jiqun.core.errors.server_error"
