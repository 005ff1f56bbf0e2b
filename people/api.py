from ninja import Router

from opportunities.schemas import errors
from people.schemas import MeOut

router = Router(tags=["me"])


@router.get("/", response={200: MeOut, **errors(401)})
def me(request):
    """Who the token or session belongs to: a quick check for integrations."""
    return request.auth
