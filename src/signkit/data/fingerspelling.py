"""Static fingerspelled letters from several people, for a fingerspelling model that reads people it
never saw.

- ``asl_letters_users``: 1,680 webcam photos of the 24 static ASL letters (A-Y without J, Z) in
  seven folders ``user_<N>/<LETTER><k>.jpg`` (see its SOURCE.md: a folder is not one person; frames
  0-4 and 5-9 of a letter are two bursts). Split leave-one-folder-out (``test_folder``).
- ``fingerspelling_static``: the 24 static letters of ``asl_letters_users``, ``asl_massey``
  (5 people, lower-case class folders; digits and J/Z left out) and ``silfa_letters`` (one signer;
  only the first half of each letter's frames, by id, is ever used for training). ``hold_out``
  names the people of the test split, ``<source>:<signer>``:
  ``asl_massey:hand3``, ``asl_letters_users:user_5``, ``silfa_letters`` (SILFA's second halves), or
  ``none`` (everything trains; the test split is SILFA's second halves). ``sources`` picks which
  corpora train (e.g. leave SILFA out). Signer ids are ``<source>:<signer>``; sample ids are
  ``<source>/<relative path>``, stable across hold-outs so that landmark caches are shared.

``ds[i]`` is that of :class:`~signkit.data.images.ImageDataset`; use ``view: landmarks`` for the
landmark classifier.
"""

from __future__ import annotations

import re

from ..errors import ConfigError, DataRootError
from ..paths import dataset_dir
from .images import ImageDataset, ImageSample, _folder_samples, load_asl_massey, load_silfa_letters

STATIC_LETTERS = [c for c in "ABCDEFGHIKLMNOPQRSTUVWXY"]  # 24: J and Z are drawn in the air
SOURCES = ("asl_letters_users", "asl_massey", "silfa_letters")


def _users_samples(root) -> list[ImageSample]:
    base = dataset_dir("asl_letters_users", root)
    out = []
    for p in sorted(base.glob("user_*/*")):
        m = re.fullmatch(r"([A-Z])(\d+)", p.stem)
        if p.suffix.lower() not in (".jpg", ".jpeg", ".png") or not m:
            continue
        out.append(ImageSample(str(p), m.group(1), p.parent.name, p.relative_to(base).as_posix()))
    if not out:
        raise DataRootError(f"{base}: no user_<N>/<LETTER><k>.jpg photos; expected the asl_letters_users layout")
    return out


def load_asl_letters_users(split: str = "train", root=None, test_folder: str = "user_3") -> ImageDataset:
    """asl_letters_users, leave-one-folder-out: folder ``test_folder`` (``user_3`` ... ``user_10``) is
    the test split (``split="all"``: every photo).

    Raises:
        DataRootError: the folder is missing or holds no photos. ConfigError: unknown ``test_folder``.
    """
    samples = _users_samples(root)
    folders = sorted({s.signer for s in samples})
    if test_folder not in folders:
        raise ConfigError(f"asl_letters_users: unknown test_folder {test_folder!r}; expected one of {folders}")
    if split != "all":
        samples = [s for s in samples if (s.signer == test_folder) == (split == "test")]
    return ImageDataset(samples, list(STATIC_LETTERS), "asl_letters_users", split,
                        info={"split": f"leave-one-folder-out, test {test_folder}"})


def _source_samples(source: str, root) -> tuple[list[ImageSample], list[ImageSample]]:
    """(all samples, SILFA-only second halves) of one source, relabelled onto the 24 static letters."""
    if source == "asl_letters_users":
        items = _users_samples(root)
    elif source == "asl_massey":
        items = [ImageSample(s.image, s.gloss.upper(), s.signer, s.id) for s in load_asl_massey("all", root).samples
                 if s.gloss.upper() in STATIC_LETTERS]
    else:
        train = load_silfa_letters("train", root).samples
        return ([ImageSample(s.image, s.gloss, "signer1", s.id) for s in train if s.gloss in STATIC_LETTERS],
                [ImageSample(s.image, s.gloss, "signer1", s.id) for s in load_silfa_letters("test", root).samples
                 if s.gloss in STATIC_LETTERS])
    return items, []


def load_fingerspelling_static(split: str = "train", root=None, hold_out: str = "none",
                               sources: list[str] | None = None) -> ImageDataset:
    """The 24 static letters of several corpora (module docstring); ``hold_out`` ``<source>:<signer>``,
    ``silfa_letters`` or ``none`` chooses the test people, ``sources`` the training corpora.

    Raises:
        ConfigError: an unknown source or hold-out (the message lists the choices).
        DataRootError: a source's folder is missing.
    """
    chosen = list(SOURCES if sources is None else sources)
    bad = [s for s in chosen if s not in SOURCES]
    if bad or not chosen:
        raise ConfigError(f"fingerspelling_static: unknown sources {bad or chosen}; expected some of {list(SOURCES)}")
    src, _, who = hold_out.partition(":")
    if hold_out not in ("none", "silfa_letters") and (src not in ("asl_letters_users", "asl_massey") or not who):
        raise ConfigError(f"fingerspelling_static: hold_out {hold_out!r}; expected 'none', 'silfa_letters', "
                          f"'asl_massey:hand<N>' or 'asl_letters_users:user_<N>'")
    train: list[ImageSample] = []
    test: list[ImageSample] = []
    for source in SOURCES:
        items, silfa_test = _source_samples(source, root)
        items = [ImageSample(s.image, s.gloss, f"{source}:{s.signer}", f"{source}/{s.id}") for s in items]
        if source == "silfa_letters":
            if hold_out in ("none", "silfa_letters"):
                test += [ImageSample(s.image, s.gloss, f"{source}:{s.signer}", f"{source}/{s.id}") for s in silfa_test]
            if source in chosen:
                train += items
            continue
        if src == source:
            held = [s for s in items if s.signer == hold_out]
            if not held:
                people = sorted({s.signer for s in items})
                raise ConfigError(f"fingerspelling_static: no images of {hold_out!r}; expected one of {people}")
            test += held
            items = [s for s in items if s.signer != hold_out]
        if source in chosen:
            train += items
    samples = train if split == "train" else test if split == "test" else train + test
    return ImageDataset(samples, list(STATIC_LETTERS), "fingerspelling_static", split,
                        info={"split": f"hold out {hold_out}; training sources {chosen}"})
