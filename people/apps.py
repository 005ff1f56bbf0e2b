from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("人（参加者・支援員・スタッフ）")

    def ready(self) -> None:
        from people import imports  # noqa: F401  (registers the app's spreadsheet importers)
