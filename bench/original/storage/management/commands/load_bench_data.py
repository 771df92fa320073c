"""Loads reference-dataset.sql (the workload's deterministic data set, in one transaction) and gives
bench01 the password the benchmark signs in with (BENCH_PASSWORD), hashed as Django does."""
import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction


class Command(BaseCommand):
    help = "Load the benchmark's reference data set"

    def handle(self, *args, **options):
        sql = (Path(__file__).resolve().parents[3] / "reference-dataset.sql").read_text()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
            user = get_user_model().objects.get(username="bench01")
            user.set_password(os.environ["BENCH_PASSWORD"])
            user.save(update_fields=["password"])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write("loaded")
