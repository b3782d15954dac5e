"""The network graph's layout: the same network gives the same picture, and 55 partners
keep their labels apart."""
import math

from partners.domain.layout import layout
from partners.domain.network import Edge, Node, co_organised_share, months_back, new_per_month

KINDS = ("association", "school", "parish", "business", "municipal_service", "social_service", "health",
         "club", "other")


def network(count: int, events: int = 6):
    partners = [Node(f"partner:{n}", f"Organisation numéro {n:02d}", "partner", KINDS[n % 9], "active")
                for n in range(count)]
    activities = [Node(f"event:{n}", f"Papotage {n}", "event") for n in range(events)]
    edges = [Edge(f"partner:{n}", f"partner:{(n * 7) % count}", "works_with", "commune") for n in range(0, count, 3)]
    edges += [Edge(f"partner:{n}", f"event:{n % events}", "involved", "events") for n in range(0, count, 4)]
    return partners, activities, edges


def test_the_same_network_gives_the_same_picture_whatever_the_order_it_comes_in():
    partners, activities, edges = network(30)
    first = layout(partners, activities, edges)
    second = layout(partners[::-1], activities[::-1], edges[::-1])
    assert first == second


def test_55_partners_sit_far_enough_apart_for_their_12px_labels_and_inside_the_picture():
    partners, activities, edges = network(55)
    drawn = layout(partners, activities, edges)
    placed = [p for p in drawn.nodes if p.node.group == "partner"]
    assert len(placed) == 55
    closest = min(math.dist((a.x, a.y), (b.x, b.y)) for i, a in enumerate(placed) for b in placed[i + 1:])
    assert closest >= 16
    assert all(0 <= p.x <= drawn.size and 0 <= p.y <= drawn.size for p in drawn.nodes)
    assert len(drawn.edges) == len(edges)


def test_labels_read_left_to_right_on_both_halves_of_the_ring():
    partners, _activities, _edges = network(20, 1)
    for placed in layout(partners, [], []).nodes:
        assert not 90 < placed.rotate < 270  # never upside down


def test_long_names_are_shortened_on_the_drawing():
    drawn = layout([Node("partner:1", "Association jurassienne pour la promotion de la vie de village",
                         "partner", "association", "active")], [], [])
    assert drawn.nodes[0].label.endswith("…") and len(drawn.nodes[0].label) <= 30


def test_the_share_of_co_organised_events_counts_events_with_a_partner():
    edges = [Edge("partner:1", "event:a", "involved", "events"), Edge("partner:2", "event:a", "involved", "commune")]
    assert co_organised_share(["a", "b"], edges) == (1, 2, 0.5)
    assert co_organised_share([], edges) == (0, 0, None)


def test_new_partners_are_counted_over_the_last_twelve_months():
    from datetime import date
    months = new_per_month([date(2026, 5, 1), date(2026, 5, 20), date(2025, 6, 3), date(2024, 1, 1)], date(2026, 5, 4))
    assert len(months) == 12 and months[0][:2] == (2025, 6) and months[-1] == (2026, 5, 2)
    assert months[0][2] == 1
    assert months_back(date(2026, 1, 15), 2) == [(2025, 12), (2026, 1)]
