from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jiqun.chains"
    verbose_name = _("产业链")
