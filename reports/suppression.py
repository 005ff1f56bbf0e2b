"""Small-number suppression: counts of 1–4 people are shown as "<5" to anyone
outside the secretariat, so that no one can be recognised from a table.

Rules (one place, used by the pages and the grant report):

* ``0`` stays ``0`` (nobody is described), ``1``–``4`` become ``"<5"``, and
  ``5`` or more are shown as they are.
* A figure that would let a reader work a suppressed count back out (a total
  beside its suppressed cells, a share beside its counts) is withheld too and
  shown as ``"—"``; the page says so under the table.
"""

from __future__ import annotations

SUPPRESSED = "<5"
WITHHELD = "—"
THRESHOLD = 5


def is_small(n: int) -> bool:
    """A count that names 1–4 people."""
    return 0 < n < THRESHOLD


def suppress_count(n: int) -> int | str:
    """``n`` as shown outside the secretariat: ``"<5"`` for 1–4."""
    return SUPPRESSED if is_small(n) else n
