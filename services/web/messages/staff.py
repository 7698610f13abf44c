"""What the staff pages say."""

NL: dict[str, str] = {}

EN: dict[str, str] = {}
