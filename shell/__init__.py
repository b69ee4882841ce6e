"""pantau: monitor the Indonesian press for one story and email digests of what is new."""

__version__ = "0.1.0"
