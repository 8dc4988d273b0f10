"""The `serlib` command: help for every subcommand, data info on fixture and stand-in corpora, splits, train."""
import json
import subprocess
import sys

import pytest

from serlib import settings
from serlib.cli import build_parser, main

SUBCOMMANDS = [["data", "info"], ["data", "download"], ["data", "synth"], ["splits"], ["models"], ["train"],
               ["leakage"], ["reproduce"], ["course"]]


@pytest.mark.parametrize("words", SUBCOMMANDS)
def test_every_subcommand_has_help(words, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(words + ["--help"])
    assert exit_info.value.code == 0
    assert "usage: serlib" in capsys.readouterr().out


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "serlib.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("serlib ")


def test_data_info_json_on_the_tiny_synthetic_corpus(tiny_synthetic, capsys):
    root, records = tiny_synthetic
    assert main(["data", "info", "synthetic", "--root", str(root), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["files"] == len(records) == 90 and info["speakers"] == 6 and info["emotions"] == 8
    assert info["speakers_by_gender"] == {"female": 3, "male": 3}
    assert sum(info["per_class"].values()) == 90
    assert info["duration_s"]["min"] == info["duration_s"]["max"] == 2.0


@pytest.mark.standin
@pytest.mark.parametrize("corpus,files,speakers,emotions", [("ravdess", 1434, 24, 8), ("emodb", 535, 10, 7)])
def test_data_info_reports_the_standins(corpus, files, speakers, emotions, capsys):
    root = settings.standin_root(corpus)
    if root is None:
        pytest.skip(f"{corpus} stand-in absent")
    assert main(["data", "info", corpus, "--root", str(root), "--json", "--no-durations"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["files"], info["speakers"], info["emotions"]) == (files, speakers, emotions)


def test_splits_command_writes_a_fold_list(tiny_synthetic, tmp_path, capsys):
    import pandas as pd

    root, _ = tiny_synthetic
    out = tmp_path / "folds.csv"
    assert main(["splits", "synthetic", "--protocol", "loso", "--root", str(root), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "6 fold(s), protocol loso, speaker-INDEPENDENT" in text
    folds = pd.read_csv(out)
    assert set(folds["subset"]) == {"train", "val", "test"}
    for _, fold in folds.groupby("fold"):
        assert not set(fold[fold.subset == "test"].speaker) & set(fold[fold.subset != "test"].speaker)


def test_train_command_end_to_end(tiny_synthetic, capsys):
    root, _ = tiny_synthetic
    code = main(["train", "--model", "small_cnn", "--corpus", "synthetic", "--root", str(root), "--protocol",
                 "speaker_kfold", "--epochs", "2", "--max-folds", "1", "--model-config", '{"width": 4}', "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    assert "fold1" in out and "WA" in out and "best_on_validation" in out


def test_bad_input_gives_a_clear_error_not_a_traceback(tmp_path, capsys):
    assert main(["data", "info", "emodb", "--root", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "serlib: error:" in err and "nowhere" in err and "does not exist" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["data", "info", "ravdess", "--root", str(empty)]) == 2
    assert "no ravdess audio files found" in capsys.readouterr().err
    assert main(["data", "download", "iemocap", "--root", str(tmp_path)]) == 2
    assert "IEMOCAP" in capsys.readouterr().err


def test_models_lists_the_registry(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for name in ("small_cnn", "fla_ser", "fla_ser_ablation", "lstm", "pure_fcn", "vgg3d"):
        assert name in out


def test_parser_knows_every_protocol():
    from serlib.data.splits import PROTOCOLS

    parser = build_parser()
    args = parser.parse_args(["splits", "emodb", "--protocol", "loso"])
    assert args.protocol in PROTOCOLS
