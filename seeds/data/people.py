"""Names and self-chosen goals for demo recipients.

First names reflect the diversity of people in the bijstand in Dutch cities. The grouping
by background exists only to keep the list balanced while editing; the generator uses the
flat ``FIRST_NAMES`` list and never stores or infers anyone's origin.
"""

from __future__ import annotations

_FIRST_NAMES_BY_BACKGROUND: dict[str, list[str]] = {
    "dutch_frisian": [
        "Jan", "Piet", "Kees", "Henk", "Willem", "Sander", "Mark", "Ruud", "Bas", "Dennis",
        "Jeroen", "Erik", "Gerrit", "Hans", "Ria", "Anja", "Marieke", "Sanne", "Linda",
        "Ingrid", "Petra", "Els", "Annemiek", "Joke", "Wilma", "Yvonne", "Kim", "Esther",
        "Femke", "Daan", "Thijs", "Lotte", "Bram", "Nienke", "Tineke", "Corrie", "Frits",
        "Hennie", "Jolanda", "Sjoerd", "Hylke", "Wytske", "Baukje", "Tjitske", "Sietse",
        "Jelle", "Anouk", "Mirjam", "Ronald", "Bianca",
    ],
    "moroccan": [
        "Mohamed", "Ahmed", "Youssef", "Said", "Karim", "Mustafa", "Rachid", "Hamid",
        "Nordin", "Bilal", "Anouar", "Soufiane", "Mimoun", "Driss", "Fatima", "Khadija",
        "Naima", "Samira", "Hanan", "Latifa", "Malika", "Zineb", "Salma", "Yasmina", "Ilham",
        "Aicha",
    ],
    "turkish": [
        "Mehmet", "Ali", "Hasan", "Hüseyin", "Murat", "Emre", "Burak", "Serkan", "Yusuf",
        "Ibrahim", "Osman", "Kemal", "Cem", "Emine", "Ayşe", "Fatma", "Zeynep", "Elif",
        "Hatice", "Songül", "Derya", "Esra", "Selin", "Tuba",
    ],
    "surinamese_antillean": [
        "Ricardo", "Romano", "Marcel", "Sharon", "Shanti", "Rajesh", "Anjali", "Priya",
        "Sunita", "Vikash", "Usha", "Kishan", "Ashwin", "Glenn", "Orlando", "Natasha",
        "Tanisha", "Melvin", "Shirley", "Marlon", "Jairo", "Shurandy", "Gino", "Jeanette",
    ],
    "syrian_iraqi": [
        "Ahmad", "Omar", "Khaled", "Mahmoud", "Rami", "Tarek", "Bassam", "Fadi", "Hussam",
        "Ayham", "Mazen", "Nour", "Rasha", "Hala", "Lina", "Dima", "Rania", "Reem", "Yara",
        "Maryam", "Amal", "Ghada",
    ],
    "eritrean_ethiopian": [
        "Tesfay", "Yonas", "Kidane", "Mehari", "Filmon", "Dawit", "Mussie", "Yohannes",
        "Biniam", "Semhar", "Senait", "Rahel", "Luwam", "Abrehet", "Freweyni", "Selam",
        "Winta", "Helen",
    ],
    "polish": [
        "Piotr", "Tomasz", "Krzysztof", "Marek", "Paweł", "Łukasz", "Michał", "Jakub",
        "Agnieszka", "Katarzyna", "Magdalena", "Anna", "Joanna", "Ewa", "Marta", "Dorota",
    ],
    "ukrainian": [
        "Oleksandr", "Andrii", "Dmytro", "Serhii", "Mykola", "Bohdan", "Yaroslav", "Olena",
        "Oksana", "Iryna", "Nataliia", "Tetiana", "Yuliia", "Viktoriia", "Svitlana",
        "Kateryna",
    ],
    "other": [
        "Abdi", "Amina", "Hodan", "Faduma", "Mohamud", "Shukri", "Hamza", "Farida", "Zahra",
        "Reza", "Sahar", "Parisa", "Georgi", "Ivan", "Desislava", "Mariya", "Wei", "Dewi",
        "Kwame", "Ama", "Precious", "Joao", "Carla", "Dimitri",
    ],
}  # fmt: skip

FIRST_NAMES: list[str] = [name for names in _FIRST_NAMES_BY_BACKGROUND.values() for name in names]

LAST_NAMES: list[str] = [
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
    "Dijkstra", "Hoekstra", "Postma", "de Haan", "Kuipers", "Wiersma", "van der Meer",
    "El Amrani", "Bouzid", "El Idrissi", "Benali", "Ouali", "Aydın", "Yılmaz", "Kaya",
    "Demir", "Çelik", "Şahin", "Öztürk", "Ramdin", "Sewnath", "Mahabier", "Pinas",
    "Bouterse", "Martina", "Statia", "Al-Hassan", "Haddad", "Khalil", "Nasser", "Mansour",
    "Tesfamariam", "Gebremedhin", "Haile", "Tekle", "Kowalski", "Nowak", "Wiśniewska",
    "Lewandowski", "Kovalenko", "Shevchenko", "Bondarenko", "Melnyk", "Tkachenko",
    "Hassan", "Abdullahi", "Warsame", "Rahimi", "Ahmadi", "Petrov", "Ivanova", "Chen",
    "Santos", "Mensah",
]  # fmt: skip

GOALS: list[str] = [
    "Beter Nederlands spreken",
    "Weer onder de mensen komen",
    "Ervaring opdoen in de keuken",
    "Een betaalde baan in de zorg vinden",
    "Mijn inburgeringsexamen halen",
    "Leren werken met de computer",
    "Elke week iets buiten de deur doen",
    "Nieuwe mensen in de buurt leren kennen",
    "Een vast ritme in mijn week krijgen",
    "Mijn rijbewijs halen",
    "Ervaring opdoen in een winkel",
    "Een cursus of opleiding afmaken",
    "Iets betekenen voor anderen",
    "Meer bewegen en fitter worden",
    "Mijn diploma uit mijn eigen land laten erkennen",
    "Werken met dieren",
    "Buiten werken in de natuur",
    "Een eigen bedrijf starten",
    "Een werkervaringsplek vinden",
    "Een referentie voor mijn cv krijgen",
    "Weer vertrouwen krijgen in mezelf",
    "Mijn kinderen kunnen helpen met hun huiswerk",
    "Brieven van de gemeente zelf kunnen lezen",
    "Minder alleen zijn",
    "Een vak leren met mijn handen",
    "Werken in de techniek",
    "Een baan als chauffeur vinden",
    "Ervaring opdoen in een magazijn",
    "Mijn mantelzorg beter combineren met andere dingen",
    "Leren fietsen",
    "Parttime aan het werk gaan",
    "Ervaring opdoen met kinderen",
    "Mijn Nederlands verbeteren tot niveau B1",
    "Oefenen met een sollicitatiegesprek",
    "Mijn dag zelf leren indelen",
    "Een startkwalificatie halen",
]
"""Plain, concrete goals a recipient can pick (or type their own)."""
