"""The words and marks English news text is read with: one place for each kind of knowledge.

Reading at ingest (`reading`) and every query-time stage (`qa.entities`, `qa.analyze`,
`qa.check`, `qa.compose`) import these lists instead of keeping their own copies:

- calendar: `MONTHS` (full names and abbreviations, folded), `MONTH_NUMBERS`, `DAYS`, `MONTH_PATTERN`;
- numbers: `NUMBER_WORDS` (vague ones included: "several", "dozens"), `UNITS`, `TENS`, `SCALES`,
  `ORDINALS` (values for `reading.numbers`), `TIME_UNITS` (what makes a duration);
- names: `TITLES` (honorifics and roles written before a name), `ROLE_NOUNS` (nouns that stand
  for a person: "official", "spokesman"), `ORG_HEADS`, `PLACES`, `PLACE_HEADS`, `CONNECTORS`
  ("bin", "von"), `NOT_NAMES` (capitalised words that open sentences without naming anything),
  `NOT_PEOPLE` (head words of capitalised runs that are page furniture: "Getty Images", "Privacy Policy");
- speech: `SPEECH_VERBS` (inflected forms), `PRONOUNS`, `QUOTE_OPEN`, `QUOTE_CLOSE`, `QUOTED` (a quotation);
- abbreviations that do not end a sentence (`ABBREVIATIONS`, for Punkt);
- money: `CURRENCY_SIGNS`, `CURRENCIES` (words and codes), `SCALE_ABBREVIATIONS` ("bn", "m");
- questions: `PERSON_NOUNS`, `PLACE_NOUNS`, `ORG_NOUNS`, `DATE_NOUNS`, `NUMBER_NOUNS`, `AUXILIARIES`,
  `DO_WORDS`, `POINTS_BACK_AFTER`, `POSSESSIVES`; people's gender: `MALE_PRONOUNS`, `FEMALE_PRONOUNS`,
  `MALE_TITLES`, `FEMALE_TITLES`; `ROLE_WORDS`, `MORE_ORG_HEADS`, `PLURAL_HEADS` (a conversation's entities);
- citation markers in generated text (`CITATION_MARKERS`: "[1]", "[1, 2]").

Not handled: other languages, and words whose role depends on context beyond these lists
("May" the month vs the name is left to the callers' rules).
"""
from __future__ import annotations

import re

MONTH_NAMES = "january february march april may june july august september october november december".split()
MONTHS = tuple(MONTH_NAMES + "jan feb mar apr jun jul aug sep sept oct nov dec".split())
MONTH_NUMBERS = {m: i for i, m in enumerate(MONTH_NAMES, 1)} | {
    m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)} | {"sept": 9}
MONTH_PATTERN = "|".join(m.capitalize() for m in MONTH_NAMES)  # for regexes over text as written
DAYS = tuple("monday tuesday wednesday thursday friday saturday sunday".split())

UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 10**9, "trillion": 10**12, "dozen": 12}
ORDINALS = {w: i for i, w in enumerate(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())}
NUMBER_WORDS = frozenset(set(UNITS) - {"zero"} | set(TENS) | set(SCALES) | set(
    "dozens half once twice several".split()))
TIME_UNITS = frozenset("second seconds minute minutes hour hours day days week weeks month months year years "
                       "decade decades century centuries".split())

SPEECH_VERBS = frozenset((
    "said says say told tells added adds stated states described describes describing called calls claimed "
    "claims noted notes noting warned warns insisted insists announced announces explained explains wrote "
    "writes asked asks replied replies argued argues suggested suggests stressed stresses declared declares "
    "acknowledged acknowledges confirmed confirms denied denies mentioned mentions indicated indicates "
    "cautioned cautions praised praises highlighted highlights expressed expresses vowed vow vows "
    "characterised characterized quoted cited saying adding").split())
PRONOUNS = frozenset("he she they it we i his her their".split())
TITLES = frozenset((
    "president prime minister foreign secretary prince king queen sheikh spokesman spokeswoman spokesperson "
    "adviser advisor envoy chancellor senator governor general ambassador director chief head leader aide "
    "mr mrs ms dr pope sir lord deputy vice crown representative rev st gen col lt sgt capt prof mayor "
    "judge justice chair chairman chairwoman").split())
ROLE_NOUNS = frozenset((
    "person people official officials leader leaders minister ministers president presidents envoy envoys "
    "spokesman spokeswoman spokesperson journalist journalists negotiator negotiators aide aides adviser "
    "advisers advisor advisors diplomat diplomats representative representatives member members player "
    "players author authors editor head chief man men woman women coach quarterback delegate delegates "
    "politician politicians figure figures individual individuals candidate winner mvp senator king prince "
    "source sources ministry").split())
ORG_HEADS = frozenset((
    "ministry department fund council union agency company bank party times news office committee kremlin "
    "government house parliament assembly court commission organization organisation corporation group "
    "institute university army forces navy police service channel tass interfax bloomberg reuters afp "
    "nations alliance nato un eu ministries team delegation administration post journal star images press "
    "authority board forum association federation foundation").split())
NOT_PEOPLE = frozenset("policy terms cookies newsletter podcast subscribe login contact".split())
PLACES = frozenset((
    "russia ukraine america usa us u.s. united states saudi arabia riyadh moscow washington kyiv kiev paris "
    "london berlin tehran iran europe china beijing crimea donetsk luhansk turkey black sea gaza israel "
    "jerusalem syria india japan germany france britain uk egypt qatar doha istanbul ankara california "
    "wyoming africa asia middle east kingdom diriyah santa clara denver carolina san francisco").split())
PLACE_PREPOSITIONS = frozenset("in at near".split())
PLACE_HEADS = frozenset(("stadium arena palace airport square plaza hall center centre hotel park street avenue "
                         "bay county province city island peninsula sea river valley superdome dome road harbor "
                         "harbour bridge pier").split())
CONNECTORS = frozenset("bin ibn al de da di van von der la le of del".split())
NOT_NAMES = frozenset((
    "the a an he she it they we i you this that these those there here his her their its our my your "
    "in on at of for from to by with as after before during while when where what who why how which if "
    "but and or so yet also however meanwhile earlier later separately still then now today yesterday "
    "according ahead prior following despite although though because since until once both all some "
    "any each every many much more most no not one other another such only just even "
    "read continue remind thank dear published source photo image summarize rather normally along aside "
    "apart instead besides beyond whose whom").split()) | set(DAYS) | set(MONTHS)

# Question words (qa.analyze, qa.condense): nouns that tell what a "which/what X" question asks for, auxiliaries.
PERSON_NOUNS = ROLE_NOUNS - {"source", "sources", "ministry"}
PLACE_NOUNS = frozenset(("city cities country countries capital capitals place places venue location locations "
                         "region regions state states stadium town towns palace nation nations area").split())
ORG_NOUNS = frozenset(("organisation organization organisations organizations company companies agency agencies "
                       "newspaper network channel outlet fund institution team teams ministry department "
                       "group groups party parties side sides broadcaster publication university universities "
                       "school college agencies outlets media").split())
DATE_NOUNS = frozenset("year years date dates day days month months time decade century season era week".split())
NUMBER_NOUNS = frozenset(("number numbers percentage percent amount population age price cost size score total "
                          "share figure sum distance duration height weight rate salary count").split())
AUXILIARIES = tuple("is are was were did do does has have had can could will would should may might must".split())
DO_WORDS = frozenset("did does do has have had can could will would should".split())

# Pronouns and the gender words of people (qa.conversation, qa.condense).
MALE_PRONOUNS = frozenset("he him his himself".split())
FEMALE_PRONOUNS = frozenset("she her hers herself".split())
MALE_TITLES = frozenset(("mr mr. sir lord king prince sheikh emir spokesman chairman businessman congressman "
                         "father brother son husband uncle").split())
FEMALE_TITLES = frozenset(("mrs mrs. ms ms. miss madam dame lady queen princess spokeswoman chairwoman "
                           "businesswoman congresswoman mother sister daughter wife aunt").split())
MORE_ORG_HEADS = frozenset("authority board bureau agency foundation association club firm inc ltd".split())
PLURAL_HEADS = frozenset("officials leaders delegations sides ministers forces troops people countries".split())

# Words that name a role in a question ("the mayor") and a title in an answer ("Mayor Daniel Okoro").
ROLE_WORDS = TITLES | frozenset((
    "mayor chair chairman chairwoman executive ceo secretary spokesman spokeswoman advisor adviser journalist "
    "author writer reporter editor correspondent negotiator official envoy commander coach").split())

# Whether a word in a question points back at the chat (qa.condense.leans_on_context): after these words a
# "that" is a demonstrative ("about that", "did that"); possessives bound by a name before them ("Russia ... its").
POINTS_BACK_AFTER = frozenset(("about on of in at for from with by to after before during since until over "
                               "what which who when where why how is was are were did does do will would can could "
                               "has had have said say says mean meant").split())
POSSESSIVES = frozenset(("its", "their", "theirs"))

# Abbreviations that do not end a sentence, lower case without the final period (Punkt's form).
ABBREVIATIONS = frozenset((
    "no nos st rev dr gen mr mrs ms messrs prof sen rep gov lt col capt sgt maj cmdr adm jr sr sen "
    "co corp inc ltd bros dept est approx vs etc fig jan feb mar apr jun jul aug sep sept oct nov dec "
    "mt ft ave blvd rd e.g i.e u.s u.k u.n e.u b.a m.a ph.d d.c a.m p.m").split()) | frozenset("abcdefghijklmnopqrstuvwxyz")

# Money: signs and words as written -> ISO code (lower case); "$" alone is the US dollar. Scale
# abbreviations are read only next to a currency ("£15.8m", "US$1.2bn"), never alone ("100m race").
CURRENCY_SIGNS = {"US$": "usd", "$": "usd", "A$": "aud", "C$": "cad", "NZ$": "nzd", "HK$": "hkd", "S$": "sgd",
                  "€": "eur", "£": "gbp", "¥": "jpy", "₹": "inr", "₽": "rub"}
CURRENCIES = {"dollar": "usd", "dollars": "usd", "euro": "eur", "euros": "eur", "pound": "gbp", "pounds": "gbp",
              "sterling": "gbp", "yen": "jpy", "yuan": "cny", "renminbi": "cny", "rouble": "rub", "roubles": "rub",
              "ruble": "rub", "rubles": "rub", "rupee": "inr", "rupees": "inr", "franc": "chf", "francs": "chf",
              "usd": "usd", "eur": "eur", "gbp": "gbp", "jpy": "jpy", "cny": "cny", "rub": "rub", "inr": "inr",
              "chf": "chf", "aud": "aud", "cad": "cad"}
SCALE_ABBREVIATIONS = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 10**9, "b": 10**9, "tn": 10**12,
                       "trn": 10**12}

QUOTE_OPEN = "“\"«„"
QUOTE_CLOSE = "”\"»“"
QUOTED = re.compile(r"[“\"«][^”\"»]*[”\"»]")  # a quotation inside one text
CITATION_MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")  # "[1]", " [1, 2]" in generated text

# News agencies whose credit ("AFP contributed reporting", "(Reuters) -") marks shared reporting (qa.copies).
AGENCIES = ("AFP", "Reuters", "AP", "Associated Press", "Bloomberg", "Tass", "TASS", "Interfax", "RIA Novosti",
            "Xinhua", "dpa", "Anadolu", "UPI", "PA Media", "Agencies")
# Nouns that count people: "17 injured" and "Fourteen people were hurt" give the same unit (qa.corroborate).
PEOPLE_COUNTED = frozenset("people persons person injured hurt wounded dead killed victims passengers residents "
                           "casualties".split())
