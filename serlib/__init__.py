"""serlib: the code behind the speech emotion recognition course.

The package follows one pipeline, one direction::

    audio -> data -> features -> augment -> models -> train -> evaluate -> report
                                                          experiments ---/

Each subpackage imports only the ones before it. Heavy libraries (torch,
librosa) are imported by the submodules that need them, so ``import serlib``
stays fast.
"""

__version__ = "0.1.0"

PAPERS = {
    "fla_ser": "FLA-SER: FCN + Bi-LSTM + DMP-Transformer + hierarchical attention (paper 000)",
    "speechnet": "SpeechNet: 107-d fusion features, pre-attention, capsule routing (paper 001)",
    "cnn_transformer": "Parallel CNN + Transformer with cross-attention on RAVDESS (paper 002)",
    "wavelet_cnn_lstm": "Wavelet-scaled spectrogram + parallel CNN pipes + LSTM (paper 003)",
    "dual_stream_caf": "Dual-stream log-Mel + HuBERT/Wav2Vec2 with cross-attention fusion (paper 004)",
}
