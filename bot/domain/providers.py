"""Where-to-watch data from an outside source (JustWatch via TMDB), merged without overwriting anyone.

Pure: TMDB's provider names -> Marquee's service keys, and a film's availability after a new check, as the
edits that produce it (`stream` rows to add or refresh, `unstream` keys to drop). A row from anywhere else
(curated data, an admin's `/catalog stream`, a streaming-catalogue import) is never replaced or removed:
only rows whose source is the outside source's own are refreshed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Protocol

from bot.domain.models import Availability, Film

# TMDB provider names that are not already a name or alias in services.toml (matching ignores case, spaces
# and punctuation). Channels sold inside another service ("... Amazon Channel") are not the service itself.
PROVIDER_ALIASES = {
    "peacock premium": "peacock", "peacock premium plus": "peacock", "tubi tv": "tubi",
    "criterion channel": "criterion-channel", "apple tv": "apple-tv", "apple itunes": "apple-tv",
    "netflix basic with ads": "netflix", "netflix standard with ads": "netflix",
    "amazon prime video with ads": "prime-video", "hbo max": "max", "now tv": "now", "now tv cinema": "now",
    "vudu": "fandango-at-home", "fandango at home": "fandango-at-home", "youtube premium": "youtube",
    "paramount plus apple tv channel": None, "jiohotstar": "jiohotstar", "hotstar": "jiohotstar",
}


class ServiceLookup(Protocol):
    def resolve(self, text: str) -> Any: ...


@dataclass(slots=True)
class ProviderMatch:
    keys: dict[str, str] = field(default_factory=dict)  # provider name -> service key
    unknown: set[str] = field(default_factory=set)  # provider names Marquee has no service for


def service_for(name: str, services: ServiceLookup) -> str | None:
    """Our service key for a TMDB provider name, or None."""
    folded = " ".join(name.casefold().replace("+", " plus ").split())
    if folded in PROVIDER_ALIASES:
        return PROVIDER_ALIASES[folded]
    if "channel" in folded and folded != "the roku channel":
        return None  # "Shudder Amazon Channel" and the like
    found = services.resolve(name)
    return getattr(found, "key", None) if found is not None else None


@dataclass(slots=True)
class AvailabilityChange:
    stream: list[dict[str, Any]] = field(default_factory=list)  # rows for the `stream` edit
    unstream: list[tuple[str, str, str]] = field(default_factory=list)  # (service, region, kind) to drop
    kept_theirs: int = 0  # offers not written because someone else's row already says it
    unknown_providers: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.stream or self.unstream)


def availability_change(film: Film, offers: Mapping[str, Iterable[tuple[str, str]]], *, source: str,
                        checked: str) -> AvailabilityChange:
    """What to write so the film's `source` rows say exactly `offers` ({region: [(service, kind)]}).

    Rows of other sources stay as they are, even where `source` disagrees with them."""
    change = AvailabilityChange()
    existing = {(a.service, a.region, a.kind): a for a in film.availability}
    wanted: set[tuple[str, str, str]] = set()
    for region, pairs in offers.items():
        for service, kind in pairs:
            key = (service, region, kind)
            if key in wanted:
                continue
            wanted.add(key)
            row = existing.get(key)
            if row is not None and row.source != source:
                change.kept_theirs += 1
                continue
            if row is not None and row.checked == checked:
                continue  # already says so, checked this month
            change.stream.append({"service": service, "region": region, "kind": kind, "checked": checked,
                                  "source": source})
    change.unstream = sorted(key for key, row in existing.items() if row.source == source and key not in wanted)
    return change


def offers_by_region(regions: Mapping[str, Iterable[Any]], services: ServiceLookup,
                     match: ProviderMatch | None = None) -> dict[str, list[tuple[str, str]]]:
    """TMDB's offers ({region: [Offer]}) as our (service key, kind) pairs; unknown providers noted in `match`."""
    match = match if match is not None else ProviderMatch()
    out: dict[str, list[tuple[str, str]]] = {}
    for region, offers in regions.items():
        pairs = []
        for offer in sorted(offers, key=lambda o: (o.priority, o.provider_name)):
            name = offer.provider_name
            if name not in match.keys and name not in match.unknown:
                key = service_for(name, services)
                if key is None:
                    match.unknown.add(name)
                else:
                    match.keys[name] = key
            if name in match.keys:
                pairs.append((match.keys[name], offer.kind))
        out[region] = list(dict.fromkeys(pairs))
    return out


def rows_from(film: Film, source: str) -> tuple[Availability, ...]:
    return tuple(a for a in film.availability if a.source == source)
