"""Typed results and the writer registry: one quantity field list read by every output."""

import csv
import io
import json

import pytest

from govtag.core.errors import UsageError
from govtag.outputs.formats import CSV_COLUMNS, FORMATS, analyse, render
from govtag.outputs.results import CONTEXT_FIELDS, META_FIELDS, QUANTITY_FIELDS, Quantity, ReportResult
from govtag.rules.tagger import tag_document
from govtag.outputs.view import render_page
from govtag.outputs.writers import Output, register_writer, writer

TEXT = "一、工作回顾\n全年完成投资约2.5亿元，同比增长12%。新建道路5公里。\n二、下步打算\n力争每年新增就业300人。\n"


@pytest.fixture(scope="module")
def doc():
    return tag_document(TEXT, "r1")


def test_a_result_is_typed_and_its_dict_is_what_analyse_gives(doc):
    result = ReportResult.of(doc)
    assert all(isinstance(q, Quantity) for q in result.quantities) and result.quantities
    assert result.as_dict() == analyse(doc)
    assert list(result.as_dict()["quantities"][0]) == list(QUANTITY_FIELDS)


def test_every_output_reads_the_one_field_list(doc):
    results = [analyse(doc)]
    rows = list(csv.DictReader(io.StringIO(render(results, [doc], "csv", "m"))))
    assert tuple(rows[0]) == CSV_COLUMNS == ("doc_id", "layer", *QUANTITY_FIELDS, "offsets")
    tasks = json.loads(render(results, [doc], "labelstudio", "m"))
    metas = [item["meta"] for item in tasks[0]["predictions"][0]["result"] if "meta" in item]
    assert metas and all(set(meta) == {"text", *META_FIELDS} for meta in metas)
    page = render_page([{**results[0], "text": doc.text}])
    assert all(f"<th>{key}</th>" in page for key in CONTEXT_FIELDS)


def test_a_registered_writer_is_a_format(doc):
    @register_writer("ids", command="test")
    def ids(output: Output) -> str:
        return ",".join(r["doc_id"] for r in output.results)

    assert writer("ids", "test").write(Output([analyse(doc)])) == "r1"
    assert FORMATS == ("json", "jsonl", "csv", "labelstudio", "parquet")
    with pytest.raises(UsageError, match="unknown format 'xml' .*known: json, jsonl"):
        render([], [], "xml", "m")
