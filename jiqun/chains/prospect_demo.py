"""The demo's 招引名录 entries (filled by the 招引名录 work): see demo_prospects_generate."""


def demo_prospects_generate() -> int:
    """Create the demo's investment-target entries on the demo chains; returns how many were made."""
    return 0
