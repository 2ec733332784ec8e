"""Numbers in the students' sentences are written as the notebooks write them."""

from autograder.checks.wording import number, numbers


def test_decimals_take_a_comma_and_small_numbers_are_spelled_out():
    """Does 0.2 read 0,2, 1e-05 read 0,00001, and does an integer value carry no decimals?"""
    assert number(0.2) == "0,2"
    assert number(1e-05) == "0,00001"
    assert number(0.00026) == "0,00026"
    assert number(256) == "256"
    assert number(256.0) == "256"
    assert number(0.8951234567, 3) == "0,895"
    assert number(-1.5) == "-1,5"


def test_lists_are_separated_by_semicolons():
    """Is a list of decimals unambiguous when the comma is the decimal mark?"""
    assert numbers([0.1, 0.25]) == "0,1; 0,25"
