"""The ``modelreg`` command line: thin entry point; commands live in :mod:`._commands`."""

import sys
from typing import List, Optional

from ..errors import RegistryError
from ._output import fail
from ._parser import build_parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the CLI. Returns the exit code: 0 ok, 1 error (one line on stderr), 2 usage, 130 interrupted."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        getattr(args, "usage_of", parser).print_help(sys.stderr)
        return 2
    try:
        args.handler(args)
    except RegistryError as error:
        return fail(f"{error.message} [{error.code}]")
    except (OSError, ValueError) as error:  # bad files or arguments given on the command line
        return fail(str(error))
    except KeyboardInterrupt:
        return fail("interrupted", code=130)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
