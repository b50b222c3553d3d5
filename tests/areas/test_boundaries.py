import copy
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from grassroots.areas.geo import grid_locate
from grassroots.areas.models import Area
from grassroots.areas.selectors import grids_feature_collection
from grassroots.areas.services import grid_boundaries_import
from grassroots.core.models import AuditEntry
from tests.factories import square


def fc(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def feature(code: str, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": {"code": code}, "geometry": geometry}


def boundary_of(grid) -> dict:
    return Area.objects.get(pk=grid.pk).boundary


def test_import_replaces_boundaries_and_writes_audit(tree):
    a, root = tree.grid("A"), tree.user("root")
    smaller = square(110.701, 32.601, 0.008)
    result = grid_boundaries_import(feature_collection=fc(feature(a.code, smaller)), actor=root,
                                    scope_code=tree.district.code)
    assert result.updated == [a.code]
    assert boundary_of(a) == smaller
    entry = AuditEntry.objects.get(action="area.grid_boundaries_import")
    assert entry.actor == root and entry.district_code == "420303"
    assert entry.detail["updated"] == [a.code]
    # the lookup index follows the new boundary
    assert grid_locate(32.605, 110.705) == a
    with pytest.raises(ValueError, match="不在任何网格内"):
        grid_locate(32.6005, 110.7005)


def test_touching_borders_are_fine(tree):
    features = [feature(g.code, g.boundary) for g in tree.grids]
    result = grid_boundaries_import(feature_collection=fc(*features), actor=None, scope_code="")
    assert len(result.updated) == 8


def test_overlap_with_a_grid_not_in_the_file_is_refused_and_nothing_written(tree):
    a, b = tree.grid("A"), tree.grid("B")
    before = boundary_of(a)
    shifted = square(110.705, 32.60)  # half of it lies in grid B
    with pytest.raises(ValidationError) as info:
        grid_boundaries_import(feature_collection=fc(feature(a.code, shifted)),
                               actor=tree.user("community_worker_1"), scope_code=a.code)
    (message,) = info.value.messages
    assert f"网格“{a.name}”（{a.code}）与网格“{b.name}”（{b.code}）重叠约" in message
    assert "平方米" in message
    assert boundary_of(a) == before
    assert not AuditEntry.objects.filter(action="area.grid_boundaries_import").exists()


def test_overlap_between_two_features_of_the_file(tree):
    a, c = tree.grid("A"), tree.grid("C")
    with pytest.raises(ValidationError) as info:
        grid_boundaries_import(
            feature_collection=fc(feature(a.code, square(110.60, 32.50, 0.05)),
                                  feature(c.code, square(110.62, 32.52, 0.05))),
            actor=None, scope_code="")
    text = "\n".join(info.value.messages)
    assert a.code in text and c.code in text
    assert boundary_of(c) == tree.grid("C").boundary


BOWTIE = {"type": "Polygon", "coordinates": [[[110.7, 32.6], [110.71, 32.61], [110.71, 32.6],
                                              [110.7, 32.61], [110.7, 32.6]]]}


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (BOWTIE, "自相交"),
        ({"type": "Point", "coordinates": [110.7, 32.6]}, "应为 Polygon 或 MultiPolygon"),
        ({"type": "LineString", "coordinates": [[110.7, 32.6], [110.71, 32.6]]}, "应为 Polygon"),
        (square(32.6, 110.7), "超出经纬度范围"),  # lat/lng swapped
        ({"type": "Polygon", "coordinates": [[[110.7, 32.6], [110.71, 32.6], [110.7, 32.6]]]}, "点数太少"),
        ({"type": "Polygon", "coordinates": [[["a", 32.6], [110.71, 32.6], [110.71, 32.61], ["a", 32.6]]]},
         "格式错误"),
        ({"type": "Polygon", "coordinates": "oops"}, "格式错误"),
        ("not a geometry", "geometry 不是对象"),
    ],
)
def test_bad_geometry_is_refused(tree, geometry, message):
    a, b = tree.grid("A"), tree.grid("B")
    good = feature(b.code, square(110.711, 32.601, 0.008))
    with pytest.raises(ValidationError) as info:
        grid_boundaries_import(feature_collection=fc(good, feature(a.code, geometry)), actor=None,
                               scope_code="")
    (error,) = info.value.messages
    assert error.startswith(f"第2个要素（网格“{a.name}”，{a.code}）：")
    assert message in error
    assert boundary_of(b) == b.boundary  # the good feature was not written either


def test_file_structure_errors(tree):
    a = tree.grid("A")
    cases = [
        ({"type": "Feature"}, "不是 GeoJSON FeatureCollection"),
        (fc(), "没有任何要素"),
        (fc({"type": "Feature", "properties": {}, "geometry": a.boundary}), "缺少 properties.code"),
        (fc(feature("420303001001099", a.boundary)), "对应的网格不存在"),
        (fc(feature(tree.communities[0].code, a.boundary)), "是社区/村“测试社区1-1”，不是网格"),
        (fc(feature(a.code, a.boundary), feature(a.code, a.boundary)), "与第1个要素的网格编码重复"),
    ]
    for data, message in cases:
        with pytest.raises(ValidationError) as info:
            grid_boundaries_import(feature_collection=data, actor=None, scope_code="")
        assert message in "\n".join(info.value.messages), data


def test_import_is_limited_to_the_scope_and_to_the_actor(tree):
    worker, c = tree.user("community_worker_1"), tree.grid("C")
    with pytest.raises(PermissionDenied):  # community 2 is not theirs
        grid_boundaries_import(feature_collection=fc(feature(c.code, c.boundary)), actor=worker,
                               scope_code=tree.communities[1].code)
    with pytest.raises(ValidationError, match="不在“测试社区1-1”"):  # their community, another's grid
        grid_boundaries_import(feature_collection=fc(feature(c.code, c.boundary)), actor=worker,
                               scope_code=tree.communities[0].code)
    with pytest.raises(PermissionDenied):  # grid workers may look but not import
        grid_boundaries_import(feature_collection=fc(feature(tree.grid("A").code, tree.grid("A").boundary)),
                               actor=tree.user("grid_worker_A"), scope_code=tree.grid("A").code)
    with pytest.raises(PermissionDenied):  # no scope at all is for the command line / superusers
        grid_boundaries_import(feature_collection=fc(), actor=worker, scope_code="")


def test_export_round_trip(tree):
    community = tree.communities[0]
    data = grids_feature_collection(community)
    assert [f["properties"]["code"] for f in data["features"]] == [tree.grid("A").code, tree.grid("B").code]
    assert data["features"][0]["properties"]["community_name"] == community.name
    text = json.dumps(data, ensure_ascii=False)
    result = grid_boundaries_import(feature_collection=json.loads(text), actor=None, scope_code=community.code)
    assert result.updated == [tree.grid("A").code, tree.grid("B").code]
    assert grids_feature_collection(community) == data


def test_export_lists_grids_without_boundary_and_import_skips_them(tree):
    community = tree.communities[3]
    from grassroots.areas.services import area_create

    empty = area_create(name="待绘制网格", parent=community)
    data = grids_feature_collection(community, with_empty=True)
    assert data["features"][-1] == {
        "type": "Feature", "geometry": None,
        "properties": {"code": empty.code, "name": "待绘制网格", "community_code": community.code,
                       "community_name": community.name}}
    assert len(grids_feature_collection(community)["features"]) == 2
    drawn = copy.deepcopy(data)
    result = grid_boundaries_import(feature_collection=drawn, actor=None, scope_code=community.code)
    assert result.skipped == [empty.code]
    drawn["features"][-1]["geometry"] = square(110.80, 32.60)
    result = grid_boundaries_import(feature_collection=drawn, actor=None, scope_code=community.code)
    assert empty.code in result.updated
    assert grid_locate(32.605, 110.805) == empty


# --- commands -------------------------------------------------------------------------------------


def test_grid_locate_command(tree, capsys):
    call_command("grid_locate", "32.605", "110.705")
    out = capsys.readouterr().out.strip()
    assert out == f"{tree.grid('A').code}\t网格1\t张湾区 / 测试街道1 / 测试社区1-1 / 网格1"


@pytest.mark.parametrize(("lat", "lng", "message"), [
    ("32.5", "110.7", "不在任何网格内"), ("x", "110.7", "不是数字"), ("100", "110.7", "超出范围")])
def test_grid_locate_command_errors(tree, lat, lng, message):
    with pytest.raises(CommandError, match=message):
        call_command("grid_locate", lat, lng)


def test_export_and_import_commands(tree, tmp_path, capsys):
    street = tree.streets[0]
    out = tmp_path / "grids.geojson"
    call_command("export_grids", street.code, "-o", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["features"]) == 4
    data["features"][0]["geometry"] = square(110.701, 32.601, 0.005)
    out.write_text(json.dumps(data), encoding="utf-8")
    call_command("import_grids", str(out), "--area", street.code, "--actor", "street_admin_1")
    assert "已更新 4 个网格的边界" in capsys.readouterr().out
    assert boundary_of(tree.grid("A")) == square(110.701, 32.601, 0.005)
    assert AuditEntry.objects.get(action="area.grid_boundaries_import").actor == tree.user("street_admin_1")


def test_import_command_errors(tree, tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON：第1行"):
        call_command("import_grids", str(bad))
    bad.write_text(json.dumps(fc(feature(tree.grid("A").code, square(110.705, 32.60)))), encoding="utf-8")
    with pytest.raises(CommandError, match="重叠约"):
        call_command("import_grids", str(bad))
    with pytest.raises(CommandError, match="不存在"):
        call_command("import_grids", str(tmp_path / "missing.geojson"))
    with pytest.raises(CommandError, match="区域编码 999999 不存在"):
        call_command("export_grids", "999999")
