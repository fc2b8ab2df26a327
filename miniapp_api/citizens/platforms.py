"""Mini-app login code exchange (placeholder: being written)."""
from ..errors import ApiError


def exchange_code(platform: str, code: str) -> str:
    raise ApiError("platform_unavailable")
