"""Outcome evidence for the funder: readiness progression and the grant report.

A layer above training (reads people, opportunities and training), below the
role pages that show it."""
