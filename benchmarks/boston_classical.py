"""RWTH-BOSTON-104: classical classifiers on the trajectory features of `boston_trees.py`, each scored by
5-fold cross-validation on the training split grouped by sentence video (no sentence in two folds) and
on the test split, and the equal-weight mixes of pairs and triples (mean probabilities) by the same two
figures, so a member chosen by cross-validation can be told from one chosen on test (issue 16, point 2).

    .venv/bin/python benchmarks/boston_classical.py

Prints a markdown table.
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from boston_trees import boston_splits, trajectory_features


def main() -> None:
    from sklearn.ensemble import ExtraTreesClassifier, HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    tr, te, voc, ytr, yte = boston_splits()
    groups = np.array([s.sequence.meta["video"] for s in tr.samples])
    xtr, xte = trajectory_features(tr), trajectory_features(te)
    models = {
        "extra trees (1,000)": lambda: ExtraTreesClassifier(1000, random_state=0, n_jobs=2),
        "random forest (1,000)": lambda: RandomForestClassifier(1000, random_state=0, n_jobs=2),
        "gradient boosting (200 rounds)": lambda: HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=5, early_stopping=False,
            random_state=0),
        "logistic regression (C=1)": lambda: make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000)),
        "logistic regression (C=0.1)": lambda: make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=3000)),
        "RBF SVM (C=10)": lambda: make_pipeline(StandardScaler(), SVC(C=10, probability=True, random_state=0)),
        "5-NN (distance-weighted)": lambda: make_pipeline(StandardScaler(), KNeighborsClassifier(5, weights="distance")),
    }

    def proba(m, x):
        p = np.zeros((len(x), len(voc)))
        p[:, m.classes_] = m.predict_proba(x)
        return p

    acc = lambda p, y: 100.0 * float((p.argmax(1) == y).mean())  # noqa: E731
    oof, test = {}, {}
    print("| classifier or mix (mean probabilities) | 5-fold CV on train, by sentence | test top-1 | seconds |")
    print("|---|---|---|---|")
    for name, make in models.items():
        t0 = time.perf_counter()
        o = np.zeros((len(ytr), len(voc)))
        for a, b in GroupKFold(5).split(xtr, ytr, groups):
            o[b] = proba(make().fit(xtr[a], ytr[a]), xtr[b])
        oof[name], test[name] = o, proba(make().fit(xtr, ytr), xte)
        print(f"| {name} | {acc(o, ytr):.2f} % | {acc(test[name], yte):.2f} % | {time.perf_counter() - t0:.0f} |", flush=True)
    for r in (2, 3):
        for combo in itertools.combinations(models, r):
            o, t = np.mean([oof[k] for k in combo], 0), np.mean([test[k] for k in combo], 0)
            print(f"| {' + '.join(combo)} | {acc(o, ytr):.2f} % | {acc(t, yte):.2f} % | |")


if __name__ == "__main__":
    main()
