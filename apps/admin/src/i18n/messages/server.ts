// The sentences the API writes (its refusals, the organisation sync's outcome, the user-mapping
// problems, a pasted key's format — which the forms check too: lib/checks.ts), by the key the API
// sends beside its English (`data.messageKey` of an error, `messageKey` of a sync outcome or a
// mapping problem). English is the API's own catalog, so the two cannot drift; lib/errors.ts and
// the pages fall back to the API's English for a sentence without a key. Parameters are the API's:
// an organisation's name, a month, OpenRouter's own words.
import { SERVER_MESSAGES } from "@mai/domain/messages";
import type { Polish } from "../translation";

export const en = SERVER_MESSAGES;

export const pl: Polish<typeof en> = {
  common: {
    exists: "Taki wpis już istnieje.",
  },
  auth: {
    wrongCredentials: "Nieprawidłowy e-mail lub hasło.",
    temporaryExpired: "To hasło tymczasowe wygasło; należy poprosić administratora o nowe.",
    signInFirst: "Najpierw należy się zalogować.",
    newPasswordFirst: "Najpierw należy ustawić nowe hasło.",
    sessionOnly: "Tę operację można wykonać tylko w sesji panelu.",
    sessionOnlyNotToken: "Tę operację można wykonać tylko w sesji panelu, nie tokenem API.",
    providerOnly: "Tę operację mogą wykonać tylko administratorzy dostawcy.",
    chatToken:
      "Ten token służy do czatu: aby to zrobić, należy zalogować się do panelu (administrator może utworzyć token zarządzania dla skryptów).",
    noSuchUser: "Nie ma takiego użytkownika.",
    signUpOff:
      "Samodzielna rejestracja została wyłączona przez dostawcę. Konto można uzyskać od dostawcy, a zaproszenie od administratora.",
    signUpKeyUnusable:
      "Tego klucza nie można użyć do rejestracji. Należy użyć klucza otrzymanego od dostawcy albo skontaktować się z dostawcą.",
  },
  access: {
    chooseOrganization: "Wybierz organizację.",
    noOrganization: "To konto nie należy jeszcze do żadnej organizacji.",
    ownUsageOnly: "Można zobaczyć tylko własne zużycie.",
    adminsListOrganizations: "Tylko administratorzy mogą wyświetlić listę organizacji.",
    adminsSeeThis: "Tylko administratorzy mogą to zobaczyć.",
    adminsSeeUnmeteredUsage: "Tylko administratorzy mogą zobaczyć zużycie poza pomiarem.",
    adminsSeeAuditLog: "Tylko administratorzy mogą zobaczyć dziennik zdarzeń.",
    adminsSeeUserMappings: "Tylko administratorzy mogą zobaczyć przypisania użytkowników.",
    adminsSeeOrganization: "Tylko administratorzy mogą zobaczyć organizację.",
    ownUnmeteredUsage: "Można zobaczyć tylko zużycie poza pomiarem własnej organizacji.",
    ownAuditLog: "Można zobaczyć tylko dziennik zdarzeń własnej organizacji.",
    ownUserMappings: "Można zobaczyć tylko przypisania użytkowników własnej organizacji.",
    ownOrganization: "Można zobaczyć tylko własną organizację.",
    ownUsage: "Można zobaczyć tylko zużycie własnej organizacji.",
  },
  invitation: {
    invalid:
      "Ten kod zaproszenia jest nieprawidłowy: mógł zostać błędnie wpisany, wygasnąć, zostać odwołany lub już wykorzystany. Nowy kod można uzyskać od administratora.",
    existingAccount:
      "Tego zaproszenia nie można użyć. Należy zalogować się na istniejące konto albo skontaktować się z administratorem.",
    alreadyInOrganization:
      "To konto należy już do organizacji, więc nie może dołączyć do innej. Należy skontaktować się z administratorem lub dostawcą.",
  },
  password: {
    currentWrong: "Obecne hasło jest nieprawidłowe.",
    sameAsCurrent: "Nowe hasło musi się różnić od obecnego.",
    ownResetHere: "Tutaj nie można zresetować własnego hasła: własne hasło zmienia się na stronie Konto.",
  },
  members: {
    alreadyMember: "Ten użytkownik jest już członkiem tej organizacji.",
    belongsElsewhere: "Ten użytkownik należy już do organizacji (użytkownik może należeć najwyżej do jednej organizacji).",
    noSuchInvitation: "W tej organizacji nie ma takiego oczekującego zaproszenia.",
    cannotRemoveSelf: "Nie można usunąć samego siebie z własnej organizacji.",
    noSuchMember: "W tej organizacji nie ma takiego członka.",
  },
  organization: {
    notFound: "Nie znaleziono organizacji.",
    nameTaken: "Organizacja o nazwie „{{name}}” już istnieje.",
    nameLength: "Nazwa organizacji musi mieć od 1 do {{max}} znaków.",
    keyTaken: "Ten klucz jest już przypisany do innej organizacji.",
    provisionOrGive: "Należy albo wygenerować klucz, albo podać istniejący — nie oba naraz.",
    rotateDeactivated: "Ta organizacja jest dezaktywowana; przed rotacją klucza należy ją ponownie aktywować.",
    rotatedKeyTaken: "OpenRouter zwrócił klucz, który jest już przypisany do organizacji.",
    noProvisioningKey: "Nie skonfigurowano klucza provisioningowego: najpierw należy go ustawić w ustawieniach globalnych.",
    provisioningRejectedCreate:
      "OpenRouter odrzucił klucz provisioningowy przy próbie utworzenia klucza; należy go wymienić w ustawieniach globalnych.",
    provisioningRejectedUpdate:
      "OpenRouter odrzucił klucz provisioningowy przy próbie zmiany klucza organizacji; należy go wymienić w ustawieniach globalnych.",
    provisioningRejectedDisable:
      "OpenRouter odrzucił klucz provisioningowy przy próbie wyłączenia klucza organizacji; należy go wymienić w ustawieniach globalnych.",
    notReconciled: "Klucz tej organizacji nie został jeszcze uzgodniony za {{month}}: nie ma czego rozliczyć.",
    noUnmetered: "Za {{month}} nie ma zużycia poza pomiarem do rozliczenia.",
    unmeteredBilled: "Zużycie poza pomiarem za {{month}} zostało już rozliczone.",
  },
  tokens: {
    manageNeedsAdmin: "Tylko administratorzy mogą tworzyć tokeny zarządzania; zamiast tego można utworzyć token czatu.",
    noSuchActive: "Nie ma takiego aktywnego tokenu.",
  },
  settings: {
    provisioningKeyRejected: "OpenRouter odrzucił ten klucz: jest nieznany, wyłączony lub unieważniony.",
    inferenceKey:
      "To jest klucz do inferencji. Klucz provisioningowy musi być kluczem zarządzania OpenRouter (Settings → Management keys na openrouter.ai).",
    maskedKey: "Należy wkleić cały klucz provisioningowy, a nie zamaskowany.",
    unknownTimeZone: "Nieznana strefa czasowa „{{timeZone}}”.",
    currency: "Waluta musi być trzyliterowym kodem ISO 4217.",
  },
  alerts: {
    noThreshold: "Należy podać co najmniej jeden próg, np. 80 i 100 (procent limitu miesięcznego).",
    tooManyThresholds: "Można podać najwyżej {{max}} progów.",
    wholeThreshold: "Próg to całkowita liczba procent, np. 80.",
    thresholdRange: "Próg musi wynosić od {{min}} % do {{max}} % limitu miesięcznego ({{value}} % nie mieści się w tym zakresie).",
    thresholdTwice: "Próg {{value}} % podano dwukrotnie.",
    secretWithoutUrl: "Sekret podpisu wymaga adresu URL webhooka, dla którego ma podpisywać powiadomienia.",
    urlWithoutSecret:
      "Razem z adresem URL webhooka należy podać sekret podpisu (co najmniej 16 znaków): każde powiadomienie jest nim podpisywane.",
    urlTooLong: "Adres URL webhooka jest za długi (najwyżej {{max}} znaków).",
    urlNotUrl: "Adres URL webhooka nie jest prawidłowym adresem URL (np. https://hooks.example.com/mai).",
    urlCredentials: "Adres URL webhooka nie może zawierać nazwy użytkownika ani hasła; żądania należy podpisywać sekretem.",
    urlHttps: "Adres URL webhooka musi używać https.",
    urlHttpsScheme: "Adres URL webhooka musi zaczynać się od https://.",
  },
  rates: {
    displayCurrency: "Waluta wyświetlania to trzyliterowy kod ISO 4217 inny niż USD.",
    day: "Dzień kursu zapisuje się w formacie RRRR-MM-DD.",
    known: "Kurs NBP z dnia {{date}} jest znany ({{rate}}, tabela {{table}}); to on jest używany.",
    currency: "Waluta to trzyliterowy kod ISO 4217 (USD, PLN, EUR…).",
    none: "Nie jest znany kurs wymiany USD→{{currency}} z dnia przed {{before}}: kwoty są podawane tylko w USD. Kurs NBP jest pobierany codziennie; gdy NBP jest niedostępny, dostawca może wprowadzić kurs (exchangeRates.set).",
  },
  dates: {
    calendarDates: "Daty to daty kalendarzowe w formacie RRRR-MM-DD.",
    month: "Miesiąc zapisuje się w formacie RRRR-MM.",
    startAfterEnd: "Data początkowa nie może być późniejsza niż data końcowa.",
  },
  sync: {
    skippedMember:
      "Synchronizację organizacji uruchamiają tylko administratorzy klienta; połączenie zostało zapisane do własnego użytku.",
    skippedProvider:
      "Synchronizację organizacji uruchamiają tylko administratorzy klienta; dostawca zarządza organizacjami i ich kluczami w panelu.",
    unchanged: "Ten klucz jest już kluczem tej organizacji; nic się nie zmieniło.",
    claim: "Dostawca wydał ten klucz dla organizacji, która nie ma jeszcze administratora; to konto zostało jej administratorem.",
    conflict:
      "Ten klucz jest już przypisany do innej organizacji. Należy użyć klucza wydanego dla własnej organizacji albo skontaktować się z dostawcą.",
    update: "Klucz OpenRouter organizacji został zastąpiony nowym kluczem.",
    create: "Dla tego klucza utworzono nową organizację, a to konto zostało jej administratorem.",
    createNamed: "Dla tego klucza utworzono nową organizację, a to konto zostało jej administratorem. ({{organization}})",
    noConnection: "W tych ustawieniach nie ma włączonego połączenia OpenRouter z prawidłowym kluczem.",
    failed: "Synchronizacja organizacji nie powiodła się; ustawienia zostały zapisane. Aby ponowić próbę, należy zapisać je jeszcze raz.",
    managementKey: "To jest klucz zarządzania OpenRouter; czat wymaga klucza do inferencji.",
    keyRejected: "OpenRouter odrzucił ten klucz ({{status}}: {{detail}}).",
  },
  key: {
    empty: "Wpisz klucz API OpenRouter.",
    missing_prefix: "To nie jest klucz API OpenRouter: klucze OpenRouter zaczynają się od „sk-or-”.",
    whitespace: "Klucz zawiera spację lub znak nowego wiersza; wklej go ponownie bez nich.",
    invalid_characters:
      "Klucz zawiera znaki, których klucz OpenRouter nigdy nie ma (możliwe są tylko litery, cyfry, „-” i „_”); wklej go ponownie.",
    too_short: "Klucz jest za krótki jak na klucz API OpenRouter; mógł zostać ucięty podczas kopiowania.",
    too_long: "Klucz jest za długi jak na klucz API OpenRouter (najwyżej {{max}} znaków).",
    malformed_v1:
      "Klucz wygląda jak klucz OpenRouter v1, ale jest niepoprawny: klucz v1 to „sk-or-v1-”, po którym następują dokładnie 64 małe znaki szesnastkowe (0–9, a–f).",
  },
  mapping: {
    noSuchUser: "W tej organizacji nie ma takiego użytkownika.",
    invalidFormat: "Identyfikator zewnętrzny nie ma postaci mai_client_<org8>_user_<user8>; oczekiwano {{expected}}.",
    mismatch: "Identyfikator zewnętrzny nie odpowiada tej organizacji i temu użytkownikowi; oczekiwano {{expected}}.",
    duplicate_one: "{{count}} przypisanie ma ten identyfikator zewnętrzny, więc jego zużycia nie da się odróżnić.",
    duplicate_few: "{{count}} przypisania mają ten sam identyfikator zewnętrzny, więc ich zużycia nie da się rozróżnić.",
    duplicate_many: "{{count}} przypisań ma ten sam identyfikator zewnętrzny, więc ich zużycia nie da się rozróżnić.",
    duplicate_other: "{{count}} przypisania ma ten sam identyfikator zewnętrzny, więc ich zużycia nie da się rozróżnić.",
    inactiveOrganization: "Przypisano do nieaktywnej organizacji „{{organization}}”: żądania są odrzucane.",
    unmapped: "Brak przypisania do organizacji: proxy odrzuca żądania tego użytkownika.",
  },
};
