"""Subcommands of ``dltutor`` other than ``solve``, one module per face, imported on demand
(see ``LAZY_COMMANDS`` in :mod:`dltutor.cli`)."""
