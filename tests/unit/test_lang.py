from rag.lang import detect_language, light_stem, normalize_arabic, split_sentences, terms, words


def test_detects_arabic_and_english():
    assert detect_language("من هو وزير خارجية أذربيجان؟") == "ar"
    assert detect_language("Who is the foreign minister of Azerbaijan?") == "en"
    # Arabic sentence with a Latin name inside stays Arabic.
    assert detect_language("ماذا قال Pashinyan عن قره باغ؟") == "ar"


def test_normalization_folds_spelling_variants():
    assert normalize_arabic("أَذْرَبِيجَانُ") == "اذربيجان"
    assert normalize_arabic("إعادة") == "اعاده"
    assert normalize_arabic("آفاق") == "افاق"
    assert normalize_arabic("مستشفى") == "مستشفي"
    assert normalize_arabic("قــره") == "قره"
    assert normalize_arabic("Baku") == "baku"


def test_words_are_normalized_tokens():
    assert words("وزير خارجية أذربيجان، جيهون") == ["وزير", "خارجيه", "اذربيجان", "جيهون"]


def test_sentences_split_on_arabic_and_latin_punctuation():
    text = 'قال الوزير إن 1.5 مليون شخص نزحوا. وأضاف: "سنعود". هل هذا صحيح؟ نعم؛ بالتأكيد!\nسطر جديد'
    assert split_sentences(text) == [
        "قال الوزير إن 1.5 مليون شخص نزحوا.", 'وأضاف: "سنعود".', "هل هذا صحيح؟", "نعم؛", "بالتأكيد!", "سطر جديد",
    ]
    assert split_sentences("Done in 2023. Next one") == ["Done in 2023.", "Next one"]


def test_light_stemming_lets_inflected_forms_meet():
    assert light_stem("الاذربيجانيه") == light_stem("اذربيجان") == light_stem("الاذربيجاني") == "اذربيجان"
    assert terms("الأذربيجانية") == terms("أذربيجان") == ["اذربيجان"]
    assert terms("والمساعدات") == terms("مساعدات") == ["مساعد"]
    assert terms("للمسلحين") == terms("المسلحون")
    # A lone و is stripped from long words only: وزير keeps its root letter.
    assert terms("وزير") == ["وزير"] and terms("ووزير") == ["وزير"]


def test_terms_drop_function_words():
    assert terms("من هو وزير خارجية أذربيجان؟") == ["وزير", "خارج", "اذربيجان"]
    assert terms("How many trucks carried the aid?") == ["trucks", "carried", "aid"]
