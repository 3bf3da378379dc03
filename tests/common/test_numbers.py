from services.common.numbers import median_of_counts


def test_median_of_counts():
    """The median of values given with how often each occurs, averaging the middle two of an even count."""
    assert median_of_counts({}) is None
    assert median_of_counts({3: 1}) == 3
    assert median_of_counts({1: 1, 2: 1, 10: 2}) == 6  # 1, 2, 10, 10
    assert median_of_counts({1: 2, 4: 1}) == 1  # 1, 1, 4
