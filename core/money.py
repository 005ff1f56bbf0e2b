"""Money is integer yen. Only rates may be Decimal; they turn back into int here."""

from decimal import ROUND_DOWN, Decimal


def apply_rate(amount_yen: int, rate: Decimal) -> int:
    """amount × rate, rounded down to the yen (切り捨て)."""
    return int((Decimal(amount_yen) * rate).to_integral_value(rounding=ROUND_DOWN))


def format_yen(amount_yen: int) -> str:
    sign = "-" if amount_yen < 0 else ""
    return f"{sign}¥{abs(int(amount_yen)):,}"
