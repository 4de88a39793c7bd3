"""Short victim narratives per crime kind and language, for the synthetic scenario.

Placeholders: {amount} {iban} {phone} {url} {domain} {email} {wallet} {ip} {item} {days}.
Written as victims write: first person, plain, a detail or two. Synthetic, not real cases.
"""

from __future__ import annotations

NARRATIVES: dict[str, dict[str, list[str]]] = {
    "fraud": {
        "en": [
            "I paid {amount} for {item} advertised online. The seller asked for a bank transfer "
            "to {iban} and stopped answering after the payment. His number was {phone}.",
            "A woman I met on a dating app asked me for {amount} for a plane ticket to visit "
            "me. I sent it to {iban} and she disappeared.",
        ],
        "fr": [
            "J'ai payé {amount} pour {item} vu sur un site d'annonces. Le vendeur m'a demandé "
            "un virement sur le compte {iban} puis ne répond plus. Son numéro : {phone}.",
            "Un faux conseiller de ma banque m'a appelé depuis le {phone} et m'a fait virer "
            "{amount} sur un « compte sécurisé » {iban}.",
        ],
        "de": [
            "Ich habe {amount} für {item} aus einer Online-Anzeige bezahlt. Der Verkäufer wollte "
            "eine Überweisung auf {iban} und ist seitdem nicht mehr erreichbar. Tel.: {phone}.",
            "Ein angeblicher Bankmitarbeiter rief von {phone} an und brachte mich dazu, {amount} "
            "auf das Konto {iban} zu überweisen.",
        ],
        "es": [
            "Pagué {amount} por {item} anunciado en internet. El vendedor me pidió una "
            "transferencia a la cuenta {iban} y ya no contesta. Su teléfono era {phone}.",
        ],
        "it": [
            "Ho pagato {amount} per {item} trovato in un annuncio online. Il venditore ha "
            "chiesto un bonifico sul conto {iban} e poi è sparito. Il suo numero era {phone}.",
        ],
        "nl": [
            "Ik heb {amount} betaald voor {item} via een advertentie. De verkoper vroeg om een "
            "overboeking naar {iban} en reageert nu niet meer. Zijn nummer was {phone}.",
        ],
        "pl": [
            "Zapłaciłem {amount} za {item} z ogłoszenia w internecie. Sprzedawca poprosił o "
            "przelew na konto {iban} i przestał odpowiadać. Jego numer to {phone}.",
        ],
    },
    "phishing": {
        "en": [
            "I got a text saying my parcel was held and I had to pay customs at {url}. I "
            "entered my card details and {amount} was taken from my account the next day.",
            "An e-mail from {email} looking like my bank asked me to confirm my login at {url}. "
            "I did, and {days} days later someone had emptied my savings: {amount}.",
        ],
        "fr": [
            "J'ai reçu un SMS disant que mon colis était bloqué et qu'il fallait payer des "
            "frais sur {url}. J'ai donné ma carte et {amount} ont été débités le lendemain.",
            "Un courriel de {email} imitant ma banque me demandait de confirmer mes "
            "identifiants sur {url}. Quelques jours après, {amount} avaient disparu.",
        ],
        "de": [
            "Ich bekam eine SMS, mein Paket sei blockiert und ich müsse Zoll auf {url} zahlen. "
            "Ich gab meine Kartendaten ein, am nächsten Tag wurden {amount} abgebucht.",
            "Eine E-Mail von {email} im Design meiner Bank verlangte, meine Zugangsdaten auf "
            "{url} zu bestätigen. Danach wurden {amount} von meinem Konto überwiesen.",
        ],
        "es": [
            "Recibí un SMS diciendo que mi paquete estaba retenido y que debía pagar en {url}. "
            "Puse los datos de mi tarjeta y al día siguiente me cobraron {amount}.",
        ],
        "it": [
            "Ho ricevuto un SMS che diceva che il mio pacco era fermo in dogana e di pagare su "
            "{url}. Ho inserito la carta e il giorno dopo mi hanno addebitato {amount}.",
        ],
        "nl": [
            "Ik kreeg een sms dat mijn pakket was tegengehouden en ik moest betalen via {url}. "
            "Ik vulde mijn kaartgegevens in en de volgende dag was {amount} afgeschreven.",
        ],
        "pl": [
            "Dostałem SMS, że moja paczka czeka na dopłatę na stronie {url}. Podałem dane "
            "karty i następnego dnia pobrano mi {amount}.",
        ],
    },
    "identity-theft": {
        "en": [
            "Someone opened a phone contract and a loan in my name using a copy of my passport "
            "I had sent to a fake landlord at {email}. I only found out when the bank wrote.",
        ],
        "fr": [
            "Quelqu'un a ouvert un crédit à mon nom avec la copie de ma carte d'identité "
            "envoyée à un faux propriétaire ({email}). Je l'ai découvert par un courrier.",
        ],
        "de": [
            "Jemand hat mit einer Kopie meines Ausweises, die ich einem falschen Vermieter "
            "({email}) geschickt hatte, einen Kredit auf meinen Namen aufgenommen.",
        ],
        "es": [
            "Alguien pidió un préstamo a mi nombre con una copia de mi DNI que envié a un "
            "falso casero ({email}). Me enteré por una carta del banco.",
        ],
        "it": [
            "Qualcuno ha aperto un finanziamento a mio nome con la copia della mia carta "
            "d'identità inviata a un falso proprietario di casa ({email}).",
        ],
        "nl": [
            "Iemand heeft een lening op mijn naam afgesloten met een kopie van mijn paspoort "
            "die ik naar een nepverhuurder ({email}) had gestuurd.",
        ],
        "pl": [
            "Ktoś wziął kredyt na moje nazwisko, używając kopii dowodu osobistego, którą "
            "wysłałem fałszywemu wynajmującemu ({email}).",
        ],
    },
    "hacking": {
        "en": [
            "All files on our office server were encrypted overnight. The ransom note asks for "
            "payment in bitcoin to {wallet} and gives {email} as contact.",
        ],
        "fr": [
            "Tous les fichiers du serveur de notre cabinet ont été chiffrés cette nuit. La "
            "demande de rançon exige des bitcoins sur {wallet}, contact {email}.",
        ],
        "de": [
            "Alle Dateien auf unserem Firmenserver wurden über Nacht verschlüsselt. Die "
            "Lösegeldforderung verlangt Bitcoin an {wallet}, Kontakt: {email}.",
        ],
        "es": [
            "Todos los archivos del servidor de la empresa aparecieron cifrados. La nota de "
            "rescate pide bitcoins a la dirección {wallet} y da el correo {email}.",
        ],
        "it": [
            "Tutti i file del server del nostro studio sono stati cifrati durante la notte. "
            "Il riscatto va pagato in bitcoin a {wallet}, contatto {email}.",
        ],
        "nl": [
            "Alle bestanden op onze kantoorserver zijn vannacht versleuteld. Het losgeldbericht "
            "vraagt bitcoin op {wallet} en noemt {email} als contact.",
        ],
        "pl": [
            "Wszystkie pliki na serwerze naszej firmy zostały w nocy zaszyfrowane. Okup ma "
            "być zapłacony w bitcoinach na adres {wallet}, kontakt {email}.",
        ],
    },
    "denial-of-service": {
        "en": [
            "Our online shop was down for hours under a flood of traffic from {ip} and many "
            "other addresses. An e-mail from {email} demands payment to stop the attack.",
        ],
        "fr": [
            "Notre boutique en ligne a été inaccessible pendant des heures, saturée de trafic "
            "venant notamment de {ip}. Un courriel de {email} exige un paiement.",
        ],
        "de": [
            "Unser Webshop war stundenlang durch massenhaften Datenverkehr, u. a. von {ip}, "
            "lahmgelegt. Eine E-Mail von {email} fordert Geld für ein Ende des Angriffs.",
        ],
        "es": [
            "Nuestra tienda online estuvo caída varias horas por un ataque de tráfico desde "
            "{ip} y otras direcciones. Un correo de {email} exige un pago.",
        ],
        "it": [
            "Il nostro negozio online è rimasto irraggiungibile per ore a causa di traffico "
            "anomalo da {ip} e altri indirizzi. Una mail da {email} chiede un pagamento.",
        ],
        "nl": [
            "Onze webwinkel lag urenlang plat door een stroom verkeer van onder meer {ip}. "
            "Een e-mail van {email} eist betaling om de aanval te stoppen.",
        ],
        "pl": [
            "Nasz sklep internetowy nie działał przez kilka godzin z powodu ataku z adresu "
            "{ip} i wielu innych. E-mail z {email} żąda zapłaty.",
        ],
    },
    "csam": {
        "en": [
            "While browsing I came across a page that seems to show sexual abuse of "
            "children: {url}. I closed it immediately."
        ],
        "fr": [
            "En naviguant, je suis tombé sur une page qui semble montrer des abus sexuels "
            "sur des enfants : {url}. Je l'ai fermée aussitôt."
        ],
        "de": [
            "Beim Surfen bin ich auf eine Seite gestoßen, die offenbar sexuellen "
            "Kindesmissbrauch zeigt: {url}. Ich habe sie sofort geschlossen."
        ],
        "es": [
            "Navegando encontré una página que parece mostrar abusos sexuales a menores: "
            "{url}. La cerré de inmediato."
        ],
        "it": [
            "Navigando ho trovato una pagina che sembra mostrare abusi sessuali su minori: "
            "{url}. L'ho chiusa subito."
        ],
        "nl": [
            "Tijdens het surfen kwam ik op een pagina die seksueel misbruik van kinderen "
            "lijkt te tonen: {url}. Ik heb hem meteen gesloten."
        ],
        "pl": [
            "Przeglądając internet trafiłem na stronę, która wydaje się pokazywać "
            "wykorzystywanie seksualne dzieci: {url}. Od razu ją zamknąłem."
        ],
    },
    "terrorist-content": {
        "en": [
            "A video calling for attacks on civilians and glorifying a recent bombing is "
            "posted at {url} and is being shared widely."
        ],
        "fr": [
            "Une vidéo appelant à des attentats contre des civils et glorifiant un attentat "
            "récent est publiée à l'adresse {url}."
        ],
        "de": [
            "Unter {url} wird ein Video verbreitet, das zu Anschlägen auf Zivilisten "
            "aufruft und einen Anschlag verherrlicht."
        ],
        "es": [
            "En {url} se ha publicado un vídeo que llama a atentar contra civiles y "
            "glorifica un atentado reciente."
        ],
        "it": [
            "All'indirizzo {url} è pubblicato un video che incita ad attentati contro i "
            "civili ed esalta un attacco recente."
        ],
        "nl": [
            "Op {url} staat een video die oproept tot aanslagen op burgers en een recente "
            "aanslag verheerlijkt."
        ],
        "pl": [
            "Pod adresem {url} opublikowano film wzywający do zamachów na cywilów i "
            "gloryfikujący niedawny atak."
        ],
    },
    "illegal-content": {
        "en": [
            "A forum thread at {url} calls for violence against a minority in my town and "
            "lists people's home addresses."
        ],
        "fr": [
            "Un fil de discussion sur {url} appelle à la violence contre une minorité de ma "
            "ville et publie des adresses personnelles."
        ],
        "de": [
            "Ein Forenbeitrag unter {url} ruft zu Gewalt gegen eine Minderheit in meiner "
            "Stadt auf und nennt Privatadressen."
        ],
        "es": [
            "Un hilo de un foro en {url} incita a la violencia contra una minoría de mi "
            "ciudad y publica direcciones particulares."
        ],
        "it": [
            "Una discussione su {url} incita alla violenza contro una minoranza della mia "
            "città e pubblica indirizzi privati."
        ],
        "nl": [
            "Een forumdraad op {url} roept op tot geweld tegen een minderheid in mijn stad "
            "en noemt huisadressen."
        ],
        "pl": [
            "Wątek na forum {url} wzywa do przemocy wobec mniejszości w moim mieście i "
            "podaje adresy domowe."
        ],
    },
}

ITEMS: dict[str, list[str]] = {
    "en": ["a used car", "two concert tickets", "a puppy", "a second-hand laptop"],
    "fr": ["un canapé", "des billets de concert", "une voiture d'occasion", "un ordinateur"],
    "de": ["ein gebrauchtes Auto", "Konzertkarten", "einen Welpen", "ein Notebook"],
    "es": ["un coche de segunda mano", "entradas para un concierto", "un cachorro"],
    "it": ["un'auto usata", "dei biglietti per un concerto", "un cucciolo", "un divano"],
    "nl": ["een tweedehands auto", "concertkaartjes", "een puppy", "een laptop"],
    "pl": ["używany samochód", "bilety na koncert", "szczeniaka", "laptop"],
}
