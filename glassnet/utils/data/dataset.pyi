"""glassnet.utils.data.dataset as an import path (PyTorch's torch.utils.data.dataset), for
type checkers: at run time glassnet.utils.data (a module, not a package) registers a module
of these names under that name in ``sys.modules``, and this directory holds no
``__init__``, so Python imports glassnet/utils/data.py as before."""

from glassnet.data import (
    ChainDataset as ChainDataset,
)
from glassnet.data import (
    ConcatDataset as ConcatDataset,
)
from glassnet.data import (
    Dataset as Dataset,
)
from glassnet.data import (
    IterableDataset as IterableDataset,
)
from glassnet.data import (
    StackDataset as StackDataset,
)
from glassnet.data import (
    Subset as Subset,
)
from glassnet.data import (
    TensorDataset as TensorDataset,
)
from glassnet.data import (
    random_split as random_split,
)
