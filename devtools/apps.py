from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development commands: demo data (seed_demo), benchmarks (bench_matching,
    bench_payouts) and ranking evaluation (eval_matching, rank_cases). Nothing in
    the product apps imports this package."""

    name = "devtools"
    verbose_name = "Development tools"
