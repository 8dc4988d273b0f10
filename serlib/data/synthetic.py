"""The embedded synthetic emotional-speech corpus: a deterministic source-filter generator.

Quick mode, CI and ``make course`` run on this corpus, so it is generated on the
user's machine in seconds, bit-for-bit the same for the same seed, and laid out
exactly like RAVDESS (``Actor_NN/03-01-EE-II-SS-RR-AA.wav``, odd actors male),
so every loader, split and model of the course runs on it unchanged.

How a clip is made (one function per step, so a notebook can show each one):

1. Glottal source: a Rosenberg (1971) type-C glottal pulse per cycle,
   differentiated (the flow derivative, which includes lip radiation), with an
   F0 contour (:func:`f0_contour`: declination, per-syllable accents, a final
   fall or rise, emotion-dependent mean and range), cycle-to-cycle jitter and
   shimmer (:func:`glottal_cycles`), creak (alternating pulse amplitudes at a
   lowered F0 on the last word), pulsed aspiration noise (breathiness) and a
   first-order spectral-tilt shelf (:func:`spectral_tilt`).
2. Vocal tract: a Klatt (1980) cascade of five second-order resonators
   (:func:`resonator_sos`, :func:`formant_cascade`) whose F1-F3 follow the
   vowel targets of Peterson & Barney (1952) through a syllable sequence; F1-F5
   are multiplied by the speaker's ``vtl_scale`` (reference vocal-tract length
   / the speaker's, so > 1 means a shorter tract and higher formants).
   Consonants are band-limited noise bursts and fricatives (:func:`frication`)
   added after the tract, voiced closures carry a weak voice bar.
3. Prosody: speaking rate scales every phone duration, stressed and
   phrase-final syllables are longer, words may be separated by pauses, and the
   clip starts and ends with silence. The true speech segments (sound on, in
   whole milliseconds) are returned and written to ``metadata.csv``. A
   voiceless plosive closure after silence is silent, so that segment starts at
   its burst (a voiced closure's voice bar counts as speech); formant ringing
   adds a decaying tail of under ~25 ms after a segment ends.
4. Level: the speech part is scaled to the utterance's intensity (dBFS RMS) and
   a constant white noise floor is added, so silence is quiet but not digital zero.

Emotion cue profiles (:data:`EMOTION_CUES`) follow the DIRECTIONS reported in
the vocal-emotion literature:

- Banse R, Scherer KR (1996) Acoustic profiles in vocal emotion expression.
  J. Pers. Soc. Psychol. 70(3), 614-636.
- Juslin PN, Laukka P (2003) Communication of emotions in vocal expression and
  music performance: different channels, same code? Psychol. Bull. 129(5),
  770-814 (their summary table of cue patterns per emotion).
- Scherer KR (2003) Vocal communication of emotion: a review of research
  paradigms. Speech Communication 40(1-2), 227-256.

These papers report directions (higher/lower than neutral) and effect sizes
measured on real actors; they do not give a synthesiser's parameters. The
MAGNITUDES in :data:`EMOTION_CUES` are therefore our choice: set so each
direction matches the literature and so that classes overlap (see below).
RAVDESS's "calm" is mapped onto the literature's tenderness/low-arousal
pattern, "surprised" onto interest/surprise (rising contour, wide range), and
"disgust" onto the low-F0, slow, irregular pattern the course brief asks for
(Banse & Scherer found disgust poorly recognised and acoustically weak, so its
profile is deliberately mild).

Overlap, so the task is learnable but not trivial: every cue of every
utterance gets its own random deviation (``utterance_variation``), and every
speaker has a habitual offset of each cue and an expressiveness factor that
scales all of their emotion deviations (``speaker_variation``); both are of
the size of the smaller emotion differences (calm vs neutral, disgust vs sad).
``benchmarks/synthetic_corpus.py`` measures how well a simple
speaker-independent classifier does on the default corpus and writes the
number to ``results/course/synthetic_baseline.csv``.

The generator does not try to sound natural; it tries to put the acoustic cues
of emotion where a feature extractor can find them, with known ground truth.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

import numpy as np

from .. import settings
from ..audio import save_audio
from .corpora import RAVDESS_EMOTIONS, parse_ravdess_stem
from .records import CorpusError, Record, audio_files, register_corpus

#: Bump when a change to the generator changes its output, so cached corpora regenerate.
GENERATOR_VERSION = "2"

EMOTIONS = tuple(RAVDESS_EMOTIONS.values())
EMOTION_CODES = {label: code for code, label in RAVDESS_EMOTIONS.items()}
INTENSITIES = ("normal", "strong")
MARKER_FILE = "synthetic_config.json"
METADATA_FILE = "metadata.csv"


# --------------------------------------------------------------------------- cue table
@dataclass(frozen=True)
class CueProfile:
    """How one emotion deviates from neutral speech at NORMAL intensity.

    Additive cues (in their own units): ``f0_shift_st`` (mean F0, semitones),
    ``intensity_db`` (speech level), ``tilt_db`` (gain of the spectrum above
    ~1 kHz: > 0 flatter tilt, more high-frequency energy), ``jitter_pct`` and
    ``shimmer_pct`` (cycle-to-cycle period and amplitude irregularity, relative
    standard deviation in %), ``breathiness_db`` (aspiration noise re voicing),
    ``final_st`` (F0 movement at the end of the utterance: < 0 fall, > 0 rise),
    ``creak`` (0-1, creaky voice on the last word).
    Ratio cues: ``f0_range`` (size of the pitch accents), ``rate`` (speaking
    rate), ``articulation`` (vowel formants' distance from schwa: precision of
    articulation), ``pause`` (pause probability and length).
    """

    f0_shift_st: float = 0.0
    f0_range: float = 1.0
    intensity_db: float = 0.0
    rate: float = 1.0
    tilt_db: float = 0.0
    jitter_pct: float = 0.0
    shimmer_pct: float = 0.0
    breathiness_db: float = 0.0
    articulation: float = 1.0
    pause: float = 1.0
    final_st: float = 0.0
    creak: float = 0.0
    evidence: str = ""


RATIO_CUES = ("f0_range", "rate", "articulation", "pause")
ADDITIVE_CUES = ("f0_shift_st", "intensity_db", "tilt_db", "jitter_pct", "shimmer_pct",
                 "breathiness_db", "final_st", "creak")

#: Emotion -> deviation from neutral at normal intensity (strong multiplies the
#: deviation by ``SyntheticConfig.strong_gain``). Directions from Banse & Scherer
#: (1996), Juslin & Laukka (2003) and Scherer (2003); magnitudes are our choice.
EMOTION_CUES = MappingProxyType({
    "neutral": CueProfile(evidence="reference: every cue at the neutral baseline"),
    "calm": CueProfile(
        f0_shift_st=-0.8, f0_range=0.75, intensity_db=-3.0, rate=0.9, tilt_db=-3.0, jitter_pct=-0.1,
        breathiness_db=4.0, articulation=0.94, pause=1.3, final_st=-0.5,
        evidence="J&L 2003 tenderness: slow rate, low intensity, little high-frequency energy, low F0, "
                 "little F0 variability, falling contours; Scherer 2003 low arousal"),
    "happy": CueProfile(
        f0_shift_st=3.0, f0_range=1.5, intensity_db=3.0, rate=1.08, tilt_db=2.0, shimmer_pct=-0.5,
        articulation=1.05, pause=0.8, final_st=1.5,
        evidence="J&L 2003 happiness: high F0, much F0 variability, rising contour, fast rate, medium-high "
                 "intensity, medium HF energy, little irregularity; B&S 1996 elation: high F0 mean and range"),
    "sad": CueProfile(
        f0_shift_st=-2.0, f0_range=0.55, intensity_db=-5.0, rate=0.85, tilt_db=-6.0, jitter_pct=0.3,
        shimmer_pct=1.0, breathiness_db=7.0, articulation=0.82, pause=1.7, final_st=-1.5,
        evidence="J&L 2003 sadness: slow rate, low intensity, little HF energy, low F0, little F0 "
                 "variability, falling contours, irregularity, imprecise articulation, many pauses; "
                 "B&S 1996 sadness: low F0, low energy"),
    "angry": CueProfile(
        f0_shift_st=4.0, f0_range=1.5, intensity_db=7.0, rate=1.12, tilt_db=6.0, jitter_pct=0.2,
        breathiness_db=-3.0, articulation=1.12, pause=0.6, final_st=-1.0,
        evidence="J&L 2003 anger: fast rate, high intensity, much HF energy, high F0, much F0 variability, "
                 "precise articulation; B&S 1996 hot anger: high F0 mean, high energy, flat spectral slope; "
                 "Scherer 2003: intensity, F0 and HF energy up"),
    "fearful": CueProfile(
        f0_shift_st=5.0, f0_range=0.9, intensity_db=1.0, rate=1.15, tilt_db=3.0, jitter_pct=1.0,
        shimmer_pct=2.0, breathiness_db=3.0, final_st=1.0,
        evidence="J&L 2003 fear: fast rate, high F0, little F0 variability, much HF energy, much "
                 "microstructural irregularity; B&S 1996 panic fear: high F0 mean; Scherer 2003 fear: "
                 "F0 and rate up"),
    "disgust": CueProfile(
        f0_shift_st=-1.5, f0_range=0.9, intensity_db=1.0, rate=0.86, tilt_db=-1.0, jitter_pct=0.6,
        shimmer_pct=1.5, articulation=0.95, pause=1.2, final_st=-1.0, creak=0.6,
        evidence="course brief after B&S 1996 disgust/contempt: low F0, slow, creak and jitter; "
                 "disgust was poorly recognised there, so the profile is mild"),
    "surprised": CueProfile(
        f0_shift_st=4.0, f0_range=1.7, intensity_db=3.0, rate=1.0, tilt_db=2.0, articulation=1.05,
        pause=0.9, final_st=5.0,
        evidence="Scherer 2003 / J&L 2003 interest and surprise: rising contours, wide F0 range, high F0"),
})

#: Absolute values of the neutral baseline the deviations apply to.
NEUTRAL_BASELINE = MappingProxyType({
    "f0_shift_st": 0.0, "f0_range": 4.0,  # accent size in semitones
    "intensity_db": -30.0,  # speech RMS in dBFS
    "rate": 1.0, "tilt_db": 0.0, "jitter_pct": 0.6, "shimmer_pct": 4.0,
    "breathiness_db": -26.0, "articulation": 1.0, "pause": 1.0, "final_st": -2.0, "creak": 0.0,
})

#: Per-utterance random deviation of each cue (standard deviation; ratio cues in log units).
UTTERANCE_SPREAD = MappingProxyType({
    "f0_shift_st": 1.0, "f0_range": 0.2, "intensity_db": 2.0, "rate": 0.07, "tilt_db": 2.0,
    "jitter_pct": 0.2, "shimmer_pct": 0.8, "breathiness_db": 3.0, "articulation": 0.05, "pause": 0.3,
    "final_st": 1.2, "creak": 0.1,
})

#: Spread of the speakers' habitual offsets (same units) and of their expressiveness (log units).
SPEAKER_SPREAD = MappingProxyType({
    "f0_range": 0.2, "intensity_db": 2.5, "rate": 0.08, "tilt_db": 2.5, "jitter_pct": 0.2,
    "shimmer_pct": 1.0, "breathiness_db": 3.0, "articulation": 0.05, "pause": 0.3, "expressiveness": 0.25,
})

CUE_NAMES = tuple(NEUTRAL_BASELINE)


def cue_table():
    """:data:`EMOTION_CUES` as a pandas DataFrame (one row per emotion), for notebooks."""
    import pandas as pd

    return pd.DataFrame([{"emotion": name, **asdict(profile)} for name, profile in EMOTION_CUES.items()]
                        ).set_index("emotion")


# --------------------------------------------------------------------------- phones and statements
@dataclass(frozen=True)
class Phone:
    """A speech sound: ``formants`` holds one or two (F1, F2, F3) targets for an
    adult male tract (none for obstruents, which take their neighbours');
    ``voicing`` is the glottal amplitude; ``noise`` is (centre Hz, bandwidth Hz,
    level dB re the vowels) of its frication or burst; plosives spend
    ``release_ms`` of ``duration_ms`` on burst and aspiration after the closure."""

    symbol: str
    kind: str  # vowel, sonorant, plosive, fricative
    duration_ms: float
    formants: tuple = ()
    voicing: float = 1.0
    noise: tuple | None = None
    release_ms: float = 0.0


SCHWA = (500.0, 1500.0, 2500.0)
# Vowel targets: Peterson GE, Barney HL (1952) JASA 24(2), 175-184, adult male means.
_VOWELS = {
    "i": ((270, 2290, 3010), 125), "I": ((390, 1990, 2550), 90), "E": ((530, 1840, 2480), 95),
    "ae": ((660, 1720, 2410), 130), "a": ((730, 1090, 2440), 125), "o": ((570, 840, 2410), 125),
    "U": ((440, 1020, 2240), 90), "u": ((300, 870, 2240), 125), "^": ((640, 1190, 2390), 90),
    "@": (SCHWA, 60),
}
PHONES = {sym: Phone(sym, "vowel", dur, (tuple(map(float, f)),)) for sym, (f, dur) in _VOWELS.items()}
PHONES["ai"] = Phone("ai", "vowel", 165, (PHONES["a"].formants[0], PHONES["I"].formants[0]))
PHONES.update({
    "m": Phone("m", "sonorant", 65, ((280.0, 1100.0, 2200.0),), voicing=0.35),
    "n": Phone("n", "sonorant", 65, ((280.0, 1600.0, 2500.0),), voicing=0.35),
    "N": Phone("N", "sonorant", 70, ((280.0, 2000.0, 2600.0),), voicing=0.35),
    "r": Phone("r", "sonorant", 60, ((460.0, 1200.0, 1600.0),), voicing=0.8),
    "l": Phone("l", "sonorant", 60, ((360.0, 1300.0, 2900.0),), voicing=0.7),
    "p": Phone("p", "plosive", 95, voicing=0.0, noise=(900.0, 1200.0, -14.0), release_ms=40),
    "t": Phone("t", "plosive", 95, voicing=0.0, noise=(4500.0, 3000.0, -12.0), release_ms=40),
    "k": Phone("k", "plosive", 95, voicing=0.0, noise=(2200.0, 1400.0, -12.0), release_ms=40),
    "b": Phone("b", "plosive", 57, voicing=0.12, noise=(900.0, 1200.0, -18.0), release_ms=12),
    "d": Phone("d", "plosive", 57, voicing=0.12, noise=(4000.0, 3000.0, -16.0), release_ms=12),
    "g": Phone("g", "plosive", 57, voicing=0.12, noise=(2000.0, 1400.0, -16.0), release_ms=12),
    "s": Phone("s", "fricative", 100, voicing=0.0, noise=(5500.0, 3000.0, -14.0)),
    "z": Phone("z", "fricative", 75, voicing=0.45, noise=(5500.0, 3000.0, -20.0)),
    "S": Phone("S", "fricative", 100, voicing=0.0, noise=(3200.0, 1800.0, -14.0)),
    "f": Phone("f", "fricative", 90, voicing=0.0, noise=(4500.0, 5000.0, -26.0)),
    "D": Phone("D", "fricative", 55, voicing=0.45, noise=(4000.0, 5000.0, -28.0)),
    "h": Phone("h", "fricative", 60, voicing=0.0, noise=(1800.0, 2400.0, -22.0)),
})
ASPIRATION_BAND = (1800.0, 2400.0, -24.0)  # the aspiration after a voiceless burst, like /h/
FORMANTS_4_5 = (3500.0, 4500.0)
BANDWIDTHS = (80.0, 90.0, 120.0, 180.0, 250.0)

#: Two statements (RAVDESS has two); each word is a list of (phones, stressed) syllables.
STATEMENTS = MappingProxyType({
    1: ("kids are by the door",
        ((("k I z", True),), (("a r", False),), (("b ai", True),), (("D @", False),), (("d o r", True),))),
    2: ("dogs are sitting there",
        ((("d o g z", True),), (("a r", False),), (("s I", True), ("t I N", False)), (("D E r", True),))),
})


# --------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class SyntheticConfig:
    """Everything the corpus depends on; its :meth:`hash` names the cache folder.

    ``utterance_variation`` and ``speaker_variation`` scale the random spreads
    (:data:`UTTERANCE_SPREAD`, :data:`SPEAKER_SPREAD`): 0 gives prototypes, the
    defaults give the documented baseline accuracy. ``strong_gain`` multiplies
    an emotion's deviation from neutral at strong intensity.
    """

    n_speakers: int = 8
    sr: int = 16000
    duration_s: float = 2.0
    seed: int = 0
    statements: int = 2
    repetitions: int = 2
    emotions: tuple = EMOTIONS
    strong_gain: float = 1.6
    utterance_variation: float = 1.0
    speaker_variation: float = 1.0
    noise_floor_dbfs: float = -65.0

    def __post_init__(self):
        def fail(name, problem):
            raise ValueError(f"SyntheticConfig.{name}: {problem}")

        if not isinstance(self.n_speakers, int) or not 1 <= self.n_speakers <= 99:
            fail("n_speakers", f"must be an int in 1..99 (two-digit actor ids), got {self.n_speakers!r}")
        if not isinstance(self.sr, int) or self.sr < 8000:
            fail("sr", f"must be an int >= 8000 Hz, got {self.sr!r}")
        if not 1.0 <= float(self.duration_s) <= 10.0:
            fail("duration_s", f"must be between 1 and 10 s (a statement needs ~1.2-1.8 s), got {self.duration_s!r}")
        if self.statements not in (1, 2):
            fail("statements", f"must be 1 or 2 (two statements are defined), got {self.statements!r}")
        if not isinstance(self.repetitions, int) or not 1 <= self.repetitions <= 99:
            fail("repetitions", f"must be an int in 1..99, got {self.repetitions!r}")
        object.__setattr__(self, "emotions", tuple(self.emotions))
        unknown = [e for e in self.emotions if e not in EMOTIONS]
        if unknown or not self.emotions or len(set(self.emotions)) != len(self.emotions):
            fail("emotions", f"must be distinct names from {EMOTIONS}, got {self.emotions!r}")
        for name in ("strong_gain", "utterance_variation", "speaker_variation"):
            if not float(getattr(self, name)) >= 0:
                fail(name, f"must be >= 0, got {getattr(self, name)!r}")
        if not -120 <= self.noise_floor_dbfs <= -20:
            fail("noise_floor_dbfs", f"must be between -120 and -20 dBFS, got {self.noise_floor_dbfs!r}")

    @classmethod
    def tiny(cls, **changes) -> "SyntheticConfig":
        """4 speakers x 15 clips (1 statement, 1 repetition): unit tests, a few seconds."""
        return replace(cls(n_speakers=4, statements=1, repetitions=1), **changes)

    def hash(self) -> str:
        payload = json.dumps({"version": GENERATOR_VERSION, "config": asdict(self)}, sort_keys=True)
        return hashlib.sha1(payload.encode()).hexdigest()[:12]

    def utterances(self) -> list[tuple[int, str, str, int, int]]:
        """(speaker, emotion, intensity, statement, repetition) of every clip, in file order."""
        out = []
        for speaker in range(1, self.n_speakers + 1):
            for emotion in sorted(self.emotions, key=EMOTION_CODES.get):
                for intensity in INTENSITIES[:1] if emotion == "neutral" else INTENSITIES:
                    for statement in range(1, self.statements + 1):
                        for repetition in range(1, self.repetitions + 1):
                            out.append((speaker, emotion, intensity, statement, repetition))
        return out


def utterance_stem(speaker: int, emotion: str, intensity: str, statement: int, repetition: int) -> str:
    """RAVDESS file stem ``03-01-EE-II-SS-RR-AA`` (audio-only, speech)."""
    return (f"03-01-{EMOTION_CODES[emotion]}-{INTENSITIES.index(intensity) + 1:02d}-"
            f"{statement:02d}-{repetition:02d}-{speaker:02d}")


# --------------------------------------------------------------------------- speakers
@dataclass(frozen=True)
class SpeakerProfile:
    """A synthetic speaker: number (odd = male, as in RAVDESS), base F0, formant
    scale, habitual offsets of the cues and an expressiveness factor."""

    number: int
    gender: str
    base_f0: float
    vtl_scale: float
    habits: dict = field(default_factory=dict, hash=False, compare=False)
    expressiveness: float = 1.0


def speaker_profile(number: int, config: SyntheticConfig | None = None) -> SpeakerProfile:
    """Draw speaker ``number`` of a corpus (deterministic in ``config.seed`` and ``number``).

    Male base F0 ~ N(115, 15) Hz and formant scale ~ N(1.00, 0.05); female
    N(205, 22) Hz and N(1.15, 0.05): adult means and spreads of the order
    reported by Peterson & Barney (1952), clipped to plausible bounds.
    """
    config = config or SyntheticConfig()
    if not isinstance(number, (int, np.integer)) or number < 1:
        raise ValueError(f"speaker number must be a positive int, got {number!r}")
    rng = np.random.default_rng([config.seed, 1, int(number)])
    male = number % 2 == 1
    f0_mean, f0_sd, f0_lo, f0_hi = (115.0, 15.0, 85.0, 160.0) if male else (205.0, 22.0, 160.0, 270.0)
    scale_mean = 1.0 if male else 1.15
    base_f0 = float(np.clip(rng.normal(f0_mean, f0_sd), f0_lo, f0_hi))
    vtl_scale = float(np.clip(rng.normal(scale_mean, 0.05), scale_mean - 0.12, scale_mean + 0.12))
    spread = config.speaker_variation
    habits = {}
    for cue in CUE_NAMES:
        sd = SPEAKER_SPREAD.get(cue, 0.0) * spread
        draw = rng.normal(0.0, 1.0)  # always drawn, so changing a spread keeps the other draws
        habits[cue] = float(draw * sd) + 0.0  # + 0.0 turns -0.0 into 0.0
    expressiveness = float(np.exp(rng.normal(0.0, 1.0) * SPEAKER_SPREAD["expressiveness"] * spread))
    return SpeakerProfile(int(number), "male" if male else "female", round(base_f0, 2), round(vtl_scale, 4),
                          habits, round(expressiveness, 4))


def _utterance_rng(config: SyntheticConfig, speaker: int, emotion: str, intensity: str, statement: int,
                   repetition: int) -> np.random.Generator:
    return np.random.default_rng([config.seed, 2, speaker, EMOTIONS.index(emotion),
                                  INTENSITIES.index(intensity), statement, repetition])


def utterance_cues(emotion: str, intensity: str, speaker: SpeakerProfile, config: SyntheticConfig,
                   rng: np.random.Generator) -> dict:
    """The cue values of one utterance: neutral baseline, plus the emotion's
    deviation (times the speaker's expressiveness and, when strong, ``strong_gain``),
    plus the speaker's habit, plus a per-utterance random deviation.
    Ratio cues combine in log units; all are clipped to physically sensible bounds."""
    profile = EMOTION_CUES[emotion]
    gain = speaker.expressiveness * (config.strong_gain if intensity == "strong" else 1.0)
    cues = {}
    for cue in CUE_NAMES:
        noise = rng.normal(0.0, 1.0) * UTTERANCE_SPREAD[cue] * config.utterance_variation
        deviation = getattr(profile, cue)
        if cue in RATIO_CUES:
            log_value = gain * np.log(deviation) + speaker.habits[cue] + noise
            cues[cue] = float(NEUTRAL_BASELINE[cue] * np.exp(log_value))
        else:
            cues[cue] = float(NEUTRAL_BASELINE[cue] + gain * deviation + speaker.habits[cue] + noise)
    cues["jitter_pct"] = max(cues["jitter_pct"], 0.1)
    cues["shimmer_pct"] = max(cues["shimmer_pct"], 0.5)
    cues["creak"] = float(np.clip(cues["creak"], 0.0, 1.0))
    cues["rate"] = float(np.clip(cues["rate"], 0.5, 1.8))
    cues["f0_range"] = float(np.clip(cues["f0_range"], 0.3, 14.0))
    return cues


# --------------------------------------------------------------------------- source
def rosenberg_pulse(phase: np.ndarray, open_quotient: float = 0.40, closing_quotient: float = 0.16) -> np.ndarray:
    """Rosenberg (1971) type-C glottal flow over one cycle, ``phase`` in [0, 1).

    Opening: 0.5 (1 - cos(pi p / Tp)) for p < Tp; closing: cos(pi (p - Tp) / (2 Tn))
    for Tp <= p < Tp + Tn; closed (0) after. Tp = 0.40 and Tn = 0.16 of the period are
    the values Rosenberg found preferred by listeners (JASA 49(2B), 583-590).
    """
    phase = np.asarray(phase, dtype=np.float64)
    if not (0 < open_quotient and 0 < closing_quotient and open_quotient + closing_quotient <= 1):
        raise ValueError(f"need 0 < open_quotient, 0 < closing_quotient, sum <= 1; got "
                         f"{open_quotient}, {closing_quotient}")
    flow = np.zeros_like(phase)
    opening = (phase >= 0) & (phase < open_quotient)
    closing = (phase >= open_quotient) & (phase < open_quotient + closing_quotient)
    flow[opening] = 0.5 * (1.0 - np.cos(np.pi * phase[opening] / open_quotient))
    flow[closing] = np.cos(np.pi * (phase[closing] - open_quotient) / (2.0 * closing_quotient))
    return flow


def glottal_cycles(f0: np.ndarray, sr: int, jitter: np.ndarray, shimmer: float, rng: np.random.Generator
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cycle start times (samples), periods (samples) and amplitudes following ``f0`` (Hz per sample).

    Each period is 1/F0 at the cycle's start times (1 + jitter * N(0, 1)) (``jitter``
    per sample, relative); each amplitude is 1 + shimmer * N(0, 1), kept >= 0.1.
    """
    n = len(f0)
    if n == 0:
        raise ValueError("f0 contour is empty")
    if np.any(f0 <= 0) or not np.all(np.isfinite(f0)):
        raise ValueError("f0 contour must be finite and positive")
    longest = int(np.ceil(n * float(np.max(f0)) / sr * 1.5)) + 8
    draws = rng.standard_normal(longest)
    starts = np.empty(longest)
    periods = np.empty(longest)
    t = 0.0
    count = 0
    while t < n and count < longest:
        i = int(t)
        period = sr / f0[i] * max(1.0 + jitter[i] * draws[count], 0.5)
        starts[count] = t
        periods[count] = period
        t += period
        count += 1
    amplitudes = np.maximum(1.0 + shimmer * rng.standard_normal(count), 0.1)
    return starts[:count], periods[:count], amplitudes


def glottal_source(f0: np.ndarray, sr: int, jitter: np.ndarray, shimmer: float, rng: np.random.Generator,
                   alternate: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Glottal flow and its derivative (the excitation, lip radiation included).

    ``alternate`` (per sample, 0-1) attenuates every other pulse by that fraction:
    the period-doubled amplitude pattern of creaky voice. Returns
    (derivative, flow, (starts, periods, amplitudes)).
    """
    starts, periods, amplitudes = glottal_cycles(f0, sr, jitter, shimmer, rng)
    if alternate is not None:
        odd = (np.arange(len(starts)) % 2 == 1)
        amplitudes = amplitudes * (1.0 - odd * alternate[starts.astype(int)])
    samples = np.arange(len(f0), dtype=np.float64)
    cycle = np.searchsorted(starts, samples, side="right") - 1
    phase = (samples - starts[cycle]) / periods[cycle]
    flow = rosenberg_pulse(phase) * amplitudes[cycle]
    derivative = np.diff(flow, prepend=0.0)
    return derivative, flow, (starts, periods, amplitudes)


def spectral_tilt(x: np.ndarray, tilt_db: float, sr: int, corner_hz: float = 1000.0) -> np.ndarray:
    """First-order high shelf: unity gain at DC, ``tilt_db`` at high frequencies.

    The analogue shelf H(s) = (G s + wc) / (s + wc), G = 10^(tilt_db / 20), through
    the bilinear transform with the corner prewarped (K = tan(pi fc / sr)):
    b = [G + K, K - G], a = [1 + K, K - 1], so H = 1 at DC and exactly G at Nyquist.
    > 0 flattens the spectral slope (more high-frequency energy), < 0 steepens it.
    """
    from scipy.signal import lfilter

    gain = 10.0 ** (tilt_db / 20.0)
    k = np.tan(np.pi * corner_hz / sr)
    return lfilter([gain + k, k - gain], [1.0 + k, k - 1.0], x)


# --------------------------------------------------------------------------- tract
def resonator_sos(freq_hz, bandwidth_hz, sr: int) -> np.ndarray:
    """Klatt (1980) second-order resonator(s) as second-order sections with unity DC gain.

    Poles at radius r = exp(-pi B / sr) and angle 2 pi F / sr; b0 = 1 - 2 r cos + r^2
    so that a cascade keeps the formants' natural relative amplitudes. Works on
    arrays (any shape) and returns ``shape + (6,)``.
    """
    freq = np.asarray(freq_hz, dtype=np.float64)
    bandwidth = np.broadcast_to(np.asarray(bandwidth_hz, dtype=np.float64), freq.shape)
    if np.any(freq <= 0) or np.any(freq >= sr / 2) or np.any(bandwidth <= 0):
        raise ValueError(f"resonator frequencies must lie in (0, {sr / 2}) Hz and bandwidths be > 0")
    radius = np.exp(-np.pi * bandwidth / sr)
    a1 = -2.0 * radius * np.cos(2.0 * np.pi * freq / sr)
    a2 = radius ** 2
    sos = np.zeros(freq.shape + (6,))
    sos[..., 0] = 1.0 + a1 + a2
    sos[..., 3] = 1.0
    sos[..., 4] = a1
    sos[..., 5] = a2
    return sos


def formant_cascade(x: np.ndarray, formants: np.ndarray, bandwidths, sr: int, block: int) -> np.ndarray:
    """Filter ``x`` through a cascade of resonators whose frequencies change per block.

    ``formants`` is (n_blocks, n_formants) in Hz, one row per ``block`` samples;
    the filter state carries over between blocks, so the output is continuous.
    """
    from scipy.signal import sosfilt

    n_blocks = formants.shape[0]
    if n_blocks * block < len(x):
        raise ValueError(f"{n_blocks} formant blocks of {block} samples do not cover {len(x)} samples")
    sections = resonator_sos(formants, np.broadcast_to(bandwidths, formants.shape), sr)
    state = np.zeros((formants.shape[1], 2))
    out = np.empty_like(x, dtype=np.float64)
    for b in range(n_blocks):
        start = b * block
        if start >= len(x):
            break
        out[start:start + block], state = sosfilt(sections[b], x[start:start + block], zi=state)
    return out


@functools.lru_cache(maxsize=512)
def _band_sos(centre_hz: float, bandwidth_hz: float, sr: int) -> np.ndarray:
    from scipy.signal import butter

    nyquist = sr / 2.0
    low = max(centre_hz - bandwidth_hz / 2.0, 50.0)
    high = min(centre_hz + bandwidth_hz / 2.0, 0.95 * nyquist)
    if low >= high:
        low = 0.5 * high
    return butter(2, [low, high], btype="bandpass", fs=sr, output="sos")


def frication(length: int, centre_hz: float, bandwidth_hz: float, sr: int, rng: np.random.Generator,
              ramp: int, decay: float | None = None) -> np.ndarray:
    """Band-limited noise of ``length`` samples (unit RMS before the envelope):
    raised-cosine on/off ramps of ``ramp`` samples, or an exponential decay with
    time constant ``decay`` samples (a plosive burst)."""
    from scipy.signal import sosfilt

    if length <= 0:
        return np.zeros(0)
    noise = sosfilt(_band_sos(round(centre_hz, 1), round(bandwidth_hz, 1), sr), rng.standard_normal(length))
    noise /= max(float(np.sqrt(np.mean(noise ** 2))), 1e-12)
    envelope = np.ones(length)
    if decay is not None:
        envelope = np.exp(-np.arange(length) / decay)
    ramp = min(ramp, length // 2)
    if ramp > 0:
        rise = 0.5 - 0.5 * np.cos(np.pi * (np.arange(ramp) + 0.5) / ramp)
        envelope[:ramp] *= rise
        envelope[length - ramp:] *= rise[::-1]
    return noise * envelope


# --------------------------------------------------------------------------- prosody
@dataclass
class _PhoneEvent:
    phone: Phone
    start_ms: int
    end_ms: int
    syllable: int
    stressed: bool
    word: int


LEADING_MIN_MS = 60
TRAILING_MIN_MS = 100


def plan_timeline(statement: int, cues: dict, duration_ms: int, rng: np.random.Generator):
    """Phone timing of one utterance, in whole milliseconds.

    Phone durations are scaled by 1/rate, stressed vowels x1.25 (unstressed x0.85),
    the last syllable x1.3 (phrase-final lengthening), each by a random +-8 %.
    Between words a pause appears with probability 0.25 x pause cue (at most 0.9),
    lasting 90-220 ms x sqrt(pause cue). Leading silence 100-280 ms. When speech,
    pauses and a trailing silence of 100 ms do not fit the clip, the leading
    silence shrinks (to 60 ms), then the pauses (to half); speech still too long
    is cut at the end, as the RAVDESS stand-ins are.
    Returns (events, speech segments in ms, number of syllables).
    """
    if statement not in STATEMENTS:
        raise ValueError(f"statement must be one of {sorted(STATEMENTS)}, got {statement!r}")
    words = STATEMENTS[statement][1]
    n_syllables = sum(len(word) for word in words)
    planned = []  # (phone, duration_ms, syllable, stressed, word)
    syllable_index = 0
    for w, word in enumerate(words):
        for text, stressed in word:
            final = syllable_index == n_syllables - 1
            for symbol in text.split():
                phone = PHONES[symbol]
                dur = phone.duration_ms / cues["rate"] * float(np.exp(rng.normal(0.0, 0.08)))
                if phone.kind == "vowel":
                    dur *= 1.25 if stressed else 0.85
                if final:
                    dur *= 1.3
                planned.append((phone, max(int(round(dur)), 15 if phone.kind != "plosive" else
                                           int(phone.release_ms) + 15), syllable_index, stressed, w))
            syllable_index += 1
    pauses = []
    probability = min(0.25 * cues["pause"], 0.9)
    for _ in range(len(words) - 1):
        occurs = rng.random() < probability
        length = rng.uniform(90.0, 220.0) * np.sqrt(max(cues["pause"], 0.0))
        pauses.append(int(round(length)) if occurs else 0)
    budget = duration_ms - TRAILING_MIN_MS
    sounding_ms = sum(p[1] for p in planned)
    lead = int(round(rng.uniform(100.0, 280.0)))
    lead = max(min(lead, budget - sounding_ms - sum(pauses)), LEADING_MIN_MS)
    overflow = lead + sounding_ms + sum(pauses) - budget
    if overflow > 0 and sum(pauses) > 0:
        squeeze = max(1.0 - overflow / sum(pauses), 0.5)
        pauses = [int(round(p * squeeze)) for p in pauses]

    events, segments = [], []
    t = lead
    segment_start = None
    for i, (phone, dur, syl, stressed, w) in enumerate(planned):
        if i > 0 and planned[i - 1][4] != w and pauses[planned[i - 1][4]]:
            segments.append((segment_start, t))
            t += pauses[planned[i - 1][4]]
            segment_start = None
        if segment_start is None:
            # a voiceless closure after silence is silence too: the segment starts at its release
            # (a voiced closure carries an audible voice bar and counts as speech)
            silent_closure = phone.kind == "plosive" and phone.voicing == 0.0
            segment_start = t + (dur - int(phone.release_ms) if silent_closure else 0)
        events.append(_PhoneEvent(phone, t, t + dur, syl, stressed, w))
        t += dur
    segments.append((segment_start, t))
    segments = [(a, min(b, duration_ms)) for a, b in segments if a < duration_ms]
    return events, segments, n_syllables


def f0_contour(events, cues: dict, base_f0: float, n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """F0 per sample (Hz): the hat-pattern intonation of a declarative sentence.

    In semitones re the speaker's base F0: the emotion's mean shift, a declination
    of -1.5 st/s, an accent on each syllable's vowel (stressed: 0.6-1.0 x the range
    cue, unstressed: 0-0.2 x), a final movement (``final_st``: fall or rise), and a
    slow random wander (0.4 st); points joined by monotone cubic (PCHIP) interpolation.
    """
    from scipy.interpolate import PchipInterpolator

    nuclei = {}
    for ev in events:
        if ev.phone.kind == "vowel" and ev.syllable not in nuclei:
            nuclei[ev.syllable] = ((ev.start_ms + ev.end_ms) / 2000.0, ev.stressed)
    speech_start = events[0].start_ms / 1000.0
    speech_end = events[-1].end_ms / 1000.0
    times = [speech_start]
    values = [0.3 * cues["f0_range"]]
    for syllable in sorted(nuclei):
        t, stressed = nuclei[syllable]
        accent = rng.uniform(0.6, 1.0) if stressed else rng.uniform(0.0, 0.2)
        times.append(t)
        values.append(accent * cues["f0_range"])
    last_accent = values[-1]
    times.append(speech_end)
    values.append(last_accent + cues["final_st"])
    times = np.asarray(times)
    values = np.asarray(values) + cues["f0_shift_st"] - 1.5 * (times - speech_start)
    order = np.argsort(times)
    times, values = times[order], values[order]
    keep = np.concatenate([[True], np.diff(times) > 1e-3])
    curve = PchipInterpolator(times[keep], values[keep], extrapolate=False)
    t = np.clip(np.arange(n) / sr, times[0], times[-1])
    semitones = curve(t)
    hop = max(sr // 100, 1)
    wander = np.convolve(rng.standard_normal(n // hop + 2), np.hanning(7) / np.hanning(7).sum(), mode="same")
    wander *= 0.4 / max(float(np.std(wander)), 1e-9)
    semitones = semitones + np.interp(np.arange(n), np.arange(len(wander)) * hop, wander)
    return base_f0 * 2.0 ** (semitones / 12.0)


# --------------------------------------------------------------------------- one utterance
BLOCK_MS = 5
SPEECH_DB_PER_STRESS = 3.0


def _formant_tracks(events, cues, vtl_scale, n_blocks, rng) -> np.ndarray:
    times, targets = [], []
    for ev in events:
        if not ev.phone.formants:
            continue
        length = ev.end_ms - ev.start_ms
        points = ev.phone.formants
        anchors = (0.25, 0.75) if len(points) == 1 else (0.2, 0.8)
        for k, anchor in enumerate(anchors):
            target = np.asarray(points[min(k, len(points) - 1)])
            if ev.phone.kind == "vowel":
                target = np.asarray(SCHWA) + cues["articulation"] * (target - np.asarray(SCHWA))
            times.append(ev.start_ms + anchor * length)
            targets.append(target)
    targets = np.asarray(targets) * np.exp(rng.normal(0.0, 0.03, size=(len(targets), 1)))
    centres = (np.arange(n_blocks) + 0.5) * BLOCK_MS
    tracks = np.stack([np.interp(centres, times, targets[:, k]) for k in range(3)], axis=1)
    high = np.broadcast_to(np.asarray(FORMANTS_4_5), (n_blocks, 2))
    tracks = np.concatenate([tracks, high], axis=1) * vtl_scale
    return np.clip(tracks, 150.0, None)


def synthesize_utterance(emotion: str = "neutral", intensity: str = "normal", statement: int = 1,
                         repetition: int = 1, speaker: int | SpeakerProfile = 1,
                         config: SyntheticConfig | None = None, overrides: dict | None = None
                         ) -> tuple[np.ndarray, list[tuple[float, float]], dict]:
    """Synthesise one clip of the corpus.

    Args:
        emotion, intensity, statement, repetition: as in RAVDESS (neutral has no strong).
        speaker: a speaker number of the corpus, or a :class:`SpeakerProfile` (to
            compare voices that differ in one property only).
        config: the corpus configuration (sample rate, duration, seed, spreads).
        overrides: cue values to force (``{"jitter_pct": 0.0}``), for demonstrations.

    Returns:
        (signal float32 of ``duration_s * sr`` samples, speech segments as
        [(start_s, end_s)], cues: the drawn cue values plus measured realisations
        ``f0_mean_hz``, ``f0_range_st``, ``intensity_dbfs``, ``rate_syl_per_s``,
        ``jitter_local_pct``, ``shimmer_local_pct``, ``pause_s``).
    """
    config = config or SyntheticConfig()
    if emotion not in EMOTIONS:
        raise ValueError(f"emotion must be one of {EMOTIONS}, got {emotion!r}")
    if intensity not in INTENSITIES:
        raise ValueError(f"intensity must be one of {INTENSITIES}, got {intensity!r}")
    if emotion == "neutral" and intensity == "strong":
        raise ValueError("emotion 'neutral' has only intensity 'normal' (as in RAVDESS)")
    if statement not in STATEMENTS:
        raise ValueError(f"statement must be one of {sorted(STATEMENTS)}, got {statement!r}")
    profile = speaker if isinstance(speaker, SpeakerProfile) else speaker_profile(speaker, config)
    rng = _utterance_rng(config, profile.number, emotion, intensity, statement, repetition)
    cues = utterance_cues(emotion, intensity, profile, config, rng)
    for name, value in (overrides or {}).items():
        if name not in cues:
            raise ValueError(f"overrides: unknown cue {name!r}; known: {', '.join(CUE_NAMES)}")
        cues[name] = float(value)

    sr = config.sr
    duration_ms = int(round(config.duration_s * 1000))
    n = int(round(config.duration_s * sr))
    to_sample = lambda ms: min(int(round(ms * sr / 1000)), n)  # noqa: E731
    events, segments_ms, n_syllables = plan_timeline(statement, cues, duration_ms, rng)

    # voicing gate and intensity envelope, per sample
    gate = np.zeros(n)
    level_db = np.zeros(n)
    vowel_mask = np.zeros(n, dtype=bool)
    last_word = events[-1].word
    creak_mask = np.zeros(n)
    for ev in events:
        a, b = to_sample(ev.start_ms), to_sample(ev.end_ms)
        if ev.phone.kind == "plosive":
            release = to_sample(ev.end_ms - ev.phone.release_ms)
            gate[a:release] = ev.phone.voicing
            gate[release:b] = 0.5 if ev.phone.voicing > 0 else 0.0
        else:
            gate[a:b] = ev.phone.voicing
        level_db[a:b] = SPEECH_DB_PER_STRESS if ev.stressed else 0.0
        if ev.phone.kind == "vowel":
            vowel_mask[a:b] = True
        if ev.word == last_word:
            creak_mask[a:b] = cues["creak"]
    smooth = max(int(0.010 * sr), 1)
    kernel = np.hanning(smooth + 2)[1:-1]
    gate = np.convolve(gate, kernel / kernel.sum(), mode="same")
    level_db = np.convolve(level_db, kernel / kernel.sum(), mode="same")
    speech_start, speech_end = to_sample(events[0].start_ms), to_sample(events[-1].end_ms)
    level_db -= 2.0 * np.clip((np.arange(n) - speech_start) / max(speech_end - speech_start, 1), 0, 1)

    # source
    f0 = f0_contour(events, cues, profile.base_f0, n, sr, rng)
    f0 *= 1.0 - 0.3 * creak_mask  # creak lowers F0 ...
    jitter = cues["jitter_pct"] / 100.0 * (1.0 + 3.0 * creak_mask)  # ... and makes it irregular
    derivative, flow, (starts, periods, amplitudes) = glottal_source(
        f0, sr, jitter, cues["shimmer_pct"] / 100.0, rng, alternate=0.5 * creak_mask)
    voiced = gate > 0.5
    reference = max(float(np.sqrt(np.mean(derivative[voiced] ** 2))) if voiced.any() else 1.0, 1e-12)
    aspiration = rng.standard_normal(n) * (0.25 + 0.75 * flow / max(float(flow.max()), 1e-12))
    aspiration *= reference * 10.0 ** (cues["breathiness_db"] / 20.0) / max(float(np.std(aspiration)), 1e-12)
    excitation = spectral_tilt(derivative + aspiration, cues["tilt_db"], sr)
    excitation *= gate * 10.0 ** (level_db / 20.0)

    # tract
    block = max(int(BLOCK_MS * sr / 1000), 1)
    n_blocks = -(-n // block)
    tracks = _formant_tracks(events, cues, profile.vtl_scale, n_blocks, rng)
    keep = tracks.max(axis=0) < 0.45 * sr  # formants the sample rate cannot carry are dropped
    voice = formant_cascade(excitation, tracks[:, keep], np.asarray(BANDWIDTHS)[keep], sr, block)
    vowel_rms = max(float(np.sqrt(np.mean(voice[vowel_mask] ** 2))) if vowel_mask.any() else 1.0, 1e-12)

    # consonant noise
    noise = np.zeros(n)
    for ev in events:
        if ev.phone.noise is None:
            continue
        centre, width, level = ev.phone.noise
        centre *= profile.vtl_scale
        amplitude = vowel_rms * 10.0 ** (level / 20.0) * 10.0 ** ((cues["tilt_db"] * 0.5) / 20.0)
        b = to_sample(ev.end_ms)
        if ev.phone.kind == "plosive":
            a = to_sample(ev.end_ms - ev.phone.release_ms)
            noise[a:b] += amplitude * 2.0 * frication(b - a, centre, width, sr, rng, ramp=int(0.001 * sr),
                                                      decay=0.006 * sr)
            if ev.phone.voicing == 0.0:
                asp_centre, asp_width, asp_level = ASPIRATION_BAND
                noise[a:b] += vowel_rms * 10.0 ** (asp_level / 20.0) * frication(
                    b - a, asp_centre * profile.vtl_scale, asp_width, sr, rng, ramp=int(0.008 * sr))
        else:
            a = to_sample(ev.start_ms)
            noise[a:b] += amplitude * frication(b - a, centre, width, sr, rng, ramp=int(0.015 * sr))
    speech = voice + noise

    # level and noise floor
    segments = [(to_sample(a), to_sample(b)) for a, b in segments_ms]
    in_speech = np.zeros(n, dtype=bool)
    for a, b in segments:
        in_speech[a:b] = True
    speech_rms = max(float(np.sqrt(np.mean(speech[in_speech] ** 2))), 1e-12)
    speech *= 10.0 ** (cues["intensity_db"] / 20.0) / speech_rms
    floor = rng.standard_normal(n) * 10.0 ** (config.noise_floor_dbfs / 20.0)
    peak = float(np.max(np.abs(speech + floor)))
    if peak > 0.99:  # never clip: a very loud utterance is scaled down, and the realised level says so
        speech *= 0.99 / peak
    signal = (speech + floor).astype(np.float32)

    # measured realisations
    # Praat's local jitter and shimmer over consecutive cycles that are both voiced; jitter is
    # taken on the periods relative to the intended contour, so the intonation does not count
    cycle_start = np.minimum(starts.astype(int), n - 1)
    cycle_voiced = gate[cycle_start] > 0.5
    pairs = cycle_voiced[1:] & cycle_voiced[:-1]
    relative_periods = periods * f0[cycle_start] / sr
    voiced_amps = amplitudes[cycle_voiced]
    voiced_f0 = f0[voiced]
    segments_s = [(a / 1000.0, b / 1000.0) for a, b in segments_ms]
    speech_time = sum(b - a for a, b in segments_s)
    between = [segments_s[i + 1][0] - segments_s[i][1] for i in range(len(segments_s) - 1)]
    realised = {
        "f0_mean_hz": float(np.mean(voiced_f0)) if voiced_f0.size else float("nan"),
        "f0_range_st": float(12 * np.log2(np.percentile(voiced_f0, 95) / np.percentile(voiced_f0, 5)))
        if voiced_f0.size else float("nan"),
        "intensity_dbfs": float(20 * np.log10(np.sqrt(np.mean(signal[in_speech].astype(np.float64) ** 2)))),
        "rate_syl_per_s": n_syllables / speech_time if speech_time > 0 else float("nan"),
        "jitter_local_pct": float(100 * np.mean(np.abs(np.diff(relative_periods))[pairs])
                                  / np.mean(relative_periods[cycle_voiced]))
        if pairs.sum() > 2 else float("nan"),
        "shimmer_local_pct": float(100 * np.mean(np.abs(np.diff(amplitudes))[pairs]) / np.mean(voiced_amps))
        if pairs.sum() > 2 else float("nan"),
        "pause_s": float(sum(between)),
    }
    return signal, segments_s, {**cues, **realised}


# --------------------------------------------------------------------------- corpus on disk
METADATA_COLUMNS = (
    "utterance_id", "speaker", "gender", "emotion", "intensity", "statement", "repetition", "base_f0",
    "vtl_scale", "expressiveness", *CUE_NAMES, "f0_mean_hz", "f0_range_st", "intensity_dbfs", "rate_syl_per_s",
    "jitter_local_pct", "shimmer_local_pct", "pause_s", "speech_segments",
)


def format_segments(segments) -> str:
    """[(start_s, end_s), ...] -> ``"0.215-0.987;1.102-1.650"`` (millisecond precision)."""
    return ";".join(f"{a:.3f}-{b:.3f}" for a, b in segments)


def parse_segments(text: str) -> list[tuple[float, float]]:
    """Inverse of :func:`format_segments`; raises ValueError naming the bad text."""
    out = []
    for part in str(text).split(";"):
        if not part:
            continue
        try:
            start, end = (float(v) for v in part.split("-"))
        except ValueError:
            raise ValueError(f"speech segment {part!r} in {text!r} is not 'start-end' in seconds") from None
        if end < start:
            raise ValueError(f"speech segment {part!r} ends before it starts")
        out.append((start, end))
    return out


def expected_files(config: SyntheticConfig) -> list[str]:
    """Relative paths of every clip the corpus holds."""
    return [f"Actor_{u[0]:02d}/{utterance_stem(*u)}.wav" for u in config.utterances()]


def corpus_matches(out_dir, config: SyntheticConfig) -> bool:
    """True when ``out_dir`` holds a complete corpus generated with ``config``."""
    out = Path(out_dir)
    marker = out / MARKER_FILE
    if not marker.is_file() or not (out / METADATA_FILE).is_file():
        return False
    try:
        stored = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    if stored.get("hash") != config.hash():
        return False
    return all((out / rel).is_file() for rel in expected_files(config))


def _readme(config: SyntheticConfig, count: int) -> str:
    lines = [
        "Synthetic emotional speech corpus, generated by serlib.data.synthetic (no recorded speech).",
        "",
        "Layout as RAVDESS: Actor_NN/03-01-EE-II-SS-RR-AA.wav (16-bit PCM), odd actors male;",
        "EE emotion 01-08 (neutral calm happy sad angry fearful disgust surprised), II intensity",
        "(01 normal, 02 strong; neutral only normal), SS statement, RR repetition.",
        "metadata.csv: one row per clip with speaker, gender, base_f0 (Hz), vtl_scale (formant",
        "multiplier), the drawn cue values, their measured realisations and the true speech",
        "segments (speech_segments, 'start-end;...' in seconds, millisecond precision).",
        "",
        f"clips: {count}",
        f"seed: {config.seed}",
        f"config hash: {config.hash()} (generator version {GENERATOR_VERSION})",
        "config:",
        *[f"  {k} = {v}" for k, v in asdict(config).items()],
        "",
        "Statements: " + "; ".join(f"{k}: '{v[0]}'" for k, v in STATEMENTS.items()),
        "",
        "Source-filter model: Rosenberg (1971) glottal pulses with jitter, shimmer, aspiration",
        "and spectral tilt; Klatt (1980) cascade of five formant resonators; Peterson & Barney",
        "(1952) vowel targets. Emotion cue directions from Banse & Scherer (1996) JPSP 70(3),",
        "Juslin & Laukka (2003) Psychol. Bull. 129(5) and Scherer (2003) Speech Communication 40;",
        "magnitudes chosen by serlib. Regenerate with:",
        "  from serlib.data.synthetic import SyntheticConfig, generate_corpus",
        "  config = json.load(open('synthetic_config.json'))['config']",
        "  generate_corpus(folder, SyntheticConfig(**config))",
        "",
    ]
    return "\n".join(lines)


def _write_corpus(folder: Path, config: SyntheticConfig, progress: bool) -> None:
    utterances = config.utterances()
    iterator = utterances
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(utterances, desc="synthetic corpus", unit="clip")
    speakers = {number: speaker_profile(number, config) for number in range(1, config.n_speakers + 1)}
    rows = []
    for speaker, emotion, intensity, statement, repetition in iterator:
        profile = speakers[speaker]
        signal, segments, cues = synthesize_utterance(emotion, intensity, statement, repetition, profile, config)
        stem = utterance_stem(speaker, emotion, intensity, statement, repetition)
        save_audio(folder / f"Actor_{speaker:02d}" / f"{stem}.wav", signal, config.sr)
        row = {"utterance_id": stem, "speaker": f"{speaker:02d}", "gender": profile.gender, "emotion": emotion,
               "intensity": intensity, "statement": statement, "repetition": repetition,
               "base_f0": profile.base_f0, "vtl_scale": profile.vtl_scale,
               "expressiveness": profile.expressiveness, "speech_segments": format_segments(segments)}
        row.update({k: round(v, 4) for k, v in cues.items()})
        rows.append(row)
    with open(folder / METADATA_FILE, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=METADATA_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    (folder / "README.txt").write_text(_readme(config, len(rows)))
    # the marker goes last: a folder with it is complete
    (folder / MARKER_FILE).write_text(json.dumps(
        {"hash": config.hash(), "version": GENERATOR_VERSION, "config": asdict(config)}, indent=1))


def generate_corpus(out_dir, config: SyntheticConfig | None = None, progress: bool = False,
                    overwrite: bool = False) -> Path:
    """Write the corpus to ``out_dir`` and return it; do nothing if it is already there.

    The corpus is written into a temporary sibling folder and moved into place
    at the end, so an interrupted run leaves no half corpus and two processes
    may race safely. An existing folder that is not empty and does not hold this
    configuration raises :class:`FileExistsError`, unless ``overwrite`` is set and
    the folder holds a synthetic corpus (a folder of anything else is never deleted).
    """
    config = config or SyntheticConfig()
    if not isinstance(config, SyntheticConfig):
        raise TypeError(f"config must be a SyntheticConfig, got {type(config).__name__}")
    out = Path(out_dir)
    if corpus_matches(out, config):
        return out
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out}: exists and is not a folder")
    occupied = out.is_dir() and any(out.iterdir())
    if occupied:
        if not (out / MARKER_FILE).is_file():
            raise FileExistsError(f"{out}: folder is not empty and holds no synthetic corpus; "
                                  f"choose an empty or new folder")
        if not overwrite:
            raise FileExistsError(f"{out}: holds a synthetic corpus of another configuration (wanted hash "
                                  f"{config.hash()}); pass overwrite=True to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        _write_corpus(staging, config, progress)
        if occupied:
            shutil.rmtree(out)
        try:
            os.replace(staging, out)
        except OSError:
            if corpus_matches(out, config):  # another process finished the same corpus first
                shutil.rmtree(staging, ignore_errors=True)
                return out
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def default_corpus_root(config: SyntheticConfig | None = None, progress: bool = False) -> Path:
    """``settings.cache_dir()/synthetic-<hash>``, generated there first when missing."""
    config = config or SyntheticConfig()
    return generate_corpus(settings.cache_dir() / f"synthetic-{config.hash()}", config, progress=progress)


def read_metadata(root) -> dict[str, dict]:
    """``metadata.csv`` of a generated corpus as {utterance_id: row}; numbers as floats."""
    path = Path(root) / METADATA_FILE
    if not path.is_file():
        raise CorpusError(f"{path}: missing; the synthetic corpus folder is incomplete "
                          f"(regenerate it with serlib.data.synthetic.generate_corpus)")
    text_columns = {"utterance_id", "speaker", "gender", "emotion", "intensity", "speech_segments"}
    rows = {}
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("utterance_id", "speaker", "emotion", "speech_segments")
                   if c not in (reader.fieldnames or [])]
        if missing:
            raise CorpusError(f"{path}: columns {missing} missing; not a synthetic-corpus metadata file")
        for line, row in enumerate(reader, start=2):
            try:
                rows[row["utterance_id"]] = {k: (v if k in text_columns else float(v)) for k, v in row.items()}
            except ValueError as exc:
                raise CorpusError(f"{path}, line {line}: {exc}") from None
    return rows


@register_corpus(
    "synthetic",
    title="Synthetic emotional speech (serlib source-filter generator)",
    labels=EMOTIONS,
    citation="serlib synthetic corpus; cue directions after Banse & Scherer (1996) JPSP 70(3), "
             "Juslin & Laukka (2003) Psychol. Bull. 129(5), Scherer (2003) Speech Communication 40",
    licence="generated locally by serlib (MIT); contains no recorded speech",
    layout="Actor_NN/03-01-EE-II-SS-RR-AA.wav plus metadata.csv and synthetic_config.json",
    downloadable=False,
    instructions="generate it: serlib.data.synthetic.generate_corpus(folder) or default_corpus_root()",
    default_protocol="loso",
)
def synthetic(root: Path):
    """The generated corpus: RAVDESS file names plus the generator's metadata
    (base F0, formant scale, cue values, speech segments) as extra fields."""
    metadata = read_metadata(root)
    duplicated = {"utterance_id", "speaker", "gender", "emotion", "intensity", "statement", "repetition"}
    for path in audio_files(root):
        fields_ = parse_ravdess_stem(path.stem)
        if fields_ is None or fields_["modality"] != "03" or fields_["vocal_channel"] != "speech":
            continue
        row = metadata.get(path.stem)
        if row is None:
            raise CorpusError(f"{path}: not listed in {Path(root) / METADATA_FILE}")
        gender = fields_.pop("gender")
        code = fields_.pop("emotion_code")
        extra = dict(fields_)
        extra.update({k: v for k, v in row.items() if k not in duplicated})
        label = RAVDESS_EMOTIONS[code]
        yield Record(str(path), "synthetic", fields_["actor"], gender, label, label, extra)


__all__ = [
    "EMOTIONS", "EMOTION_CUES", "NEUTRAL_BASELINE", "CueProfile", "SyntheticConfig", "SpeakerProfile",
    "speaker_profile", "utterance_cues", "synthesize_utterance", "generate_corpus", "default_corpus_root",
    "corpus_matches", "read_metadata", "format_segments", "parse_segments", "rosenberg_pulse",
    "glottal_cycles", "glottal_source", "spectral_tilt", "resonator_sos", "formant_cascade", "frication",
    "f0_contour", "plan_timeline", "cue_table", "utterance_stem", "expected_files",
]
