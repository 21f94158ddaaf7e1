"""The demo's industry chains (filled by the chain demo work): see demo_chains_generate."""


def demo_chains_generate() -> int:
    """Create the demo chains; returns how many chains were made."""
    return 0
