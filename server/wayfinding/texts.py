"""Route steps in words, in the patient's language.

The templates are whole sentences so that each language can order its words its own
way; a step of two actions is two sentences. Place names come from the site map, so
templates never put an article or preposition in front of a name that could change
its form (Spanish "a el" is "al"): "en la farmacia", "hacia la cafetería", "Aseos: ...".

The product's one catalogue is read with Babel directly, not through the request's
locale, so a route can be told in the ticket's language from anywhere (a page, the API,
a service).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

from babel.support import NullTranslations, Translations

from server.domain.wayfinding import Action, DestinationKind, EdgeKind, Side, Step, Turn
from server.i18n import CATALOGUE


@lru_cache(maxsize=16)
def translations(language: str) -> NullTranslations:
    """The compiled catalogue for `language`; English (the source) when there is none."""
    return Translations.load(str(CATALOGUE), [language], domain="messages")


class Words:
    """Sentences and labels of one language."""

    def __init__(self, language: str, site_languages: Sequence[str] = ()) -> None:
        self.language = language
        self.fallbacks = [language, *site_languages]
        catalogue = translations(language)
        self._ = catalogue.gettext
        self.ngettext = catalogue.ngettext
        self._catalogue = catalogue

    def pgettext(self, context: str, message: str) -> str:
        return str(self._catalogue.pgettext(context, message))

    def name(self, names: Mapping[str, str] | None) -> str:
        """A name in this language, else in the site's first language that has it."""
        if not names:
            return ""
        for language in self.fallbacks:
            if names.get(language):
                return names[language]
        return next(iter(names.values()))

    # --- Steps -----------------------------------------------------------------------

    def step(self, step: Step, floors: Mapping[str, Mapping[str, str]], start: str) -> str:
        """One step as one or two sentences. `floors` names each floor; `start` is the
        name of the place a route without a known heading starts from."""
        landmark = self.name(step.landmark)
        towards = self.name(step.towards)
        if step.action is Action.START:
            return self._start(step.turn, towards, start)
        if step.action is Action.TURN:
            sentence = self._turn(step.turn or Turn.STRAIGHT, landmark)
            if step.through_door:
                sentence += " " + self._("Go through the door.")
            return sentence
        if step.action is Action.DOOR:
            return self._door(landmark)
        if step.action is Action.CHANGE_LEVEL:
            floor = self.name(floors.get(step.to_floor or "", {}))
            sentence = self._level(step.via or EdgeKind.STAIRS, step.going, floor)
            if towards:
                sentence += " " + self._("Then walk towards %(landmark)s.") % {"landmark": towards}
            return sentence
        return self._arrive(landmark, step.side, step.ordinal)

    def _start(self, turn: Turn | None, towards: str, start: str) -> str:
        if turn is None:
            if not towards:
                return self._("Start from %(place)s.") % {"place": start}
            return self._("From %(place)s, walk towards %(landmark)s.") % {
                "place": start,
                "landmark": towards,
            }
        if not towards:
            return self._turn(turn, "")
        templates: dict[Turn, Callable[[], str]] = {
            Turn.STRAIGHT: lambda: self._("Go straight ahead towards %(landmark)s."),
            Turn.SLIGHT_LEFT: lambda: self._("Bear left and walk towards %(landmark)s."),
            Turn.LEFT: lambda: self._("Turn left and walk towards %(landmark)s."),
            Turn.SLIGHT_RIGHT: lambda: self._("Bear right and walk towards %(landmark)s."),
            Turn.RIGHT: lambda: self._("Turn right and walk towards %(landmark)s."),
            Turn.BACK: lambda: self._("Turn around and walk towards %(landmark)s."),
        }
        return templates[turn]() % {"landmark": towards}

    def _turn(self, turn: Turn, landmark: str) -> str:
        if not landmark:
            bare: dict[Turn, Callable[[], str]] = {
                Turn.STRAIGHT: lambda: self._("Go straight ahead."),
                Turn.SLIGHT_LEFT: lambda: self._("Bear left."),
                Turn.LEFT: lambda: self._("Turn left."),
                Turn.SLIGHT_RIGHT: lambda: self._("Bear right."),
                Turn.RIGHT: lambda: self._("Turn right."),
                Turn.BACK: lambda: self._("Turn around."),
            }
            return bare[turn]()
        at: dict[Turn, Callable[[], str]] = {
            Turn.STRAIGHT: lambda: self._("Go straight on at %(landmark)s."),
            Turn.SLIGHT_LEFT: lambda: self._("Bear left at %(landmark)s."),
            Turn.LEFT: lambda: self._("Turn left at %(landmark)s."),
            Turn.SLIGHT_RIGHT: lambda: self._("Bear right at %(landmark)s."),
            Turn.RIGHT: lambda: self._("Turn right at %(landmark)s."),
            Turn.BACK: lambda: self._("Turn around at %(landmark)s."),
        }
        return at[turn]() % {"landmark": landmark}

    def _door(self, landmark: str) -> str:
        if not landmark:
            return self._("Go through the door.")
        return self._("Go through the door at %(landmark)s.") % {"landmark": landmark}

    def _level(self, via: EdgeKind, going: str | None, floor: str) -> str:
        if not floor:  # steps or a lift within one floor
            same: dict[EdgeKind, Callable[[], str]] = {
                EdgeKind.ELEVATOR: lambda: self._("Take the elevator from here."),
                EdgeKind.ESCALATOR: lambda: self._("Take the escalator from here."),
                EdgeKind.RAMP: lambda: self._("Take the ramp."),
            }
            return same.get(via, lambda: self._("Take the steps."))()
        if via is EdgeKind.ELEVATOR:
            return self._("Take the elevator to %(floor)s.") % {"floor": floor}
        up = going != "down"
        templates: dict[tuple[EdgeKind, bool], Callable[[], str]] = {
            (EdgeKind.STAIRS, True): lambda: self._("Take the stairs up to %(floor)s."),
            (EdgeKind.STAIRS, False): lambda: self._("Take the stairs down to %(floor)s."),
            (EdgeKind.ESCALATOR, True): lambda: self._("Take the escalator up to %(floor)s."),
            (EdgeKind.ESCALATOR, False): lambda: self._("Take the escalator down to %(floor)s."),
            (EdgeKind.RAMP, True): lambda: self._("Take the ramp up to %(floor)s."),
            (EdgeKind.RAMP, False): lambda: self._("Take the ramp down to %(floor)s."),
        }
        template = templates.get((via, up), templates[EdgeKind.STAIRS, up])
        return template() % {"floor": floor}

    def _arrive(self, place: str, side: Side | None, ordinal: int | None) -> str:
        if side in (Side.LEFT, Side.RIGHT) and ordinal:
            nth = self.ordinal(ordinal)
            if side is Side.LEFT:
                template = self._("%(place)s: the %(nth)s door on your left.")
            else:
                template = self._("%(place)s: the %(nth)s door on your right.")
            return template % {"place": place, "nth": nth}
        sides: dict[Side | None, Callable[[], str]] = {
            Side.LEFT: lambda: self._("%(place)s: on your left."),
            Side.RIGHT: lambda: self._("%(place)s: on your right."),
            Side.AHEAD: lambda: self._("%(place)s: straight ahead."),
            Side.BEHIND: lambda: self._("%(place)s: behind you."),
            None: lambda: self._("You have arrived at %(place)s."),
        }
        return sides[side]() % {"place": place}

    def ordinal(self, number: int) -> str:
        """The words "first" to "fifth", as said of a door (languages may inflect them)."""
        words: dict[int, Callable[[], str]] = {
            1: lambda: self.pgettext("door", "first"),
            2: lambda: self.pgettext("door", "second"),
            3: lambda: self.pgettext("door", "third"),
            4: lambda: self.pgettext("door", "fourth"),
            5: lambda: self.pgettext("door", "fifth"),
        }
        return words[number]()

    # --- Summaries, hints and labels -------------------------------------------------

    def duration(self, minutes: int) -> str:
        return self.ngettext(
            "About %(num)d minute on foot", "About %(num)d minutes on foot", minutes
        ) % {"num": minutes}

    def hint(self, place: str, floor: str, via: EdgeKind | None) -> str:
        """A called room in one line, for the waiting-room display."""
        templates: dict[EdgeKind | None, Callable[[], str]] = {
            None: lambda: self._("%(place)s, %(floor)s"),
            EdgeKind.ELEVATOR: lambda: self._("%(place)s, %(floor)s, take the elevator"),
            EdgeKind.STAIRS: lambda: self._("%(place)s, %(floor)s, take the stairs"),
            EdgeKind.ESCALATOR: lambda: self._("%(place)s, %(floor)s, take the escalator"),
            EdgeKind.RAMP: lambda: self._("%(place)s, %(floor)s, take the ramp"),
        }
        return templates.get(via, templates[None])() % {"place": place, "floor": floor}

    def kind(self, kind: DestinationKind) -> str:
        """What a group of destinations is called in a list."""
        labels: dict[DestinationKind, Callable[[], str]] = {
            DestinationKind.ROOM: lambda: self._("Rooms and counters"),
            DestinationKind.WAITING: lambda: self._("Waiting areas"),
            DestinationKind.RESTROOM: lambda: self._("Restrooms"),
            DestinationKind.EXIT: lambda: self._("Exits"),
            DestinationKind.LAB: lambda: self._("Laboratory"),
            DestinationKind.PHARMACY: lambda: self._("Pharmacy"),
            DestinationKind.DESK: lambda: self._("Desks"),
            DestinationKind.OTHER: lambda: self._("Other places"),
        }
        return labels[kind]()

    def you_are_here(self) -> str:
        return self._("You are here")

    def level_change_label(self, floor: str) -> str:
        return self._("To %(floor)s") % {"floor": floor}

    def arrival_from_label(self, floor: str) -> str:
        return self._("From %(floor)s") % {"floor": floor}

    def map_title(self, floor: str, place: str) -> str:
        return self._("%(floor)s: the way to %(place)s") % {"floor": floor, "place": place}

    def map_description(self) -> str:
        return self._(
            "The route is drawn as a thick line. The numbered steps beside the map"
            " describe the same route."
        )
