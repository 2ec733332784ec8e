"""Which submissions the grading service takes next (``submission_queue.next_steps``): one per student at a time, the
newest replacing older ones, students in order of arrival, and the day's limit."""

from __future__ import annotations

import pytest

from autograder.pipeline.server.exchange import Submission
from autograder.pipeline.server.policy import SubmissionPolicy
from autograder.pipeline.server.submission_queue import GRADED, REPLACED, graded_on, next_steps

P1, P2 = "p1_normalizacion", "p2_aspectos_practicos"


def sub(student: str, assignment: str, time: str, day: str = "2026-12-04") -> Submission:
    name = f"{student}+{assignment}+{day} {time}.000001 UTC+r"
    return Submission.from_name(name)


def steps(waiting, *, delivered=None, busy=(), free=2, limit=3):
    return next_steps(waiting=waiting, delivered=delivered or {}, busy=set(busy), free_workers=free,
                      policy=SubmissionPolicy(daily_limit=limit))


def test_ten_presses_of_one_student_give_one_grading_of_the_newest():
    """Does a student who pressed Submit ten times get only the newest graded, the nine older set aside?"""
    presses = [sub("ana", P1, f"10:00:{second:02d}") for second in range(10)]
    decided = steps(presses)
    assert decided.grade == [presses[-1]] and decided.replaced == presses[:-1] and not decided.over_limit


def test_a_student_who_keeps_submitting_does_not_hold_back_the_others():
    """With one worker free, does the student whose submission came first go first, and do the others' go as workers
    free up, however many times the first student submits meanwhile?"""
    bruno = sub("bruno", P1, "10:00:05")
    ana = [sub("ana", P1, f"10:00:{second:02d}") for second in (1, 6, 7, 8)]
    first = steps([*ana[:1], bruno], free=1)
    assert first.grade == [ana[0]]
    later = steps([*ana[1:], bruno], busy={"ana"}, free=1)
    assert later.grade == [bruno], "ana is being graded: bruno's submission goes to the free worker"


def test_a_student_busy_with_one_assignment_waits_for_it_before_the_next():
    """Is at most one submission of each student handled at a time, even of two assignments?"""
    decided = steps([sub("ana", P1, "10:00:00"), sub("ana", P2, "10:00:01")], free=2)
    assert [s.assignment for s in decided.grade] == [P1]
    assert steps([sub("ana", P2, "10:00:01")], busy={"ana"}).grade == []


def test_no_free_worker_means_nobody_is_handed_out():
    assert steps([sub("ana", P1, "10:00:00")], free=0).grade == []


@pytest.mark.parametrize("limit, graded_today, over", [(3, 2, False), (3, 3, True), (0, 50, False)])
def test_the_daily_limit_counts_graded_submissions_of_that_day(limit, graded_today, over):
    """Is a submission past the day's limit answered without grading, are other days and other outcomes not counted,
    and does 0 mean no limit?"""
    delivered = {sub("ana", P1, f"09:00:{i:02d}").name: GRADED for i in range(graded_today)}
    delivered |= {sub("ana", P1, "09:30:00", day="2026-12-03").name: GRADED,  # another day
                  sub("ana", P1, "09:40:00").name: REPLACED, sub("ana", P2, "09:50:00").name: GRADED}
    newest = sub("ana", P1, "11:00:00")
    decided = steps([newest], delivered=delivered, limit=limit)
    assert (decided.over_limit, decided.grade) == (([newest], []) if over else ([], [newest]))


def test_a_day_is_the_course_timezone_s_day():
    """Does a submission at 23:30 UTC count for the next day in Madrid (UTC+1 in December)?"""
    policy = SubmissionPolicy(timezone="Europe/Madrid")
    late_evening = sub("ana", P1, "23:30:00", day="2026-12-04")
    delivered = {late_evening.name: GRADED}
    assert graded_on(delivered, student="ana", assignment=P1, day=policy.day_of(late_evening.timestamp),
                     policy=policy) == 1
    assert str(policy.day_of(late_evening.timestamp)) == "2026-12-05"


def test_the_policy_refuses_a_negative_limit_and_an_unknown_timezone_in_spanish():
    with pytest.raises(Exception, match="no puede ser negativo"):
        SubmissionPolicy(daily_limit=-1)
    with pytest.raises(Exception, match="zona horaria desconocida"):
        SubmissionPolicy(timezone="Marte/Olympus")
