"""The Textual face of dltutor: ``make_app()`` builds the app for the CLI, the browser and the tests.

Screens are thin views over the core's state objects (families, checking,
exam, lessons, the NumPy engine, the progress store); they compute nothing of
their own. Screen modules are imported when a screen is first opened, so the
home screen paints quickly.
"""
