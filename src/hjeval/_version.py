"""The installed hjeval version."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hjeval")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
