"""What the leader pages say."""

NL: dict[str, str] = {}

EN: dict[str, str] = {}
