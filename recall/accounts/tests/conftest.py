from recall.library.tests.conftest import library, make_resource, reference  # noqa: F401
from recall.operations.tests.fixtures import populated  # noqa: F401
