from django.apps import AppConfig


class ClustersConfig(AppConfig):
    name = "jiqun.clusters"
    label = "clusters"
    verbose_name = "集群"
