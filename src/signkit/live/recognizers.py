"""Streaming recognisers: they consume one frame's landmarks at a time and emit :class:`Event`.

- :class:`StreamingSpeller` (fingerspelling, hand-shape checkpoints): per-frame letter probabilities
  into the offline decoder (:func:`signkit.spelling.decode_spelling`), re-run over a bounded buffer;
  a letter is emitted once it is final, i.e. ``lookahead_s`` after its last frame (by then smoothing,
  glitch removal and double-letter merging can no longer change it).
- :class:`StreamingSignRecognizer` (isolated signs, keypoint checkpoints): a sliding window of the
  last ``window_s`` seconds, classified every ``hop_s``; gated by hand presence and motion; a gloss is
  emitted when its probability stays at or above ``threshold`` over ``consecutive`` windows, once per
  signing (repeats suppressed until the gate closes or another gloss is emitted). Windows whose best
  probability is below ``threshold`` (e.g. signing not in the vocabulary), or won by the filler class
  ``<other>`` of a model trained with ``data.options.other_glosses``, emit nothing.
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass

import numpy as np

from ..data.wrappers import OTHER
from ..errors import SignkitError
from ..spelling.decoder import DecoderConfig, decode_spelling


@dataclass
class Event:
    """One recognised letter or gloss: ``label``, ``start_s``/``end_s`` (stream seconds of the signing),
    ``emitted_s`` (stream seconds when it was emitted), ``confidence`` (mean probability), ``kind``
    (``letter`` or ``gloss``)."""

    label: str
    start_s: float
    end_s: float
    emitted_s: float
    confidence: float
    kind: str

    def to_dict(self) -> dict:
        return asdict(self)


class StreamingSpeller:
    """Online fingerspelling decoder over per-frame probabilities ``(K,)`` (None: no hand).

    Args:
        vocabulary: the letters (columns of the probabilities). fps: the stream's frame rate (frames
        per second; the decoder's seconds become frames with it). config: the decoder's settings.
        lookahead_s: how long after a letter's last frame it is emitted (default: the longest of the
        decoder's windows plus one frame). max_buffer_s: the longest span kept (seconds; bounds memory).
    """

    def __init__(self, vocabulary: list[str], fps: float, config: DecoderConfig | None = None,
                 lookahead_s: float | None = None, max_buffer_s: float = 20.0):
        if not fps > 0:
            raise SignkitError(f"expected a positive frame rate; found {fps}")
        self.vocabulary, self.fps, self.cfg = list(vocabulary), float(fps), config or DecoderConfig()
        smooth, min_letter, min_gap = self.cfg.frames(self.fps)
        self.context = smooth
        self.lookahead = (max(smooth // 2 + 1, min_letter, min_gap) + 1 if lookahead_s is None
                          else max(1, int(round(lookahead_s * self.fps))))
        self.max_buffer = max(int(max_buffer_s * self.fps), 4 * self.lookahead + self.context)
        self.base = 0  # absolute index of the buffer's first frame
        self.probs: list[np.ndarray] = []
        self.present: list[bool] = []
        self.times: list[float] = []
        self.emitted_end = 0  # absolute frame index: letters starting before it are already out
        self.text = ""

    def push(self, t: float, probs: np.ndarray | None, now: float | None = None) -> list[Event]:
        """Add one frame (stream time ``t`` s; ``probs (K,)`` or None when no hand); returns the letters
        that became final (``now``: the emission time, default ``t``)."""
        K = len(self.vocabulary)
        self.probs.append(np.zeros(K, np.float32) if probs is None else np.asarray(probs, np.float32))
        self.present.append(probs is not None)
        self.times.append(float(t))
        if len(self.probs) > self.max_buffer:  # a letter held for ever: keep the newest frames
            cut = len(self.probs) - self.max_buffer
            del self.probs[:cut], self.present[:cut], self.times[:cut]
            self.base += cut
        return self._emit(final=False, now=t if now is None else now)

    def flush(self, now: float | None = None) -> list[Event]:
        """End of stream: every letter still pending."""
        return self._emit(final=True, now=self.times[-1] if now is None and self.times else (now or 0.0))

    def _emit(self, final: bool, now: float) -> list[Event]:
        if not self.probs:
            return []
        sp = decode_spelling(np.stack(self.probs), np.asarray(self.present), self.vocabulary, self.fps, self.cfg)
        last = self.base + len(self.probs)  # absolute index after the newest frame
        out = []
        for L in sp.letters:
            s, e = self.base + L.start_frame, self.base + L.end_frame
            if s < self.emitted_end:
                continue
            if not final and last - e < self.lookahead:
                break
            dt = 1.0 / self.fps
            out.append(Event(L.letter, round(self.times[L.start_frame], 3),
                             round(self.times[L.end_frame - 1] + dt, 3), round(float(now), 3), L.confidence, "letter"))
            self.emitted_end = e
            self.text += L.letter
        keep_from = max(0, self.emitted_end - self.context - self.base)
        if keep_from > 0:
            del self.probs[:keep_from], self.present[:keep_from], self.times[:keep_from]
            self.base += keep_from
        return out


class StreamingSignRecognizer:
    """Isolated signs from a landmark stream with a keypoint checkpoint (module docstring).

    Args:
        classify: ``(points (T, J, C), conf (T, J), fps) -> probabilities (K,)``. vocabulary: glosses.
        fps: frames per second. window_s / hop_s: window length and step (seconds). threshold: the
        least probability of an emitted gloss (the rejection threshold). consecutive: windows in a row
        that must agree. min_presence: least fraction of window frames with a hand. min_motion: least
        mean joint speed over the window, in coordinate units (pixels) per second. gate_joints: the
        joints presence and motion are measured on (default all; whole-body layouts pass their hand
        joints, so that a still body and face do not hide moving hands).

    ``last_model_ms`` is the time of the classification made by the last :meth:`push` (None when no
    window was classified).
    """

    def __init__(self, classify, vocabulary: list[str], fps: float, window_s: float = 2.0, hop_s: float = 0.25,
                 threshold: float = 0.6, consecutive: int = 2, min_presence: float = 0.5, min_motion: float = 20.0,
                 gate_joints: list[int] | None = None):
        if not fps > 0 or not window_s > 0 or not hop_s > 0 or not 0 <= threshold <= 1 or consecutive < 1:
            raise SignkitError(f"streaming sign recogniser: expected fps, window_s, hop_s > 0, threshold in [0, 1], "
                               f"consecutive >= 1; found {fps}, {window_s}, {hop_s}, {threshold}, {consecutive}")
        self.classify, self.vocabulary, self.fps = classify, list(vocabulary), float(fps)
        self.window = max(2, int(round(window_s * fps)))
        self.hop = max(1, int(round(hop_s * fps)))
        self.threshold, self.consecutive = float(threshold), int(consecutive)
        self.min_presence, self.min_motion = float(min_presence), float(min_motion)
        self.buf: deque = deque(maxlen=self.window)
        self.since_hop = 0
        self.streak: list = []  # (label index, prob, start_s, end_s) of agreeing windows
        self.last_emitted: int | None = None
        self.gate_joints = None if gate_joints is None else np.asarray(gate_joints, int)
        self.last_model_ms: float | None = None
        self.scores: list[tuple[float, str, float]] = []  # (end_s, best gloss, its probability), bounded
        self.max_scores = 10_000

    def _gate(self, pts: np.ndarray, conf: np.ndarray) -> bool:
        if self.gate_joints is not None:
            pts, conf = pts[:, self.gate_joints], conf[:, self.gate_joints]
        present = (conf > 0).any(1)
        if present.mean() < self.min_presence:
            return False
        both = (conf[1:] > 0) & (conf[:-1] > 0)
        if not both.any():
            return False
        speed = np.linalg.norm(np.diff(pts[..., :2], axis=0), axis=-1)[both].mean() * self.fps
        return bool(speed >= self.min_motion)

    def push(self, t: float, points: np.ndarray, conf: np.ndarray, now: float | None = None) -> list[Event]:
        """Add one frame (``points (J, C)``, ``conf (J,)``, 0 where missing); returns emitted glosses."""
        self.last_model_ms = None
        self.buf.append((float(t), np.asarray(points, np.float32), np.asarray(conf, np.float32)))
        self.since_hop += 1
        if len(self.buf) < self.window or self.since_hop < self.hop:
            return []
        self.since_hop = 0
        ts = [b[0] for b in self.buf]
        pts = np.stack([b[1] for b in self.buf])
        conf = np.stack([b[2] for b in self.buf])
        start, end = ts[0], ts[-1] + 1.0 / self.fps
        if not self._gate(pts, conf):
            self.streak, self.last_emitted = [], None  # the gate closed: the next signing may repeat a gloss
            return []
        import time

        t0 = time.perf_counter()
        p = np.asarray(self.classify(pts, conf, self.fps), np.float64)
        self.last_model_ms = (time.perf_counter() - t0) * 1e3
        k = int(p.argmax())
        if len(self.scores) < self.max_scores:
            self.scores.append((round(end, 3), self.vocabulary[k], round(float(p[k]), 4)))
        if p[k] < self.threshold or self.vocabulary[k] == OTHER:  # rejected, or the filler class won
            self.streak = []
            return []
        self.streak = [s for s in self.streak if s[0] == k] + [(k, float(p[k]), start, end)]
        if len(self.streak) < self.consecutive or self.last_emitted == k:
            return []
        self.last_emitted = k
        ev = Event(self.vocabulary[k], round(self.streak[0][2], 3), round(end, 3),
                   round(float(t if now is None else now), 3), round(float(np.mean([s[1] for s in self.streak])), 4),
                   "gloss")
        self.streak = []
        return [ev]

    def flush(self, now: float | None = None) -> list[Event]:
        return []
