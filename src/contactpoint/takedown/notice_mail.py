"""The e-mail text of a notice, for providers that are not on the platform. PURE."""

from __future__ import annotations

from contactpoint.takedown import notice_clock
from contactpoint.takedown.models import Notice
from contactpoint.takedown.rules import KindRule


def compose(
    notice: Notice, rule: KindRule, provider_name: str, sender_name: str
) -> tuple[str, str]:
    """(subject, body): everything the provider needs to act, with the sources."""
    lines = [
        f"{rule.title} — {notice.reference}",
        f"Source: {rule.citation}",
        f"From: {sender_name} ({notice.issuing_country})",
        f"To: {provider_name}",
        f"Sent: {notice.sent_at:%Y-%m-%d %H:%M:%S} UTC",
        "",
        f"URL(s) ({rule.urls_article}):",
        *[f"  {u.url}" for u in notice.urls],
        "",
    ]
    for f in rule.fields:
        value = (notice.fields or {}).get(f.name)
        if value:
            lines += [f"{f.label} ({f.article}):", f"  {value}", ""]
    if notice.notifier_name or notice.notifier_email:
        lines += [f"Notifier: {notice.notifier_name or ''} <{notice.notifier_email or ''}>", ""]
    if rule.clock is not None:
        start = "receipt" if rule.clock.starts_on == "received" else "sending"
        kind = "deadline" if rule.clock.legal else "target"
        lines.append(
            f"{rule.clock.label}: {notice_clock.humanise(rule.clock.duration)} from {start} "
            f"({kind}; {rule.clock.citation})."
        )
    lines += [
        "",
        f"Please confirm receipt and tell us what you did (removed, access disabled, or refused "
        f"with the reason), quoting {notice.reference}.",
        f"SHA-256 of this notice's content: {notice.content_sha256}",
    ]
    return f"{notice.reference}: {rule.title}", "\n".join(lines)
