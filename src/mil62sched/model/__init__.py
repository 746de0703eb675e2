"""Value types only: visit codes, the protocol's schedules and arms, a participant's plan.

Leaf modules: they import nothing of this package but `errors`.
"""
