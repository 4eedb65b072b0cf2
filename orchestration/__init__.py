"""Dagster orchestration of the saas_segments warehouse (``orchestration.definitions``)."""
