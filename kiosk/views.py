"""Kiosk pages (issue: the kiosk and the patient's phone)."""
