from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("出席・訓練日・指導料")

    def ready(self) -> None:
        # Registers the app's spreadsheet importers (the ledger's has a module of its own).
        from training import imports, ledger_imports  # noqa: F401
