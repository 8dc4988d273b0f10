"""Feature extraction: the papers' equations, one function each, and the feature cache."""
from .preprocessing import (apply_session_stats, detect_endpoints, double_threshold_decision, fit_session_stats,
                            fla_ser_logmel, frame_parameters, frame_signal, hamming_window, hz_to_mel, log_mel,
                            mel_filter_bank, mel_spectrum, mel_to_hz, power_spectrum, preemphasis,
                            session_normalize, short_time_energy, zero_crossing_rate)
from .logmel import (LOGMEL_CONFIGS, LogMelConfig, apply_standardizer, extract_logmel, fit_standardizer,
                     load_for_config, logmel_librosa, logmel_torch)
from .fusion import (FUSION_COMPOSITION, FrameStandardiser, FusionConfig, check_fusion_dimension, extract_fusion,
                     fusion_dimension, fusion_features, utterance_statistics)
from .wavelet import WaveletConfig, batched_fft_cwt, extract_scalogram, scalogram_rgb, wavelet_scalogram
