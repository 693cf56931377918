"""Relation to the head against the sex the citizen ID holds (forms.people.relation_sex_problem):
a term that names a sex (长女, 夫, 岳母) must match; a term that does not (户主, 配偶, 兄弟姐妹)
accepts either."""

from __future__ import annotations

import pytest

from forms.people import RELATION_CODES, RELATION_SEX, relation_code_of, relation_sex_problem


@pytest.mark.parametrize(
    ("term", "sex", "refused"),
    [
        ("长女", "男", True), ("长女", "女", False), ("长子", "女", True), ("长子", "男", False),
        ("夫", "女", True), ("夫", "男", False), ("妻", "男", True), ("妻", "女", False),
        ("儿媳", "男", True), ("女婿", "女", True), ("岳母", "男", True), ("岳父", "女", True),
        ("养子或继子", "女", True), ("养女或继女", "男", True), ("孙女", "男", True),
        ("外甥女", "男", True), ("侄子", "女", True), ("嫂", "男", True), ("姐夫", "女", True),
        ("父亲", "女", True), ("母亲", "男", True), ("母亲", "女", False),
        # terms that say nothing about sex
        ("户主", "男", False), ("户主", "女", False), ("本人", "女", False),
        ("配偶", "男", False), ("配偶", "女", False), ("兄弟姐妹", "女", False),
        ("父母", "男", False), ("孙子、孙女或外孙子、外孙女", "女", False),
        ("堂兄弟、堂姐妹", "男", False), ("其他", "女", False), ("非亲属", "男", False),
    ],
)  # fmt: skip
def test_a_relation_that_names_a_sex_must_match_the_id(term: str, sex: str, refused: bool) -> None:
    problem = relation_sex_problem(relation_code_of(term), sex)
    assert (problem is not None) is refused
    if problem:
        assert "与户主关系" in problem and f"“{term}”" in problem and sex in problem
        assert "身份证" not in problem  # the desk puts it under the relation field, not the ID


def test_every_code_is_either_of_one_sex_or_of_none() -> None:
    """The table covers only codes of the standard, and a code of one sex refuses the other."""
    assert set(RELATION_SEX) <= set(RELATION_CODES)
    for code in RELATION_CODES:
        expected = RELATION_SEX.get(code)
        for sex in ("男", "女"):
            assert (relation_sex_problem(code, sex) is not None) is (
                expected is not None and sex != expected
            )
    assert RELATION_SEX["32"] == "女" and RELATION_SEX["22"] == "男"
