"""The segment checks (checks/): for each, cases that must flag and cases that must not.

Plain functions over text; the language identification of the untranslated
check is lingua restricted to the pair (built once for the module)."""

from __future__ import annotations

import pytest

from checks import CHECKS, Options, Pair, check_pair, check_segments, select
from checks.findings import GlossarySpan
from checks.numbers import numbers, parse

EN, PT = "en", "pt"


def codes(source: str, target: str, **options) -> set[str]:
    back = options.pop("back", None)
    return {
        f.code for f in check_pair(Pair(source, target, **options.pop("pair", {})), EN, PT, Options(**options), back)
    }


def families(source: str, target: str, **options) -> set[str]:
    back = options.pop("back", None)
    return {f.check for f in check_pair(Pair(source, target), EN, PT, Options(**options), back)}


# -- numbers, dates, times ---------------------------------------------------------------


def test_numbers_are_read_with_each_languages_separators():
    assert parse("1,000.5", EN) == parse("1.000,5", PT) == 1000.5
    assert parse("0.85", PT) is None  # a Portuguese group has three digits: not a number written the pt way
    value, _, _, misformatted = numbers("subiu 0.85", PT, other=EN)[0]
    assert value == parse("0.85", EN) and misformatted
    assert [n[0] for n in numbers("£11million, 1.2bn", EN)] == [11_000_000, 1_200_000_000]
    assert [n[0] for n in numbers("11 milhões, 1,2 mil milhões", PT)] == [11_000_000, 1_200_000_000]


@pytest.mark.parametrize(
    "source, target",
    [
        ("The firm lost £11million.", "A empresa perdeu 11 milhões de libras."),
        ("About 1,000.5 tonnes.", "Cerca de 1.000,5 toneladas."),
        ("It rose 5 per cent.", "Subiu 5%."),
        ("Five people died.", "5 pessoas morreram."),
        ("He arrived at 7 p.m.", "Ele chegou às 19h."),
        ("He arrived at 7 p.m.", "Ele chegou às 7 da noite."),
        ("On 3 March 2019.", "Em 3 de março de 2019."),
        ("Theresa May spoke on Monday.", "Theresa May falou naquele dia."),  # a weekday dropped: not flagged
    ],
)
def test_numbers_dates_and_times_kept_do_not_flag(source, target):
    assert "numbers" not in families(source, target)


@pytest.mark.parametrize(
    "source, target, code",
    [
        ("About 1,200 people came.", "Cerca de 1.300 pessoas vieram.", "number.missing"),
        ("About 1,200 people came.", "Cerca de 1.200 pessoas vieram em 2 ônibus.", "number.added"),
        ("Version 0.85 is out.", "A versão 0.85 saiu.", "number.format"),
        ("About 1,000 people came.", "Cerca de 1,000 pessoas vieram.", "number.format"),
        ("It rose 5%.", "Subiu 5 pontos.", "percent.lost"),
        ("He arrived at 7 p.m.", "Ele chegou às 18h.", "time.changed"),
        ("On 3 March.", "Em 3 de abril.", "date.changed"),
        ("On Monday 3 May.", "Na terça-feira, 3 de maio.", "date.changed"),
    ],
)
def test_numbers_dates_and_times_changed_flag(source, target, code):
    assert code in codes(source, target)


# -- currency and units ------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, target",
    [
        ("He paid £11million.", "Ele pagou 11 milhões de libras."),
        ("It cost $5 billion.", "Custou US$ 5 bilhões."),
        ("A 5-mile walk.", "Uma caminhada de 5 milhas."),
    ],
)
def test_currency_and_units_kept_do_not_flag(source, target):
    assert "currency" not in families(source, target)


@pytest.mark.parametrize(
    "source, target, code",
    [
        ("He paid £11million.", "Ele pagou 11 milhões de euros.", "currency.converted"),
        ("It cost $5 billion.", "Custou 5 bilhões.", "currency.missing"),
        ("A 5-mile walk.", "Uma caminhada de 8 km.", "unit.converted"),
        ("It was 30C.", "Fazia 86 °F.", "unit.converted"),
    ],
)
def test_currency_and_units_changed_flag(source, target, code):
    assert code in codes(source, target)


def test_a_name_or_a_weight_is_no_currency():
    assert "currency" not in families("Sterling scored twice.", "Sterling marcou duas vezes.")
    assert "currency" not in families("A 550 pound hog.", "Um porco de 550 libras.")
    assert "unit.converted" in codes("A 650 pound pig.", "Um porco de 300 kg.")


def test_the_numbers_of_a_converted_unit_are_reported_once():
    found = codes("Up to 10 inches of rain.", "Até 25 cm de chuva.")
    assert found == {"unit.converted"}


# -- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, target",
    [
        ("Talks with Theresa May in London.", "Conversas com Theresa May em Londres."),
        ("The Assembly Commission said so.", "A Comissão da Assembleia disse isso."),  # translated cognates
        ("He left Britain for Germany.", "Ele deixou o Reino Unido rumo à Alemanha."),  # CLDR exonyms
        ("The West and Labour agreed.", "O Ocidente e os trabalhistas concordaram."),  # common words capitalised
        ("Shark Mauls Diver Off Coast", "Tubarão ataca mergulhador na costa"),  # Title Case headline
    ],
)
def test_names_kept_do_not_flag(source, target):
    assert "names" not in families(source, target)


@pytest.mark.parametrize(
    "source, target",
    [
        ("Daniel Sturridge saved Liverpool.", "Daniel salvou o Liverpool."),
        ("Talks with Theresa May in London.", "Conversas com Theresa Maio em Londres."),  # half translated
    ],
)
def test_names_missing_flag(source, target):
    assert "name.missing" in codes(source, target)


def test_a_glossary_term_is_the_glossary_checks_not_a_missing_name():
    source, target = "Talks at Vilnius today.", "Conversas em Vílnius hoje."
    assert "name.missing" in codes(source, "Conversas hoje.")
    term = GlossarySpan((9, 16), (13, 20), "Vílnius", "Vilnius")
    assert codes(source, target, pair={"glossary": (term,)}) == set()


def test_a_country_is_a_name_even_where_english_has_a_common_word_spelt_so():
    source = "Pigs are sold in markets across China and Spain."
    assert "name.missing" not in codes(source, "Porcos são vendidos em mercados da China e da Espanha.")
    assert "name.missing" in codes(source, "Porcos são vendidos em mercados do país e da Espanha.")
    assert "name.missing" in codes(source, "Porcos são vendidos em mercados da China e do país.")
    # "the West", a common word capitalised, is still not asked for
    assert "name.missing" not in codes("Pigs are sold across the West.", "Porcos são vendidos no Ocidente.")


def test_a_capitalised_common_word_alone_is_asked_for_where_a_back_translation_can_tell():
    source = "It was false, and Waters denied it, while West said nothing."
    target = "Era falso, e ela negou, enquanto o rapper não disse nada."
    assert "name.missing" not in codes(source, target)  # without a back translation: left alone
    lost = check_pair(
        Pair(source, target), EN, PT, back="It was false, and she denied it, while the rapper said nothing."
    )
    assert [f.message for f in lost] == [
        "the name “Waters” is not in the translation",
        "the name “West” is not in the translation",
    ]
    kept = "Era falso, e Waters negou, enquanto West não disse nada."
    assert "name.missing" not in codes(
        source, kept, back="It was false, and Waters denied it, while West said nothing."
    )
    # after a determiner or a possessive it heads a title, which a translator translates
    assert "name.missing" not in codes(
        "He won in the Premiership and at the Coroner's Office.",
        "Ele venceu no Campeonato e no Departamento de Perícia.",
        back="He won in the Championship and at the Department of Forensics.",
    )
    # the compass as a surname after a name, not as the start of a place after a possessive
    assert "name.missing" in codes("Kanye West was booed.", "Kanye foi vaiado.")
    assert "name.missing" not in codes("Trump's West Virginia rally.", "O comício de Trump na Virgínia Ocidental.")


def test_a_lone_common_word_missing_is_worth_a_back_translation_and_a_clean_segment_is_not():
    asked = []

    def back_translate(texts):
        asked.extend(texts)
        return ["It was false, while the rapper said nothing."]

    pairs = [
        Pair("It was false, while West said nothing.", "Era falso, enquanto o rapper não disse nada."),
        Pair("It was false, while West said nothing.", "Era falso, enquanto West não disse nada."),
    ]
    report = check_segments(pairs, EN, PT, back_translate=back_translate)
    assert asked == ["Era falso, enquanto o rapper não disse nada."]
    assert [s.index for s in report.flagged] == [0] and report.back_translated == 1
    assert check_segments(pairs, EN, PT).flagged == []  # without a reverse model: not asked, not flagged


def test_a_name_comes_back_in_the_models_english():
    assert "name.missing" not in codes(
        "As the local Labour MP he spoke.",
        "Como deputado trabalhista local, ele falou.",
        back="As a local labor MP he spoke.",
    )


def test_a_back_translation_brings_an_exonym_home():
    assert "name.missing" in codes("Erdogan flew to Cologne.", "Erdogan voou para Colônia.")
    assert "name.missing" not in codes(
        "Erdogan flew to Cologne.", "Erdogan voou para Colônia.", back="Erdogan flew to Cologne."
    )


def test_only_the_segments_a_names_or_clause_check_flags_are_translated_back_and_judged_again():
    asked = []

    def back_translate(texts):
        asked.extend(texts)
        return ["Erdogan flew to Cologne." if "Colônia" in t else "Nonsense." for t in texts]

    pairs = [
        Pair("Erdogan flew to Cologne.", "Erdogan voou para Colônia."),  # an exonym: the back translation clears it
        Pair("Talks with Merkel today.", "Conversas hoje."),  # a name dropped: the back translation confirms it
        Pair("The allies met.", "Os aliados reuniram-se."),  # clean: no model call
        Pair("He paid £11million.", "Ele pagou 11 milhões de euros."),  # a currency error: no model call either
    ]
    report = check_segments(pairs, EN, PT, back_translate=back_translate)
    assert asked == ["Erdogan voou para Colônia.", "Conversas hoje."]
    flagged = {s.index: {f.code for f in s.findings} for s in report.flagged}
    assert flagged == {1: {"name.missing"}, 3: {"currency.converted"}}
    summary = report.to_dict()
    assert summary["back_translated"] == 2 and summary["clauses_checked"] is True
    alone = check_segments(pairs, EN, PT).to_dict()
    assert alone["back_translated"] == 0 and alone["clauses_checked"] is False
    assert alone["by_check"]["names"] == 2


# -- untranslated ------------------------------------------------------------------------


def test_a_translation_equal_to_its_source_flags():
    assert "untranslated.copy" in codes(
        "The minister said the plan would fail.", "The minister said the plan would fail."
    )
    assert "untranslated.copy" not in codes("Brexit", "Brexit")  # a name alone is the same in every language


def test_source_words_left_in_the_target_flag_when_lingua_says_so():
    assert "untranslated.words" in codes(
        "The minister said the plan would fail.", "O ministro disse que the plan would fail."
    )
    assert "untranslated" not in families(
        "The minister said the plan would fail.", "O ministro disse que o plano fracassaria."
    )
    # Copied words that are not English (names, a title kept in Portuguese) do not flag.
    assert "untranslated" not in families(
        "He met Luiz Inácio Lula da Silva.", "Ele encontrou Luiz Inácio Lula da Silva."
    )


# -- omission and addition -------------------------------------------------------------------


def test_length_outside_the_calibrated_spread_flags():
    source = "The minister said on Tuesday that the plan, which cost millions, would fail before the election."
    assert "length.short" in codes(source, "O ministro disse.")
    assert "length.long" in codes(
        source,
        "O ministro disse na terça-feira que o plano, que custou milhões, iria"
        " falhar antes da eleição, e depois disse de novo, e mais uma vez, e outra"
        " vez ainda, que o plano iria falhar antes da eleição.",
    )
    assert "omission" not in families(
        source, "O ministro disse na terça-feira que o plano, que custou milhões, fracassaria antes da eleição."
    )


def test_a_clause_without_counterpart_in_the_back_translation_flags():
    source = "The plan failed, although the minister defended his economic policy vigorously."
    target = "O plano fracassou."
    assert "omission.clause" in codes(source, target, back="The plan failed.")
    assert "omission.clause" not in codes(
        source, target + " x", back="The plan failed, although the minister defended his economic policy."
    )


# -- repetition ----------------------------------------------------------------------------


def test_a_phrase_repeated_flags_unless_the_source_repeats_it():
    assert "repetition" in codes("It was ordered by Cromwell.", "Foi ordenado a ser levado a ser levado a ser levado.")
    assert "repetition" not in codes("It was ordered by Cromwell.", "Foi ordenado por Cromwell.")
    assert "repetition" not in codes("Go, go, go!", "Vai, vai, vai!")


# -- marks and identifiers ---------------------------------------------------------------


def test_quotation_marks_lost_or_unbalanced_flag():
    assert "quotes.lost" in codes('He said "no" twice.', "Ele disse não duas vezes.")
    assert "quotes.lost" in codes('He said "no" twice.', "Ele disse “não duas vezes.")
    assert "quotes.unbalanced" in codes("He said: 'go'.", 'Ele disse: "vá"."')
    assert "marks" not in families("He said 'no' twice.", "Ele disse “não” duas vezes.")  # other marks, same quote
    assert "marks" not in families("O'Hagan's car.", "O carro de O'Hagan.")  # apostrophes are no quotes


def test_brackets_lost_flag():
    assert "brackets.lost" in codes("The Welsh Parliament (MWP) met.", "O Parlamento Galês MWP se reuniu.")
    assert "marks" not in families("The Welsh Parliament (MWP) met.", "O Parlamento Galês (MWP) se reuniu.")


def test_urls_emails_and_handles_changed_flag():
    assert "url.changed" in codes("See https://example.org/a-b today.", "Veja https://example.org/a_b hoje.")
    assert "email.changed" in codes("Write to desk@example.org now.", "Escreva para mesa@example.org agora.")
    assert "handle.changed" in codes("DM @MerPolCC now.", "Mande DM -MerPolCC agora.")
    assert "identifiers" not in families(
        "DM @MerPolCC or see https://example.org.", "Mande DM @MerPolCC ou veja https://example.org."
    )


def test_inline_markup_not_placed_flags():
    pair = {"inline": (((4, 9), None),)}
    assert "markup.unplaced" in codes("The allies met.", "Os aliados se reuniram.", pair=pair)
    assert "markup.unplaced" not in codes(
        "The allies met.", "Os aliados se reuniram.", pair={"inline": (((4, 10), (3, 10)),)}
    )


# -- glossary and headline -----------------------------------------------------------------


def test_a_glossary_rendering_missing_or_altered_flags():
    source = "NATO met."
    right = GlossarySpan((0, 4), (0, 4), "OTAN", "NATO")
    assert "glossary" not in {f.check for f in check_pair(Pair(source, "OTAN reuniu-se.", glossary=(right,)), EN, PT)}
    missing = GlossarySpan((0, 4), None, "OTAN", "NATO")
    assert "glossary.missing" in codes(source, "A aliança reuniu-se.", pair={"glossary": (missing,)})
    altered = GlossarySpan((0, 4), (0, 4), "OTAN", "NATO")
    assert "glossary.contradicted" in codes(source, "NATO reuniu-se.", pair={"glossary": (altered,)})


def test_a_headline_longer_than_the_jobs_limit_flags():
    assert "headline.long" in codes("Allies meet", "Os aliados reúnem-se", headline_max=10)
    assert "headline" not in families("Allies meet", "Os aliados reúnem-se", headline_max=40)
    assert "headline" not in families("Allies meet", "Os aliados reúnem-se")  # no limit set
    body = {"pair": {"unit": 1}}
    assert "headline.long" not in codes("Allies meet", "Os aliados reúnem-se", headline_max=10, **body)


# -- the report ---------------------------------------------------------------------------


def test_a_report_counts_per_check_and_select_filters_and_orders():
    report = check_segments(
        [
            Pair("He paid £11million.", "Ele pagou 11 milhões de euros."),
            Pair("The allies met.", "Os aliados reuniram-se."),
            Pair('He said "no".', "Ele disse não."),
        ],
        EN,
        PT,
    ).to_dict()
    assert report["segments"] == 3 and report["flagged"] == 2
    assert report["by_check"]["currency"] == 1 and report["by_check"]["marks"] == 1
    assert set(report["by_check"]) == set(CHECKS)
    errors = select(report, severity="error")
    assert [s["index"] for s in errors["flagged_segments"]] == [0]
    marks = select(report, ("marks",))
    assert marks["flagged"] == 1 and set(marks["by_check"]) == {"marks"}
    finding = report["flagged_segments"][0]["findings"][0]
    assert finding["code"] == "currency.converted" and finding["source"] == [8, 9]
    assert "euros" in finding["message"]


# -- rules made precise on the NTREX references (issue 25): each with a case that must and one that must not flag --


@pytest.mark.parametrize(
    "source, target",
    [
        ("Detective Inspector Brian O'Hagan said so.", "O investigador Brian O'Hagan disse isso."),  # offices are words
        ("Shadow Chancellor John McDonnell spoke.", "O ministro-sombra John McDonnell falou."),
        ("It will remain closed until Oct.", "Permanecerá fechado até outubro."),  # CLDR's abbreviated months
        ("Troops fired on the plaza on Oct. 2, 1968.", "Tropas atiraram na praça em 2 de outubro de 1968."),
        ("It dug the Spaniard and the Swede into a hole.", "Enterrou o espanhol e o sueco num buraco."),  # demonyms
        ("A yellow card for Scotland cap Rory Hughes.", "Um cartão amarelo para o escocês Rory Hughes."),  # UK nations
        ("They differ over Turkey's accession to the EU.", "Discordam sobre a adesão da Turquia à UE."),  # not Türkiye
        ("Kim met leader Moon Jae-in twice.", "Kim encontrou o líder Moon Jae-in duas vezes."),  # hyphenated names
        ("Ford told the Senate Judiciary Committee so.", "Ford disse isso à Comissão Jurídica do Senado."),
        ("It Didn't Go Well", "Não correu bem"),  # every word capitalised: a headline
    ],
)
def test_names_rules_that_must_not_flag(source, target):
    assert "names" not in families(source, target)


def test_a_name_translated_whole_comes_back_in_the_back_translation():
    source, target = "New York City could reach 80 degrees.", "Nova York poderia chegar a 80 graus."
    assert "names" not in families(source, target, back="New York could reach 80 degrees.")
    assert "name.missing" in codes(
        "Talks with Theresa May in London.",
        "Conversas com Theresa Maio em Londres.",
        back="Talks with Theresa May in London.",
    )  # a name half translated


@pytest.mark.parametrize(
    "source, target",
    [
        ("Detective Inspector Brian O'Hagan said so.", "O investigador disse isso."),
        ("He met Jan Smith on Friday.", "Ele encontrou Smith na sexta-feira."),  # "Jan" without a full stop: a name
        ("The Baton Rouge Police Department said so.", "O departamento de polícia de Rouge disse isso."),
        ("Jeremy Corbyn's Labour Party is to consider it.", "O Partido Trabalhista de Jeremy vai considerá-lo."),
        ('"There was a bar on every corner," Mr. Adams said.', '"Havia um bar em cada esquina", afirmou.'),
        ("He appeared on Saturday Night Live.", "Ele apareceu no Night Live."),  # a weekday that opens a name
        (
            "Sergio Aguero and Raheem Sterling dispatched of the Brighton defense in Manchester City's win.",
            "Sergio e Raheem Sterling detonaram a defesa do Brighton na vitória do Manchester City.",
        ),  # no headline
    ],
)
def test_names_rules_that_must_flag(source, target):
    assert "name.missing" in codes(source, target)


def test_a_weekday_or_month_alone_is_still_the_date_checks():
    assert "names" not in families("He appeared on Saturday.", "Ele apareceu.")


@pytest.mark.parametrize(
    "source, target",
    [
        ("Menga strike gives Livingston 1-0 win over Rangers", "Livingston 1x0 Rangers com gol de Menga"),  # scores
        ("The 1950-53 Korea War.", "A Guerra da Coreia, entre 1950 e 1953."),  # a year range
        ("A bloody 19th-century conflict.", "Um conflito sangrento no século XIX."),  # Roman numerals
        ("His eighth album.", "Seu 8o álbum."),  # ordinals
        ("More than 4,000 UK adults.", "Mais de quatro mil adultos no Reino Unido."),  # a number word with a scale
        ("Ayr 38 - 17 Melrose: Unbeaten Ayr go top", "Ayr 38 - Melrose 17: o invicto Ayr é o líder"),  # "17:" no time
    ],
)
def test_numbers_written_otherwise_do_not_flag(source, target):
    assert "numbers" not in families(source, target)


@pytest.mark.parametrize(
    "source, target",
    [
        ("More than 4,000 UK adults.", "Mais de cinco mil adultos no Reino Unido."),
        ("The 1950-53 Korea War.", "A Guerra da Coreia, entre 1950 e 1954."),
        ("A bloody 19th-century conflict.", "Um conflito sangrento no século XX."),
        ("Ayr 38 - 17 Melrose", "Ayr 38 - Melrose 18"),
    ],
)
def test_numbers_changed_still_flag(source, target):
    assert "numbers" in families(source, target)


def test_a_quotation_running_over_segments_may_stay_open_where_the_sources_does():
    source = "She said it surprised me,' he told The Telegraph."
    assert "marks" not in families(source, 'Ela disse que me surpreendeu", declarou ao The Telegraph.')
    assert "quotes.unbalanced" in codes(
        "She said it surprised me, he told The Telegraph.", 'Ela disse que me surpreendeu", declarou ao The Telegraph.'
    )


def test_a_name_copied_is_not_untranslated_text():
    assert "untranslated" not in families(
        "Thieves stole $26,750 at Newport on the Levee on Friday.",
        "Ladrões roubaram US$ 26.750 no Newport on the Levee na sexta-feira.",
    )
    assert "untranslated.words" in codes(
        "Thieves stole the cash at Newport on the Levee.", "Ladrões stole the cash at Newport on the Levee."
    )


def test_the_clause_check_runs_without_a_back_translation_on_a_translation_much_shorter_than_usual():
    source = (
        "The minister said on Tuesday that the plan would fail, although his deputies defended the economic"
        " strategy vigorously before the election."
    )
    assert "omission.clause" in codes(source, "O ministro disse na terça-feira que o plano fracassaria.")
    assert "omission" not in families(
        source,
        "O ministro disse na terça-feira que o plano fracassaria, embora seus"
        " vices defendessem a estratégia econômica com vigor antes da eleição.",
    )


def test_a_clause_is_not_looked_for_in_a_translation_of_usual_length():
    source = "The plan failed, although the minister defended his economic policy vigorously."
    paraphrase = "O plano fracassou, ainda que o ministro tenha saído em defesa firme da sua linha para a economia."
    assert "omission.clause" not in codes(
        source,
        paraphrase,
        back="The plan failed, though the minister stood up firmly for his line on the country's finances.",
    )


def test_the_evaluation_counts_verified_reference_defects_apart_from_false_alarms(tmp_path):
    from quality.checks_eval import false_positives, load_adjudication

    report = check_segments(
        [
            Pair("He paid £11million.", "Ele pagou 11 milhões de euros."),
            Pair('He said "no".', "Ele disse não."),
            Pair("The allies met.", "Os aliados reuniram-se."),
        ],
        EN,
        PT,
    )
    table = tmp_path / "verified.tsv"
    table.write_text("# line, code, why\n1\tcurrency.converted\tthe translator converted the sum\n", encoding="utf-8")
    verified = load_adjudication(table)
    assert verified == {(1, "currency.converted"): "the translator converted the sum"}
    _, figures = false_positives(report, 3, verified)
    assert figures["by_check"]["currency"] == {"any": 1, "warning_or_error": 1, "false_alarms": 0}
    assert figures["by_check"]["any check"] == {"any": 2, "warning_or_error": 2, "false_alarms": 1}


# -- a clause is reported only when the translation's shortfall accounts for it ------------------------------------

CLAUSE_SOURCE = (
    "The minister said on Tuesday that the plan would fail, although his deputies defended the economic strategy"
    " vigorously before the election."
)


def test_a_clause_whose_length_is_missing_from_the_translation_flags():
    # 105 characters where about 147 are usual: short by most of what the "although" clause would take (not yet
    # short enough for length.short), and none of that clause's words come back.
    target = "O ministro do governo disse na última terça-feira que o plano certamente iria fracassar antes da eleição."
    back = "The government minister said last Tuesday that the plan would certainly fail before the election."
    assert codes(CLAUSE_SOURCE, target, back=back) == {"omission.clause"}


def test_a_paraphrase_a_little_short_is_no_dropped_clause():
    # Shorter than usual (past the 0.5 sd gate), but by less than half the clause: the clause was rendered in
    # other words ("his whole team backed him"), not left out.
    target = (
        "O ministro disse na terça-feira que o plano ia fracassar, mas que toda a sua equipe o apoiou com muita"
        " firmeza antes da votação."
    )
    back = "The minister said on Tuesday that the plan would fail, but that his whole team backed him very firmly before the vote."
    assert "omission" not in families(CLAUSE_SOURCE, target, back=back)


def test_shortfall_is_the_share_of_the_clauses_usual_length_that_is_missing():
    from checks.length import shortfall, usual_length

    usual, _ = usual_length(EN, PT, len(CLAUSE_SOURCE))
    clause = len("although his deputies defended the economic strategy vigorously")
    assert shortfall(EN, PT, CLAUSE_SOURCE, "x" * round(usual), clause) == pytest.approx(0, abs=0.02)
    assert shortfall(EN, PT, CLAUSE_SOURCE, "x" * 10, clause) > 1
    assert shortfall("xx", "yy", CLAUSE_SOURCE, "x", clause) is None  # a pair not calibrated: no accounting


def test_a_possessive_is_its_name_for_the_clause_check():
    from checks.length import content_stems

    assert content_stems("collected from SCIS's member schools") == content_stems("collected from SCIS member schools")


# -- names: Webster's word list tells an English common word from a name ---------------------------------------------


def missing_names(source: str, target: str, back: str | None = None) -> set[str]:
    findings = check_pair(Pair(source, target), EN, PT, back=back)
    return {source[f.source[0] : f.source[1]] for f in findings if f.code == "name.missing"}


def test_a_name_on_the_joint_vocabularys_list_is_still_a_name():
    # "rosa" is on the common-word list (Portuguese: pink), but English writes Rosa only as a name.
    assert "Rosa" not in missing_names(
        "Forecasters said Hurricane Rosa is weakening.",
        "Meteorologistas disseram que o furacão Rosa está enfraquecendo.",
    )
    assert "Rosa" in missing_names(
        "Forecasters said Hurricane Rosa is weakening.", "Meteorologistas disseram que o furacão está enfraquecendo."
    )
    # An English common word capitalised is still taken for no name.
    assert missing_names("He joined the Labour benches.", "Ele se juntou à bancada trabalhista.") == set()


def test_a_sentences_first_word_that_english_writes_in_lower_case_is_no_name():
    assert (
        missing_names("Ayr 38 - 17 Melrose: Unbeaten Ayr go top", "Ayr 38 - Melrose 17: o invicto Ayr é o líder")
        == set()
    )
    assert missing_names("Daniel Sturridge scored.", "Sturridge marcou.") == {"Daniel"}  # a name in Webster's list
    assert missing_names("Sturridge Daniel scored.", "Daniel marcou.") == {"Sturridge"}  # in no list: a name


# -- repetition: the translation of a repeat is no loop ------------------------------------------------------------


def test_a_name_the_source_says_twice_may_come_twice_longer():
    source = "North Korea's diplomat said the U.S. ignores North Korea's early disarmament moves."
    target = "O diplomata da Coreia do Norte disse que os EUA ignoram os primeiros passos da Coreia do Norte."
    assert "repetition" not in families(source, target)
    # Without the source's repeat, the same phrase said twice far apart is still a finding.
    assert "repetition" in codes(
        "The diplomat of North Korea said the U.S. ignores its early moves.",
        "O diplomata da Coreia do Norte disse que os EUA ignoram os primeiros passos da Coreia do Norte.",
    )


def test_a_loop_is_found_even_where_the_source_says_a_name_twice():
    source = "North Korea's diplomat said the U.S. ignores North Korea's early disarmament moves."
    target = "O diplomata da Coreia do Norte disse que os EUA ignoram os passos os passos os passos da Coreia do Norte."
    assert "repetition" in codes(source, target)


def test_a_country_or_language_named_in_the_target_language_is_a_clauses_counterpart():
    from checks.length import renamed

    source = "Within Scotland, each school will differ in the languages they teach."
    assert "omission" not in families(source, "Na Escócia, cada escola escolhe as línguas que ensinará.")
    assert "omission.clause" in codes(source, "Na França, cada escola escolhe as línguas que ensinará.")
    assert renamed(Pair("72 per cent of those studying German", "72% dos de alemão"), EN, PT) == {"germa"}


def test_a_fraction_in_words_is_the_fraction_in_digits():
    source = "The name change requires a two-thirds majority in parliament."
    assert "numbers" not in families(source, "A mudança do nome exige a aprovação de 2/3 do parlamento.")
    assert "number.added" in codes(source, "A mudança do nome exige a aprovação de 2/5 do parlamento.")
    assert "numbers" not in families("Three-quarters of voters agreed.", "3/4 dos eleitores concordaram.")


def test_a_weekday_given_as_a_date_before_a_name_is_no_name():
    source = "This Saturday New York will host the festival."
    assert "names" not in families(source, "Neste sábado, Nova York sediará o festival.")
    assert "name.missing" in codes("He appeared on Saturday Night Live.", "Ele apareceu no Night Live.")


# -- names: a word beside a kept one, headlines, openings, quoted names, words rendered alone (issue 25, round 4) --


@pytest.mark.parametrize(
    "source, target, back",
    [
        ("He watched Game of Thrones again.", "Ele assistiu Game of de novo.", "He watched Game of again."),
        (  # the compass too, beside a name kept as written
            "It was reported by the South China Morning Post on Sunday.",
            "Foi noticiado pelo China Morning Post no domingo.",
            "It was reported by the China Morning Post on Sunday.",
        ),
        (  # a weekday joined on is no part of the name: Twitter stands alone
            "Announcing the change on Twitter on Saturday, he wrote so.",
            "Ao anunciar a mudança no sábado, ele escreveu isso.",
            "When announcing the change on Saturday, he wrote it.",
        ),
        (
            "From November Kit will star in a revival.",
            "A partir de novembro, será o astro de uma remontagem.",
            "From November, it will be the star of a revival.",
        ),
        (  # a quotation of capitalised words alone is a name, not a quoted sentence's start
            'The volcano known as "Don Goyo" has been active since 1994.',
            'O vulcão conhecido como "Goyo" está ativo desde 1994.',
            'The volcano known as "Goyo" has been active since 1994.',
        ),
    ],
)
def test_a_word_of_a_name_lost_beside_words_kept_is_found_with_a_back_translation(source, target, back):
    assert "name.missing" in codes(source, target, back=back)


@pytest.mark.parametrize(
    "source, target, back",
    [
        ("He watched Game of Thrones again.", "Ele assistiu Game of Thrones de novo.", None),
        ("He watched Game of Thrones again.", "Ele assistiu A Guerra dos Tronos.", "He watched The War of Thrones."),
        (  # a title word translated comes back
            "As forecast, Hurricane Rosa is weakening.",
            "Como previsto, o furacão Rosa está enfraquecendo.",
            "As predicted, Hurricane Rosa is weakening.",
        ),
        ("He flew to South Africa.", "Ele voou para a África do Sul.", "He flew to South Africa."),
        (  # clergy as a title
            "As Father Johnson's parishioners made plans, they waited.",
            "Enquanto os paroquianos do pastor Johnson faziam planos, eles esperaram.",
            "As pastor Johnson parishioners made plans, they waited.",
        ),
        (  # three capitalised words quoted: an epithet, which is translated
            'It came after "Mr Evil President" Trump called Kim names.',
            'Veio depois que o "Presidente Maléfico" Trump xingou Kim.',
            'It came after "Evil President" Trump cursed Kim.',
        ),
    ],
)
def test_a_name_kept_or_translated_as_a_whole_is_not_flagged(source, target, back):
    assert "names" not in families(source, target, back=back)


def test_a_title_case_headline_still_asks_for_words_english_has_only_as_names():
    assert "name.missing" in codes("Chris Leslie is MP for Nottingham East", "Chris é deputado por Nottingham East")
    assert "names" not in families(
        "Chris Leslie is MP for Nottingham East", "Chris Leslie é deputado por Nottingham East"
    )
    # English words, a contraction and a verb English capitalises only in titles are no names there
    assert "names" not in families(
        "What is the Global Citizen Festival and Has it Done Anything to Decrease Poverty?",
        "O que é o Global Citizen Festival? Ele fez alguma coisa para diminuir a pobreza?",
    )


def test_a_sentences_first_word_that_is_no_english_word_or_a_country_is_a_name():
    source = '"Aguero is struggling with his feet," Pep Guardiola said.'
    assert "name.missing" in codes(source, '"Ele está com problemas no pé", disse Pep Guardiola.')
    assert "names" not in families(source, '"Aguero está com problemas no pé", disse Pep Guardiola.')
    assert "name.missing" in codes(
        "After decades of talks - Chile is obliged to negotiate.",
        "Após décadas de conversas - o país é obrigado a negociar.",
    )
    assert "names" not in families("Uh, uh, what.", "Hum... Hum... O quê?")  # too short to tell


def test_a_proper_name_in_a_name_translated_whole_is_still_asked_for():
    source = "He thanked the Louisiana State Police task force."
    assert "name.missing" in codes(source, "Ele agradeceu à força-tarefa da Polícia Estadual.")
    assert "names" not in families(source, "Ele agradeceu à força-tarefa da Polícia Estadual da Louisiana.")


def test_an_english_word_of_a_name_rendered_by_the_model_in_the_target_was_translated_not_lost():
    source = "Since then, the Geiger Counter became a mainstay."
    back = "Since then, the accountant Geiger has become a landmark."  # the tiny model's "contador"
    translated = "Desde então, o contador Geiger se tornou um marco."
    assert "name.missing" in codes(source, translated, back=back)
    findings = check_pair(Pair(source, translated), EN, PT, back=back, renderings={"Counter": "Contador"})
    assert findings == []
    lost = check_pair(
        Pair(source, "Desde então, o Geiger se tornou um marco."), EN, PT, back=back, renderings={"Counter": "Contador"}
    )
    assert [f.message for f in lost] == ["the name “Counter” is not in the translation"]


def test_the_words_still_missing_are_rendered_in_one_call_and_only_they():
    asked: list[list[str]] = []

    def translate(words):
        asked.append(words)
        return ["Contador" if w == "Counter" else w for w in words]

    pairs = [
        Pair("Since then, the Geiger Counter became a mainstay.", "Desde então, o contador Geiger se tornou um marco."),
        Pair("Daniel Sturridge saved Liverpool.", "Daniel salvou o Liverpool."),  # rendered as itself: still lost
        Pair("Talks in London.", "Conversas em Londres."),  # clean: nothing asked
    ]
    report = check_segments(
        pairs,
        EN,
        PT,
        back_translate=lambda texts: ["Since then, the accountant Geiger became a landmark."] * len(texts),
        translate=translate,
    )
    assert asked == [["Counter", "Sturridge"]]
    assert [s.index for s in report.flagged] == [1]
    # without a back translation "Counter" beside the kept "Geiger" is not asked for, so not rendered either
    assert [s.index for s in check_segments(pairs, EN, PT, translate=translate).flagged] == [1]
    assert asked[1:] == [["Sturridge"]]


def test_without_a_back_translation_the_models_rendering_of_a_name_brings_an_exonym_home():
    source, target = "Erdogan flew to Cologne.", "Erdogan voou para Colônia."
    asked: list[list[str]] = []

    def translate(words):
        asked.append(words)
        return ["Colónia" for _ in words]  # the model's own spelling: accents do not count

    assert check_segments([Pair(source, target)], EN, PT).flagged  # the target alone cannot tell
    assert check_segments([Pair(source, target)], EN, PT, translate=translate).flagged == []
    assert asked == [["Cologne"]]
    # a misspelt exonym is no rendering of it
    assert check_segments([Pair(source, "Erdogan voou para Colonha.")], EN, PT, translate=translate).flagged


def test_a_rendering_counts_inflected_but_not_merely_similar():
    source = "Many Muslim residents left."
    found = check_pair(
        Pair(source, "Muitos moradores muçulmanos partiram."), EN, PT, renderings={"Muslim": "muçulmano"}
    )
    assert found == []
    # "Combs" rendered as itself is not "como"
    lost = check_pair(Pair("Sean Combs spoke.", "Sean falou como sempre."), EN, PT, renderings={"Combs": "Combs"})
    assert [f.message for f in lost] == ["the name “Combs” is not in the translation"]
