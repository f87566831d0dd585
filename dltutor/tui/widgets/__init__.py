"""Widgets shared by the screens: answer forms, grammar-checked fields, the decision-boundary map."""
