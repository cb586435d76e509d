"""Interface strings in English and Arabic.  `?ui=ar` (remembered in a cookie) switches
the whole interface, layout direction included; document text keeps its own direction."""
from __future__ import annotations

LANGS = {"en": {"name": "English", "dir": "ltr"}, "ar": {"name": "العربية", "dir": "rtl"}}
DEFAULT = "en"

CATALOG: dict[str, dict[str, str]] = {
    "en": {
        "app_tagline": "Released email archives, searched in any language",
        "skip": "Skip to main content",
        "nav_search": "Search", "nav_trace": "Trace an article", "nav_status": "Archive",
        "nav_main": "Main", "switch_lang": "Interface language",
        "search_label": "Search the archive",
        "search_placeholder": "Words, \"phrases\", OR, -exclude, from: to: subject: release: exemption: after: before:",
        "search_button": "Search", "mode_label": "Ranking", "mode_auto": "Automatic",
        "mode_lexical": "Keywords", "mode_hybrid": "Hybrid", "mode_dense": "Meaning (cross-lingual)",
        "lang_label": "Query language", "lang_auto": "Detect",
        "syntax_help": "Search syntax", "results_count": "{total} documents",
        "took": "{ms} ms", "no_results": "No document matches this query.",
        "ocr_expansions": "Also matched OCR spellings",
        "facets": "Refine", "facet_release": "Release", "facet_exemption": "Exemption",
        "facet_sender": "Sender", "facet_year": "Year", "facet_lang": "Language",
        "active_filters": "Active filters", "remove_filter": "Remove filter {f}",
        "timeline": "Timeline of the results, by month", "timeline_desc": "Results per month, {first} to {last}",
        "timeline_bar": "{month}: {n}", "top_people": "Top correspondents",
        "results": "Results", "page_n": "page {n}", "same_email": "Same email also in",
        "prev": "Previous", "next": "Next", "pagination": "Result pages",
        "showing": "Results {a}–{b} of {total}",
        "doc_meta": "Document", "doc_id": "Document", "case": "Case", "release": "Release",
        "release_date": "Released", "disposition": "Disposition", "exemptions": "Exemptions",
        "pages": "Pages", "format": "Format", "language": "Language", "source_path": "Source file",
        "download": "Download the original file", "messages": "Messages", "message_n": "Message {n}",
        "from": "From", "to": "To", "cc": "Cc", "date": "Date", "subject": "Subject",
        "attachments": "Attachments", "text": "Full text", "page_marker": "Page {n}",
        "page_withheld": "withheld", "page_blank": "blank", "duplicates": "Duplicates",
        "no_duplicates": "No duplicate of this document in the archive.",
        "html_body": "Original HTML body (sanitized, scripts and remote content blocked)",
        "hits_in_doc": "{n} matches for “{q}”", "back_to_results": "Back to the results",
        "unknown_code": "Code not in the standard lists.", "children": "Attachments in the archive",
        "parent": "Attached to",
        "trace_title": "Trace an article to its sources",
        "trace_intro": "Paste a news article in any language, or upload a saved web page or text file. "
                       "Each checkable claim is matched to the released documents, with a verdict and reasons.",
        "trace_text_label": "Article text or HTML", "trace_file_label": "…or upload a file (.html, .txt, .md)",
        "trace_button": "Trace",
        "trace_empty": "Paste an article or choose a file first.",
        "claims": "Claims", "claim": "Claim", "evidence": "Evidence", "verdict": "Verdict",
        "confidence": "confidence {c}", "reasons": "Why", "no_evidence": "No source passage found.",
        "metadata_checks": "Checks against the headers", "claimed": "claimed", "found": "found",
        "verdict_supported": "Supported", "verdict_partly_supported": "Partly supported",
        "verdict_contradicted": "Contradicted", "verdict_not_found": "Not found",
        "article": "Article", "article_lang": "Language", "article_title": "Title",
        "article_date": "Date", "no_claims": "No checkable claim was found in this article.",
        "status_title": "Archive", "documents": "Documents", "messages_count": "Messages",
        "inputs": "Inputs", "by_release": "By release", "by_format": "By format",
        "failures": "Failed inputs", "no_failures": "No failed input.", "reason": "Reason",
        "count": "Count", "status_ok": "ok", "status_duplicate": "duplicate", "status_failed": "failed",
        "error": "Error", "not_found": "No such document.", "bad_query": "Bad query",
        "home_intro": "Search the released emails in any language. Filters:",
        "yes": "yes", "no": "no", "footer": "Documents are shown as released; their contents are untrusted.",
    },
    "ar": {
        "app_tagline": "أرشيفات البريد الإلكتروني المُفرج عنها، قابلة للبحث بأي لغة",
        "skip": "انتقل إلى المحتوى الرئيسي",
        "nav_search": "بحث", "nav_trace": "تتبّع مقال", "nav_status": "الأرشيف",
        "nav_main": "القائمة الرئيسية", "switch_lang": "لغة الواجهة",
        "search_label": "ابحث في الأرشيف",
        "search_placeholder": "كلمات، \"عبارات\"، OR، ‎-استبعاد، from: to: subject: release: exemption: after: before:",
        "search_button": "ابحث", "mode_label": "الترتيب", "mode_auto": "تلقائي",
        "mode_lexical": "الكلمات المفتاحية", "mode_hybrid": "هجين", "mode_dense": "المعنى (عبر اللغات)",
        "lang_label": "لغة الاستعلام", "lang_auto": "اكتشاف تلقائي",
        "syntax_help": "صيغة البحث", "results_count": "{total} وثيقة",
        "took": "{ms} ملّي ثانية", "no_results": "لا توجد وثيقة تطابق هذا الاستعلام.",
        "ocr_expansions": "طابق أيضاً تهجئات ناتجة عن أخطاء التعرف الضوئي",
        "facets": "تنقيح النتائج", "facet_release": "الدفعة", "facet_exemption": "الاستثناء",
        "facet_sender": "المرسِل", "facet_year": "السنة", "facet_lang": "اللغة",
        "active_filters": "المرشحات المفعّلة", "remove_filter": "إزالة المرشح {f}",
        "timeline": "التسلسل الزمني للنتائج، حسب الشهر", "timeline_desc": "عدد النتائج في كل شهر، من {first} إلى {last}",
        "timeline_bar": "{month}: {n}", "top_people": "أبرز المراسلين",
        "results": "النتائج", "page_n": "الصفحة {n}", "same_email": "الرسالة نفسها موجودة أيضاً في",
        "prev": "السابق", "next": "التالي", "pagination": "صفحات النتائج",
        "showing": "النتائج {a}–{b} من {total}",
        "doc_meta": "الوثيقة", "doc_id": "رقم الوثيقة", "case": "القضية", "release": "الدفعة",
        "release_date": "تاريخ الإفراج", "disposition": "قرار الإفراج", "exemptions": "الاستثناءات",
        "pages": "الصفحات", "format": "الصيغة", "language": "اللغة", "source_path": "الملف المصدر",
        "download": "تنزيل الملف الأصلي", "messages": "الرسائل", "message_n": "الرسالة {n}",
        "from": "من", "to": "إلى", "cc": "نسخة إلى", "date": "التاريخ", "subject": "الموضوع",
        "attachments": "المرفقات", "text": "النص الكامل", "page_marker": "الصفحة {n}",
        "page_withheld": "محجوبة", "page_blank": "فارغة", "duplicates": "النسخ المكررة",
        "no_duplicates": "لا توجد نسخة مكررة من هذه الوثيقة في الأرشيف.",
        "html_body": "نص HTML الأصلي (منقّح، مع حظر البرامج النصية والمحتوى الخارجي)",
        "hits_in_doc": "{n} تطابقاً لـ «{q}»", "back_to_results": "العودة إلى النتائج",
        "unknown_code": "رمز غير موجود في القوائم المعيارية.", "children": "مرفقات في الأرشيف",
        "parent": "مرفق بـ",
        "trace_title": "تتبّع مقال إلى مصادره",
        "trace_intro": "الصق مقالاً إخبارياً بأي لغة، أو ارفع صفحة ويب محفوظة أو ملفاً نصياً. "
                       "تُطابَق كل معلومة قابلة للتحقق مع الوثائق المُفرج عنها، مع حكم وأسباب.",
        "trace_text_label": "نص المقال أو HTML", "trace_file_label": "…أو ارفع ملفاً (‎.html أو ‎.txt أو ‎.md)",
        "trace_button": "تتبّع",
        "trace_empty": "الصق مقالاً أو اختر ملفاً أولاً.",
        "claims": "الادعاءات", "claim": "الادعاء", "evidence": "الدليل", "verdict": "الحكم",
        "confidence": "الثقة {c}", "reasons": "الأسباب", "no_evidence": "لم يُعثر على مقطع مصدر.",
        "metadata_checks": "التحقق من ترويسات الرسالة", "claimed": "المزعوم", "found": "الموجود",
        "verdict_supported": "مؤكَّد", "verdict_partly_supported": "مؤكَّد جزئياً",
        "verdict_contradicted": "متناقض", "verdict_not_found": "غير موجود",
        "article": "المقال", "article_lang": "اللغة", "article_title": "العنوان",
        "article_date": "التاريخ", "no_claims": "لم يُعثر على ادعاء قابل للتحقق في هذا المقال.",
        "status_title": "الأرشيف", "documents": "الوثائق", "messages_count": "الرسائل",
        "inputs": "المدخلات", "by_release": "حسب الدفعة", "by_format": "حسب الصيغة",
        "failures": "المدخلات التي فشلت", "no_failures": "لا توجد مدخلات فاشلة.", "reason": "السبب",
        "count": "العدد", "status_ok": "سليم", "status_duplicate": "مكرر", "status_failed": "فاشل",
        "error": "خطأ", "not_found": "لا توجد وثيقة بهذا الرقم.", "bad_query": "استعلام غير صالح",
        "home_intro": "ابحث في الرسائل المُفرج عنها بأي لغة. المرشحات:",
        "yes": "نعم", "no": "لا", "footer": "تُعرض الوثائق كما أُفرج عنها؛ محتواها غير موثوق.",
    },
}


def pick(query_value: str | None, cookie_value: str | None) -> str:
    """The interface language: `?ui=` first, then the cookie, then English."""
    for value in (query_value, cookie_value):
        if value in CATALOG:
            return value
    return DEFAULT


class Translator:
    def __init__(self, lang: str):
        self.lang = lang if lang in CATALOG else DEFAULT
        self.dir = LANGS[self.lang]["dir"]

    def __call__(self, key: str, **values) -> str:
        text = CATALOG[self.lang].get(key) or CATALOG[DEFAULT][key]
        return text.format(**values) if values else text
