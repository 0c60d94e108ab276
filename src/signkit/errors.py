"""Exceptions raised by signkit. Every message names what was expected and what was found."""


class SignkitError(Exception):
    """Base class of all signkit errors."""


class KeypointFileError(SignkitError, ValueError):
    """A keypoint file is empty, malformed or has the wrong joint count."""


class LayoutMismatchError(SignkitError, ValueError):
    """Keypoints or a checkpoint do not match the expected layout."""


class UnknownNameError(SignkitError, KeyError):
    """An unknown model, dataset, layout or config key was asked for."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class DataRootError(SignkitError, FileNotFoundError):
    """The data root or a dataset folder inside it does not exist."""


class CheckpointError(SignkitError, ValueError):
    """A checkpoint file is missing, not a signkit checkpoint, or incompatible."""


class ConfigError(SignkitError, ValueError):
    """A configuration file, section, key or value is not what signkit expects."""


class NoHandError(SignkitError):
    """MediaPipe Hands found no hand in an image given to a model that needs one."""
