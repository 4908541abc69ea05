"""Wayfinding's words (texts.py), drawings (drawing.py) and its page (views.py: /route).

The blueprint lives in views.py, not here, so that the services can use the words and
drawings without importing the page (which imports the services).
"""
