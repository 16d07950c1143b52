"""The address a request comes from, for login throttling.

``X-Forwarded-For`` is believed only when the peer is a configured proxy
(``CSDESK_TRUSTED_PROXIES``, IPs or CIDR networks; none by default). The header is read from the
right: each hop added by a trusted proxy is skipped, and the first address not of a trusted proxy
is the client. Anything that is not an IP address stops the walk at the last trusted hop, so a
forged or malformed header can never choose a fresh address. Addresses come out normalised
(``ipaddress``'s compressed form) and never longer than ``MAX_ADDRESS_LENGTH``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_ADDRESS_LENGTH = 64
UNKNOWN = "unknown"


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Networks from IPs or CIDRs; ValueError names the first entry that is neither."""
    networks = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or CIDR network") from None
    return tuple(networks)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: Sequence[Network]
) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def normalise(text: str | None) -> str:
    """An address as recorded: the IP's compressed form, else a bounded, printable label."""
    if not text:
        return UNKNOWN
    address = _ip(text)
    if address is not None:
        return str(address)
    cleaned = "".join(ch for ch in text if ch.isprintable())[:MAX_ADDRESS_LENGTH]
    return cleaned.encode("utf-8", "replace").decode("utf-8") or UNKNOWN


def client_address(
    peer: str | None, forwarded_for: Sequence[str], proxies: Sequence[Network]
) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy, in which case the
    right-most ``X-Forwarded-For`` hop that is not itself a trusted proxy."""
    current = _ip(peer) if peer else None
    if current is None:
        return normalise(peer)
    if not proxies or not _trusted(current, proxies):
        return str(current)
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        address = _ip(hop)
        if address is None:
            break
        current = address
        if not _trusted(current, proxies):
            break
    return str(current)
