"""Reliability: each fault class of the reliability issue, reproduced and shown handled.

Classes: silent data loss in the corpus walk; duplicates leaking into test sets;
half-written results counted as done; bad cache entries; tracebacks from the
command line; interrupted training; misread numbers; quick runs writing into the
committed results. Every test builds its own tiny data in tmp_path.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from serlib import settings
from serlib.audio import save_audio
from serlib.cli import build_parser, main
from serlib.data import CorpusReadError, DuplicateUtteranceError, Record, load_corpus
from serlib.data.records import walk_audio_files
from serlib.data.splits import UtteranceLeakageError, check_no_shared_utterance, make_splits
from serlib.features.cache import CacheEntryWarning, FeatureCache, cached_map
from serlib.results import Provenance, ResultsError, read_results, rows_from_summary, write_results
from serlib.safeio import atomic_write, content_fingerprint

REPO = Path(__file__).resolve().parent.parent
RAVDESS_STEMS = ["03-01-01-01-01-01-{a}", "03-01-03-02-01-01-{a}", "03-01-05-01-02-02-{a}"]


def clip(path: Path, suffix_seed: str = "") -> Path:
    """A 20 ms noise clip whose samples depend on its file name (distinct files, distinct audio)."""
    rng = np.random.default_rng(zlib.crc32((path.name + suffix_seed).encode()))
    return save_audio(path, 0.01 * rng.standard_normal(320), 16000)


def ravdess_tree(base: Path, actors, stems=RAVDESS_STEMS) -> Path:
    for actor in actors:
        for stem in stems:
            clip(base / f"Actor_{actor}" / (stem.format(a=actor) + ".wav"))
    return base


def no_dac_command() -> list[str] | None:
    """A prefix that runs a command as root WITHOUT the capability to ignore file permissions,
    so a chmod 000 folder is really unreadable (root reads anything otherwise)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"]


# =========================================================================== 1. silent data loss
def test_symlinked_actor_folders_are_walked(tmp_path, capsys):
    root = ravdess_tree(tmp_path / "ravdess", ["02", "03"])
    elsewhere = ravdess_tree(tmp_path / "elsewhere", ["04", "06"])
    for actor in ("04", "06"):
        (root / f"Actor_{actor}").symlink_to(elsewhere / f"Actor_{actor}", target_is_directory=True)
    records = load_corpus("ravdess", root)
    assert len(records) == 12 and {r.speaker for r in records} == {"02", "03", "04", "06"}
    assert main(["data", "info", "ravdess", "--root", str(root), "--json", "--no-durations"]) == 0
    assert '"files": 12' in capsys.readouterr().out


def test_symlink_loops_are_not_followed_and_broken_links_are_reported(tmp_path):
    root = ravdess_tree(tmp_path / "ravdess", ["01"])
    (root / "Actor_01" / "again").symlink_to(root, target_is_directory=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert len(load_corpus("ravdess", root)) == 3
    assert any("loop" in str(w.message) for w in caught)
    (root / "Actor_01" / "03-01-02-01-01-01-01.wav").symlink_to(tmp_path / "gone.wav")
    with pytest.raises(CorpusReadError, match="broken symbolic link"):
        load_corpus("ravdess", root)
    assert len(load_corpus("ravdess", root, allow_unreadable=True)) == 3


def test_an_unreadable_actor_folder_fails_naming_it(tmp_path):
    prefix = no_dac_command()
    if prefix is None:
        pytest.skip("running as root without setpriv: cannot make a folder unreadable")
    root = ravdess_tree(tmp_path / "ravdess", ["01", "02"])
    locked = root / "Actor_02"
    locked.chmod(0)
    env = dict(os.environ, PYTHONPATH=str(REPO), SERLIB_CACHE=str(tmp_path / "cache"))
    # one interpreter for both commands (starting Python twice costs more than the test)
    script = ("import sys; from serlib.cli import main; argv = ['data', 'info', 'ravdess', '--root', sys.argv[1], "
              "'--no-durations']; code = main(argv); print('CODE', code, flush=True); "
              "print('CODE', main(argv + ['--allow-unreadable']), flush=True)")
    try:
        run = subprocess.run(prefix + [sys.executable, "-c", script, str(root)], capture_output=True, text=True,
                             env=env, timeout=120)
    finally:
        locked.chmod(0o755)
    codes = [line.split()[1] for line in run.stdout.splitlines() if line.startswith("CODE")]
    assert codes == ["2", "0"], run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert f"{locked}: folder could not be read" in run.stderr and "--allow-unreadable" in run.stderr
    assert "files     3" in run.stdout and "NOT READ" in run.stdout


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=st.lists(st.tuples(st.integers(1, 3), st.booleans()), min_size=1, max_size=5))
def test_property_the_walk_finds_every_file_whatever_is_linked(tmp_path_factory, layout):
    """Any mix of real and symlinked actor folders: every file is found, each once."""
    base = tmp_path_factory.mktemp("walk")
    root, store = base / "root", base / "store"
    expected = 0
    for number, (files, linked) in enumerate(layout, start=1):
        actor = f"{number:02d}"
        stems = RAVDESS_STEMS[:files]
        ravdess_tree(store if linked else root, [actor], stems)
        if linked:
            root.mkdir(exist_ok=True)
            (root / f"Actor_{actor}").symlink_to(store / f"Actor_{actor}", target_is_directory=True)
        expected += files
    files, problems, _ = walk_audio_files(root)
    assert len(files) == len(set(files)) == expected and not problems
    assert len(load_corpus("ravdess", root)) == expected


# =========================================================================== 2. duplicates
def test_the_same_utterance_twice_is_refused(tmp_path):
    root = ravdess_tree(tmp_path / "ravdess", ["01", "02"])
    copy = root / "backup" / "Actor_01"
    shutil.copytree(root / "Actor_01", copy)
    with pytest.raises(DuplicateUtteranceError, match="3 duplicated utterance"):
        load_corpus("ravdess", root)
    kept = load_corpus("ravdess", root, allow_duplicates=True)
    assert len(kept) == 6 and not any("backup" in r.path for r in kept)


def test_a_wav_beside_its_flac_and_a_renamed_copy_are_refused(tmp_path):
    root = ravdess_tree(tmp_path / "ravdess", ["01"])
    wav = root / "Actor_01" / "03-01-01-01-01-01-01.wav"
    clip(wav.with_suffix(".flac"), "other bytes")  # same utterance id, other encoding
    with pytest.raises(DuplicateUtteranceError, match="03-01-01-01-01-01-01.flac"):
        load_corpus("ravdess", root)
    wav.with_suffix(".flac").unlink()
    shutil.copy(wav, root / "Actor_01" / "03-01-08-02-02-02-01.wav")  # same bytes under another name
    with pytest.raises(DuplicateUtteranceError, match="same audio bytes"):
        load_corpus("ravdess", root)


def test_random_kfold_never_splits_two_copies_of_one_file(tmp_path):
    """Copies that slip past loading (records joined by hand) stay on one side of every fold."""
    root = ravdess_tree(tmp_path / "ravdess", ["01", "02", "03", "04"])
    records = load_corpus("ravdess", root)
    copies = [Record(r.path.replace("Actor_", "Copy_"), r.corpus, r.speaker, r.gender, r.emotion, r.label,
                     r.extra, fingerprint=r.fingerprint) for r in records[:6]]
    for split in make_splits(records + copies, "random_kfold", seed=3, k=3):
        sides = {}
        for subset in ("train", "val", "test"):
            for i in split.subset(subset):
                sides.setdefault((records + copies)[i].fingerprint, set()).add(subset)
        assert all(len(s) == 1 for s in sides.values())


def test_the_partition_check_compares_utterances_not_indices():
    a = Record("/x/Actor_01/03-01-01-01-01-01-01.wav", "ravdess", "01", "male", "neutral", "neutral",
               fingerprint="f1")
    b = Record("/y/Actor_01/03-01-01-01-01-01-01.flac", "ravdess", "01", "male", "neutral", "neutral",
               fingerprint="f2")
    c = Record("/x/Actor_01/03-01-02-01-01-01-01.wav", "ravdess", "01", "male", "calm", "calm", fingerprint="f1")
    from serlib.data.splits import Split

    for pair in ([a, b], [a, c]):
        split = Split("random_kfold", "fold1", np.array([0]), np.array([], dtype=np.int64), np.array([1]), False)
        with pytest.raises(UtteranceLeakageError):
            check_no_shared_utterance(split, pair)


@hsettings(max_examples=30, deadline=None)
@given(n=st.integers(40, 80), dup_pairs=st.integers(0, 5), seed=st.integers(0, 1000),
       protocol=st.sampled_from(["random_kfold", "stratified_80_10_10", "random_90_10"]))
def test_property_no_fingerprint_or_identity_in_two_subsets(n, dup_pairs, seed, protocol):
    labels = ["neutral", "happy", "sad", "angry"]
    rng = np.random.default_rng(seed)
    records = [Record(f"/x/{i:03d}.wav", "toy", f"{i % 4:02d}", "female" if i % 2 else "male",
                      labels[int(rng.integers(4))], labels[int(rng.integers(4))], fingerprint=f"fp{i}")
               for i in range(n)]
    for j in range(min(dup_pairs, n // 2)):  # later records made byte-copies of earlier ones
        records[n - 1 - j] = Record(records[n - 1 - j].path, "toy", records[n - 1 - j].speaker, "male",
                                    records[n - 1 - j].emotion, records[n - 1 - j].label, fingerprint=f"fp{j}")
    for split in make_splits(records, protocol, seed=seed, k=3):
        check_no_shared_utterance(split, records)


# =========================================================================== 3. results files
def rows(table="t", value=0.5, config="abc", n_rows=3):
    prov = Provenance(corpus="synthetic", protocol="loso", speaker_independent=True, mode="full", device="cpu",
                      config_hash=config)
    summary = {m: {"mean": value, "std": 0.0, "n": 1} for m in ("WA", "UA", "macro_F1")[:n_rows]}
    return rows_from_summary(summary, paper="p", table=table, row="r", provenance=prov)


def test_an_interrupted_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    import pandas as pd

    path = write_results(rows(value=0.5), "p", "t", root=tmp_path)
    before = path.read_bytes()
    real = pd.DataFrame.to_csv

    def interrupted(self, handle, **kwargs):
        real(self.head(0), handle, **kwargs)  # the header is out ...
        raise KeyboardInterrupt  # ... when the user presses Ctrl-C

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_results(rows(value=0.9), "p", "t", root=tmp_path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["t.csv"]  # no temporary file left behind


def test_a_short_or_unreadable_results_file_is_not_done(tmp_path):
    from serlib.experiments.harness import already_done
    from serlib.results import git_revision

    path = write_results(rows(), "p", "t", root=tmp_path)
    revision = git_revision()
    assert already_done(path, "abc", revision)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])  # cut in the last row
    with pytest.warns(UserWarning, match="2 of the 3 rows|cut short"):
        assert not already_done(path, "abc", revision)
    path.write_text(lines[0])  # header only
    assert not already_done(path, "abc", revision)
    path.write_bytes(b"\x00\xff garbage\n\"unterminated")
    with pytest.warns(UserWarning, match="unreadable results file"):
        assert not already_done(path, "abc", revision)
    with pytest.raises(ResultsError, match="unreadable"):
        read_results(path)


def test_atomic_write_keeps_the_old_file_on_error(tmp_path):
    target = tmp_path / "fold_list.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_write(target, "w") as handle:
            handle.write("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old\n" and list(tmp_path.iterdir()) == [target]


# =========================================================================== 4. cache entries
@pytest.fixture
def audio(tmp_path):
    return clip(tmp_path / "a.wav")


def compute(path):
    return np.full((2, 3), float(len(Path(path).read_bytes()) % 97), dtype=np.float32)


@pytest.mark.parametrize("damage", ["zero_bytes", "nan", "wrong_shape", "wrong_dtype", "not_npy"])
def test_a_bad_cache_entry_is_recomputed_with_a_warning(tmp_path, audio, damage):
    cache = FeatureCache("toy", {"v": 1}, tmp_path / "cache")
    good = cache.get_or_compute(audio, compute)
    entry = cache._entry(audio)
    if damage == "zero_bytes":
        entry.write_bytes(b"")
    elif damage == "not_npy":
        entry.write_bytes(b"garbage that is not an array")
    else:
        bad = {"nan": np.full((2, 3), np.nan, np.float32), "wrong_shape": np.zeros((3, 2), np.float32),
               "wrong_dtype": np.zeros((2, 3), np.float64)}[damage]
        with open(entry, "wb") as handle:
            np.save(handle, bad)
    for _ in range(2):  # the first run repairs the entry; the next one reads it
        fresh = FeatureCache("toy", {"v": 1}, tmp_path / "cache")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = fresh.get_or_compute(audio, compute)
        np.testing.assert_array_equal(value, good)
    assert fresh.hits == 1 and not caught


def test_replaced_audio_with_the_same_size_and_time_is_not_served_stale(tmp_path):
    path = clip(tmp_path / "a.wav")
    first = cached_map([path], "toy-content", {"v": 1}, lambda p: np.frombuffer(Path(p).read_bytes()[-8:], np.uint8)
                       .astype(np.float32), root=tmp_path / "cache")[0]
    stat = path.stat()
    clip(path, "new take")  # same length, other samples
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    second = cached_map([path], "toy-content", {"v": 1}, lambda p: np.frombuffer(Path(p).read_bytes()[-8:], np.uint8)
                        .astype(np.float32), root=tmp_path / "cache")[0]
    assert not np.array_equal(first, second)


def test_content_fingerprint_reads_only_the_ends_of_a_large_file(tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(b"a" * (3 << 20))
    before = content_fingerprint(big)
    with open(big, "r+b") as handle:  # a change in the middle: not seen, by design (cheap key)
        handle.seek(1 << 20)
        handle.write(b"b")
    same_middle = content_fingerprint(big)
    with open(big, "r+b") as handle:
        handle.seek(-1, os.SEEK_END)
        handle.write(b"c")
    assert same_middle == before != content_fingerprint(big)


# =========================================================================== 5. command line
@pytest.fixture(scope="module")
def cli_env(tiny_synthetic, tmp_path_factory):
    base = tmp_path_factory.mktemp("cli")
    regular = base / "a_file"
    regular.write_text("not a folder\n")
    return tiny_synthetic[0], regular, base


def bad_values(root, regular, base) -> dict:
    """(command, option) -> (argv, bad value): a bad value for every option of every subcommand."""
    tiny = ["--root", str(root)]
    train = ["train", *tiny, "--epochs", "1", "--max-folds", "1", "--quiet", "--model-config", '{"width": 2}',
             "--checkpoint-dir", str(base / "ck")]
    splits = ["splits", "synthetic", "--protocol", "loso", *tiny]
    return {
        ("data info", "corpus"): (["data", "info", "nocorpus"], "nocorpus"),
        ("data info", "root"): (["data", "info", "ravdess", "--root", str(base / "nowhere")], "nowhere"),
        ("data download", "corpus"): (["data", "download", "nocorpus", "--root", str(base)], "nocorpus"),
        ("data download", "root"): (["data", "download", "ravdess", "--root", f"emodb={base}"], "emodb"),
        ("data synth", "out"): (["data", "synth", "--out", str(regular)], str(regular)),
        ("data synth", "speakers"): (["data", "synth", "--out", str(base / "s"), "--speakers", "0"], "--speakers"),
        ("data synth", "seed"): (["data", "synth", "--out", str(base / "s"), "--seed", "-1"], "--seed"),
        ("splits", "corpus"): (["splits", "nocorpus", "--protocol", "loso"], "nocorpus"),
        ("splits", "protocol"): (["splits", "synthetic", "--protocol", "nope", *tiny], "nope"),
        ("splits", "root"): (["splits", "synthetic", "--protocol", "loso", "--root", str(base / "nowhere")],
                             "nowhere"),
        ("splits", "seed"): ([*splits, "--seed", "x"], "--seed"),
        ("splits", "k"): ([*splits, "--k", "0"], "--k"),
        ("splits", "out"): ([*splits, "--out", str(regular / "folds.csv")], str(regular)),
        ("splits", "allow_unreadable"): None, ("splits", "allow_duplicates"): None,
        ("train", "model"): ([*train, "--model", "nomodel"], "nomodel"),
        ("train", "corpus"): ([*train, "--corpus", "nocorpus"], "nocorpus"),
        ("train", "root"): ([*train, "--root", str(base / "nowhere")], "nowhere"),
        ("train", "protocol"): ([*train, "--protocol", "nope"], "nope"),
        ("train", "front_end"): ([*train, "--front-end", "nope"], "nope"),
        ("train", "epochs"): ([*train, "--epochs", "0"], "--epochs"),
        ("train", "batch_size"): ([*train, "--batch-size", "0"], "--batch-size"),
        ("train", "lr"): ([*train, "--lr", "-1"], "--lr"),
        ("train", "patience"): ([*train, "--patience", "0"], "--patience"),
        ("train", "seeds"): ([*train, "--seeds", "0", "0", "0"], "--seeds"),
        ("train", "max_folds"): ([*train, "--max-folds", "-1"], "--max-folds"),
        ("train", "device"): ([*train, "--device", "tpu"], "--device"),
        ("train", "model_config"): ([*train, "--model-config", '{"bogus": 1}'], "bogus"),
        ("train", "mode"): ([*train, "--mode", "medium"], "medium"),
        ("train", "checkpoint_dir"): ([*train, "--checkpoint-dir", str(regular / "ck")], str(regular)),
        ("leakage", "corpus"): (["leakage", "--corpus", "cremad"], "cremad"),
        ("leakage", "root"): (["leakage", "--root", str(base / "nowhere")], "nowhere"),
        ("leakage", "mode"): (["leakage", "--mode", "medium"], "medium"),
        ("reproduce", "paper"): (["reproduce", "nopaper"], "nopaper"),
        ("reproduce", "tables"): (["reproduce", "fla_ser", "tableX"], "tableX"),
        ("reproduce", "root"): (["reproduce", "fla_ser", "--root", f"synthetic={base / 'nowhere'}"], "nowhere"),
        ("reproduce", "mode"): (["reproduce", "fla_ser", "--mode", "medium"], "medium"),
        ("reproduce", "device"): (["reproduce", "fla_ser", "--device", "tpu"], "--device"),
        ("reproduce", "results"): (["reproduce", "fla_ser", "--results", str(regular / "r")], str(regular)),
        ("reproduce", "figures"): (["reproduce", "fla_ser", "--figures", str(regular / "f")], str(regular)),
        ("reproduce", "executor"): (["reproduce", "fla_ser", "--executor", "slurm"], "slurm"),
        ("reproduce", "jobs"): (["reproduce", "fla_ser", "--jobs", "0"], "--jobs"),
        ("reproduce", "threads_per_job"): (["reproduce", "fla_ser", "--threads-per-job", "-2"], "--threads-per-job"),
        ("reproduce", "address"): (["reproduce", "fla_ser", "--address", "10.0.0.1:6379"], "--address"),
        ("reproduce", "budget_min"): (["reproduce", "fla_ser", "--budget-min", "0"], "--budget-min"),
        ("reproduce", "corpora"): (["reproduce", "fla_ser", "--corpora", "nocorpus"], "nocorpus"),
        ("reproduce", "protocols"): (["reproduce", "fla_ser", "--protocols", "mine"], "mine"),
        ("reproduce", "reuse_jobs_from"): (["reproduce", "fla_ser", "--reuse-jobs-from", "0000000"], "0000000"),
        ("course", "build"): (["course", "--build", str(regular / "b")], str(regular)),
        ("course", "only"): (["course", "--only", "zzz_no_such_notebook"], "zzz_no_such_notebook"),
    }


def subcommands(parser=None, prefix=""):
    """(command words, subparser) for every leaf subcommand."""
    parser = parser or build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from subcommands(child, f"{prefix} {name}".strip())
            return
    yield prefix, parser


def valued_options(parser):
    return [a for a in parser._actions if a.nargs != 0 and not isinstance(a, (argparse._HelpAction,
                                                                               argparse._VersionAction))]


def test_every_option_of_every_subcommand_has_a_bad_value_test(cli_env):
    table = bad_values(*cli_env)
    missing = [(cmd, a.dest) for cmd, sub in subcommands() for a in valued_options(sub) if (cmd, a.dest) not in table]
    assert not missing, f"add a bad value for {missing}"


def test_every_subcommand_with_a_bad_value_of_every_option_fails_in_one_line(cli_env, capsys, monkeypatch):
    monkeypatch.setenv("SERLIB_CACHE", str(cli_env[2] / "cache"))
    monkeypatch.setenv("SERLIB_NO_STANDIN", "1")
    for (command, option), case in bad_values(*cli_env).items():
        if case is None:
            continue
        argv, named = case
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse's own refusal
            code = stop.code
        err = capsys.readouterr().err
        assert code == 2, f"{command} {option}: exit {code}\n{err}"
        assert "Traceback" not in err and "internal error" not in err, err
        last = err.strip().splitlines()[-1]
        assert last.startswith("serlib") and "error:" in last, last
        assert named in last or named.lstrip("-").replace("-", "_") in last, f"{named!r} not in {last!r}"


def test_unexpected_errors_say_where_to_report_and_where_the_log_is(monkeypatch, tmp_path, capsys):
    import serlib.cli as cli

    monkeypatch.setenv("SERLIB_CACHE", str(tmp_path))

    def broken(args):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "cmd_models", broken)
    assert main(["models"]) == 1
    err = capsys.readouterr().err
    assert cli.ISSUES_URL in err and "ZeroDivisionError" in err
    log = Path(err.split("the traceback is in ")[1].strip())
    assert log.is_file() and "Traceback" in log.read_text() and "a bug" in log.read_text()


def test_a_failed_and_a_mismatched_download_are_one_line(tmp_path, monkeypatch, capsys):
    import http.server
    import threading
    from dataclasses import replace

    from serlib.data import download

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.endswith("missing.zip"):
                self.send_error(404, "Not Found")
                return
            body = b"PK\x05\x06" + b"\x00" * 18  # an empty zip, whose md5 is not the release's
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setenv("SERLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        for name, expected in (("missing.zip", "HTTP 404"), ("release.zip", "checksum mismatch")):
            monkeypatch.setitem(download.SOURCES, "ravdess", replace(download.SOURCES["ravdess"],
                                                                      url=f"{url}/{name}"))
            assert main(["data", "download", "ravdess", "--root", str(tmp_path / "ravdess"), "--quiet"]) == 2
            err = capsys.readouterr().err
            assert expected in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    finally:
        server.shutdown()
        server.server_close()


def test_help_shows_every_option_with_help_defaults_and_choices():
    for command, sub in subcommands():
        for action in valued_options(sub):
            assert action.help, f"{command} {action.dest} has no help"
            if action.dest in ("corpus", "protocol", "model", "paper", "tables"):
                assert action.choices is not None and len(list(action.choices)) > 1, f"{command} {action.dest}"
            if action.dest == "root":
                assert action.help.startswith("folder of the corpus"), f"{command} --root means something else"
        text = sub.format_help()
        for action in valued_options(sub):
            if action.option_strings and action.default not in (None, False):
                assert f"(default: {action.default}" in " ".join(text.split()), f"{command} {action.dest}"


# =========================================================================== 6. interrupted training
def tiny_fit(tmp_path, resume=False, stop=None, data_seed=0, **overrides):
    from serlib.train import TrainConfig, Trainer

    rng = np.random.default_rng(data_seed)
    x, y = rng.standard_normal((40, 1, 8, 12)).astype(np.float32), np.arange(40) % 4
    config = TrainConfig(**{"epochs": 4, "batch_size": 8, "lr": 1e-2, "patience": None, "progress": False,
                            "scheduler": "cosine", **overrides})
    from serlib.models import build_model

    torch.manual_seed(config.seed)
    model = build_model("small_cnn", n_classes=4, width=2)
    trainer = Trainer(config, checkpoint_path=tmp_path / "ckpt.pt")
    return trainer.fit(model, (x[:32], y[:32]), (x[32:], y[32:]), resume=resume, stop_after_epoch=stop)


def test_resume_refuses_a_changed_learning_rate_seed_or_data(tmp_path):
    from serlib.train import CheckpointError, ResumeMismatchError

    tiny_fit(tmp_path, stop=2)
    with pytest.raises(ResumeMismatchError, match=r"lr: 0\.01 -> 0\.1"):
        tiny_fit(tmp_path, resume=True, lr=0.1)
    with pytest.raises(ResumeMismatchError, match="seed: 0 -> 5"):
        tiny_fit(tmp_path, resume=True, seed=5)
    with pytest.raises(ResumeMismatchError, match="training/validation data"):
        tiny_fit(tmp_path, resume=True, data_seed=1)
    resumed = tiny_fit(tmp_path, resume=True)
    assert [h["epoch"] for h in resumed.history] == [1, 2, 3, 4]
    again = tiny_fit(tmp_path, resume=True)  # finished: the result comes back without training
    assert again.history == resumed.history and again.seconds < resumed.seconds + 1
    (tmp_path / "ckpt.pt").write_bytes(b"truncated")
    with pytest.raises(CheckpointError, match="checkpoint unreadable"):
        tiny_fit(tmp_path, resume=True)


def test_resume_restores_the_learning_rate_schedule_exactly(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    full = tiny_fit(tmp_path / "a")
    tiny_fit(tmp_path / "b", stop=2)
    resumed = tiny_fit(tmp_path / "b", resume=True)
    assert [h["lr"] for h in resumed.history] == [h["lr"] for h in full.history]
    assert [h["val_loss"] for h in resumed.history] == [h["val_loss"] for h in full.history]


def test_serlib_train_killed_mid_run_resumes_to_the_uninterrupted_result(cli_env, tmp_path, capsys, monkeypatch):
    root, _, _ = cli_env
    monkeypatch.setenv("SERLIB_CACHE", str(tmp_path / "cache"))
    args = ["train", "--root", str(root), "--epochs", "5", "--max-folds", "2", "--model-config", '{"width": 2}',
            "--quiet", "--patience", "5"]
    assert main(args + ["--checkpoint-dir", str(tmp_path / "whole")]) == 0
    whole = capsys.readouterr().out.splitlines()[-5:]
    interrupted = tmp_path / "killed"
    env = dict(os.environ, PYTHONPATH=str(REPO), SERLIB_CACHE=str(tmp_path / "cache"))
    process = subprocess.Popen([sys.executable, "-m", "serlib.cli", *args, "--checkpoint-dir", str(interrupted)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(interrupted.glob("*.pt")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)  # the first checkpoint: the first epoch of the first fold is done
    process.kill()
    assert process.wait() != 0, "the run ended before it could be interrupted"
    assert list(interrupted.glob("*.pt"))
    assert main(args + ["--checkpoint-dir", str(interrupted), "--resume"]) == 0
    assert capsys.readouterr().out.splitlines()[-5:] == whole
    assert main(args + ["--checkpoint-dir", str(interrupted), "--resume", "--lr", "0.1"]) == 2
    assert "lr: 0.001 -> 0.1" in capsys.readouterr().err


# =========================================================================== 7. numbers
@pytest.mark.parametrize("argv,option", [
    (["train", "--max-folds", "0"], "--max-folds"), (["train", "--max-folds", "-1"], "--max-folds"),
    (["train", "--patience", "0"], "--patience"), (["data", "synth", "--out", "x", "--speakers", "0"], "--speakers"),
    (["train", "--seeds", "0", "0", "0"], "--seeds"), (["splits", "emodb", "--protocol", "loso", "--k", "1"], "--k"),
])
def test_numbers_are_checked_when_the_command_line_is_read(argv, option, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2 and f"argument {option}" in capsys.readouterr().err


def test_the_library_refuses_the_same_numbers(tiny_synthetic):
    from serlib.experiments.common import RunSpec, run_spec

    _, records = tiny_synthetic
    with pytest.raises(ValueError, match="k .* at least 2"):
        make_splits(records, "random_kfold", k=0)
    with pytest.raises(ValueError, match="max_folds"):
        run_spec(RunSpec(corpus="synthetic", protocol="loso", max_folds=0))
    with pytest.raises(ValueError, match="repeat"):
        run_spec(RunSpec(corpus="synthetic", protocol="loso", seeds=(0, 0, 0)))


# =========================================================================== 8. quick mode
def test_quick_mode_never_writes_into_the_committed_results_or_figures(monkeypatch, tmp_path):
    import matplotlib.pyplot as plt

    from serlib.report.figures import save_figure

    monkeypatch.setattr(settings, "QUICK_OUTPUT_BASE", tmp_path / "quick")
    monkeypatch.setenv("SERLIB_RESULTS", str(settings.COMMITTED_OUTPUTS["results"]))  # even when pointed there
    monkeypatch.setenv("SERLIB_FIGURES", str(settings.COMMITTED_OUTPUTS["figures"]))
    monkeypatch.delenv(settings.REFRESH_NOTEBOOK_FIGURES, raising=False)
    assert settings.output_dir("results", "quick") == tmp_path / "quick" / "results"
    assert settings.output_dir("figures", "quick") == tmp_path / "quick" / "figures"
    quick_rows = [dict(r, mode="quick") for r in rows()]
    written = write_results(quick_rows, "course", "train_cli", mode="quick")
    assert written.is_relative_to(tmp_path)
    with pytest.raises(settings.QuickModeOutputError, match="never write into the committed"):
        write_results(quick_rows, "course", "train_cli", mode="quick", root=settings.COMMITTED_OUTPUTS["results"])
    fig = plt.figure()
    try:
        assert save_figure(fig, "x/quick_check", mode="quick").is_relative_to(tmp_path)
    finally:
        plt.close(fig)
    assert settings.output_dir("results", "full") == settings.COMMITTED_OUTPUTS["results"]


def test_train_write_results_in_quick_mode_stays_out_of_results(cli_env, monkeypatch, tmp_path, capsys):
    root, _, _ = cli_env
    monkeypatch.setattr(settings, "QUICK_OUTPUT_BASE", tmp_path / "quick")
    monkeypatch.delenv("SERLIB_RESULTS", raising=False)
    monkeypatch.setenv("SERLIB_CACHE", str(tmp_path / "cache"))
    committed = settings.COMMITTED_OUTPUTS["results"] / "course" / "train_cli.quick.csv"
    assert main(["train", "--root", str(root), "--epochs", "1", "--max-folds", "1", "--model-config",
                 '{"width": 2}', "--quiet", "--write-results"]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "quick" / "results" / "course" / "train_cli.quick.csv") in out
    assert not committed.exists()


def test_reproduce_runs_again_a_table_whose_file_was_cut_short(monkeypatch, tmp_path, capsys):
    """The real harness on a one-table paper: a complete file is skipped, a truncated one re-run."""
    from serlib.experiments import harness

    calls = []

    def run(ctx):
        calls.append(ctx.table)
        return [dict(r, mode="quick") for r in rows(table="t1")]

    spec = harness.TableSpec("p", "t1", "a tiny table", run, config=lambda mode: {"size": 1})
    monkeypatch.setattr(harness, "load_tables", lambda paper: {"t1": spec})
    kwargs = dict(mode="quick", results_root=tmp_path / "results", figures_root=tmp_path / "figures", resume=True)
    assert harness.reproduce("p", **kwargs) == 0 and harness.reproduce("p", **kwargs) == 0
    assert calls == ["t1"] and "skipped, results exist" in capsys.readouterr().out
    path = tmp_path / "results" / "p" / "t1.quick.csv"
    text = path.read_text()
    path.write_text(text[: len(text) * 2 // 3])  # a copy or crash cut the file in its last rows
    with pytest.warns(UserWarning, match="cut short"):
        assert harness.reproduce("p", **kwargs) == 0
    assert calls == ["t1", "t1"] and len(read_results(path)) == 3


def test_reproduce_resume_is_passed_to_the_harness(monkeypatch):
    from serlib.experiments import harness

    seen = {}
    monkeypatch.setattr(harness, "reproduce", lambda paper, tables, **kwargs: seen.update(kwargs) or 0)
    assert main(["reproduce", "fla_ser", "--resume"]) == 0 and seen["resume"] is True


def test_train_never_empties_a_folder_that_is_not_its_own(tmp_path, capsys):
    from serlib.cli import prepare_train_checkpoints
    from serlib.experiments.common import RunSpec
    from serlib.train import CheckpointError

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "weights.pt").write_bytes(b"someone's model")
    with pytest.raises(CheckpointError, match="not a serlib train checkpoint folder"):
        prepare_train_checkpoints(mine, RunSpec(corpus="synthetic", protocol="loso"), resume=False)
    assert (mine / "weights.pt").exists()
