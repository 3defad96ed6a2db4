from tests.stack import cloud_service, stack  # noqa: F401  (fixtures)
