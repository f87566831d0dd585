"""One module per screen; each is a thin view over a state object of the core."""
