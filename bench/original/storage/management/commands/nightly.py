"""The workload's nightly job (WORKLOAD.md) as the original would write it with the ORM: as of a day,
record a reminder for every active licence ending exactly 60, 30 or 7 days later (never twice for
the same licence and kind), then suspend every active licence whose end date has passed. Prints
what it did as JSON, and the process's peak RSS."""
import json
import resource
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction

from storage.models import Licence, Reminder

REMINDER_DAYS = (60, 30, 7)


class Command(BaseCommand):
    help = "Run the nightly lifecycle job as of a day"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True)

    def handle(self, *args, **options):
        as_of = date.fromisoformat(options["as_of"])
        with transaction.atomic():
            due = [
                (licence_id, str(days))
                for days in REMINDER_DAYS
                for licence_id in Licence.objects.filter(
                    status="active", end_date=as_of + timedelta(days=days)
                ).values_list("id", flat=True)
            ]
            already = set(
                Reminder.objects.filter(licence_id__in=[licence_id for licence_id, _ in due]).values_list(
                    "licence_id", "kind"
                )
            )
            new = [
                Reminder(licence_id=licence_id, kind=kind, recorded_on=as_of)
                for licence_id, kind in due
                if (licence_id, kind) not in already
            ]
            Reminder.objects.bulk_create(new)
            suspended = Licence.objects.filter(status="active", end_date__lt=as_of).update(status="suspended")
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.stdout.write(json.dumps({"reminders": len(new), "suspended": suspended, "maxRssKiB": peak_kib}))
