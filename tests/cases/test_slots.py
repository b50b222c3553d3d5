"""The case loop's pages offer slots; other apps fill them without the case loop knowing them:
a panel's variables are read once per page (once per board page for row panels), a panel with
nothing to say shows nothing, and its stylesheet joins the page's head."""

from __future__ import annotations

import pytest

from grassroots.cases import slots


@pytest.fixture
def registry(monkeypatch):
    """A registry of this test's own panels (the apps' real panels are put back afterwards)."""
    monkeypatch.setattr(slots, "_panels", {})
    return slots


@pytest.fixture
def panel_templates(settings, tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "row.html").write_text('<span class="t-row">{{ label }}·{{ case.code }}</span>')
    (tmp_path / "t" / "side.html").write_text('<p class="t-side">{{ note }}·{{ case.code }}</p>')
    (tmp_path / "t" / "main.html").write_text('<p class="t-main">{{ note }}</p>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]


def test_a_slot_must_exist_and_be_filled_the_way_it_is_read(registry):
    with pytest.raises(ValueError, match="no slot"):
        registry.register("board.footer", template="t/row.html", rows=lambda r, c: {})
    with pytest.raises(ValueError, match="per row"):
        registry.register(slots.BOARD_TITLE, template="t/row.html", context=lambda r, c: {})
    with pytest.raises(ValueError, match="per page"):
        registry.register(slots.CASE_SIDE, template="t/side.html", rows=lambda r, c: {})


def test_registering_a_template_again_replaces_it_and_order_decides(registry):
    registry.register(slots.CASE_SIDE, template="t/side.html", context=lambda r, c: {}, order=50)
    registry.register(slots.CASE_SIDE, template="t/main.html", context=lambda r, c: {}, order=10)
    registry.register(slots.CASE_SIDE, template="t/side.html", context=lambda r, c: {}, order=5)
    assert [p.template for p in registry.panels(slots.CASE_SIDE)] == ["t/side.html", "t/main.html"]


def test_case_page_shows_panels_that_have_something_and_their_stylesheet(registry, panel_templates, client_as,
                                                                        tree, new_case):
    case = new_case("A", title="楼道灯不亮")
    seen = []
    registry.register(slots.CASE_SIDE, template="t/side.html", stylesheet="test/side.css",
                      context=lambda request, c: seen.append(request.user.username) or {"note": "<b>建议</b>"})
    registry.register(slots.CASE_MAIN, template="t/main.html", context=lambda request, c: None)
    html = client_as(tree.user("community_worker_1")).get(f"/cases/{case.pk}/").content.decode()
    assert f'<p class="t-side">&lt;b&gt;建议&lt;/b&gt;·{case.code}</p>' in html  # escaped like any variable
    assert 't-main' not in html and 'href="/static/test/side.css"' in html
    assert seen == ["community_worker_1"]


def test_board_rows_are_read_once_per_page_and_only_filled_rows_show(registry, panel_templates, client_as, tree,
                                                                     new_case):
    first, second = new_case("A", title="一"), new_case("B", title="二")
    calls = []

    def rows(request, cases):
        calls.append(sorted(c.pk for c in cases))
        return {first.pk: {"label": "建议"}}

    registry.register(slots.BOARD_TITLE, template="t/row.html", rows=rows)
    html = client_as(tree.user("community_worker_1")).get("/cases/board/").content.decode()
    assert f'<span class="t-row">建议·{first.code}</span>' in html
    assert html.count('class="t-row"') == 1 and f'data-case="{second.code}"' in html
    assert calls == [sorted([first.pk, second.pk])]


def test_the_real_apps_fill_their_slots():
    """Routing and duplicates fill the slots from their AppConfig.ready; the case loop names neither."""
    filled = {slot: [p.template for p in slots.panels(slot)] for slot in slots.ROW_SLOTS + slots.PAGE_SLOTS}
    assert filled[slots.BOARD_TITLE] == ["routing/_board_cell.html"]
    assert filled[slots.BOARD_REASON] == ["duplicates/_board.html"]
    assert "routing/_case_card.html" in filled[slots.CASE_SIDE]
    assert "duplicates/_detail.html" in filled[slots.CASE_MAIN]
    assert filled[slots.TRACK] == ["duplicates/_merged_track.html"]
