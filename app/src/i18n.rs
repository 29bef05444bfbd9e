//! The translation catalogue. Every user-facing text lives here, in one struct per
//! locale, so a missing translation is a compile error rather than a blank on screen.
//! German (`DE`) is the only locale today; pages for young people will get more.
//!
//! Texts with placeholders use `{name}` and are filled with [`fill`].

macro_rules! catalogue {
    ($($key:ident: $text:expr,)*) => {
        /// All texts of one locale.
        pub struct Texts { $(pub $key: &'static str,)* }
        /// German, the default locale.
        pub static DE: Texts = Texts { $($key: $text,)* };
    };
}

/// The texts of the active locale.
pub fn texts() -> &'static Texts {
    &DE
}

/// Replaces `{name}` placeholders in a catalogue text.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = text.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

catalogue! {
    app_name: "Gruppenbuch",
    app_tagline: "Das digitale Gruppenbuch der Familienwohngruppen",
    skip_to_content: "Zum Inhalt springen",
    menu: "Menü",
    nav_label: "Hauptnavigation",
    nav_start: "Start",
    nav_my_group: "Meine Gruppe",
    nav_groups: "Familienwohngruppen",
    nav_notes: "Tagesnotizen",
    nav_visits: "Besuchskontakte",
    nav_feedback: "Beteiligung & Beschwerde",
    nav_feed: "Feed",
    nav_accounts: "Konten",
    nav_audit: "Protokoll",
    nav_soon: "bald",
    logout: "Abmelden",
    logged_in_as: "Angemeldet als",

    role_leitung: "Leitung",
    role_fachberatung: "Fachberatung",
    role_fachkraft: "Fachkraft",
    role_jugendliche: "Jugendliche:r",
    role_admin: "Administration",
    role_datenschutz: "Datenschutz",

    login_title: "Anmelden",
    login_lead: "Bitte melde dich mit deinem Benutzernamen und Passwort an.",
    login_name: "Benutzername",
    login_password: "Passwort",
    login_submit: "Anmelden",
    login_failed: "Anmeldung fehlgeschlagen. Benutzername oder Passwort stimmen nicht.",
    login_logged_out: "Du bist abgemeldet. Auf diesem Gerät sind keine Falldaten mehr gespeichert.",
    login_throttled: "Zu viele Anmeldeversuche. Bitte warte {minutes} Minuten und versuche es dann noch einmal.",
    login_back: "Zurück zur Anmeldung",
    login_session_ended: "Deine Sitzung ist beendet. Bitte melde dich neu an.",

    loading: "Wird geladen …",
    save: "Speichern",
    saving: "Wird gespeichert …",
    saved: "Gespeichert.",
    cancel: "Abbrechen",
    edit: "Bearbeiten",
    back: "Zurück",
    optional: "optional",
    yes: "ja",
    no: "nein",
    none: "—",

    start_title: "Start",
    start_welcome: "Willkommen, {name}.",
    start_staff_lead: "Hier sind die jungen Menschen deiner Familienwohngruppe.",
    start_fb_lead: "Diese Familienwohngruppen begleitest du als Fachberatung.",
    start_leitung_lead: "Alle Familienwohngruppen des Verbunds.",
    start_no_groups: "Dir ist noch keine Familienwohngruppe zugeordnet. Bitte wende dich an die Administration.",
    start_youth_title: "Hallo {name}!",
    start_youth_lead: "Schön, dass du da bist. Hier kannst du sagen, was du möchtest und was dich stört.",
    start_youth_participate: "Ich möchte mitbestimmen",
    start_youth_complain: "Ich möchte mich beschweren",
    start_youth_rights: "Meine Rechte",
    start_youth_soon: "Das kommt bald. Bis dahin: Sprich mit deiner Fachberatung.",
    start_admin_lead: "Als Administration verwaltest du Konten und Zuordnungen. Falldaten siehst du nicht.",
    start_ds_lead: "Als Datenschutz siehst du, wer wann auf welche Daten zugegriffen hat.",

    groups_title: "Familienwohngruppen",
    groups_new: "Neue Familienwohngruppe",
    groups_empty: "Noch keine Familienwohngruppen angelegt.",
    group_name: "Name",
    group_address: "Adresse",
    group_phone: "Telefon",
    group_youths: "Junge Menschen",
    group_youth_count: "{count} junge Menschen",
    group_no_youths: "In dieser Familienwohngruppe lebt noch niemand.",
    group_edit_title: "Familienwohngruppe bearbeiten",
    group_new_title: "Neue Familienwohngruppe",

    youth_new: "Jungen Menschen aufnehmen",
    youth_new_title: "Jungen Menschen aufnehmen",
    youth_edit_title: "Stammdaten bearbeiten",
    youth_first_name: "Vorname",
    youth_last_name: "Nachname",
    youth_birth_date: "Geburtsdatum",
    youth_group: "Familienwohngruppe",
    youth_admission_date: "Aufnahmedatum",
    youth_caseworker_name: "Fallführende Fachkraft (Jugendamt)",
    youth_caseworker_contact: "Kontakt der fallführenden Fachkraft",
    youth_custody: "Sorgeberechtigte / Vormund",
    youth_custody_hint: "Wer das Sorgerecht hat, z. B. „Mutter“ oder „Vormund: Frau Beispiel, Jugendamt“.",
    youth_age: "{years} Jahre",
    youth_master_data: "Stammdaten",
    youth_choose_group: "Bitte wählen",

    accounts_title: "Konten",
    accounts_new: "Neues Konto",
    accounts_empty: "Noch keine Konten.",
    account_name: "Name",
    account_login: "Benutzername",
    account_login_hint: "Kleinbuchstaben, Ziffern, Punkt, Bindestrich oder Unterstrich; 3 bis 40 Zeichen.",
    account_role: "Rolle",
    account_groups: "Familienwohngruppen",
    account_groups_hint: "Fachkräfte arbeiten in diesen Gruppen; die Fachberatung begleitet sie.",
    account_youth: "Junger Mensch",
    account_youth_hint: "Nur für Konten junger Menschen.",
    account_password: "Passwort",
    account_password_hint: "Mindestens 10 Zeichen.",
    account_status: "Status",
    account_active: "aktiv",
    account_inactive: "deaktiviert",
    account_edit_title: "Konto bearbeiten",
    account_new_title: "Neues Konto",
    account_reset_password: "Passwort zurücksetzen",
    account_new_password: "Neues Passwort",
    account_password_reset_done: "Das Passwort wurde geändert. Alle Sitzungen des Kontos sind beendet.",
    account_deactivate: "Konto deaktivieren",
    account_activate: "Konto wieder aktivieren",
    account_deactivated_done: "Das Konto ist deaktiviert. Alle Sitzungen sind sofort beendet.",
    account_activated_done: "Das Konto ist wieder aktiv.",

    audit_title: "Zugriffsprotokoll",
    audit_lead: "Jeder Zugriff auf personenbezogene Daten wird hier festgehalten. Inhalte stehen nicht im Protokoll.",
    audit_filter_user: "Benutzer:in",
    audit_filter_youth: "Junger Mensch (ID)",
    audit_filter_from: "Von",
    audit_filter_to: "Bis",
    audit_filter_apply: "Filtern",
    audit_all: "alle",
    audit_when: "Zeitpunkt",
    audit_who: "Wer",
    audit_role: "Rolle",
    audit_action: "Aktion",
    audit_record: "Datensatz",
    audit_empty: "Keine Einträge für diese Auswahl.",
    audit_more: "Ältere Einträge",

    error_title: "Etwas ist schiefgegangen",
    title_forbidden: "Kein Zugriff",
    title_not_found: "Nicht gefunden",
    title_login_needed: "Anmeldung nötig",
    error_unauthenticated: "Bitte melde dich an.",
    error_forbidden: "Kein Zugriff. Diese Seite ist für dein Konto nicht freigegeben.",
    error_not_found: "Nicht gefunden. Vielleicht wurde der Eintrag entfernt oder der Link ist falsch.",
    error_bad_request: "Die Anfrage ist ungültig.",
    error_conflict: "Das geht gerade nicht, weil es einen Konflikt gibt.",
    error_too_many: "Zu viele Anfragen. Bitte warte kurz und versuche es noch einmal.",
    error_internal: "Ein technischer Fehler ist aufgetreten. Bitte versuche es später noch einmal.",
    error_network: "Keine Verbindung zum Server. Bitte prüfe deine Internetverbindung.",
    error_validation: "Bitte prüfe die markierten Felder.",
    error_too_large: "Die Anfrage ist zu groß.",
    not_found_title: "Seite nicht gefunden",
    not_found_home: "Zur Startseite",

    v_required: "Bitte ausfüllen.",
    v_too_long: "Höchstens {max} Zeichen.",
    v_too_short: "Mindestens {min} Zeichen.",
    v_date_format: "Bitte ein Datum im Format TT.MM.JJJJ angeben.",
    v_birth_future: "Das Geburtsdatum darf nicht in der Zukunft liegen.",
    v_birth_too_old: "Das Geburtsdatum liegt mehr als 27 Jahre zurück. Jugendhilfe endet spätestens mit 27.",
    v_admission_before_birth: "Die Aufnahme kann nicht vor der Geburt liegen.",
    v_admission_too_far: "Die Aufnahme darf höchstens ein Jahr in der Zukunft liegen.",
    v_phone: "Bitte eine Telefonnummer aus Ziffern angeben (Leerzeichen, +, -, / und Klammern sind erlaubt).",
    v_login_format: "Nur Kleinbuchstaben, Ziffern, Punkt, Bindestrich und Unterstrich.",
    v_login_taken: "Dieser Benutzername ist schon vergeben.",
    v_group_name_taken: "Eine Familienwohngruppe mit diesem Namen gibt es schon.",
    v_unknown_group: "Diese Familienwohngruppe gibt es nicht.",
    v_unknown_youth: "Diesen jungen Menschen gibt es nicht.",
    v_role: "Bitte eine Rolle wählen.",
    v_staff_needs_group: "Eine Fachkraft braucht mindestens eine Familienwohngruppe.",
    v_no_groups_for_role: "Diese Rolle hat keine Familienwohngruppen.",
    v_youth_needs_link: "Ein Konto für einen jungen Menschen muss mit seinen Stammdaten verknüpft sein.",
    v_youth_link_only_leitung: "Konten für junge Menschen legt die Leitung an.",
    v_no_youth_for_role: "Nur Konten junger Menschen werden mit Stammdaten verknüpft.",
    v_youth_has_account: "Dieser junge Mensch hat schon ein Konto.",
    v_cannot_deactivate_self: "Du kannst dein eigenes Konto nicht deaktivieren.",
    v_cannot_change_own_role: "Du kannst deine eigene Rolle nicht ändern.",
    v_invalid_id: "Ungültige Kennung.",
    v_period: "Das Ende darf nicht vor dem Anfang liegen.",
}
