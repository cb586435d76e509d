"""Known text rendered as 300-dpi page images, for OCR round-trip tests and the benchmark."""
from __future__ import annotations

import random
import re
import unicodedata

from PIL import Image, ImageDraw, ImageFilter, ImageFont, features
from rapidfuzz.distance import Levenshtein

FONTS = {
    "eng": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "fra": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "ara": "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
}

TEXTS = {
    "eng": ["From: Sullivan, Jacob J",
            "Sent: Monday, April 13, 2009 11:09 AM",
            "Subject: Meeting with the ambassador",
            "The secretary will travel to Cairo next week to",
            "discuss the ceasefire and the reconstruction plan."],
    "fra": ["Objet : Réunion avec le ministre des Affaires étrangères",
            "La délégation arrivera à Genève mercredi après-midi.",
            "Nous devons préparer une déclaration commune sur",
            "la sécurité régionale et l'aide humanitaire."],
    "ara": ["الموضوع: اجتماع وزير الخارجية مع السفير",
            "سيصل الوفد إلى القاهرة يوم الأربعاء القادم",
            "لمناقشة وقف إطلاق النار وخطة إعادة الإعمار",
            "وقد أكدت الوزارة أن البيان المشترك سيصدر غدا"],
}


def render(lang: str, lines: list[str] | None = None, skew: float = 0.0, noise: float = 0.002,
           seed: int = 7, pt: int = 12) -> Image.Image:
    """Lines of text at `pt` points on a 300-dpi grey page, a little noise and skew."""
    lines = lines or TEXTS[lang]
    px = round(pt * 300 / 72)
    layout = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    font = ImageFont.truetype(FONTS[lang], px, layout_engine=layout)
    width, margin, step = 2400, 150, round(px * 1.8)
    img = Image.new("L", (width, margin * 2 + step * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        y = margin + i * step
        if lang == "ara":
            draw.text((width - margin, y), line, font=font, fill=0, anchor="ra", direction="rtl", language="ar")
        else:
            draw.text((margin, y), line, font=font, fill=0)
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    rnd = random.Random(seed)
    pix = img.load()
    for _ in range(int(img.width * img.height * noise)):
        x, y = rnd.randrange(img.width), rnd.randrange(img.height)
        pix[x, y] = 0 if pix[x, y] > 128 else 255
    if skew:
        img = img.rotate(skew, expand=True, fillcolor=255, resample=Image.BICUBIC)
    img.info["dpi"] = (300, 300)
    return img


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("[\u064b-\u065f\u0670\u0640]", "", text)      # Arabic diacritics and tatweel
    return " ".join(text.split())


def cer(hyp: str, ref: str) -> float:
    ref_n, hyp_n = normalize(ref), normalize(hyp)
    return Levenshtein.distance(hyp_n, ref_n) / max(1, len(ref_n))
