"""Exchange with other qualitative analysis tools through the REFI-QDA standard (.qdc, .qdpx)."""
