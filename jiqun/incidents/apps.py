from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "jiqun.incidents"
    label = "incidents"
    verbose_name = "事故与失信登记"
