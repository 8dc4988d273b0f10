"""results/<paper>/claims.csv: the committed claim audits agree with the code that computes them."""
import csv

import pytest

from serlib import settings
from serlib.experiments.audit import CLAIMS_COLUMNS, PAPER_AUDITS, VERDICTS, paper_verdicts, write_claims


@pytest.mark.parametrize("paper", sorted(PAPER_AUDITS))
def test_committed_claims_are_not_stale(paper, tmp_path):
    def verdicts(path):  # every column but the revision that wrote the file
        return [{k: v for k, v in row.items() if k != "revision"} for row in csv.DictReader(open(path))]

    fresh = write_claims(paper, tmp_path)
    committed = settings.REPO_ROOT / "results" / paper / "claims.csv"
    assert verdicts(committed) == verdicts(fresh), (
        f"{committed} differs from the audit in serlib.experiments.{paper}_paper: "
        "run `python -m serlib.experiments.audit`")


@pytest.mark.parametrize("paper", sorted(PAPER_AUDITS))
def test_every_claim_has_a_verdict_and_evidence(paper):
    rows = list(csv.DictReader(open(settings.REPO_ROOT / "results" / paper / "claims.csv")))
    assert rows and tuple(rows[0]) == CLAIMS_COLUMNS
    for row in rows:
        assert row["verdict"] in VERDICTS and row["claim"] and row["where"] and row["evidence"]


def test_unknown_paper_is_named():
    with pytest.raises(KeyError, match="no claim audit"):
        paper_verdicts("fla_ser_v2")
