"""Vote counting: hand-worked approval and Schulze examples, the tie rule step by step, edge cases."""
from __future__ import annotations

import random

import pytest

from bot.domain.voting import (
    APPROVAL, FIRST_PREFERENCES, HEAD_TO_HEAD, NOMINATION_ORDER, SCHULZE, SPLIT_SUPPORT, Nominee, count_approval,
    count_schulze,
)

TITLES = {"heat": "Heat", "ronin": "Ronin", "drive": "Drive"}


def ballots_from(groups: list[tuple[int, str]]) -> list[list[str]]:
    """[(5, "ACB")] -> five ballots ranking A, C, B (one letter per film)."""
    return [list(order) for count, order in groups for _ in range(count)]


# --- Approval -----------------------------------------------------------------------------------


def test_approval_counts_and_explains():
    ballots = [{"heat", "ronin"}, {"heat", "drive"}, {"heat", "ronin", "drive"}, {"heat"}, {"ronin", "drive"}]
    outcome = count_approval(["heat", "ronin", "drive"], ballots, titles=TITLES)
    assert outcome.method == APPROVAL
    assert outcome.winner == "heat"
    assert outcome.tally == {"heat": 4, "ronin": 3, "drive": 3}
    assert outcome.voters == 5
    assert outcome.tie is None  # Heat won outright
    assert outcome.explanation[0] == "Approval: Heat 4, Ronin 3, Drive 3 of 5 voters"
    assert outcome.explanation[-1] == "Winner: Heat"
    # Ronin and Drive: 3 approvals each, split support 1/2 + 1/3 + 1/2 each -> nomination order.
    assert outcome.ranking == ["heat", "ronin", "drive"]
    [second_place] = outcome.tie_breaks
    assert (second_place.step, second_place.among, second_place.winner) == (
        NOMINATION_ORDER, ["ronin", "drive"], "ronin")
    assert outcome.pairwise == {} and outcome.strongest_paths == {}


def test_approval_tie_goes_to_split_support_before_nomination_order():
    # a, b, c: 2 approvals each. a's two ballots approve only a (support 2); b and c share theirs (1 each).
    ballots = [{"a"}, {"a"}, {"b", "c"}, {"b", "c"}]
    outcome = count_approval(["b", "c", "a"], ballots)
    assert outcome.winner == "a"
    assert outcome.tie is not None
    assert outcome.tie.step == SPLIT_SUPPORT
    assert outcome.tie.among == ["b", "c", "a"]
    assert "2.00 vs 1.00, 1.00" in outcome.tie.detail
    assert outcome.tie.detail in outcome.explanation
    # b and c remain level on everything: the earlier nomination comes first.
    assert outcome.ranking == ["a", "b", "c"]
    assert outcome.tie_breaks[1].step == NOMINATION_ORDER


def test_approval_full_tie_uses_nomination_position_not_list_order():
    nominees = [Nominee("late", position=1), Nominee("early", position=0)]
    outcome = count_approval(nominees, [{"late", "early"}, {"early", "late"}])
    assert outcome.winner == "early"
    assert outcome.tie.step == NOMINATION_ORDER
    assert outcome.tie.among == ["early", "late"]
    assert "nominated first" in outcome.tie.detail


def test_approval_ignores_unknown_films_and_counts_abstentions():
    ballots = [{"heat", "withdrawn"}, {"withdrawn"}, set(), {"ronin"}]
    outcome = count_approval(["heat", "ronin"], ballots, titles=TITLES)
    assert outcome.tally == {"heat": 1, "ronin": 1}
    assert outcome.voters == 2
    assert outcome.abstentions == 2
    assert "2 ballots approved no film." in outcome.explanation
    # Heat's backer approved Heat alone once "withdrawn" is dropped, exactly like Ronin's: still level.
    assert outcome.winner == "heat" and outcome.tie.step == NOMINATION_ORDER


def test_approval_single_voter_and_single_nominee():
    solo = count_approval(["heat"], [{"heat"}], titles=TITLES)
    assert (solo.winner, solo.ranking, solo.voters, solo.tie) == ("heat", ["heat"], 1, None)
    assert solo.explanation[0] == "Approval: Heat 1 of 1 voter"
    one_voter = count_approval(["heat", "ronin", "drive"], [{"drive"}])
    assert one_voter.winner == "drive"
    assert one_voter.ranking[0] == "drive"


@pytest.mark.parametrize("ballots", [[], [set(), set()], [{"unknown"}]])
def test_approval_without_votes_has_no_winner(ballots):
    outcome = count_approval(["heat", "ronin"], ballots)
    assert outcome.no_votes
    assert outcome.winner is None
    assert outcome.ranking == ["heat", "ronin"]
    assert outcome.tally == {"heat": 0, "ronin": 0}
    assert outcome.abstentions == len(ballots)
    assert "no winner" in outcome.explanation[0]
    assert ("Nobody voted" in outcome.explanation[0]) == (not ballots)


# --- Schulze ------------------------------------------------------------------------------------

# Wikipedia, "Schulze method", example with 45 voters and candidates A-E.
WIKIPEDIA_45 = [(5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"), (7, "CAEBD"), (2, "CBADE"),
                (7, "DCEBA"), (8, "EBADC")]


def test_schulze_wikipedia_45_voter_example():
    outcome = count_schulze(list("ABCDE"), ballots_from(WIKIPEDIA_45))
    # d[a][b], worked by hand from the groups above (e.g. A over B: 5+5+3+7 = 20).
    d = {
        "A": {"B": 20, "C": 26, "D": 30, "E": 22},
        "B": {"A": 25, "C": 16, "D": 33, "E": 18},
        "C": {"A": 19, "B": 29, "D": 17, "E": 24},
        "D": {"A": 15, "B": 12, "C": 28, "E": 14},
        "E": {"A": 23, "B": 27, "C": 21, "D": 31},
    }
    assert outcome.pairwise == {(a, b): n for a, row in d.items() for b, n in row.items()}
    # Widest paths, e.g. E->C: E->D (31) then D->C (28) = 28, beating C->E directly at 24.
    p = {
        "A": {"B": 28, "C": 28, "D": 30, "E": 24},
        "B": {"A": 25, "C": 28, "D": 33, "E": 24},
        "C": {"A": 25, "B": 29, "D": 29, "E": 24},
        "D": {"A": 25, "B": 28, "C": 28, "E": 24},
        "E": {"A": 25, "B": 28, "C": 28, "D": 31},
    }
    assert outcome.strongest_paths == {(a, b): n for a, row in p.items() for b, n in row.items()}
    assert outcome.winner == "E"
    assert outcome.ranking == ["E", "A", "C", "B", "D"]
    assert outcome.tie is None and outcome.tie_breaks == []
    assert outcome.voters == 45
    assert outcome.tally == {"A": 10, "B": 8, "C": 12, "D": 7, "E": 8}
    # E loses to C head-to-head, so the explanation shows the chain that makes up for it.
    assert "E beats A 23-22, loses to C 21-24, beats B 27-18, beats D 31-14" in outcome.explanation
    assert "E → D → C: weakest link 28, stronger than any chain back (24)." in outcome.explanation


def test_schulze_condorcet_winner_explained_compactly():
    ballots = [["heat", "ronin", "drive"], ["heat", "drive", "ronin"], ["heat", "ronin", "drive"],
               ["ronin", "heat", "drive"], ["drive", "ronin", "heat"]]
    outcome = count_schulze(["drive", "ronin", "heat"], ballots, titles=TITLES)
    assert outcome.method == SCHULZE
    assert outcome.ranking == ["heat", "ronin", "drive"]
    assert outcome.explanation == [
        "Ranked (Schulze), 5 voters. First choices: Heat 3, Ronin 1, Drive 1",
        "Heat beats Ronin 3-2, beats Drive 4-1",
        "Winner: Heat",
    ]


def test_schulze_head_to_head_breaks_a_path_tie():
    # d: A>B 3-2, B>C 4-1, C>A 3-2. Paths: A->B 3 vs B->C->A 3 (level), A->C 3 vs C->A 3 (level),
    # B->C 4 vs C->A->B 3 (B ahead of C). Unbeaten: A and B; A beats B head-to-head 3-2.
    ballots = ballots_from([(2, "ABC"), (2, "BCA"), (1, "CAB")])
    outcome = count_schulze(["B", "A", "C"], ballots)
    assert outcome.strongest_paths[("A", "B")] == outcome.strongest_paths[("B", "A")] == 3
    assert outcome.winner == "A"
    assert (outcome.tie.step, outcome.tie.among, outcome.tie.winner) == (HEAD_TO_HEAD, ["B", "A"], "A")
    assert outcome.tie.detail == "B and A were level. A beats B head-to-head 3-2."
    assert outcome.ranking == ["A", "B", "C"]


def test_schulze_first_preferences_break_a_perfect_cycle():
    # A cycle A>B>C>A, each 4-3, plus reversed pairs that cancel pairwise: every path is 4.
    # First choices: A 3 (ABC, ABC, ACB), B 2, C 2.
    ballots = ballots_from([(2, "ABC"), (1, "ACB"), (2, "BCA"), (1, "CAB"), (1, "CBA")])
    outcome = count_schulze(["C", "B", "A"], ballots)
    assert set(outcome.strongest_paths.values()) == {4}
    assert outcome.winner == "A"
    assert outcome.tie.step == FIRST_PREFERENCES
    assert outcome.tie.among == ["C", "B", "A"]
    # B and C are still level on paths; B beats C 4-3 directly.
    assert outcome.ranking == ["A", "B", "C"]
    assert outcome.tie_breaks[1].step == HEAD_TO_HEAD
    assert outcome.tie_breaks[1].among == ["C", "B"]


def test_schulze_first_preferences_narrow_then_head_to_head_decides():
    # Cycle A>B>C>A, each 3-2, all paths 3. First choices A 2, B 2, C 1 keep A and B; A beats B 3-2.
    ballots = ballots_from([(1, "ABC"), (2, "BCA"), (1, "CAB"), (1, "ACB")])
    outcome = count_schulze(["B", "C", "A"], ballots)
    assert outcome.winner == "A"
    assert outcome.tie.step == HEAD_TO_HEAD
    assert outcome.tie.among == ["B", "C", "A"]
    assert outcome.tie.detail == (
        "B, C and A were level. No film beats all the others head-to-head; B and A have the most first "
        "choices (2). A beats B head-to-head 3-2.")


def test_schulze_symmetric_cycle_falls_back_to_nomination_order():
    outcome = count_schulze(["B", "C", "A"], ballots_from([(1, "ABC"), (1, "BCA"), (1, "CAB")]))
    assert outcome.winner == "B"
    assert outcome.tie.step == NOMINATION_ORDER
    assert outcome.ranking == ["B", "C", "A"]
    assert any("equally strong chains" in line for line in outcome.explanation)


def test_schulze_chain_explanation_without_a_chain_back():
    # A ties C 2-2 directly; A -> B -> C (3, 3) and nothing reaches A: "with no chain back".
    outcome = count_schulze(list("ABCD"), ballots_from([(1, "ABCD"), (1, "BCAD"), (1, "CABD"), (1, "DABC")]))
    assert outcome.winner == "A"
    assert "A beats B 3-1, ties C 2-2, beats D 3-1" in outcome.explanation
    assert "A → B → C: weakest link 3, with no chain back." in outcome.explanation


def test_schulze_partial_ballots_rank_unranked_films_below():
    outcome = count_schulze(["a", "b", "c"], [["c"], ["b", "a"]])
    d = outcome.pairwise
    assert (d[("c", "a")], d[("c", "b")], d[("a", "c")], d[("b", "c")]) == (1, 1, 1, 1)
    assert (d[("b", "a")], d[("a", "b")]) == (1, 0)
    assert outcome.ranking[:2] == ["b", "c"] or outcome.ranking[:2] == ["c", "b"]
    assert outcome.tally == {"a": 0, "b": 1, "c": 1}


def test_schulze_ignores_unknown_films_and_repeats():
    clean = count_schulze(["a", "b", "c"], [["b", "a"], ["c"]])
    messy = count_schulze(["a", "b", "c"], [["gone", "b", "b", "a", "gone"], ["c", "c"], ["gone"]])
    assert messy.pairwise == clean.pairwise
    assert (messy.voters, messy.abstentions) == (2, 1)
    assert "1 ballot ranked no film." in messy.explanation


def test_schulze_single_voter_and_single_nominee():
    solo = count_schulze(["heat"], [["heat"]])
    assert (solo.winner, solo.ranking, solo.pairwise, solo.no_votes) == ("heat", ["heat"], {}, False)
    one_voter = count_schulze(["a", "b", "c"], [["c", "a", "b"]])
    assert one_voter.ranking == ["c", "a", "b"]
    assert one_voter.tie is None


@pytest.mark.parametrize("ballots", [[], [[], []], [["unknown"]]])
def test_schulze_without_votes_has_no_winner(ballots):
    outcome = count_schulze(["a", "b"], ballots)
    assert outcome.no_votes and outcome.winner is None
    assert outcome.ranking == ["a", "b"]
    assert outcome.voters == 0
    assert "no winner" in outcome.explanation[0]


def test_no_nominees():
    outcome = count_schulze([], [["a"]])
    assert outcome.winner is None and outcome.no_votes
    assert outcome.explanation == ["No films were nominated, so there is no winner."]


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="nominated twice"):
        count_approval(["a", "b", "a"], [])
    with pytest.raises(TypeError):
        count_schulze(["a"], ["a"])  # a bare string is not a ballot
    with pytest.raises(TypeError):
        count_approval(["a"], ["a"])


def _reference_pairwise(films: list[str], ballots: list[list[str]]) -> dict[tuple[str, str], int]:
    """Straight from the definition: a above b if ranked higher, or ranked while b is not."""
    d = {(a, b): 0 for a in films for b in films if a != b}
    for ballot in ballots:
        place = {}
        for film in ballot:
            if film in films and film not in place:
                place[film] = len(place)
        for a, b in d:
            if a in place and (b not in place or place[a] < place[b]):
                d[(a, b)] += 1
    return d


def test_fast_pairwise_matches_the_definition_on_random_ballots():
    rng = random.Random(7)
    for _ in range(25):
        films = [f"f{i}" for i in range(rng.randint(2, 9))]
        ballots = [rng.sample(films + ["ghost"], rng.randint(0, len(films))) for _ in range(rng.randint(1, 40))]
        outcome = count_schulze(films, ballots)
        if outcome.no_votes:
            continue
        assert outcome.pairwise == _reference_pairwise(films, ballots)
        # The ranking never puts a film above one with a strictly stronger path over it.
        p, ranking = outcome.strongest_paths, outcome.ranking
        for i, a in enumerate(ranking):
            for b in ranking[i + 1:]:
                assert p[(a, b)] >= p[(b, a)]


def test_twenty_films_five_thousand_ballots_are_all_counted():
    """The largest night a ballot allows (20 nominees) with 5,000 voters: every ballot counted, the winner
    the one the tallies name. How fast is scripts/benchmark_voting.py's business, not a test's."""
    rng = random.Random(1)
    films = [f"film-{i}" for i in range(20)]
    ranked = [rng.sample(films, 20) for _ in range(5000)]
    approved = [set(rng.sample(films, rng.randint(1, 20))) for _ in range(5000)]
    schulze = count_schulze(films, ranked)
    assert schulze.voters == 5000
    approval = count_approval(films, approved)
    assert approval.voters == 5000
    tallies = {f: sum(f in b for b in approved) for f in films}
    assert tallies[approval.winner] == max(tallies.values())
