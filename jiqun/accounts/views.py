from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from jiqun.accounts.forms import LoginForm, TokenForm
from jiqun.accounts.services import api_token_create, security_event, user_password_set
from jiqun.audit.models import AuditAction


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        security_event(action=AuditAction.LOGIN, username=self.request.user.username, user=self.request.user,
                       ip=client_ip(self.request))
        return response

    def form_invalid(self, form):
        security_event(action=AuditAction.LOGIN_FAILED, username=form.data.get("username", "")[:150],
                       ip=client_ip(self.request))
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            security_event(action=AuditAction.LOGOUT, username=request.user.username, user=request.user,
                           ip=client_ip(request))
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"

    def form_valid(self, form):
        user_password_set(actor=self.request.user, user=self.request.user, password=form.cleaned_data["new_password1"])
        from django.contrib.auth import update_session_auth_hash

        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, _("密码已修改"))
        return redirect("home")


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = api_token_create(actor=request.user, user=request.user, name=form.cleaned_data["name"])
    tokens = request.user.api_tokens.filter(revoked=False)
    return render(request, "accounts/tokens.html", {"form": form, "tokens": tokens, "new_key": new_key})


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up (first time) or enter the TOTP code that confirms an administrator's session (等保 two factors)."""
    from base64 import b32encode

    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device, _created = TOTPDevice.objects.get_or_create(user=request.user, confirmed=False,
                                                            defaults={"name": _("验证器")})
    error = None
    if request.method == "POST":
        code = "".join(request.POST.get("code", "").split())
        allowed, _why = device.verify_is_allowed()
        if not allowed:
            error = _("验证码错误次数过多，请稍后再试")
        elif not (code.isdigit() and len(code) == device.digits and device.verify_token(code)):
            error = _("验证码“%(code)s”不正确或已过期，请输入验证器上当前显示的 %(n)d 位数字") % {
                "code": code[:12], "n": device.digits}
            security_event(action=AuditAction.LOGIN_FAILED, username=request.user.username, user=request.user,
                           ip=client_ip(request), detail=f"{request.user.username} 动态验证码错误")
        else:
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            security_event(action=AuditAction.LOGIN, username=request.user.username, user=request.user,
                           ip=client_ip(request), detail=f"{request.user.username} 动态验证码通过")
            return redirect(next_url)
    return render(request, "accounts/two_factor.html", {
        "enrolling": enrolling, "error": error, "next": next_url,
        "secret": b32encode(device.bin_key).decode() if enrolling else None,
        "config_url": device.config_url if enrolling else None,
    })
