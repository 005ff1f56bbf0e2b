from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("人（参加者・支援員・スタッフ）")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from people import imports  # noqa: F401  (registers the app's spreadsheet importers)
        from people.middleware import forget_language_choice_at_login

        user_logged_in.connect(forget_language_choice_at_login, dispatch_uid="people.language")
