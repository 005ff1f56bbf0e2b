from django.core.management.base import BaseCommand
from tqdm import tqdm

from matching import embeddings, services
from opportunities.models import Opportunity
from people.models import ParticipantProfile


class Command(BaseCommand):
    help = (
        "Back-fill embeddings for all opportunities and participants with the configured backend. "
        "Resumable: each batch commits on its own and vectors whose text and model are unchanged are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=256)
        parser.add_argument("--force", action="store_true", help="re-embed even unchanged texts")
        parser.add_argument("--only", choices=["opportunities", "participants"])

    def handle(self, *args, batch_size, force, only, **options):
        backend = embeddings.get_backend()
        self.stdout.write(f"backend: {backend.model_name} ({backend.dimensions} dimensions)")
        jobs = [
            (
                "opportunities",
                Opportunity.objects.all(),
                lambda rows: services.opportunities_embed(opportunities=rows, force=force),
            ),
            (
                "participants",
                ParticipantProfile.objects.all(),
                lambda rows: services.participants_embed(participants=rows, force=force),
            ),
        ]
        total_embedded = 0
        for name, queryset, embed in jobs:
            if only and only != name:
                continue
            done = 0
            last_pk = 0
            with tqdm(
                total=queryset.count(), desc=name, unit="row", disable=options["verbosity"] == 0
            ) as bar:
                while True:
                    # Keyset pagination: stable and cheap however far the run has got.
                    rows = list(queryset.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
                    if not rows:
                        break
                    done += embed(rows)
                    last_pk = rows[-1].pk
                    bar.update(len(rows))
            self.stdout.write(f"{name}: {done} embedded, the rest were up to date")
            total_embedded += done
        if total_embedded:
            # New vectors change the rankings: the worker refreshes every stored list.
            from django_q.tasks import async_task

            async_task("matching.tasks.recommendations_refresh_all", group="recommendations")
            self.stdout.write("stored recommendations: a refresh of every list is queued")
