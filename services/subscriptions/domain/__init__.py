"""What the subscriptions service decides, without I/O: whose each event is, which
subscriptions it reaches, how it is written for them, and when a failed delivery is tried
again."""
