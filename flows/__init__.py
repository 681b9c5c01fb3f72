"""Prefect flows that move a month through the stages."""
