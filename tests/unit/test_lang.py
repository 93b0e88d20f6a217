from rag.lang import detect_language, normalize_arabic, words


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
