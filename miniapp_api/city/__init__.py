"""The demo city's shared geography (districts), used by every service."""
