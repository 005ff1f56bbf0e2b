from django.core.management.base import BaseCommand
from tqdm import tqdm

from matching import services
from people.models import ParticipantProfile


class Command(BaseCommand):
    help = (
        "Recompute every participant's stored recommendations now, in this process "
        "(the worker does the same nightly and after each change). Use it after a deployment "
        "or a bulk import when no worker is running yet."
    )

    def handle(self, *args, **options):
        people = ParticipantProfile.objects.order_by("pk")
        with tqdm(
            total=people.count(),
            desc="recommendations",
            unit="person",
            disable=options["verbosity"] == 0,
        ) as bar:
            for person in people.iterator(chunk_size=200):
                services.recommendations_refresh(participant=person)
                bar.update(1)
        self.stdout.write(f"{bar.n}人のおすすめを更新しました。")
