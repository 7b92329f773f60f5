"""The places an article is about: German municipalities and districts from the dateline, the URL, the section
and breadcrumb, structured data and the words of title, lead and body.

``tag_places(fields, url, coverage)`` sets ``fields["places"]`` (every place found, the strongest first, as
``{"ags", "name", "district", "land", "source", "mentions"}``) and ``fields["place"]`` (the one the article is
mainly about, or None). ``coverage`` is the area of the site: 5-digit district keys, 2-digit Land keys or
ISO codes ("DE-NI"); a name that several municipalities share is read as the one in that area.

Rules (docs/ARCHIVE.md, "Places"):
- a name that is also a common word or surname ("Essen", "Hof", "Weil", "Brand", "Regen", "Roth") is a place only
  in a dateline, a place segment of the URL, structured data or after a locative word ("in Essen", "Stadt Hof");
- a name several municipalities share (Neustadt, Linden) is read as the one in the site's area, else the one in a
  district the article names, else the largest if it is by far the largest; otherwise it is left out;
- a dateline outside Germany ("Riad.", "Washington (dpa) –") leaves ``place`` None;
- "Berlin." before national politics is not a place unless the text speaks of Berlin again or the site is
  Berlin's.
"""

from __future__ import annotations

import functools
import gc
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from crawler.places.gazetteer import LAND_CODES, District, Municipality, gazetteer

Place = Municipality | District


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _names(text: str) -> frozenset[str]:
    return frozenset(name.strip() for name in text.split("|"))


#: names of municipalities that are also ordinary German words, or common surnames: never a place from a plain
#: mention (only with a locative word before it, or from the dateline, URL or structured data)
COMMON_WORDS = _words(
    """
    Acht Achim Ahorn Alf Alpen Au Auen Aura Ausleben Bach Balge Bann Benz Berg Berge Bergen Bengel Bescheid Besitz
    Binnen Boden Bogen Böhme Brand Brechen Brecht Breit Brest Bröckel Bruch Bruck Brücken Brügge Brunnen Buch
    Buchen Bücken Bunde Burg Burgen Büttel Dill Dingen Dorf Dümmer Eich Eichen Einig Elbe Empfingen Engen Enger
    Erden Ernst Esche Essen Fahren Feld Felde Fell Fellen Feucht Filz Finne Fisch Fischen Floß Föhren Forst
    Frankenstein Frechen Furth Garten Gering Gingen Gingst Glatten Gleichen Göttin Graben Gräben Grafschaft Grove
    Grub Grube Gutenberg Haar Hahn Halbe Halle Hammer Haste Hatten Hausen Häusern Hausten Hecken Heere Hehlen
    Heide Heiden Hemme Herold Hirten Hof Höfen Hohn Holm Holt Holzen Hopsten Horn Horst Höchst Hütten Igel Jucken
    Kahl Kalt Kamen Kappel Karl Karlsbad Kauern Keltern Kerben Kernen Kirchen Kommen Kordel Korb Körner Kotzen
    Krempel Kuchen Küsten Lachen Lage Lahn Laer Langen Lanze Lauben Lauf Laufen Lauter Lauterbach Leck Leer Lehre
    Leimen Lichtenberg Lind Linda Linden Lindern Linz Lohne Löhne Lotte Lug Macken Mandel Mantel March Mark
    Mauer Mauern Mehren Meine Mengen Moos Morschen Motten Mücke Müden Mühlen Münchhausen Müssen Mützenich Nagel
    Nahe Nebel Nieste Norden Nützen Ohne Ort Osten Otter Passee Perl Petting Platten Pohl Polle Pommern Pracht
    Preist Prien Puls Rain Rauen Recke Regen Rehe Reich Reit Riegel Ringe Roden Rohr Rom Rosa Rot Roth Saal Salz
    Salzburg Sand Sande Scheuern Schieren Schlangen Schleife Schlitz Schmelz Schmitt Schöneberg Schotten Schuld
    Schutz Schwall Schwarz Schwarzen Schwollen Seelen Seifen Senden Sinn Singen Sonnen Spalt Speicher Springe
    Stapel Stegen Stein Steinreich Stelle Stemmen Stoltenberg Stößen Strande Süßen Tauche Train Treuen Trogen
    Übersee Ulmen Viereck Vogt Wald Wallen Wangen Waren Wedel Wehr Weibern Weiden Weil Weiler Weisen Welle Wellen
    Welt Wenden Werben Werder Weste Wetter Widdern Wiesen Winden Winkel Winzer Wirft Wisch Wissen Wolken Zell
    Zimmern Anger Kell Siegen
    """
)
#: single-word municipalities smaller than this are places from a plain mention only in the site's area
SMALL = 5000
#: the Länder that are not also one city: their names are never a municipality in a text
LAND_NAMES = _words(
    """Baden-Württemberg Bayern Brandenburg Hessen Mecklenburg-Vorpommern Niedersachsen Nordrhein-Westfalen
    Rheinland-Pfalz Saarland Sachsen Sachsen-Anhalt Schleswig-Holstein Thüringen Deutschland"""
)
#: places abroad a German dateline names (a dateline with one of these gives place None)
FOREIGN = _names(
    """
    Abu Dhabi|Addis Abeba|Amman|Amsterdam|Ankara|Antalya|Athen|Bagdad|Baku|Bamako|Bangkok|Barcelona|Basel|
    Beirut|Belgrad|Bern|Bogotá|Bozen|Brasília|Bratislava|Brüssel|Budapest|Buenos Aires|Bukarest|Chicago|
    Damaskus|Danzig|Davos|Den Haag|Doha|Dubai|Dublin|Edinburgh|Eriwan|Florenz|Gaza|Genf|Graz|Hanoi|Havanna|
    Helsinki|Hongkong|Innsbruck|Islamabad|Istanbul|Jakarta|Jerusalem|Johannesburg|Kabul|Kairo|Kapstadt|
    Kathmandu|Kiew|Kinshasa|Kopenhagen|Krakau|Kyjiw|Lagos|Lemberg|Lima|Linz|Lissabon|London|Los Angeles|
    Luxemburg|Lyon|Madrid|Mailand|Manila|Marseille|Mexiko-Stadt|Minsk|Mogadischu|Moskau|Mumbai|
    Nairobi|Neapel|Neu-Delhi|New York|Nikosia|Nizza|Odessa|Oslo|Ottawa|Paris|Peking|Prag|Pristina|Rabat|Riad|
    Riga|Rio de Janeiro|Rom|Salzburg|San Francisco|Santiago|Sarajevo|Seoul|Shanghai|Singapur|Skopje|Sofia|
    St. Petersburg|Stockholm|Straßburg|Sydney|Tallinn|Taipeh|Teheran|Tel Aviv|Tiflis|Tirana|Tokio|Toronto|
    Tunis|Vaduz|Venedig|Vilnius|Warschau|Washington|Wien|Wilna|Zagreb|Zürich|Charkiw|Cherson|Donezk|Luhansk|
    Mariupol|Saporischschja|Dnipro|Rafah|Chan Junis|Ramallah|Tripolis|Khartum|Bengasi|Kiruna|Brügge|Lüttich|
    Antwerpen|Rotterdam|Utrecht|Maastricht|Venlo|Eupen|Metz|Lille|Calais|Breslau|Stettin|
    Posen|Pilsen|Eger|Karlsbad|Bregenz|Feldkirch|Kufstein|Schaffhausen|Kreuzlingen|St. Gallen|Luzern
    """
)

#: a dateline: "Wolfsburg. Text", "Wolfsburg (dpa) – Text", "ELMSHORN – Text", "Berlin/Hamburg (dpa/lno) - Text"
_DATELINE = re.compile(
    r"^\s*(?P<place>[A-ZÄÖÜ][\w.'’\-]*(?:[ \-/][\w.'’()\-]+){0,4}?)\s*"
    r"(?:\((?P<agency>[^()]{1,25})\)\s*)?(?:,\s*\d{1,2}\.\s*\w+\.?\s*)?(?:[–—·|-]{1,2}|\.|:)\s+(?=[\W\d]*[A-ZÄÖÜ\d\"„»])"
)
# candidate words of a text: a capitalised word (group 1, with "St. " before it) and its hyphenated parts
_WORD = re.compile(r"(?<![\w\-])((?:St\. )?[A-ZÄÖÜ][\w'’]*)((?:-[\w'’]+)*)")
# words after which a common-word name is a place: "in Essen", "Stadt Hof", "Gemeinde Weil"
_LOCATIVE = _words(
    """in aus nach bei Stadt Gemeinde Ortsteil Ortschaft Raum Landkreis Kreis Großraum Bürgermeister
    Oberbürgermeister Bürgermeisterin Oberbürgermeisterin Innenstadt Polizei Amt Samtgemeinde
    Verbandsgemeinde Markt"""
)
_ARTICLES = _words(
    "der die das dem den des ein eine einem einen einer eines im am zum zur vom beim ins ans aufs kein keine"
)
_DISTRICT_PREFIX = re.compile(r"^(?:Landkreise?s?|Kreise?s?|LK|Region|Regionalverband)\s+", re.IGNORECASE)
#: words after a demonym that make it a name, not a place ("Frankfurter Allgemeine", "Weimarer Republik")
_NOT_PLACE_AFTER = _words(
    """Zeitung Allgemeine Allgemeinen Rundschau Abendblatt Nachrichten Morgenpost Kurier Anzeiger Tageblatt Post
    Merkur Presse Volksstimme Echo Stimme Tageszeitung Landeszeitung Neueste Neuesten Republik Würstchen Kranz
    Schule Verlag Verlagsgruppe Rundfunk"""
)
_DEMONYMS = {"Münchner": "09162000", "Münchener": "09162000", "Kölner": "05315000", "Bremer": "04011000",
             "Hannoveraner": "03241001", "Hallenser": "15002000", "Düsseldorfer": "05111000"}  # fmt: skip
#: URL segments after which the next segment names a place even when it is a common word
_PLACE_SEGMENTS = _words(
    """staedte stadt städte region regionen regional lokales lokal lokalnachrichten orte ort kreis landkreis
    landkreise heimat gemeinden gemeinde"""
)

# weights of the signals, and the least score of a main place
_WEIGHT = {"dateline": 10.0, "structured": 6.0, "url": 5.0, "section": 4.0}
_TITLE, _LEAD, _BODY, _SLUG = 3.0, 2.0, 1.0, 2.0
MIN_SCORE = 3.0
_FEW, _AHEAD = 8, 4  # a first word of more forms than _FEW is looked up with the _AHEAD characters after it
_DOMINANT = 5  # the largest namesake is taken without other evidence when this many times the next


def slug(text: str) -> str:
    """A name as it appears in a URL: "Mülheim an der Ruhr" -> "muelheim-an-der-ruhr"."""
    text = text.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass(frozen=True, slots=True)
class _Form:
    """One way of writing a place: the text, what it can mean, and how it may be read."""

    text: str
    places: tuple[Place, ...]
    common: bool  # also an ordinary word: a place only with context
    demonym: bool = False
    small: bool = False  # one word naming only small municipalities: a place from the text only with context


@dataclass
class _Index:
    first: dict[str, list[_Form]] = field(default_factory=dict)  # first word -> forms, longest first
    # for a first word of many forms ("Kreis", "Bad"): first word + the next 4 characters -> forms, longest first
    second: dict[str, dict[str, list[_Form]]] = field(default_factory=dict)
    slugs: dict[str, tuple[Place, ...]] = field(default_factory=dict)
    forms: dict[str, _Form] = field(default_factory=dict)


@functools.cache
def _index() -> _Index:
    g = gazetteer()
    by_form: dict[str, list[Place]] = {}
    for m in g.municipalities.values():
        for text in (m.name, *m.alternatives):
            if text not in LAND_NAMES:
                by_form.setdefault(text, []).append(m)
    for d in g.districts.values():
        if d.is_city:
            continue
        names = {d.name} if d.name.startswith(("Region ", "Regionalverband ")) else set()
        names |= {f"{word} {d.name}" for word in ("Landkreis", "Landkreises", "Kreis", "Kreises", "LK")}
        if d.name not in by_form and " " not in d.name:  # "Dithmarschen", "Emsland", "Ortenaukreis"
            names.add(d.name)
        for text in names:
            by_form.setdefault(text, []).append(d)
    index = _Index()
    for text, places in by_form.items():
        ordered = tuple(sorted(places, key=_size, reverse=True))
        small = " " not in text and all(isinstance(p, Municipality) and p.population < SMALL for p in ordered)
        index.forms[text] = _Form(text, ordered, text in COMMON_WORDS, small=small)
        key = slug(text)
        index.slugs[key] = tuple(sorted({*index.slugs.get(key, ()), *ordered}, key=_size, reverse=True))
    for text, form in list(index.forms.items()):
        if form.common or " " in text or any(isinstance(p, District) for p in form.places):
            continue
        name = text + "r" if text.endswith("e") else text + "er"
        if name not in index.forms and name.casefold() not in _ARTICLES:
            index.forms[name] = _Form(name, form.places, False, demonym=True)
    for name, ags in _DEMONYMS.items():
        index.forms[name] = _Form(name, (g.municipalities[ags],), False, demonym=True)
    for text, form in index.forms.items():
        match = _WORD.match(text)
        if match is not None:
            index.first.setdefault(match.group(1), []).append(form)
    for key, forms in index.first.items():
        forms.sort(key=lambda f: -len(f.text))
        if len(forms) > _FEW:
            inner: dict[str, list[_Form]] = {}
            for form in forms:  # a form shorter than the look-ahead ("Neustadt" itself) under ""
                short = len(form.text) < len(key) + _AHEAD
                inner.setdefault("" if short else form.text[: len(key) + _AHEAD], []).append(form)
            index.second[key] = inner
    # the gazetteer and this index are ~100,000 objects that live as long as the process: out of the garbage
    # collector's reach, they do not make every later full collection slower (0.3 ms an article, measured);
    # garbage is collected first, so that only what is alive is frozen (once per process)
    gc.collect()
    gc.freeze()
    return index


def load_index() -> None:
    """Build the gazetteer's index now (an extraction worker does at start-up, before it tunes its garbage
    collection), instead of on the first article that names a place."""
    _index()


def _size(place: Place) -> int:
    if isinstance(place, Municipality):
        return place.population
    return 1  # a district only when nothing else fits


def _key(place: Place) -> str:
    return place.ags if isinstance(place, Municipality) else place.key


def _district(place: Place) -> str:
    return place.district if isinstance(place, Municipality) else place.key


@dataclass
class _Found:
    place: Place
    score: float = 0.0
    mentions: int = 0
    source: str = "text"


@dataclass
class _Mention:
    form: _Form
    weight: float
    source: str  # dateline, url, section, structured or text
    text_mention: bool


def _coverage_prefixes(coverage: Iterable[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    codes = {code: prefix for prefix, code in LAND_CODES.items()}
    for item in coverage or ():
        item = str(item).strip().upper()
        if item in codes:
            out.append(codes[item])
        elif "DE-" + item in codes:
            out.append(codes["DE-" + item])
        elif item.isdigit() and len(item) in (2, 5, 8):
            out.append(item[:5])
    return tuple(out)


def _dateline(text: str | None) -> tuple[str, str | None, int] | None:
    """(place text, agency, where the text after it starts) of a dateline at the start of ``text``."""
    if not text:
        return None
    match = _DATELINE.match(text[:120])
    if match is None:
        return None
    place = match.group("place").strip()
    if place.isupper() and len(place) > 2:
        place = place.title()
    return place, match.group("agency"), match.end()


def _text_mentions(
    text: str, weight: float, index: _Index, out: list[_Mention], prefixes: tuple[str, ...] = ()
) -> None:
    first_words = index.first
    covered = 0
    for match in _WORD.finditer(text):
        key = match.group(1)
        forms = first_words.get(key)
        if forms is None:
            continue
        start = match.start()
        inner = index.second.get(key)
        if inner is not None:  # "Kreis" starts 300 forms: only those that go on as the text does
            forms = inner.get(text[start : start + len(key) + _AHEAD], []) + inner.get("", [])
        if start < covered:
            continue  # "Homburg" of "Bad Homburg", "Gifhorn" of "Landkreis Gifhorn"
        word = match.group()
        if word in LAND_NAMES:
            continue
        form = next(
            (f for f in forms if text.startswith(f.text, start) and _ends(text, start + len(f.text))), None
        )
        if form is None and match.group(2):  # "Wolfsburg-Vorsfelde": a part of Wolfsburg
            form = index.forms.get(match.group(1))
            if form is None or form.common or form.demonym:
                continue
        if form is None:
            continue
        covered = start + len(form.text)
        before = text[max(0, start - 40) : start].split()
        previous = before[-1] if before else ""
        sentence_start = not before or previous.endswith((".", "!", "?", ":", '"', "„", "“", "»", "«"))
        if form.common or form.small:
            local = (
                form.small
                and not form.common
                and prefixes
                and any(_key(p).startswith(prefixes) for p in form.places)
            )
            if not local and previous not in _LOCATIVE and previous.lower() not in _LOCATIVE:
                continue
        elif form.demonym:
            after = text[start + len(form.text) :].split(None, 1)
            if after and after[0].strip(".,;:") in _NOT_PLACE_AFTER:
                continue
        elif previous.casefold() in _ARTICLES and not sentence_start and len(form.places) > 1:
            continue  # "die Halle", "den Hof": an ordinary noun
        out.append(_Mention(form, weight / 2 if form.demonym else weight, "text", True))


def _ends(text: str, end: int) -> bool:
    return end >= len(text) or not (text[end].isalnum() or text[end] in "-'’")


def _url_mentions(url: str, index: _Index, out: list[_Mention]) -> None:
    path = unquote(urlsplit(url).path)
    parts = [p for p in path.split("/") if p]
    if parts and not path.endswith("/"):
        _slug_mentions(parts[-1], index, out)
        parts = parts[:-1]  # the article's own slug
    previous = ""
    for part in parts[:6]:
        key = slug(part)
        places = index.slugs.get(key)
        if places:
            form = next((f for f in (index.forms.get(p.name) for p in places) if f is not None), None)
            common = form is not None and form.common
            if not common or previous in _PLACE_SEGMENTS:
                name = places[0].name
                out.append(_Mention(_Form(name, places, False), _WEIGHT["url"], "url", False))
        previous = key


def _slug_mentions(last: str, index: _Index, out: list[_Mention]) -> None:
    """Places named in the article's own slug ("...-tagte-im-phaeno-wolfsburg-1521114300"): weaker than a
    place segment, and never a common word or a small municipality."""
    words = [w for w in re.split(r"[^a-z0-9äöüß]+", last.casefold()) if w and not w.isdigit()][:20]
    seen: set[str] = set()
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            key = "-".join(words[i : i + n])
            places = index.slugs.get(slug(key))
            if not places or key in seen or any(key in s for s in seen):
                continue
            form = index.forms.get(places[0].name)
            if form is None or form.common or form.small or isinstance(places[0], District):
                continue
            seen.add(key)
            out.append(_Mention(_Form(places[0].name, places, False), _SLUG, "url", False))


def _named(names: Iterable[str], source: str, index: _Index, out: list[_Mention]) -> None:
    for raw in names:
        for name in re.split(r"\s*[/|,›>»]\s*|\s+-\s+", raw):
            name = name.strip()
            if not name or name in LAND_NAMES:
                continue
            form = index.forms.get(name)
            if form is None:
                short = _DISTRICT_PREFIX.sub("", name)
                form = index.forms.get(f"Landkreis {short}") if short != name else None
            if form is not None and not form.demonym and (source == "structured" or not form.common):
                out.append(_Mention(_Form(form.text, form.places, False), _WEIGHT[source], source, False))
                break


_NATIONAL = _words(
    """politik panorama wirtschaft welt ausland deutschland kultur wissen ratgeber service sport
    deutschland-und-welt nachrichten-welt vermischtes boulevard leben reise digital auto"""
)


def _national(url: str) -> bool:
    """Whether the URL's first path segment is a section of national or world news."""
    parts = [p for p in urlsplit(url).path.casefold().split("/") if p]
    return bool(parts) and parts[0] in _NATIONAL


def _choose(form: _Form, prefixes: tuple[str, ...], districts: set[str]) -> Place | None:
    """The place a form means here, or None when it stays ambiguous."""
    places = form.places
    if len(places) == 1:
        return places[0]
    if prefixes:
        inside = [p for p in places if _key(p).startswith(prefixes) or _district(p).startswith(prefixes)]
        if inside:
            places = tuple(inside)
            if len(places) == 1:
                return places[0]
        elif form.common or form.small:
            return None  # "Linden" on a Hannover site is its quarter, not a town elsewhere
    named = [p for p in places if _district(p) in districts]
    if named:
        return named[0]
    first, second = places[0], places[1]
    if _size(first) >= _DOMINANT * max(_size(second), 1):
        return first
    return None


def find_places(
    title: str | None,
    lead: str | None,
    body: str | None,
    url: str = "",
    section: str | None = None,
    hints: Mapping[str, Sequence[str]] | None = None,
    coverage: Iterable[str] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """(places, place) of one article; see the module's docstring."""
    index = _index()
    prefixes = _coverage_prefixes(coverage)
    mentions: list[_Mention] = []
    foreign = False
    capital_dateline = False
    dateline_key = ""
    after = {"lead": 0, "body": 0}  # the texts' mentions are counted after their dateline
    for part, text in (("lead", lead), ("body", body)):
        line = _dateline(text)
        if line is None:
            continue
        name = re.split(r"\s*/\s*", line[0])[0]
        if line[1] and f"{name} ({line[1]})" in index.forms:  # "Frankfurt (Oder) –": no agency
            name = f"{name} ({line[1]})"
        if name in FOREIGN:
            foreign = True
            break
        form = index.forms.get(name)
        if form is not None and not form.demonym and not any(isinstance(p, District) for p in form.places):
            capital_dateline = name == "Berlin"
            chosen = _choose(form, prefixes, set())
            dateline_key = _key(chosen) if chosen is not None else ""
            mentions.append(
                _Mention(_Form(form.text, form.places, False), _WEIGHT["dateline"], "dateline", False)
            )
            after[part] = line[2]
            if part == "lead" and body and body.startswith(name):
                after["body"] = (_dateline(body) or ("", None, 0))[2]
            break
    _url_mentions(url, index, mentions)
    _named([section] if section else [], "section", index, mentions)
    if hints:
        _named(hints.get("breadcrumb", ()), "section", index, mentions)
        _named(hints.get("structured", ()), "structured", index, mentions)
    _text_mentions((title or "")[:500], _TITLE, index, mentions, prefixes)
    _text_mentions((lead or "")[after["lead"] : 2000], _LEAD, index, mentions, prefixes)
    _text_mentions((body or "")[after["body"] : 20000], _BODY, index, mentions, prefixes)

    # districts the article names or places it with one meaning: they decide between namesakes
    districts = {_district(m.form.places[0]) for m in mentions if len(m.form.places) == 1}
    found: dict[str, _Found] = {}
    for m in mentions:
        place = _choose(m.form, prefixes, districts)
        if place is None:
            continue
        entry = found.setdefault(_key(place), _Found(place))
        entry.score += m.weight
        if m.text_mention:
            entry.mentions += 1
        if m.source != "text" and (entry.source == "text" or _WEIGHT[m.source] > _WEIGHT[entry.source]):
            entry.source = m.source
    if capital_dateline and "11000000" in found and not {"11", "11000"} & set(prefixes):
        berlin = found["11000000"]
        if berlin.mentions == 0:  # a capital's dateline before national news: not about Berlin
            del found["11000000"]
    if dateline_key in found and found[dateline_key].mentions == 0 and _national(url):
        del found[dateline_key]  # the newsroom's town before world news ("Essen." on /panorama/)
    ranked = sorted(found.values(), key=lambda f: (-f.score, -_size(f.place), _key(f.place)))
    places = [_record(f) for f in ranked[:12]]
    main = None
    strong = ranked and (ranked[0].score >= MIN_SCORE or (len(ranked) == 1 and ranked[0].score >= 2))
    if not foreign and strong:
        top = ranked[0]
        if isinstance(top.place, District):  # a municipality of that district, as strong, is more precise
            inner = [
                f for f in ranked[1:12] if _district(f.place) == top.place.key and f.score >= top.score / 2
            ]
            top = inner[0] if inner else top
        main = _record(top)
    return places, main


def _record(found: _Found) -> dict[str, Any]:
    p = found.place
    return {
        "ags": _key(p),
        "name": p.name,
        "district": _district(p),
        "land": p.land,
        "source": found.source,
        "mentions": found.mentions,
    }


def tag_places(fields: dict[str, Any], url: str, coverage: Iterable[str] | None = None) -> dict[str, Any]:
    """Set ``places`` and ``place`` of extracted ``fields`` (consuming their transient ``place_hints``)."""
    hints = fields.pop("place_hints", None)
    try:
        places, place = find_places(
            fields.get("title"), fields.get("lead"), fields.get("body"), url, fields.get("section"),
            hints if isinstance(hints, Mapping) else None, coverage,
        )  # fmt: skip
    except Exception:  # never lose an article to its places
        places, place = [], None
    fields["places"] = places
    fields["place"] = place
    return fields
