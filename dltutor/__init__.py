"""dltutor: a terminal tutor and step-by-step calculator for an introductory deep-learning course."""

__version__ = "0.1.0"
