"""Text utilities: normalization, language detection, transliteration, name lexicon, dates."""
