import sys
from pathlib import Path

# The reliability scripts are plain modules one folder up; the registry launcher is tests/support.
HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE.parents[2]))
