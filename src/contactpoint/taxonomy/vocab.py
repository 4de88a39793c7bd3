"""The fixed words of the classification: categories, crime kinds, victim types, payments.

These are enumerations because code branches on them (CSAM rules, the public form's
questions). The mappings to incident types, offences and advice are data in ``data/``.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """The three categories of cyber crime of COM(2007) 267."""

    TRADITIONAL = "traditional-crime"  # traditional crime over electronic networks
    ILLEGAL_CONTENT = "illegal-content"  # publication of illegal content
    NETWORK = "network-crime"  # crimes unique to electronic networks


class CrimeKind(StrEnum):
    """What a citizen picks on the public form; each maps to a category and defaults."""

    FRAUD = "fraud"
    PHISHING = "phishing"
    IDENTITY_THEFT = "identity-theft"
    HACKING = "hacking"  # hacking or ransomware
    DENIAL_OF_SERVICE = "denial-of-service"
    CSAM = "csam"  # child sexual abuse material
    TERRORIST_CONTENT = "terrorist-content"
    ILLEGAL_CONTENT = "illegal-content"  # other illegal content (hate speech, ...)


class VictimType(StrEnum):
    PERSON = "person"
    BUSINESS = "business"
    PUBLIC_BODY = "public_body"


class PaymentMethod(StrEnum):
    CARD = "card"
    BANK_TRANSFER = "bank-transfer"
    INSTANT_PAYMENT = "instant-payment"
    DIRECT_DEBIT = "direct-debit"
    E_MONEY = "e-money"
    MOBILE_PAYMENT = "mobile-payment"
    MONEY_TRANSFER = "money-transfer"  # money transfer operators (cash pick-up)
    CRYPTO = "crypto"
    GIFT_CARD = "gift-card"
    CASH = "cash"
    OTHER = "other"


class IdentifierType(StrEnum):
    """Kinds of suspect identifiers a victim or organisation can give."""

    IBAN = "iban"
    BANK_ACCOUNT = "bank-account"
    CARD = "card"  # stored as BIN + last 4 + token only, never in full
    PHONE = "phone"
    EMAIL = "email"
    URL = "url"
    DOMAIN = "domain"
    IP = "ip"
    CRYPTO_WALLET = "crypto-wallet"
    USERNAME = "username"  # social media, marketplace or messenger handle
    NAME = "name"
    OTHER = "other"
