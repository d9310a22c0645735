"""Names GeoNames' populated places do not cover: German country names and a few regions
that news names on their own ("in Crimea", "im Gazastreifen"). Written here by hand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dateline.facts.gazetteer import Place

COUNTRY_NAMES_DE: dict[str, tuple[str, ...]] = {
    "AF": ("Afghanistan",),
    "EG": ("Ägypten",),
    "DZ": ("Algerien",),
    "AM": ("Armenien",),
    "AZ": ("Aserbaidschan",),
    "ET": ("Äthiopien",),
    "BD": ("Bangladesch",),
    "BY": ("Belarus", "Weißrussland"),
    "BR": ("Brasilien",),
    "CN": ("China",),
    "DE": ("Deutschland",),
    "FR": ("Frankreich",),
    "GE": ("Georgien",),
    "GR": ("Griechenland",),
    "GB": ("Großbritannien", "Vereinigtes Königreich", "Britain", "UK"),
    "IN": ("Indien",),
    "ID": ("Indonesien",),
    "IQ": ("Irak",),
    "IR": ("Iran",),
    "IL": ("Israel",),
    "IT": ("Italien",),
    "JP": ("Japan",),
    "YE": ("Jemen",),
    "JO": ("Jordanien",),
    "CD": ("Kongo", "DR Kongo", "Demokratische Republik Kongo", "DR Congo"),
    "LB": ("Libanon", "Lebanon"),
    "LY": ("Libyen",),
    "MA": ("Marokko",),
    "MX": ("Mexiko",),
    "MM": ("Myanmar", "Burma"),
    "NP": ("Nepal",),
    "NG": ("Nigeria",),
    "AT": ("Österreich",),
    "PK": ("Pakistan",),
    "PS": ("Palästina", "Palestinian territories"),
    "PH": ("Philippinen",),
    "PL": ("Polen",),
    "RU": ("Russland",),
    "SA": ("Saudi-Arabien",),
    "CH": ("Schweiz",),
    "SO": ("Somalia",),
    "ES": ("Spanien",),
    "SD": ("Sudan",),
    "SS": ("Südsudan",),
    "SY": ("Syrien",),
    "TR": ("Türkei", "Turkey", "Türkiye"),
    "UA": ("Ukraine",),
    "US": ("USA", "Vereinigte Staaten", "United States", "US"),
}


@dataclass(frozen=True)
class Region:
    names: tuple[str, ...]
    name: str
    country: str

    @property
    def place(self) -> Place:
        from dateline.facts.gazetteer import REGION_WEIGHT, Place

        return Place(None, self.name, None, None, self.country, None, REGION_WEIGHT, True)


REGIONS = (
    Region(("Crimea", "Krim", "Halbinsel Krim"), "Crimea", "UA"),
    Region(("Donbas", "Donbass"), "Donbas", "UA"),
    Region(("Gaza Strip", "Gazastreifen", "Gaza-Streifen"), "Gaza Strip", "PS"),
    Region(("West Bank", "Westjordanland"), "West Bank", "PS"),
    Region(("Darfur",), "Darfur", "SD"),
    Region(("Tigray",), "Tigray", "ET"),
    Region(("Kurdistan",), "Kurdistan", "IQ"),
    Region(("Kashmir", "Kaschmir"), "Kashmir", "IN"),
    Region(("Bavaria", "Bayern"), "Bavaria", "DE"),
    Region(("Baden-Württemberg",), "Baden-Württemberg", "DE"),
    Region(
        ("North Rhine-Westphalia", "Nordrhein-Westfalen", "NRW"), "North Rhine-Westphalia", "DE"
    ),
    Region(("Lower Saxony", "Niedersachsen"), "Lower Saxony", "DE"),
    Region(("Hesse", "Hessen"), "Hesse", "DE"),
    Region(("Saxony", "Sachsen"), "Saxony", "DE"),
    Region(("Saxony-Anhalt", "Sachsen-Anhalt"), "Saxony-Anhalt", "DE"),
    Region(("Thuringia", "Thüringen"), "Thuringia", "DE"),
    Region(("Rhineland-Palatinate", "Rheinland-Pfalz"), "Rhineland-Palatinate", "DE"),
    Region(("Brandenburg",), "Brandenburg", "DE"),
    Region(
        ("Mecklenburg-Vorpommern", "Mecklenburg-Western Pomerania"), "Mecklenburg-Vorpommern", "DE"
    ),
    Region(("Schleswig-Holstein",), "Schleswig-Holstein", "DE"),
    Region(("Saarland",), "Saarland", "DE"),
    Region(("Tyrol", "Tirol"), "Tyrol", "AT"),
    Region(("Styria", "Steiermark"), "Styria", "AT"),
    Region(("Vorarlberg",), "Vorarlberg", "AT"),
    Region(("Carinthia", "Kärnten"), "Carinthia", "AT"),
    Region(("Upper Austria", "Oberösterreich"), "Upper Austria", "AT"),
    Region(("Lower Austria", "Niederösterreich"), "Lower Austria", "AT"),
    Region(("Burgenland",), "Burgenland", "AT"),
    Region(("Ticino", "Tessin"), "Ticino", "CH"),
    Region(("Valais", "Wallis"), "Valais", "CH"),
    Region(("Graubünden", "Grisons"), "Graubünden", "CH"),
    Region(("Aargau",), "Aargau", "CH"),
    Region(("Thurgau",), "Thurgau", "CH"),
    Region(("Vaud", "Waadt"), "Vaud", "CH"),
    Region(("Bernese Oberland", "Berner Oberland"), "Bernese Oberland", "CH"),
    Region(("Sicily", "Sizilien"), "Sicily", "IT"),
    Region(("Emilia-Romagna",), "Emilia-Romagna", "IT"),
    Region(("Catalonia", "Katalonien"), "Catalonia", "ES"),
    Region(("Andalusia", "Andalusien"), "Andalusia", "ES"),
    Region(("Balochistan", "Belutschistan"), "Balochistan", "PK"),
    Region(("Khyber Pakhtunkhwa",), "Khyber Pakhtunkhwa", "PK"),
    Region(("North Darfur", "Nord-Darfur"), "North Darfur", "SD"),
    Region(("Borno",), "Borno", "NG"),
    Region(("Idlib",), "Idlib", "SY"),
)
