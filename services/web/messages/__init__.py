"""What the web application says, per language: each area of pages has a module with a
Dutch (NL) and an English (EN) table of the same keys (tests/unit/test_web_messages.py)."""
