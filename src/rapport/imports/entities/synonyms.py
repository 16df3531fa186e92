# ruff: noqa: RUF001 - the synonyms are Persian and Hebrew words on purpose
"""Column headers that map to a field by themselves, in English, Malay, Indonesian, Polish, Persian and Hebrew.

Headers are compared normalised (``fields.normalise``: case, spaces, punctuation and diacritics ignored, Arabic
letter forms read as Persian), so "E-mail", "e-mail" and "EMAIL" are one entry. The field's own name and its
label in each language count as synonyms too; these lists add what exports from other systems write.
"""

from __future__ import annotations

SYNONYMS: dict[str, tuple[str, ...]] = {
    # --- shared -------------------------------------------------------------------------------------------
    "external_id": (
        "id", "external id", "customer id", "customer no", "customer number", "client id", "client number",
        "account number", "record id", "reference",
        "id pelanggan", "no pelanggan", "nombor pelanggan", "kod pelanggan",  # ms
        "nomor pelanggan", "kode pelanggan",  # id
        "id klienta", "numer klienta", "nr klienta", "identyfikator",  # pl
        "شناسه", "شناسه مشتری", "کد مشتری", "شماره مشتری",  # fa
        "מזהה", "מזהה לקוח", "מספר לקוח", "קוד לקוח",  # he
    ),
    "first_name": (
        "first name", "firstname", "given name", "forename", "first",
        "nama depan", "nama pertama", "nama diberi",  # ms, id
        "imię", "imie",  # pl
        "نام", "اسم", "نام کوچک",  # fa
        "שם פרטי",  # he
    ),
    "last_name": (
        "last name", "lastname", "surname", "family name", "last",
        "nama belakang", "nama keluarga",  # ms, id
        "nazwisko",  # pl
        "نام خانوادگی", "فامیلی", "نام‌خانوادگی",  # fa
        "שם משפחה",  # he
    ),
    "email": (
        "email", "e-mail", "e mail", "email address", "e-mail address", "mail",
        "e-mel", "emel", "alamat e-mel", "alamat emel",  # ms
        "surel", "surat elektronik", "alamat email", "alamat surel",  # id
        "adres e-mail", "adres email", "poczta", "poczta elektroniczna",  # pl
        "ایمیل", "پست الکترونیک", "پست الکترونیکی", "رایانامه", "آدرس ایمیل",  # fa
        'דוא"ל', "דואל", "דואר אלקטרוני", "אימייל", "מייל", "כתובת דואל",  # he
    ),
    "phone": (
        "phone", "telephone", "phone number", "telephone number", "mobile", "mobile phone", "cell", "cell phone",
        "tel", "tel no", "contact number",
        "telefon", "no telefon", "nombor telefon", "telefon bimbit", "no tel", "no hp", "nombor telefon bimbit",  # ms
        "telepon", "nomor telepon", "hp", "nomor hp", "ponsel",  # id
        "numer telefonu", "nr telefonu", "telefon komórkowy", "komórka",  # pl
        "تلفن", "شماره تلفن", "موبایل", "تلفن همراه", "شماره موبایل", "همراه",  # fa
        "טלפון", "מספר טלפון", "נייד", "טלפון נייד", "פלאפון",  # he
    ),
    "country": (
        "country", "country code", "nation",
        "negara", "kod negara", "kode negara",  # ms, id
        "kraj", "państwo",  # pl
        "کشور",  # fa
        "מדינה", "ארץ",  # he
    ),
    "city": (
        "city", "town", "locality",
        "bandar", "bandaraya", "kota", "kabupaten",  # ms, id
        "miasto", "miejscowość",  # pl
        "شهر",  # fa
        "עיר", "ישוב", "יישוב",  # he
    ),
    "language": (
        "language", "preferred language", "lang",
        "bahasa",  # ms, id
        "język",  # pl
        "زبان",  # fa
        "שפה",  # he
    ),
    "birth_date": (
        "birth date", "date of birth", "birthday", "dob", "born",
        "tarikh lahir", "tanggal lahir", "tgl lahir",  # ms, id
        "data urodzenia", "urodziny",  # pl
        "تاریخ تولد", "تولد",  # fa
        "תאריך לידה", "יום הולדת",  # he
    ),
    "tags": (
        "tags", "tag", "labels", "label", "segments",
        "teg", "label", "penanda",  # ms, id
        "tagi", "etykiety",  # pl
        "برچسب", "برچسب‌ها", "برچسبها",  # fa
        "תגיות", "תגים", "תווית",  # he
    ),
    "kind": (
        "type", "customer type", "kind",
        "jenis", "jenis pelanggan", "tipe",  # ms, id
        "typ", "rodzaj", "typ klienta",  # pl
        "نوع", "نوع مشتری",  # fa
        "סוג", "סוג לקוח",  # he
    ),
    "organisation_name": (
        "organisation", "organization", "organisation name", "organization name", "company", "company name",
        "business name", "employer",
        "syarikat", "nama syarikat", "organisasi", "nama organisasi",  # ms
        "perusahaan", "nama perusahaan",  # id
        "firma", "nazwa firmy", "organizacja", "nazwa organizacji",  # pl
        "شرکت", "نام شرکت", "سازمان", "نام سازمان",  # fa
        "חברה", "שם חברה", "ארגון", "שם הארגון",  # he
    ),
    "owner": (
        "owner", "account manager", "account owner", "sales rep", "assigned to",
        "pengurus akaun", "pemilik", "pengelola akun",  # ms, id
        "opiekun", "opiekun klienta", "właściciel",  # pl
        "مسئول", "مدیر حساب",  # fa
        "אחראי", "מנהל לקוח",  # he
    ),
    # --- contacts -----------------------------------------------------------------------------------------
    "organisation": (
        "organisation", "organization", "organisation id", "organization id", "company", "company id",
        "customer", "customer id", "account", "account id",
        "syarikat", "id syarikat", "perusahaan", "id perusahaan",  # ms, id
        "firma", "id firmy", "klient",  # pl
        "شرکت", "شناسه شرکت", "سازمان",  # fa
        "חברה", "מזהה חברה", "ארגון",  # he
    ),
    "job_title": (
        "job title", "title", "position", "role", "function",
        "jawatan", "jabatan",  # ms, id
        "stanowisko",  # pl
        "سمت", "عنوان شغلی",  # fa
        "תפקיד",  # he
    ),
    "is_primary": (
        "primary", "primary contact", "main contact",
        "utama", "kenalan utama", "kontak utama",  # ms, id
        "główny", "główny kontakt",  # pl
        "اصلی",  # fa
        "ראשי", "איש קשר ראשי",  # he
    ),
    # --- products -----------------------------------------------------------------------------------------
    "sku": (
        "sku", "product code", "item code", "article number", "product id", "item", "code",
        "kod produk", "kode produk", "kod barang", "kode barang",  # ms, id
        "kod produktu", "indeks", "numer artykułu",  # pl
        "کد کالا", "کد محصول",  # fa
        'מק"ט', "מקט", "קוד מוצר",  # he
    ),
    "name": (
        "name", "product", "product name", "item name", "title",
        "nama", "nama produk", "nama barang", "produk",  # ms, id
        "nazwa", "nazwa produktu", "produkt",  # pl
        "نام کالا", "نام محصول", "محصول", "کالا",  # fa
        "שם", "שם מוצר", "מוצר",  # he
    ),
    "category": (
        "category", "product category", "group",
        "kategori",  # ms, id
        "kategoria",  # pl
        "دسته", "دسته‌بندی", "گروه",  # fa
        "קטגוריה",  # he
    ),
    "price": (
        "price", "unit price", "list price",
        "harga", "harga seunit", "harga satuan",  # ms, id
        "cena", "cena jednostkowa",  # pl
        "قیمت", "بها",  # fa
        "מחיר",  # he
    ),
    "currency": (
        "currency", "currency code", "ccy",
        "mata wang", "mata uang",  # ms, id
        "waluta",  # pl
        "ارز", "واحد پول",  # fa
        "מטבע",  # he
    ),
    "is_active": (
        "active", "is active", "enabled", "available",
        "aktif",  # ms, id
        "aktywny", "dostępny",  # pl
        "فعال",  # fa
        "פעיל",  # he
    ),
    # --- orders -------------------------------------------------------------------------------------------
    "order_id": (
        "order id", "order no", "order number", "order", "order reference", "invoice number",
        "id pesanan", "no pesanan", "nombor pesanan", "nomor pesanan",  # ms, id
        "numer zamówienia", "nr zamówienia", "zamówienie",  # pl
        "شماره سفارش", "کد سفارش", "سفارش",  # fa
        "מספר הזמנה", "הזמנה",  # he
    ),
    "customer": (
        "customer", "customer id", "customer no", "customer number", "client", "client id", "buyer",
        "pelanggan", "id pelanggan", "no pelanggan", "nomor pelanggan",  # ms, id
        "klient", "id klienta", "numer klienta",  # pl
        "مشتری", "شناسه مشتری", "کد مشتری",  # fa
        "לקוח", "מזהה לקוח", "מספר לקוח",  # he
    ),
    "placed_at": (
        "placed at", "order date", "date", "ordered at", "purchase date", "created",
        "tarikh pesanan", "tanggal pesanan", "tarikh", "tanggal",  # ms, id
        "data zamówienia", "data",  # pl
        "تاریخ سفارش", "تاریخ",  # fa
        "תאריך הזמנה", "תאריך",  # he
    ),
    "total": (
        "total", "amount", "order total", "grand total", "value",
        "jumlah", "jumlah keseluruhan", "total harga",  # ms, id
        "suma", "kwota", "wartość", "razem",  # pl
        "مبلغ", "جمع کل", "مجموع",  # fa
        'סה"כ', "סכום", "סך הכל",  # he
    ),
    "channel": (
        "channel", "sales channel", "source channel",
        "saluran", "kanal", "saluran jualan",  # ms, id
        "kanał", "kanał sprzedaży",  # pl
        "کانال", "کانال فروش",  # fa
        "ערוץ", "ערוץ מכירה",  # he
    ),
    "status": (
        "status", "order status", "state",
        "status pesanan",  # ms, id
        "stan", "status zamówienia",  # pl
        "وضعیت",  # fa
        "סטטוס", "מצב",  # he
    ),
    "quantity": (
        "quantity", "qty", "units", "count",
        "kuantiti", "kuantitas", "jumlah unit", "bilangan",  # ms, id
        "ilość", "liczba sztuk",  # pl
        "تعداد", "مقدار",  # fa
        "כמות",  # he
    ),
    "unit_price": (
        "unit price", "price", "item price",
        "harga seunit", "harga satuan", "harga",  # ms, id
        "cena jednostkowa", "cena",  # pl
        "قیمت واحد", "فی", "قیمت",  # fa
        "מחיר יחידה", "מחיר",  # he
    ),
    "description": (
        "description", "line description", "item description", "details",
        "keterangan", "penerangan", "deskripsi",  # ms, id
        "opis",  # pl
        "شرح", "توضیحات",  # fa
        "תיאור",  # he
    ),
    # --- interactions -------------------------------------------------------------------------------------
    "occurred_at": (
        "occurred at", "date", "datetime", "timestamp", "when", "time",
        "tarikh", "tanggal", "waktu", "masa",  # ms, id
        "data", "kiedy", "czas",  # pl
        "تاریخ", "زمان",  # fa
        "תאריך", "מועד", "זמן",  # he
    ),
    "direction": (
        "direction", "inbound/outbound", "in/out",
        "arah",  # ms, id
        "kierunek",  # pl
        "جهت",  # fa
        "כיוון",  # he
    ),
    "subject": (
        "subject", "topic", "title", "summary",
        "subjek", "perkara", "perihal", "topik",  # ms, id
        "temat", "tytuł",  # pl
        "موضوع", "عنوان",  # fa
        "נושא", "כותרת",  # he
    ),
    "body": (
        "body", "notes", "note", "content", "text", "message", "details",
        "catatan", "nota", "isi", "kandungan", "pesan",  # ms, id
        "treść", "notatka", "uwagi", "wiadomość",  # pl
        "متن", "یادداشت", "پیام",  # fa
        "תוכן", "הערות", "הודעה",  # he
    ),
    "user": (
        "user", "agent", "staff", "handled by", "employee",
        "ejen", "pegawai", "petugas", "pengguna",  # ms, id
        "pracownik", "użytkownik", "konsultant",  # pl
        "کاربر", "کارمند", "کارشناس",  # fa
        "נציג", "משתמש", "עובד",  # he
    ),
}
