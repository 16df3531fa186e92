# ruff: noqa: RUF001  (the names are written in Hebrew, Persian and Cyrillic letters on purpose)
"""Given names and surnames for the synthetic quality set, each with its spelling in another script.

The second spelling is the one a clerk in Tehran, Tel Aviv or Kyiv would type: real Persian, Hebrew and
Cyrillic forms, written out by hand rather than derived from the matcher's own transliteration, so the
quality figures measure the matcher and not an echo of it. None where a culture has no second script in use.
"""

from __future__ import annotations

Name = tuple[str, str | None]

PERSIAN_MALE: list[Name] = [
    ("Mohammad", "محمد"), ("Ali", "علی"), ("Reza", "رضا"), ("Hossein", "حسین"), ("Mehdi", "مهدی"),
    ("Amir", "امیر"), ("Hamid", "حمید"), ("Saeed", "سعید"), ("Majid", "مجید"), ("Behnam", "بهنام"),
    ("Dariush", "داریوش"), ("Kourosh", "کوروش"), ("Farhad", "فرهاد"), ("Babak", "بابک"), ("Omid", "امید"),
    ("Hassan", "حسن"), ("Javad", "جواد"), ("Nima", "نیما"), ("Kaveh", "کاوه"), ("Arash", "آرش"),
    ("Peyman", "پیمان"), ("Siavash", "سیاوش"), ("Navid", "نوید"), ("Shahram", "شهرام"), ("Mostafa", "مصطفی"),
]
PERSIAN_FEMALE: list[Name] = [
    ("Maryam", "مریم"), ("Fatemeh", "فاطمه"), ("Zahra", "زهرا"), ("Narges", "نرگس"), ("Leila", "لیلا"),
    ("Shirin", "شیرین"), ("Parisa", "پریسا"), ("Niloufar", "نیلوفر"), ("Mahsa", "مهسا"), ("Azadeh", "آزاده"),
    ("Sara", "سارا"), ("Roya", "رویا"), ("Elham", "الهام"), ("Samira", "سمیرا"), ("Neda", "ندا"),
    ("Mina", "مینا"), ("Shabnam", "شبنم"), ("Golnaz", "گلناز"), ("Nazanin", "نازنین"), ("Bahar", "بهار"),
    ("Soheila", "سهیلا"), ("Ladan", "لادن"), ("Farnaz", "فرناز"), ("Taraneh", "ترانه"), ("Yasaman", "یاسمن"),
]
PERSIAN_SURNAMES: list[Name] = [
    ("Rezaei", "رضایی"), ("Hosseini", "حسینی"), ("Mohammadi", "محمدی"), ("Ahmadi", "احمدی"),
    ("Karimi", "کریمی"), ("Moradi", "مرادی"), ("Jafari", "جعفری"), ("Rahimi", "رحیمی"), ("Kazemi", "کاظمی"),
    ("Ghasemi", "قاسمی"), ("Sadeghi", "صادقی"), ("Hashemi", "هاشمی"), ("Tehrani", "تهرانی"),
    ("Najafi", "نجفی"), ("Ebrahimi", "ابراهیمی"), ("Rostami", "رستمی"), ("Sharifi", "شریفی"),
    ("Farahani", "فراهانی"), ("Mousavi", "موسوی"), ("Azizi", "عزیزی"), ("Esfahani", "اصفهانی"),
    ("Bagheri", "باقری"), ("Shirazi", "شیرازی"), ("Zamani", "زمانی"), ("Alavi", "علوی"), ("Nouri", "نوری"),
    ("Safavi", "صفوی"), ("Tabrizi", "تبریزی"), ("Rahmani", "رحمانی"), ("Khosravi", "خسروی"),
    ("Asadi", "اسدی"), ("Soltani", "سلطانی"), ("Heidari", "حیدری"), ("Abbasi", "عباسی"),
    ("Amini", "امینی"), ("Yazdani", "یزدانی"), ("Javadi", "جوادی"), ("Ansari", "انصاری"),
    ("Mahmoudi", "محمودی"), ("Rafiei", "رفیعی"),
]

HEBREW_MALE: list[Name] = [
    ("David", "דוד"), ("Yosef", "יוסף"), ("Moshe", "משה"), ("Avraham", "אברהם"), ("Yitzhak", "יצחק"),
    ("Daniel", "דניאל"), ("Eitan", "איתן"), ("Noam", "נועם"), ("Ariel", "אריאל"), ("Uri", "אורי"),
    ("Yonatan", "יונתן"), ("Amit", "עמית"), ("Itai", "איתי"), ("Omer", "עומר"), ("Gil", "גיל"),
    ("Shlomo", "שלמה"), ("Yaakov", "יעקב"), ("Eliyahu", "אליהו"), ("Nadav", "נדב"), ("Asaf", "אסף"),
    ("Tomer", "תומר"), ("Ronen", "רונן"), ("Shai", "שי"), ("Gideon", "גדעון"), ("Meir", "מאיר"),
]
HEBREW_FEMALE: list[Name] = [
    ("Sarah", "שרה"), ("Rivka", "רבקה"), ("Rachel", "רחל"), ("Leah", "לאה"), ("Miriam", "מרים"),
    ("Tamar", "תמר"), ("Noa", "נועה"), ("Yael", "יעל"), ("Maya", "מאיה"), ("Shira", "שירה"),
    ("Michal", "מיכל"), ("Hila", "הילה"), ("Adi", "עדי"), ("Tali", "טלי"), ("Dana", "דנה"),
    ("Esther", "אסתר"), ("Ayelet", "איילת"), ("Orly", "אורלי"), ("Galit", "גלית"), ("Keren", "קרן"),
    ("Liora", "ליאורה"), ("Naama", "נעמה"), ("Ronit", "רונית"), ("Yardena", "ירדנה"), ("Zehava", "זהבה"),
]
HEBREW_SURNAMES: list[Name] = [
    ("Cohen", "כהן"), ("Levi", "לוי"), ("Mizrahi", "מזרחי"), ("Peretz", "פרץ"), ("Biton", "ביטון"),
    ("Dahan", "דהן"), ("Friedman", "פרידמן"), ("Katz", "כץ"), ("Azoulay", "אזולאי"),
    ("Goldberg", "גולדברג"), ("Shapiro", "שפירו"), ("Ben-David", "בן דוד"), ("Halevi", "הלוי"),
    ("Rosen", "רוזן"), ("Weiss", "וייס"), ("Segal", "סגל"), ("Ohana", "אוחנה"), ("Amar", "עמר"),
    ("Malka", "מלכה"), ("Baruch", "ברוך"), ("Klein", "קליין"), ("Gabay", "גבאי"), ("Hadad", "חדד"),
    ("Shalom", "שלום"), ("Avraham", "אברהם"), ("Elbaz", "אלבז"), ("Golan", "גולן"), ("Sasson", "ששון"),
    ("Tal", "טל"), ("Barak", "ברק"), ("Carmel", "כרמל"), ("Dayan", "דיין"), ("Eliyahu", "אליהו"),
    ("Levin", "לוין"), ("Navon", "נבון"), ("Sharon", "שרון"), ("Zohar", "זהר"), ("Yosef", "יוסף"),
    ("Harel", "הראל"), ("Ashkenazi", "אשכנזי"),
]

POLISH_MALE: list[Name] = [
    ("Piotr", "Пётр"), ("Krzysztof", "Кшиштоф"), ("Andrzej", "Анджей"), ("Tomasz", "Томаш"),
    ("Paweł", "Павел"), ("Michał", "Михал"), ("Marcin", "Марцин"), ("Jakub", "Якуб"), ("Łukasz", "Лукаш"),
    ("Grzegorz", "Гжегож"), ("Wojciech", "Войцех"), ("Mateusz", "Матеуш"), ("Kamil", "Камиль"),
    ("Marek", "Марек"), ("Jan", "Ян"), ("Adam", "Адам"), ("Rafał", "Рафал"), ("Dariusz", "Дариуш"),
    ("Mariusz", "Мариуш"), ("Zbigniew", "Збигнев"), ("Jerzy", "Ежи"), ("Tadeusz", "Тадеуш"),
    ("Stanisław", "Станислав"), ("Bartosz", "Бартош"), ("Sebastian", "Себастьян"),
]
POLISH_FEMALE: list[Name] = [
    ("Anna", "Анна"), ("Maria", "Мария"), ("Katarzyna", "Катажина"), ("Małgorzata", "Малгожата"),
    ("Agnieszka", "Агнешка"), ("Barbara", "Барбара"), ("Ewa", "Эва"), ("Krystyna", "Кристина"),
    ("Elżbieta", "Эльжбета"), ("Zofia", "Зофья"), ("Joanna", "Йоанна"), ("Magdalena", "Магдалена"),
    ("Monika", "Моника"), ("Aleksandra", "Александра"), ("Natalia", "Наталья"), ("Dorota", "Дорота"),
    ("Beata", "Беата"), ("Jolanta", "Иоланта"), ("Grażyna", "Гражина"), ("Halina", "Галина"),
    ("Iwona", "Ивона"), ("Urszula", "Уршуля"), ("Weronika", "Вероника"), ("Justyna", "Юстына"),
    ("Karolina", "Каролина"),
]
# Masculine forms; feminine_polish() derives -ska/-cka and -ская/-цкая.
POLISH_SURNAMES: list[Name] = [
    ("Nowak", "Новак"), ("Kowalski", "Ковальский"), ("Wiśniewski", "Вишневский"), ("Wójcik", "Вуйцик"),
    ("Kowalczyk", "Ковальчик"), ("Kamiński", "Каминский"), ("Lewandowski", "Левандовский"),
    ("Zieliński", "Зелинский"), ("Szymański", "Шиманский"), ("Woźniak", "Возняк"),
    ("Dąbrowski", "Домбровский"), ("Kozłowski", "Козловский"), ("Jankowski", "Янковский"),
    ("Mazur", "Мазур"), ("Kwiatkowski", "Квятковский"), ("Krawczyk", "Кравчик"),
    ("Piotrowski", "Пётровский"), ("Grabowski", "Грабовский"), ("Nowakowski", "Новаковский"),
    ("Pawłowski", "Павловский"), ("Michalski", "Михальский"), ("Król", "Круль"), ("Wieczorek", "Вечорек"),
    ("Jabłoński", "Яблонский"), ("Wróbel", "Врубель"), ("Nowicki", "Новицкий"), ("Majewski", "Маевский"),
    ("Olszewski", "Ольшевский"), ("Stępień", "Стемпень"), ("Malinowski", "Малиновский"),
    ("Jaworski", "Яворский"), ("Adamczyk", "Адамчик"), ("Dudek", "Дудек"), ("Nowakowicz", "Новакович"),
    ("Górski", "Гурский"), ("Sikora", "Сикора"), ("Walczak", "Вальчак"), ("Baran", "Баран"),
    ("Rutkowski", "Рутковский"), ("Michalak", "Михаляк"),
]

MALAY_MALE: list[Name] = [(n, None) for n in (
    "Ahmad", "Muhammad", "Mohd", "Abdul", "Hafiz", "Azlan", "Farid", "Ismail", "Kamal", "Razak", "Zainal",
    "Hakim", "Amirul", "Faizal", "Syafiq", "Haziq", "Irfan", "Nazri", "Rahman", "Shahrul", "Zulkifli",
    "Hisham", "Khairul", "Rizal", "Salleh", "Yusof", "Aziz", "Badrul", "Fadzil", "Hamzah",
)]
MALAY_FEMALE: list[Name] = [(n, None) for n in (
    "Siti", "Nur", "Nurul", "Aisyah", "Farah", "Aminah", "Zarina", "Norazlina", "Hafizah", "Liyana",
    "Syazwani", "Izzati", "Amira", "Fatin", "Hidayah", "Nadia", "Rohana", "Salmah", "Suraya", "Wahida",
    "Zaleha", "Azura", "Balqis", "Haslinda", "Intan", "Junaidah", "Maisarah", "Norhayati", "Rafidah", "Yati",
)]

INDONESIAN_MALE: list[Name] = [(n, None) for n in (
    "Budi", "Agus", "Joko", "Bambang", "Hendra", "Eko", "Dedi", "Rudi", "Wahyu", "Andi", "Arief", "Dimas",
    "Fajar", "Gilang", "Hadi", "Irwan", "Kurniawan", "Nugroho", "Rizky", "Taufik", "Yudi", "Adi", "Bayu",
    "Cahyo", "Dwi", "Galih", "Heru", "Iwan", "Slamet", "Teguh",
)]
INDONESIAN_FEMALE: list[Name] = [(n, None) for n in (
    "Dewi", "Sri", "Ratna", "Wulan", "Putri", "Ayu", "Indah", "Rina", "Sari", "Yuni", "Fitri", "Lestari",
    "Maya", "Nia", "Novi", "Rani", "Ratih", "Tuti", "Wati", "Yanti", "Anisa", "Citra", "Dian", "Endah",
    "Kartika", "Mega", "Nining", "Puspita", "Retno", "Siska",
)]
INDONESIAN_SURNAMES: list[Name] = [(n, None) for n in (
    "Santoso", "Wijaya", "Saputra", "Hidayat", "Setiawan", "Kusuma", "Pratama", "Susanto", "Gunawan",
    "Purnomo", "Halim", "Siregar", "Nasution", "Simanjuntak", "Harahap", "Lubis", "Sihombing", "Tanjung",
    "Wibowo", "Hartono", "Prasetyo", "Suryadi", "Kurniadi", "Utomo", "Firmansyah", "Permana", "Ramadhan",
    "Sembiring", "Situmorang", "Hakim", "Irawan", "Maulana", "Nugraha", "Rahayu", "Sutanto", "Tambunan",
    "Wahyudi", "Yulianto", "Zulkarnain", "Hutapea",
)]

ENGLISH_MALE: list[Name] = [(n, None) for n in (
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Charles",
    "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Paul", "Steven", "Andrew", "Kenneth", "George",
    "Edward", "Brian", "Ronald", "Timothy", "Jason", "Jeffrey", "Ryan", "Gary", "Nicholas", "Eric",
)]
ENGLISH_FEMALE: list[Name] = [(n, None) for n in (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen",
    "Nancy", "Lisa", "Margaret", "Betty", "Sandra", "Ashley", "Dorothy", "Kimberly", "Emily", "Donna",
    "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Stephanie", "Rebecca", "Laura", "Sharon", "Helen",
)]
ENGLISH_SURNAMES: list[Name] = [(n, None) for n in (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward",
    "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "Mitchell", "Bell",
    "Campbell", "Kelly", "Parker", "Price", "Bennett", "Griffiths", "Fletcher", "Chapman",
)]


def feminine_polish(name: Name) -> Name:
    """Kowalski -> Kowalska, Ковальский -> Ковальская; Nowak stays Nowak."""
    latin, cyrillic = name
    for masc, fem in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if latin.endswith(masc):
            latin = latin[: -len(masc)] + fem
            break
    if cyrillic:
        for masc, fem in (("ский", "ская"), ("цкий", "цкая")):
            if cyrillic.endswith(masc):
                cyrillic = cyrillic[: -len(masc)] + fem
                break
    return latin, cyrillic
