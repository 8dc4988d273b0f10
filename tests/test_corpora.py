"""Corpus parsers against fixture trees laid out like the official releases.

Each fixture writes tiny generated clips (50 ms of low-level noise) under the
release's folder names, including ``.flac`` variants and files whose names
break the corpus's convention, which the parser must skip.
"""
from __future__ import annotations

import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from serlib.audio import save_audio
from serlib.data import CORPORA, CorpusError, UNIFIED_LABELS, load_corpus, records_frame
from serlib.data.corpora import iemocap_speaker
from serlib.settings import standin_root

SAMPLE_RATE = 16000
ALL_CORPORA = ("ravdess", "emodb", "iemocap", "cremad", "tess", "savee", "casia", "esd", "emovo")


def write_clip(root: Path, relative: str) -> Path:
    """50 ms of noise at -40 dBFS-ish, seeded by the file name so fixtures are reproducible
    (and distinct: load_corpus refuses two files with the same audio bytes)."""
    seed = zlib.crc32(relative.encode())
    noise = 0.01 * np.random.default_rng(seed).standard_normal(SAMPLE_RATE // 20)
    return save_audio(root / relative, noise, SAMPLE_RATE)


def write_junk(root: Path, relative: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not audio")
    return path


def by_id(records) -> dict:
    return {record.utterance_id: record for record in records}


def assert_consistent(name: str, records, labels=None) -> None:
    """Every record belongs to the corpus, uses a known gender and a label of the corpus."""
    allowed = set(labels if labels is not None else CORPORA[name].labels)
    for record in records:
        assert record.corpus == name
        assert record.gender in ("female", "male", "unknown")
        assert record.label in allowed, record
        assert Path(record.path).is_file()


# --------------------------------------------------------------------------- registry
def test_registry_lists_every_corpus_with_canonical_labels():
    for name in ALL_CORPORA:
        spec = CORPORA[name]
        positions = [UNIFIED_LABELS.index(label) for label in spec.labels]
        assert positions == sorted(positions), f"{name} labels not in UNIFIED_LABELS order"
        assert spec.citation and spec.licence and spec.layout
        if not spec.downloadable:
            assert "root" in spec.instructions, f"{name} instructions must say where to place the files"


def test_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="no iemocap audio files"):
        load_corpus("iemocap", tmp_path)


# --------------------------------------------------------------------------- RAVDESS
@pytest.fixture
def ravdess_tree(tmp_path):
    for name in ["Actor_01/03-01-01-01-01-01-01.wav", "Actor_01/03-01-05-02-02-01-01.flac",
                 "Actor_02/03-01-08-02-01-02-02.wav", "Actor_02/03-01-02-01-01-01-02.wav",
                 "Actor_02/03-02-03-01-01-01-02.wav",  # song
                 "Actor_02/01-01-03-01-01-01-02.wav",  # audio-video modality
                 "Actor_01/03-01-09-01-01-01-01.wav",  # no emotion 09
                 "Actor_01/03-01-01-01-01-01.wav", "Actor_01/notes.wav"]:
        write_clip(tmp_path, name)
    return tmp_path


def test_ravdess_parses_speech_and_skips_the_rest(ravdess_tree):
    records = load_corpus("ravdess", ravdess_tree)
    assert_consistent("ravdess", records)
    found = by_id(records)
    assert sorted(found) == ["03-01-01-01-01-01-01", "03-01-02-01-01-01-02", "03-01-05-02-02-01-01",
                             "03-01-08-02-01-02-02"]
    assert {r.speaker: r.gender for r in records} == {"01": "male", "02": "female"}
    assert found["03-01-05-02-02-01-01"].label == "angry"
    assert found["03-01-05-02-02-01-01"].extra["intensity"] == "strong"
    assert found["03-01-08-02-01-02-02"].extra["repetition"] == 2
    with_song = load_corpus("ravdess", ravdess_tree, include_song=True)
    assert len(with_song) == 5


# --------------------------------------------------------------------------- EmoDB
def test_emodb_speakers_labels_and_skips(tmp_path):
    for name in ["wav/03a01Fa.wav", "wav/08b02Wc.flac", "wav/16a05Lb.wav", "wav/13b10Tb.wav",
                 "wav/99a01Fa.wav", "wav/03a01Xa.wav", "wav/03a01Fa_copy.wav"]:
        write_clip(tmp_path, name)
    write_junk(tmp_path, "lablaut/03a01Fa.lab")
    records = load_corpus("emodb", tmp_path)
    assert_consistent("emodb", records)
    found = by_id(records)
    assert sorted(found) == ["03a01Fa", "08b02Wc", "13b10Tb", "16a05Lb"]
    assert (found["03a01Fa"].gender, found["03a01Fa"].label, found["03a01Fa"].extra["age"]) == ("male", "happy", 31)
    assert (found["08b02Wc"].gender, found["08b02Wc"].label) == ("female", "angry")
    assert found["16a05Lb"].label == "boredom"
    assert found["13b10Tb"].extra["text"] == "b10"


# --------------------------------------------------------------------------- IEMOCAP
IEMOCAP_EVALUATIONS = {
    1: {"Ses01F_impro01": [("Ses01F_impro01_F000", "neu", "2.5000, 2.5000, 2.5000"),
                           ("Ses01F_impro01_M000", "exc", "4.0000, 3.5000, 3.0000"),
                           ("Ses01F_impro01_F001", "hap", "4.5000, 3.0000, 2.5000"),
                           ("Ses01F_impro01_M001", "fru", "2.0000, 3.5000, 3.5000"),
                           ("Ses01F_impro01_F002", "xxx", "2.5000, 3.0000, 3.0000")],
        "Ses01F_script01_1": [("Ses01F_script01_1_M000", "ang", "1.5000, 4.0000, 4.0000"),
                              ("Ses01F_script01_1_F000", "sad", "1.5000, 2.0000, 2.0000")]},
    2: {"Ses02M_impro02": [("Ses02M_impro02_F000", "exc", "4.0000, 4.0000, 3.0000"),
                           ("Ses02M_impro02_M000", "neu", "3.0000, 2.5000, 3.0000")]},
}


def write_emoevaluation(session_dir: Path, dialog: str, turns) -> None:
    lines = ["% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]", ""]
    for index, (utterance, code, vad) in enumerate(turns):
        start = 1.0 + 3 * index
        lines += [f"[{start:.4f} - {start + 2.1:.4f}]\t{utterance}\t{code}\t[{vad}]",
                  "C-E2:\tNeutral;\t()", "C-E3:\tNeutral;\t()", "A-E1:\tval 3; act 2; dom  3;\t()", ""]
    folder = session_dir / "dialog" / "EmoEvaluation"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{dialog}.txt").write_text("\n".join(lines))


@pytest.fixture
def iemocap_tree(tmp_path):
    release = tmp_path / "IEMOCAP_full_release"
    for session, dialogs in IEMOCAP_EVALUATIONS.items():
        session_dir = release / f"Session{session}"
        for dialog, turns in dialogs.items():
            write_emoevaluation(session_dir, dialog, turns)
            for utterance, _, _ in turns:
                suffix = ".flac" if utterance.endswith("script01_1_M000") else ".wav"
                write_clip(session_dir, f"sentences/wav/{dialog}/{utterance}{suffix}")
    session1 = release / "Session1"
    # A single evaluator's file that disagrees with the majority: must be ignored.
    categorical = session1 / "dialog/EmoEvaluation/Categorical"
    categorical.mkdir(parents=True)
    (categorical / "Ses01F_impro01_e2_cat.txt").write_text(
        "[1.0000 - 3.1000]\tSes01F_impro01_F000\tang\t[1.0000, 1.0000, 1.0000]\n")
    write_clip(release / "Session2", "sentences/wav/Ses02M_impro02/Ses02M_impro02_M009.wav")  # no label
    write_junk(session1, "sentences/wav/Ses01F_impro01/._Ses01F_impro01_F000.wav")  # macOS resource fork
    write_clip(session1, "sentences/wav/Ses01F_impro01/Ses01F_impro01_F000_extra.wav")
    write_clip(session1, "sentences/wav/Ses01F_impro01/Ses02M_impro02_F000.wav")  # session 2 id under Session1
    return tmp_path


def test_iemocap_default_merges_excited_into_happy(iemocap_tree):
    records = load_corpus("iemocap", iemocap_tree)
    assert_consistent("iemocap", records)
    found = by_id(records)
    assert sorted(found) == ["Ses01F_impro01_F000", "Ses01F_impro01_F001", "Ses01F_impro01_M000",
                             "Ses01F_script01_1_F000", "Ses01F_script01_1_M000", "Ses02M_impro02_F000",
                             "Ses02M_impro02_M000"]
    assert Counter(r.label for r in records) == {"happy": 3, "neutral": 2, "angry": 1, "sad": 1}
    excited = found["Ses01F_impro01_M000"]
    assert (excited.emotion, excited.label, excited.extra["emotion_code"]) == ("Excited", "happy", "exc")
    assert found["Ses01F_impro01_F000"].label == "neutral"  # majority file, not the evaluator's 'ang'
    assert found["Ses01F_script01_1_M000"].path.endswith(".flac")


def test_iemocap_speaker_is_the_last_token(iemocap_tree):
    found = by_id(load_corpus("iemocap", iemocap_tree))
    assert (found["Ses01F_impro01_M000"].speaker, found["Ses01F_impro01_M000"].gender) == ("Ses01M", "male")
    assert (found["Ses02M_impro02_F000"].speaker, found["Ses02M_impro02_F000"].gender) == ("Ses02F", "female")
    assert {r.speaker for r in found.values()} == {"Ses01F", "Ses01M", "Ses02F", "Ses02M"}


def test_iemocap_extra_fields(iemocap_tree):
    found = by_id(load_corpus("iemocap", iemocap_tree))
    scripted = found["Ses01F_script01_1_F000"].extra
    assert scripted["session"] == 1 and scripted["dialog"] == "Ses01F_script01_1" and not scripted["improvised"]
    assert (scripted["valence"], scripted["arousal"], scripted["dominance"]) == (1.5, 2.0, 2.0)
    improvised = found["Ses02M_impro02_F000"].extra
    assert improvised["session"] == 2 and improvised["improvised"] and improvised["dialog"] == "Ses02M_impro02"
    assert improvised["end"] - improvised["start"] == pytest.approx(2.1)


def test_iemocap_without_merge_drops_excited(iemocap_tree):
    records = load_corpus("iemocap", iemocap_tree, merge_excited=False)
    assert Counter(r.label for r in records) == {"happy": 1, "neutral": 2, "angry": 1, "sad": 1}
    assert all(r.extra["emotion_code"] != "exc" for r in records)


def test_iemocap_all_classes(iemocap_tree):
    merged = load_corpus("iemocap", iemocap_tree, classes="all")
    assert Counter(r.label for r in merged)["frustrated"] == 1
    assert len(merged) == 8  # every labelled turn but the no-majority 'xxx'
    separate = load_corpus("iemocap", iemocap_tree, classes="all", merge_excited=False)
    assert Counter(r.label for r in separate) == {"neutral": 2, "happy": 1, "excited": 2, "frustrated": 1,
                                                  "angry": 1, "sad": 1}
    assert_consistent("iemocap", separate, labels=UNIFIED_LABELS)


def test_iemocap_root_may_be_the_release_folder(iemocap_tree):
    assert len(load_corpus("iemocap", iemocap_tree / "IEMOCAP_full_release")) == 7


def test_iemocap_unknown_class_is_named(iemocap_tree):
    with pytest.raises(ValueError, match="iemocap classes.*'joy'"):
        load_corpus("iemocap", iemocap_tree, classes=("neu", "joy"))


@given(session=st.integers(1, 5), prefix=st.sampled_from("FM"), last=st.sampled_from("FM"),
       dialog=st.sampled_from(["impro01", "impro05b", "script02_1", "script01_1b"]), number=st.integers(0, 999))
def test_iemocap_speaker_property(session, prefix, last, dialog, number):
    utterance = f"Ses{session:02d}{prefix}_{dialog}_{last}{number:03d}"
    speaker, gender = iemocap_speaker(utterance)
    assert speaker == f"Ses{session:02d}{last}"
    assert gender == {"F": "female", "M": "male"}[last]


# --------------------------------------------------------------------------- CREMA-D
@pytest.fixture
def cremad_tree(tmp_path):
    for name in ["AudioWAV/1001_DFA_ANG_XX.wav", "AudioWAV/1001_IEO_HAP_HI.flac", "AudioWAV/1002_TIE_SAD_LO.wav",
                 "AudioWAV/1002_MTI_FEA_MD.wav", "AudioWAV/1091_WSI_NEU_XX.wav", "AudioWAV/1003_ITS_DIS_XX.wav",
                 "AudioWAV/1001_XYZ_ANG_XX.wav", "AudioWAV/1001_DFA_ANG.wav", "AudioWAV/1001_DFA_SUR_XX.wav",
                 "AudioWAV/readme.wav"]:
        write_clip(tmp_path, name)
    write_junk(tmp_path, "AudioMP3/1001_DFA_ANG_XX.mp3")
    return tmp_path


def test_cremad_with_demographics(cremad_tree):
    (cremad_tree / "VideoDemographics.csv").write_text(
        "ActorID,Age,Sex,Race,Ethnicity\n1001,51,Male,Caucasian,Not Hispanic\n"
        "1002,21,Female,Caucasian,Not Hispanic\n1003,21,Female,Caucasian,Not Hispanic\n")
    records = load_corpus("cremad", cremad_tree)
    assert_consistent("cremad", records)
    found = by_id(records)
    assert sorted(found) == ["1001_DFA_ANG_XX", "1001_IEO_HAP_HI", "1002_MTI_FEA_MD", "1002_TIE_SAD_LO",
                             "1003_ITS_DIS_XX", "1091_WSI_NEU_XX"]
    assert {r.speaker: r.gender for r in records} == {"1001": "male", "1002": "female", "1003": "female",
                                                      "1091": "unknown"}
    assert found["1001_IEO_HAP_HI"].extra["intensity"] == "high"
    assert found["1001_DFA_ANG_XX"].extra["intensity"] == "unspecified"
    assert found["1001_DFA_ANG_XX"].extra["text"] == "Don't forget a jacket"
    assert found["1001_DFA_ANG_XX"].extra["age"] == 51
    assert Counter(r.label for r in records) == {"angry": 1, "happy": 1, "sad": 1, "fearful": 1, "neutral": 1,
                                                 "disgust": 1}


def test_cremad_without_demographics_gender_unknown(cremad_tree):
    records = load_corpus("cremad", cremad_tree)
    assert len(records) == 6 and {r.gender for r in records} == {"unknown"}


def test_cremad_bad_demographics_named(cremad_tree):
    (cremad_tree / "VideoDemographics.csv").write_text("Actor,Gender\n1001,Male\n")
    with pytest.raises(CorpusError, match="VideoDemographics.csv"):
        load_corpus("cremad", cremad_tree)


# --------------------------------------------------------------------------- TESS
def test_tess(tmp_path):
    for name in ["OAF_angry/OAF_back_angry.wav", "OAF_Pleasant_surprise/OAF_back_ps.wav",
                 "OAF_neutral/OA_bite_neutral.wav", "YAF_fear/YAF_neat_fear.flac", "YAF_happy/YAF_back_happy.wav",
                 "YAF_disgust/YAF_chat_disgust.wav", "YAF_sad/YAF_dog_sad.wav",
                 "YAF_happy/XYZ_back_happy.wav", "OAF_angry/OAF_back_bored.wav", "OAF_angry/OAF_back.wav",
                 "YAF_happy/OA_back_happy.wav"]:
        write_clip(tmp_path, name)
    records = load_corpus("tess", tmp_path)
    assert_consistent("tess", records)
    found = by_id(records)
    assert sorted(found) == ["OAF_back_angry", "OAF_back_ps", "OA_bite_neutral", "YAF_back_happy",
                             "YAF_chat_disgust", "YAF_dog_sad", "YAF_neat_fear"]
    assert {r.gender for r in records} == {"female"}
    fixed = found["OA_bite_neutral"]
    assert (fixed.speaker, fixed.extra["name_fixed"], fixed.label) == ("OAF", True, "neutral")
    surprise = found["OAF_back_ps"]
    assert (surprise.emotion, surprise.label, surprise.extra["word"]) == ("pleasant surprise", "surprised", "back")
    assert found["YAF_neat_fear"].label == "fearful" and found["YAF_neat_fear"].extra["age"] == 26
    assert Counter(r.speaker for r in records) == {"OAF": 3, "YAF": 4}


# --------------------------------------------------------------------------- SAVEE
def test_savee(tmp_path):
    for name in ["AudioData/DC/a01.wav", "AudioData/DC/sa01.wav", "AudioData/JE/su15.flac", "AudioData/KL/n30.wav",
                 "AudioData/JK/d02.wav", "AudioData/KL/f07.wav", "ALL/JK_h03.wav",
                 "AudioData/XX/a01.wav", "AudioData/DC/b01.wav", "AudioData/DC/a1.wav", "ALL/ZZ_a01.wav"]:
        write_clip(tmp_path, name)
    write_junk(tmp_path, "AudioData/Info.txt")
    records = load_corpus("savee", tmp_path)
    assert_consistent("savee", records)
    assert len(records) == 7
    assert {r.gender for r in records} == {"male"}
    assert Counter(r.speaker for r in records) == {"DC": 2, "JE": 1, "KL": 2, "JK": 2}
    labels = {(r.speaker, r.utterance_id): r.label for r in records}
    assert labels[("DC", "sa01")] == "sad" and labels[("JE", "su15")] == "surprised"
    assert labels[("DC", "a01")] == "angry" and labels[("JK", "JK_h03")] == "happy"
    assert {r.extra["sentence"] for r in records if r.speaker == "KL"} == {30, 7}


# --------------------------------------------------------------------------- CASIA
@pytest.fixture
def casia_tree(tmp_path):
    for name in ["liuchanhg/angry/201.wav", "wangzhe/fear/202.flac", "zhaoquanyin/surprise/203.wav",
                 "ZhaoZuoxiang/neutral/204.wav", "liuchanhg/happy/205.wav", "wangzhe/sad/206.wav",
                 "unknown/angry/201.wav", "liuchanhg/bored/201.wav", "liuchanhg/angry/201-angry.wav",
                 "liuchanhg/201.wav"]:
        write_clip(tmp_path, name)
    return tmp_path


def test_casia(casia_tree):
    records = load_corpus("casia", casia_tree)
    assert_consistent("casia", records)
    assert len(records) == 6
    assert {r.speaker: r.gender for r in records} == {"liuchanhg": "female", "wangzhe": "male",
                                                      "zhaoquanyin": "female", "ZhaoZuoxiang": "male"}
    assert sorted(r.label for r in records) == sorted(CORPORA["casia"].labels)
    assert {r.extra["sentence"] for r in records} == {201, 202, 203, 204, 205, 206}


def test_casia_gender_override(casia_tree):
    records = load_corpus("casia", casia_tree, genders={"wangzhe": "female"})
    assert {r.speaker: r.gender for r in records}["wangzhe"] == "female"
    assert {r.speaker: r.gender for r in records}["liuchanhg"] == "unknown"


# --------------------------------------------------------------------------- ESD
def test_esd(tmp_path):
    for name in ["ESD/0001/Angry/train/0001_000351.wav", "ESD/0001/Neutral/0001_000001.flac",
                 "ESD/0015/Happy/test/0015_000701.wav", "ESD/0020/Surprise/evaluation/0020_001401.wav",
                 "ESD/0011/Sad/0011_001051.wav", "ESD/0004/Angry/0004_000400.wav",
                 "ESD/0001/Angry/0002_000351.wav", "ESD/0001/Bored/0001_000001.wav",
                 "ESD/0021/Angry/0021_000351.wav", "ESD/0001/Angry/train/0001_351.wav"]:
        write_clip(tmp_path, name)
    write_junk(tmp_path, "ESD/0001/0001.txt")
    records = load_corpus("esd", tmp_path)
    assert_consistent("esd", records)
    found = by_id(records)
    assert sorted(found) == ["0001_000001", "0001_000351", "0004_000400", "0011_001051", "0015_000701",
                             "0020_001401"]
    assert (found["0001_000351"].gender, found["0001_000351"].extra["language"]) == ("female", "zh")
    assert found["0001_000351"].extra["split"] == "train" and found["0001_000001"].extra["split"] is None
    assert (found["0015_000701"].gender, found["0015_000701"].label) == ("female", "happy")
    assert (found["0020_001401"].gender, found["0020_001401"].label) == ("male", "surprised")
    assert found["0011_001051"].extra["language"] == "en" and found["0004_000400"].gender == "male"


# --------------------------------------------------------------------------- EMOVO
def test_emovo(tmp_path):
    for name in ["f1/dis-f1-b1.wav", "f2/gio-f2-l4.flac", "m1/pau-m1-n5.wav", "m3/tri-m3-d2.wav",
                 "m2/RAB-m2-b2.wav", "f3/sor-f3-n1.wav", "m1/neu-m1-b3.wav",
                 "f1/dis-f1-x9.wav", "f1/xxx-f1-b1.wav", "f1/dis-f4-b1.wav", "f1/readme.wav"]:
        write_clip(tmp_path, name)
    records = load_corpus("emovo", tmp_path)
    assert_consistent("emovo", records)
    assert len(records) == 7
    assert {r.speaker: r.gender for r in records} == {"f1": "female", "f2": "female", "f3": "female",
                                                      "m1": "male", "m2": "male", "m3": "male"}
    assert sorted(r.label for r in records) == sorted(CORPORA["emovo"].labels)
    joy = next(r for r in records if r.extra["emotion_code"] == "gio")
    assert (joy.emotion, joy.label, joy.extra["sentence"]) == ("gioia", "happy", "l4")
    anger = next(r for r in records if r.speaker == "m2")
    assert (anger.extra["emotion_code"], anger.label) == ("rab", "angry")


def test_records_frame_has_extra_columns(tmp_path):
    write_clip(tmp_path, "f1/dis-f1-b1.wav")
    frame = records_frame(load_corpus("emovo", tmp_path))
    assert list(frame.columns[:7]) == ["utterance_id", "path", "corpus", "speaker", "gender", "emotion", "label"]
    assert frame.loc[0, "sentence"] == "b1"


# --------------------------------------------------------------------------- stand-in corpora
@pytest.mark.standin
def test_ravdess_standin():
    root = standin_root("ravdess")
    if root is None:
        pytest.skip("RAVDESS stand-in not present")
    records = load_corpus("ravdess", root)
    assert len(records) == 1434
    genders = {r.speaker: r.gender for r in records}
    assert len(genders) == 24 and Counter(genders.values()) == {"female": 12, "male": 12}
    assert {r.label for r in records} == set(CORPORA["ravdess"].labels) and len(CORPORA["ravdess"].labels) == 8


@pytest.mark.standin
def test_emodb_standin():
    root = standin_root("emodb")
    if root is None:
        pytest.skip("EmoDB stand-in not present")
    records = load_corpus("emodb", root)
    assert len(records) == 535
    assert len({r.speaker for r in records}) == 10
    assert Counter(r.extra["emotion_code"] for r in records) == {"W": 127, "L": 81, "E": 46, "A": 69, "F": 71,
                                                                 "T": 62, "N": 79}
    assert len({r.label for r in records}) == 7
