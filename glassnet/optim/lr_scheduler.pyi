"""glassnet.optim.lr_scheduler as an import path (``from glassnet.optim.lr_scheduler import
StepLR``, torch's habit), for type checkers: at run time glassnet.optim (a module, not a
package) registers glassnet.lr_scheduler under that name in ``sys.modules``, and this
directory holds no ``__init__``, so Python imports glassnet/optim.py as before."""

from glassnet.lr_scheduler import *  # noqa: F403
