"""Corpus summaries (``serlib data info``): files, speakers, emotions, durations, class counts."""
from __future__ import annotations

from pathlib import Path

from .. import settings
from .records import CORPORA, CorpusError, load_corpus


def default_root(corpus: str) -> Path:
    """Where a corpus is looked for when no ``--root`` is given: the synthetic corpus is
    generated on demand; RAVDESS/EmoDB fall back to the stand-ins when present."""
    if corpus == "synthetic":
        from .synthetic import default_corpus_root

        return default_corpus_root()
    root = settings.standin_root(corpus)
    if root is None:
        raise CorpusError(f"no --root given for {corpus} and no stand-in found; "
                          f"download it with `serlib data download {corpus} --root PATH` or point --root at it")
    return root


def corpus_info(corpus: str, root, durations: bool = True, **options) -> dict:
    """Summary of a corpus folder as a JSON-ready dict."""
    from ..audio import AudioError, audio_info

    records = load_corpus(corpus, root, **options)
    spec = CORPORA[corpus]
    per_class: dict[str, int] = {}
    per_speaker: dict[str, int] = {}
    for r in records:
        per_class[r.label] = per_class.get(r.label, 0) + 1
        per_speaker[r.speaker] = per_speaker.get(r.speaker, 0) + 1
    genders: dict[str, set] = {}
    for r in records:
        genders.setdefault(r.gender, set()).add(r.speaker)
    info = {
        "corpus": corpus, "title": spec.title, "root": str(root), "files": len(records),
        "speakers": len(per_speaker), "speakers_by_gender": {g: len(s) for g, s in sorted(genders.items())},
        "emotions": len(per_class),
        "per_class": {label: per_class[label] for label in spec.labels if label in per_class}
        | {k: v for k, v in sorted(per_class.items()) if k not in spec.labels},
        "per_speaker": dict(sorted(per_speaker.items())),
        "citation": spec.citation, "licence": spec.licence,
    }
    if durations:
        lengths, rates, bad = [], set(), []
        for r in records:
            try:
                head = audio_info(r.path)
            except AudioError as exc:
                bad.append(str(exc))
                continue
            lengths.append(head.duration)
            rates.add(head.sample_rate)
        if lengths:
            info["duration_s"] = {"total": round(sum(lengths), 2), "mean": round(sum(lengths) / len(lengths), 3),
                                  "min": round(min(lengths), 3), "max": round(max(lengths), 3)}
        info["sample_rates"] = sorted(rates)
        if bad:
            info["unreadable_files"] = bad
    return info


def format_info(info: dict) -> str:
    lines = [f"{info['title']}  [{info['corpus']}]", f"  root      {settings.display_path(info['root'])}",
             f"  files     {info['files']}",
             f"  speakers  {info['speakers']}  ({', '.join(f'{g}: {n}' for g, n in info['speakers_by_gender'].items())})",
             f"  emotions  {info['emotions']}"]
    if "duration_s" in info:
        d = info["duration_s"]
        lines.append(f"  duration  {d['total'] / 3600:.2f} h total, {d['mean']:.2f} s mean "
                     f"({d['min']:.2f}-{d['max']:.2f} s), sample rates {info['sample_rates']}")
    lines.append("  per class " + ", ".join(f"{k}: {v}" for k, v in info["per_class"].items()))
    if info.get("unreadable_files"):
        lines.append(f"  UNREADABLE {len(info['unreadable_files'])} files, first: {info['unreadable_files'][0]}")
    lines.append(f"  cite      {info['citation']} ({info['licence']})")
    return "\n".join(lines)
