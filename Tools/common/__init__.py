"""Python helpers shared by several Tools scripts (no command line of their own)."""
