# ruff: noqa: E501 - long indicator literals are the data
"""Hand-written hard cases for the extraction corpus: real-world shapes that synthetic frames
miss (brackets, markdown, odd phone formats, IDN URLs, look-alike numbers). Written before
the extractor was scored on them; failures are reported, not tuned away.

Each case: (lang, country, text, [(type, value, surface)]); the gold span is the first
occurrence of `surface` in the text (or of `surface` after the previous gold's start when the
same surface repeats).
"""

from __future__ import annotations

HARD: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("en", "GB", "Visit hxxps://secure-login[.]paypa1[.]com/auth?x=1, then call.", [
        ("url", "https://secure-login.paypa1.com/auth?x=1", "hxxps://secure-login[.]paypa1[.]com/auth?x=1"),
        ("domain", "secure-login.paypa1.com", "secure-login[.]paypa1[.]com")]),
    ("en", "GB", "The promo (see https://evil-shop.com/promo) was fake.", [
        ("url", "https://evil-shop.com/promo", "https://evil-shop.com/promo"),
        ("domain", "evil-shop.com", "evil-shop.com")]),
    ("en", "GB", "Message said: [click here](https://bit-pay.xyz/claim) to get paid", [
        ("url", "https://bit-pay.xyz/claim", "https://bit-pay.xyz/claim"),
        ("domain", "bit-pay.xyz", "bit-pay.xyz")]),
    ("en", "GB", 'the link "http://198.51.100.7:8080/admin" was sent by SMS', [
        ("url", "http://198.51.100.7:8080/admin", "http://198.51.100.7:8080/admin"),
        ("ipv4", "198.51.100.7", "198.51.100.7")]),
    ("en", "GB", "Go to PAYPAL-VERIFY.COM now, they said.", [
        ("domain", "paypal-verify.com", "PAYPAL-VERIFY.COM")]),
    ("en", "GB", "Write to Refund.Desk@Secure-Mail.NET.", [
        ("email", "refund.desk@secure-mail.net", "Refund.Desk@Secure-Mail.NET")]),
    ("en", "GB", "1.1.1.1 and 8.8.4.4 were set as DNS on my router.", [
        ("ipv4", "1.1.1.1", "1.1.1.1"), ("ipv4", "8.8.4.4", "8.8.4.4")]),
    ("en", "GB", "Traffic to 2001:0db8:85a3:0000:0000:8a2e:0370:7334 was blocked.", [
        ("ipv6", "2001:db8:85a3::8a2e:370:7334", "2001:0db8:85a3:0000:0000:8a2e:0370:7334")]),
    ("en", "GB", "He called from +44 (0)20 7946 0958 twice.", [
        ("phone", "+442079460958", "+44 (0)20 7946 0958")]),
    ("de", "DE", "Rückruf bitte unter Tel. 030 12345678 (Zentrale).", [
        ("phone", "+493012345678", "030 12345678")]),
    ("fr", "FR", "Rappelez le 06.12.34.56.78 avant midi.", [
        ("phone", "+33612345678", "06.12.34.56.78")]),
    ("fr", "FR", "iban: fr76 3000 6000 0112 3456 7890 189 (Crédit Agricole)", [
        ("iban", "FR7630006000011234567890189", "fr76 3000 6000 0112 3456 7890 189")]),
    ("de", "DE", "Konto DE89370400440532013000 BIC COBADEFFXXX, Verwendungszweck 4711.", [
        ("iban", "DE89370400440532013000", "DE89370400440532013000")]),
    ("en", "GB", "Amex 3782 822463 10005 was used online.", [
        ("card", "378282…0005", "3782 822463 10005")]),
    ("en", "GB", "Card number 4111.1111.1111.1111 on the form.", [
        ("card", "411111…1111", "4111.1111.1111.1111")]),
    ("en", "GB", "See https://blockchair.com/bitcoin/address/bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 for the payments.", [
        ("url", "https://blockchair.com/bitcoin/address/bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
         "https://blockchair.com/bitcoin/address/bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
        ("domain", "blockchair.com", "blockchair.com"),
        ("btc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")]),
    ("ru", "DE", "пишите в телеграм @invest_pro_ru, он ответит", [
        ("messenger", "telegram:invest_pro_ru", "@invest_pro_ru")]),
    ("en", "GB", "Follow us @bankofficial on Twitter for news.", []),
    ("en", "GB", "Mr.Smith sent the file report.docx at 10:45:30.", []),
    ("en", "GB", "Update to iOS 17.4.1 or Android 14.0.0.1 first.", []),
    ("de", "DE", "Der Preis stieg um 3,5 % auf 1.234,56 € am 3.4.2024.", []),
    ("en", "GB", "Device GUID 123e4567-e89b-12d3-a456-426614174000 and MAC 00:1A:2B:3C:4D:5E.", []),
    ("en", "GB", "Python 3.11.4, numpy 1.26.0, then run setup.py install.", []),
    ("fr", "FR", "Appelez-moi à 10:30 le 12/05, ticket #20240512001.", []),
    ("en", "GB", "Tracking 1Z999AA10123456784 shows delivered.", []),
    ("fr", "FR", "Montant de la facture : 2 450,00 EUR, payé le 05/03/2024.", []),
    ("de", "DE", "ISBN 978-3-16-148410-0 steht im Impressum.", []),
    ("en", "GB", "Version: 2.4.1.12 fixed the bug.", []),
    ("ru", "DE", "Файл ftp://files.evil-host.ru/pub/kit.zip скачали ночью.", [
        ("url", "ftp://files.evil-host.ru/pub/kit.zip", "ftp://files.evil-host.ru/pub/kit.zip"),
        ("domain", "files.evil-host.ru", "files.evil-host.ru")]),
    ("en", "GB", "The domain was written as evil [.] com in the forum.", [
        ("domain", "evil.com", "evil [.] com")]),
    ("en", "GB", "Gate at hxxp://185.234.219[.]12/gate.php was live.", [
        ("url", "http://185.234.219.12/gate.php", "hxxp://185.234.219[.]12/gate.php"),
        ("ipv4", "185.234.219.12", "185.234.219[.]12")]),
    ("en", "GB", "Replies went to john+scam@gmail.com only.", [
        ("email", "john+scam@gmail.com", "john+scam@gmail.com")]),
    ("en", "GB", "Log in at secure-bank.online.", [("domain", "secure-bank.online", "secure-bank.online")]),
    ("en", "GB", "Type www.example-bank.co.uk/login in the browser.", [
        ("domain", "www.example-bank.co.uk", "www.example-bank.co.uk")]),
    ("ar", "BE", "رقم الهاتف \u200e+971 50 123 4567\u200e اتصل بي", [
        ("phone", "+971501234567", "+971 50 123 4567")]),
    ("el", "GR", "Επικοινωνήστε στο 69 1234 5678 για την επιστροφή.", [
        ("phone", "+306912345678", "69 1234 5678")]),
    ("ru", "DE", "Звонили с номера +7 (912) 345-67-89 вчера.", [
        ("phone", "+79123456789", "+7 (912) 345-67-89")]),
    ("zh", "FR", "电话：+86 138 0013 8000，请尽快回电。", [
        ("phone", "+8613800138000", "+86 138 0013 8000")]),
    ("zh", "FR", "网址：https://例子.中国/登录，看起来很真。", [
        ("url", "https://例子.中国/登录", "https://例子.中国/登录"),
        ("domain", "例子.中国", "例子.中国")]),
    ("en", "GB", "Verify at https://аpple-id.com/verify today.", [
        ("url", "https://аpple-id.com/verify", "https://аpple-id.com/verify"),
        ("domain", "аpple-id.com", "аpple-id.com")]),
    ("en", "GB", "Punycode xn--80ak6aa92e.com was in the header.", [
        ("domain", "аррӏе.com", "xn--80ak6aa92e.com")]),
    ("en", "GB", "Links: https://a-bank.com/x,https://b-bank.com/y", [
        ("url", "https://a-bank.com/x", "https://a-bank.com/x"), ("domain", "a-bank.com", "a-bank.com"),
        ("url", "https://b-bank.com/y", "https://b-bank.com/y"), ("domain", "b-bank.com", "b-bank.com")]),
    ("en", "GB", "Pay to BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4 quickly.", [
        ("btc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")]),
    ("ar", "BE", "تم استخدام البطاقة 5555-5555-5555-4444 مرتين", [
        ("card", "555555…4444", "5555-5555-5555-4444")]),
    ("de", "DE", "Anruf von 0049 30 12345678 um Mitternacht.", [
        ("phone", "+493012345678", "0049 30 12345678")]),
    ("es", "ES", "Me escribió por WhatsApp +34 612 34 56 78 ayer.", [
        ("phone", "+34612345678", "+34 612 34 56 78")]),
    ("en", "GB", "SHA256: E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", [
        ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
         "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]),
    ("en", "GB", "The page used colour #ffcc00 and id 0x1f.", []),
    ("en", "GB", "Scans came from 45.133.1.0/24 all week.", [("ipv4", "45.133.1.0", "45.133.1.0")]),
    ("en", "GB", "C2 192[.]0[.]2[.]1 answered.", [("ipv4", "192.0.2.1", "192[.]0[.]2[.]1")]),
    ("en", "GB", "The OID 1.3.6.1.4.1 appears in the certificate.", []),
    ("fr", "FR", "Position GPS 48.8566, 2.3522 relevée à 14h.", []),
    ("en", "GB", "Mail scammer at gmail dot com for the refund.", [
        ("email", "scammer@gmail.com", "scammer at gmail dot com")]),
    ("en", "GB", "Join https://t.me/joinchat/AAAAAE1234xyz for signals.", [
        ("url", "https://t.me/joinchat/AAAAAE1234xyz", "https://t.me/joinchat/AAAAAE1234xyz"),
        ("domain", "t.me", "t.me")]),
    ("en", "GB", "TG: @crypto_king_eu promised 20% a week.", [
        ("messenger", "telegram:crypto_king_eu", "@crypto_king_eu")]),
    ("it", "IT", "Mi ha chiamato il 333 123 4567 dicendo di essere la banca.", [
        ("phone", "+393331234567", "333 123 4567")]),
    ("nl", "NL", "Bel 06-12345678 voor de pakketdienst.", [("phone", "+31612345678", "06-12345678")]),
    ("pl", "PL", "Zamówienie nr 1234567890 z dnia 12.03.2024, kwota 1 299,00 zł.", []),
    ("es", "ES", "Pedido 4567890123 enviado el 2024-03-12 por 89,99 €.", []),
    ("en", "GB", "Get the app from https://play.google.com/store/apps/details?id=com.fake.bank now.", [
        ("url", "https://play.google.com/store/apps/details?id=com.fake.bank",
         "https://play.google.com/store/apps/details?id=com.fake.bank"),
        ("domain", "play.google.com", "play.google.com")]),
    ("en", "GB", "Contact: <support@bank-help.info>", [
        ("email", "support@bank-help.info", "support@bank-help.info")]),
    ("el", "GR", "Μπείτε στο hxxps://eurobank-secure(.)gr/login αμέσως.", [
        ("url", "https://eurobank-secure.gr/login", "hxxps://eurobank-secure(.)gr/login"),
        ("domain", "eurobank-secure.gr", "eurobank-secure(.)gr")]),
    ("zh", "FR", "他的以太坊地址是0x52908400098527886E0F7030069857D2E4169EE7，请查。", [
        ("eth", "0x52908400098527886e0f7030069857d2e4169ee7", "0x52908400098527886E0F7030069857D2E4169EE7")]),
]  # fmt: skip
