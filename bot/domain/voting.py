"""Counting movie-night votes: approval and ranked (Schulze), with one fixed tie rule.

Pure standard-library Python: no discord, no database. Callers pass the nominees (in nomination order)
and the ballots, and get back an `Outcome` a renderer can show as it is.

Ballots
-------
* Approval ballot: a collection of film ids the voter is happy to watch.
* Ranked ballot: a sequence of film ids, favourite first. A voter may rank only some films; every
  unranked nominee counts as tied below all the films that voter ranked.
* Ids that are not nominees are ignored (a film withdrawn after someone voted for it), and a film
  repeated on one ballot counts once (its first place). A ballot naming no nominee is an abstention:
  it is reported, but it does not make its voter count towards `voters`.
* Nobody voted (no ballots, or only abstentions): no winner, `no_votes` is set, and the ranking is
  simply the nomination order.

Schulze
-------
The standard definition: d[a][b] is the number of voters who prefer a to b. A link a->b exists when
d[a][b] > d[b][a] and has strength d[a][b]; p[a][b] is the strength of the widest path (the path whose
weakest link is strongest) from a to b. a finishes ahead of b when p[a][b] > p[b][a]. Films that no
remaining film finishes ahead of are level, and the tie rule picks among them.

Tie rule (deterministic, never random)
-------------------------------------
When several films are level - equal approval totals, or no Schulze order between them - the one
taken is decided by the first step that separates them:

1. Head-to-head (ranked votes): the tied film that beats every other tied film pairwise,
   d[a][b] > d[b][a]. Approval votes skip this step because it can never decide there: among films
   with equal totals, the ballots approving a but not b always number exactly as many as those
   approving b but not a (each is the total minus the ballots approving both).
2. Ranked votes: most first preferences. Approval votes: most *split support* - each ballot's one
   vote divided equally among the films it approves, so a ballot approving only Heat gives Heat a
   whole vote and one approving four films gives each a quarter. It favours the film whose backers
   were choosier. Computed with exact fractions.
   If this step leaves two or more films but fewer than before, go back to step 1 among those.
3. Earliest nomination.

The full ranking is built the same way: repeatedly take the films that nothing left finishes ahead
of, apply the tie rule when there are several, and move the chosen one to the ranking. Every decision
the tie rule made is kept in `Outcome.tie_breaks`; the one that chose the winner is `Outcome.tie`.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

__all__ = [
    "APPROVAL",
    "SCHULZE",
    "HEAD_TO_HEAD",
    "FIRST_PREFERENCES",
    "SPLIT_SUPPORT",
    "NOMINATION_ORDER",
    "Nominee",
    "TieBreak",
    "Outcome",
    "count_approval",
    "count_schulze",
]

APPROVAL = "approval"
SCHULZE = "schulze"

# TieBreak.step values, in the order the tie rule tries them.
HEAD_TO_HEAD = "head-to-head"
FIRST_PREFERENCES = "first preferences"
SPLIT_SUPPORT = "split support"
NOMINATION_ORDER = "nomination order"

# How many "stronger chain" lines a Schulze explanation shows; a Discord message has to stay short.
_MAX_CHAIN_LINES = 3


@dataclass(frozen=True, slots=True)
class Nominee:
    film_id: str
    position: int  # nomination order, 0-based; earlier wins the last step of the tie rule
    nominated_at: datetime | None = None  # for display; the tie rule uses `position`


@dataclass(frozen=True, slots=True)
class TieBreak:
    step: str  # HEAD_TO_HEAD, FIRST_PREFERENCES, SPLIT_SUPPORT or NOMINATION_ORDER
    among: list[str]  # the level films, in nomination order
    winner: str
    detail: str = ""  # one plain-English sentence


@dataclass(slots=True)
class Outcome:
    method: str  # APPROVAL or SCHULZE
    winner: str | None
    ranking: list[str]  # every nominee, best first
    tally: dict[str, int]  # approvals, or first preferences for ranked votes
    voters: int  # ballots naming at least one nominee
    tie: TieBreak | None = None  # the tie rule's decision about the winner, if it had to make one
    tie_breaks: list[TieBreak] = field(default_factory=list)  # every decision, top places first
    pairwise: dict[tuple[str, str], int] = field(default_factory=dict)  # ranked: d[a][b]
    strongest_paths: dict[tuple[str, str], int] = field(default_factory=dict)  # ranked: p[a][b]
    explanation: list[str] = field(default_factory=list)
    no_votes: bool = False
    abstentions: int = 0  # ballots that named no nominee


# ---------------------------------------------------------------------------------------------------
# Public entry points


def count_approval(
    nominees: Sequence[Nominee | str],
    ballots: Iterable[Collection[str]],
    *,
    titles: Mapping[str, str] | None = None,
) -> Outcome:
    """Count approval ballots. `titles` maps film ids to the names used in the explanation."""
    films = _nomination_order(nominees)
    index = {film: i for i, film in enumerate(films)}
    n = len(films)
    approvals = [0] * n
    # approvals_by_size[i][k]: ballots approving film i together with k-1 other films; split support
    # is sum(count / k), only ever needed for tied films, so the fractions are built lazily.
    approvals_by_size: list[dict[int, int]] = [{} for _ in range(n)]
    voters = abstentions = 0
    for ballot in ballots:
        if isinstance(ballot, str):
            raise TypeError("an approval ballot is a collection of film ids, not a single string")
        approved = {index[film] for film in ballot if film in index}
        if not approved:
            abstentions += 1
            continue
        voters += 1
        size = len(approved)
        for i in approved:
            approvals[i] += 1
            by_size = approvals_by_size[i]
            by_size[size] = by_size.get(size, 0) + 1

    tally = {films[i]: approvals[i] for i in range(n)}
    if voters == 0:
        return _nobody_voted(APPROVAL, films, tally, abstentions, titles)

    def split_support(i: int) -> Fraction:
        return sum((Fraction(count, size) for size, count in approvals_by_size[i].items()), Fraction(0))

    names = _namer(films, titles)
    resolver = _ApprovalTieResolver(approvals, split_support, names)
    order, decisions = _linear_order(n, lambda a, b: approvals[a] > approvals[b], resolver)
    ranking = [films[i] for i in order]
    tie_breaks = [_as_tie_break(d, films) for d in decisions]
    winner_tie = tie_breaks[0] if decisions and decisions[0].chosen == order[0] else None

    counts = ", ".join(f"{names(i)} {approvals[i]}" for i in order)
    explanation = [f"Approval: {counts} of {_plural(voters, 'voter')}"]
    if abstentions:
        explanation.append(f"{_plural(abstentions, 'ballot')} approved no film.")
    if winner_tie is not None:
        explanation.append(winner_tie.detail)
    explanation.append(f"Winner: {names(order[0])}")
    return Outcome(
        method=APPROVAL,
        winner=ranking[0],
        ranking=ranking,
        tally=tally,
        voters=voters,
        tie=winner_tie,
        tie_breaks=tie_breaks,
        explanation=explanation,
        abstentions=abstentions,
    )


def count_schulze(
    nominees: Sequence[Nominee | str],
    ballots: Iterable[Sequence[str]],
    *,
    titles: Mapping[str, str] | None = None,
) -> Outcome:
    """Count ranked ballots with the Schulze method. `titles` maps film ids to display names."""
    films = _nomination_order(nominees)
    index = {film: i for i, film in enumerate(films)}
    n = len(films)
    rankings: list[list[int]] = []
    abstentions = 0
    for ballot in ballots:
        if isinstance(ballot, str):
            raise TypeError("a ranked ballot is a sequence of film ids, not a single string")
        # dict.fromkeys drops repeats and keeps each film's first place.
        positions = [index[film] for film in dict.fromkeys(ballot) if film in index]
        if positions:
            rankings.append(positions)
        else:
            abstentions += 1
    voters = len(rankings)

    first_preferences = [0] * n
    for positions in rankings:
        first_preferences[positions[0]] += 1
    tally = {films[i]: first_preferences[i] for i in range(n)}
    if voters == 0:
        return _nobody_voted(SCHULZE, films, tally, abstentions, titles)

    d = _pairwise_preferences(n, rankings)
    p = _strongest_paths(d)
    names = _namer(films, titles)
    resolver = _RankedTieResolver(d, first_preferences, names)
    order, decisions = _linear_order(n, lambda a, b: p[a][b] > p[b][a], resolver)
    ranking = [films[i] for i in order]
    tie_breaks = [_as_tie_break(dec, films) for dec in decisions]
    winner_tie = tie_breaks[0] if decisions and decisions[0].chosen == order[0] else None

    firsts = ", ".join(f"{names(i)} {first_preferences[i]}" for i in order)
    explanation = [f"Ranked (Schulze), {_plural(voters, 'voter')}. First choices: {firsts}"]
    if abstentions:
        explanation.append(f"{_plural(abstentions, 'ballot')} ranked no film.")
    explanation.extend(_schulze_lines(order, d, p, names))
    if winner_tie is not None:
        explanation.append(winner_tie.detail)
    explanation.append(f"Winner: {names(order[0])}")

    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    return Outcome(
        method=SCHULZE,
        winner=ranking[0],
        ranking=ranking,
        tally=tally,
        voters=voters,
        tie=winner_tie,
        tie_breaks=tie_breaks,
        pairwise={(films[a], films[b]): d[a][b] for a, b in pairs},
        strongest_paths={(films[a], films[b]): p[a][b] for a, b in pairs},
        explanation=explanation,
        abstentions=abstentions,
    )


# ---------------------------------------------------------------------------------------------------
# Shared helpers


def _nomination_order(nominees: Sequence[Nominee | str]) -> list[str]:
    keyed: list[tuple[int, int, str]] = []
    for arrival, nominee in enumerate(nominees):
        if isinstance(nominee, str):
            keyed.append((arrival, arrival, nominee))
        else:
            keyed.append((nominee.position, arrival, nominee.film_id))
    keyed.sort()
    films = [film for _, _, film in keyed]
    if len(set(films)) != len(films):
        duplicates = sorted({f for f in films if films.count(f) > 1})
        raise ValueError(f"films nominated twice: {', '.join(duplicates)}")
    return films


def _namer(films: list[str], titles: Mapping[str, str] | None) -> Callable[[int], str]:
    titles = titles or {}
    return lambda i: titles.get(films[i], films[i])


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _join_names(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _nobody_voted(
    method: str, films: list[str], tally: dict[str, int], abstentions: int, titles: Mapping[str, str] | None
) -> Outcome:
    if not films:
        line = "No films were nominated, so there is no winner."
    elif abstentions:
        line = f"Nobody picked a film ({_plural(abstentions, 'empty ballot')}), so there is no winner."
    else:
        line = "Nobody voted, so there is no winner."
    return Outcome(
        method=method,
        winner=None,
        ranking=list(films),
        tally=tally,
        voters=0,
        explanation=[line],
        no_votes=True,
        abstentions=abstentions,
    )


@dataclass(slots=True)
class _Decision:
    among: list[int]
    chosen: int
    step: str
    detail: str


def _linear_order(
    n: int, ahead: Callable[[int, int], bool], resolver: Callable[[list[int]], _Decision]
) -> tuple[list[int], list[_Decision]]:
    """Rank films 0..n-1 (nomination order) given a strict partial order `ahead(a, b)`."""
    remaining = list(range(n))
    order: list[int] = []
    decisions: list[_Decision] = []
    while remaining:
        level = [a for a in remaining if not any(ahead(b, a) for b in remaining if b != a)]
        if len(level) == 1:
            chosen = level[0]
        else:
            decision = resolver(level)
            decisions.append(decision)
            chosen = decision.chosen
        order.append(chosen)
        remaining.remove(chosen)
    return order, decisions


class _RankedTieResolver:
    def __init__(self, d: list[list[int]], first_preferences: list[int], names: Callable[[int], str]):
        self.d = d
        self.first = first_preferences
        self.names = names

    def __call__(self, level: list[int]) -> _Decision:
        d, names = self.d, self.names
        field_ = list(level)
        said: list[str] = [f"{_join_names([names(i) for i in level])} were level."]
        while True:
            for c in field_:
                rivals = [x for x in field_ if x != c]
                if all(d[c][x] > d[x][c] for x in rivals):
                    if len(rivals) == 1:
                        x = rivals[0]
                        said.append(f"{names(c)} beats {names(x)} head-to-head {d[c][x]}-{d[x][c]}.")
                    else:
                        scores = ", ".join(f"{names(x)} {d[c][x]}-{d[x][c]}" for x in rivals)
                        said.append(f"{names(c)} beats each of the others head-to-head ({scores}).")
                    return _Decision(level, c, HEAD_TO_HEAD, " ".join(said))
            best = max(self.first[c] for c in field_)
            leaders = [c for c in field_ if self.first[c] == best]
            if len(leaders) == 1:
                others = ", ".join(str(self.first[c]) for c in field_ if c != leaders[0])
                said.append(f"No film beats all the others head-to-head; {names(leaders[0])} has the most "
                            f"first choices ({best} vs {others}).")
                return _Decision(level, leaders[0], FIRST_PREFERENCES, " ".join(said))
            if len(leaders) < len(field_):
                said.append(f"No film beats all the others head-to-head; "
                            f"{_join_names([names(c) for c in leaders])} have the most first choices ({best}).")
                field_ = leaders
                continue
            said.append(f"Head-to-head and first choices ({best} each) don't separate them; "
                        f"{names(field_[0])} was nominated first.")
            return _Decision(level, field_[0], NOMINATION_ORDER, " ".join(said))


class _ApprovalTieResolver:
    def __init__(self, approvals: list[int], split_support: Callable[[int], Fraction], names: Callable[[int], str]):
        self.approvals = approvals
        self.split_support = split_support
        self.names = names

    def __call__(self, level: list[int]) -> _Decision:
        names = self.names
        support = {c: self.split_support(c) for c in level}
        best = max(support.values())
        leaders = [c for c in level if support[c] == best]
        tied = f"{_join_names([names(c) for c in level])} tied on {_plural(self.approvals[level[0]], 'approval')}"
        if len(leaders) == 1:
            others = ", ".join(f"{float(support[c]):.2f}" for c in level if c != leaders[0])
            detail = (f"{tied}; {names(leaders[0])}'s backers approved fewer films "
                      f"(split support {float(best):.2f} vs {others}).")
            return _Decision(level, leaders[0], SPLIT_SUPPORT, detail)
        if len(leaders) < len(level):
            detail = (f"{tied}; {_join_names([names(c) for c in leaders])} have equal, highest split support "
                      f"({float(best):.2f}) and {names(leaders[0])} was nominated first.")
        else:
            detail = f"{tied} and equal split support; {names(leaders[0])} was nominated first."
        return _Decision(level, leaders[0], NOMINATION_ORDER, detail)


def _as_tie_break(decision: _Decision, films: list[str]) -> TieBreak:
    return TieBreak(
        step=decision.step,
        among=[films[i] for i in decision.among],
        winner=films[decision.chosen],
        detail=decision.detail,
    )


# ---------------------------------------------------------------------------------------------------
# Schulze


def _pairwise_preferences(n: int, rankings: list[list[int]]) -> list[list[int]]:
    """d[a][b]: ballots ranking a above b (a ranked film is above every unranked one).

    Counting pair by pair in Python costs ~n²/2 steps per ballot (2M for 20 films x 5,000 ballots),
    too slow for the budget. Instead each film gets a byte string with its place on every ballot, and
    "a is at place t" / "b is below place t" become bitsets over ballots (built by bytes.translate and
    int(..., 2), both in C), so d[a][b] = sum over t of popcount(at[a][t] & below[b][t]).
    """
    if n > 255:  # places must fit in a byte; nobody runs a 256-film vote, but stay correct
        return _pairwise_preferences_slowly(n, rankings)
    unranked = n
    ballots = len(rankings)
    places = [bytearray([unranked]) * ballots for _ in range(n)]
    for ballot, ranking in enumerate(rankings):
        for place, film in enumerate(ranking):
            places[film][ballot] = place

    # Ballot 0 is the most significant bit; any fixed order works as only popcounts are used.
    at_tables = [b"0" * t + b"1" + b"0" * (255 - t) for t in range(n)]  # byte value t -> "1"
    below_tables = [b"0" * (t + 1) + b"1" * (255 - t) for t in range(n)]  # values above t -> "1"
    film_places = [sorted(set(places[a]) - {unranked}) for a in range(n)]
    used_places = sorted(set().union(*film_places))
    at = [{t: int(places[a].translate(at_tables[t]), 2) for t in film_places[a]} for a in range(n)]
    below = [{t: int(places[b].translate(below_tables[t]), 2) for t in used_places} for b in range(n)]

    d = [[0] * n for _ in range(n)]
    for a in range(n):
        row = d[a]
        for b in range(n):
            if a != b:
                below_b = below[b]
                row[b] = sum((mask & below_b[t]).bit_count() for t, mask in at[a].items())
    return d


def _pairwise_preferences_slowly(n: int, rankings: list[list[int]]) -> list[list[int]]:
    d = [[0] * n for _ in range(n)]
    for ranking in rankings:
        ranked = set(ranking)
        unranked = [x for x in range(n) if x not in ranked]
        for i, a in enumerate(ranking):
            row = d[a]
            for b in ranking[i + 1:]:
                row[b] += 1
            for b in unranked:
                row[b] += 1
    return d


def _strongest_paths(d: list[list[int]]) -> list[list[int]]:
    """p[a][b]: strength of the widest path a -> b over links a->b with d[a][b] > d[b][a]."""
    n = len(d)
    p = [[d[a][b] if a != b and d[a][b] > d[b][a] else 0 for b in range(n)] for a in range(n)]
    for k in range(n):
        row_k = p[k]
        for a in range(n):
            if a == k:
                continue
            via = p[a][k]
            if not via:
                continue
            row_a = p[a]
            for b in range(n):
                if b != a and b != k:
                    width = via if via < row_k[b] else row_k[b]
                    if width > row_a[b]:
                        row_a[b] = width
    return p


def _widest_chain(d: list[list[int]], start: int, goal: int, width: int) -> list[int]:
    """A shortest chain start -> goal whose every link is a pairwise win of at least `width` votes."""
    n = len(d)
    previous: dict[int, int] = {start: start}
    queue = deque([start])
    while queue:
        a = queue.popleft()
        for b in range(n):
            if b not in previous and b != a and d[a][b] > d[b][a] and d[a][b] >= width:
                previous[b] = a
                if b == goal:
                    chain = [goal]
                    while chain[-1] != start:
                        chain.append(previous[chain[-1]])
                    return chain[::-1]
                queue.append(b)
    return [start, goal]  # unreachable when width == p[start][goal] > 0


def _schulze_lines(order: list[int], d: list[list[int]], p: list[list[int]], names: Callable[[int], str]) -> list[str]:
    winner, rivals = order[0], order[1:]
    if not rivals:
        return []
    results = []
    for r in rivals:
        us, them = d[winner][r], d[r][winner]
        verb = "beats" if us > them else "ties" if us == them else "loses to"
        results.append(f"{verb} {names(r)} {us}-{them}")
    lines = [f"{names(winner)} {', '.join(results)}"]
    not_beaten = [r for r in rivals if d[winner][r] <= d[r][winner]]
    if not not_beaten:
        return lines
    lines.append("No film beats every other head-to-head, so Schulze compares chains of wins "
                 "by their weakest link.")
    for r in not_beaten[:_MAX_CHAIN_LINES]:
        forward, back = p[winner][r], p[r][winner]
        if forward > back:
            chain = " → ".join(names(i) for i in _widest_chain(d, winner, r, forward))
            back_text = f"stronger than any chain back ({back})" if back else "with no chain back"
            lines.append(f"{chain}: weakest link {forward}, {back_text}.")
        elif forward:
            lines.append(f"{names(winner)} and {names(r)} have equally strong chains ({forward}).")
        else:
            lines.append(f"{names(winner)} and {names(r)} have no chain of wins either way.")
    if len(not_beaten) > _MAX_CHAIN_LINES:
        lines.append(f"…and {len(not_beaten) - _MAX_CHAIN_LINES} more the same way.")
    return lines
