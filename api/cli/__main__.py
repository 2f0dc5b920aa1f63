"""``python -m api.cli``: the ``linkplan`` command line."""

from api.cli import main

if __name__ == "__main__":
    main()
