from grassroots.areas.models import Area
from grassroots.cases.models import Category


def test_tree_codes_are_materialized_paths(tree):
    street = tree.streets[0]
    under = Area.objects.under(street.code)
    assert under.filter(level="grid").count() == 4
    assert all(a.code.startswith(street.code) for a in under)
    assert tree.grid("A").code == "420303001001001"
    assert tree.households[0].code == "4203030010010010010001"


def test_default_taxonomy_is_loaded(db):
    assert Category.objects.filter(level=1).count() == 15
    assert Category.objects.filter(level=2).count() == 118
    assert Category.objects.filter(level=3).count() == 517


def test_home_page_in_chinese(client, tree):
    client.force_login(tree.user("grid_worker_A"))
    page = client.get("/")
    assert page.status_code == 200
    assert "工作台" in page.content.decode()
