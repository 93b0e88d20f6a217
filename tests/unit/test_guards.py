"""The guards that decide whether a reply is an answer, and the repairs made before them.

Each refusal carries the name of the guard that fired (`Reason`), checked here too.
"""

from rag.answering.cite import has_content
from rag.answering.guards import (
    Reason,
    adds_nothing,
    drop_invented_years,
    refusal_reason,
    repair,
    says_not_found,
    tidy_parentheses,
    ungrounded_numbers,
)

PASSAGE_TEXTS = [
    "جدد وزير خارجية أذربيجان جيهون بيراموف مقترح بلاده على أرمينيا.",
    "وتضمنت المساعدات 40 طناً من المواد الغذائية محملة بـ4 شاحنات.",
]


def test_numbers_not_in_the_sources_are_ungrounded():
    sources = PASSAGE_TEXTS
    assert ungrounded_numbers("وصلت 40 طناً على ٤ شاحنات [2].", sources) == set()
    assert ungrounded_numbers("Karabakh has 1.5 million people [1].", sources) == {"1.5"}
    assert ungrounded_numbers("About 120,000 people [1].", sources + ["نحو 120 ألف"]) == {"120000"}


def test_markers_alone_are_not_an_answer():
    assert not has_content(" [1]. ")
    assert has_content("40 [1]")


def test_a_reply_that_only_repeats_the_question_adds_nothing():
    question = "منذ متى يعتمد إقليم قره باغ على الدعم الأرميني وفق ما ذكره علييف؟"
    assert adds_nothing("منذ متى يعتمد إقليم قره باغ على الدعم الأرميني [1].", question)
    assert not adds_nothing("ثلاثة عقود [1].", question)
    assert not adds_nothing("منذ 30 عاماً [1].", question)  # a number the question lacks is a fact


def test_inflections_of_question_words_are_still_an_echo_in_english():
    question = "What does Baku plan to grant Armenian fighters in Karabakh who give up their arms?"
    assert adds_nothing("Baku plans to grant Armenian fighters in Karabakh who give up their arms [1].", question)
    assert not adds_nothing("An amnesty (عفو) [1].", question)


def test_yes_and_no_answer_with_the_question_words():
    assert not adds_nothing("No, Baku did not grant amnesty [1].", "Did Baku grant amnesty?")
    assert not adds_nothing("لم يعتمد الإقليم على الدعم [1].", "هل يعتمد الإقليم على الدعم؟")


# --- parenthesised spellings ---------------------------------------------------------------
SHOWN = ["وفي حديثه خلال اجتماع مع وزير الخارجية الصيني وانغ يي، قال بوتين إن قوات مدعومة بالمدفعية انسحبت."]


def test_an_arabic_spelling_from_the_passage_stays_in_an_english_answer():
    assert tidy_parentheses("Wang Yi (وانغ يي) [1].", "en", SHOWN) == "Wang Yi (وانغ يي) [1]."
    # a near quote (article and inflection differ) is still the passage's wording
    kept = "forces backed by artillery (القوات المدعومة بالمدفعية) [1]."
    assert tidy_parentheses(kept, "en", SHOWN) == kept


def test_invented_or_foreign_script_spellings_are_dropped():
    assert tidy_parentheses("Wen Jiabao (温家宝) [1].", "en", SHOWN) == "Wen Jiabao [1]."
    assert tidy_parentheses("Stepanakert (ستيباناكيرت) [1].", "en", SHOWN) == "Stepanakert [1]."


def test_an_arabic_answer_does_not_repeat_itself_in_parentheses():
    assert tidy_parentheses("وانغ يي (وانغ يي) [1].", "ar", SHOWN) == "وانغ يي [1]."
    assert tidy_parentheses("قره باغ (Karabakh) [1].", "ar", SHOWN) == "قره باغ (Karabakh) [1]."  # Latin: an explanation


def test_a_year_the_model_adds_to_a_passage_date_is_dropped():
    passage = ["أعلنت أذربيجان، الثلاثاء 19 سبتمبر/أيلول، إطلاق عملية"]
    assert drop_invented_years("It was announced on Tuesday, September 19, 2018 [1].", passage) == (
        "It was announced on Tuesday, September 19 [1]."
    )
    assert drop_invented_years("أعلنت في 19 سبتمبر/أيلول 2018 [1].", passage) == "أعلنت في 19 سبتمبر/أيلول [1]."
    assert drop_invented_years("on the 19th of September, 2019.", passage) == "on the 19th of September."


def test_a_year_the_sources_state_or_a_year_without_a_date_stays():
    passage = ["في 27 سبتمبر/أيلول 2020، أطلق جيش أذربيجان عملية"]
    assert drop_invented_years("It began on 27 September 2020 [1].", passage) == "It began on 27 September 2020 [1]."
    # Not a day-and-month date: an invented year here is an invented fact, left for the refusal.
    assert drop_invented_years("The war ended in 2018 [1].", passage) == "The war ended in 2018 [1]."
    assert ungrounded_numbers("The war ended in 2018 [1].", passage) == {"2018"}


def test_a_reply_saying_the_passages_do_not_give_it_is_not_found():
    assert says_not_found("لا تذكر عدد الجنود الذين كانوا في السيارة [2].")
    assert says_not_found("لم تذكر المقالات اسم الوزير [1].")
    assert says_not_found("البيانات غير متوفرة في هذه المقالات.")
    assert says_not_found("The population of Karabakh is not mentioned in the given passage [1].")
    assert says_not_found("The passage does not say who led the delegation.")


def test_a_negative_fact_from_the_passage_is_still_an_answer():
    assert not says_not_found("أرمينيا لم تسع إلى التدخل في عملية باكو العسكرية [1].")
    assert not says_not_found("Armenia did not intervene in Baku's military operation [1].")
    assert not says_not_found("لا يمكن إعادة التوطين إلا إذا أصبح من المستحيل البقاء هناك [1].")
    assert not says_not_found("France requested the session [1].")


def test_each_guard_names_its_refusal():
    question = "كم شاحنة حملت مساعدات وزارة الطوارئ؟"
    shown = PASSAGE_TEXTS
    assert refusal_reason("NO_ANSWER", question, shown, "NO_ANSWER") == Reason.NO_ANSWER
    assert refusal_reason("No_ANSWER", question, shown, "NO_ANSWER") == Reason.NO_ANSWER
    assert refusal_reason("لا تذكر المقالات عدد الشاحنات [2].", question, shown, "NO_ANSWER") == Reason.SAYS_NOT_FOUND
    assert refusal_reason("[2].", question, shown, "NO_ANSWER") == Reason.NO_CONTENT
    assert refusal_reason("حملتها 7 شاحنات [2].", question, shown, "NO_ANSWER") == Reason.UNGROUNDED_NUMBER
    assert refusal_reason("مساعدات وزارة الطوارئ [2].", question, shown, "NO_ANSWER") == Reason.ECHOES_QUESTION
    assert refusal_reason("حملتها 4 شاحنات [2].", question, shown, "NO_ANSWER") is None


def test_repair_drops_an_invented_year_and_an_invented_spelling_together():
    shown = ["أعلنت أذربيجان يوم الثلاثاء 19 سبتمبر/أيلول إطلاق العملية."]
    got = repair("It began on Tuesday, September 19, 2018 (آرمينيا) [1].", "en", shown, "When did it begin?")
    assert got == "It began on Tuesday, September 19 [1]."
