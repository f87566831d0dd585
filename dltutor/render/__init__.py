"""Printers of a :class:`dltutor.solution.Solution`, one module per format."""
