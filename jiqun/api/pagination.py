from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
MAX_OFFSET = 10**9  # past any real registry, and inside a 64-bit SQL integer


class BoundedPagination(LimitOffsetPagination):
    """limit/offset with both ends bounded, so a huge number is a 422, not a database overflow."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
