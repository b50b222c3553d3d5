"""Party organisation tree, units with red property, seats and duties: pages and API."""


def test_party_tree_shows_five_levels_and_member_counts(client_as, world):
    html = client_as(world.tree.user("street_admin_1")).get("/orgs/party/").content.decode()
    for label in ("街道党工委(大工委)", "社区大党委", "网格(小区)党支部", "楼栋党小组"):
        assert label in html
    assert "测试街道1党工委" in html and "测试街道2党工委" not in html
    assert "网格A党支部" in html and "网格E党支部" not in html
    # street 1 holds grids A–D, each with one member: 4 in the street committee's subtree
    row = html.split("测试街道1党工委", 1)[1].split("</tr>", 1)[0]
    assert "<td>0</td>" in row and "<td>4</td>" in row
    assert "红色物业" in html  # 阳光物业党支部


def test_party_tree_for_community_worker(client_as, world):
    html = client_as(world.tree.user("community_worker_1")).get("/orgs/party/").content.decode()
    assert "测试社区1-1大党委" in html and "测试社区1-2大党委" not in html
    assert "测试街道1党工委" not in html
    assert "网格C党支部" not in html


def test_party_org_detail(client_as, world):
    client = client_as(world.tree.user("community_worker_1"))
    html = client.get(f"/orgs/party/{world.committees['c1'].pk}/").content.decode()
    assert "网格A党支部" in html and "网格B党支部" in html  # children
    assert "王经理" in html  # 兼职委员
    assert "测试街道1党工委" in html  # parent named, not linked
    assert f'href="/orgs/party/{world.committees["c1"].parent_id}/"' not in html
    html = client.get(f"/orgs/party/{world.branches['A'].pk}/").content.decode()
    assert world.party_members["A"].person.name in html
    assert world.party_members["A"].person.plain("phone") not in html


def test_units_list_filter_and_red_property(client_as, world):
    client = client_as(world.tree.user("street_admin_1"))
    html = client.get("/orgs/units/").content.decode()
    assert "阳光物业" in html and "和美物业" in html and "区住建局" not in html
    assert html.count('<span class="tag red">红色物业</span>') == 1
    html = client.get("/orgs/units/", {"kind": "department"}).content.decode()
    assert "阳光物业" not in html
    html = client.get("/orgs/units/", {"red": "1"}).content.decode()
    assert "阳光物业" in html and "和美物业" not in html
    html = client.get("/orgs/units/", {"kind": "nonsense"}).content.decode()
    assert "阳光物业" in html  # unknown kind is ignored on the page


def test_unit_detail_seats_and_duties(client_as, world):
    prop = world.units["c1"]
    html = client_as(world.tree.user("community_worker_1")).get(f"/orgs/units/{prop.pk}/").content.decode()
    assert "红色物业" in html and "王经理" in html and "阳光物业党支部" in html
    dept = world.units["district"]
    html = client_as(world.tree.user("dept_handler")).get(f"/orgs/units/{dept.pk}/").content.decode()
    assert world.duty.category.name in html and "负责房屋安全" in html


def test_dept_handler_sees_own_unit_only(client_as, world):
    client = client_as(world.tree.user("dept_handler"))
    assert [u["name"] for u in client.get("/api/orgs/units").json()["items"]] == ["区住建局"]
    assert client.get("/api/orgs/party").json()["count"] == 0
    assert "无权查看党组织" in client.get("/orgs/party/").content.decode()


def test_api_party_and_units(client_as, world):
    client = client_as(world.tree.user("community_worker_1"))
    orgs = client.get("/api/orgs/party", {"page_size": 100}).json()["items"]
    by_name = {o["name"]: o for o in orgs}
    assert by_name["网格A党支部"]["member_count"] == 1
    assert by_name["阳光物业党支部"]["is_red_property"] is True
    assert "测试社区1-2大党委" not in by_name
    detail = client.get(f"/api/orgs/party/{world.committees['c1'].pk}").json()
    assert {c["name"] for c in detail["children"]} >= {"网格A党支部", "网格B党支部"}
    assert detail["seats"][0]["holder"] == "王经理"
    level = client.get("/api/orgs/party", {"level": "grid_branch"}).json()["items"]
    assert {o["level"] for o in level} == {"grid_branch"}
    units = client.get("/api/orgs/units", {"kind": "property"}).json()["items"]
    assert [u["name"] for u in units] == ["阳光物业"] and units[0]["is_red_property"] is True
    assert client.get("/api/orgs/units", {"kind": "nonsense"}).json()["count"] == 0
    unit = client_as(world.tree.user("district_admin")).get(f"/api/orgs/units/{world.units['district'].pk}").json()
    assert unit["duties"][0]["note"] == "负责房屋安全"
    assert unit["duties"][0]["area_code"] == world.tree.district.code


def test_escaping_in_org_pages(client_as, world):
    org = world.branches["A"]
    org.name = "<b>坏</b>"
    org.save()
    html = client_as(world.tree.user("grid_worker_A")).get("/orgs/party/").content.decode()
    assert "<b>坏</b>" not in html and "&lt;b&gt;坏&lt;/b&gt;" in html
