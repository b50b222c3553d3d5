"""The assessment pages follow the language
(the spreadsheet stays Chinese, as every export does)."""


from tests.assessment.util import MARCH_Q, sheet_rows


def test_pages_in_english(client_as, tree, hand, settings):
    client = client_as(tree.user("community_worker_1"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/assessment/?{MARCH_Q}").content.decode()
    for words in ("demand-response assessment", "Composite score", "Response rate", "This month", "Rankings",
                  "Export to Excel", "Composite score = 0.1 × response rate + 0.5 × resolution rate"):
        assert words in html, words
    for words in ("综合得分", "响应率", "本月", "导出", "考核排名"):
        assert words not in html, words
    weights = client.get("/assessment/weights/").content.decode()
    assert "Only district administrators may change the weights" in weights
    content = client.get(f"/assessment/export.xlsx?{MARCH_Q}").content
    assert sheet_rows(content)[5][:2] == ["排名", "名称"]
