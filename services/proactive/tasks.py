from celery import shared_task

from .actions import periodic_rules_run


@shared_task
def run_periodic_rules() -> int:
    """Offer (or grant) the benefits of the active periodic rules to the residents who now qualify."""
    return periodic_rules_run()
