"""Discord's payload limits, checked the way Discord checks them.

discord.py sends almost anything it is given; Discord answers a broken payload with
HTTP 400 code 50035 "Invalid Form Body" and a nested ``errors`` object that mirrors the
payload (``{"embeds": {"0": {"title": {"_errors": [...]}}}}``). These checks rebuild that
object so the bot under test sees the same failure it would see in production.

Every ``validate_*`` function appends to a :class:`FormErrors`; the caller decides what to
do when it is non-empty. Limits come from /work/shared/notes/discord-platform.md.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import urlparse

# --- limits -----------------------------------------------------------------------------

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBEDS_TOTAL_MAX = 6000
URL_MAX = 2048

ACTION_ROWS_MAX = 5
BUTTONS_PER_ROW_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_OPTION_TEXT_MAX = 100
SELECT_PLACEHOLDER_MAX = 150
COMPONENTS_V2_TOTAL_MAX = 40
TEXT_DISPLAY_TOTAL_MAX = 4000
MEDIA_DESCRIPTION_MAX = 1024  # thumbnail and media gallery item alt text

MODAL_TITLE_MAX = 45
MODAL_COMPONENTS_MAX = 5
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_VALUE_MAX = 4000
TEXT_INPUT_PLACEHOLDER_MAX = 100

AUTOCOMPLETE_CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_STRING_VALUE_MAX = 100

COMMAND_NAME_MAX = 32
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
COMMAND_CHOICES_MAX = 25
COMMAND_TOTAL_TEXT_MAX = 8000
CHAT_INPUT_COMMANDS_MAX = 100
CONTEXT_MENU_COMMANDS_MAX = 15
OPTION_STRING_LENGTH_MAX = 6000
# Discord stores integer/number option bounds as JavaScript-safe numbers.
NUMBER_OPTION_BOUND = 2**53

POLL_QUESTION_MAX = 300
POLL_ANSWER_MAX = 55
POLL_ANSWERS_MAX = 10
POLL_DURATION_HOURS_MAX = 768

EVENT_NAME_MAX = 100
EVENT_DESCRIPTION_MAX = 1000
EVENT_LOCATION_MAX = 100

ATTACHMENTS_MAX = 10

# Message flags a bot may set on a message it sends.
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_IS_COMPONENTS_V2 = 1 << 15
SENDABLE_FLAGS = FLAG_SUPPRESS_EMBEDS | FLAG_EPHEMERAL | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2

# Application command option types.
OPT_SUB_COMMAND = 1
OPT_SUB_COMMAND_GROUP = 2
OPT_STRING = 3
OPT_INTEGER = 4
OPT_BOOLEAN = 5
OPT_USER = 6
OPT_CHANNEL = 7
OPT_ROLE = 8
OPT_MENTIONABLE = 9
OPT_NUMBER = 10
OPT_ATTACHMENT = 11
OPTION_TYPE_NAMES = {
    1: "SUB_COMMAND", 2: "SUB_COMMAND_GROUP", 3: "STRING", 4: "INTEGER", 5: "BOOLEAN", 6: "USER",
    7: "CHANNEL", 8: "ROLE", 9: "MENTIONABLE", 10: "NUMBER", 11: "ATTACHMENT",
}

# Component types.
C_ACTION_ROW, C_BUTTON, C_STRING_SELECT, C_TEXT_INPUT = 1, 2, 3, 4
C_USER_SELECT, C_ROLE_SELECT, C_MENTIONABLE_SELECT, C_CHANNEL_SELECT = 5, 6, 7, 8
C_SECTION, C_TEXT_DISPLAY, C_THUMBNAIL, C_MEDIA_GALLERY, C_FILE, C_SEPARATOR = 9, 10, 11, 12, 13, 14
C_CONTAINER, C_LABEL = 17, 18
SELECT_TYPES = {C_STRING_SELECT, C_USER_SELECT, C_ROLE_SELECT, C_MENTIONABLE_SELECT, C_CHANNEL_SELECT}
V2_TOP_LEVEL_TYPES = {C_ACTION_ROW, C_SECTION, C_TEXT_DISPLAY, C_MEDIA_GALLERY, C_FILE, C_SEPARATOR, C_CONTAINER}
V2_CONTAINER_CHILD_TYPES = {C_ACTION_ROW, C_SECTION, C_TEXT_DISPLAY, C_MEDIA_GALLERY, C_FILE, C_SEPARATOR}


# --- error collection -------------------------------------------------------------------

Path = Tuple[Any, ...]


class FormErrors:
    """Collects errors by payload path and renders Discord's nested ``errors`` object."""

    def __init__(self) -> None:
        self.items: List[Tuple[Path, str, str]] = []

    def add(self, path: Sequence[Any], code: str, message: str) -> None:
        self.items.append((tuple(path), code, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def to_discord(self) -> Dict[str, Any]:
        tree: Dict[str, Any] = {}
        for path, code, message in self.items:
            node = tree
            for key in path:
                node = node.setdefault(str(key), {})
            node.setdefault("_errors", []).append({"code": code, "message": message})
        return tree

    def describe(self) -> List[str]:
        """One readable line per error, e.g. ``embeds.0.title: Must be 256 or fewer in length.``"""
        return [f"{'.'.join(map(str, path)) or '<root>'}: {message} ({code})" for path, code, message in self.items]

    def body(self) -> Dict[str, Any]:
        return {"code": 50035, "message": "Invalid Form Body", "errors": self.to_discord()}


# --- small checks -----------------------------------------------------------------------


def _check_text(
    errors: FormErrors, path: Path, value: Any, *, max_len: int, min_len: int = 0, required: bool = False
) -> None:
    """A string field: Discord reports missing, wrong type, too short and too long separately."""
    if value is None:
        if required:
            errors.add(path, "BASE_TYPE_REQUIRED", "This field is required")
        return
    if not isinstance(value, str):
        errors.add(path, "BASE_TYPE_STRING", "Must be a string.")
        return
    if min_len and len(value) < min_len:
        if min_len == 1 and not value:
            errors.add(path, "BASE_TYPE_REQUIRED", "This field is required")
        else:
            errors.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {min_len} and {max_len} in length.")
    elif len(value) > max_len:
        if min_len:
            errors.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {min_len} and {max_len} in length.")
        else:
            errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {max_len} or fewer in length.")


def _check_list(errors: FormErrors, path: Path, value: Any, *, max_len: int, min_len: int = 0) -> List[Any]:
    if value is None:
        if min_len:
            errors.add(path, "BASE_TYPE_REQUIRED", "This field is required")
        return []
    if not isinstance(value, list):
        errors.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
        return []
    if len(value) > max_len:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {max_len} or fewer in length.")
    elif len(value) < min_len:
        errors.add(path, "BASE_TYPE_MIN_LENGTH", f"Must be {min_len} or more in length.")
    return value


def _check_int(
    errors: FormErrors, path: Path, value: Any, *, lo: Optional[int] = None, hi: Optional[int] = None
) -> None:
    if value is None:
        return
    # JSON has one number type: a whole float such as discord.py's poll duration 1.0 is accepted.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(path, "NUMBER_TYPE_COERCE", f"Value \"{value}\" is not int.")
        return
    if lo is not None and value < lo:
        errors.add(path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {lo}.")
    if hi is not None and value > hi:
        errors.add(path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {hi}.")


def _check_url(errors: FormErrors, path: Path, value: Any, *, schemes: Iterable[str] = ("http", "https")) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value:
        errors.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")
        return
    if len(value) > URL_MAX:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {URL_MAX} or fewer in length.")
        return
    parsed = urlparse(value)
    allowed = tuple(schemes)
    if parsed.scheme not in allowed:
        errors.add(
            path,
            "URL_TYPE_INVALID_SCHEME",
            f'Scheme "{parsed.scheme}" is not supported. Scheme must be one of {allowed}.',
        )
    elif parsed.scheme != "attachment" and not parsed.netloc:
        errors.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")


def _is_snowflake(value: Any) -> bool:
    try:
        return int(value) > 0
    except (TypeError, ValueError):
        return False


# --- messages ---------------------------------------------------------------------------


def embed_text_length(embed: Dict[str, Any]) -> int:
    """The characters Discord counts against the 6000 limit for one embed."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    for field in embed.get("fields") or []:
        if isinstance(field, dict):
            total += len(field.get("name") or "") + len(field.get("value") or "")
    footer = embed.get("footer")
    if isinstance(footer, dict):
        total += len(footer.get("text") or "")
    author = embed.get("author")
    if isinstance(author, dict):
        total += len(author.get("name") or "")
    return total


def validate_embeds(embeds: Any, errors: FormErrors, path: Path = ("embeds",)) -> None:
    embeds = _check_list(errors, path, embeds, max_len=EMBEDS_MAX)
    total = 0
    image_schemes = ("http", "https", "attachment")
    for index, embed in enumerate(embeds):
        here = path + (index,)
        if not isinstance(embed, dict):
            errors.add(here, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
            continue
        total += embed_text_length(embed)
        _check_text(errors, here + ("title",), embed.get("title"), max_len=EMBED_TITLE_MAX)
        _check_text(errors, here + ("description",), embed.get("description"), max_len=EMBED_DESCRIPTION_MAX)
        _check_url(errors, here + ("url",), embed.get("url"))
        colour = embed.get("color")
        _check_int(errors, here + ("color",), colour, lo=0, hi=0xFFFFFF)
        timestamp = embed.get("timestamp")
        if timestamp is not None:
            try:
                _dt.datetime.fromisoformat(str(timestamp).replace("Z", "+00:00"))
            except ValueError:
                errors.add(here + ("timestamp",), "DATE_TYPE_PARSE", f'Could not parse {timestamp}. Should be ISO8601.')
        fields = _check_list(errors, here + ("fields",), embed.get("fields"), max_len=EMBED_FIELDS_MAX)
        for f_index, field in enumerate(fields):
            f_path = here + ("fields", f_index)
            if not isinstance(field, dict):
                errors.add(f_path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
                continue
            _check_text(errors, f_path + ("name",), field.get("name"), max_len=EMBED_FIELD_NAME_MAX, min_len=1, required=True)
            _check_text(errors, f_path + ("value",), field.get("value"), max_len=EMBED_FIELD_VALUE_MAX, min_len=1, required=True)
        footer = embed.get("footer")
        if isinstance(footer, dict):
            _check_text(errors, here + ("footer", "text"), footer.get("text"), max_len=EMBED_FOOTER_MAX, min_len=1, required=True)
            _check_url(errors, here + ("footer", "icon_url"), footer.get("icon_url"), schemes=image_schemes)
        author = embed.get("author")
        if isinstance(author, dict):
            _check_text(errors, here + ("author", "name"), author.get("name"), max_len=EMBED_AUTHOR_MAX, min_len=1, required=True)
            _check_url(errors, here + ("author", "url"), author.get("url"))
            _check_url(errors, here + ("author", "icon_url"), author.get("icon_url"), schemes=image_schemes)
        for media in ("image", "thumbnail"):
            block = embed.get(media)
            if isinstance(block, dict):
                _check_url(errors, here + (media, "url"), block.get("url"), schemes=image_schemes)
    if total > EMBEDS_TOTAL_MAX:
        errors.add(path, "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBEDS_TOTAL_MAX}")


def _check_custom_id(errors: FormErrors, path: Path, component: Dict[str, Any], seen: Dict[str, Path]) -> None:
    custom_id = component.get("custom_id")
    _check_text(errors, path + ("custom_id",), custom_id, max_len=CUSTOM_ID_MAX, min_len=1, required=True)
    if isinstance(custom_id, str) and custom_id:
        if custom_id in seen:
            errors.add(path + ("custom_id",), "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
        seen[custom_id] = path


def _validate_button(errors: FormErrors, path: Path, button: Dict[str, Any], seen: Dict[str, Path]) -> None:
    style = button.get("style")
    if style not in (1, 2, 3, 4, 5, 6):
        errors.add(path + ("style",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}.")
        return
    _check_text(errors, path + ("label",), button.get("label"), max_len=BUTTON_LABEL_MAX)
    if style == 5:
        if button.get("custom_id") is not None:
            errors.add(path + ("custom_id",), "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED", "A link button cannot have a custom id.")
        if not button.get("url"):
            errors.add(path + ("url",), "BUTTON_COMPONENT_URL_REQUIRED", "A link button requires a url.")
        else:
            _check_url(errors, path + ("url",), button.get("url"), schemes=("http", "https", "discord"))
    elif style == 6:
        if not _is_snowflake(button.get("sku_id")):
            errors.add(path + ("sku_id",), "BASE_TYPE_REQUIRED", "This field is required")
    else:
        if button.get("url") is not None:
            errors.add(path + ("url",), "BUTTON_COMPONENT_URL_NOT_ALLOWED", "Only link buttons may have a url.")
        _check_custom_id(errors, path, button, seen)
    if style != 6 and not button.get("label") and not button.get("emoji"):
        errors.add(path, "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED", "A button needs a label or an emoji.")


def _validate_select(errors: FormErrors, path: Path, select: Dict[str, Any], seen: Dict[str, Path]) -> None:
    _check_custom_id(errors, path, select, seen)
    _check_text(errors, path + ("placeholder",), select.get("placeholder"), max_len=SELECT_PLACEHOLDER_MAX)
    min_values = select.get("min_values", 1)
    max_values = select.get("max_values", 1)
    _check_int(errors, path + ("min_values",), min_values, lo=0, hi=25)
    _check_int(errors, path + ("max_values",), max_values, lo=1, hi=25)
    if isinstance(min_values, int) and isinstance(max_values, int) and min_values > max_values:
        errors.add(path + ("min_values",), "SELECT_COMPONENT_MIN_VALUES_GREATER_THAN_MAX", "min_values cannot exceed max_values.")
    if select.get("type") != C_STRING_SELECT:
        return
    options = _check_list(errors, path + ("options",), select.get("options"), max_len=SELECT_OPTIONS_MAX, min_len=1)
    if isinstance(max_values, int) and options and max_values > len(options):
        errors.add(
            path + ("max_values",),
            "SELECT_COMPONENT_MAX_VALUES_EXCEEDS_OPTIONS",
            f"max_values ({max_values}) cannot exceed the number of options ({len(options)}).",
        )
    values_seen = set()
    defaults = 0
    for o_index, option in enumerate(options):
        o_path = path + ("options", o_index)
        if not isinstance(option, dict):
            errors.add(o_path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
            continue
        _check_text(errors, o_path + ("label",), option.get("label"), max_len=SELECT_OPTION_TEXT_MAX, min_len=1, required=True)
        _check_text(errors, o_path + ("value",), option.get("value"), max_len=SELECT_OPTION_TEXT_MAX, min_len=1, required=True)
        _check_text(errors, o_path + ("description",), option.get("description"), max_len=SELECT_OPTION_TEXT_MAX)
        value = option.get("value")
        if value in values_seen:
            errors.add(o_path + ("value",), "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED", "Select option values must be unique.")
        values_seen.add(value)
        defaults += bool(option.get("default"))
    if isinstance(max_values, int) and defaults > max_values:
        errors.add(path + ("options",), "SELECT_COMPONENT_TOO_MANY_DEFAULTS", "More default options than max_values.")


def _validate_action_row(
    errors: FormErrors, path: Path, row: Dict[str, Any], seen: Dict[str, Path], *, in_modal: bool = False
) -> int:
    """Returns the number of components inside the row (for the V2 total count)."""
    children = _check_list(errors, path + ("components",), row.get("components"), max_len=BUTTONS_PER_ROW_MAX, min_len=1)
    types = [c.get("type") if isinstance(c, dict) else None for c in children]
    if any(t in SELECT_TYPES or t == C_TEXT_INPUT for t in types) and len(children) > 1:
        errors.add(path + ("components",), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
    for c_index, child in enumerate(children):
        c_path = path + ("components", c_index)
        c_type = types[c_index]
        if c_type == C_BUTTON and not in_modal:
            _validate_button(errors, c_path, child, seen)
        elif c_type in SELECT_TYPES:
            _validate_select(errors, c_path, child, seen)
        elif c_type == C_TEXT_INPUT and in_modal:
            _validate_text_input(errors, c_path, child, seen, label_required=True)
        else:
            errors.add(c_path + ("type",), "COMPONENT_TYPE_INVALID", f"Component type {c_type} is not allowed here.")
    return len(children)


def _validate_v2_component(
    errors: FormErrors, path: Path, component: Any, seen: Dict[str, Path], allowed: set, text_total: List[int]
) -> int:
    if not isinstance(component, dict):
        errors.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
        return 0
    c_type = component.get("type")
    if c_type not in allowed:
        errors.add(path + ("type",), "COMPONENT_TYPE_INVALID", f"Component type {c_type} is not allowed here.")
        return 1
    if c_type == C_ACTION_ROW:
        return 1 + _validate_action_row(errors, path, component, seen)
    if c_type == C_TEXT_DISPLAY:
        content = component.get("content")
        _check_text(errors, path + ("content",), content, max_len=TEXT_DISPLAY_TOTAL_MAX, min_len=1, required=True)
        text_total[0] += len(content or "") if isinstance(content, str) else 0
        return 1
    if c_type == C_SECTION:
        count = 1
        texts = _check_list(errors, path + ("components",), component.get("components"), max_len=3, min_len=1)
        for index, text in enumerate(texts):
            count += _validate_v2_component(errors, path + ("components", index), text, seen, {C_TEXT_DISPLAY}, text_total)
        accessory = component.get("accessory")
        if not isinstance(accessory, dict):
            errors.add(path + ("accessory",), "BASE_TYPE_REQUIRED", "This field is required")
        elif accessory.get("type") == C_BUTTON:
            _validate_button(errors, path + ("accessory",), accessory, seen)
            count += 1
        elif accessory.get("type") == C_THUMBNAIL:
            _check_url(errors, path + ("accessory", "media", "url"), (accessory.get("media") or {}).get("url"),
                       schemes=("http", "https", "attachment"))
            _check_text(errors, path + ("accessory", "description"), accessory.get("description"),
                        max_len=MEDIA_DESCRIPTION_MAX)
            count += 1
        else:
            errors.add(path + ("accessory", "type"), "COMPONENT_TYPE_INVALID", "Accessory must be a button or thumbnail.")
        return count
    if c_type == C_MEDIA_GALLERY:
        items = _check_list(errors, path + ("items",), component.get("items"), max_len=10, min_len=1)
        for index, item in enumerate(items):
            _check_url(errors, path + ("items", index, "media", "url"), ((item or {}).get("media") or {}).get("url"),
                       schemes=("http", "https", "attachment"))
            _check_text(errors, path + ("items", index, "description"), (item or {}).get("description"),
                        max_len=MEDIA_DESCRIPTION_MAX)
        return 1
    if c_type == C_FILE:
        _check_url(errors, path + ("file", "url"), (component.get("file") or {}).get("url"), schemes=("attachment",))
        return 1
    if c_type == C_SEPARATOR:
        if component.get("spacing", 1) not in (1, 2):
            errors.add(path + ("spacing",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2}.")
        return 1
    if c_type == C_CONTAINER:
        count = 1
        children = _check_list(errors, path + ("components",), component.get("components"), max_len=COMPONENTS_V2_TOTAL_MAX, min_len=1)
        for index, child in enumerate(children):
            count += _validate_v2_component(errors, path + ("components", index), child, seen, V2_CONTAINER_CHILD_TYPES, text_total)
        _check_int(errors, path + ("accent_color",), component.get("accent_color"), lo=0, hi=0xFFFFFF)
        return count
    return 1


def validate_components(components: Any, errors: FormErrors, path: Path = ("components",), *, v2: bool = False) -> None:
    """Message components. ``v2`` is the IS_COMPONENTS_V2 flag (layout components, 40 in all)."""
    seen: Dict[str, Path] = {}
    if not v2:
        rows = _check_list(errors, path, components, max_len=ACTION_ROWS_MAX)
        for index, row in enumerate(rows):
            r_path = path + (index,)
            if not isinstance(row, dict) or row.get("type") != C_ACTION_ROW:
                errors.add(r_path + ("type",), "UNION_TYPE_CHOICES",
                           "Top-level components must be action rows unless the IS_COMPONENTS_V2 flag is set.")
                continue
            _validate_action_row(errors, r_path, row, seen)
        return
    top = _check_list(errors, path, components, max_len=COMPONENTS_V2_TOTAL_MAX)
    _check_component_ids(errors, path, top)
    text_total = [0]
    count = 0
    for index, component in enumerate(top):
        count += _validate_v2_component(errors, path + (index,), component, seen, V2_TOP_LEVEL_TYPES, text_total)
    if count > COMPONENTS_V2_TOTAL_MAX:
        errors.add(path, "COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED",
                   f"The message has {count} components; at most {COMPONENTS_V2_TOTAL_MAX} are allowed.")
    if text_total[0] > TEXT_DISPLAY_TOTAL_MAX:
        errors.add(path, "COMPONENT_MAX_TOTAL_TEXT_EXCEEDED",
                   f"Text displays hold {text_total[0]} characters; at most {TEXT_DISPLAY_TOTAL_MAX} are allowed.")


def _walk_components(components: Iterable[Any], path: Path) -> Iterable[Tuple[Path, Dict[str, Any]]]:
    for index, component in enumerate(components or []):
        if not isinstance(component, dict):
            continue
        here = path + (index,)
        yield here, component
        yield from _walk_components(component.get("components") or [], here + ("components",))
        if isinstance(component.get("accessory"), dict):
            yield here + ("accessory",), component["accessory"]


def _check_component_ids(errors: FormErrors, path: Path, components: Iterable[Any]) -> None:
    """The optional numeric ``id`` of each component: a positive 32-bit integer, unique in the message."""
    seen: Dict[int, Path] = {}
    for where, component in _walk_components(components, path):
        number = component.get("id")
        if number is None or number == 0:
            continue
        if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 2**31:
            errors.add(where + ("id",), "NUMBER_TYPE_MAX", "Component ids are 32-bit positive integers.")
        elif number in seen:
            errors.add(where + ("id",), "COMPONENT_ID_DUPLICATED", f"Component id {number} is used twice.")
        else:
            seen[number] = where


def layout_texts(components: Iterable[Any]) -> List[str]:
    """Every Text Display's content in a message's components (mentions in them ping like content)."""
    return [c.get("content") or "" for _, c in _walk_components(components, ())
            if c.get("type") == C_TEXT_DISPLAY and isinstance(c.get("content"), str)]


def validate_poll(poll: Any, errors: FormErrors, path: Path = ("poll",)) -> None:
    if not isinstance(poll, dict):
        errors.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
        return
    question = poll.get("question") or {}
    _check_text(errors, path + ("question", "text"), question.get("text"), max_len=POLL_QUESTION_MAX, min_len=1, required=True)
    answers = _check_list(errors, path + ("answers",), poll.get("answers"), max_len=POLL_ANSWERS_MAX, min_len=1)
    for index, answer in enumerate(answers):
        media = (answer or {}).get("poll_media") or {}
        _check_text(errors, path + ("answers", index, "poll_media", "text"), media.get("text"),
                    max_len=POLL_ANSWER_MAX, min_len=1, required=True)
    _check_int(errors, path + ("duration",), poll.get("duration"), lo=1, hi=POLL_DURATION_HOURS_MAX)
    if poll.get("layout_type", 1) != 1:
        errors.add(path + ("layout_type",), "BASE_TYPE_CHOICES", "Value must be one of {1}.")


def validate_allowed_mentions(allowed: Any, errors: FormErrors, path: Path = ("allowed_mentions",)) -> None:
    if allowed is None:
        return
    if not isinstance(allowed, dict):
        errors.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
        return
    parse = allowed.get("parse") or []
    for index, kind in enumerate(parse):
        if kind not in ("users", "roles", "everyone"):
            errors.add(path + ("parse", index), "BASE_TYPE_CHOICES", "Value must be one of ('users', 'roles', 'everyone').")
    for kind in ("users", "roles"):
        ids = _check_list(errors, path + (kind,), allowed.get(kind), max_len=100)
        if ids and kind in parse:
            errors.add(path + ("parse",), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                       f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.')


def validate_message(
    payload: Dict[str, Any], errors: FormErrors, path: Path = (), *, interaction: bool = False
) -> None:
    """The fields of a message create/edit (channel message, interaction reply, followup, edit).

    Emptiness is checked by the caller on the resulting message, because an edit may leave
    fields unchanged.
    """
    flags = payload.get("flags") or 0
    if not isinstance(flags, int):
        errors.add(path + ("flags",), "NUMBER_TYPE_COERCE", f'Value "{flags}" is not int.')
        flags = 0
    forbidden = flags & ~SENDABLE_FLAGS
    if not interaction:
        forbidden |= flags & FLAG_EPHEMERAL
    if forbidden:
        errors.add(path + ("flags",), "MESSAGE_FLAGS_INVALID", f"Flags {forbidden} cannot be set on this message.")
    v2 = bool(flags & FLAG_IS_COMPONENTS_V2)
    content = payload.get("content")
    _check_text(errors, path + ("content",), content, max_len=CONTENT_MAX)
    if "embeds" in payload and payload["embeds"] is not None:
        validate_embeds(payload["embeds"], errors, path + ("embeds",))
    if "components" in payload and payload["components"] is not None:
        validate_components(payload["components"], errors, path + ("components",), v2=v2)
    if v2:
        if content:
            errors.add(path + ("content",), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                       "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2")
        if payload.get("embeds"):
            errors.add(path + ("embeds",), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                       "The 'embeds' field cannot be used when using MessageFlags.IS_COMPONENTS_V2")
        if payload.get("poll"):
            errors.add(path + ("poll",), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                       "The 'poll' field cannot be used when using MessageFlags.IS_COMPONENTS_V2")
    if payload.get("poll") is not None:
        validate_poll(payload["poll"], errors, path + ("poll",))
    if payload.get("attachments") is not None:
        _check_list(errors, path + ("attachments",), payload["attachments"], max_len=ATTACHMENTS_MAX)
    validate_allowed_mentions(payload.get("allowed_mentions"), errors, path + ("allowed_mentions",))


def message_is_empty(message: Dict[str, Any]) -> bool:
    """Discord refuses (code 50006) a message with nothing to show."""
    return not (
        message.get("content")
        or message.get("embeds")
        or message.get("components")
        or message.get("attachments")
        or message.get("sticker_ids")
        or message.get("poll")
    )


# --- modals and autocomplete -----------------------------------------------------------


def _validate_text_input(
    errors: FormErrors, path: Path, component: Dict[str, Any], seen: Dict[str, Path], *, label_required: bool
) -> None:
    _check_custom_id(errors, path, component, seen)
    if component.get("style") not in (1, 2):
        errors.add(path + ("style",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2}.")
    _check_text(errors, path + ("label",), component.get("label"), max_len=TEXT_INPUT_LABEL_MAX,
                min_len=1 if label_required else 0, required=label_required)
    _check_text(errors, path + ("placeholder",), component.get("placeholder"), max_len=TEXT_INPUT_PLACEHOLDER_MAX)
    _check_text(errors, path + ("value",), component.get("value"), max_len=TEXT_INPUT_VALUE_MAX)
    min_length = component.get("min_length")
    max_length = component.get("max_length")
    _check_int(errors, path + ("min_length",), min_length, lo=0, hi=TEXT_INPUT_VALUE_MAX)
    _check_int(errors, path + ("max_length",), max_length, lo=1, hi=TEXT_INPUT_VALUE_MAX)
    if isinstance(min_length, int) and isinstance(max_length, int) and min_length > max_length:
        errors.add(path + ("min_length",), "TEXT_INPUT_MIN_GREATER_THAN_MAX", "min_length cannot exceed max_length.")


def validate_modal(data: Any, errors: FormErrors, path: Path = ("data",)) -> None:
    if not isinstance(data, dict):
        errors.add(path, "BASE_TYPE_REQUIRED", "This field is required")
        return
    _check_text(errors, path + ("title",), data.get("title"), max_len=MODAL_TITLE_MAX, min_len=1, required=True)
    seen: Dict[str, Path] = {}
    _check_custom_id(errors, path, data, {})
    components = _check_list(errors, path + ("components",), data.get("components"), max_len=MODAL_COMPONENTS_MAX, min_len=1)
    for index, component in enumerate(components):
        c_path = path + ("components", index)
        c_type = (component or {}).get("type")
        if c_type == C_ACTION_ROW:
            _validate_action_row(errors, c_path, component, seen, in_modal=True)
        elif c_type == C_LABEL:
            _check_text(errors, c_path + ("label",), component.get("label"), max_len=TEXT_INPUT_LABEL_MAX, min_len=1, required=True)
            _check_text(errors, c_path + ("description",), component.get("description"), max_len=100)
            inner = component.get("component") or {}
            if inner.get("type") == C_TEXT_INPUT:
                if inner.get("label") is not None:
                    errors.add(c_path + ("component", "label"), "TEXT_INPUT_LABEL_NOT_ALLOWED",
                               "A text input inside a label cannot have its own label.")
                _validate_text_input(errors, c_path + ("component",), inner, seen, label_required=False)
            elif inner.get("type") in SELECT_TYPES:
                _validate_select(errors, c_path + ("component",), inner, seen)
            else:
                errors.add(c_path + ("component", "type"), "COMPONENT_TYPE_INVALID", "A label holds a text input or a select.")
        elif c_type == C_TEXT_DISPLAY:
            _check_text(errors, c_path + ("content",), component.get("content"), max_len=TEXT_DISPLAY_TOTAL_MAX, min_len=1, required=True)
        else:
            errors.add(c_path + ("type",), "COMPONENT_TYPE_INVALID", f"Component type {c_type} is not allowed in a modal.")


def validate_autocomplete_result(data: Any, errors: FormErrors, option_type: int, path: Path = ("data",)) -> None:
    if not isinstance(data, dict):
        errors.add(path, "BASE_TYPE_REQUIRED", "This field is required")
        return
    choices = _check_list(errors, path + ("choices",), data.get("choices"), max_len=AUTOCOMPLETE_CHOICES_MAX)
    for index, choice in enumerate(choices):
        _validate_choice(errors, path + ("choices", index), choice, option_type)


def _validate_choice(errors: FormErrors, path: Path, choice: Any, option_type: int) -> None:
    if not isinstance(choice, dict):
        errors.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
        return
    _check_text(errors, path + ("name",), choice.get("name"), max_len=CHOICE_NAME_MAX, min_len=1, required=True)
    for locale, text in (choice.get("name_localizations") or {}).items():
        _check_text(errors, path + ("name_localizations", locale), text, max_len=CHOICE_NAME_MAX, min_len=1, required=True)
    value = choice.get("value")
    if option_type == OPT_STRING:
        _check_text(errors, path + ("value",), value, max_len=CHOICE_STRING_VALUE_MAX, min_len=1, required=True)
    elif option_type == OPT_INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            errors.add(path + ("value",), "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.')
        else:
            _check_int(errors, path + ("value",), value, lo=-NUMBER_OPTION_BOUND, hi=NUMBER_OPTION_BOUND)
    elif option_type == OPT_NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.add(path + ("value",), "NUMBER_TYPE_COERCE", f'Value "{value}" is not a number.')


# --- application command definitions ---------------------------------------------------


def _name_is_valid(name: str, *, lowercase: bool) -> bool:
    """Discord's ``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$``, lowercase where a case exists."""
    if not 1 <= len(name) <= COMMAND_NAME_MAX:
        return False
    for char in name:
        if char in "-_'":
            continue
        category = unicodedata.category(char)
        # Devanagari and Thai vowel signs are combining marks (M*), allowed by the script classes.
        if category[0] not in ("L", "N", "M"):
            return False
        if lowercase and char.lower() != char:
            return False
    return True


def _check_name(errors: FormErrors, path: Path, name: Any, *, lowercase: bool = True) -> None:
    if not isinstance(name, str) or not name:
        errors.add(path, "BASE_TYPE_REQUIRED", "This field is required")
    elif not _name_is_valid(name, lowercase=lowercase):
        errors.add(path, "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")


def _localised_texts(obj: Dict[str, Any], key: str) -> List[str]:
    values = list((obj.get(f"{key}_localizations") or {}).values())
    return [v for v in values if isinstance(v, str)]


def command_text_length(command: Dict[str, Any]) -> int:
    """All names, descriptions and choice texts of one command, localisations included."""

    def walk(node: Dict[str, Any]) -> int:
        total = len(node.get("name") or "") + len(node.get("description") or "")
        total += sum(map(len, _localised_texts(node, "name") + _localised_texts(node, "description")))
        for choice in node.get("choices") or []:
            total += len(str(choice.get("name") or "")) + len(str(choice.get("value") or ""))
            total += sum(map(len, _localised_texts(choice, "name")))
        for option in node.get("options") or []:
            if isinstance(option, dict):
                total += walk(option)
        return total

    return walk(command)


def _validate_option(errors: FormErrors, path: Path, option: Any, *, depth: int) -> None:
    if not isinstance(option, dict):
        errors.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
        return
    o_type = option.get("type")
    if o_type not in OPTION_TYPE_NAMES:
        errors.add(path + ("type",), "BASE_TYPE_CHOICES", f"Value must be one of {sorted(OPTION_TYPE_NAMES)}.")
        return
    _check_name(errors, path + ("name",), option.get("name"))
    for locale, text in (option.get("name_localizations") or {}).items():
        _check_name(errors, path + ("name_localizations", locale), text)
    _check_text(errors, path + ("description",), option.get("description"), max_len=COMMAND_DESCRIPTION_MAX, min_len=1, required=True)
    for locale, text in (option.get("description_localizations") or {}).items():
        _check_text(errors, path + ("description_localizations", locale), text, max_len=COMMAND_DESCRIPTION_MAX, min_len=1, required=True)

    if o_type in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP):
        if o_type == OPT_SUB_COMMAND_GROUP and depth > 0:
            errors.add(path + ("type",), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Subcommand groups cannot be nested.")
        if o_type == OPT_SUB_COMMAND and depth > 1:
            errors.add(path + ("type",), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Subcommands nest at most two levels deep.")
        if option.get("required"):
            errors.add(path + ("required",), "APPLICATION_COMMAND_OPTION_REQUIRED_INVALID", "Subcommands cannot be required.")
        children = option.get("options")
        if o_type == OPT_SUB_COMMAND_GROUP:
            children = _check_list(errors, path + ("options",), children, max_len=COMMAND_OPTIONS_MAX, min_len=1)
            for index, child in enumerate(children):
                if isinstance(child, dict) and child.get("type") != OPT_SUB_COMMAND:
                    errors.add(path + ("options", index, "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                               "A subcommand group may only contain subcommands.")
        _validate_option_list(errors, path + ("options",), children, depth=depth + 1)
        return

    for key in ("options",):
        if option.get(key):
            errors.add(path + (key,), "APPLICATION_COMMAND_OPTION_INVALID", "Only subcommands have options.")
    choices = option.get("choices")
    if choices is not None:
        if o_type not in (OPT_STRING, OPT_INTEGER, OPT_NUMBER):
            errors.add(path + ("choices",), "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
                       "Only string, integer and number options have choices.")
        choices = _check_list(errors, path + ("choices",), choices, max_len=COMMAND_CHOICES_MAX)
        for index, choice in enumerate(choices):
            _validate_choice(errors, path + ("choices", index), choice, o_type)
        if choices and option.get("autocomplete"):
            errors.add(path + ("autocomplete",), "APPLICATION_COMMAND_AUTOCOMPLETE_CHOICES_EXCLUSIVE",
                       "Autocomplete and choices are mutually exclusive.")
    if option.get("autocomplete") and o_type not in (OPT_STRING, OPT_INTEGER, OPT_NUMBER):
        errors.add(path + ("autocomplete",), "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID",
                   "Only string, integer and number options support autocomplete.")
    has_range = option.get("min_value") is not None or option.get("max_value") is not None
    if has_range and o_type not in (OPT_INTEGER, OPT_NUMBER):
        errors.add(path + ("min_value",), "APPLICATION_COMMAND_OPTION_RANGE_INVALID", "Only number options have min/max values.")
    elif has_range:
        lo, hi = option.get("min_value"), option.get("max_value")
        for key, bound in (("min_value", lo), ("max_value", hi)):
            if bound is None:
                continue
            if isinstance(bound, bool) or not isinstance(bound, (int, float)):
                errors.add(path + (key,), "NUMBER_TYPE_COERCE", f'Value "{bound}" is not a number.')
            elif abs(bound) > NUMBER_OPTION_BOUND:
                errors.add(path + (key,), "NUMBER_TYPE_MAX", f"Must be within ±{NUMBER_OPTION_BOUND}.")
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi:
            errors.add(path + ("min_value",), "APPLICATION_COMMAND_OPTION_RANGE_INVALID", "min_value cannot exceed max_value.")
    has_length = option.get("min_length") is not None or option.get("max_length") is not None
    if has_length and o_type != OPT_STRING:
        errors.add(path + ("min_length",), "APPLICATION_COMMAND_OPTION_LENGTH_INVALID", "Only string options have lengths.")
    elif has_length:
        _check_int(errors, path + ("min_length",), option.get("min_length"), lo=0, hi=OPTION_STRING_LENGTH_MAX)
        _check_int(errors, path + ("max_length",), option.get("max_length"), lo=1, hi=OPTION_STRING_LENGTH_MAX)
    if option.get("channel_types") is not None and o_type != OPT_CHANNEL:
        errors.add(path + ("channel_types",), "APPLICATION_COMMAND_OPTION_CHANNEL_TYPES_INVALID",
                   "Only channel options have channel types.")


def _validate_option_list(errors: FormErrors, path: Path, options: Any, *, depth: int) -> None:
    options = _check_list(errors, path, options, max_len=COMMAND_OPTIONS_MAX)
    dicts = [o for o in options if isinstance(o, dict)]
    kinds = {o.get("type") in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP) for o in dicts}
    if len(kinds) > 1:
        errors.add(path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                   "Subcommands and subcommand groups cannot be mixed with other options.")
    names = set()
    optional_seen = False
    for index, option in enumerate(options):
        _validate_option(errors, path + (index,), option, depth=depth)
        if not isinstance(option, dict):
            continue
        name = option.get("name")
        if name in names:
            errors.add(path + (index, "name"), "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", f"Option name {name!r} is already used.")
        names.add(name)
        if option.get("type") in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP):
            continue
        if option.get("required"):
            if optional_seen:
                errors.add(path + (index, "required"), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                           "Required options must be placed before non-required options")
        else:
            optional_seen = True


def validate_command(command: Any, errors: FormErrors, path: Path = ()) -> None:
    if not isinstance(command, dict):
        errors.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
        return
    c_type = command.get("type", 1)
    if c_type not in (1, 2, 3, 4):
        errors.add(path + ("type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4}.")
        return
    if c_type == 1:
        _check_name(errors, path + ("name",), command.get("name"))
        for locale, text in (command.get("name_localizations") or {}).items():
            _check_name(errors, path + ("name_localizations", locale), text)
        _check_text(errors, path + ("description",), command.get("description"),
                    max_len=COMMAND_DESCRIPTION_MAX, min_len=1, required=True)
        _validate_option_list(errors, path + ("options",), command.get("options"), depth=0)
    else:
        _check_text(errors, path + ("name",), command.get("name"), max_len=COMMAND_NAME_MAX, min_len=1, required=True)
        if command.get("description"):
            errors.add(path + ("description",), "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION_INVALID",
                       "Context menu commands cannot have a description.")
        if command.get("options"):
            errors.add(path + ("options",), "APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS_INVALID",
                       "Context menu commands cannot have options.")
    permissions = command.get("default_member_permissions")
    if permissions is not None:
        try:
            int(permissions)
        except (TypeError, ValueError):
            errors.add(path + ("default_member_permissions",), "NUMBER_TYPE_COERCE", f'Value "{permissions}" is not snowflake.')
    for index, context in enumerate(command.get("contexts") or []):
        if context not in (0, 1, 2):
            errors.add(path + ("contexts", index), "BASE_TYPE_CHOICES", "Value must be one of {0, 1, 2}.")
    for index, kind in enumerate(command.get("integration_types") or []):
        if kind not in (0, 1):
            errors.add(path + ("integration_types", index), "BASE_TYPE_CHOICES", "Value must be one of {0, 1}.")
    total = command_text_length(command)
    if total > COMMAND_TOTAL_TEXT_MAX:
        errors.add(path, "APPLICATION_COMMAND_TOO_LARGE",
                   f"Command exceeds maximum size ({COMMAND_TOTAL_TEXT_MAX}): {total} characters")


def validate_command_list(commands: Any) -> FormErrors:
    """The body of a bulk overwrite (``PUT .../commands``)."""
    errors = FormErrors()
    if not isinstance(commands, list):
        errors.add((), "BASE_TYPE_ARRAY", "Must be an array.")
        return errors
    per_type: Dict[int, int] = {}
    names: Dict[Tuple[int, str], int] = {}
    for index, command in enumerate(commands):
        validate_command(command, errors, (index,))
        if not isinstance(command, dict):
            continue
        c_type = command.get("type", 1)
        per_type[c_type] = per_type.get(c_type, 0) + 1
        key = (c_type, str(command.get("name")))
        if key in names:
            errors.add((index, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", f"Application command names must be unique: {key[1]!r}")
        names[key] = index
    if per_type.get(1, 0) > CHAT_INPUT_COMMANDS_MAX:
        errors.add((), "BASE_TYPE_MAX_LENGTH", f"Must be {CHAT_INPUT_COMMANDS_MAX} or fewer chat input commands.")
    for c_type in (2, 3):
        if per_type.get(c_type, 0) > CONTEXT_MENU_COMMANDS_MAX:
            errors.add((), "BASE_TYPE_MAX_LENGTH", f"Must be {CONTEXT_MENU_COMMANDS_MAX} or fewer context menu commands of type {c_type}.")
    return errors


# --- scheduled events -------------------------------------------------------------------

EVENT_STAGE, EVENT_VOICE, EVENT_EXTERNAL = 1, 2, 3


def parse_iso(value: Any) -> Optional[_dt.datetime]:
    if not isinstance(value, str):
        return None
    try:
        parsed = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.timezone.utc)
    return parsed


def validate_scheduled_event(
    payload: Dict[str, Any], errors: FormErrors, *, now: _dt.datetime, existing: Optional[Dict[str, Any]] = None
) -> None:
    """A create (``existing`` is None) or an edit, checked on the event as it would become."""
    merged = dict(existing or {})
    merged.update(payload)
    is_create = existing is None
    if is_create or "name" in payload:
        _check_text(errors, ("name",), payload.get("name"), max_len=EVENT_NAME_MAX, min_len=1, required=True)
    if payload.get("description") is not None:
        _check_text(errors, ("description",), payload.get("description"), max_len=EVENT_DESCRIPTION_MAX)
    if merged.get("privacy_level", 2) != 2:
        errors.add(("privacy_level",), "BASE_TYPE_CHOICES", "Value must be one of {2}.")
    entity_type = merged.get("entity_type")
    if entity_type not in (EVENT_STAGE, EVENT_VOICE, EVENT_EXTERNAL):
        errors.add(("entity_type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
    start = parse_iso(merged.get("scheduled_start_time"))
    end = parse_iso(merged.get("scheduled_end_time")) if merged.get("scheduled_end_time") else None
    if merged.get("scheduled_start_time") is None:
        errors.add(("scheduled_start_time",), "BASE_TYPE_REQUIRED", "This field is required")
    elif start is None:
        errors.add(("scheduled_start_time",), "DATE_TYPE_PARSE", "Could not parse the date. Should be ISO8601.")
    elif "scheduled_start_time" in payload and start <= now:
        errors.add(("scheduled_start_time",), "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST", "Cannot schedule event in the past.")
    if merged.get("scheduled_end_time") and end is None:
        errors.add(("scheduled_end_time",), "DATE_TYPE_PARSE", "Could not parse the date. Should be ISO8601.")
    if start is not None and end is not None and end <= start:
        errors.add(("scheduled_end_time",), "GUILD_SCHEDULED_EVENT_END_BEFORE_START", "Cannot schedule event to end before starting.")
    if entity_type == EVENT_EXTERNAL:
        location = (merged.get("entity_metadata") or {}).get("location")
        _check_text(errors, ("entity_metadata", "location"), location, max_len=EVENT_LOCATION_MAX, min_len=1, required=True)
        if end is None and not merged.get("scheduled_end_time"):
            errors.add(("scheduled_end_time",), "BASE_TYPE_REQUIRED", "This field is required for EXTERNAL events")
        if merged.get("channel_id") is not None:
            errors.add(("channel_id",), "GUILD_SCHEDULED_EVENT_CHANNEL_NOT_ALLOWED", "EXTERNAL events cannot have a channel.")
    elif entity_type in (EVENT_STAGE, EVENT_VOICE):
        if merged.get("channel_id") is None:
            errors.add(("channel_id",), "BASE_TYPE_REQUIRED", "This field is required for STAGE_INSTANCE and VOICE events")


# --- what the Discord client lets a user send -------------------------------------------


def find_command_node(command: Dict[str, Any], subpath: Sequence[str]) -> Tuple[Dict[str, Any], List[str]]:
    """Walks ``["group", "sub"]`` inside a command definition; returns the leaf node and the path
    actually walked. Raises ValueError as the Discord client would refuse to send."""
    node = command
    walked: List[str] = [command["name"]]
    for part in subpath:
        children = [o for o in node.get("options") or [] if o.get("type") in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP)]
        match = next((o for o in children if o.get("name") == part), None)
        if match is None:
            available = ", ".join(o["name"] for o in children) or "none"
            raise ValueError(f"/{' '.join(walked)} has no subcommand {part!r} (available: {available})")
        node = match
        walked.append(part)
    leftovers = [o for o in node.get("options") or [] if o.get("type") in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP)]
    if leftovers:
        raise ValueError(
            f"/{' '.join(walked)} cannot be invoked directly; pick one of: {', '.join(o['name'] for o in leftovers)}"
        )
    return node, walked


def check_option_value(option: Dict[str, Any], value: Any, *, where: str) -> Any:
    """Type, choices, range and length checks for one primitive option value (3, 4, 5, 10).

    Returns the value as Discord would put it in the interaction payload.
    """
    o_type = option["type"]
    name = option["name"]
    if o_type == OPT_STRING:
        if not isinstance(value, str):
            raise ValueError(f"{where}: option {name!r} is a string; got {value!r}")
        if value == "":
            raise ValueError(f"{where}: option {name!r} cannot be empty")
        min_len, max_len = option.get("min_length"), option.get("max_length", OPTION_STRING_LENGTH_MAX)
        if min_len is not None and len(value) < min_len:
            raise ValueError(f"{where}: option {name!r} needs at least {min_len} characters; got {len(value)}")
        if max_len is not None and len(value) > max_len:
            raise ValueError(f"{where}: option {name!r} takes at most {max_len} characters; got {len(value)}")
    elif o_type == OPT_INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{where}: option {name!r} is an integer; got {value!r}")
        if abs(value) > NUMBER_OPTION_BOUND:
            raise ValueError(f"{where}: option {name!r} is outside ±2^53")
    elif o_type == OPT_NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{where}: option {name!r} is a number; got {value!r}")
    elif o_type == OPT_BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError(f"{where}: option {name!r} is a boolean; got {value!r}")
    if o_type in (OPT_INTEGER, OPT_NUMBER):
        lo, hi = option.get("min_value"), option.get("max_value")
        if lo is not None and value < lo:
            raise ValueError(f"{where}: option {name!r} must be >= {lo}; got {value}")
        if hi is not None and value > hi:
            raise ValueError(f"{where}: option {name!r} must be <= {hi}; got {value}")
    choices = option.get("choices")
    if choices:
        allowed = [c["value"] for c in choices]
        if value not in allowed:
            raise ValueError(f"{where}: option {name!r} must be one of {allowed!r}; got {value!r}")
    return value


def build_options(
    leaf: Dict[str, Any],
    values: Dict[str, Any],
    *,
    where: str,
    resolve: Callable[[Dict[str, Any], Any], str],
    focused: Optional[str] = None,
) -> List[Dict[str, Any]]:
    """The ``options`` list for the leaf of a command invocation.

    ``resolve(option_def, value)`` turns a user/channel/role/mentionable/attachment value into
    its snowflake string (and records the resolved object). ``focused`` names the option being
    typed in an autocomplete interaction: its value is sent as a raw string and may be partial,
    and missing required options are fine there.
    """
    definitions = {o["name"]: o for o in leaf.get("options") or []}
    unknown = [name for name in values if name not in definitions]
    if unknown:
        raise ValueError(f"{where}: unknown option(s) {unknown!r}; the command has {sorted(definitions)!r}")
    if focused is not None:
        if focused not in definitions:
            raise ValueError(f"{where}: unknown option {focused!r}; the command has {sorted(definitions)!r}")
        if not definitions[focused].get("autocomplete"):
            raise ValueError(f"{where}: option {focused!r} does not have autocomplete enabled")
    result: List[Dict[str, Any]] = []
    for name, option in definitions.items():
        if name not in values or values[name] is None:
            if option.get("required") and focused is None:
                raise ValueError(f"{where}: required option {name!r} is missing")
            continue
        value = values[name]
        o_type = option["type"]
        if name == focused:
            if not isinstance(value, str):
                raise ValueError(f"{where}: the focused value of {name!r} is what the user typed, so a string; got {value!r}")
            result.append({"name": name, "type": o_type, "value": value, "focused": True})
            continue
        if o_type in (OPT_STRING, OPT_INTEGER, OPT_NUMBER, OPT_BOOLEAN):
            value = check_option_value(option, value, where=where)
        else:
            value = resolve(option, value)
        result.append({"name": name, "type": o_type, "value": value})
    return result
