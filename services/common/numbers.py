"""Small numeric helpers shared by the dashboards and the public statistics."""


def median_of_counts(counts: dict[int, int]) -> float | None:
    """Return the median of values given as value → how many times it occurs (None when there are none)."""
    total = sum(counts.values())
    if not total:
        return None
    ordered = sorted(counts)

    def nth(k: int) -> int:  # the k-th smallest value, counting from 0
        seen = 0
        for value in ordered:
            seen += counts[value]
            if k < seen:
                return value
        raise IndexError(k)

    return (nth((total - 1) // 2) + nth(total // 2)) / 2
