"""Inbound Playbook: analyses a product team of internal tools can rerun on its own data."""

__version__ = "0.1.0"
