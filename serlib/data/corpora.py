"""One parser per corpus, each registered in :data:`serlib.data.records.CORPORA`.

Every parser walks a folder laid out like the official release, matches file
STEMS (so ``.wav`` and ``.flac`` both work), and yields :class:`Record` objects.
Files whose stem does not follow the corpus's naming are skipped, never guessed.
"""
from __future__ import annotations

import re
from pathlib import Path

from .records import Record, audio_files, register_corpus

# --------------------------------------------------------------------------- RAVDESS
RAVDESS_EMOTIONS = {
    "01": "neutral", "02": "calm", "03": "happy", "04": "sad",
    "05": "angry", "06": "fearful", "07": "disgust", "08": "surprised",
}
RAVDESS_STEM = re.compile(r"^(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$")


def parse_ravdess_stem(stem: str) -> dict | None:
    """Decode ``MM-VV-EE-II-SS-RR-AA`` (modality, vocal channel, emotion, intensity,
    statement, repetition, actor; odd actors are male). None if the stem does not match."""
    match = RAVDESS_STEM.match(stem)
    if not match:
        return None
    modality, channel, emotion, intensity, statement, repetition, actor = match.groups()
    if emotion not in RAVDESS_EMOTIONS:
        return None
    return {
        "modality": modality, "vocal_channel": "speech" if channel == "01" else "song",
        "emotion_code": emotion, "intensity": "normal" if intensity == "01" else "strong",
        "statement": int(statement), "repetition": int(repetition), "actor": actor,
        "gender": "male" if int(actor) % 2 == 1 else "female",
    }


@register_corpus(
    "ravdess",
    title="RAVDESS (Ryerson Audio-Visual Database of Emotional Speech and Song), speech part",
    labels=list(RAVDESS_EMOTIONS.values()),
    citation="Livingstone SR, Russo FA (2018) PLoS ONE 13(5): e0196391",
    licence="CC BY-NC-SA 4.0",
    layout="Actor_NN/03-01-EE-II-SS-RR-AA.wav (24 actor folders)",
    downloadable=True,
    default_protocol="emobox_folds",
)
def ravdess(root: Path, include_song: bool = False, modalities=("03",)):
    """RAVDESS: 24 actors, 8 emotions (neutral has no strong intensity). Song
    (vocal channel 02) is excluded unless ``include_song``; audio-only modality 03."""
    for path in audio_files(root):
        fields = parse_ravdess_stem(path.stem)
        if fields is None or fields["modality"] not in modalities:
            continue
        if fields["vocal_channel"] == "song" and not include_song:
            continue
        gender = fields.pop("gender")
        code = fields.pop("emotion_code")
        yield Record(str(path), "ravdess", fields["actor"], gender, RAVDESS_EMOTIONS[code],
                     RAVDESS_EMOTIONS[code], fields)


# --------------------------------------------------------------------------- EmoDB
EMODB_EMOTIONS = {  # German initial -> (corpus label, unified label)
    "W": ("Ärger (Wut)", "angry"), "L": ("Langeweile", "boredom"), "E": ("Ekel", "disgust"),
    "A": ("Angst", "fearful"), "F": ("Freude", "happy"), "T": ("Trauer", "sad"), "N": ("neutral", "neutral"),
}
EMODB_SPEAKERS = {  # speaker id -> (gender, age) from the release documentation
    "03": ("male", 31), "08": ("female", 34), "09": ("female", 21), "10": ("male", 32),
    "11": ("male", 26), "12": ("male", 30), "13": ("female", 32), "14": ("female", 35),
    "15": ("male", 25), "16": ("female", 31),
}
EMODB_STEM = re.compile(r"^(\d{2})([ab]\d{2})([WLEAFTN])([a-z])$")


@register_corpus(
    "emodb",
    title="Berlin Database of Emotional Speech (EmoDB)",
    labels=["neutral", "happy", "sad", "angry", "fearful", "disgust", "boredom"],
    citation="Burkhardt F, Paeschke A, Rolfes M, Sendlmeier W, Weiss B (2005) Interspeech 2005",
    licence="free for research use",
    layout="wav/SSTTTEV.wav, e.g. wav/03a01Fa.wav (speaker, text, emotion, version)",
    downloadable=True,
)
def emodb(root: Path):
    """EmoDB: 10 speakers (5 female, 5 male), 10 German sentences, 7 emotions."""
    for path in audio_files(root):
        match = EMODB_STEM.match(path.stem)
        if not match:
            continue
        speaker, text, code, version = match.groups()
        if speaker not in EMODB_SPEAKERS:
            continue
        gender, age = EMODB_SPEAKERS[speaker]
        corpus_label, unified = EMODB_EMOTIONS[code]
        yield Record(str(path), "emodb", speaker, gender, corpus_label, unified,
                     {"text": text, "version": version, "age": age, "emotion_code": code})
