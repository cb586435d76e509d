"""What the exemption codes printed on released documents mean (5 U.S.C. §552(b) and
E.O. 13526 §1.4), in each interface language."""
from __future__ import annotations

import re

MEANINGS: dict[str, dict[str, str]] = {
    "en": {
        "B1": "Classified national-security information (always paired with an E.O. 13526 §1.4 category).",
        "B2": "Internal personnel rules and practices of an agency.",
        "B3": "Withheld under another statute (e.g. intelligence sources and methods, visa records).",
        "B4": "Trade secrets and confidential commercial or financial information.",
        "B5": "Privileged inter- or intra-agency memoranda: deliberative process, attorney-client, work product.",
        "B6": "Personal privacy: personnel, medical and similar files, private addresses and phone numbers.",
        "B7": "Law-enforcement records.",
        "B7(A)": "Law enforcement: would interfere with enforcement proceedings.",
        "B7(B)": "Law enforcement: would deprive someone of a fair trial.",
        "B7(C)": "Law enforcement: would invade personal privacy.",
        "B7(D)": "Law enforcement: would reveal a confidential source.",
        "B7(E)": "Law enforcement: would disclose techniques, procedures or guidelines.",
        "B7(F)": "Law enforcement: would endanger someone's life or physical safety.",
        "B8": "Reports about the regulation of financial institutions.",
        "B9": "Geological and geophysical data about wells.",
        "1.4(A)": "Military plans, weapons systems or operations.",
        "1.4(B)": "Foreign government information.",
        "1.4(C)": "Intelligence activities, sources or methods, or cryptology.",
        "1.4(D)": "Foreign relations or foreign activities of the U.S., including confidential sources.",
        "1.4(E)": "Scientific, technological or economic matters relating to national security.",
        "1.4(F)": "U.S. Government programs for safeguarding nuclear materials or facilities.",
        "1.4(G)": "Vulnerabilities or capabilities of systems, installations, infrastructures, projects, "
                  "plans or protection services relating to national security.",
        "1.4(H)": "Weapons of mass destruction.",
    },
    "ar": {
        "B1": "معلومات سرية تخص الأمن القومي (تقترن دائماً بفئة من المادة 1.4 من الأمر التنفيذي 13526).",
        "B2": "قواعد وممارسات داخلية خاصة بموظفي الجهة الحكومية.",
        "B3": "محجوبة بموجب قانون آخر (مثل مصادر الاستخبارات وأساليبها، أو سجلات التأشيرات).",
        "B4": "أسرار تجارية ومعلومات تجارية أو مالية سرية.",
        "B5": "مذكرات داخلية محمية بامتياز: المداولات، أو العلاقة بين المحامي وموكله، أو أعمال المحامي.",
        "B6": "الخصوصية الشخصية: ملفات الموظفين والملفات الطبية، والعناوين وأرقام الهواتف الخاصة.",
        "B7": "سجلات إنفاذ القانون.",
        "B7(A)": "إنفاذ القانون: قد يعرقل الكشف إجراءات التنفيذ.",
        "B7(B)": "إنفاذ القانون: قد يحرم الكشف شخصاً من محاكمة عادلة.",
        "B7(C)": "إنفاذ القانون: قد ينتهك الكشف الخصوصية الشخصية.",
        "B7(D)": "إنفاذ القانون: قد يكشف مصدراً سرياً.",
        "B7(E)": "إنفاذ القانون: قد يكشف تقنيات أو إجراءات أو إرشادات.",
        "B7(F)": "إنفاذ القانون: قد يعرّض حياة شخص أو سلامته للخطر.",
        "B8": "تقارير تتعلق بتنظيم المؤسسات المالية.",
        "B9": "بيانات جيولوجية وجيوفيزيائية عن الآبار.",
        "1.4(A)": "خطط عسكرية أو منظومات أسلحة أو عمليات.",
        "1.4(B)": "معلومات حكومات أجنبية.",
        "1.4(C)": "أنشطة استخباراتية أو مصادرها أو أساليبها، أو التشفير.",
        "1.4(D)": "العلاقات الخارجية أو الأنشطة الخارجية للولايات المتحدة، بما فيها المصادر السرية.",
        "1.4(E)": "مسائل علمية أو تقنية أو اقتصادية تتصل بالأمن القومي.",
        "1.4(F)": "برامج الحكومة الأمريكية لحماية المواد أو المنشآت النووية.",
        "1.4(G)": "نقاط ضعف أو قدرات أنظمة أو منشآت أو بنى تحتية أو مشاريع أو خطط أو خدمات حماية تتصل بالأمن القومي.",
        "1.4(H)": "أسلحة الدمار الشامل.",
    },
}

_SPACES = re.compile(r"\s+")


def explain(code: str, lang: str = "en") -> str | None:
    """The meaning of one code as printed ('B7(C)', '1.4(d)', 'b6'), or None when unknown."""
    key = _SPACES.sub("", code).upper()
    table = MEANINGS.get(lang, MEANINGS["en"])
    return table.get(key) or (table.get(key[:2]) if key.startswith("B7") else None)
