"""Privacy: each staff member's key, which seals what people wrote about them on the log
and is destroyed when they are erased (crypto-shredding)."""
