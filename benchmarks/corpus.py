"""A deterministic corpus of news-like articles (seeded; no files to ship)."""

from __future__ import annotations

import random

PEOPLE = [
    "Gen. Mark Milley",
    "Jens Stoltenberg",
    "Ursula von der Leyen",
    "Dr. Anna Kovalenko",
    "Sen. John Reed",
    "Prime Minister Kaja Kallas",
    "Mayor Vitali Klitschko",
    "Mr. Olaf Scholz",
]
PLACES = ["Vilnius", "Brussels", "Kyiv", "Warsaw", "the U.S.", "Odesa", "Riga", "Washington", "Kharkiv", "Berlin"]
ORGS = ["NATO", "the European Union", "the U.N. Security Council", "the Pentagon", "the IMF", "Reuters"]
THINGS = [
    "155-millimeter shells",
    "air-defence systems",
    "winter fuel supplies",
    "grain exports",
    "armoured vehicles",
    "reconstruction loans",
    "power-grid repairs",
    "drone interceptors",
]
DATES = ["on Jan. 5", "on Monday", "late on Friday", "in February 2022", "on Sept. 14", "earlier this week"]
TEMPLATES = [
    "{person} said {date} that {org} would send more {thing} to {place}.",
    "Officials in {place} confirmed {date} that deliveries of {thing} had doubled since March.",
    "“We will not back down,” {person} told reporters in {place}, adding that {org} stood united.",
    "The agreement, worth ${n} billion, covers {thing} and training for about {m},000 troops.",
    "According to {org}, at least {m} people were injured when the strike hit {place} {date}.",
    "Analysts said the decision by {org} could reshape the market for {thing} across Europe.",
    "{person}, speaking after talks in {place}, called the plan “realistic but urgent.”",
    "Prices for {thing} rose {n}.{m}% {date}, the highest level since 2019, {org} reported.",
    "In {place}, residents queued for hours as crews worked on {thing} through the night.",
    "The U.S. ambassador met {person} {date} to discuss {thing} and sanctions enforcement.",
]


def article(rng: random.Random, index: int) -> dict:
    def sentence() -> str:
        return rng.choice(TEMPLATES).format(
            person=rng.choice(PEOPLE),
            place=rng.choice(PLACES),
            org=rng.choice(ORGS),
            thing=rng.choice(THINGS),
            date=rng.choice(DATES),
            n=rng.randint(2, 60),
            m=rng.randint(2, 90),
        )

    paragraphs = [" ".join(sentence() for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(5, 8))]
    title = f"{rng.choice(ORGS).replace('the ', '').title()} weighs {rng.choice(THINGS)} for {rng.choice(PLACES)}"
    return {"title": title, "body": "\n\n".join(paragraphs), "format": "text", "external_id": f"bench-{index}"}


def corpus(count: int = 24, seed: int = 2023) -> list[dict]:
    rng = random.Random(seed)
    return [article(rng, i) for i in range(count)]
