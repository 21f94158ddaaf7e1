import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiqun.config.settings")
django_application = get_wsgi_application()

from jiqun.dashboards.page_cache import WholePages  # noqa: E402 - after Django is set up

# Repeated views of the pages kept whole per session are answered before Django's request handling.
application = WholePages(django_application)
