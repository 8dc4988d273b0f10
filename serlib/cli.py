"""The ``serlib`` command.

    serlib data info CORPUS [--root PATH] [--json]
    serlib data download CORPUS --root PATH
    serlib data synth --out PATH [--speakers N] [--seed S]
    serlib splits CORPUS --protocol NAME [--root PATH] [--seed S] [--out CSV]
    serlib models
    serlib train --model NAME --corpus CORPUS [--protocol P] [--epochs N] ...
    serlib leakage [--corpus C] [--mode quick|full]
    serlib reproduce PAPER [TABLE ...] [--root CORPUS=PATH] [--mode quick|full] [--device auto] [--force]
    serlib course [--build DIR] [--inplace]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _add_root(parser, required=False):
    parser.add_argument("--root", required=required, help="corpus folder laid out like the official release "
                        "(default: the stand-in for ravdess/emodb when present; generated for synthetic)")


def cmd_data_info(args) -> int:
    from .data.info import corpus_info, default_root, format_info

    root = Path(args.root) if args.root else default_root(args.corpus)
    info = corpus_info(args.corpus, root, durations=not args.no_durations)
    print(json.dumps(info, indent=1, ensure_ascii=False) if args.json else format_info(info))
    return 0


def cmd_data_download(args) -> int:
    from .data.download import download_corpus

    path = download_corpus(args.corpus, args.root, progress=not args.quiet)
    print(f"{args.corpus} ready in {path}")
    return 0


def cmd_data_synth(args) -> int:
    from dataclasses import replace

    from .data.synthetic import SyntheticConfig, generate_corpus

    config = replace(SyntheticConfig(), seed=args.seed, **({"n_speakers": args.speakers} if args.speakers else {}))
    path = generate_corpus(args.out, config, progress=True, overwrite=args.overwrite)
    print(f"synthetic corpus in {path}")
    return 0


def cmd_splits(args) -> int:
    from .data import load_corpus
    from .data.info import default_root
    from .data.splits import fold_table, make_splits

    root = Path(args.root) if args.root else default_root(args.corpus)
    records = load_corpus(args.corpus, root)
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
        fold_table(splits, records).to_csv(args.out, index=False)
        print(f"fold list written to {args.out}")
    return 0


def cmd_models(args) -> int:
    from .models import available_models

    for name, description in available_models().items():
        print(f"{name:<22} {description}")
    return 0


def cmd_train(args) -> int:
    from .experiments.common import RunSpec, run_spec
    from .results import rows_from_summary, write_results
    from .experiments.common import provenance_for

    spec = RunSpec(corpus=args.corpus, protocol=args.protocol, model=args.model, root=args.root,
                   front_end=args.front_end, seeds=tuple(args.seeds), max_folds=args.max_folds, device=args.device,
                   train={"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
                          "patience": args.patience},
                   model_config=json.loads(args.model_config) if args.model_config else {})
    outcome = run_spec(spec, progress=not args.quiet)
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

    for row in run_leakage(args.corpus, args.mode, progress=not args.quiet):
        print(f"{row['row']:<32} {row['metric']:<9} {row['ours']:.4f}  ({row['corpus']}, {row['mode']})")
    return 0


def cmd_reproduce(args) -> int:
    from .experiments.harness import reproduce

    roots = dict(item.split("=", 1) for item in args.root) if args.root else {}
    return reproduce(args.paper, args.tables, roots=roots, mode=args.mode, device=args.device, force=args.force,
                     results_root=args.results, figures_root=args.figures)


def cmd_course(args) -> int:
    from .course import run_course

    return run_course(Path(args.build), inplace=args.inplace, only=args.only)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(prog="serlib", description="Speech emotion recognition course toolkit.")
    parser.add_argument("--version", action="version", version=f"serlib {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="corpora: info, download, synthesise").add_subparsers(dest="data_cmd", required=True)
    info = data.add_parser("info", help="files, speakers, emotions, durations and per-class counts of a corpus")
    info.add_argument("corpus")
    _add_root(info)
    info.add_argument("--json", action="store_true", help="print JSON")
    info.add_argument("--no-durations", action="store_true", help="skip reading audio headers")
    info.set_defaults(func=cmd_data_info)
    dl = data.add_parser("download", help="download a public corpus into a checksummed cache and unpack it")
    dl.add_argument("corpus")
    _add_root(dl, required=True)
    dl.add_argument("--quiet", action="store_true")
    dl.set_defaults(func=cmd_data_download)
    synth = data.add_parser("synth", help="generate the synthetic emotional speech corpus")
    synth.add_argument("--out", required=True)
    synth.add_argument("--speakers", type=int)
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--overwrite", action="store_true")
    synth.set_defaults(func=cmd_data_synth)

    from .data.splits import PROTOCOLS

    protocols_help = "; ".join(f"{p.name}: {p.description}" for p in PROTOCOLS.values())
    sp = sub.add_parser("splits", help="show (and save) the folds of an evaluation protocol",
                        description=f"Protocols: {protocols_help}")
    sp.add_argument("corpus")
    sp.add_argument("--protocol", required=True, choices=list(PROTOCOLS))
    _add_root(sp)
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--k", type=int, default=5, help="folds for speaker_kfold / random_kfold")
    sp.add_argument("--out", help="write the fold list (utterance, fold, subset) as CSV")
    sp.set_defaults(func=cmd_splits)

    sub.add_parser("models", help="list registered models").set_defaults(func=cmd_models)

    tr = sub.add_parser("train", help="train any registered model under a protocol and report WA/UA/F1")
    tr.add_argument("--model", default="small_cnn")
    tr.add_argument("--corpus", default="synthetic")
    _add_root(tr)
    tr.add_argument("--protocol", default="speaker_kfold", choices=list(PROTOCOLS))
    tr.add_argument("--front-end", default="course", help="log-Mel configuration (serlib.features.logmel)")
    tr.add_argument("--epochs", type=int, default=20)
    tr.add_argument("--batch-size", type=int, default=32)
    tr.add_argument("--lr", type=float, default=1e-3)
    tr.add_argument("--patience", type=int, default=6)
    tr.add_argument("--seeds", type=int, nargs="+", default=[0])
    tr.add_argument("--max-folds", type=int)
    tr.add_argument("--device", default="auto")
    tr.add_argument("--model-config", help='JSON, e.g. \'{"width": 8}\'')
    tr.add_argument("--mode", default="quick", choices=["quick", "full"])
    tr.add_argument("--write-results", action="store_true")
    tr.add_argument("--quiet", action="store_true")
    tr.set_defaults(func=cmd_train)

    lk = sub.add_parser("leakage", help="speaker-dependent vs speaker-independent contrast (results/course/leakage)")
    lk.add_argument("--corpus", default="synthetic", choices=["synthetic", "ravdess", "emodb"])
    lk.add_argument("--mode", default=None, choices=["quick", "full"])
    lk.add_argument("--quiet", action="store_true")
    lk.set_defaults(func=cmd_leakage)

    rp = sub.add_parser("reproduce", help="reproduce a paper's tables: results/<slug>/*.csv, Markdown, figures")
    rp.add_argument("paper", help="paper slug, e.g. fla_ser")
    rp.add_argument("tables", nargs="*", help="tables to run (default: all of the paper's)")
    rp.add_argument("--root", action="append", help="CORPUS=PATH for a corpus location (repeatable)")
    rp.add_argument("--mode", default="quick", choices=["quick", "full"])
    rp.add_argument("--device", default="auto")
    rp.add_argument("--force", action="store_true", help="re-run even if results for this config and revision exist")
    rp.add_argument("--results", help="results folder (default: results/, or build/quick/results in quick mode)")
    rp.add_argument("--figures", help="figures folder (default: figures/, or build/quick/figures in quick mode)")
    rp.set_defaults(func=cmd_reproduce)

    co = sub.add_parser("course", help="run every notebook headless (quick mode) and print a summary")
    co.add_argument("--build", default="build")
    co.add_argument("--inplace", action="store_true", help="update the committed notebooks' outputs instead")
    co.add_argument("--only", nargs="*", help="run only notebooks whose name contains one of these")
    co.set_defaults(func=cmd_course)
    return parser


def main(argv=None) -> int:
    from .audio import AudioError
    from .data.records import CorpusError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (AudioError, CorpusError, FileNotFoundError, KeyError, ValueError) as exc:
        print(f"serlib: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
