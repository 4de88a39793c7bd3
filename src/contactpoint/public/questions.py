"""The guided questions of the public report form, per kind of crime, as plain data.

Labels are English message ids marked with ``N_`` so Babel extracts them; templates translate
them at render time in the visitor's language. No database, no web: forms.py validates answers
against these definitions and ui.py renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from contactpoint.taxonomy.vocab import CrimeKind as Kind
from contactpoint.taxonomy.vocab import VictimType

InputKind = Literal[
    "text", "textarea", "number", "select", "date", "email", "tel", "url", "checkbox", "checkboxes"
]


def N_(message: str) -> str:  # the gettext convention Babel looks for
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


@dataclass(frozen=True)
class Question:
    name: str
    label: str
    input: InputKind = "text"
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, message id)
    help: str = ""
    max_length: int = 500


@dataclass(frozen=True)
class CrimeKind:
    slug: str
    title: str
    summary: str
    questions: tuple[Question, ...]
    illegal_content: bool = False  # anonymous by default, never an upload field
    extra_notice: str = ""

    @property
    def allows_attachments(self) -> bool:
        return not self.illegal_content


CONTACT_CHANNELS = (
    ("phone", N_("Phone call")),
    ("sms", N_("Text message (SMS)")),
    ("email", N_("Email")),
    ("website", N_("Website or online shop")),
    ("social", N_("Social media")),
    ("messaging", N_("Messaging app (WhatsApp, Telegram, …)")),
    ("marketplace", N_("Online marketplace")),
    ("dating", N_("Dating site or app")),
    ("other", N_("Other")),
)
PAYMENT_METHODS = (
    ("bank-transfer", N_("Bank transfer")),
    ("card", N_("Payment card")),
    ("instant-payment", N_("Instant payment app")),
    ("crypto", N_("Cryptocurrency")),
    ("gift-card", N_("Gift or voucher cards")),
    ("money-transfer", N_("Money transfer service")),
    ("cash", N_("Cash")),
    ("other", N_("Other")),
)
CURRENCIES = ("EUR", "BGN", "CZK", "DKK", "HUF", "PLN", "RON", "SEK", "CHF", "GBP", "NOK", "USD")
DOCUMENTS = (
    ("id-card", N_("Identity card")),
    ("passport", N_("Passport")),
    ("driving-licence", N_("Driving licence")),
    ("bank-card", N_("Bank or payment card")),
    ("bank-account", N_("Bank account")),
    ("tax-number", N_("Tax or social security number")),
    ("email-account", N_("Email account")),
    ("social-account", N_("Social media account")),
    ("other", N_("Other")),
)
WHERE_SEEN = (
    ("website", N_("Website")),
    ("social", N_("Social media")),
    ("messaging", N_("Messaging app or group")),
    ("forum", N_("Forum or image board")),
    ("file-sharing", N_("File sharing or cloud storage")),
    ("other", N_("Other")),
)

FRAUD = (
    Question(
        "amount",
        N_("How much money did you lose?"),
        "number",
        help=N_("Leave empty if you lost no money. Example: 250 or 99.90"),
    ),
    Question("currency", N_("Currency"), "select", choices=tuple((c, c) for c in CURRENCIES)),
    Question("payment_method", N_("How did you pay?"), "select", choices=PAYMENT_METHODS),
    Question(
        "contact_channel",
        N_("How did the fraudster contact you?"),
        "select",
        required=True,
        choices=CONTACT_CHANNELS,
    ),
    Question(
        "suspect_identifiers",
        N_("Details of the fraudster"),
        "textarea",
        help=N_(
            "Website addresses, phone numbers, email addresses, IBANs or wallet "
            "addresses they used; one per line."
        ),
        max_length=2000,
    ),
)
PHISHING = (
    Question(
        "received_via",
        N_("How did you receive the message?"),
        "select",
        required=True,
        choices=(*CONTACT_CHANNELS[:6], CONTACT_CHANNELS[-1]),
    ),
    Question(
        "sender",
        N_("Who sent it?"),
        help=N_("The email address, phone number or account name of the sender."),
    ),
    Question(
        "phishing_url",
        N_("Link in the message"),
        "url",
        help=N_("Copy the web address from the message. Do not open it again."),
    ),
    Question(
        "message_text",
        N_("Text of the message"),
        "textarea",
        max_length=5000,
        help=N_("Paste the message you received."),
    ),
    Question(
        "entered_details", N_("I entered passwords or bank details after the message"), "checkbox"
    ),
)
IDENTITY = (
    Question(
        "documents",
        N_("Which documents or accounts were misused?"),
        "checkboxes",
        required=True,
        choices=DOCUMENTS,
    ),
    Question(
        "accounts",
        N_("Which accounts were affected?"),
        help=N_("For example the bank, email provider or social network."),
    ),
    Question(
        "misuse",
        N_("How were they misused?"),
        "textarea",
        max_length=2000,
        help=N_("For example loans, orders or accounts opened in your name."),
    ),
)
HACKING = (
    Question(
        "systems",
        N_("Which systems or accounts are affected?"),
        required=True,
        help=N_("For example laptop, company server, email account, website."),
    ),
    Question("ransomware", N_("The files were encrypted or a ransom was demanded"), "checkbox"),
    Question(
        "ransom_note",
        N_("Text of the ransom note"),
        "textarea",
        max_length=5000,
        help=N_("Copy the text, the contact address and any wallet address."),
    ),
    Question(
        "suspect_identifiers",
        N_("Addresses the attackers used"),
        "textarea",
        help=N_("IP addresses, domains, email or wallet addresses; one per line."),
        max_length=2000,
    ),
)
DOS = (
    Question(
        "target",
        N_("What was attacked?"),
        required=True,
        help=N_("The website, address or service that was unavailable."),
    ),
    Question("duration_hours", N_("How many hours did the disruption last?"), "number"),
    Question("ongoing", N_("The attack is still going on"), "checkbox"),
    Question("extortion", N_("We received a demand for money"), "checkbox"),
    Question(
        "suspect_identifiers", N_("Attacking addresses, if known"), "textarea", max_length=2000
    ),
)
ILLEGAL = (
    Question(
        "content_url",
        N_("Where did you see it? (web address)"),
        "url",
        required=True,
        help=N_("Copy the address from the browser bar. Do not download or share the material."),
    ),
    Question("where_seen", N_("What kind of place is it?"), "select", choices=WHERE_SEEN),
)

KINDS: dict[str, CrimeKind] = {
    k.slug: k
    for k in (
        CrimeKind(
            Kind.FRAUD.value,
            N_("Online fraud"),
            N_("Someone tricked you into paying or sending money online."),
            FRAUD,
        ),
        CrimeKind(
            Kind.PHISHING.value,
            N_("Phishing"),
            N_("A message or website tried to steal your passwords or bank details."),
            PHISHING,
        ),
        CrimeKind(
            Kind.IDENTITY_THEFT.value,
            N_("Identity theft"),
            N_("Someone uses your identity, documents or accounts."),
            IDENTITY,
        ),
        CrimeKind(
            Kind.HACKING.value,
            N_("Hacking or ransomware"),
            N_("Someone broke into your computer or accounts, or encrypted your files."),
            HACKING,
        ),
        CrimeKind(
            Kind.DENIAL_OF_SERVICE.value,
            N_("Denial of service"),
            N_("A website or online service was flooded until it stopped working."),
            DOS,
        ),
        CrimeKind(
            Kind.CSAM.value,
            N_("Child sexual abuse material"),
            N_("Images or videos of the sexual abuse of children online."),
            ILLEGAL,
            illegal_content=True,
            extra_notice=N_(
                "Do not download, copy, screenshot or send the material to "
                "anyone, including us. The web address is enough. You may "
                "report anonymously."
            ),
        ),
        CrimeKind(
            Kind.TERRORIST_CONTENT.value,
            N_("Terrorist content"),
            N_("Content that incites or glorifies terrorist acts."),
            ILLEGAL,
            illegal_content=True,
            extra_notice=N_(
                "Do not share the content. The web address is enough. You may report anonymously."
            ),
        ),
        CrimeKind(
            Kind.ILLEGAL_CONTENT.value,
            N_("Other illegal content"),
            N_("Hate speech, incitement of minors to violence or other illegal content."),
            ILLEGAL,
            illegal_content=True,
            extra_notice=N_(
                "Do not share the content. The web address is enough. You may report anonymously."
            ),
        ),
    )
}

VICTIM_TYPES = (
    (VictimType.PERSON.value, N_("A person")),
    (VictimType.BUSINESS.value, N_("A business")),
    (VictimType.PUBLIC_BODY.value, N_("A public body")),
)
# EU Member States first, then neighbours often involved in reports.
_COUNTRY_CODES = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
COUNTRIES = (*_COUNTRY_CODES.split(), "CH", "GB", "IS", "LI", "NO", "UA", "US")


@dataclass(frozen=True)
class Section:
    title: str
    questions: tuple[Question, ...] = field(default_factory=tuple)


def common_questions(kind: CrimeKind) -> tuple[Section, ...]:
    """The questions every kind asks, around its own: victim, time, story, contact."""
    illegal = kind.illegal_content
    victim = Section(
        N_("Where and when"),
        (
            Question(
                "victim_country",
                N_("Country where you live or where it happened"),
                "select",
                required=True,
            ),
            *(
                ()
                if illegal
                else (
                    Question(
                        "victim_type",
                        N_("Who was harmed?"),
                        "select",
                        required=True,
                        choices=VICTIM_TYPES,
                    ),
                )
            ),
            Question(
                "occurred_on",
                N_("When did you see it?") if illegal else N_("When did it happen?"),
                "date",
                required=not illegal,
                help=N_("The day, or the first day if it went on for a while."),
            ),
        ),
    )
    story = Section(
        N_("What happened"),
        (
            Question(
                "description",
                N_("Anything else we should know") if illegal else N_("Describe what happened"),
                "textarea",
                required=not illegal,
                max_length=10000,
                help=N_(
                    "In your own words and in any language: what happened, in what "
                    "order, and what you have done since."
                ),
            ),
        ),
    )
    contact = Section(
        N_("How we can reach you (optional)"),
        (
            Question("reporter_name", N_("Your name")),
            Question("reporter_email", N_("Your email address"), "email", max_length=254),
            Question("reporter_phone", N_("Your phone number"), "tel", max_length=40),
            Question("consent_contact", N_("You may contact me about this report"), "checkbox"),
            Question(
                "consent_share",
                N_(
                    "You may pass my contact details to other police authorities working on "
                    "this case"
                ),
                "checkbox",
            ),
        ),
    )
    return victim, story, contact


def sections(kind: CrimeKind) -> tuple[Section, ...]:
    victim, story, contact = common_questions(kind)
    return victim, Section(kind.title, kind.questions), story, contact


def all_questions(kind: CrimeKind) -> list[Question]:
    return [q for s in sections(kind) for q in s.questions]
