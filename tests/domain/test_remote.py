"""Remote tickets: skipped until here, held, moved back, never dropped; when to leave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from server.domain import remote
from server.domain.queue import call_order_key
from server.domain.remote import Advice, JoinClosed, RemoteRules


def at(hour, minute=0):
    return datetime(2026, 3, 10, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class T:
    id: int
    queue_at: datetime
    here: bool = True
    held_at: datetime | None = None
    priority: int = 0

    @property
    def arrived_at(self):
        return self.queue_at


RULES = RemoteRules()


def test_call_next_skips_a_remote_ticket_not_here_yet_but_it_keeps_its_place():
    remote_first = T(1, at(9, 0), here=False)
    walk_in = T(2, at(9, 5))
    picked, passed = remote.pick_next_here([walk_in, remote_first])
    assert picked is walk_in
    assert passed == [remote_first]
    # Once here, its place by join time puts it first.
    arrived = T(1, at(9, 0), here=True)
    assert remote.pick_next_here([walk_in, arrived]) == (arrived, [])


def test_nobody_to_call_when_nobody_is_here():
    picked, passed = remote.pick_next_here([T(1, at(9), here=False)])
    assert picked is None
    assert [t.id for t in passed] == [1]


def test_a_held_ticket_keeps_its_place_for_the_grace_period():
    held = T(1, at(9, 0), here=False, held_at=at(10, 0))
    assert remote.is_held(held)
    assert not remote.grace_over(at(10, 0), at(10, 9), RULES)
    assert remote.grace_over(at(10, 0), at(10, 10), RULES)
    assert not remote.is_held(T(1, at(9), here=True, held_at=at(10)))


def test_after_the_grace_period_it_moves_back_the_set_number_of_places():
    held = T(1, at(9, 0), here=False, held_at=at(10))
    others = [T(i, at(9, i)) for i in range(2, 7)]
    line = [held, *others]
    anchor = remote.moved_back_anchor(line, held, 3)
    assert anchor is not None
    moved = T(1, anchor, here=False)
    order = [t.id for t in sorted([moved, *others], key=call_order_key)]
    assert order == [2, 3, 4, 1, 5, 6]


def test_with_fewer_behind_it_moves_to_the_end_and_with_none_it_stays():
    held = T(1, at(9, 0), here=False)
    behind = T(2, at(9, 1))
    anchor = remote.moved_back_anchor([held, behind], held, 3)
    assert anchor is not None and anchor > behind.queue_at
    # Never dropped: alone at the end of the line, it keeps its place for the desk.
    assert remote.moved_back_anchor([held], held, 3) is None


def test_leave_now_is_told_once_when_the_time_to_set_off_comes():
    leave = remote.leave_by(at(10, 0), 40, timedelta(minutes=15), RULES.leave_margin)
    assert leave == at(10, 20)

    def tell(now, **given):
        facts = {"here": False, "held": False, "leave_at": leave, "told": False, **given}
        return remote.tell_to_leave(now, **facts)

    assert not tell(at(10, 19))  # the page says "Leave by 10:20"
    assert tell(at(10, 20))
    assert tell(at(10, 45))  # past it, and not told yet: told now
    assert not tell(at(10, 20), told=True)  # once per wait
    assert not tell(at(10, 20), here=True)  # it came in already
    assert not tell(at(10, 20), held=True)  # told "you are next: please come now" instead
    assert not tell(at(10, 20), leave_at=None)  # no estimate yet: the next refresh


def test_leave_by_is_the_low_end_minus_travel_minus_the_margin():
    leave = remote.leave_by(at(10, 0), 45, timedelta(minutes=15), timedelta(minutes=5))
    assert leave == at(10, 25)


def test_what_the_page_says_about_coming_in():
    leave = at(10, 25)
    assert remote.advice(at(10, 0), here=False, held=False, leave_at=leave) is Advice.LEAVE_BY
    assert remote.advice(at(10, 25), here=False, held=False, leave_at=leave) is Advice.COME_NOW
    assert remote.advice(at(10, 0), here=False, held=True, leave_at=leave) is Advice.YOU_ARE_NEXT
    assert remote.advice(at(10, 0), here=True, held=True, leave_at=leave) is Advice.HERE
    # No estimate yet: come now rather than guess.
    assert remote.advice(at(10, 0), here=False, held=False, leave_at=None) is Advice.COME_NOW


def test_expected_arrival_is_travel_time_after_setting_off():
    travel = timedelta(minutes=15)
    assert remote.expected_arrival(at(9), travel, at(10)) == at(10, 15)
    assert remote.expected_arrival(at(9), travel, at(8)) == at(9, 15)
    assert remote.expected_arrival(at(9), travel, None) == at(9, 15)


def refusal(**kw):
    args = dict(
        offered=True, open_until=at(17), now=at(10), paused=False, remote_waiting=0, rules=RULES
    )
    return remote.join_refusal(**{**args, **kw})


def test_joining_is_refused_for_each_reason_and_otherwise_taken():
    assert refusal() is None
    assert refusal(offered=False) is JoinClosed.NOT_OFFERED
    assert refusal(paused=True) is JoinClosed.PAUSED
    assert refusal(open_until=None) is JoinClosed.CLOSED
    assert refusal(now=at(16, 0)) is JoinClosed.CLOSED  # an hour before closing
    assert refusal(now=at(15, 59)) is None
    assert refusal(remote_waiting=RULES.cap) is JoinClosed.FULL
    assert refusal(remote_waiting=RULES.cap - 1) is None
    assert remote.join_closes_at(at(17), RULES) == at(16)


def test_the_arrival_code_changes_daily_and_needs_the_secret():
    one = remote.arrival_code(b"secret", "riverside", date(2026, 3, 10))
    assert len(one) == 4 and one.isdigit()
    assert one == remote.arrival_code(b"secret", "riverside", date(2026, 3, 10))
    days = {remote.arrival_code(b"secret", "riverside", date(2026, 3, d)) for d in range(1, 29)}
    assert len(days) > 20
    assert one != remote.arrival_code(b"other", "riverside", date(2026, 3, 10))
    assert remote.code_matches(f" {one[:2]} {one[2:]} ", one)
    assert not remote.code_matches("", one)
    # Characters beyond ASCII are a wrong code, not a crash (found by the API fuzz test).
    assert not remote.code_matches("\u00a1", one)
    assert not remote.code_matches("\u0661\u0662\u0663\u0664", one)  # Arabic-Indic digits


def test_end_of_span():
    spans = [(at(8), at(12)), (at(13), at(17))]
    assert remote.end_of_span(spans, at(9)) == at(12)
    assert remote.end_of_span(spans, at(12, 30)) is None
    assert remote.end_of_span(spans, at(16)) == at(17)


def test_pause_reason_and_travel_time_are_checked():
    assert remote.check_pause_reason("  We are  very busy ") == "We are very busy"
    for bad in ("", "   ", "x" * 201):
        try:
            remote.check_pause_reason(bad)
        except remote.CheckInRefused:
            pass
        else:
            raise AssertionError(bad)
    assert remote.check_travel_minutes(15) == 15


# --- "I joined online" at the kiosk -----------------------------------------------


def test_a_typed_ticket_number_is_read_whole_in_any_usual_form():
    from server.domain.queue import TicketNumber

    for typed in ("G-012", "g12", " G 012 ", "G-0012", "g-12"):
        assert remote.parse_ticket_number(typed) == TicketNumber("G", 12), typed
    # Never a part of a number, nor something else.
    for typed in ("", "G", "12", "G-", "G-0", "GG-12", "G-12345", "G-1A", "Ñ-1", "G/12"):
        assert remote.parse_ticket_number(typed) is None, typed


def test_only_a_remote_ticket_still_waiting_and_not_here_may_arrive_at_the_kiosk():
    from server.domain.queue import TicketStatus
    from server.domain.remote import ArrivalRefused

    def refusal(status, remote_ticket=True, here=False):
        return remote.kiosk_arrival_refusal(remote=remote_ticket, status=status, here=here)

    assert refusal(TicketStatus.WAITING) is None
    assert refusal(TicketStatus.WAITING, here=True) is ArrivalRefused.ALREADY_ARRIVED
    assert refusal(TicketStatus.WAITING, remote_ticket=False, here=True) is (
        ArrivalRefused.NOT_REMOTE
    )
    for status in (TicketStatus.CALLED, TicketStatus.IN_SERVICE, TicketStatus.NO_SHOW):
        assert refusal(status) is ArrivalRefused.ALREADY_CALLED
    for status in (TicketStatus.DONE, TicketStatus.CANCELLED):
        assert refusal(status) is ArrivalRefused.ENDED
        assert refusal(status, remote_ticket=False) is ArrivalRefused.ENDED
