"""The printed furniture of the State Department FOIA releases: the page stamp, the lines of a
printed email header block, and the DocNo.

A stamp reads `UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C05739545
Date: 05/13/2015` (one field per line in release HRC_Email_296) and is repeated on every page,
so each stage that reads released text has to recognise it.  They do not all recognise it the
same way, and on purpose: the parser reads OCR damage that the embedder never sees, and a
snippet must not skip a body line that merely names the Department of State, where the passage
cleaning for vectors drops it.  Every search rank, vector and trace verdict was recorded with
these exact patterns, so there is one pattern per distinct meaning, each named for what it
matches, rather than one pattern for all.
"""
from __future__ import annotations

import re

__all__ = ["STAMP_SNIFF", "PRINTED_STAMP", "OCR_STAMP", "STAMP_296", "NOISE_LINE", "NOISE_HINT",
           "STAMP_HEAD", "STAMP_LINE", "STAMP_OR_RELEASE_LINE", "HEADER_BLOCK_LINE",
           "HEADER_OR_STAMP_LINE", "HEADER_LABEL", "DOC_NO", "released_doc_no"]

# -- the page stamp ------------------------------------------------------------------------

# The stamp loosely, in the first bytes of a text file (a reader's sniff): OCR damages it, and
# the Benghazi set splits it over lines.
STAMP_SNIFF = re.compile(rb"UNCLASSIFIED.{0,12}U\.?\s?S\.?.{0,5}Department|Case\s*No.{0,8}F-20\d\d-\d{5}",
                         re.S)

# The stamp exactly as a PDF's own text layer prints it: a PDF holding it is a released document.
PRINTED_STAMP = re.compile(r"UNCLASSIFIED\s+U\.\s?S\.\s+Department\s+of\s+State\s+Case\s+No\.")

# A piece of the stamp somewhere in one OCR'd line, with the damage OCR does to it (5 for S,
# l for t, O for 0), and the other lines printed on every page (House production notice,
# sensitive-information agreement, Bates numbers): the parser drops such lines.
OCR_STAMP = re.compile(
    r"UNCLASSIFIED.{0,12}U\.?\s?S\.?.{0,5}Depa|Department.{0,10}Sta[tl]e.{0,6}Case"
    r"|Case\s*N[Oo].{0,8}20\d\d.{0,3}\d{5}|Doc\s*No\W{0,3}C[O0]\d{7}|^\W{0,3}UNCLASSIFIED\s+U\.?\s?S\.?\s*$"
    r"|STATE DEPT\. - PRODUCED|SUBJECT TO AGREEMENT ON SENSITIVE|STATE-[S5]CB\d")

# One field of the stamp of release HRC_Email_296 (case F-2015-04841), which prints a field per
# line, matched from the line's start.
STAMP_296 = re.compile(r"\W{0,3}(?:UNCLASSIFIED\s*$|U\.S\. Department of State\s*$|Case No\. F-20|Doc No\. C"
                       r"|Date: \d\d/\d\d/2015\s*(?:$|\s\s))")

# A whole line without content (stamp, release marker, bare exemption codes, Bates number,
# production notice): what the passage builder removes from text no reader marked drop spans in.
NOISE_LINE = re.compile(
    r"^\s*(?:UNCLASSIFIED.{0,12}U\.?S\.?.{0,5}Department.*|.*Case\s*No[.,:]?\s*.{0,4}20\d\d-\d{5}.*Doc\s*No.*"
    r"|(?:\[?.ELEASE IN (?:FULL|PART).*)|(?:(?:B\d|1\.4\s*\(?\w\)?)[\s,;]*)+|STATE-[5S]CB\d+.*"
    r"|Date: \d\d/\d\d/\d{4}.*|Doc No\. C\d+|Case No\. F-\d+-\d+|U\.S\. Department of State.*"
    r"|STATE DEPT\. - PRODUCED TO HOUSE.*|SUBJECT TO AGREEMENT ON SENSITIVE.*)\s*$", re.M)

# Words that nearly every noise line holds: the passage builder's cheap test before NOISE_LINE.
NOISE_HINT = re.compile(r"UNCLASSIFIED|RELEASE|Case\s*No|Doc No|STATE|B\d|1\.4|Department|SUBJECT TO")

# The stamp's opening words or its case number, any case: a line holding them is a stamp line
# (a snippet neither marks matches on it nor starts on it).  Naming the Department alone is not
# enough here: body lines do.
STAMP_HEAD = re.compile(r"UNCLASSIFIED.{0,12}U\.?S\.?.{0,5}Department|Case\s*No[.,:]?\s*F-20", re.I)

# What makes a whole line a stamp line for passage vectors, trace copies and exact-copy hashing:
# it names the Department of State, a case number or a DocNo.
_STAMP_PIECE = r"Department\s+of\s+State|Case\s*No\.?\s*F-?20|Doc\s*No\.?\s*C\d"
STAMP_LINE = re.compile(r"^.*(?:" + _STAMP_PIECE + r").*$", re.I | re.M)
# The same, and release-marker lines (`RELEASE IN PART`), which differ between two releases of
# one email.
STAMP_OR_RELEASE_LINE = re.compile(r"^.*(?:" + _STAMP_PIECE + r"|RELEASE\s+IN).*$", re.I | re.M)

# -- printed email headers -----------------------------------------------------------------

# A whole printed header line, any case (`From: ...`, `SUBJECT: ...`, `Importance: High`).
_HEADER_LINE = r"^\s*(?:From|Sent|To|Cc|Bcc|Subject|Date|Importance|Attachments)\s*:.*$"
# A header line or an "Original Message" separator: the header block of a message, which in a
# short email fills most of a passage and is embedded apart from its body.
HEADER_BLOCK_LINE = re.compile(r"(?im)" + _HEADER_LINE + r"|^\s*-*\s*Original Message\s*-*\s*$")
# A header line or a stamp line: both repeat across every message of a correspondent, so a
# passage loses them before copies of it are looked for.
HEADER_OR_STAMP_LINE = re.compile(r"(?im)" + _HEADER_LINE + r"|^.*(?:" + _STAMP_PIECE + r").*$")
# A line opening with one of the six address and date labels as printed (case kept, so a cable's
# `SUBJECT:` line is not one): where a sentence window shows a message's headers rather than
# its body.  Narrower than the header lines above, which are removed from text.
HEADER_LABEL = re.compile(r"(?m)^\s*(?:From|Sent|To|Cc|Subject|Date)\s*:")

# -- the DocNo -----------------------------------------------------------------------------

# A DocNo as printed or OCR'd: C, then 0 or the letter O, then seven digits (`CO5739545`).
DOC_NO = re.compile(r"C[O0]\d{7}")


def released_doc_no(doc_no: str) -> str:
    """The released form of a DocNo that `DOC_NO` matched: the zero the OCR read as O restored."""
    return "C0" + doc_no[2:]
