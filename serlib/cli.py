"""The ``serlib`` command.

    serlib data info CORPUS [--root PATH] [--json] [--allow-unreadable] [--allow-duplicates]
    serlib data download CORPUS --root PATH
    serlib data synth --out PATH [--speakers N] [--seed S]
    serlib splits CORPUS --protocol NAME [--root PATH] [--seed S] [--out CSV]
    serlib models
    serlib train --model NAME --corpus CORPUS [--protocol P] [--epochs N] [--resume] ...
    serlib leakage [--corpus C] [--mode quick|full]
    serlib reproduce PAPER [TABLE ...] [--root CORPUS=PATH] [--mode quick|full] [--device auto] [--force] [--resume]
                     [--reuse-jobs-from REV ...]
    serlib course [--build DIR] [--inplace]

``--root`` means one thing everywhere: the folder of a corpus, laid out like
its official release. It takes ``PATH`` or ``CORPUS=PATH``; ``reproduce``, which
may read several corpora, needs the ``CORPUS=PATH`` form and takes it repeatedly.

Errors: every expected failure (bad input, the project's own error types, OS
errors on the files you named, an unavailable device) prints ONE line
``serlib: error: ...`` naming the file, option or value, and exits with code 2;
numeric options are checked when the command line is parsed. Anything else is a
bug: the traceback goes to a log file and the message says where it is and
where to report it (exit code 1).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
import traceback
from pathlib import Path

ISSUES_URL = "https://github.com/ser-course/ser-course/issues"  # [project.urls] Issues in pyproject.toml
EXPECTED_EXIT = 2
BUG_EXIT = 1


# --------------------------------------------------------------------------- parse-time value checks
def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def positive_int(text: str) -> int:
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer (1 or more), got {value}")
    return value


def nonnegative_int(text: str) -> int:
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {value}")
    return value


def at_least_two(text: str) -> int:
    value = _integer(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be an integer of at least 2 (one fold per test part), got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text}")
    return value


def device_name(text: str) -> str:
    """``auto``, ``cpu``, ``cuda`` or ``cuda:N``; a CUDA device must exist on this machine."""
    import re

    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", text):
        raise argparse.ArgumentTypeError(f"{text!r}: use auto, cpu, cuda or cuda:N")
    if text.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise argparse.ArgumentTypeError(f"{text!r}: CUDA is not available on this machine; use cpu or auto")
        index = int(text.split(":")[1]) if ":" in text else 0
        if index >= torch.cuda.device_count():
            raise argparse.ArgumentTypeError(f"{text!r}: this machine has {torch.cuda.device_count()} CUDA device(s)")
    return text


def json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON ({exc.msg} at character {exc.pos}): {text!r}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"must be a JSON object like '{{\"width\": 8}}', got {text!r}")
    return value


def corpus_root(text: str) -> tuple[str | None, str]:
    """``PATH`` or ``CORPUS=PATH`` -> (corpus or None, path)."""
    corpus, sep, path = text.partition("=")
    if sep and corpus and "/" not in corpus and "\\" not in corpus:
        from .data.records import CORPORA
        from .data import corpora  # noqa: F401  (fills the registry)

        if corpus not in CORPORA:
            raise argparse.ArgumentTypeError(f"{corpus!r} is not a corpus; known: {', '.join(sorted(CORPORA))}")
        if not path:
            raise argparse.ArgumentTypeError(f"{text!r}: no folder after '='")
        return corpus, path
    return None, text


class UniqueValues(argparse.Action):
    """A ``nargs='+'`` option whose values may not repeat (``--seeds 0 0 0`` is one run, not three)."""

    def __call__(self, parser, namespace, values, option_string=None):
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise argparse.ArgumentError(self, f"{repeated} repeated; identical runs would count as independent "
                                               "ones (n and the confidence interval would be wrong)")
        setattr(namespace, self.dest, values)


class LazyChoices:
    """Choices read from a registry only when they are needed (membership or help), so
    that ``serlib data info`` does not import every model."""

    def __init__(self, load):
        self._load = load
        self._values = None

    def _get(self):
        if self._values is None:
            self._values = list(self._load())
        return self._values

    def __contains__(self, item):
        if isinstance(item, list):  # argparse checks an empty nargs='*' positional as a list
            return all(value in self._get() for value in item)
        return item in self._get()

    def __iter__(self):
        return iter(self._get())

    def __len__(self):
        return len(self._get())


def _corpora() -> list[str]:
    from .data import CORPORA
    from .data import corpora  # noqa: F401

    return sorted(CORPORA)


def _models() -> list[str]:
    from .models import available_models

    return list(available_models())


def _front_ends() -> list[str]:
    from .features.logmel import LOGMEL_CONFIGS

    return list(LOGMEL_CONFIGS)


def _downloadables() -> list[str]:
    from .data.download import NOISE_SOURCES

    return _corpora() + sorted(NOISE_SOURCES)


def _tables() -> list[str]:
    from . import PAPERS
    from .experiments.harness import load_tables

    names = []
    for paper in PAPERS:
        try:
            names += [t for t in load_tables(paper) if t not in names]
        except KeyError:  # a paper without a reproduction module yet
            continue
    return names


# --------------------------------------------------------------------------- commands
def _single_root(args, corpus: str) -> Path | None:
    if not args.root:
        return None
    named, path = args.root
    if named is not None and named != corpus:
        raise ValueError(f"--root {named}={path}: this command reads {corpus}, not {named}")
    return Path(path)


def cmd_data_info(args) -> int:
    from .data.info import corpus_info, default_root, format_info

    root = _single_root(args, args.corpus) or default_root(args.corpus)
    info = corpus_info(args.corpus, root, durations=not args.no_durations, allow_unreadable=args.allow_unreadable,
                       allow_duplicates=args.allow_duplicates)
    print(json.dumps(info, indent=1, ensure_ascii=False) if args.json else format_info(info))
    return 0


def cmd_data_download(args) -> int:
    from .data.download import NOISE_SOURCES, download_corpus, download_noise

    if args.corpus in NOISE_SOURCES:  # a noise collection for augmentation (ESC-50), not a speech corpus
        path = download_noise(args.corpus, _single_root(args, args.corpus), progress=not args.quiet)
        print(f"{args.corpus} ready in {path} (pass --root {args.corpus}={path} to serlib reproduce)")
        return 0
    path = download_corpus(args.corpus, _single_root(args, args.corpus), progress=not args.quiet)
    print(f"{args.corpus} ready in {path}")
    return 0


def cmd_data_synth(args) -> int:
    from dataclasses import replace

    from .data.synthetic import SyntheticConfig, generate_corpus

    config = replace(SyntheticConfig(), seed=args.seed,
                     **({"n_speakers": args.speakers} if args.speakers is not None else {}))
    path = generate_corpus(args.out, config, progress=True, overwrite=args.overwrite)
    print(f"synthetic corpus in {path}")
    return 0


def cmd_splits(args) -> int:
    from .data import load_corpus
    from .data.info import default_root
    from .data.splits import fold_table, make_splits
    from .safeio import atomic_to_csv

    root = _single_root(args, args.corpus) or default_root(args.corpus)
    records = load_corpus(args.corpus, root, allow_unreadable=args.allow_unreadable,
                          allow_duplicates=args.allow_duplicates)
    splits = make_splits(records, args.protocol, seed=args.seed, k=args.k)
    for split in splits:
        d = split.describe(records)
        if split.speaker_independent:
            who = f"test speakers {','.join(d['test_speakers'])}  val speakers {','.join(d['val_speakers'])}"
        else:
            who = "every speaker in train and test (speaker-dependent)"
        print(f"{d['fold']:<14} train {d['n_train']:5d}  val {d['n_val']:4d}  test {d['n_test']:4d}  {who}")
    print(f"{len(splits)} fold(s), protocol {args.protocol}, "
          f"{'speaker-INDEPENDENT' if splits[0].speaker_independent else 'SPEAKER-DEPENDENT'}, seed {args.seed}")
    if args.out:
        atomic_to_csv(fold_table(splits, records), args.out, index=False)
        print(f"fold list written to {args.out}")
    return 0


def cmd_models(args) -> int:
    from .models import available_models

    for name, description in available_models().items():
        print(f"{name:<22} {description}")
    return 0


def model_options(model: str) -> list[str] | None:
    """The keyword options a registered model takes, or None when it takes any.

    Registered constructors are often ``def name(n_classes, **config) -> Class``
    wrappers: their ``**config`` goes to ``Class``, whose ``__init__`` is read then.
    """
    import inspect
    import typing

    from .models.registry import MODELS, _load_all

    _load_all()
    constructor = MODELS[model]
    accepted: set[str] = set()
    targets = [constructor]
    while targets:
        target = targets.pop()
        parameters = inspect.signature(target).parameters
        accepted |= {k for k, p in parameters.items() if p.kind in (
            inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)}
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
            try:
                returned = typing.get_type_hints(target).get("return")
            except Exception:  # unresolvable annotations: cannot tell
                return None
            if not inspect.isclass(returned):
                return None
            targets.append(returned.__init__)
    return sorted(accepted - {"self", "n_classes"})


def _check_model_config(model: str, config: dict) -> None:
    """Refuse keys the model does not take, naming them and the ones it does."""
    accepted = model_options(model)
    unknown = sorted(set(config) - set(accepted)) if accepted is not None else []
    if unknown:
        raise ValueError(f"--model-config: {model} has no option(s) {unknown}; it accepts {accepted}")


TRAIN_MANIFEST = "run.json"


def setting_differences(saved: dict, current: dict, prefix: str = "") -> list[str]:
    """``"train.lr: 0.001 -> 0.01"`` for every setting (nested dicts walked) that differs."""
    out = []
    for key in sorted(set(saved) | set(current)):
        old, new = saved.get(key), current.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            out += setting_differences(old, new, f"{prefix}{key}.")
        elif old != new:
            out.append(f"{prefix}{key}: {old!r} -> {new!r}")
    return out


def prepare_train_checkpoints(folder: Path, spec, resume: bool) -> Path:
    """The checkpoint folder of ``serlib train``: its ``run.json`` records the run's settings.

    A fresh run empties the folder's old checkpoints. ``resume`` needs the folder of
    an earlier run with the same settings, and names every setting that changed.
    """
    from dataclasses import asdict

    from .safeio import atomic_write_text
    from .train.trainer import CheckpointError, ResumeMismatchError

    folder = Path(folder)
    manifest = folder / TRAIN_MANIFEST
    current = json.loads(json.dumps({k: v for k, v in asdict(spec).items() if k != "device"}, default=str))
    if resume:
        if not manifest.is_file():
            raise CheckpointError(f"{folder}: nothing to resume (no {TRAIN_MANIFEST}); run without --resume first")
        try:
            saved = json.loads(manifest.read_text())
        except (OSError, ValueError) as exc:
            raise CheckpointError(f"{manifest}: unreadable ({exc}); run without --resume to start again") from None
        changed = setting_differences(saved, current)
        if changed:
            raise ResumeMismatchError(f"{folder}: refusing to resume, the run's settings changed: "
                                      + "; ".join(changed) + "; run without --resume to start again")
        return folder
    if folder.is_dir() and not manifest.is_file() and any(folder.iterdir()):
        raise CheckpointError(f"{folder}: not empty and not a serlib train checkpoint folder (no {TRAIN_MANIFEST}); "
                              "choose a new or empty --checkpoint-dir")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.pt"):  # the previous run's checkpoints (the folder is ours: run.json)
        old.unlink()
    atomic_write_text(manifest, json.dumps(current, indent=1, sort_keys=True) + "\n")
    return folder


def cmd_train(args) -> int:
    from . import settings
    from .experiments.common import RunSpec, provenance_for, run_spec
    from .results import rows_from_summary, write_results

    _check_model_config(args.model, args.model_config)
    named, root = args.root or (None, None)
    if named is not None and named != args.corpus:
        raise ValueError(f"--root {named}={root}: --corpus is {args.corpus}, not {named}")
    if root is not None and not Path(root).is_dir():
        raise FileNotFoundError(2, "corpus folder does not exist", root)
    spec = RunSpec(corpus=args.corpus, protocol=args.protocol, model=args.model, root=root,
                   front_end=args.front_end, seeds=tuple(args.seeds), max_folds=args.max_folds, device=args.device,
                   train={"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
                          "patience": args.patience},
                   model_config=args.model_config)
    folder = Path(args.checkpoint_dir) if args.checkpoint_dir else (
        settings.cache_dir() / "checkpoints" / f"train-{args.model}-{args.corpus}-{args.protocol}")
    prepare_train_checkpoints(folder, spec, args.resume)
    if not args.quiet:
        print(f"checkpoints after every epoch in {folder} (continue an interrupted run with --resume)")
    outcome = run_spec(spec, progress=not args.quiet, checkpoint_dir=folder, resume=args.resume)
    for run in outcome.runs:
        print(f"{run['fold']:<14} seed {run['seed']}  WA {run['WA']:.3f}  UA {run['UA']:.3f}  "
              f"F1 {run['macro_F1']:.3f}  epoch {run['reported_epoch']} ({run['epoch_policy']})")
    for metric, s in outcome.summary.items():
        print(f"{metric:<9} {s['mean']:.4f} +- {s['std']:.4f}  (95% CI {s['ci_low']:.4f}-{s['ci_high']:.4f}, n={s['n']})")
    if args.write_results:
        rows = rows_from_summary(outcome.summary, paper="course", table="train_cli",
                                 row=f"{args.model} / {args.protocol}", provenance=provenance_for(outcome, args.mode))
        print("results written to", write_results(rows, "course", "train_cli", mode=args.mode))
    return 0


def cmd_leakage(args) -> int:
    from .experiments.course import run_leakage

    root = _single_root(args, args.corpus)
    if root is not None and not root.is_dir():
        raise FileNotFoundError(2, "corpus folder does not exist", str(root))
    for row in run_leakage(args.corpus, args.mode, progress=not args.quiet, root=root):
        print(f"{row['row']:<32} {row['metric']:<9} {row['ours']:.4f}  ({row['corpus']}, {row['mode']})")
    return 0


def cmd_reproduce(args) -> int:
    from .experiments.harness import reproduce

    if args.jobs > 1 and args.executor == "inprocess":
        args.executor = "pool"

    roots = {}
    for named, path in args.root or []:
        if named is None:
            raise ValueError(f"--root {path}: reproduce may read several corpora; write --root CORPUS={path}")
        if not Path(path).is_dir():
            raise FileNotFoundError(2, f"--root {named}=PATH: corpus folder does not exist", path)
        roots[named] = path
    for folder in (args.results, args.figures):  # fail now, not after hours of training
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
    if args.executor == "ray" and args.address is None and args.jobs == 1:
        print("note: --executor ray with --jobs 1 runs one job at a time; pass --jobs N for N at once")
    if args.address and args.executor != "ray":
        raise ValueError(f"--address {args.address}: only --executor ray connects to a cluster")
    return reproduce(args.paper, args.tables, roots=roots, mode=args.mode, device=args.device, force=args.force,
                     results_root=args.results, figures_root=args.figures, resume=args.resume,
                     executor=args.executor, n_jobs=args.jobs, ray_address=args.address,
                     threads_per_job=args.threads_per_job, budget_min=args.budget_min,
                     corpora=tuple(args.corpora or ()), protocols=tuple(args.protocols or ()),
                     reuse_from=tuple(args.reuse_jobs_from or ()))


def cmd_course(args) -> int:
    from .course import notebooks, run_course

    if args.only and not any(key in nb.stem for nb in notebooks() for key in args.only):
        raise ValueError(f"--only {' '.join(args.only)}: no notebook name contains any of these; notebooks: "
                         + ", ".join(nb.stem for nb in notebooks()))
    Path(args.build).mkdir(parents=True, exist_ok=True)  # fail now, not after the first notebook ran
    return run_course(Path(args.build), inplace=args.inplace, only=args.only)


# --------------------------------------------------------------------------- parser
ROOT_HELP = ("folder of the corpus, laid out like its official release: PATH, or CORPUS=PATH "
             "(default: the stand-in for ravdess/emodb when present; generated for synthetic)")


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows every option's default (``None`` and ``False`` defaults are left unsaid)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "%(default)" in text or action.default in (None, False, argparse.SUPPRESS) or not action.option_strings:
            return text
        return text + " (default: %(default)s)"


def _add_root(parser, required=False, repeatable=False):
    parser.add_argument("--root", required=required, type=corpus_root, action="append" if repeatable else "store",
                        metavar="[CORPUS=]PATH", help=ROOT_HELP + ("; repeat it for several corpora, in the "
                                                                   "CORPUS=PATH form" if repeatable else ""))


def _add_corpus_policy(parser):
    parser.add_argument("--allow-unreadable", action="store_true",
                        help="go on without the corpus files/folders that could not be read (they are listed)")
    parser.add_argument("--allow-duplicates", action="store_true",
                        help="keep the first copy of each duplicated utterance instead of refusing the corpus")


def _sub(sub, name, **kwargs):
    return sub.add_parser(name, formatter_class=HelpFormatter, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    from . import PAPERS, __version__
    from .data.splits import PROTOCOLS
    from .settings import MODES

    parser = argparse.ArgumentParser(prog="serlib", description="Speech emotion recognition course toolkit.",
                                     formatter_class=HelpFormatter)
    parser.add_argument("--version", action="version", version=f"serlib {__version__}", help="print the version")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    corpora = LazyChoices(_corpora)

    data = _sub(sub, "data", help="corpora: info, download, synthesise").add_subparsers(
        dest="data_cmd", required=True, metavar="ACTION")
    info = _sub(data, "info", help="files, speakers, emotions, durations and per-class counts of a corpus")
    info.add_argument("corpus", choices=corpora, help="corpus name")
    _add_root(info)
    info.add_argument("--json", action="store_true", help="print JSON")
    info.add_argument("--no-durations", action="store_true", help="skip reading audio headers")
    _add_corpus_policy(info)
    info.set_defaults(func=cmd_data_info)
    dl = _sub(data, "download", help="download a public corpus into a checksummed cache and unpack it")
    dl.add_argument("corpus", choices=LazyChoices(_downloadables),
                    help="corpus name (licensed corpora print how to obtain them), or esc50 (ambient noise for "
                         "fla_ser's x4 augmentation)")
    _add_root(dl, required=True)
    dl.add_argument("--quiet", action="store_true", help="no progress bar")
    dl.set_defaults(func=cmd_data_download)
    synth = _sub(data, "synth", help="generate the synthetic emotional speech corpus")
    synth.add_argument("--out", required=True, help="folder to write the corpus into (new, empty or a synthetic one)")
    synth.add_argument("--speakers", type=positive_int, help="number of speakers, 1-99 (default: the generator's 8)")
    synth.add_argument("--seed", type=nonnegative_int, default=0, help="generator seed")
    synth.add_argument("--overwrite", action="store_true", help="replace a synthetic corpus of another configuration")
    synth.set_defaults(func=cmd_data_synth)

    protocols_help = "; ".join(f"{p.name}: {p.description}" for p in PROTOCOLS.values())
    sp = _sub(sub, "splits", help="show (and save) the folds of an evaluation protocol",
              description=f"Protocols: {protocols_help}")
    sp.add_argument("corpus", choices=corpora, help="corpus name")
    sp.add_argument("--protocol", required=True, choices=list(PROTOCOLS), help="evaluation protocol")
    _add_root(sp)
    sp.add_argument("--seed", type=nonnegative_int, default=0, help="split seed")
    sp.add_argument("--k", type=at_least_two, default=5, help="folds for speaker_kfold / random_kfold")
    sp.add_argument("--out", help="write the fold list (utterance, fold, subset) as CSV")
    _add_corpus_policy(sp)
    sp.set_defaults(func=cmd_splits)

    _sub(sub, "models", help="list registered models").set_defaults(func=cmd_models)

    tr = _sub(sub, "train", help="train any registered model under a protocol and report WA/UA/F1")
    tr.add_argument("--model", default="small_cnn", choices=LazyChoices(_models), help="registered model")
    tr.add_argument("--corpus", default="synthetic", choices=corpora, help="corpus name")
    _add_root(tr)
    tr.add_argument("--protocol", default="speaker_kfold", choices=list(PROTOCOLS), help="evaluation protocol")
    tr.add_argument("--front-end", default="course", choices=LazyChoices(_front_ends),
                    help="log-Mel configuration (serlib.features.logmel)")
    tr.add_argument("--epochs", type=positive_int, default=20, help="maximum training epochs")
    tr.add_argument("--batch-size", type=positive_int, default=32, help="utterances per batch")
    tr.add_argument("--lr", type=positive_float, default=1e-3, help="learning rate")
    tr.add_argument("--patience", type=positive_int, default=6,
                    help="stop after this many epochs without a better validation loss")
    tr.add_argument("--seeds", type=nonnegative_int, nargs="+", default=[0], action=UniqueValues,
                    help="seeds (each a separate run; no repeats)")
    tr.add_argument("--max-folds", type=positive_int, help="run only the first N folds (default: every fold)")
    tr.add_argument("--device", type=device_name, default="auto", help="auto, cpu, cuda or cuda:N")
    tr.add_argument("--model-config", type=json_object, default={}, help='model options as JSON, e.g. \'{"width": 8}\'')
    tr.add_argument("--mode", default="quick", choices=list(MODES),
                    help="recorded in the results; quick results go to build/quick, never results/")
    tr.add_argument("--write-results", action="store_true", help="write results/course/train_cli.csv (full mode)")
    tr.add_argument("--checkpoint-dir",
                    help="checkpoint folder (default: <cache>/checkpoints/train-<model>-<corpus>-<protocol>)")
    tr.add_argument("--resume", action="store_true",
                    help="continue an interrupted run from its checkpoints (refused when a setting changed)")
    tr.add_argument("--quiet", action="store_true", help="no progress bars")
    tr.set_defaults(func=cmd_train)

    from .experiments.course import LEAKAGE_PROTOCOLS

    lk = _sub(sub, "leakage", help="speaker-dependent vs speaker-independent contrast (results/course/leakage)")
    lk.add_argument("--corpus", default="synthetic", choices=list(LEAKAGE_PROTOCOLS), help="corpus name")
    _add_root(lk)
    lk.add_argument("--mode", default=None, choices=list(MODES), help="run mode (default: $SERLIB_MODE, else quick)")
    lk.add_argument("--quiet", action="store_true", help="no progress bars")
    lk.set_defaults(func=cmd_leakage)

    rp = _sub(sub, "reproduce", help="reproduce a paper's tables: results/<slug>/*.csv, Markdown, figures")
    rp.add_argument("paper", choices=list(PAPERS), help="paper slug")
    rp.add_argument("tables", nargs="*", choices=LazyChoices(_tables), metavar="TABLE",
                    help="tables to run (default: all of the paper's); one of %(choices)s")
    _add_root(rp, repeatable=True)
    rp.add_argument("--mode", default="quick", choices=list(MODES), help="run mode")
    rp.add_argument("--device", type=device_name, default="auto", help="auto, cpu, cuda or cuda:N")
    rp.add_argument("--force", action="store_true", help="re-run even if results for this config and revision exist")
    rp.add_argument("--resume", action="store_true", help="continue the unfinished jobs of an interrupted run")
    rp.add_argument("--reuse-jobs-from", nargs="+", default=None, metavar="REV",
                    help="take finished jobs of these earlier revisions when their configuration is identical; "
                         "the cheapest is re-trained first and must match, and every row built on them says so")
    rp.add_argument("--executor", default="inprocess", choices=["inprocess", "pool", "ray"],
                    help="where the (configuration, fold, seed) jobs run: this process, a local process pool "
                         "(CPU cores, or workers sharing one GPU), or Ray (pip install 'serlib[ray]')")
    rp.add_argument("--jobs", type=positive_int, default=1,
                    help="jobs at once (pool workers or Ray tasks); --jobs N > 1 with the default executor uses the pool")
    rp.add_argument("--threads-per-job", type=positive_int, default=None,
                    help="torch/BLAS threads of each job (default: CPU cores / jobs); the same count gives the same numbers")
    rp.add_argument("--address", default=None, help="Ray cluster address (with --executor ray; default: a local Ray)")
    rp.add_argument("--budget-min", type=positive_float, default=None,
                    help="minutes of compute: tables in priority order, estimated from measured throughput, run "
                         "while they fit; the rest are written to results/<paper>/skipped.csv")
    rp.add_argument("--corpora", nargs="+", default=None, metavar="CORPUS", choices=corpora,
                    help="run only these corpora of the paper's profile (a long run can go corpus by corpus)")
    rp.add_argument("--protocols", nargs="+", default=None, choices=["paper", "course"],
                    help="run only the paper's protocol or the course's speaker-independent one")
    rp.add_argument("--results", help="results folder (default: results/, or build/quick/results in quick mode)")
    rp.add_argument("--figures", help="figures folder (default: figures/, or build/quick/figures in quick mode)")
    rp.set_defaults(func=cmd_reproduce)

    co = _sub(sub, "course", help="run every notebook headless (quick mode) and print a summary")
    co.add_argument("--build", default="build", help="folder for executed notebooks, HTML and figures")
    co.add_argument("--inplace", action="store_true", help="update the committed notebooks' outputs instead")
    co.add_argument("--only", nargs="*", help="run only notebooks whose name contains one of these")
    co.set_defaults(func=cmd_course)
    return parser


def _parse(argv):
    return build_parser().parse_args(argv)


# --------------------------------------------------------------------------- error boundary
def expected_errors() -> tuple:
    """The exception types that are a user's problem to fix, not a bug of serlib."""
    from .audio import AudioError
    from .data.records import CorpusError
    from .data.splits import SpeakerLeakageError, UtteranceLeakageError
    from .results import ResultsError
    from .settings import QuickModeOutputError

    types = [AudioError, CorpusError, ResultsError, QuickModeOutputError, SpeakerLeakageError,
             UtteranceLeakageError, OSError, ValueError, KeyError]
    for module, names in (("serlib.data.download", ("DownloadError",)),
                          ("serlib.train.trainer", ("CheckpointError", "DeviceUnavailableError")),
                          ("serlib.experiments.reuse", ("ReuseMismatch",))):
        if module in sys.modules:  # only what the command imported can have been raised
            types += [getattr(sys.modules[module], name) for name in names]
    return tuple(types)


def _message(exc: BaseException) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        other = f" -> {exc.filename2}" if exc.filename2 is not None else ""
        return f"{exc.filename}{other}: {exc.strerror}"
    text = str(exc).strip() or type(exc).__name__
    return text.replace("\n", " ")


def _write_bug_log(exc: BaseException, argv) -> Path | None:
    import tempfile

    from .safeio import atomic_write_text

    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    body = (f"serlib command: {' '.join(map(str, argv if argv is not None else sys.argv[1:]))}\n"
            f"python {sys.version.split()[0]}\n\n" + "".join(traceback.format_exception(exc)))
    candidates = []
    try:
        from . import settings

        candidates.append(settings.cache_dir() / "logs")
    except Exception:  # the cache folder itself may be what is broken
        pass
    candidates.append(Path(tempfile.gettempdir()))
    for folder in candidates:
        try:
            return atomic_write_text(folder / f"serlib-error-{stamp}.log", body)
        except OSError:
            continue
    return None


def _format_warning(message, category, filename, lineno, line=None) -> str:
    return f"serlib: warning: {message}\n"


def main(argv=None) -> int:
    import warnings

    previous, warnings.formatwarning = warnings.formatwarning, _format_warning  # one line, no source
    try:
        return _run(argv)
    finally:
        warnings.formatwarning = previous


def _run(argv) -> int:
    args = _parse(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("serlib: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the one error boundary of the command
        if isinstance(exc, expected_errors()):
            print(f"serlib: error: {_message(exc)}", file=sys.stderr)
            return EXPECTED_EXIT
        log = _write_bug_log(exc, argv)
        where = f"the traceback is in {log}" if log else "no log could be written"
        print(f"serlib: internal error ({type(exc).__name__}: {_message(exc)}). This is a bug in serlib, not in "
              f"your input; please report it at {ISSUES_URL} with the command you ran; {where}", file=sys.stderr)
        return BUG_EXIT


if __name__ == "__main__":
    sys.exit(main())
