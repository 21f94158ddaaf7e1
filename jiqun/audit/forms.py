import datetime

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiqun.audit.models import AuditAction, AuditEvent
from jiqun.core.forms import TextRuleMixin

MAX_DAYS = 3660  # ten years: far enough for any search, near enough to refuse a mistyped year


class AuditFilterForm(TextRuleMixin, forms.Form):
    """The audit administrator's search: date range, account, action, object type and free text."""

    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    user = forms.CharField(label=_("操作人账号"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("操作"), choices=[("", _("全部"))] + AuditAction.choices, required=False)
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=50)
    q = forms.CharField(label=_("对象或编号包含"), required=False, max_length=200)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期 %(end)s 早于起始日期 %(start)s") % {"end": end, "start": start})
        if start and end and (end - start).days > MAX_DAYS:
            self.add_error("date_to", _("日期范围不能超过 %(n)s 天") % {"n": MAX_DAYS})
        return data

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """Narrow the events to the valid criteria; call after `is_valid()`."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        if data.get("date_from"):
            events = events.filter(at__gte=datetime.datetime.combine(data["date_from"], datetime.time.min, zone))
        if data.get("date_to"):
            day_after = data["date_to"] + datetime.timedelta(days=1)
            events = events.filter(at__lt=datetime.datetime.combine(day_after, datetime.time.min, zone))
        if data.get("user"):
            events = events.filter(actor_name__icontains=data["user"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("object_type"):
            events = events.filter(object_type__icontains=data["object_type"])
        if data.get("q"):
            events = events.filter(Q(object_repr__icontains=data["q"]) | Q(object_id=data["q"]))
        return events
