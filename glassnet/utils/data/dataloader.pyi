"""glassnet.utils.data.dataloader as an import path (PyTorch's torch.utils.data.dataloader), for
type checkers: at run time glassnet.utils.data (a module, not a package) registers a module
of these names under that name in ``sys.modules``, and this directory holds no
``__init__``, so Python imports glassnet/utils/data.py as before."""

from glassnet.data import (
    DataLoader as DataLoader,
)
from glassnet.data import (
    default_collate as default_collate,
)
from glassnet.data import (
    default_convert as default_convert,
)
from glassnet.data import (
    get_worker_info as get_worker_info,
)
