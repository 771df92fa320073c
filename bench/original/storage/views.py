from datetime import date

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from .models import Licence


def _licences(queryset, role, today):
    rows = queryset.select_related("product").annotate(project_count=Count("projects"))
    for licence in rows:
        licence.role = role
        licence.days_to_expiry = (licence.end_date - today).days
        licence.annual_cost_pence = licence.size_tb * licence.product.price_per_tb_year_pence
        licence.annual_cost = licence.annual_cost_pence / 100
        yield licence


@login_required
def my_storage(request):
    """"My storage": the licences the person owns or manages (two indexed lookups, not an OR)."""
    person = request.user.person
    today = date.today()
    licences = sorted(
        [
            *_licences(Licence.objects.filter(data_owner=person), "Data Owner", today),
            *_licences(Licence.objects.filter(managers__person=person), "Data Manager", today),
        ],
        key=lambda licence: (licence.end_date, licence.id),
    )
    totals = {
        "count": len(licences),
        "size_tb": sum(licence.size_tb for licence in licences),
        "annual_cost": sum(licence.annual_cost_pence for licence in licences) / 100,
    }
    return render(request, "storage/my_storage.html", {"person": person, "licences": licences, "totals": totals})
