# The certificates of the codes tests: one held by world.graduate, one by someone else.
from tests.codes.conftest import holder_cert, other_cert  # noqa: F401
