from celery import shared_task

from .actions import city_figures_refresh


@shared_task
def refresh_city_figures() -> int:
    """Rebuild the city view's summary table from the applications (a periodic job: CITY_VIEW_REFRESH_SECONDS)."""
    return city_figures_refresh()
