"""The compose board's helpers, run inside the huisacademie image (compose.yaml)."""
