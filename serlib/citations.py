"""Full references of the five papers, the corpora and the pre-trained encoder the course uses.

One place for every citation: the course map, each paper's notebook, the README,
the equation index and the rendered site read them from here. Where the shared
copy of a paper does not print a field (venue, year or DOI), the field is
``None`` and :func:`format_reference` says "not printed in the paper's copy"
instead of guessing.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    key: str
    authors: tuple[str, ...]
    title: str
    venue: str | None
    year: int | None
    doi: str | None = None
    details: str = ""  # volume, article number, pages
    licence: str = ""
    note: str = ""

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None


#: The five papers, keyed by course slug; fields as printed in ``shared/papers/``.
PAPERS = {
    "fla_ser": Reference(
        "fla_ser", ("Mingjie Wang", "Hexi Wang"),
        "Human Speech Emotion Recognition Model Based on FCN-LSTM Model", None, 2025,
        note="the shared copy prints 'Received: September 30, 2025' but neither venue nor DOI"),
    "speechnet": Reference(
        "speechnet", ("Huiyun Zhang", "Zilong Pang", "Puyang Zhao", "Gaigai Tang", "Lingfeng Shen", "Guanghui Wang"),
        "Pre-attentive speech signal processing with adaptive routing for emotion recognition",
        "Biomedical Signal Processing and Control", 2025, "10.1016/j.bspc.2025.108782", details="article 108782",
        note="venue and year read from the DOI of the supplementary data printed in the paper"),
    "cnn_transformer": Reference(
        "cnn_transformer", ("Zhongliang Wei", "Chang Ge", "Chang Su", "Ruofan Chen", "Jing Sun"),
        "A Deep Learning Model for Speech Emotion Recognition on RAVDESS Dataset", None, None,
        note="the shared copy prints neither venue, year nor DOI"),
    "wavelet_cnn_lstm": Reference(
        "wavelet_cnn_lstm", ("Nasir Sayed", "Ghassan Husnain", "Muhammad Shoaib", "Yazeed Yasin Ghadi",
                             "Masoud Alajmi", "Ayman Qahmash"),
        "A Combine CNN-RNN Based Approach for Augmenting the Performance of Speech Emotions Recognition",
        "Traitement du Signal (IIETA)", 2025, "10.18280/ts.420205", details="42(2)", licence="CC BY 4.0"),
    "dual_stream_caf": Reference(
        "dual_stream_caf", ("Shaode Yu", "Jiajian Meng", "Wenqing Fan", "Ye Chen", "Bing Zhu", "Hang Yu",
                            "Yaoqin Xie", "Qiurui Sun"),
        "Speech Emotion Recognition Using Dual-Stream Representation and Cross-Attention Fusion",
        "Electronics", 2024, "10.3390/electronics13112191", details="13, 2191", licence="CC BY 4.0"),
}

#: Corpora and the pre-trained encoder, with their licences.
RESOURCES = {
    "ravdess": Reference(
        "ravdess", ("Steven R. Livingstone", "Frank A. Russo"),
        "The Ryerson Audio-Visual Database of Emotional Speech and Song (RAVDESS): A dynamic, multimodal set of "
        "facial and vocal expressions in North American English", "PLoS ONE", 2018,
        "10.1371/journal.pone.0196391", details="13(5): e0196391", licence="CC BY-NC-SA 4.0"),
    "emodb": Reference(
        "emodb", ("Felix Burkhardt", "Astrid Paeschke", "Miriam Rolfes", "Walter Sendlmeier", "Benjamin Weiss"),
        "A database of German emotional speech", "Proc. Interspeech", 2005, "10.21437/Interspeech.2005-446",
        details="pp. 1517-1520", licence="free for research use (see the corpus' site)"),
    "iemocap": Reference(
        "iemocap", ("Carlos Busso", "Murtaza Bulut", "Chi-Chun Lee", "Abe Kazemzadeh", "Emily Mower", "Samuel Kim",
                    "Jeannette N. Chang", "Sungbok Lee", "Shrikanth S. Narayanan"),
        "IEMOCAP: interactive emotional dyadic motion capture database", "Language Resources and Evaluation", 2008,
        "10.1007/s10579-008-9076-6", details="42(4): 335-359", licence="licensed by USC SAIL (release form)"),
    "esc50": Reference(
        "esc50", ("Karol J. Piczak",), "ESC: Dataset for Environmental Sound Classification",
        "Proc. ACM Multimedia", 2015, "10.1145/2733373.2806390", details="pp. 1015-1018",
        licence="CC BY-NC 3.0 (clips from freesound.org)"),
    "wakehubert_tiny": Reference(
        "wakehubert_tiny", ("the wakeforge authors",),
        "WakeHuBERT-tiny: a 0.64 M-parameter encoder distilled from HuBERT-base layers 4/8/12",
        "PyPI package ovos-ww-plugin-wakeforge 0.3.0", 2026, licence="Apache-2.0",
        note="a distilled stand-in for HuBERT, not HuBERT"),
    "hubert": Reference(
        "hubert", ("Wei-Ning Hsu", "Benjamin Bolte", "Yao-Hung Hubert Tsai", "Kushal Lakhotia",
                   "Ruslan Salakhutdinov", "Abdelrahman Mohamed"),
        "HuBERT: Self-Supervised Speech Representation Learning by Masked Prediction of Hidden Units",
        "IEEE/ACM Transactions on Audio, Speech, and Language Processing", 2021, "10.1109/TASLP.2021.3122291",
        details="29: 3451-3460"),
}


def reference(key: str) -> Reference:
    """The reference of a paper slug or of a resource key."""
    if key in PAPERS:
        return PAPERS[key]
    if key in RESOURCES:
        return RESOURCES[key]
    raise KeyError(f"no reference for {key!r}; papers: {', '.join(PAPERS)}; resources: {', '.join(RESOURCES)}")


def format_reference(key: str, markdown: bool = True) -> str:
    """One reference as text: authors, title, venue, year, details, DOI (missing fields said so)."""
    ref = reference(key)
    authors = ", ".join(ref.authors)
    title = f"*{ref.title}*" if markdown else ref.title
    venue = ref.venue or "venue not printed in the paper's copy"
    year = str(ref.year) if ref.year else "year not printed"
    parts = [f"{authors}. {title}. {venue}", year]
    if ref.details:
        parts.append(ref.details)
    text = ", ".join(parts) + "."
    if ref.doi:
        text += f" DOI [{ref.doi}]({ref.doi_url})" if markdown else f" DOI {ref.doi}"
    else:
        text += " No DOI printed in the paper's copy." if key in PAPERS else " No DOI."
    if ref.licence:
        text += f" Licence: {ref.licence}."
    if ref.note:
        text += f" ({ref.note})"
    return text
