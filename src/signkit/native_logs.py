"""Native (C++) log noise on stderr: MediaPipe's glog/absl lines, TF Lite's delegate banner and torch's
c10 warnings (the ONNX exporter's).

MediaPipe 0.10.21 writes ``W0000 00:00:... file.cc:114] ...`` warnings and ``INFO: Created
TensorFlow Lite XNNPACK delegate for CPU.`` straight to file descriptor 2 from its C++ threads, past
``GLOG_minloglevel`` and absl's Python verbosity. The command line therefore asks for a filter
(:func:`enable`, unless ``--verbose``): when perception first starts (:func:`install`), fd 2 becomes a
pipe read by a thread that drops those informational and warning lines and forwards every other byte
(errors ``E...``/``F...`` included) to the real stderr; Python's own ``sys.stderr`` keeps writing to
the real stderr directly. Library users get nothing installed unless they call :func:`enable`.
"""

from __future__ import annotations

import atexit
import io
import os
import re
import sys
import threading

# glog/absl severity I (info) or W (warning): "W0000 00:00:1796190503.822916    1934 file.cc:114] ..."
# or torch's c10 warnings (the ONNX exporter's shape inference): "[W1205 11:36:02.813121833 file.cpp:1994] Warning: ..."
NOISE = re.compile(rb"^(?:[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [^\]\s]+:\d+\] |INFO: Created TensorFlow Lite"
                   rb"|\[[IW]\d{4} \d\d:\d\d:\d\d\.\d+ [^\]\s]+:\d+\] "
                   rb"|WARNING: All log messages before absl::InitializeLog\(\) is called)")

ENV = "SIGNKIT_QUIET_NATIVE"  # carries the request to worker processes
_state = {"installed": False}
_lock = threading.Lock()


def enable() -> None:
    """Ask for the filter, in this process and the workers it starts; it is installed by the first
    :func:`install` (perception start-up)."""
    os.environ[ENV] = "1"


def is_noise(line: bytes) -> bool:
    """Whether one stderr line is native informational/warning log output (see :data:`NOISE`)."""
    return NOISE.match(line) is not None


def install() -> bool:
    """Install the fd-2 filter if :func:`enable` was called and ``SIGNKIT_VERBOSE`` is unset; returns
    whether a filter is in place. Idempotent; a no-op where fd 2 cannot be duplicated."""
    with _lock:
        if _state["installed"]:
            return True
        if os.environ.get(ENV) != "1" or os.environ.get("SIGNKIT_VERBOSE"):
            return False
        try:
            sys.stderr.flush()
            real = os.dup(2)
            r, w = os.pipe()
        except (OSError, ValueError, AttributeError):
            return False
        os.dup2(w, 2)
        os.close(w)
        # Python keeps writing to the real stderr, unbuffered as before
        sys.stderr = io.TextIOWrapper(io.FileIO(real, "w", closefd=False), encoding=getattr(sys.stderr, "encoding", None)
                                      or "utf-8", errors="backslashreplace", line_buffering=True, write_through=True)

        def pump() -> None:
            with io.FileIO(r, "r") as pipe:
                for line in io.BufferedReader(pipe):
                    if not is_noise(line):
                        os.write(real, line)

        t = threading.Thread(target=pump, name="signkit-native-stderr", daemon=True)
        t.start()

        def restore() -> None:  # closes the pipe's write end, lets the pump drain what is left
            try:
                os.dup2(real, 2)
            except OSError:
                return
            t.join(timeout=1.0)

        atexit.register(restore)
        _state["installed"] = True
        return True
