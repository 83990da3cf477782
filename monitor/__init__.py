"""monitor: US–Cuba news monitoring and entity extraction."""

__version__ = "0.1.0"
