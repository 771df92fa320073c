"""The Django-shaped schema reference-dataset.sql (../shared/bench) is written for: tables storage_*."""
from django.conf import settings
from django.db import models


class Institution(models.Model):
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)


class Product(models.Model):
    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=100)
    price_per_tb_year_pence = models.IntegerField()


class Person(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    crsid = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT)


class Licence(models.Model):
    STATUSES = [(s, s) for s in ("active", "suspended", "cold", "cancelled")]
    product = models.ForeignKey(Product, on_delete=models.PROTECT)
    data_owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="owned_licences")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT)
    size_tb = models.IntegerField()
    start_date = models.DateField()
    end_date = models.DateField(db_index=True)
    status = models.CharField(max_length=16, choices=STATUSES, default="active")

    @property
    def reference(self):
        return f"LIC-{self.id:06d}"


class LicenceManager(models.Model):
    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="managers")
    person = models.ForeignKey(Person, on_delete=models.CASCADE)


class StorageProject(models.Model):
    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=100)
    quota_tb = models.IntegerField()


class Reminder(models.Model):
    """A reminder recorded by the nightly job: never twice for the same licence and kind."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE)
    kind = models.CharField(max_length=8)
    recorded_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["licence", "kind"], name="one_reminder_per_kind")]
