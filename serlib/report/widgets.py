"""Interactive pieces of the notebooks (ipywidgets), kept here so the notebooks stay short and tested.

Every explorer also draws its default figure, so a headless run (nbval,
``make course``) shows the same picture a reader sees before touching a
slider. Works with ipywidgets 7 (Colab's default) and 8 (``notebooks`` extra;
on Colab it needs the custom widget manager the setup cell switches on).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np


def _widgets():
    try:
        import ipywidgets
    except ImportError as exc:
        raise ImportError("the interactive explorers need ipywidgets: pip install ipywidgets "
                          "(Colab and the 'notebooks' extra have it)") from exc
    return ipywidgets


def audio_players(clips: Mapping[str, tuple[np.ndarray, int]]):
    """A row of labelled audio players, one per clip (label -> (signal, sample rate))."""
    from IPython.display import Audio, display

    widgets = _widgets()
    players = []
    for label, (signal, sr) in clips.items():
        out = widgets.Output()
        with out:
            display(Audio(np.asarray(signal), rate=sr))
        players.append(widgets.VBox([widgets.Label(label), out]))
    return widgets.HBox(players)


@dataclass
class Explorer:
    """Sliders that redraw one figure function; ``draw`` is what a slider change calls."""

    draw_figure: Callable
    sliders: dict
    columns: int = 3
    output: object = None
    drawn: list = field(default_factory=list)  # the keyword arguments of every redraw, in order

    def values(self) -> dict:
        return {name: slider.value for name, slider in self.sliders.items()}

    def draw(self, change=None):
        import matplotlib.pyplot as plt

        values = self.values()
        self.drawn.append(values)
        with self.output:
            self.output.clear_output(wait=True)
            fig = self.draw_figure(**values)
            plt.show()
        plt.close(fig)
        return fig

    def widget(self):
        widgets = _widgets()
        sliders = list(self.sliders.values())
        boxes = [widgets.VBox(sliders[i:i + self.columns]) for i in range(0, len(sliders), self.columns)]
        return widgets.VBox([widgets.HBox(boxes), self.output])


def explorer(draw_figure: Callable, sliders: Mapping, columns: int = 3) -> Explorer:
    """Wire ``sliders`` (name -> ipywidgets slider) to ``draw_figure(**values)``: each change redraws."""
    widgets = _widgets()
    built = Explorer(draw_figure, dict(sliders), columns, widgets.Output())
    for slider in built.sliders.values():
        slider.observe(built.draw, names="value")
    return built


def endpoint_explorer(signal: np.ndarray, sr: int) -> Explorer:
    """fla_ser Eqs. 1-8 and the Eq. 6 detector on one clip: pre-emphasis, framing and the two thresholds."""
    from ..features import preprocessing as pre
    from .plots import endpoint_figure

    widgets = _widgets()
    sliders = {
        "mu": widgets.FloatSlider(value=pre.FLA_SER_MU, min=0.0, max=0.99, step=0.0125, description="mu"),
        "frame_ms": widgets.FloatSlider(value=30.0, min=10.0, max=60.0, step=5.0, description="frame ms"),
        "shift_ms": widgets.FloatSlider(value=10.0, min=5.0, max=30.0, step=5.0, description="shift ms"),
        "high_db": widgets.FloatSlider(value=-20.0, min=-50.0, max=-3.0, step=1.0, description="T_H dB"),
        "low_db": widgets.FloatSlider(value=-35.0, min=-70.0, max=-5.0, step=1.0, description="T_L dB"),
    }
    return explorer(lambda **values: endpoint_figure(signal, sr, **values), sliders)
