"""Teamwork: coders and blind coding (coders), agreement between coders (agreement), and its statistics."""
