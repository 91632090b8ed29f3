"""scikit-learn HistGradientBoostingClassifier baseline for bench/model.ts (no installs: uses
Debian's python3-sklearn / python3-pandas when present).

Modes (each prints one JSON line on stdout):
  check                                   versions, or {"missing": "..."} when a module is absent
  fit MATRIX THREADS PARAMS_JSON          fit on the float32 feature matrix written by bench/model.ts
  e2e CSV PARAMS_JSON                     pandas read_csv + the same 11 features + fit
  quality TRAIN_MATRIX TEST_MATRIX PARAMS_JSON   fit, then predict_proba on the test matrix (ROC AUC)

Matrix file: uint32 rows (LE), then rows*11 float32 (row-major), then rows uint8 labels.
PARAMS_JSON: {"max_iter":..,"max_depth":..,"learning_rate":..,"max_leaf_nodes":..,
  "min_samples_leaf":..,"l2_regularization":..,"max_bins":..} or {} for the library defaults;
  "early_stopping" is False unless the JSON sets it.
Thread count: the caller sets OMP_NUM_THREADS (threadpoolctl is used when available too).
"""
import json
import resource
import sys
import time

WIDTH = 11


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load_matrix(path):
    import numpy as np

    with open(path, "rb") as f:
        buf = f.read()
    rows = int(np.frombuffer(buf, dtype="<u4", count=1)[0])
    X = np.frombuffer(buf, dtype="<f4", count=rows * WIDTH, offset=4).reshape(rows, WIDTH)
    y = np.frombuffer(buf, dtype="u1", count=rows, offset=4 + rows * WIDTH * 4)
    return X, y


def model(params):
    from sklearn.ensemble import HistGradientBoostingClassifier

    p = dict(params)
    p.setdefault("early_stopping", False)
    p.setdefault("random_state", 0)
    return HistGradientBoostingClassifier(**p)


def features(df):
    """The 11 features of model/features in the same order; categories as integer codes."""
    import numpy as np
    import pandas as pd

    out = pd.DataFrame(
        {
            "amount": df["amount"].astype("float32"),
            "amount_to_avg_spend": (df["amount"] / np.maximum(df["avg_monthly_spend"], 1)).astype("float32"),
            "hour_of_day": df["hour_of_day"].astype("float32"),
            "is_night": (df["hour_of_day"] <= 5).astype("float32"),
            "day_of_week": df["day_of_week"].astype("float32"),
            "customer_tenure_days": df["customer_tenure_days"].astype("float32"),
            "avg_monthly_spend": df["avg_monthly_spend"].astype("float32"),
            "num_prev_tx_24h": df["num_prev_tx_24h"].astype("float32"),
        }
    )
    for c in ("merchant_category", "ip_geo_country", "currency"):
        out[c] = pd.factorize(df[c])[0].astype("float32")
    return out.to_numpy(), df["is_fraud"].to_numpy()


def main():
    mode = sys.argv[1]
    if mode == "check":
        try:
            import numpy
            import pandas
            import sklearn
        except ImportError as e:  # absent on this machine: the bench prints a notice and skips
            print(json.dumps({"missing": str(e)}))
            return
        print(json.dumps({"sklearn": sklearn.__version__, "pandas": pandas.__version__, "numpy": numpy.__version__}))
        return
    if mode == "fit":
        X, y = load_matrix(sys.argv[2])
        clf = model(json.loads(sys.argv[4]))
        t0 = time.perf_counter()
        clf.fit(X, y)
        fit = time.perf_counter() - t0
        print(json.dumps({"fitSeconds": fit, "trees": int(clf.n_iter_), "maxRssMB": rss_mb()}))
        return
    if mode == "e2e":
        import pandas as pd

        t0 = time.perf_counter()
        df = pd.read_csv(sys.argv[2])
        X, y = features(df)
        t1 = time.perf_counter()
        clf = model(json.loads(sys.argv[3]))
        clf.fit(X, y)
        t2 = time.perf_counter()
        print(json.dumps({"readSeconds": t1 - t0, "fitSeconds": t2 - t1, "totalSeconds": t2 - t0, "maxRssMB": rss_mb()}))
        return
    if mode == "quality":
        from sklearn.metrics import roc_auc_score

        X, y = load_matrix(sys.argv[2])
        Xt, yt = load_matrix(sys.argv[3])
        clf = model(json.loads(sys.argv[4]))
        t0 = time.perf_counter()
        clf.fit(X, y)
        fit = time.perf_counter() - t0
        p = clf.predict_proba(Xt)[:, 1]
        print(json.dumps({"rocAuc": float(roc_auc_score(yt, p)), "trees": int(clf.n_iter_), "fitSeconds": fit}))
        return
    raise SystemExit(f"unknown mode {mode!r}; use check, fit, e2e or quality")


if __name__ == "__main__":
    main()
