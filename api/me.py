from ninja import Router

from api.schemas import MeOut, errors

router = Router(tags=["me"])


@router.get("/", response={200: MeOut, **errors(401)})
def me(request):
    """Who the token or session belongs to: a quick check for integrations."""
    return request.auth
