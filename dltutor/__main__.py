"""``python -m dltutor`` works like ``dltutor``."""

from dltutor.cli import main

if __name__ == "__main__":
    main()
