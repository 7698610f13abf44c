"""What the board pages say."""

NL: dict[str, str] = {}

EN: dict[str, str] = {}
