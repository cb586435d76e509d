"""Header date parsing: the corpus formats and their OCR damage."""
import pytest

from dalil.text.dates import parse_date, parse_release_date

CASES = [
    ("Monday, April 13, 2009 11:09 AM", "2009-04-13T11:09:00"),
    ("Wednesday, September 12, 2012 12:00 AM", "2012-09-12T00:00:00"),
    ("Mon Apr 13 08:13:05 2009", "2009-04-13T08:13:05"),
    ("Oct 4, 2009 9:32 AM", "2009-10-04T09:32:00"),
    ("Thu, 2 Sep 2010 22:32:54 -0400", "2010-09-02T22:32:54"),
    ("Thu, 2 Sep 2010 22:32:54", "2010-09-02T22:32:54"),
    ("4/13/2009 11:09 AM", "2009-04-13T11:09:00"),
    ("Sunday, January 3, 2010", "2010-01-03"),
    ("Sat, Dec 5, 2009 at 8:42 PM", "2009-12-05T20:42:00"),
    ("16 April 2009 01:31:16 BST", "2009-04-16T01:31:16"),
    ("December 21, 2010 11:34:24 AM EST", "2010-12-21T11:34:24"),
    # OCR damage
    ("December 11,2009", "2009-12-11"),
    ("Sunday, December 6,2009 11:00 AM", "2009-12-06T11:00:00"),
    ("Fri Jan 0110:46:13 2010", "2010-01-01T10:46:13"),
    ("Sun Jan 17 12:52:512010", "2010-01-17T12:52:51"),
    ("Tuesday, August 16, 201110:03 AM", "2011-08-16T10:03:00"),
    ("Tuesday, Decem er 15, 2009", "2009-12-15"),
    ("Saturday, Fe ruary 13, 2010 10:19 AM", "2010-02-13T10:19:00"),
    ("Sunday, A ril 25, 2010 10:50 AM", "2010-04-25T10:50:00"),
    ("Sat Au 07 19:46:32 2010", "2010-08-07T19:46:32"),
    ("Monday, April l3, 2OO9 11:09 AM", "2009-04-13T11:09:00"),
    (". Monday, August 2, 2010 7:51 PM", "2010-08-02T19:51:00"),
    ("S Thursday, January 21, 2010 12:11 AM", "2010-01-21T00:11:00"),
]


@pytest.mark.parametrize("raw,expected", CASES)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", [
    "", "garbage", "Saturday, Janua 30 S S 0 PM", "Monday, Dece",
    "Monday, April 13, 1906 1:00 PM",        # OCR year outside 1990-2030
    "Mon Apr 13 08:13:05 2039", "Monday, February 30, 2010 1:00 PM", "Monday, April 13, 2009 25:09 PM",
])
def test_unparseable_is_none(raw):
    assert parse_date(raw) is None


def test_never_raises_on_junk():
    for raw in [None, 42, "\x00\f", "1/1/1", "Sat, Apr , :20 pm", "Sun Mar 2]. 18:47 : 3 3 2010", "x" * 5000]:
        assert parse_date(raw) is None or isinstance(parse_date(raw), str)


def test_release_date():
    assert parse_release_date("06/30/2015") == "2015-06-30"
    assert parse_release_date("Date: 01/07/2016") == "2016-01-07"
    assert parse_release_date("13/45/2015") is None
    assert parse_release_date("") is None
