"""grassroots routing_evaluate: train on one labelled file, measure on another (JSON lines, CSV,
.xlsx), or cross-validate on one; broken files give a clear error and no traceback."""

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

SAMPLE = Path(__file__).resolve().parents[2] / "src/grassroots/routing/data/messages_labeled_sample.jsonl"
ROWS = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _run(*args) -> tuple[list[str], dict]:
    out = StringIO()
    call_command("routing_evaluate", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    return lines, json.loads(lines[-1])


@pytest.fixture
def split(tmp_path):
    train = _write_jsonl(tmp_path / "train.jsonl", [r for i, r in enumerate(ROWS) if i % 4])
    test = _write_jsonl(tmp_path / "test.jsonl", [r for i, r in enumerate(ROWS) if not i % 4])
    return train, test


def test_train_and_test_on_json_lines(split):
    train, test = split
    lines, result = _run("--train", str(train), "--test", str(test), "--json")
    assert any("准确率" in line for line in lines[:-1])  # readable lines before the JSON
    assert result["train_size"] == 183 and result["test_size"] == 61
    assert result["accuracy"] >= 0.8 and result["macro_f1"] >= 0.75
    assert set(result["per_class"]) == {r["label"] for r in ROWS}
    assert set(result["per_class"]["教育文体"]) == {"precision", "recall", "f1", "support"}
    assert sum(row["support"] for row in result["per_class"].values()) == 61
    confusion = result["confusion"]
    assert len(confusion["matrix"]) == len(confusion["labels"]) == 7
    assert sum(map(sum, confusion["matrix"])) == 61
    assert result["predictions_per_second"] > 0
    assert 0 <= result["calibration"]["ece"] <= 1


def test_without_json_prints_only_readable_lines(split):
    out = StringIO()
    call_command("routing_evaluate", "--train", str(split[0]), "--test", str(split[1]), stdout=out)
    assert "{" not in out.getvalue()


def _xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "留言主题", "留言详情", "一级分类"])
    for i, r in enumerate(rows):
        sheet.append([i, r["title"], r["body"], r["label"]])
    sheet.append([None, None, None, None])  # an empty row is skipped
    book.save(path)
    return path


def test_xlsx_with_own_column_names(tmp_path):
    train = _xlsx(tmp_path / "train.xlsx", [r for i, r in enumerate(ROWS) if i % 3])
    test = _xlsx(tmp_path / "test.xlsx", ROWS[::3])
    _, result = _run("--train", str(train), "--test", str(test), "--text-columns", "留言主题,留言详情",
                     "--label-column", "一级分类", "--json")
    assert result["train_size"] == len(ROWS) - len(ROWS[::3]) and result["test_size"] == len(ROWS[::3])
    assert result["accuracy"] > 0.8


def test_csv_train_file(tmp_path, split):
    path = tmp_path / "train.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "body", "label"])
        for i, r in enumerate(ROWS):
            if i % 4:
                writer.writerow([r["title"], r["body"], r["label"]])
    _, result = _run("--train", str(path), "--test", str(split[1]), "--json")
    assert result["train_size"] == 183 and result["accuracy"] >= 0.8


def test_cross_validation_on_one_file(tmp_path):
    small = _write_jsonl(tmp_path / "small.jsonl", ROWS[::2])
    lines, result = _run("--train", str(small), "--folds", "3", "--json")
    assert "3 折" in lines[0]
    assert 0.6 <= result["accuracy"] <= 1 and result["accuracy_sd"] >= 0
    assert result["train_size"] == result["test_size"] == len(ROWS[::2])
    assert sum(map(sum, result["confusion"]["matrix"])) == len(ROWS[::2])


def test_a_label_the_training_never_saw_is_reported(tmp_path, split):
    test = _write_jsonl(tmp_path / "odd.jsonl", ROWS[:5] + [{"title": "村里修路", "body": "", "label": "农村农业"}])
    lines, result = _run("--train", str(split[0]), "--test", str(test), "--json")
    assert result["unknown_labels"] == ["农村农业"] and result["per_class"]["农村农业"]["recall"] == 0
    assert any("农村农业" in line for line in lines[:-1])


@pytest.mark.parametrize(("content", "name", "message"), [
    (None, "missing.jsonl", "不存在"),
    ('{"title": "a", "body": "b", "label": "x"}\n{"title": "a", "label"\n', "bad.jsonl", "第 2 行不是有效的 JSON"),
    ('{"title": "a", "body": "b", "label": "x"}\n[1, 2]\n', "list.jsonl", "第 2 行不是 JSON 对象"),
    ('{"title": "a", "body": "b"}\n', "nolabel.jsonl", "第 1 行 缺少字段 label"),
    ('{"title": "a", "body": "b", "label": ""}\n', "empty.jsonl", "第 1 行 的 label 列为空"),
    ('{"title": "", "body": "", "label": "x"}\n', "notext.jsonl", "都为空"),
    ("title,body,类别\na,b,x\n", "header.csv", "表头缺少列 label"),
    ("title,body,label\n", "nodata.csv", "没有任何数据行"),
    ("whatever", "data.txt", "格式 .txt 不支持"),
    ("not a workbook", "fake.xlsx", "不是有效的 .xlsx"),
])
def test_broken_test_files_name_the_problem(tmp_path, split, content, name, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("routing_evaluate", "--train", str(split[0]), "--test", str(path), stdout=StringIO())
    assert message in str(caught.value) and name in str(caught.value)


def test_xlsx_row_with_empty_label_names_the_row(tmp_path, split):
    book = Workbook()
    book.active.append(["title", "body", "label"])
    book.active.append(["公交改线", "", "交通运输"])
    book.active.append(["医院排队", "太久", None])
    path = tmp_path / "rows.xlsx"
    book.save(path)
    with pytest.raises(CommandError, match="第 3 行.*label 列为空"):
        call_command("routing_evaluate", "--train", str(split[0]), "--test", str(path), stdout=StringIO())


def test_wrong_usage(tmp_path, split):
    one = _write_jsonl(tmp_path / "one.jsonl", [{"title": "a", "body": "", "label": "x"}] * 3)
    with pytest.raises(CommandError, match="只有 1 个类别"):
        call_command("routing_evaluate", "--train", str(one), "--folds", "2", stdout=StringIO())
    with pytest.raises(CommandError, match="--test"):
        call_command("routing_evaluate", "--train", str(split[0]), stdout=StringIO())
    with pytest.raises(CommandError, match="二选一"):
        call_command("routing_evaluate", "--train", str(split[0]), "--test", str(split[1]), "--folds", "3",
                     stdout=StringIO())


def test_command_line_error_exits_non_zero_without_traceback(tmp_path, split, capsys):
    from grassroots.routing.management.commands.routing_evaluate import Command

    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:  # what `grassroots routing_evaluate …` runs
        Command().run_from_argv(["grassroots", "routing_evaluate", "--train", str(split[0]), "--test", str(bad)])
    assert exited.value.code != 0
    err = capsys.readouterr().err
    assert "bad.jsonl 第 1 行不是有效的 JSON" in err and "Traceback" not in err
