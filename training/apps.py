from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("出席・訓練日・指導料")

    def ready(self) -> None:
        from training import imports  # noqa: F401  (registers the app's spreadsheet importers)
