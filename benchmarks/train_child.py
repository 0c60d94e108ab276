"""One training run for the benchmark scripts: ``python train_child.py CONFIG [key=value ...]`` trains with
:func:`signkit.train` and prints ``RESULT {json}`` (the run's result plus its peak resident memory, MiB).
A file rather than ``python -c`` so that Lightning's DDP launcher can start ranks > 0 with the same argv."""
import json
import resource
import sys

import signkit

r = signkit.train(sys.argv[1], sys.argv[2:], verbose=False)
r["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps(r))
