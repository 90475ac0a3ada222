"""Placeholder: practices of this module are being written."""
