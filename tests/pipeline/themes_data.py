"""Captions of a day with known themes, in Dutch and in English (shared by the themes tests)."""

from __future__ import annotations

from datetime import datetime

from media_pipeline.types import Moment

DUTCH = [
    ("07:05", "Lange wachtrij bij de kassa", 2, "customer"),
    ("07:40", "De wachtrij staat tot buiten", 1, "customer"),
    ("08:15", "Weer een wachtrij, niemand helpt", 2, "customer"),
    ("09:00", "Verse koffie voor het team", 5, "employee"),
    ("09:30", "Koffie in de kantine met collega's", 4, "employee"),
    ("10:10", "Eerste koffie van de dag", 4, "customer"),
    ("11:00", "Parkeerplaats helemaal vol", 2, "customer"),
    ("11:20", "Geen parkeerplaats te vinden", 1, "customer"),
    ("12:30", "Lunch met het team buiten", 5, "employee"),
    ("13:00", "Snelle lunch achter de balie", 3, "employee"),
    ("14:00", "De kassa doet het weer niet", 2, "employee"),
    ("15:15", "Vriendelijke hulp van de verkoper #service", 5, "customer"),
    ("16:00", "Pakket afgeleverd #service", 4, "customer"),
    ("17:30", "Kinderen spelen in de speelhoek", 4, "customer"),
]
ENGLISH = [
    ("07:05", "Long queue at the checkout", 2, "customer"),
    ("07:40", "The queue goes all the way outside", 1, "customer"),
    ("08:15", "Another queue and nobody helps", 2, "customer"),
    ("09:00", "Fresh coffee for the team", 5, "employee"),
    ("09:30", "Coffee in the canteen with colleagues", 4, "employee"),
    ("10:10", "First coffee of the day", 4, "customer"),
    ("11:00", "Parking lot completely full", 2, "customer"),
    ("11:20", "No parking space anywhere", 1, "customer"),
    ("12:30", "Lunch outside with the team", 5, "employee"),
    ("13:00", "Quick lunch behind the counter", 3, "employee"),
    ("15:15", "Friendly help from the shop assistant #service", 5, "customer"),
    ("16:00", "Parcel delivered on time #service", 4, "customer"),
]


def day_of(rows: list[tuple[str, str, int, str]], prefix: str = "m") -> list[Moment]:
    """Pipeline moments on one day from (time, caption, mood, role) rows; ids m01, m02, ..."""
    return [
        Moment(id=f"{prefix}{i:02d}", key=f"{prefix}{i:02d}.jpg", kind="photo", width=400, height=300,
               local_time=datetime.fromisoformat(f"2026-03-12T{t}:00"), caption=c, mood=mood, role=role)  # type: ignore[arg-type]
        for i, (t, c, mood, role) in enumerate(rows, start=1)
    ]
