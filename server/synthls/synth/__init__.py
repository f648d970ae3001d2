"""Synthesis: engines propose candidate bodies; the loop verifies, feeds back and ranks them."""
