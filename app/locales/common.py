MESSAGES: dict[str, dict[str, str]] = {
    "app.tagline": {"en": "One day, seen by everyone in it", "nl": "Eén dag, gezien door iedereen erin"},
    "lang.switch": {"en": "Nederlands", "nl": "English"},
    "nav.signout": {"en": "Sign out", "nl": "Afmelden"},
    "kind.photo": {"en": "photo", "nl": "foto"},
    "kind.clip": {"en": "clip", "nl": "clip"},
    "status.pending": {"en": "waiting for review", "nl": "wacht op beoordeling"},
    "status.approved": {"en": "approved", "nl": "goedgekeurd"},
    "status.hidden": {"en": "hidden", "nl": "verborgen"},
    "role.customer": {"en": "customer", "nl": "klant"},
    "role.employee": {"en": "employee", "nl": "medewerker"},
}
