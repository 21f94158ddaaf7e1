"""The demo's chain data (see `jiqun.chains.demo` and docs/chains-demo.md)."""
