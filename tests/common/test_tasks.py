"""Retry policies are read from settings when a task fails (services.common.tasks.retry_options)."""

from services.common.tasks import retry_options


def test_the_retry_limit_may_name_another_setting_read_at_each_failure(settings):
    """A policy whose max_retries names a setting follows that setting as it is now."""
    settings.RETRY_LIMIT_FOR_TEST = 4
    settings.TEST_TASK_RETRY = {"max_retries": "RETRY_LIMIT_FOR_TEST", "retry_backoff": 10, "retry_backoff_max": 600}
    before = retry_options("TEST_TASK_RETRY", retries=0)["max_retries"]
    settings.RETRY_LIMIT_FOR_TEST = 9

    assert (before, retry_options("TEST_TASK_RETRY", retries=0)["max_retries"]) == (4, 9)


def test_the_countdown_doubles_up_to_its_maximum_with_jitter_below_it(settings):
    """Without jitter: backoff, doubled each retry, capped; with it (the default): a delay from 0 up to that."""
    policy = {"max_retries": 8, "retry_backoff": 2, "retry_backoff_max": 60}
    settings.TEST_TASK_RETRY = {**policy, "retry_jitter": False}
    exact = [retry_options("TEST_TASK_RETRY", retries=retries)["countdown"] for retries in range(7)]
    settings.TEST_TASK_RETRY = policy
    jittered = [
        retry_options("TEST_TASK_RETRY", retries=retries)["countdown"] for retries in range(7) for _ in range(50)
    ]

    assert exact == [2, 4, 8, 16, 32, 60, 60]
    assert min(jittered) >= 0 and max(jittered) <= 60 and len(set(jittered)) > 10
