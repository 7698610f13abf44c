"""Where a subscriber may be: never inside the service's own network (private, loopback,
link-local, reserved addresses) unless an allowlist names it, so that a subscription
cannot make huisacademie reach what only it can reach (SSRF)."""

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from urllib.parse import SplitResult, urlsplit

Network = IPv4Network | IPv6Network
MAX_URL = 2000


class Refused(ValueError):
    """An address no delivery may go to, with why."""


def checked_url(url: str) -> SplitResult:
    """The URL split, if a subscription may name it: http(s), a host, no user name or
    password in it, no fragment."""
    if len(url) > MAX_URL:
        raise Refused(f"the URL is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a port out of range raises here)
    except ValueError as e:
        raise Refused(f"not a URL: {e}") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Refused("the URL must be http(s)://host/…")
    if parts.username or parts.password:
        raise Refused("the URL may not hold a user name or password")
    if parts.fragment:
        raise Refused("the URL may not have a #fragment")
    if parts.port == 0:
        raise Refused("the URL's port may not be 0")
    return parts


def refusal(address: str, allowed: Sequence[Network]) -> str | None:
    """Why a delivery may not go to this resolved address; None: it may. The address is
    not named in the answer: that would let a subscription map the network's names."""
    ip = _unwrapped(address)
    if any(ip in network for network in allowed):
        return None
    if not ip.is_global or ip.is_multicast:
        return "the address is inside the service's own network, and no allowlist names it"
    if isinstance(ip, IPv6Address) and any(ip in net for net in _TUNNELS):
        return "the address tunnels to other addresses (NAT64, Teredo, IPv4-compatible)"
    return None


def plain_http_refusal(
    parts: SplitResult, addresses: Sequence[str], allowed: Sequence[Network]
) -> str | None:
    """Plain http is for the allowlisted networks only: elsewhere, https."""
    if parts.scheme == "https":
        return None
    if all(any(_unwrapped(a) in network for network in allowed) for a in addresses):
        return None
    return "deliveries outside the allowlisted networks go over https only"


_TUNNELS = tuple(
    ip_network(n)
    for n in ("64:ff9b::/96", "64:ff9b:1::/48", "2001::/32", "::/96", "::ffff:0:0:0/96")
)
"""IPv6 prefixes that carry an IPv4 address to reach: refused whatever they embed. (6to4,
2002::/16, is unwrapped instead; IPv4-mapped addresses too.)"""


def _unwrapped(address: str) -> IPv4Address | IPv6Address:
    ip = ip_address(address.split("%", 1)[0])
    if isinstance(ip, IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
    return ip
