"""The public partner map. The list is rendered on the server and is the page;
Leaflet and the OpenStreetMap tiles only add a map beside it when they load."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from core.clock import local_today
from opportunities.models import Partner
from participant.selectors import COOL_STATION_MONTHS, MAP_OFFERS, partners_for_map


def _offer_labels() -> dict[str, str]:
    return {
        code: str(getattr(Partner._meta.get_field(field), "verbose_name", field))
        for code, field in Partner.OFFER_FIELDS.items()
    }


def partner_map(request):
    offer = request.GET.get("offer", "")
    if offer not in Partner.OFFER_FIELDS:
        offer = ""
    labels = _offer_labels()
    partners = list(partners_for_map(offer=offer))
    for p in partners:
        p.offer_labels = [labels[c] for c in p.offer_codes]
    data = [
        {
            "code": p.code,
            "name": p.name,
            "municipality": p.municipality,
            "address": p.address,
            "lat": p.lat,
            "lon": p.lon,
            "offers": [labels[c] for c in p.offer_codes],
        }
        for p in partners
        if p.lat is not None and p.lon is not None
    ]
    return render(
        request,
        "participant/partner_map.html",
        {
            "partners": partners,
            "offer": offer,
            "offers": [(code, labels[code]) for code in MAP_OFFERS],
            "offer_labels": labels,
            "cool_season": local_today().month in COOL_STATION_MONTHS,
            "data": data,
            "page_title": _("協力機関マップ"),
        },
    )
