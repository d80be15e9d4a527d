"""glassnet.utils.data.sampler as an import path (PyTorch's torch.utils.data.sampler), for
type checkers: at run time glassnet.utils.data (a module, not a package) registers a module
of these names under that name in ``sys.modules``, and this directory holds no
``__init__``, so Python imports glassnet/utils/data.py as before."""

from glassnet.data import (
    BatchSampler as BatchSampler,
)
from glassnet.data import (
    RandomSampler as RandomSampler,
)
from glassnet.data import (
    Sampler as Sampler,
)
from glassnet.data import (
    SequentialSampler as SequentialSampler,
)
from glassnet.data import (
    SubsetRandomSampler as SubsetRandomSampler,
)
from glassnet.data import (
    WeightedRandomSampler as WeightedRandomSampler,
)
