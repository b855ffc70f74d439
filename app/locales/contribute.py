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
}
