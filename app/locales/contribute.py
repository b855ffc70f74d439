MESSAGES: dict[str, dict[str, str]] = {
    "contribute.heading": {"en": "Share a moment of your day", "nl": "Deel een moment van je dag"},
    "contribute.intro": {
        "en": "Add a photo or a short clip from {date}, with a few words about it.",
        "nl": "Voeg een foto of een korte clip toe van {date}, met een paar woorden erbij.",
    },
    "contribute.file": {"en": "Photo or clip", "nl": "Foto of clip"},
    "contribute.accepts": {
        "en": "Photos (JPEG, PNG, HEIC, WebP) and clips (MP4, MOV, WebM) up to {mb} MB.",
        "nl": "Foto's (JPEG, PNG, HEIC, WebP) en clips (MP4, MOV, WebM) tot {mb} MB.",
    },
    "contribute.limits": {
        "en": "Photos (JPEG, PNG, HEIC, WebP, GIF) and clips (MP4, MOV, WebM, 3GP), up to {mb} MB each; "
        "clips up to {minutes} minutes.",
        "nl": "Foto's (JPEG, PNG, HEIC, WebP, GIF) en clips (MP4, MOV, WebM, 3GP), tot {mb} MB per bestand; "
        "clips tot {minutes} minuten.",
    },
    "contribute.caption": {"en": "What is happening?", "nl": "Wat gebeurt er?"},
    "contribute.alias": {"en": "Your name (optional)", "nl": "Je naam (mag leeg blijven)"},
    "contribute.consent": {"en": "Consent", "nl": "Toestemming"},
    "contribute.submit": {"en": "Send my moment", "nl": "Verstuur mijn moment"},
    "contribute.thanks": {"en": "Thank you! Your moment has arrived.", "nl": "Dank je wel! Je moment is binnen."},
    "contribute.another": {"en": "Share another moment", "nl": "Nog een moment delen"},
    "contribute.closed": {
        "en": "This project does not take new moments any more. Thank you for your interest!",
        "nl": "Dit project neemt geen nieuwe momenten meer aan. Bedankt voor je interesse!",
    },
    "contribute.error": {"en": "That did not work", "nl": "Dat lukte niet"},
    "contribute.pick": {"en": "Choose photos and clips", "nl": "Kies foto's en clips"},
    "contribute.drop": {"en": "or drop them here", "nl": "of sleep ze hierheen"},
    "contribute.consent_first": {
        "en": "Tick the consent box; then your files start sending.",
        "nl": "Vink de toestemming aan; daarna worden je bestanden verstuurd.",
    },
    "contribute.scope": {"en": "Who may see it?", "nl": "Wie mag het zien?"},
    "scope.workshop": {"en": "Only this workshop", "nl": "Alleen deze workshop"},
    "scope.organisation": {"en": "Inside the organisation", "nl": "Binnen de organisatie"},
    "scope.public": {"en": "Public", "nl": "Openbaar"},
    "contribute.files": {"en": "Your files", "nl": "Je bestanden"},
    "state.waiting": {"en": "Waiting", "nl": "Wacht"},
    "state.uploading": {"en": "Uploading", "nl": "Wordt verstuurd"},
    "state.retrying": {"en": "Connection lost, trying again…", "nl": "Verbinding weg, opnieuw proberen…"},
    "state.processing": {"en": "Processing", "nl": "Wordt verwerkt"},
    "state.done": {"en": "Done", "nl": "Klaar"},
    "state.failed": {"en": "Failed", "nl": "Mislukt"},
    "contribute.when": {"en": "When was this?", "nl": "Wanneer was dit?"},
    "contribute.mood": {"en": "How did it feel?", "nl": "Hoe voelde het?"},
    "mood.1": {"en": "Very bad", "nl": "Heel slecht"},
    "mood.2": {"en": "Bad", "nl": "Slecht"},
    "mood.3": {"en": "Okay", "nl": "Gaat wel"},
    "mood.4": {"en": "Good", "nl": "Goed"},
    "mood.5": {"en": "Very good", "nl": "Heel goed"},
    "contribute.more": {"en": "Name and role (optional)", "nl": "Naam en rol (mag leeg blijven)"},
    "contribute.role": {"en": "You are a…", "nl": "Je bent…"},
    "role.none": {"en": "Rather not say", "nl": "Zeg ik liever niet"},
    "contribute.time_check": {
        "en": "We could not read the time from the file. Is this right?",
        "nl": "We konden de tijd niet uit het bestand halen. Klopt deze tijd?",
    },
    "contribute.time_yes": {"en": "Yes, that's right", "nl": "Ja, klopt"},
    "contribute.time_change": {"en": "Change", "nl": "Aanpassen"},
    "contribute.saved": {"en": "Saved", "nl": "Opgeslagen"},
    "contribute.retry": {"en": "Try again", "nl": "Opnieuw proberen"},
    "contribute.remove": {"en": "Remove", "nl": "Weghalen"},
    "contribute.to_me": {"en": "See and edit my moments", "nl": "Mijn momenten bekijken en aanpassen"},
    "contribute.all_done": {"en": "All sent. Thank you!", "nl": "Alles is verstuurd. Dank je wel!"},
    "contribute.qr": {"en": "QR code of this page", "nl": "QR-code van deze pagina"},
    "contribute.no_preview": {"en": "No preview", "nl": "Geen voorbeeld"},
    "me.title": {"en": "My moments", "nl": "Mijn momenten"},
    "me.private": {
        "en": "Your private link: keep it to find and change your moments later, on any device.",
        "nl": "Je persoonlijke link: bewaar hem om je momenten later terug te vinden en aan te passen, "
        "op elk apparaat.",
    },
    "me.none": {
        "en": "You have not shared any moments from this device yet.",
        "nl": "Je hebt vanaf dit apparaat nog geen momenten gedeeld.",
    },
    "me.save": {"en": "Save", "nl": "Opslaan"},
    "me.delete": {"en": "Delete", "nl": "Verwijderen"},
    "me.own_face": {
        "en": "Blur my own face too in films, collages and on the wall",
        "nl": "Vervaag ook mijn eigen gezicht in films, collages en op de muur",
    },
    "me.own_face_on": {"en": "Your face will be blurred.", "nl": "Je gezicht wordt vervaagd."},
    "me.own_face_ask": {"en": "Blur my face", "nl": "Vervaag mijn gezicht"},
    "me.own_face_undo": {"en": "Show my face again", "nl": "Toon mijn gezicht weer"},
    "me.confirm_delete": {
        "en": "Delete this moment? This cannot be undone.",
        "nl": "Dit moment verwijderen? Dit kan niet ongedaan worden gemaakt.",
    },
    "me.deleted": {"en": "The moment was deleted.", "nl": "Het moment is verwijderd."},
    "me.updated": {"en": "Your changes are saved.", "nl": "Je wijzigingen zijn opgeslagen."},
    "me.preparing": {"en": "Preparing the picture…", "nl": "Afbeelding wordt voorbereid…"},
    "me.add": {"en": "Share more moments", "nl": "Meer momenten delen"},
    "me.check_time": {"en": "Please check this time", "nl": "Controleer deze tijd"},
    "switch.title": {"en": "Switch to another private link?", "nl": "Wisselen naar een andere privélink?"},
    "switch.question": {
        "en": "You are signed in as {name} on this phone — switch?",
        "nl": "Je bent op deze telefoon aangemeld als {name} — wisselen?",
    },
    "switch.explain": {
        "en": "This private link belongs to other moments. If you switch, this phone shows those moments and "
        "new moments you send from it are saved with them. If you stay, nothing changes.",
        "nl": "Deze privélink hoort bij andere momenten. Als je wisselt, laat deze telefoon die momenten zien en "
        "worden nieuwe momenten die je ermee stuurt daarbij bewaard. Als je blijft, verandert er niets.",
    },
    "switch.yes": {"en": "Yes, switch to this link", "nl": "Ja, wissel naar deze link"},
    "switch.no": {"en": "No, keep my own moments", "nl": "Nee, houd mijn eigen momenten"},
    "switch.someone": {"en": "a contributor without a name", "nl": "een deelnemer zonder naam"},
    "err.too_large": {
        "en": "This file is larger than the limit of {mb} MB.",
        "nl": "Dit bestand is groter dan de grens van {mb} MB.",
    },
    "err.unsupported": {
        "en": "This is not a photo or clip we can use (JPEG, PNG, HEIC, WebP, GIF, MP4, MOV, WebM, 3GP).",
        "nl": "Dit is geen foto of clip die we kunnen gebruiken (JPEG, PNG, HEIC, WebP, GIF, MP4, MOV, WebM, 3GP).",
    },
    "err.broken": {
        "en": "We could not read this file; it may be damaged or incomplete. Please try another copy.",
        "nl": "We konden dit bestand niet lezen; het is misschien beschadigd of onvolledig. Probeer een andere kopie.",
    },
    "err.empty": {"en": "This file is empty (0 bytes).", "nl": "Dit bestand is leeg (0 bytes)."},
    "err.too_long": {
        "en": "This clip is too long; the limit is {minutes} minutes. Please trim it or send a shorter one.",
        "nl": "Deze clip is te lang; de grens is {minutes} minuten. Knip hem korter of stuur een kortere.",
    },
    "err.too_many_pixels": {
        "en": "This picture is too large in pixels; please send a smaller version.",
        "nl": "Deze afbeelding heeft te veel pixels; stuur een kleinere versie.",
    },
    "err.sound_only": {
        "en": "This file has only sound. Please send a video.",
        "nl": "Dit bestand heeft alleen geluid. Stuur een video.",
    },
    "err.closed": {
        "en": "This project does not take new moments any more.",
        "nl": "Dit project neemt geen nieuwe momenten meer aan.",
    },
    "err.consent": {
        "en": "Please tick the consent box: we can only keep your moment with your consent.",
        "nl": "Vink de toestemming aan: we bewaren je moment alleen met jouw toestemming.",
    },
    "err.invalid_link": {
        "en": "This invite link is not valid any more; ask the organiser for a new one.",
        "nl": "Deze uitnodigingslink werkt niet meer; vraag de organisator om een nieuwe.",
    },
    "contribute.when_hint": {
        "en": "Leave empty: we read the time from your photo or clip and show it here once it is sent. "
        "Times are in the project's time zone ({zone}).",
        "nl": "Laat leeg: we lezen de tijd uit je foto of clip en laten hem hier zien zodra hij verstuurd is. "
        "Tijden zijn in de tijdzone van het project ({zone}).",
    },
    "contribute.when_zone": {
        "en": "In the project's time zone ({zone}).",
        "nl": "In de tijdzone van het project ({zone}).",
    },
    "invalid.title": {"en": "This link does not work", "nl": "Deze link werkt niet"},
    "invalid.invite": {
        "en": "Sorry, we cannot find this invitation. The link may have been mistyped, "
        "or the organiser has made a new one.",
        "nl": "Sorry, we kunnen deze uitnodiging niet vinden. Misschien is de link verkeerd overgenomen, "
        "of heeft de organisator een nieuwe gemaakt.",
    },
    "invalid.private": {
        "en": "Sorry, we cannot find the moments behind this link. It may have been mistyped or cut off.",
        "nl": "Sorry, we kunnen de momenten achter deze link niet vinden. Misschien is hij verkeerd "
        "overgenomen of afgebroken.",
    },
    "invalid.what_now": {
        "en": "Ask the organiser for the current link or scan the QR code in the room again.",
        "nl": "Vraag de organisator om de juiste link, of scan de QR-code in de zaal opnieuw.",
    },
    "err.time_range": {
        "en": "This time is too far from the day of the project; please check the date.",
        "nl": "Deze tijd ligt te ver van de dag van het project; controleer de datum.",
    },
    "err.quota_person_moments": {
        "en": "You have reached the limit of {c_moments} moments per person for this project.",
        "nl": "Je hebt de grens van {c_moments} momenten per persoon voor dit project bereikt.",
    },
    "err.quota_person_bytes": {
        "en": "This file would take you past the limit of {c_gb} GB per person for this project.",
        "nl": "Met dit bestand kom je boven de grens van {c_gb} GB per persoon voor dit project.",
    },
    "err.quota_project_moments": {
        "en": "This project has reached its limit of {p_moments} moments.",
        "nl": "Dit project heeft zijn grens van {p_moments} momenten bereikt.",
    },
    "err.quota_project_bytes": {
        "en": "This project has no room left for this file (its limit is {p_gb} GB).",
        "nl": "Dit project heeft geen ruimte meer voor dit bestand (de grens is {p_gb} GB).",
    },
    "err.network": {
        "en": "The connection was lost. Try again when you are back online.",
        "nl": "De verbinding is weg. Probeer het opnieuw als je weer online bent.",
    },
}

# Server messages are English; these fragments (lower case) name the Dutch/English message to show instead.
SERVER_ERRORS: tuple[tuple[str, str], ...] = (
    ("larger than the limit", "err.too_large"),
    ("exceeds maximum allowed size", "err.too_large"),
    ("not a photo or video", "err.unsupported"),
    ("not a file we can read", "err.unsupported"),
    ("only sound", "err.sound_only"),
    ("is empty", "err.empty"),
    ("long; the limit", "err.too_long"),
    ("megapixels", "err.too_many_pixels"),
    ("pixels); the limit", "err.too_many_pixels"),
    ("could not read", "err.broken"),
    ("could not find a picture", "err.broken"),
    ("took too long", "err.broken"),
    ("does not take new moments", "err.closed"),
    ("consent box", "err.consent"),
    ("invite link is not valid", "err.invalid_link"),
    ("too far from the project's day", "err.time_range"),
    ("moments per person", "err.quota_person_moments"),
    ("gb per person", "err.quota_person_bytes"),
    ("reached its limit of", "err.quota_project_moments"),
    ("no room left", "err.quota_project_bytes"),
)
