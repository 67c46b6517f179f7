"""Opportunity templates for the demo generator (where they take place: ``seeds.data.venues``).

A template becomes an opportunity by filling ``{wijk}`` (a neighbourhood name) and
``{plek}`` (a place name) of its venue (``seeds.data.venues``) with ``str.format``; no other
placeholders are used. Texts are
plain Dutch at B1 level. Informal-care (mantelzorg) templates are about company, respite,
buddies, shopping and transport only: never medical or nursing tasks.

Roughly 60% of the templates are volunteer work, 20% language courses and 20% informal
care; ``KIND_SHARES`` gives the mix the generator should aim for per municipality.
Kinds, slots, levels and accessibility come from the matching engine (``matching.model``).
"""

from __future__ import annotations

from typing import Any

LADDER_STEPS: dict[int, str] = {
    2: "sociale contacten buiten de deur",
    3: "deelnemen aan georganiseerde activiteiten",
    4: "onbetaald werk",
    5: "betaald werk met ondersteuning",
}
KIND_SHARES: dict[str, float] = {"volunteer": 0.6, "language_course": 0.2, "informal_care": 0.2}
MIN_PER_MUNICIPALITY = 40
"""The demo generator makes at least this many opportunities per municipality."""

_WEEKDAY_MORNINGS = ["mon-morning", "tue-morning", "wed-morning", "thu-morning", "fri-morning"]
_ALL_ACCESS = ["wheelchair", "step_free", "accessible_toilet"]


def _tpl(
    kind: str,
    title: str,
    description: str,
    interests: list[str],
    slots: list[str],
    *,
    level: str,
    ladder: int,
    capacity: int,
    teaches: str | None = None,
    access: list[str] | None = None,
    allowance: int | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": title,
        "description": " ".join(description.split()),
        "interests": interests,
        "slots": slots,
        "min_dutch_level": level,
        "teaches_level": teaches,
        "accessibility": access or [],
        "ladder_step": ladder,
        "capacity": capacity,
        "monthly_allowance_eur": allowance,
    }


_VOLUNTEER: list[dict[str, Any]] = [
    _tpl(
        "volunteer",
        "Koken in {plek}",
        """Elke week koken vrijwilligers een gezonde maaltijd voor buurtbewoners. Je snijdt
        groenten, helpt bij het koken en zet de tafels klaar. Een vaste kok legt je alles uit,
        dus ervaring is niet nodig.""",
        ["koken", "buurt"],
        ["wed-afternoon", "thu-afternoon"],
        level="A2",
        ladder=3,
        capacity=6,
        access=["wheelchair", "accessible_toilet"],
        allowance=50,
    ),
    _tpl(
        "volunteer",
        "Gastvrouw of gastheer in {plek}",
        """Je ontvangt bezoekers, zet koffie en thee en maakt een praatje. Je wijst mensen de
        weg in het gebouw. Het is een fijne plek om Nederlands te oefenen en nieuwe mensen te
        leren kennen.""",
        ["ontvangst", "buurt"],
        ["mon-morning", "tue-morning", "thu-morning"],
        level="A2",
        ladder=3,
        capacity=4,
        access=_ALL_ACCESS,
        allowance=40,
    ),
    _tpl(
        "volunteer",
        "Buurtmoestuin in {wijk}",
        """In onze buurtmoestuin kweken we groenten en kruiden. Je helpt met zaaien, wieden en
        oogsten, samen met andere buurtbewoners. Je hoeft niets van tuinieren te weten.""",
        ["tuinieren", "natuur"],
        ["tue-morning", "sat-morning"],
        level="A0",
        ladder=3,
        capacity=10,
    ),
    _tpl(
        "volunteer",
        "Helpen bij het uitgiftepunt van de Voedselbank in {wijk}",
        """Bij het uitgiftepunt pak je tassen in met boodschappen voor gezinnen. Je sorteert
        producten en houdt het magazijn netjes. Je werkt in een vast team dat je goed
        inwerkt.""",
        ["voedselhulp", "logistiek"],
        ["thu-afternoon", "fri-morning"],
        level="A1",
        ladder=3,
        capacity=8,
        access=["step_free"],
    ),
    _tpl(
        "volunteer",
        "Fietsen repareren in de fietswerkplaats",
        """In de fietswerkplaats maken we tweedehands fietsen klaar voor mensen die zelf geen
        fiets kunnen kopen. Je leert banden plakken, remmen afstellen en lampjes maken. Een
        ervaren vrijwilliger laat je zien hoe het werkt.""",
        ["fietsen", "repareren", "techniek"],
        ["wed-afternoon", "sat-morning"],
        level="A1",
        ladder=4,
        capacity=5,
        access=["step_free"],
        allowance=60,
    ),
    _tpl(
        "volunteer",
        "Repair Café in {plek}",
        """Eén keer per maand komen buurtbewoners met kapotte spullen naar het Repair Café.
        Samen kijk je wat er mis is en probeer je het te maken: een lamp, een broek of een
        broodrooster. Je kunt ook helpen met koffie schenken en mensen ontvangen.""",
        ["repareren", "klussen", "naaien"],
        ["sat-afternoon"],
        level="A2",
        ladder=3,
        capacity=8,
        access=["wheelchair", "accessible_toilet"],
    ),
    _tpl(
        "volunteer",
        "Klussen voor buren in {wijk}",
        """Je helpt buurtbewoners die het zelf niet meer kunnen met kleine klussen, zoals een
        lamp ophangen of een kastje in elkaar zetten. Je gaat samen met een andere vrijwilliger
        op pad. Gereedschap krijg je van ons.""",
        ["klussen", "buurt", "ouderen"],
        ["mon-afternoon", "wed-morning"],
        level="A2",
        ladder=4,
        capacity=4,
        allowance=80,
    ),
    _tpl(
        "volunteer",
        "Computerhulp in de bibliotheek",
        """Veel mensen vinden het lastig om een e-mail te sturen of in te loggen met DigiD. Jij
        helpt ze rustig en stap voor stap op weg. Je hoeft geen expert te zijn, als je zelf
        een beetje handig bent met de computer.""",
        ["computers", "ontvangst"],
        ["tue-afternoon", "thu-morning"],
        level="B1",
        ladder=4,
        capacity=4,
        access=[*_ALL_ACCESS, "quiet_space"],
        allowance=40,
    ),
    _tpl(
        "volunteer",
        "Huiswerkbegeleiding voor kinderen in {wijk}",
        """Na schooltijd helpen we kinderen uit groep 6, 7 en 8 met hun huiswerk. Je leest
        samen, oefent sommen en luistert naar hun verhalen. Je hebt een Verklaring Omtrent het
        Gedrag (VOG) nodig; die regelen we samen en gratis.""",
        ["huiswerkbegeleiding", "kinderen"],
        ["mon-afternoon", "wed-afternoon", "thu-afternoon"],
        level="B1",
        ladder=4,
        capacity=6,
        access=["wheelchair", "accessible_toilet"],
        allowance=75,
    ),
    _tpl(
        "volunteer",
        "Voorlezen op de basisschool in {wijk}",
        """Je leest twee keer per week voor aan een klein groepje kleuters. Zo leren kinderen
        spelenderwijs nieuwe woorden. Je krijgt een korte training en een tas met mooie
        prentenboeken.""",
        ["voorlezen", "kinderen", "lezen"],
        ["tue-morning", "fri-morning"],
        level="B1",
        ladder=3,
        capacity=4,
        access=["step_free"],
    ),
    _tpl(
        "volunteer",
        "Meewerken in de kringloopwinkel",
        """In de kringloopwinkel krijgen spullen een tweede leven. Je sorteert kleding en
        huisraad, prijst artikelen en helpt klanten in de winkel. Je werkt in een gezellig team
        met vaste werktijden.""",
        ["kringloop", "winkel"],
        _WEEKDAY_MORNINGS,
        level="A1",
        ladder=4,
        capacity=10,
        access=["step_free", "accessible_toilet"],
        allowance=100,
    ),
    _tpl(
        "volunteer",
        "Verkopen in de Wereldwinkel",
        """In de Wereldwinkel verkopen we eerlijke producten uit de hele wereld. Je helpt
        klanten, rekent af en vult de schappen aan. Werken met de kassa leggen we je rustig
        uit.""",
        ["winkel"],
        ["tue-afternoon", "sat-morning"],
        level="B1",
        ladder=4,
        capacity=4,
        access=["wheelchair"],
        allowance=50,
    ),
    _tpl(
        "volunteer",
        "Chauffeur van de buurtbus",
        """Met de buurtbus breng je ouderen naar de markt, de kapper of het buurthuis. Je rijdt
        vaste routes in de wijk en maakt onderweg een praatje. Je hebt wel een rijbewijs B
        nodig.""",
        ["vervoer", "ouderen"],
        ["mon-morning", "wed-morning", "fri-morning"],
        level="B1",
        ladder=4,
        capacity=6,
        allowance=120,
    ),
    _tpl(
        "volunteer",
        "Helpen bij wandelvoetbal voor 60-plussers",
        """Elke week spelen oudere buurtbewoners wandelvoetbal: voetbal zonder rennen. Je helpt
        met ballen en pionnen en speelt gezellig mee. Na afloop drink je koffie met de
        groep.""",
        ["voetbal", "sport", "ouderen"],
        ["tue-morning"],
        level="A1",
        ladder=3,
        capacity=3,
    ),
    _tpl(
        "volunteer",
        "Buitenspelen met kinderen in {wijk}",
        """Tijdens de buitenspeelmiddag zet je spellen klaar en speel je mee met kinderen uit de
        buurt. Samen met andere vrijwilligers zorg je dat iedereen veilig en met plezier kan
        spelen.""",
        ["sport", "kinderen", "evenementen"],
        ["wed-afternoon", "sat-afternoon"],
        level="A2",
        ladder=3,
        capacity=8,
    ),
    _tpl(
        "volunteer",
        "Dieren verzorgen op de kinderboerderij",
        """Op de kinderboerderij voer je de geiten, kippen en konijnen en maak je de hokken
        schoon. Je werkt buiten en het werk is soms zwaar. Je leert alles van de vaste
        verzorgers.""",
        ["dieren", "natuur"],
        ["mon-morning", "thu-morning", "sat-morning"],
        level="A1",
        ladder=4,
        capacity=6,
        allowance=60,
    ),
    _tpl(
        "volunteer",
        "Honden uitlaten voor het dierenasiel",
        """Honden in het asiel willen graag naar buiten. Je maakt een wandeling met een hond en
        geeft hem aandacht. Eerst krijg je een kennismaking en uitleg over de honden.""",
        ["dieren", "wandelen"],
        ["mon-afternoon", "wed-afternoon", "sat-morning", "sun-morning"],
        level="A1",
        ladder=3,
        capacity=8,
    ),
    _tpl(
        "volunteer",
        "Natuuronderhoud in het park",
        """Met een groep vrijwilligers houden we het park en de bosrand mooi. Je snoeit
        struiken, ruimt zwerfafval op en maakt paden vrij. Werkkleding en gereedschap liggen
        voor je klaar.""",
        ["natuur", "tuinieren", "duurzaamheid"],
        ["sat-morning"],
        level="A0",
        ladder=3,
        capacity=12,
    ),
    _tpl(
        "volunteer",
        "Zwerfafval opruimen in {wijk}",
        """Samen maken we de buurt schoner. Met een grijper en een vuilniszak loop je een vaste
        route door de wijk, in je eigen tempo. Na afloop drinken we samen koffie.""",
        ["buurt", "schoonmaken", "wandelen"],
        ["mon-morning", "thu-afternoon"],
        level="A0",
        ladder=2,
        capacity=12,
    ),
    _tpl(
        "volunteer",
        "Meehelpen bij het buurtfeest in {wijk}",
        """Voor het jaarlijkse buurtfeest zoeken we extra handen. Je helpt met tenten opzetten,
        achter de bar en met opruimen. Het is een mooie manier om je buren te leren
        kennen.""",
        ["evenementen", "buurt", "horeca"],
        ["sat-morning", "sat-afternoon", "sat-evening"],
        level="A1",
        ladder=3,
        capacity=12,
    ),
    _tpl(
        "volunteer",
        "Administratief medewerker bij {plek}",
        """Je helpt ons kantoor op orde te houden: post sorteren, gegevens invoeren en de
        telefoon aannemen. Je werkt in een rustige ruimte met vaste collega's. Handig als je
        graag netjes en precies werkt.""",
        ["administratie", "computers"],
        ["tue-morning", "wed-morning", "thu-morning"],
        level="B1",
        ladder=4,
        capacity=2,
        access=[*_ALL_ACCESS, "quiet_space"],
        allowance=100,
    ),
    _tpl(
        "volunteer",
        "Werkervaringsplek in de keuken van {plek}",
        """In ons leerwerkbedrijf werk je mee in een echte keuken. Je leert veilig werken met
        voedsel, maakt lunches klaar en doet de afwas. Je krijgt een vaste begeleider en een
        certificaat, zodat je stap voor stap werkt aan een baan in de horeca.""",
        ["koken", "horeca"],
        _WEEKDAY_MORNINGS,
        level="A2",
        ladder=5,
        capacity=6,
        access=["step_free", "accessible_toilet"],
    ),
    _tpl(
        "volunteer",
        "Werkervaringsplek in het magazijn",
        """Je werkt mee in een magazijn: pakketten ontvangen, orders verzamelen en de voorraad
        bijhouden. Een werkbegeleider leert je het vak en helpt je met je cv. Na afloop krijg
        je een praktijkverklaring.""",
        ["logistiek"],
        ["mon-morning", "tue-morning", "wed-morning", "thu-morning"],
        level="A2",
        ladder=5,
        capacity=6,
        access=["step_free"],
    ),
    _tpl(
        "volunteer",
        "Werkervaringsplek groenonderhoud in {wijk}",
        """Je werkt mee in een ploeg die parken en plantsoenen onderhoudt. Je leert maaien,
        snoeien en veilig werken met machines. Een vakman begeleidt je en je kunt een erkend
        certificaat halen.""",
        ["tuinieren", "natuur"],
        ["mon-morning", "tue-morning", "wed-morning", "thu-morning"],
        level="A1",
        ladder=5,
        capacity=8,
    ),
    _tpl(
        "volunteer",
        "Werkervaringsplek in de fietsenstalling",
        """In de bewaakte fietsenstalling help je reizigers, zet je fietsen weg en doe je kleine
        reparaties. Je leert klantvriendelijk werken in een team. Je werkbegeleider denkt met
        je mee over een vervolgbaan.""",
        ["fietsen", "techniek", "ontvangst"],
        ["mon-afternoon", "tue-afternoon", "wed-afternoon", "thu-afternoon", "fri-afternoon"],
        level="A2",
        ladder=5,
        capacity=6,
        access=["step_free"],
    ),
    _tpl(
        "volunteer",
        "Leerwerkplek winkel en logistiek in de kringloop",
        """Je draait mee als medewerker: je haalt spullen op met de bus, sorteert in het
        magazijn en staat in de winkel. Je oefent met werktijden en afspraken, met een vaste
        begeleider naast je. Samen kijken jullie welke betaalde baan bij je past.""",
        ["kringloop", "logistiek", "winkel"],
        _WEEKDAY_MORNINGS,
        level="A2",
        ladder=5,
        capacity=8,
        access=["step_free", "accessible_toilet"],
    ),
    _tpl(
        "volunteer",
        "Naaiatelier: kleding herstellen in {plek}",
        """In het naaiatelier herstellen we kleding en maken we tassen van oude stof. Ervaren
        naaisters leren het aan beginners, en andersom leren zij weer van jou. Er zijn genoeg
        naaimachines.""",
        ["naaien", "creatief", "repareren"],
        ["tue-afternoon", "thu-morning"],
        level="A0",
        ladder=3,
        capacity=8,
        access=["wheelchair", "accessible_toilet"],
    ),
    _tpl(
        "volunteer",
        "Creatieve middag in {plek}",
        """Je helpt bij de creatieve middag: schilderen, knutselen en tekenen met volwassenen
        uit de buurt. Je zet materialen klaar en helpt mensen op weg. Je hoeft zelf niet goed te
        kunnen tekenen.""",
        ["creatief", "buurt"],
        ["wed-afternoon"],
        level="A1",
        ladder=3,
        capacity=5,
        access=[*_ALL_ACCESS, "quiet_space"],
    ),
    _tpl(
        "volunteer",
        "Fotograaf voor de buurtkrant van {wijk}",
        """Je maakt foto's van activiteiten, markten en bewoners voor de buurtkrant. Je gaat
        samen met een schrijver op pad. Een eigen camera is fijn, maar een goede telefoon is
        ook genoeg.""",
        ["fotografie", "buurt"],
        ["tue-afternoon", "sat-morning", "sat-afternoon"],
        level="A2",
        ladder=4,
        capacity=2,
        allowance=40,
    ),
    _tpl(
        "volunteer",
        "Licht en geluid bij het buurttheater",
        """Bij voorstellingen in {plek} help je met licht, geluid en het decor. Je leert werken
        met de lichttafel en de microfoons. De voorstellingen zijn meestal 's avonds.""",
        ["theater", "techniek"],
        ["fri-evening", "sat-evening"],
        level="A2",
        ladder=4,
        capacity=4,
        allowance=50,
    ),
    _tpl(
        "volunteer",
        "Muziekmiddag in het woonzorgcentrum",
        """Je helpt bij de muziekmiddag voor bewoners: stoelen klaarzetten, muziek opzetten en
        samen zingen. Speel je een instrument? Dan ben je extra welkom.""",
        ["muziek", "ouderen", "gezelschap"],
        ["sun-afternoon"],
        level="A2",
        ladder=3,
        capacity=4,
        access=_ALL_ACCESS,
    ),
    _tpl(
        "volunteer",
        "Hulp bij de kinderdansles in {plek}",
        """Bij de dansclub help je de docent tijdens de les voor kinderen van 6 tot 12 jaar. Je
        doet mee, helpt met oefeningen en let op de groep. Plezier in bewegen is het
        belangrijkste.""",
        ["dans", "kinderen", "sport"],
        ["wed-afternoon", "sat-morning"],
        level="A2",
        ladder=3,
        capacity=3,
    ),
    _tpl(
        "volunteer",
        "Wegwijzer voor nieuwkomers in {wijk}",
        """Spreek je naast Nederlands ook Arabisch, Tigrinya, Turks, Oekraïens of een andere
        taal? Dan help je nieuwkomers bij hun eerste stappen in de wijk, bijvoorbeeld door mee
        te gaan naar een afspraak of een brief uit te leggen. Je hoeft geen officiële tolk te
        zijn.""",
        ["vertalen", "taal", "buurt"],
        ["mon-afternoon", "wed-morning", "fri-afternoon"],
        level="B1",
        ladder=4,
        capacity=6,
        allowance=75,
    ),
    _tpl(
        "volunteer",
        "Taalmaatje gezocht in {wijk}",
        """Je spreekt één keer per week af met een nieuwkomer die Nederlands wil oefenen. Jullie
        drinken koffie, gaan naar de markt of praten gewoon over het leven. Je hebt geen
        lesbevoegdheid nodig, wel geduld en plezier in taal.""",
        ["taal", "gezelschap"],
        ["tue-evening", "thu-afternoon", "sat-morning"],
        level="B2",
        ladder=4,
        capacity=10,
    ),
    _tpl(
        "volunteer",
        "Bediening in het buurtrestaurant",
        """Ons buurtrestaurant serveert drie keer per week een betaalbare maaltijd. Je dekt de
        tafels, serveert en ruimt af. Zo maak je kennis met veel buurtbewoners.""",
        ["horeca", "koken"],
        ["tue-evening", "thu-evening"],
        level="A2",
        ladder=4,
        capacity=8,
        access=_ALL_ACCESS,
        allowance=60,
    ),
    _tpl(
        "volunteer",
        "Bakken voor het buurtontbijt",
        """Op zaterdagochtend is er een ontbijt voor buurtbewoners. Je bakt brood en koek in de
        keuken van {plek} en helpt met het dekken van de tafels. Recepten uit je eigen land
        zijn welkom.""",
        ["bakken", "koken", "buurt"],
        ["sat-morning"],
        level="A1",
        ladder=3,
        capacity=6,
        access=["wheelchair"],
    ),
    _tpl(
        "volunteer",
        "Schoonmaakploeg van {plek}",
        """Een schoon buurthuis is een fijn buurthuis. Samen met een klein team maak je de
        zalen, de keuken en de toiletten schoon. Je werkt op vaste momenten, zodat je weet waar
        je aan toe bent.""",
        ["schoonmaken"],
        ["mon-morning", "fri-afternoon"],
        level="A0",
        ladder=4,
        capacity=4,
        access=["step_free"],
        allowance=50,
    ),
    _tpl(
        "volunteer",
        "Helpen bij de beweeggroep voor ouderen",
        """Elke week bewegen ouderen samen op muziek. Je helpt de trainer, doet zelf mee en
        zorgt na afloop voor een kopje thee. Sportervaring is niet nodig.""",
        ["sport", "ouderen", "muziek"],
        ["mon-morning", "thu-morning"],
        level="A2",
        ladder=3,
        capacity=3,
        access=_ALL_ACCESS,
    ),
    _tpl(
        "volunteer",
        "Wandelgroep begeleiden in {wijk}",
        """Elke week wandelt een groep buurtbewoners een uur door de wijk of het park. Jij loopt
        voorop, kent de route en let erop dat niemand achterblijft. Er gaat altijd een tweede
        begeleider mee.""",
        ["wandelen", "buurt", "gezelschap"],
        ["tue-morning", "fri-morning"],
        level="A2",
        ladder=3,
        capacity=4,
    ),
    _tpl(
        "volunteer",
        "Ledenadministratie van de sportclub",
        """Onze sportclub zoekt iemand die helpt met de ledenlijst, de contributie en het
        beantwoorden van e-mails. Een deel van het werk kun je thuis doen. Je werkt met Excel,
        en als je dat nodig hebt krijg je uitleg.""",
        ["administratie", "sport", "computers"],
        ["mon-evening", "wed-evening"],
        level="B2",
        ladder=4,
        capacity=1,
        allowance=90,
    ),
    _tpl(
        "volunteer",
        "Crew bij het wijkfestival in {wijk}",
        """Eén keer per jaar is er een groot festival in het park. Je helpt bij de ingang, de
        informatiebalie of het opruimen. Je krijgt een crewshirt en een maaltijd.""",
        ["evenementen", "muziek"],
        ["sat-afternoon", "sat-evening", "sun-afternoon"],
        level="A1",
        ladder=3,
        capacity=12,
    ),
    _tpl(
        "volunteer",
        "Boeken terugzetten in de bibliotheek",
        """Je zet ingeleverde boeken terug op de goede plek en helpt bezoekers een boek te
        vinden. Het is rustig werk in een prettige omgeving. Zo leer je ook hoe de bibliotheek
        werkt.""",
        ["lezen", "ontvangst"],
        ["tue-morning", "thu-afternoon", "sat-morning"],
        level="A2",
        ladder=4,
        capacity=4,
        access=[*_ALL_ACCESS, "quiet_space"],
    ),
    _tpl(
        "volunteer",
        "Energiehulp: samen energie besparen in {wijk}",
        """Samen met een ervaren energiecoach bezoek je buurtbewoners. Je plakt tochtstrips,
        plaatst radiatorfolie en geeft eenvoudige tips om geld te besparen. Vooraf krijg je een
        training van twee dagdelen.""",
        ["duurzaamheid", "klussen", "buurt"],
        ["tue-afternoon", "thu-afternoon"],
        level="B1",
        ladder=4,
        capacity=6,
        allowance=120,
    ),
    _tpl(
        "volunteer",
        "Zwembadvrijwilliger bij het ouder-en-kindzwemmen",
        """Op zaterdag help je bij het ouder-en-kindzwemmen: je deelt speelgoed uit, helpt bij
        het omkleden van de groep en let mee op de kant. De badmeester blijft altijd
        verantwoordelijk.""",
        ["zwemmen", "kinderen", "sport"],
        ["sat-morning"],
        level="A2",
        ladder=3,
        capacity=4,
        access=_ALL_ACCESS,
    ),
]

_LANGUAGE: list[dict[str, Any]] = [
    _tpl(
        "language_course",
        "NT2-les A1 voor beginners in {plek}",
        """Begin je bij nul met Nederlands? In deze les leer je de eerste woorden en zinnen
        voor elke dag, zoals jezelf voorstellen en de weg vragen. Je leert in een kleine groep
        met een vaste docent, en de les is gratis.""",
        ["taal"],
        ["mon-morning", "wed-morning"],
        level="A0",
        teaches="A1",
        ladder=3,
        capacity=12,
        access=["wheelchair", "childcare", "accessible_toilet"],
    ),
    _tpl(
        "language_course",
        "NT2-les A2 in de bibliotheek",
        """Je kent al wat Nederlands en wilt verder. We oefenen spreken, luisteren en lezen over
        onderwerpen uit het dagelijks leven, zoals de huisarts en school. Na afloop kun je een
        certificaat krijgen.""",
        ["taal", "lezen"],
        ["tue-morning", "thu-morning"],
        level="A1",
        teaches="A2",
        ladder=3,
        capacity=12,
        access=[*_ALL_ACCESS, "quiet_space"],
    ),
    _tpl(
        "language_course",
        "Taalcafé in {plek}",
        """In het taalcafé praat je in kleine groepjes Nederlands met vrijwilligers en andere
        deelnemers. Er is koffie, thee en elke week een nieuw onderwerp. Fouten maken mag,
        daar leer je van.""",
        ["taal", "gezelschap"],
        ["wed-evening", "thu-afternoon"],
        level="A1",
        teaches="A2",
        ladder=2,
        capacity=12,
        access=["wheelchair", "accessible_toilet"],
    ),
    _tpl(
        "language_course",
        "Nederlands voor op het werk (B1)",
        """Deze cursus is voor mensen die willen werken en daarvoor hun Nederlands willen
        verbeteren. Je oefent gesprekken met collega's, een sollicitatiegesprek en het lezen van
        werkinstructies. Ook doe je een korte praktijkopdracht.""",
        ["taal", "administratie"],
        ["mon-afternoon", "wed-afternoon"],
        level="A2",
        teaches="B1",
        ladder=3,
        capacity=10,
        access=_ALL_ACCESS,
    ),
    _tpl(
        "language_course",
        "Taalles voor ouders, met kinderopvang",
        """Terwijl jij Nederlands leert, spelen je kinderen in de ruimte ernaast onder
        begeleiding. We praten over opvoeden, school en de buurt. Zo leer je ook andere ouders
        kennen.""",
        ["taal", "kinderen"],
        ["tue-morning", "fri-morning"],
        level="A0",
        teaches="A1",
        ladder=3,
        capacity=10,
        access=["childcare", "wheelchair", "accessible_toilet"],
    ),
    _tpl(
        "language_course",
        "Beter lezen en schrijven in {plek}",
        """Vind je lezen en schrijven moeilijk? In deze kleine groep oefen je in je eigen tempo
        met brieven, formulieren en berichten op je telefoon. Niemand hoeft te weten dat je
        hier komt als je dat niet wilt.""",
        ["lezen", "taal"],
        ["mon-afternoon", "thu-afternoon"],
        level="A2",
        teaches="B1",
        ladder=3,
        capacity=6,
        access=["quiet_space", "step_free"],
    ),
    _tpl(
        "language_course",
        "Digitaal en taal: werken met je telefoon en DigiD",
        """In deze cursus leer je Nederlands en tegelijk werken met je telefoon en computer. Je
        oefent met DigiD, e-mail en online afspraken maken. Alles gaat stap voor stap, met veel
        herhaling.""",
        ["computers", "taal"],
        ["thu-afternoon"],
        level="A1",
        teaches="A2",
        ladder=3,
        capacity=8,
        access=_ALL_ACCESS,
    ),
    _tpl(
        "language_course",
        "Oefenen met een vrijwilliger in het Taalhuis",
        """Bij het Taalhuis oefen je één op één met een vrijwilliger. Jij bepaalt waar je aan
        wilt werken: spreken, een brief lezen of een formulier invullen. Je komt zo vaak als
        het jou uitkomt.""",
        ["taal"],
        ["mon-afternoon", "wed-morning", "sat-morning"],
        level="A1",
        teaches="A2",
        ladder=2,
        capacity=6,
        access=[*_ALL_ACCESS, "quiet_space"],
    ),
    _tpl(
        "language_course",
        "Examentraining inburgering B1",
        """Ga je binnenkort inburgeringsexamen doen? In deze training oefen je met echte
        examenopgaven voor lezen, luisteren, schrijven en spreken. De docent geeft je
        persoonlijke tips.""",
        ["taal"],
        ["tue-evening", "thu-evening"],
        level="A2",
        teaches="B1",
        ladder=3,
        capacity=12,
    ),
    _tpl(
        "language_course",
        "Wandelen en praten: Nederlands in het park",
        """Je wandelt een uur met een kleine groep door het park en praat onderweg Nederlands.
        Je leert woorden over de natuur, het weer en de buurt. Zo beweeg en leer je
        tegelijk!""",
        ["wandelen", "taal", "natuur"],
        ["fri-morning"],
        level="A1",
        teaches="A2",
        ladder=2,
        capacity=10,
    ),
    _tpl(
        "language_course",
        "Kookles in het Nederlands in {plek}",
        """Samen koken en ondertussen Nederlands leren. Je leest een recept, doet boodschappen
        en praat over wat je maakt. Na afloop eten we samen.""",
        ["koken", "taal"],
        ["wed-afternoon"],
        level="A1",
        teaches="A2",
        ladder=3,
        capacity=8,
        access=["wheelchair", "accessible_toilet"],
    ),
    _tpl(
        "language_course",
        "Vrouwengroep: Nederlands oefenen en kennismaken",
        """Een groep alleen voor vrouwen, met een vrouwelijke docent. Je oefent Nederlands,
        deelt ervaringen en hoort wat er in de wijk te doen is. Er is kinderopvang.""",
        ["taal", "gezelschap"],
        ["tue-morning"],
        level="A0",
        teaches="A1",
        ladder=2,
        capacity=12,
        access=["childcare", "quiet_space", "wheelchair", "accessible_toilet"],
    ),
    _tpl(
        "language_course",
        "Nederlands B2 voor vakmensen",
        """Heb je in je eigen land een vak geleerd, bijvoorbeeld als monteur, boekhouder of
        leraar? In deze cursus werk je aan Nederlands op B2-niveau met woorden uit jouw vak. Zo
        kom je dichter bij werken in je eigen vak.""",
        ["taal", "techniek"],
        ["mon-evening", "wed-evening"],
        level="B1",
        teaches="B2",
        ladder=3,
        capacity=12,
    ),
    _tpl(
        "language_course",
        "Samen voorlezen: Nederlands met je kind",
        """Je leert Nederlandse prentenboeken voorlezen aan je kind. Zo oefen je zelf de taal en
        leert je kind nieuwe woorden. Kinderen zijn van harte welkom.""",
        ["voorlezen", "kinderen", "taal"],
        ["sat-morning"],
        level="A1",
        teaches="A2",
        ladder=2,
        capacity=10,
        access=["childcare", "wheelchair"],
    ),
]

_CARE_NOTE = "Je doet geen verzorging of medische taken."

_INFORMAL_CARE: list[dict[str, Any]] = [
    _tpl(
        "informal_care",
        "Boodschappen doen met een oudere buurvrouw",
        f"""Mevrouw woont alleen in {{wijk}} en kan niet meer goed lopen. Eén keer per week ga
        je met haar naar de supermarkt of doe je de boodschappen voor haar. Daarna drinken
        jullie samen koffie. {_CARE_NOTE}""",
        ["boodschappen", "ouderen", "gezelschap"],
        ["wed-morning", "fri-morning"],
        level="A2",
        ladder=3,
        capacity=1,
    ),
    _tpl(
        "informal_care",
        "Maatje voor een oudere in {wijk}",
        """Veel ouderen in de buurt voelen zich eenzaam. Als maatje bezoek je elke week iemand
        voor een praatje, een spelletje of een wandeling. Een coördinator zoekt iemand die bij
        je past en blijft bereikbaar voor vragen.""",
        ["gezelschap", "ouderen", "luisteren"],
        ["tue-afternoon", "thu-afternoon", "sat-afternoon"],
        level="A2",
        ladder=3,
        capacity=6,
    ),
    _tpl(
        "informal_care",
        "Mantelzorger even vrij: gezelschap bij iemand met dementie",
        f"""Een mantelzorger zorgt dag en nacht voor haar man met dementie. Jij neemt één
        middag per week het gezelschap over, zodat zij tijd voor zichzelf heeft. Jullie doen
        rustige dingen, zoals koffie drinken, muziek luisteren en foto's kijken. {_CARE_NOTE}""",
        ["mantelzorgers", "gezelschap", "ouderen"],
        ["tue-afternoon", "thu-afternoon"],
        level="B1",
        ladder=4,
        capacity=1,
    ),
    _tpl(
        "informal_care",
        "Vrijwillige chauffeur voor afspraken",
        """Je rijdt een buurtbewoner met je eigen auto naar een afspraak, bijvoorbeeld bij de
        huisarts, het ziekenhuis of de kapper, en brengt hem weer thuis. Je krijgt een
        kilometervergoeding. Een rijbewijs B is nodig.""",
        ["vervoer", "ouderen"],
        ["mon-morning", "tue-morning", "thu-morning"],
        level="B1",
        ladder=4,
        capacity=4,
    ),
    _tpl(
        "informal_care",
        "Wandelmaatje voor iemand in een rolstoel",
        """Meneer zit in een rolstoel en wil graag vaker naar buiten. Samen maken jullie een
        wandeling door het park of gaan jullie naar de markt. Vooraf krijg je uitleg over het
        duwen van de rolstoel.""",
        ["wandelen", "beperking", "gezelschap"],
        ["sat-afternoon", "sun-afternoon"],
        level="A2",
        ladder=3,
        capacity=1,
    ),
    _tpl(
        "informal_care",
        "Samen koken en eten met een alleenstaande oudere",
        f"""Eén keer per week kook je samen met een oudere buurman of buurvrouw en eten jullie
        samen. Lekker eten en een goed gesprek maken de week fijner. {_CARE_NOTE}""",
        ["koken", "ouderen", "gezelschap"],
        ["tue-evening", "thu-evening"],
        level="A2",
        ladder=3,
        capacity=2,
    ),
    _tpl(
        "informal_care",
        "Speelmaatje: ouders van een kind met een beperking even vrij",
        """Ouders van een kind met een beperking hebben weinig tijd voor zichzelf. Jij speelt
        een middag met het kind, thuis of in de speeltuin, zodat de ouders even op adem kunnen
        komen. Een VOG is nodig; die regelen we gratis.""",
        ["kinderen", "beperking", "mantelzorgers"],
        ["wed-afternoon", "sat-morning"],
        level="B1",
        ladder=4,
        capacity=2,
        allowance=50,
    ),
    _tpl(
        "informal_care",
        "Telefooncirkel: elke ochtend even bellen",
        """In de telefooncirkel bel je elke ochtend een paar ouderen die alleen wonen. Je vraagt
        hoe het gaat en maakt een kort praatje. Gaat er iets mis, dan weet je wie je moet
        bellen.""",
        ["luisteren", "ouderen", "gezelschap"],
        _WEEKDAY_MORNINGS,
        level="B1",
        ladder=3,
        capacity=8,
        access=["quiet_space"],
    ),
    _tpl(
        "informal_care",
        "Hulp bij post en formulieren voor een mantelzorger",
        """Mantelzorgers hebben vaak weinig tijd voor papierwerk. Eens per twee weken help je
        samen met de mantelzorger de post te ordenen, rekeningen te betalen en formulieren in
        te vullen. Je gaat zorgvuldig om met privégegevens.""",
        ["administratie", "mantelzorgers"],
        ["mon-afternoon", "wed-evening"],
        level="B2",
        ladder=4,
        capacity=3,
        allowance=40,
    ),
    _tpl(
        "informal_care",
        "De tuin bijhouden voor een mantelzorger in {wijk}",
        """Een mantelzorger heeft geen tijd meer voor de tuin. Jij helpt met grasmaaien,
        onkruid wieden en de heg knippen. Een kleine moeite die veel rust geeft.""",
        ["tuinieren", "mantelzorgers", "klussen"],
        ["mon-afternoon", "sat-morning"],
        level="A1",
        ladder=3,
        capacity=2,
    ),
    _tpl(
        "informal_care",
        "Buddy: samen naar de markt of de bibliotheek",
        """Sommige mensen durven niet meer alleen de straat op. Als buddy ga je mee naar de
        markt, de bibliotheek of het buurthuis. Zo krijgen ze weer vertrouwen en zien ze meer
        mensen.""",
        ["gezelschap", "boodschappen", "buurt"],
        ["tue-morning", "thu-afternoon"],
        level="A2",
        ladder=3,
        capacity=4,
    ),
    _tpl(
        "informal_care",
        "Gastvrouw of gastheer in het logeerhuis",
        """In het logeerhuis verblijven ouderen een weekend, zodat hun mantelzorger kan
        uitrusten. Jij zet koffie, speelt een spelletje en eet mee. De zorg zelf doen
        beroepskrachten; jij zorgt voor gezelligheid.""",
        ["gezelschap", "mantelzorgers", "ontvangst"],
        ["fri-evening", "sat-afternoon", "sun-afternoon"],
        level="B1",
        ladder=4,
        capacity=4,
        access=_ALL_ACCESS,
        allowance=100,
    ),
    _tpl(
        "informal_care",
        "Spelletjesmiddag bij een oudere thuis",
        """Houd je van sjoelen, kaarten of rummikub? Je bezoekt iemand thuis voor een gezellige
        spelletjesmiddag. Zo heeft de mantelzorger een middag vrij.""",
        ["gezelschap", "mantelzorgers", "ouderen"],
        ["mon-afternoon", "wed-afternoon", "fri-afternoon"],
        level="A1",
        ladder=3,
        capacity=3,
    ),
    _tpl(
        "informal_care",
        "Fietsmaatje op de duofiets",
        """Op de duofiets zit je naast iemand die zelf niet meer kan fietsen. Samen maken jullie
        een tocht door de omgeving. Eerst krijg je een korte les op de duofiets.""",
        ["fietsen", "ouderen", "natuur"],
        ["tue-afternoon", "sat-morning"],
        level="A2",
        ladder=3,
        capacity=3,
    ),
    _tpl(
        "informal_care",
        "Huisdier verzorgen als de baas het even niet redt",
        """Soms kan iemand een tijdje niet voor zijn hond of kat zorgen. Jij laat de hond uit,
        geeft het dier eten en aandacht. Zo hoeft het huisdier niet weg.""",
        ["dieren", "wandelen", "mantelzorgers"],
        ["mon-morning", "wed-evening", "sat-morning", "sun-morning"],
        level="A1",
        ladder=3,
        capacity=4,
    ),
]

TEMPLATES: list[dict[str, Any]] = [*_VOLUNTEER, *_LANGUAGE, *_INFORMAL_CARE]
