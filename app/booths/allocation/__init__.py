"""The booth allocation engine (pure: no Flask, no database); see engine.py."""
