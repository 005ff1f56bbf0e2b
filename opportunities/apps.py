from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = _("協力機関と活動")

    def ready(self) -> None:
        from opportunities import imports  # noqa: F401  (registers the app's spreadsheet importers)
