"""What the crawl may connect to: http(s) only, and never a loopback, private or otherwise internal address.

Every page, sitemap and feed is written by a possible attacker, and the crawl host often sits next to cloud
metadata services (169.254.169.254) and internal networks. Three checks, all below the spider, so they hold for
every request whatever made it (entry points, discovered links, redirects, robots.txt, sites given by URL):

- :class:`SchemeGuard`, the first downloader middleware: a request whose scheme is not http or https is refused
  and counted (``newsarchive/rejected/scheme``); Scrapy's file, data, s3 and ftp handlers are switched off in
  the settings as well, so nothing else could fetch one.
- :class:`GuardedResolver`, the reactor's name resolver (``TWISTED_DNS_RESOLVER``): every address a host name
  resolves to is checked before Twisted may connect to it, so a DNS answer cannot point the crawl at an internal
  address, on any hop. The connection uses exactly the addresses that passed: no second lookup to rebind.
- :func:`check_host` in the http(s) download handler (crawler/mirror.py): IP-literal hosts are checked before
  the connection, and a failed connection to a host whose addresses were all refused is reported as
  :class:`AddressRefused` (counted as ``newsarchive/rejected/address``, never retried). A request through an
  HTTP proxy (which resolves the name itself) is resolved here first and refused the same way.

Refused: loopback, private (RFC 1918, unique local), link-local, CGNAT (100.64.0.0/10), multicast, reserved,
unspecified and other not globally routable addresses, IPv4 and IPv6 (IPv4 embedded in IPv6 is checked as
IPv4). Allowed anyway: the ``--mirror`` target, and the networks of the ``ALLOWED_NETWORKS`` setting (CIDRs, for
intranet sites). ``DNS_OVERRIDES`` maps host names to addresses without DNS, for tests and offline runs; the
addresses it gives are checked like any other. The resolver belongs to the reactor, so these settings are
process-wide: they are read from the process's settings (command line, project), not from a spider's
custom_settings.

Why here and not in the spider: a spider-level check sees the URLs it yields, not the redirects Scrapy follows, the
robots.txt requests, or the address a name resolves to at connection time (DNS rebinding answers a check with a
public address and the connection with an internal one). The resolver is the one place every connection's address
passes through, and it passes on only the addresses it checked.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingHostnameResolver
from twisted.internet.address import IPv4Address as TwistedIPv4
from twisted.internet.address import IPv6Address as TwistedIPv6
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.internet.base import ReactorBase
    from twisted.internet.interfaces import IAddress

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

FETCHED_SCHEMES = frozenset({"http", "https"})
STAT_SCHEME = "newsarchive/rejected/scheme"
STAT_ADDRESS = "newsarchive/rejected/address"
ADDRESS_RULE = (
    "loopback, private, link-local, CGNAT, multicast and reserved addresses are refused "
    "(allow networks with ALLOWED_NETWORKS)"
)

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class Refused(IgnoreRequest):
    """A request the crawl must not make; the message says which rule refused it."""


class SchemeRefused(Refused):
    """The URL's scheme is not http or https."""


class AddressRefused(Refused):
    """The host is, or resolves only to, a refused address (or is not mirrored under --mirror)."""


def refusal(ip: IPAddress) -> str | None:
    """Why connecting to ``ip`` is refused ("loopback", "private", ...), or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            reason = refusal(ip.ipv4_mapped)
            return None if reason is None else f"{reason}, embedded in IPv6"
        embedded = ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is None and ip.teredo is not None:
            embedded = ip.teredo[1]
        if embedded is not None and (reason := refusal(embedded)) is not None:
            return f"{reason}, embedded in IPv6"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "CGNAT"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "not globally routable"
    return None


def parse_networks(values: Iterable[object]) -> list[Network]:
    """CIDRs (``10.0.0.0/8``, ``fd00::/8``, a bare address) as networks; ValueError names a bad one."""
    out: list[Network] = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        try:
            out.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ValueError(f"ALLOWED_NETWORKS: not a network (CIDR): {text!r}") from exc
    return out


def parse_overrides(mapping: Mapping[str, object]) -> dict[str, list[str]]:
    """DNS_OVERRIDES: host -> an address or a list of addresses; ValueError names a bad entry."""
    out: dict[str, list[str]] = {}
    for host, value in mapping.items():
        addresses = value if isinstance(value, list) else [value]
        checked = []
        for address in addresses:
            try:
                checked.append(str(ipaddress.ip_address(str(address).strip())))
            except ValueError as exc:
                raise ValueError(f"DNS_OVERRIDES: {host}: not an IP address: {address!r}") from exc
        out[str(host).lower().rstrip(".")] = checked
    return out


class AddressPolicy:
    """Which addresses the crawl may connect to: public ones, ``allowed`` networks, and ``allowed_hosts``."""

    def __init__(self, allowed: Sequence[Network] = (), allowed_hosts: Iterable[str] = ()) -> None:
        self.allowed = list(allowed)
        self.allowed_hosts = {h.lower().rstrip(".") for h in allowed_hosts if h}

    @classmethod
    def from_settings(cls, settings: Any) -> AddressPolicy:
        mirror = str(settings.get("MIRROR_URL") or "")
        hosts = [urlsplit(mirror).hostname or ""] if mirror else []
        return cls(parse_networks(settings.getlist("ALLOWED_NETWORKS")), hosts)

    def check(self, host: str, address: str) -> str | None:
        """None when ``host`` may be reached at ``address``, else the reason it is refused."""
        if host.lower().rstrip(".") in self.allowed_hosts:
            return None
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return "not an IP address"
        reason = refusal(ip)
        if reason is None:
            return None
        mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
        if any(ip in net or (mapped is not None and mapped in net) for net in self.allowed):
            return None
        return reason


def ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


#: host -> why it was refused, for hosts whose every resolved address was refused (read by refused_message)
_REFUSED: dict[str, str] = {}


def refused_host(host: str) -> str | None:
    """Why the last resolution of ``host`` yielded no allowed address, if it did not."""
    return _REFUSED.get(host.lower().rstrip("."))


def check_host(host: str, policy: AddressPolicy) -> None:
    """Raise AddressRefused if ``host`` is an IP literal the policy refuses (host names: see the resolver)."""
    ip = ip_literal(host)
    if ip is None:
        return
    reason = policy.check(host, str(ip))
    if reason is not None:
        raise AddressRefused(f"{host} is a {reason} address: refused ({ADDRESS_RULE})")


def refused_message(host: str) -> str | None:
    reason = refused_host(host)
    return None if reason is None else f"{host} resolves to {reason}: refused ({ADDRESS_RULE})"


@implementer(IResolutionReceiver)
class _Filter:
    """Passes on the addresses the policy allows; remembers the host when none was allowed."""

    def __init__(self, receiver: Any, host: str, policy: AddressPolicy) -> None:
        self.receiver = receiver
        self.host = host.lower().rstrip(".")
        self.policy = policy
        self.passed = 0
        self.refused: list[str] = []

    def resolutionBegan(self, resolution: Any) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: Any) -> None:
        text = str(getattr(address, "host", ""))
        reason = self.policy.check(self.host, text)
        if reason is None:
            self.passed += 1
            self.receiver.addressResolved(address)
        else:
            self.refused.append(f"{text} ({reason})")

    def resolutionComplete(self) -> None:
        if self.refused and not self.passed:
            reason = ", ".join(dict.fromkeys(self.refused))
            if _REFUSED.get(self.host) != reason:  # once per host and answer, not once per request
                log.warning("%s resolves to %s: refused (%s)", self.host, reason, ADDRESS_RULE)
            _REFUSED[self.host] = reason
        else:
            _REFUSED.pop(self.host, None)
        self.receiver.resolutionComplete()


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        """Answers from DNS_OVERRIDES are immediate: nothing to cancel."""


@implementer(IHostnameResolver)
class GuardedResolver(CachingHostnameResolver):  # type: ignore[misc]
    """Scrapy's caching resolver (IPv4 and IPv6) that hands Twisted only the addresses the policy allows."""

    def __init__(
        self,
        reactor: ReactorBase,
        cache_size: int,
        policy: AddressPolicy,
        overrides: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__(reactor, cache_size)
        self.policy = policy
        self.overrides = dict(overrides or {})

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> GuardedResolver:
        s = crawler.settings
        cache = s.getint("DNSCACHE_SIZE") if s.getbool("DNSCACHE_ENABLED") else 0
        return cls(
            reactor, cache, AddressPolicy.from_settings(s), parse_overrides(s.getdict("DNS_OVERRIDES"))
        )

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        guard: Any = _Filter(resolutionReceiver, hostName, self.policy)
        fixed = self.overrides.get(hostName.lower().rstrip("."))
        if fixed is None:
            resolution: IHostResolution = super().resolveHostName(
                guard, hostName, portNumber, addressTypes, transportSemantics
            )
            return resolution
        fixed_resolution: Any = _Resolution(hostName)
        guard.resolutionBegan(fixed_resolution)
        for address in fixed:
            kind = TwistedIPv6 if ":" in address else TwistedIPv4
            guard.addressResolved(kind("TCP", address, portNumber))
        guard.resolutionComplete()
        result: IHostResolution = fixed_resolution
        return result


class SchemeGuard:
    """Downloader middleware, first of all: only http and https requests go on; others are refused, counted.

    Scrapy's redirect middleware does not follow a redirect to another scheme but hands the 3xx response on; such
    a redirect is refused and counted here as well (``process_response`` runs after the redirect middleware).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SchemeGuard:
        return cls(crawler)

    def _refuse(self, url: str, what: str = "") -> SchemeRefused:
        scheme = urlsplit(url).scheme.lower()
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(STAT_SCHEME)
        log.warning("refused %s%s: scheme %r (only http and https are fetched)", what, url[:200], scheme)
        return SchemeRefused(f"{what}scheme {scheme!r} refused: only http and https are fetched")

    def process_request(self, request: Request) -> None:
        if urlsplit(request.url).scheme.lower() not in FETCHED_SCHEMES:
            raise self._refuse(request.url)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location") if 300 <= response.status < 400 else None
        if location:
            target = urljoin(request.url, location.decode("latin-1").strip())
            if urlsplit(target).scheme.lower() not in FETCHED_SCHEMES:
                raise self._refuse(target, "a redirect to ")
        return response
