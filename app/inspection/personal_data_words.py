"""The Swedish words the personal-data detector (``personal_data``) reads text by: street
endings, the labels a name follows, a patient record's headings, and the words that
look like a name or a town but are not. Data, kept apart from the patterns."""

from __future__ import annotations

#: Swedish street-name endings ("Storgatan 12", "Getingevägen 4", "Lilla torget 3").
STREET_SUFFIXES = (
    "gatan", "gata", "vägen", "väg", "gränd", "gränden", "stigen", "stig", "torget", "torg",
    "platsen", "plats", "allén", "allé", "backen", "backe", "leden", "slingan", "gången",
    "kajen", "stråket", "esplanaden", "promenaden", "parken", "vägar", "ringen", "liden",
)  # fmt: skip

#: Labels after which a person's name follows ("Patient: Tolvan Tolvansson").
NAME_LABELS = (
    "patient", "pat", "patientnamn", "patientens namn", "namn", "name", "patient name",
    "förnamn", "efternamn", "fullständigt namn", "anhörig", "närstående", "kontaktperson",
    "vårdnadshavare", "förälder", "barnets namn", "barn", "make", "maka", "sambo",
    "invånare", "invånarens namn", "sökande", "den försäkrade", "försäkrad", "till",
)  # fmt: skip

#: Journal headings; a heading makes the text health data. Kept to headings that belong to
#: a patient record (not generic words such as "Status" or "Behandling", which occur in
#: leaflets, forms and order confirmations).
HEALTH_HEADINGS = (
    "anamnes", "bedömning", "epikris", "provsvar", "diagnos", "diagnoser", "huvuddiagnos",
    "bidiagnos", "bidiagnoser", "remissorsak", "frågeställning", "sjukdomshistoria",
    "tidigare sjukdomar", "hereditet", "somatiskt status", "psykiskt status",
    "allmäntillstånd", "aktuellt", "labbsvar", "laboratoriesvar", "röntgensvar",
    "remissvar", "utlåtande", "journalanteckning", "vårdförlopp", "kontaktorsak",
    "sökorsak", "besöksorsak", "läkemedelsanamnes", "diagnoskod", "icd-10", "icd",
)  # fmt: skip

#: Capitalised words after a label that are not a name.
NOT_NAMES = frozenset(
    (
        "ja", "nej", "okänd", "okänt", "ingen", "inga", "ej", "se", "saknas", "kvinna", "man",
        "pojke", "flicka", "barn", "vuxen", "patienten", "patient", "pat", "anhörig", "uppgift",
        "uppgifter", "enligt", "vid", "via", "den", "det", "har", "är", "var", "remiss",
        "vårdcentralen", "mottagningen", "sjukhuset", "kliniken", "avdelningen", "regionen",
        "region", "akuten", "tolk", "inskriven", "utskriven", "avliden", "alla", "er", "dig",
        "dem", "oss", "vårdnadshavare", "mottagning", "avdelning", "enheten",
    )
)  # fmt: skip

#: Words after a postcode that are not a town.
NOT_TOWNS = frozenset(
    (
        "st", "kl", "mg", "ml", "mmol", "tabl", "tablett", "tabletter", "dagar",
        "dygn", "veckor", "timmar", "år", "kr", "sek", "nr", "tel",
    )
)  # fmt: skip
