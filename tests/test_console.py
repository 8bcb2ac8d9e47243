"""The console: same commands, same checks, text and JSON answers, from the real database."""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.composition import run_console
from bot.console import user_id_for
from bot.core.settings import load_settings

if TYPE_CHECKING:
    from tests.conftest import Console


async def test_similar_in_json_lists_films_with_scores_and_reasons(console: Console) -> None:
    [answer] = await console(['/similar film:"kill-bill-volume-1-2003" count:5'])
    result = answer["result"]
    assert answer["ephemeral"] is False
    assert result["type"] == "similar_answer"
    assert result["film"]["title"] == "Kill Bill: Volume 1"
    assert 1 <= len(result["items"]) <= 5
    for item in result["items"]:
        assert {"id", "title", "year"} <= set(item["film"])
        assert 0 <= item["score"] <= 100
        assert all({"kind", "text"} <= set(r) for r in item["reasons"])


async def test_options_are_checked_like_discord_checks_them(console: Console) -> None:
    answers = await console(['/similar film:"Heat" count:50', "/nosuch", '/similar flim:"Heat"',
                             '/rate film:"Heat"'])
    texts = [a["result"]["message"] for a in answers]
    assert all(a["ephemeral"] for a in answers)
    assert "between 1 and 10" in texts[0]
    assert "not a Marquee command" in texts[1]
    assert "no option flim" in texts[2]
    assert "needs `stars`" in texts[3]


async def test_ambiguous_title_prompts_and_press_picks(console: Console) -> None:
    [prompt] = await console(['/film title:"Oldboy"'])
    assert prompt["result"]["type"] == "disambiguation"
    years = sorted(c["year"] for c in prompt["result"]["candidates"])
    assert years == [2003, 2013]
    choice = prompt["result"]["choice_ids"][[c["year"] for c in prompt["result"]["candidates"]].index(2013)]
    # A later console session (a restart) can still press the button: the state is in the database.
    [card] = await console([f"press {choice}"])
    assert card["result"]["type"] == "film_card"
    assert card["result"]["film"]["year"] == 2013


async def test_text_mode_renders_embeds_and_buttons(console: Console) -> None:
    [text] = await console(['/similar film:"kill-bill-volume-1-2003" count:2'], as_json=False)
    assert "== Films like Kill Bill: Volume 1 (2003) ==" in text  # an embed
    [card] = await console(['/film title:"kill-bill-volume-1-2003"'], as_json=False)
    # A Components V2 card (the same result object): framed, its heading unmarked, its buttons inside.
    lines = card.splitlines()
    assert lines[0].startswith("┌") and lines[1] == "│ Kill Bill: Volume 1 (2003)"
    assert "Quentin Tarantino" in card
    assert next(line for line in lines if "[➕ Watchlist]" in line).startswith("│ ")


async def test_as_user_keeps_lists_apart(console: Console) -> None:
    await console(['/watchlist add film:"kill-bill-volume-1-2003"'], user="alice")
    [mine] = await console(["/watchlist show"], user="alice")
    [theirs] = await console(["/watchlist show"], user="bob")
    assert [f["title"] for f in mine["result"]["films"]] == ["Kill Bill: Volume 1"]
    assert theirs["result"]["films"] == []
    assert user_id_for("alice") != user_id_for("bob")


async def test_a_broken_line_does_not_stop_the_console(console: Console) -> None:
    answers = await console(['/film title:"unclosed', "/help"])
    assert "quotes" in answers[0]["result"]["message"]
    assert answers[1]["result"]["type"] == "help_result"


async def test_an_unexpected_error_becomes_an_apology_with_an_error_id(app, caplog: pytest.LogCaptureFixture) -> None:
    from bot.console import Console
    from bot.discord.client import MarqueeBot

    bot = MarqueeBot(load_settings({}), app, serving=False)
    await bot.load_cogs()
    out = io.StringIO()
    console = Console(app, bot.tree, user="console", as_json=True, out=out)

    async def broken(actor, **options):
        raise RuntimeError("database on fire")

    app.handlers.commands["help"] = broken
    await console.handle("/help")
    await bot.http.close()
    answer = json.loads(out.getvalue())
    assert answer["ephemeral"] is True
    error_id = answer["result"]["error_id"]
    assert len(error_id) == 8 and "database on fire" not in answer["result"]["message"]
    # The log has the id, the context and the traceback; the user only sees the id.
    assert error_id in caplog.text and "/help" in caplog.text and "database on fire" in caplog.text


async def test_a_title_with_a_trailing_space_still_gets_working_choice_buttons(console: Console) -> None:
    # The prompt once found "its" option by comparing the typed value with the stripped query, so
    # `title:"Ballerina "` made every button answer "That choice is not valid any more".
    [prompt] = await console(['/film title:"Ballerina "'])
    assert prompt["result"]["type"] == "disambiguation" and prompt["result"]["query"] == "Ballerina"
    [card] = await console([f"press {prompt['result']['choice_ids'][0]}"])
    assert card["result"]["type"] == "film_card"
    assert card["result"]["film"]["title"] == "Ballerina"


async def test_text_mode_shows_dates_and_names_not_discord_markup(console: Console) -> None:
    [text] = await console(['/movienight start title:"Friday" when:"in 3h"'], as_json=False, user="dana")
    assert "<t:" not in text and "<@" not in text
    assert "Host: @dana" in text
    [raw] = await console(["/movienight cancel"], user="dana")  # the night must not stay open
    assert raw["result"]["type"] == "night_notice"
    [json_view] = await console(['/movienight start title:"Later" when:"in 3h"'], user="dana")
    assert json_view["result"]["night"]["host_id"] == user_id_for("dana")  # JSON keeps the raw values


async def test_member_mode_acts_without_manager_permissions(db_path: Path) -> None:
    out = io.StringIO()
    settings = load_settings({"DATABASE_PATH": str(db_path)})
    await run_console(settings, user="erin", as_json=True, member=True,
                      stdin=io.StringIO('/settings region:GB\n/catalog stats\n/settings\n'), out=out)
    refused, catalogue, shown = (json.loads(line) for line in out.getvalue().splitlines())
    assert refused["result"]["title"] == "Not allowed" and "Manage Server" in refused["result"]["message"]
    assert catalogue["result"]["title"] == "Not allowed"
    assert shown["result"]["type"] == "settings_view"


async def test_mistakes_are_titled_by_what_went_wrong(console: Console) -> None:
    answers = await console(['/rate film:"Heat" stars:6', "/nosuch", '/similar flim:"Heat"'])
    assert [a["result"]["title"] for a in answers] == ["Out of range", "Unknown command", "Unknown option"]
    assert "between 1 and 5" in answers[0]["result"]["message"]


async def test_a_typo_gets_a_did_you_mean_prompt_whose_first_button_opens_the_film(console: Console) -> None:
    # "fury raod" once answered "Film not found"; resembling text must never open another film either.
    [prompt] = await console(['/film title:"fury raod"'])
    result = prompt["result"]
    assert prompt["ephemeral"] is True
    assert result["type"] == "disambiguation" and result["kind"] == "suggestion"
    assert result["candidates"][0]["id"] == "mad-max-fury-road-2015"
    [card] = await console([f"press {result['choice_ids'][0]}"])
    assert card["result"]["type"] == "film_card"
    assert card["result"]["film"]["id"] == "mad-max-fury-road-2015"
    [text] = await console(['/film title:"jon wick"'], as_json=False)
    assert "== Did you mean…? ==" in text and "No film is called exactly “jon wick”." in text
    assert "[1. John Wick (2014)]" in text  # the film meant is the first button


async def test_a_file_on_this_machine_stands_in_for_an_attachment(console: Console, tmp_path: Path) -> None:
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("Date,Name,Year,Letterboxd URI,Rating\n2024-01-01,Heat,1995,https://boxd.it/x,4.5\n")
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (10 * 1024 * 1024 + 1))
    answers = await console([f"/import file:@{ratings}", f"/import file:@{big}",
                             f"/import file:@{tmp_path / 'missing.zip'}", f"/import file:{ratings}",
                             f"/import file:@{tmp_path}"])
    imported, too_big, missing, no_at, folder = answers
    result = imported["result"]
    assert imported["ephemeral"] and result["type"] == "history_import", imported
    assert (result["files"], result["seen_added"], result["ratings_added"]) == (["ratings.csv"], 1, 1)
    assert [a["result"]["title"] for a in (too_big, missing, no_at, folder)] == [
        "File too large", "No such file", "Attach a file", "No such file"]
    assert "10 MiB" in too_big["result"]["message"]
