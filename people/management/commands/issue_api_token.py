from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from people.auth import api_token_issue


class Command(BaseCommand):
    help = (
        "Print an API token for a partner staff member. Their system sends it as "
        "'Authorization: Bearer <token>'. Changing the user's password revokes it."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            token = api_token_issue(user=user)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(token)
