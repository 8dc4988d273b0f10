"""One parser per corpus, each registered in :data:`serlib.data.records.CORPORA`.

Every parser walks a folder laid out like the official release, matches file
STEMS (so ``.wav`` and ``.flac`` both work), and yields :class:`Record` objects.
Files whose stem does not follow the corpus's naming are skipped, never guessed.
"""
from __future__ import annotations

import re
from pathlib import Path

from .records import CorpusError, Record, audio_files, register_corpus

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


# --------------------------------------------------------------------------- shared helpers
GENDER_LETTERS = {"F": "female", "M": "male"}


def _speaker_folder_map(names) -> dict:
    """Case-insensitive lookup from a folder name to its canonical spelling."""
    return {name.lower(): name for name in names}


# --------------------------------------------------------------------------- IEMOCAP
IEMOCAP_CATEGORIES = {  # EmoEvaluation code -> (category as the release spells it, unified label)
    "neu": ("Neutral", "neutral"), "hap": ("Happiness", "happy"), "exc": ("Excited", "excited"),
    "ang": ("Anger", "angry"), "sad": ("Sadness", "sad"), "fru": ("Frustration", "frustrated"),
    "fea": ("Fear", "fearful"), "sur": ("Surprise", "surprised"), "dis": ("Disgust", "disgust"),
    "oth": ("Other", "other"),
}
IEMOCAP_FOUR_CLASSES = ("neu", "hap", "ang", "sad")
IEMOCAP_UTTERANCE = re.compile(r"^Ses(0[1-5])([FM])_(impro|script)(\w*?)_([FM])(\d{3})$")
IEMOCAP_EVALUATION_LINE = re.compile(
    r"^\[\s*([\d.]+)\s*-\s*([\d.]+)\s*\]\s+(Ses\S+)\s+(\w+)\s+\[\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*\]")


def iemocap_release_root(root: Path) -> Path:
    """The folder holding ``Session1..5``: ``root`` itself or its ``IEMOCAP_full_release`` child."""
    nested = Path(root) / "IEMOCAP_full_release"
    return nested if nested.is_dir() else Path(root)


def read_iemocap_evaluations(session_dir: Path) -> dict:
    """Utterance id -> {code, start, end, valence, arousal, dominance} from a session's
    ``dialog/EmoEvaluation/<dialog>.txt`` files (the majority label of each turn).

    Only the dialog-level files directly inside EmoEvaluation are read; the
    ``Categorical``/``Attribute``/``Self-evaluation`` subfolders hold the single
    evaluators' votes, and macOS ``._`` resource forks found in some copies are skipped.
    """
    evaluations = {}
    folder = Path(session_dir) / "dialog" / "EmoEvaluation"
    if not folder.is_dir():
        return evaluations
    for text_file in sorted(folder.glob("*.txt")):
        if text_file.name.startswith("._"):
            continue
        for line in text_file.read_text(encoding="utf-8", errors="replace").splitlines():
            match = IEMOCAP_EVALUATION_LINE.match(line)
            if not match:
                continue
            start, end, utterance, code, valence, arousal, dominance = match.groups()
            evaluations[utterance] = {
                "code": code, "start": float(start), "end": float(end),
                "valence": float(valence), "arousal": float(arousal), "dominance": float(dominance),
            }
    return evaluations


def iemocap_speaker(utterance_id: str) -> tuple[str, str] | None:
    """(speaker, gender) of an IEMOCAP utterance id, from its LAST token.

    ``Ses01F_impro01_M013`` is spoken by the male actor of session 1: speaker
    ``Ses01M``. The letter after ``SesNN`` in the dialog prefix only tells who
    wore the motion-capture markers, so using it would put both actors of a
    dialog under one speaker and break speaker-independent splits.
    """
    match = IEMOCAP_UTTERANCE.match(utterance_id)
    if not match:
        return None
    session, _, _, _, letter, _ = match.groups()
    return f"Ses{session}{letter}", GENDER_LETTERS[letter]


def _iemocap_kept_codes(classes, merge_excited: bool) -> tuple:
    if classes == "all":
        kept = tuple(IEMOCAP_CATEGORIES)
    else:
        kept = tuple(classes)
        unknown = [code for code in kept if code not in IEMOCAP_CATEGORIES]
        if unknown:
            raise ValueError(f"iemocap classes: unknown code(s) {unknown}; known: {sorted(IEMOCAP_CATEGORIES)} "
                             f"or 'all' ('xxx' marks turns without a majority and has no label)")
    if merge_excited and "hap" in kept and "exc" not in kept:
        kept = kept + ("exc",)
    return kept


@register_corpus(
    "iemocap",
    title="IEMOCAP (Interactive Emotional Dyadic Motion Capture), speech of the 5 sessions",
    labels=["neutral", "happy", "sad", "angry"],
    citation=("Busso C, Bulut M, Lee CC, Kazemzadeh A, Mower E, Kim S, Chang JN, Lee S, Narayanan SS (2008) "
              "IEMOCAP: interactive emotional dyadic motion capture database. Language Resources and "
              "Evaluation 42(4):335-359"),
    licence="IEMOCAP release agreement (research use, request from USC SAIL)",
    layout=("IEMOCAP_full_release/Session{1..5}/sentences/wav/<dialog>/<utterance>.wav with labels in "
            "Session{N}/dialog/EmoEvaluation/<dialog>.txt (root may be IEMOCAP_full_release itself)"),
    instructions=("IEMOCAP is licensed: fill in the release form at https://sail.usc.edu/iemocap/iemocap_release.htm; "
                  "USC SAIL emails a download link for IEMOCAP_full_release.tar.gz. Unpack it so that "
                  "<root>/IEMOCAP_full_release/Session1 ... Session5 exist (or pass IEMOCAP_full_release as root)."),
    default_protocol="loso_session",
)
def iemocap(root: Path, merge_excited: bool = True, classes=IEMOCAP_FOUR_CLASSES):
    """IEMOCAP: 5 sessions x 2 actors (10 speakers), majority labels from EmoEvaluation.

    Default: the field's 4-class, 5531-utterance setting - neutral, happy
    (``hap`` and ``exc`` merged, ``merge_excited=True``), angry, sad. With
    ``merge_excited=False`` excited turns are dropped and only ``hap`` counts as
    happy (about 4490 utterances). ``classes`` lists the EmoEvaluation codes to
    keep, or ``"all"`` for every categorical label; ``xxx`` (no majority among
    the evaluators) has no label and is never yielded. ``emotion`` is the
    release's category (``Excited`` stays ``Excited`` even when it counts as
    happy) and ``extra['emotion_code']`` its code.
    """
    kept = _iemocap_kept_codes(classes, merge_excited)
    release = iemocap_release_root(root)
    for session_number in range(1, 6):
        session_dir = release / f"Session{session_number}"
        if not session_dir.is_dir():
            continue
        evaluations = read_iemocap_evaluations(session_dir)
        wav_dir = session_dir / "sentences" / "wav"
        if not wav_dir.is_dir():
            continue
        for path in audio_files(wav_dir):
            utterance = path.stem
            match = IEMOCAP_UTTERANCE.match(utterance)
            evaluation = evaluations.get(utterance)
            if not match or evaluation is None or evaluation["code"] not in kept:
                continue
            if int(match.group(1)) != session_number:
                continue
            code = evaluation["code"]
            category, unified = IEMOCAP_CATEGORIES[code]
            if code == "exc" and merge_excited:
                unified = "happy"
            speaker, gender = iemocap_speaker(utterance)
            yield Record(str(path), "iemocap", speaker, gender, category, unified, {
                "session": session_number, "dialog": utterance.rsplit("_", 1)[0],
                "improvised": match.group(3) == "impro", "emotion_code": code,
                "start": evaluation["start"], "end": evaluation["end"],
                "valence": evaluation["valence"], "arousal": evaluation["arousal"],
                "dominance": evaluation["dominance"],
            })


# --------------------------------------------------------------------------- CREMA-D
CREMAD_EMOTIONS = {  # code -> (emotion as the release's README names it, unified label)
    "ANG": ("Anger", "angry"), "DIS": ("Disgust", "disgust"), "FEA": ("Fear", "fearful"),
    "HAP": ("Happy", "happy"), "NEU": ("Neutral", "neutral"), "SAD": ("Sad", "sad"),
}
CREMAD_LEVELS = {"LO": "low", "MD": "medium", "HI": "high", "XX": "unspecified"}
CREMAD_SENTENCES = {  # the 12 sentences of the release's README
    "IEO": "It's eleven o'clock", "TIE": "That is exactly what happened",
    "IOM": "I'm on my way to the meeting", "IWW": "I wonder what this is about",
    "TAI": "The airplane is almost full", "MTI": "Maybe tomorrow it will be cold",
    "IWL": "I would like a new alarm clock", "ITH": "I think I have a doctor's appointment",
    "DFA": "Don't forget a jacket", "ITS": "I think I've seen this before",
    "TSI": "The surface is slick", "WSI": "We'll stop in a couple of minutes",
}
CREMAD_STEM = re.compile(r"^(\d{4})_([A-Z]{3})_(ANG|DIS|FEA|HAP|NEU|SAD)_(LO|MD|HI|XX)$")
CREMAD_DEMOGRAPHICS = "VideoDemographics.csv"


def read_cremad_demographics(root: Path) -> dict:
    """Actor id -> {gender, age, race, ethnicity} from the release's VideoDemographics.csv
    (searched in ``root`` and, when root is the AudioWAV folder, its parent); {} if absent."""
    import csv

    for folder in (Path(root), Path(root).parent):
        table = folder / CREMAD_DEMOGRAPHICS
        if table.is_file():
            break
    else:
        return {}
    actors = {}
    with open(table, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            try:
                actor, sex = row["ActorID"].strip(), row["Sex"].strip().lower()
            except (KeyError, AttributeError):
                raise CorpusError(f"{table}: expected columns ActorID,Age,Sex,Race,Ethnicity, got {list(row)}") from None
            actors[actor] = {
                "gender": sex if sex in ("female", "male") else "unknown",
                "age": int(row["Age"]) if (row.get("Age") or "").strip().isdigit() else None,
                "race": (row.get("Race") or "").strip(), "ethnicity": (row.get("Ethnicity") or "").strip(),
            }
    return actors


@register_corpus(
    "cremad",
    title="CREMA-D (Crowd-sourced Emotional Multimodal Actors Dataset), audio",
    labels=["neutral", "happy", "sad", "angry", "fearful", "disgust"],
    citation=("Cao H, Cooper DG, Keutmann MK, Gur RC, Nenkova A, Verma R (2014) CREMA-D: crowd-sourced "
              "emotional multimodal actors dataset. IEEE Trans. Affective Computing 5(4):377-390"),
    licence="Open Database License (ODbL) v1.0, contents under the Database Contents License",
    layout="AudioWAV/AAAA_SSS_EEE_LL.wav, e.g. AudioWAV/1001_DFA_ANG_XX.wav, plus VideoDemographics.csv in root",
    instructions=("CREMA-D is on GitHub with its audio in Git LFS: install git-lfs, then "
                  "`git lfs clone https://github.com/CheyneyComputerScience/CREMA-D <root>` (the AudioWAV folder "
                  "alone, about 7442 files, is enough: `git lfs pull --include AudioWAV`). Keep "
                  "VideoDemographics.csv in <root>; without it every gender is 'unknown'."),
    default_protocol="speaker_kfold",
)
def cremad(root: Path):
    """CREMA-D: 91 actors, 12 sentences, 6 emotions, intensity LO/MD/HI or XX (unspecified).

    Gender, age, race and ethnicity come from the release's VideoDemographics.csv
    when it is in ``root``; without it gender is ``"unknown"`` rather than
    guessed, since the actor number carries no gender in CREMA-D.
    """
    demographics = read_cremad_demographics(root)
    for path in audio_files(root):
        match = CREMAD_STEM.match(path.stem)
        if not match or match.group(2) not in CREMAD_SENTENCES:
            continue
        actor, sentence, code, level = match.groups()
        person = demographics.get(actor, {})
        corpus_label, unified = CREMAD_EMOTIONS[code]
        yield Record(str(path), "cremad", actor, person.get("gender", "unknown"), corpus_label, unified, {
            "sentence": sentence, "text": CREMAD_SENTENCES[sentence], "emotion_code": code,
            "intensity": CREMAD_LEVELS[level], "age": person.get("age"),
        })


# --------------------------------------------------------------------------- TESS
TESS_EMOTIONS = {  # file-name token -> (emotion as the release names it, unified label)
    "angry": ("angry", "angry"), "disgust": ("disgust", "disgust"), "fear": ("fear", "fearful"),
    "happy": ("happy", "happy"), "neutral": ("neutral", "neutral"),
    "ps": ("pleasant surprise", "surprised"), "sad": ("sad", "sad"),
}
TESS_SPEAKERS = {"OAF": 64, "YAF": 26}  # older / younger adult female, ages from the release description
TESS_STEM = re.compile(r"^([A-Za-z]+)_([A-Za-z]+)_(angry|disgust|fear|happy|neutral|ps|sad)$", re.IGNORECASE)


@register_corpus(
    "tess",
    title="Toronto Emotional Speech Set (TESS)",
    labels=["neutral", "happy", "sad", "angry", "fearful", "disgust", "surprised"],
    citation=("Pichora-Fuller MK, Dupuis K (2020) Toronto emotional speech set (TESS). Borealis, "
              "https://doi.org/10.5683/SP2/E8H2MF"),
    licence="CC BY-NC-ND 4.0",
    layout="<folder>/OAF_back_angry.wav, <folder>/YAF_back_ps.wav (e.g. folders OAF_angry, YAF_pleasant_surprised)",
    instructions=("Download TESS from its Borealis (University of Toronto Dataverse) record "
                  "https://doi.org/10.5683/SP2/E8H2MF ('Access Dataset' -> original format zip) and unzip it "
                  "under <root>; the per-emotion folders may sit at any depth."),
)
def tess(root: Path):
    """TESS: two actresses (OAF aged 64, YAF aged 26), 200 target words, 7 emotions.

    The speaker comes from the stem's first token. One released file is named
    ``OA_bite_neutral.wav`` inside ``OAF_neutral``: when the token is not OAF/YAF
    but is a prefix of the speaker named by the enclosing ``OAF_*``/``YAF_*``
    folder, the folder decides (``extra['name_fixed']`` is then True); any other
    mismatch is skipped. Tokens are matched case-insensitively.
    """
    for path in audio_files(root):
        match = TESS_STEM.match(path.stem)
        if not match:
            continue
        token, word, emotion_token = match.group(1).upper(), match.group(2).lower(), match.group(3).lower()
        name_fixed = False
        if token not in TESS_SPEAKERS:
            folder_speaker = path.parent.name.split("_", 1)[0].upper()
            if folder_speaker not in TESS_SPEAKERS or not folder_speaker.startswith(token):
                continue
            token, name_fixed = folder_speaker, True
        corpus_label, unified = TESS_EMOTIONS[emotion_token]
        yield Record(str(path), "tess", token, "female", corpus_label, unified, {
            "word": word, "emotion_code": emotion_token, "age": TESS_SPEAKERS[token], "name_fixed": name_fixed,
        })


# --------------------------------------------------------------------------- SAVEE
SAVEE_EMOTIONS = {  # code -> (emotion as the release names it, unified label)
    "a": ("anger", "angry"), "d": ("disgust", "disgust"), "f": ("fear", "fearful"),
    "h": ("happiness", "happy"), "n": ("neutral", "neutral"), "sa": ("sadness", "sad"),
    "su": ("surprise", "surprised"),
}
SAVEE_SPEAKERS = ("DC", "JE", "JK", "KL")
SAVEE_STEM = re.compile(r"^(sa|su|a|d|f|h|n)(\d{2})$")
SAVEE_FLAT_STEM = re.compile(r"^(DC|JE|JK|KL)_(sa|su|a|d|f|h|n)(\d{2})$")


@register_corpus(
    "savee",
    title="Surrey Audio-Visual Expressed Emotion (SAVEE), audio",
    labels=["neutral", "happy", "sad", "angry", "fearful", "disgust", "surprised"],
    citation=("Haq S, Jackson PJB (2009) Speaker-dependent audio-visual emotion recognition. "
              "Proc. AVSP 2009, 53-58"),
    licence="free for research use after registration (University of Surrey)",
    layout="AudioData/<DC|JE|JK|KL>/<code><nn>.wav, e.g. AudioData/DC/a01.wav, sa01.wav, n30.wav",
    instructions=("Register at http://kahlan.eps.surrey.ac.uk/savee/ (Download page) to receive the password, "
                  "download AudioData.zip and unzip it so that <root>/AudioData/DC, JE, JK, KL exist."),
)
def savee(root: Path):
    """SAVEE: four male speakers (DC, JE, JK, KL), 7 emotions, 120 utterances each
    (15 per emotion, 30 neutral). The speaker is the enclosing folder; the flat
    ``DC_a01.wav`` naming of widely shared copies is accepted as well."""
    for path in audio_files(root):
        flat = SAVEE_FLAT_STEM.match(path.stem)
        if flat:
            speaker, code, number = flat.groups()
        else:
            nested = SAVEE_STEM.match(path.stem)
            if not nested or path.parent.name not in SAVEE_SPEAKERS:
                continue
            speaker, (code, number) = path.parent.name, nested.groups()
        corpus_label, unified = SAVEE_EMOTIONS[code]
        yield Record(str(path), "savee", speaker, "male", corpus_label, unified,
                     {"emotion_code": code, "sentence": int(number)})


# --------------------------------------------------------------------------- CASIA
CASIA_EMOTIONS = {  # folder -> unified label
    "angry": "angry", "fear": "fearful", "happy": "happy", "neutral": "neutral", "sad": "sad",
    "surprise": "surprised",
}
CASIA_GENDERS = {"liuchanhg": "female", "wangzhe": "male", "zhaoquanyin": "female", "ZhaoZuoxiang": "male"}
CASIA_STEM = re.compile(r"^(\d{3})$")


@register_corpus(
    "casia",
    title="CASIA Chinese emotional speech corpus (Institute of Automation, Chinese Academy of Sciences)",
    labels=["neutral", "happy", "sad", "angry", "fearful", "surprised"],
    citation=("Tao J, Liu F, Zhang M, Jia H (2008) Design of speech corpus for Mandarin text to speech. "
              "Proc. Blizzard Challenge 2008 workshop"),
    licence="distributed by the Chinese Linguistic Data Consortium (research licence)",
    layout="<speaker>/<emotion>/<nnn>.wav, e.g. liuchanhg/angry/201.wav (speakers liuchanhg, wangzhe, "
           "zhaoquanyin, ZhaoZuoxiang; emotions angry, fear, happy, neutral, sad, surprise)",
    instructions=("CASIA is licensed through the Chinese Linguistic Data Consortium (http://www.chineseldc.org, "
                  "'CASIA Chinese Emotional Speech Corpus'). The freely circulating 1200-utterance subset "
                  "(4 speakers x 6 emotions x 50 sentences) uses the layout <root>/<speaker>/<emotion>/<nnn>.wav; "
                  "place it under <root> unchanged."),
)
def casia(root: Path, genders: dict | None = None):
    """CASIA: four speakers, 6 emotions, parallel sentences numbered in the file stem.

    Genders: the released folders carry no gender and no official speaker
    table was available to us. We use liuchanhg and zhaoquanyin female,
    wangzhe and ZhaoZuoxiang male, the two-female/two-male split the corpus
    is described with in secondary literature, matched to the speakers' given
    names - unverified against CASIA's own documentation, so ``genders`` (speaker ->
    "female"/"male") overrides it. Folder names are matched case-insensitively.
    """
    table = dict(CASIA_GENDERS if genders is None else genders)
    speakers = _speaker_folder_map(CASIA_GENDERS)
    for path in audio_files(root):
        match = CASIA_STEM.match(path.stem)
        emotion = path.parent.name.lower()
        speaker = speakers.get(path.parent.parent.name.lower())
        if not match or emotion not in CASIA_EMOTIONS or speaker is None:
            continue
        yield Record(str(path), "casia", speaker, table.get(speaker, "unknown"), emotion, CASIA_EMOTIONS[emotion],
                     {"sentence": int(match.group(1))})


# --------------------------------------------------------------------------- ESD
ESD_EMOTIONS = {"Neutral": "neutral", "Angry": "angry", "Happy": "happy", "Sad": "sad", "Surprise": "surprised"}
ESD_SPEAKERS = {  # speaker -> (language, gender), from the release's README
    "0001": ("zh", "female"), "0002": ("zh", "female"), "0003": ("zh", "female"), "0004": ("zh", "male"),
    "0005": ("zh", "male"), "0006": ("zh", "male"), "0007": ("zh", "female"), "0008": ("zh", "male"),
    "0009": ("zh", "female"), "0010": ("zh", "male"),
    "0011": ("en", "male"), "0012": ("en", "male"), "0013": ("en", "male"), "0014": ("en", "male"),
    "0015": ("en", "female"), "0016": ("en", "female"), "0017": ("en", "female"), "0018": ("en", "female"),
    "0019": ("en", "female"), "0020": ("en", "male"),
}
ESD_SPLITS = ("train", "evaluation", "test")
ESD_STEM = re.compile(r"^(\d{4})_(\d{6})$")


@register_corpus(
    "esd",
    title="Emotional Speech Dataset (ESD), Mandarin and English",
    labels=["neutral", "happy", "sad", "angry", "surprised"],
    citation=("Zhou K, Sisman B, Liu R, Li H (2021) Seen and unseen emotional style transfer for voice "
              "conversion with a new emotional speech dataset. Proc. ICASSP 2021, 920-924"),
    licence="research use only, under the ESD licence agreement",
    layout="ESD/<0001..0020>/<Emotion>/[train|evaluation|test/]<0001_000001>.wav (Emotion: Neutral, Angry, "
           "Happy, Sad, Surprise)",
    instructions=("Request ESD at https://github.com/HLTSingapore/Emotional-Speech-Data (sign the licence "
                  "agreement; the download link is emailed). Unzip it and place the speaker folders 0001..0020 "
                  "under <root> (any depth, e.g. <root>/Emotion Speech Dataset/0001/Angry/...)."),
)
def esd(root: Path):
    """ESD: 10 Mandarin (0001-0010) and 10 English (0011-0020) speakers, 5 emotions,
    350 parallel sentences each. The emotion is the enclosing folder (or the one above a
    ``train``/``evaluation``/``test`` split folder, whose name goes to ``extra['split']``);
    the speaker is the stem's first token and must match an enclosing speaker folder."""
    for path in audio_files(root):
        match = ESD_STEM.match(path.stem)
        if not match or match.group(1) not in ESD_SPEAKERS:
            continue
        speaker, number = match.groups()
        folder = path.parent
        split = folder.name if folder.name in ESD_SPLITS else None
        emotion_folder = folder.parent if split else folder
        if emotion_folder.name not in ESD_EMOTIONS or emotion_folder.parent.name != speaker:
            continue
        language, gender = ESD_SPEAKERS[speaker]
        yield Record(str(path), "esd", speaker, gender, emotion_folder.name, ESD_EMOTIONS[emotion_folder.name],
                     {"language": language, "sentence": int(number), "split": split})


# --------------------------------------------------------------------------- EMOVO
EMOVO_EMOTIONS = {  # code -> (Italian emotion, unified label)
    "dis": ("disgusto", "disgust"), "gio": ("gioia", "happy"), "neu": ("neutrale", "neutral"),
    "pau": ("paura", "fearful"), "rab": ("rabbia", "angry"), "sor": ("sorpresa", "surprised"),
    "tri": ("tristezza", "sad"),
}
EMOVO_SENTENCES = ("b1", "b2", "b3", "d1", "d2", "l1", "l2", "l3", "l4", "n1", "n2", "n3", "n4", "n5")
EMOVO_STEM = re.compile(r"^(dis|gio|neu|pau|rab|sor|tri)-([fm][123])-([a-z]\d)$", re.IGNORECASE)


@register_corpus(
    "emovo",
    title="EMOVO Italian emotional speech corpus",
    labels=["neutral", "happy", "sad", "angry", "fearful", "disgust", "surprised"],
    citation=("Costantini G, Iaderola I, Paoloni A, Todisco M (2014) EMOVO corpus: an Italian emotional "
              "speech database. Proc. LREC 2014, 3501-3504"),
    licence="free for research use (no formal licence text published with the corpus)",
    layout="<speaker>/<emo>-<speaker>-<sentence>.wav, e.g. f1/dis-f1-b1.wav (speakers f1 f2 f3 m1 m2 m3)",
    instructions=("EMOVO was distributed by Fondazione Ugo Bordoni (http://voice.fub.it/activities/corpora/emovo/); "
                  "obtain the EMOVO folder (speaker folders f1 f2 f3 m1 m2 m3) from there or from the authors "
                  "and place it under <root>."),
)
def emovo(root: Path):
    """EMOVO: six actors (f1-f3 female, m1-m3 male), 14 sentences, 7 emotions (588 files).

    The speaker and its gender come from the stem's middle token; sentence codes
    outside the 14 of the corpus paper (b1-b3, d1-d2, l1-l4, n1-n5) are skipped."""
    for path in audio_files(root):
        match = EMOVO_STEM.match(path.stem)
        if not match:
            continue
        code, speaker, sentence = (group.lower() for group in match.groups())
        if sentence not in EMOVO_SENTENCES:
            continue
        corpus_label, unified = EMOVO_EMOTIONS[code]
        yield Record(str(path), "emovo", speaker, GENDER_LETTERS[speaker[0].upper()], corpus_label, unified,
                     {"emotion_code": code, "sentence": sentence})

from . import synthetic  # noqa: E402,F401  (registers the "synthetic" corpus)
