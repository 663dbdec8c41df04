"""qualcode: assisted coding of qualitative interview transcripts."""

__version__ = "0.1.0"
