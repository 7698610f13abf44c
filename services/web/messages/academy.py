"""What the academy pages say."""

NL: dict[str, str] = {}

EN: dict[str, str] = {}
