"""Identity and access: verified tokens, our directory of who is who, and the policies."""
