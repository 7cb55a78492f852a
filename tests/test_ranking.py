"""Leaderboards: shared ranks, people without a quota, the neighbours view, unit totals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leaderboards.ranking import (
    Gap,
    Leaderboard,
    RankedRow,
    Standing,
    rank,
    window,
)
from leaderboards.units import Credit, aggregate_units, unit_rows
from storage.board_view_repository import UnitBoardParts
from tracker.models import Unit
from tracker.quotas import TargetSource, UnitTarget

MORNING = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return MORNING + timedelta(minutes=minutes)


def person(
    key: int, achieved: int, target: int | None, reached: datetime | None = MORNING, name: str = ""
) -> Standing:
    return Standing.of(key, name or f"Người {key:02d}", achieved, target, reached)


def ranks(board: Leaderboard) -> list[tuple[int, int]]:
    return [(row.rank, row.standing.key) for row in board.ranked]


def test_equal_keys_share_a_rank_and_the_next_rank_skips() -> None:
    board = rank(
        [
            person(4, 5, 10),
            person(1, 12, 10),
            person(2, 8, 10),
            person(3, 8, 10),
        ]
    )
    assert ranks(board) == [(1, 1), (2, 2), (2, 3), (4, 4)]


def test_percent_then_achieved_then_who_reached_it_first() -> None:
    board = rank(
        [
            person(1, 10, 20, at(0)),  # 50%
            person(2, 5, 5, at(9)),  # 100% with 5
            person(3, 10, 10, at(9)),  # 100% with 10: more achieved wins
            person(4, 10, 10, at(3)),  # same, but got there earlier
        ]
    )
    assert ranks(board) == [(1, 4), (2, 3), (3, 2), (4, 1)]


def test_completion_is_the_floored_percent_people_see() -> None:
    # 1.998/2.000 and 999/1.000 both read 99,90%: a tie on completion, settled by the
    # count; 199/200 reads 99,50%, below them, though it rounds to the same whole 99%.
    board = rank([person(1, 999, 1000), person(2, 1998, 2000), person(3, 199, 200)])
    assert [row.standing.completion for row in board.ranked] == [9990, 9990, 9950]
    assert ranks(board) == [(1, 2), (2, 1), (3, 3)]


def test_names_order_a_shared_rank_without_breaking_it() -> None:
    board = rank([person(1, 3, 10, name="Trần Bình"), person(2, 3, 10, name="Lê An")])
    assert [(row.rank, row.standing.name) for row in board.ranked] == [
        (1, "Lê An"),
        (1, "Trần Bình"),
    ]


def test_nobody_started_yet_ties_last_after_those_who_did() -> None:
    board = rank([person(1, 0, 10, None), person(2, 0, 10, None), person(3, 1, 10)])
    assert ranks(board) == [(1, 3), (2, 1), (2, 2)]


def test_people_without_a_quota_are_listed_apart_by_count() -> None:
    board = rank(
        [
            person(1, 4, 10),
            person(2, 7, None, name="Phạm Hoa"),
            person(3, 7, None, name="Đỗ Mai"),
            person(4, 9, None),
            person(5, 2, 0),  # a target of 0 gives no percent: not ranked either
        ]
    )
    assert ranks(board) == [(1, 1)]
    assert [standing.key for standing in board.unranked] == [4, 3, 2, 5]


def test_line_of_finds_the_caller_ranked_or_not() -> None:
    board = rank([person(1, 4, 10), person(2, 7, None)])
    assert board.line_of(1) == RankedRow(1, person(1, 4, 10))
    assert board.line_of(2) == person(2, 7, None)
    assert board.line_of(3) is None


def thirty_people() -> Leaderboard:
    # Person k has 30 - k achieved of 30: ranks 1..30 in key order.
    return rank([person(key, 30 - key, 30) for key in range(30)])


def keys_of(shown: list[RankedRow | Gap]) -> list[int | str]:
    return [f"gap {item.hidden}" if isinstance(item, Gap) else item.standing.key for item in shown]


def test_window_is_the_top_ten_when_the_member_is_in_it() -> None:
    assert keys_of(window(thirty_people(), member_key=9)) == list(range(10))


def test_window_shows_the_neighbours_after_a_gap() -> None:
    shown = keys_of(window(thirty_people(), member_key=19))
    assert shown == [*range(10), "gap 7", 17, 18, 19, 20, 21]


def test_neighbours_touching_the_top_merge_without_a_gap() -> None:
    assert keys_of(window(thirty_people(), member_key=12)) == list(range(15))
    assert keys_of(window(thirty_people(), member_key=10)) == list(range(13))


def test_the_last_member_has_no_one_below() -> None:
    shown = keys_of(window(thirty_people(), member_key=29))
    assert shown == [*range(10), "gap 17", 27, 28, 29]


def test_window_of_a_short_board_or_an_unranked_member_is_the_top() -> None:
    short = rank([person(1, 1, 2), person(2, 3, None)])
    assert keys_of(window(short, member_key=2)) == [1]
    assert keys_of(window(thirty_people(), member_key=99, top=5)) == list(range(5))


# Province office 1 -> grassroots offices 2 and 3; 2 -> communes 4 and 5; 3 -> team 6.
UNITS = [
    Unit(1, None, "BHXH tỉnh Thanh Hóa"),
    Unit(2, 1, "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành"),
    Unit(3, 1, "BHXH tỉnh Thanh Hóa / BHXH cơ sở Sầm Sơn"),
    Unit(4, 2, "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Phường Hạc Thành"),
    Unit(5, 2, "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Phường Đông Sơn"),
    Unit(6, 3, "BHXH tỉnh Thanh Hóa / BHXH cơ sở Sầm Sơn / Tổ thu 1"),
]


def by_key(standings: list[Standing]) -> dict[int, tuple[str, int, int | None, int | None]]:
    return {s.key: (s.name, s.achieved, s.target, s.completion) for s in standings}


def test_units_add_up_their_subtree_and_fall_back_to_members_targets() -> None:
    standings = aggregate_units(
        scope_id=1,
        units=UNITS,
        credits=[Credit(4, 3, at(1)), Credit(5, 2, at(5)), Credit(6, 4, at(2))],
        unit_quotas={4: 10},  # commune 4 has a quota; nobody set one for 2, 3 or 5
        member_targets=[(5, 6), (5, 4), (6, 8), (4, 99)],
    )
    # Office 2: commune 4's own 10 (its member's 99 is not added again) + commune 5's 6 + 4.
    assert by_key(standings) == {
        2: ("BHXH cơ sở Hạc Thành", 5, 20, 2500),
        3: ("BHXH cơ sở Sầm Sơn", 4, 8, 5000),
    }
    assert {s.key: s.reached_at for s in standings} == {2: at(5), 3: at(2)}


def test_a_units_own_quota_wins_over_its_members() -> None:
    standings = aggregate_units(1, UNITS, [], {3: 30}, [(6, 8)])
    assert by_key(standings)[3] == ("BHXH cơ sở Sầm Sơn", 0, 30, 0)
    assert by_key(standings)[2] == ("BHXH cơ sở Hạc Thành", 0, None, None)


def test_a_moved_members_old_entries_stay_with_the_old_unit() -> None:
    # Lan logged 5 in commune 4, then moved to team 6 and logged 3 there. Each credit
    # carries the unit of its entry; her target now sits with team 6.
    credits = [Credit(4, 5, at(0)), Credit(6, 3, at(60))]
    standings = aggregate_units(1, UNITS, credits, {}, [(6, 10)])
    assert by_key(standings) == {
        2: ("BHXH cơ sở Hạc Thành", 5, None, None),
        3: ("BHXH cơ sở Sầm Sơn", 3, 10, 3000),
    }
    board = rank(standings)
    assert ranks(board) == [(1, 3)]
    assert [s.key for s in board.unranked] == [2]


def test_entries_of_the_scope_itself_or_outside_it_count_for_no_child() -> None:
    credits = [Credit(1, 7, at(0)), Credit(42, 9, at(0)), Credit(4, 1, at(0))]
    standings = aggregate_units(2, UNITS, credits, {}, [])
    assert {s.key: s.achieved for s in standings} == {4: 1, 5: 0}


def test_unit_rows_measure_each_program_apart_then_add_them_up() -> None:
    # TN: office 3 has a plan of 30 (its team's member has 8); YT: no plan, 12.
    tn = UnitBoardParts([Credit(6, 9, at(1))], {3: 30}, [(6, 8), (4, 5)])
    yt = UnitBoardParts([Credit(6, 3, at(4)), Credit(5, 2, at(2))], {}, [(6, 12)])
    rows = {row.standing.key: row for row in unit_rows(1, UNITS, [tn, yt])}
    assert by_key([rows[3].standing]) == {3: ("BHXH cơ sở Sầm Sơn", 12, 42, 2857)}
    assert rows[3].target == UnitTarget(42, TargetSource.PLAN, 20)
    assert rows[3].standing.reached_at == at(4)
    # Office 2: no plan in either program, members' 5 in TN only.
    assert by_key([rows[2].standing]) == {2: ("BHXH cơ sở Hạc Thành", 2, 5, 4000)}
    assert rows[2].target == UnitTarget(5, TargetSource.MEMBERS, 5)
    # One program alone: the same standings as aggregate_units.
    alone = [row.standing for row in unit_rows(1, UNITS, [tn])]
    assert alone == aggregate_units(1, UNITS, tn.credits, tn.unit_quotas, tn.member_targets)


def test_ties_and_the_unranked_read_in_vietnamese_alphabetical_order() -> None:
    names = ["Vũ Lan", "Đỗ Mai", "Dương Hà", "Ánh Nguyệt", "Bùi Tú", "Ân Hòa"]
    board = rank(
        [person(key, 0, 10, None, name) for key, name in enumerate(names)]
        + [person(10 + key, 1, None, name=name) for key, name in enumerate(names)]
    )
    expected = ["Ánh Nguyệt", "Ân Hòa", "Bùi Tú", "Dương Hà", "Đỗ Mai", "Vũ Lan"]
    assert [row.standing.name for row in board.ranked] == expected
    assert {row.rank for row in board.ranked} == {1}
    assert [standing.name for standing in board.unranked] == expected
