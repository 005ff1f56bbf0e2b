from ninja import Schema


class MeOut(Schema):
    id: int
    username: str
    role: str
    partner_id: int | None
