"""One helper, ``glassnet._validation.attach``, names and sets every method that a module
attaches to a core class (Tensor, Module and its layers, Optimizer, FastMLP, the stopping
rules' base, History): as if defined in the class body, so Python's argument errors,
tracebacks, help() and pickle name it as the class's own method. ``ATTACHED`` is the
snapshot taken before the seven hand-written copies were replaced: every attached method
keeps its ``__name__``, ``__qualname__`` and ``__module__``, and is reachable by its name."""

# ruff: noqa: E501 (the snapshot's rows, one a line)

import importlib
import inspect
import pickle

import pytest

import glassnet
from glassnet._validation import attach

# "module:Class attribute kind __name__ __qualname__ __module__" (kind: plain, static,
# class, fget, fset), taken on the code before attach() (round 30)
ATTACHED = """
glassnet.fused:FastMLP forward_layers static forward_layers FastMLP.forward_layers glassnet.many
glassnet.fused:FastMLP trace plain trace FastMLP.trace glassnet.fused
glassnet.fused:Layer __eq__ plain __eq__ Layer.__eq__ glassnet.fused
glassnet.fused:Layer __init__ plain __init__ Layer.__init__ glassnet.fused
glassnet.fused:Layer __repr__ plain __repr__ Layer.__repr__ glassnet.fused
glassnet.lbfgs:LBFGS history_size fset set_value _setting.<locals>.set_value glassnet.lbfgs
glassnet.lbfgs:LBFGS line_search_fn fset set_value _setting.<locals>.set_value glassnet.lbfgs
glassnet.lbfgs:LBFGS max_eval fset set_value _setting.<locals>.set_value glassnet.lbfgs
glassnet.lbfgs:LBFGS max_iter fset set_value _setting.<locals>.set_value glassnet.lbfgs
glassnet.lbfgs:LBFGS tolerance_change fset set_value _setting.<locals>.set_value glassnet.lbfgs
glassnet.lbfgs:LBFGS tolerance_grad fset set_value _setting.<locals>.set_value glassnet.lbfgs
glassnet.nn._gate:Gate reading plain reading Gate.reading glassnet.nn._gate
glassnet.nn.containers:ParameterDict __call__ plain _not_called _not_called glassnet.nn.containers
glassnet.nn.containers:ParameterList __call__ plain _not_called _not_called glassnet.nn.containers
glassnet.nn.layers:Dropout config plain config Dropout.config glassnet.nn.torch_module
glassnet.nn.layers:Linear __getattr__ plain __getattr__ Linear.__getattr__ glassnet.nn.containers
glassnet.nn.layers:Linear __setattr__ plain __setattr__ Linear.__setattr__ glassnet.nn.containers
glassnet.nn.layers:Linear config plain config Linear.config glassnet.nn.torch_module
glassnet.nn.layers:Linear extra_repr plain extra_repr Linear.extra_repr glassnet.nn.torch_module
glassnet.nn.layers:Linear forward plain forward Linear.forward glassnet.nn.containers
glassnet.nn.layers:Linear reset_parameters plain reset_parameters Linear.reset_parameters glassnet.nn.containers
glassnet.nn.layers:MLP config plain config MLP.config glassnet.nn.torch_module
glassnet.nn.layers:Neuron config plain config Module.config glassnet.nn.torch_module
glassnet.nn.layers:Sequential __add__ plain __add__ Sequential.__add__ glassnet.nn.containers
glassnet.nn.layers:Sequential __delitem__ plain __delitem__ Sequential.__delitem__ glassnet.nn.containers
glassnet.nn.layers:Sequential __iadd__ plain __iadd__ Sequential.__iadd__ glassnet.nn.containers
glassnet.nn.layers:Sequential __repr__ plain __repr__ Sequential.__repr__ glassnet.nn.torch_module
glassnet.nn.layers:Sequential __setitem__ plain __setitem__ Sequential.__setitem__ glassnet.nn.containers
glassnet.nn.layers:Sequential append plain append Sequential.append glassnet.nn.layers
glassnet.nn.layers:Sequential config plain config Sequential.config glassnet.nn.torch_module
glassnet.nn.layers:Sequential extend plain extend Sequential.extend glassnet.nn.layers
glassnet.nn.layers:Sequential insert plain insert Sequential.insert glassnet.nn.layers
glassnet.nn.layers:Sequential pop plain pop Sequential.pop glassnet.nn.layers
glassnet.nn.layers:Softmax config plain config Softmax.config glassnet.nn.torch_module
glassnet.nn.layers:Softmax extra_repr plain extra_repr Softmax.extra_repr glassnet.nn.torch_module
glassnet.nn.module:Module __delattr__ plain __delattr__ Module.__delattr__ glassnet.nn.torch_module
glassnet.nn.module:Module __repr__ plain __repr__ Module.__repr__ glassnet.nn.torch_module
glassnet.nn.module:Module __setattr__ plain __setattr__ Module.__setattr__ glassnet.nn.containers
glassnet.nn.module:Module _children plain _children Module._children glassnet.nn.torch_module
glassnet.nn.module:Module _named_state plain _named_state Module._named_state glassnet.nn.torch_module
glassnet.nn.module:Module add_module plain add_module Module.add_module glassnet.nn.containers
glassnet.nn.module:Module apply plain apply Module.apply glassnet.nn.containers
glassnet.nn.module:Module bfloat16 plain bfloat16 Module.bfloat16 glassnet.nn.containers
glassnet.nn.module:Module buffers plain buffers Module.buffers glassnet.nn.torch_module
glassnet.nn.module:Module children plain children Module.children glassnet.nn.containers
glassnet.nn.module:Module config plain config Module.config glassnet.nn.torch_module
glassnet.nn.module:Module cpu plain cpu Module.cpu glassnet.nn.containers
glassnet.nn.module:Module cuda plain cuda Module.cuda glassnet.nn.containers
glassnet.nn.module:Module double plain double Module.double glassnet.nn.containers
glassnet.nn.module:Module extra_repr plain extra_repr Module.extra_repr glassnet.nn.torch_module
glassnet.nn.module:Module float plain float Module.float glassnet.nn.containers
glassnet.nn.module:Module get_submodule plain get_submodule Module.get_submodule glassnet.nn.containers
glassnet.nn.module:Module half plain half Module.half glassnet.nn.containers
glassnet.nn.module:Module load_state_dict plain load_state_dict Module.load_state_dict glassnet.nn.containers
glassnet.nn.module:Module named_buffers plain named_buffers Module.named_buffers glassnet.nn.torch_module
glassnet.nn.module:Module named_children plain named_children Module.named_children glassnet.nn.containers
glassnet.nn.module:Module named_modules plain named_modules Module.named_modules glassnet.nn.containers
glassnet.nn.module:Module named_parameters plain named_parameters Module.named_parameters glassnet.nn.torch_module
glassnet.nn.module:Module num_parameters plain num_parameters Module.num_parameters glassnet.nn.containers
glassnet.nn.module:Module register_backward_hook plain register_backward_hook Module.register_backward_hook glassnet.nn.containers
glassnet.nn.module:Module register_buffer plain register_buffer Module.register_buffer glassnet.nn.containers
glassnet.nn.module:Module register_forward_hook plain register_forward_hook Module.register_forward_hook glassnet.nn.containers
glassnet.nn.module:Module register_forward_pre_hook plain register_forward_pre_hook Module.register_forward_pre_hook glassnet.nn.containers
glassnet.nn.module:Module register_full_backward_hook plain register_full_backward_hook Module.register_full_backward_hook glassnet.nn.containers
glassnet.nn.module:Module register_full_backward_pre_hook plain register_full_backward_pre_hook Module.register_full_backward_pre_hook glassnet.nn.containers
glassnet.nn.module:Module register_module plain register_module Module.register_module glassnet.nn.containers
glassnet.nn.module:Module register_parameter plain register_parameter Module.register_parameter glassnet.nn.containers
glassnet.nn.module:Module requires_grad_ plain requires_grad_ Module.requires_grad_ glassnet.nn.containers
glassnet.nn.module:Module state_dict plain state_dict Module.state_dict glassnet.nn.containers
glassnet.nn.module:Module to plain to Module.to glassnet.nn.containers
glassnet.nn.module:Parameter __repr__ plain __repr__ Parameter.__repr__ glassnet.nn.torch_module
glassnet.nn.torch_layers:BatchNorm1d reset_parameters plain reset_parameters BatchNorm1d.reset_parameters glassnet.nn.containers
glassnet.nn.torch_layers:BatchNorm1d reset_running_stats plain reset_running_stats BatchNorm1d.reset_running_stats glassnet.nn.containers
glassnet.nn.torch_layers:LayerNorm reset_parameters plain reset_parameters BatchNorm1d.reset_parameters glassnet.nn.containers
glassnet.optim:Adam __init__ plain __init__ signature.<locals>.__init__ glassnet.optim
glassnet.optim:Adam amsgrad fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.optim:Adam betas fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.optim:Adam eps fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.optim:Adam style fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.optim:Adam weight_decay fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.optim:AdamW __init__ plain __init__ signature.<locals>.__init__ glassnet.optim
glassnet.optim:Optimizer __repr__ plain __repr__ Optimizer.__repr__ glassnet.optim
glassnet.optim:Optimizer _loaded plain _loaded Optimizer._loaded glassnet.optim
glassnet.optim:Optimizer _regroup plain _regroup Optimizer._regroup glassnet.optim
glassnet.optim:Optimizer load_state_dict plain load_state_dict Optimizer.load_state_dict glassnet.optim
glassnet.optim:Optimizer lr fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.optim:Optimizer state_dict plain state_dict Optimizer.state_dict glassnet.optim
glassnet.optim:Optimizer zero_grad plain zero_grad Optimizer.zero_grad glassnet.optim
glassnet.optim:SGD __init__ plain __init__ signature.<locals>.__init__ glassnet.optim
glassnet.optim:SGD dampening fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.optim:SGD momentum fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.optim:SGD nesterov fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.optim:SGD style fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.optim:SGD weight_decay fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.tensor:Switch __call__ plain _decorate _decorate glassnet.autograd
glassnet.tensor:Switch __enter__ plain __enter__ Switch.__enter__ glassnet.grad_modes
glassnet.tensor:Switch __exit__ plain __exit__ Switch.__exit__ glassnet.grad_modes
glassnet.tensor:Switch __init__ plain __init__ Switch.__init__ glassnet.grad_modes
glassnet.tensor:Tensor H fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor T fget permute permute glassnet.habits
glassnet.tensor:Tensor __array__ plain __array__ Tensor.__array__ glassnet.habits
glassnet.tensor:Tensor __eq__ plain compare _compare.<locals>.compare glassnet.habits
glassnet.tensor:Tensor __float__ plain __float__ Tensor.__float__ glassnet.habits
glassnet.tensor:Tensor __format__ plain __format__ Tensor.__format__ glassnet.habits
glassnet.tensor:Tensor __ge__ plain compare _compare.<locals>.compare glassnet.habits
glassnet.tensor:Tensor __getitem__ plain __getitem__ Tensor.__getitem__ glassnet.habits
glassnet.tensor:Tensor __getstate__ plain _pickled _pickled glassnet.habits
glassnet.tensor:Tensor __gt__ plain compare _compare.<locals>.compare glassnet.habits
glassnet.tensor:Tensor __iadd__ plain op _inplace.<locals>.op glassnet.habits
glassnet.tensor:Tensor __ifloordiv__ plain op _inplace.<locals>.op glassnet.torch_tensor
glassnet.tensor:Tensor __imatmul__ plain __imatmul__ Tensor.__imatmul__ glassnet.habits
glassnet.tensor:Tensor __imod__ plain op _inplace.<locals>.op glassnet.torch_tensor
glassnet.tensor:Tensor __imul__ plain op _inplace.<locals>.op glassnet.habits
glassnet.tensor:Tensor __int__ plain __int__ Tensor.__int__ glassnet.habits
glassnet.tensor:Tensor __ipow__ plain op _inplace.<locals>.op glassnet.habits
glassnet.tensor:Tensor __isub__ plain op _inplace.<locals>.op glassnet.habits
glassnet.tensor:Tensor __iter__ plain __iter__ Tensor.__iter__ glassnet.habits
glassnet.tensor:Tensor __itruediv__ plain op _inplace.<locals>.op glassnet.habits
glassnet.tensor:Tensor __le__ plain compare _compare.<locals>.compare glassnet.habits
glassnet.tensor:Tensor __len__ plain __len__ Tensor.__len__ glassnet.habits
glassnet.tensor:Tensor __lt__ plain compare _compare.<locals>.compare glassnet.habits
glassnet.tensor:Tensor __ne__ plain compare _compare.<locals>.compare glassnet.habits
glassnet.tensor:Tensor __radd__ plain __add__ Tensor.__add__ glassnet.tensor
glassnet.tensor:Tensor __repr__ plain __repr__ Tensor.__repr__ glassnet.tensor
glassnet.tensor:Tensor __rmul__ plain __mul__ Tensor.__mul__ glassnet.tensor
glassnet.tensor:Tensor __setitem__ plain __setitem__ Tensor.__setitem__ glassnet.habits
glassnet.tensor:Tensor _stand_in plain _stand_in Tensor._stand_in glassnet.detached
glassnet.tensor:Tensor abs plain abs Tensor.abs glassnet.ops
glassnet.tensor:Tensor abs_ plain abs_ abs_ glassnet.habits
glassnet.tensor:Tensor add plain add _arith.<locals>.method glassnet.habits
glassnet.tensor:Tensor add_ plain add_ Tensor.add_ glassnet.habits
glassnet.tensor:Tensor addcdiv plain addcdiv addcdiv glassnet.habits
glassnet.tensor:Tensor addcdiv_ plain addcdiv_ addcdiv_ glassnet.habits
glassnet.tensor:Tensor addcmul plain addcmul addcmul glassnet.habits
glassnet.tensor:Tensor addcmul_ plain addcmul_ addcmul_ glassnet.habits
glassnet.tensor:Tensor all plain all all glassnet.habits
glassnet.tensor:Tensor allclose plain allclose allclose glassnet.habits
glassnet.tensor:Tensor amax plain amax Tensor.amax glassnet.ops
glassnet.tensor:Tensor amin plain amin Tensor.amin glassnet.ops
glassnet.tensor:Tensor any plain any any glassnet.habits
glassnet.tensor:Tensor argmax plain argmax _arg.<locals>.method glassnet.habits
glassnet.tensor:Tensor argmin plain argmin _arg.<locals>.method glassnet.habits
glassnet.tensor:Tensor argsort plain argsort argsort glassnet.habits
glassnet.tensor:Tensor backward plain backward Tensor.backward glassnet.tensor
glassnet.tensor:Tensor bfloat16 fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor bmm plain bmm bmm glassnet.habits
glassnet.tensor:Tensor bool plain bool bool glassnet.habits
glassnet.tensor:Tensor broadcast_to fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor ceil plain ceil Tensor.ceil glassnet.ops
glassnet.tensor:Tensor chunk plain chunk Tensor.chunk glassnet.ops
glassnet.tensor:Tensor clamp plain clamp Tensor.clamp glassnet.ops
glassnet.tensor:Tensor clamp_ plain clamp_ clamp_ glassnet.habits
glassnet.tensor:Tensor clamp_max plain clamp_max Tensor.clamp_max glassnet.ops
glassnet.tensor:Tensor clamp_min plain clamp_min Tensor.clamp_min glassnet.ops
glassnet.tensor:Tensor clip plain clip Tensor.clip glassnet.ops
glassnet.tensor:Tensor clone plain clone clone glassnet.habits
glassnet.tensor:Tensor contiguous plain contiguous contiguous glassnet.habits
glassnet.tensor:Tensor copy_ plain copy_ Tensor.copy_ glassnet.habits
glassnet.tensor:Tensor cos plain cos Tensor.cos glassnet.ops
glassnet.tensor:Tensor count_nonzero plain count_nonzero count_nonzero glassnet.torch_tensor
glassnet.tensor:Tensor cpu plain cpu Tensor.cpu glassnet.habits
glassnet.tensor:Tensor cuda plain cuda Tensor.cuda glassnet.habits
glassnet.tensor:Tensor cumprod fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor cumsum plain cumsum Tensor.cumsum glassnet.ops
glassnet.tensor:Tensor data_ptr fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor detach plain detach Tensor.detach glassnet.detached
glassnet.tensor:Tensor detach_ plain detach_ detach_ glassnet.habits
glassnet.tensor:Tensor device fget _device _device glassnet.habits
glassnet.tensor:Tensor diag plain diag diag glassnet.torch_tensor
glassnet.tensor:Tensor diagonal plain diagonal diagonal glassnet.torch_tensor
glassnet.tensor:Tensor dim plain dim Tensor.dim glassnet.habits
glassnet.tensor:Tensor div plain div _arith.<locals>.method glassnet.habits
glassnet.tensor:Tensor div_ plain div_ Tensor.div_ glassnet.habits
glassnet.tensor:Tensor dot plain dot Tensor.dot glassnet.ops
glassnet.tensor:Tensor double plain double Tensor.double glassnet.habits
glassnet.tensor:Tensor equal plain equal equal glassnet.habits
glassnet.tensor:Tensor erf plain erf erf glassnet.torch_tensor
glassnet.tensor:Tensor exp_ plain exp_ exp_ glassnet.habits
glassnet.tensor:Tensor expand plain expand expand glassnet.habits
glassnet.tensor:Tensor expand_as plain expand_as expand_as glassnet.habits
glassnet.tensor:Tensor fill_ plain fill_ Tensor.fill_ glassnet.habits
glassnet.tensor:Tensor flatten plain flatten flatten glassnet.habits
glassnet.tensor:Tensor flip plain flip flip glassnet.habits
glassnet.tensor:Tensor float plain float Tensor.float glassnet.habits
glassnet.tensor:Tensor floor plain floor Tensor.floor glassnet.ops
glassnet.tensor:Tensor floor_divide plain floor_divide floor_divide glassnet.torch_tensor
glassnet.tensor:Tensor fmod plain fmod fmod glassnet.torch_tensor
glassnet.tensor:Tensor gather plain gather gather glassnet.habits
glassnet.tensor:Tensor grad fset _set_grad Tensor._set_grad glassnet.tensor
glassnet.tensor:Tensor grad_fn fget _grad_fn _grad_fn glassnet.habits
glassnet.tensor:Tensor half fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor index_add fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor index_add_ fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor index_copy_ fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor index_put plain index_put index_put glassnet.torch_tensor
glassnet.tensor:Tensor index_put_ plain index_put_ index_put_ glassnet.torch_tensor
glassnet.tensor:Tensor index_select plain index_select index_select glassnet.habits
glassnet.tensor:Tensor int plain int int glassnet.habits
glassnet.tensor:Tensor is_contiguous fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor isclose plain isclose isclose glassnet.habits
glassnet.tensor:Tensor isfinite plain isfinite isfinite glassnet.habits
glassnet.tensor:Tensor isinf plain isinf isinf glassnet.habits
glassnet.tensor:Tensor isnan plain isnan isnan glassnet.habits
glassnet.tensor:Tensor item plain item Tensor.item glassnet.tensor
glassnet.tensor:Tensor kthvalue fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor lerp plain lerp lerp glassnet.habits
glassnet.tensor:Tensor lerp_ plain lerp_ lerp_ glassnet.habits
glassnet.tensor:Tensor log1p plain log1p Tensor.log1p glassnet.ops
glassnet.tensor:Tensor log_softmax plain log_softmax log_softmax glassnet.functional
glassnet.tensor:Tensor logical_not fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor logsumexp plain logsumexp Tensor.logsumexp glassnet.ops
glassnet.tensor:Tensor long plain long long glassnet.habits
glassnet.tensor:Tensor mH fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor mT fget _mt _mt glassnet.torch_tensor
glassnet.tensor:Tensor masked_fill plain masked_fill masked_fill glassnet.habits
glassnet.tensor:Tensor masked_fill_ plain masked_fill_ masked_fill_ glassnet.habits
glassnet.tensor:Tensor masked_select plain masked_select masked_select glassnet.torch_tensor
glassnet.tensor:Tensor matmul plain __matmul__ Tensor.__matmul__ glassnet.tensor
glassnet.tensor:Tensor max plain max Tensor.max glassnet.ops
glassnet.tensor:Tensor median plain median median glassnet.torch_tensor
glassnet.tensor:Tensor min plain min Tensor.min glassnet.ops
glassnet.tensor:Tensor mm plain mm Tensor.mm glassnet.habits
glassnet.tensor:Tensor mode fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor moveaxis fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor movedim fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor mul plain mul _arith.<locals>.method glassnet.habits
glassnet.tensor:Tensor mul_ plain mul_ Tensor.mul_ glassnet.habits
glassnet.tensor:Tensor mv plain mv Tensor.mv glassnet.ops
glassnet.tensor:Tensor nan_to_num plain nan_to_num nan_to_num glassnet.torch_tensor
glassnet.tensor:Tensor nanmean fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor nansum fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor narrow plain narrow narrow glassnet.torch_tensor
glassnet.tensor:Tensor neg plain __neg__ Tensor.__neg__ glassnet.tensor
glassnet.tensor:Tensor neg_ plain neg_ neg_ glassnet.habits
glassnet.tensor:Tensor nelement fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor new_full plain new_full new_full glassnet.habits
glassnet.tensor:Tensor new_ones plain new_ones new_ones glassnet.habits
glassnet.tensor:Tensor new_tensor plain new_tensor new_tensor glassnet.habits
glassnet.tensor:Tensor new_zeros plain new_zeros new_zeros glassnet.habits
glassnet.tensor:Tensor norm plain norm Tensor.norm glassnet.ops
glassnet.tensor:Tensor normal_ plain method _drawn.<locals>.method glassnet.nn.init_inplace
glassnet.tensor:Tensor numel plain numel Tensor.numel glassnet.habits
glassnet.tensor:Tensor numpy plain numpy Tensor.numpy glassnet.tensor
glassnet.tensor:Tensor outer plain outer Tensor.outer glassnet.ops
glassnet.tensor:Tensor permute plain permute permute glassnet.habits
glassnet.tensor:Tensor pow plain __pow__ Tensor.__pow__ glassnet.tensor
glassnet.tensor:Tensor pow_ plain pow_ pow_ glassnet.habits
glassnet.tensor:Tensor prod plain prod Tensor.prod glassnet.ops
glassnet.tensor:Tensor quantile plain quantile quantile glassnet.torch_tensor
glassnet.tensor:Tensor reciprocal plain reciprocal reciprocal glassnet.torch_tensor
glassnet.tensor:Tensor register_hook plain register_hook Tensor.register_hook glassnet.tensor
glassnet.tensor:Tensor relu plain relu relu glassnet.functional
glassnet.tensor:Tensor remainder plain remainder remainder glassnet.torch_tensor
glassnet.tensor:Tensor repeat plain repeat repeat glassnet.habits
glassnet.tensor:Tensor repeat_interleave plain repeat_interleave repeat_interleave glassnet.torch_tensor
glassnet.tensor:Tensor requires_grad_ plain requires_grad_ requires_grad_ glassnet.habits
glassnet.tensor:Tensor reshape_as fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor retain_grad plain retain_grad Tensor.retain_grad glassnet.tensor
glassnet.tensor:Tensor roll plain roll roll glassnet.habits
glassnet.tensor:Tensor round plain round Tensor.round glassnet.ops
glassnet.tensor:Tensor rsqrt plain rsqrt rsqrt glassnet.torch_tensor
glassnet.tensor:Tensor scatter plain scatter scatter glassnet.habits
glassnet.tensor:Tensor scatter_ plain scatter_ scatter_ glassnet.habits
glassnet.tensor:Tensor select plain select select glassnet.torch_tensor
glassnet.tensor:Tensor sigmoid plain sigmoid sigmoid glassnet.functional
glassnet.tensor:Tensor sign plain sign Tensor.sign glassnet.ops
glassnet.tensor:Tensor sign_ plain sign_ sign_ glassnet.habits
glassnet.tensor:Tensor sin plain sin Tensor.sin glassnet.ops
glassnet.tensor:Tensor softmax plain softmax softmax glassnet.functional
glassnet.tensor:Tensor sort plain sort sort glassnet.habits
glassnet.tensor:Tensor split plain split Tensor.split glassnet.ops
glassnet.tensor:Tensor sqrt plain sqrt Tensor.sqrt glassnet.ops
glassnet.tensor:Tensor sqrt_ plain sqrt_ sqrt_ glassnet.habits
glassnet.tensor:Tensor square plain square Tensor.square glassnet.habits
glassnet.tensor:Tensor squeeze plain squeeze squeeze glassnet.habits
glassnet.tensor:Tensor std plain std Tensor.std glassnet.ops
glassnet.tensor:Tensor stride fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor sub plain sub _arith.<locals>.method glassnet.habits
glassnet.tensor:Tensor sub_ plain sub_ Tensor.sub_ glassnet.habits
glassnet.tensor:Tensor swapaxes fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor swapdims fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor t plain t t glassnet.habits
glassnet.tensor:Tensor take_along_dim fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor tanh plain tanh tanh glassnet.functional
glassnet.tensor:Tensor tile fget read _not_offered.<locals>.read glassnet.torch_tensor
glassnet.tensor:Tensor to plain to to glassnet.habits
glassnet.tensor:Tensor tolist plain tolist Tensor.tolist glassnet.habits
glassnet.tensor:Tensor topk plain topk topk glassnet.habits
glassnet.tensor:Tensor trace plain trace trace glassnet.torch_tensor
glassnet.tensor:Tensor transpose plain transpose transpose glassnet.habits
glassnet.tensor:Tensor tril plain tril Tensor.tril glassnet.habits
glassnet.tensor:Tensor triu plain triu Tensor.triu glassnet.habits
glassnet.tensor:Tensor type plain type Tensor.type glassnet.habits
glassnet.tensor:Tensor type_as plain type_as type_as glassnet.habits
glassnet.tensor:Tensor unbind plain unbind unbind glassnet.torch_tensor
glassnet.tensor:Tensor unflatten plain unflatten unflatten glassnet.torch_tensor
glassnet.tensor:Tensor uniform_ plain method _drawn.<locals>.method glassnet.nn.init_inplace
glassnet.tensor:Tensor unique plain unique unique glassnet.habits
glassnet.tensor:Tensor unsqueeze plain unsqueeze unsqueeze glassnet.habits
glassnet.tensor:Tensor var plain var Tensor.var glassnet.ops
glassnet.tensor:Tensor view plain view view glassnet.habits
glassnet.tensor:Tensor view_as plain view_as view_as glassnet.habits
glassnet.tensor:Tensor zero_ plain zero_ Tensor.zero_ glassnet.habits
glassnet.torch_optim:Adadelta __init__ plain __init__ signature.<locals>.__init__ glassnet.optim
glassnet.torch_optim:Adadelta eps fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:Adadelta rho fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:Adadelta weight_decay fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:Adagrad __init__ plain __init__ signature.<locals>.__init__ glassnet.optim
glassnet.torch_optim:Adagrad eps fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:Adagrad initial_accumulator_value fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:Adagrad lr_decay fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:Adagrad weight_decay fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:Adamax __init__ plain __init__ signature.<locals>.__init__ glassnet.optim
glassnet.torch_optim:Adamax betas fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:Adamax eps fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:Adamax weight_decay fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:NAdam __init__ plain __init__ signature.<locals>.__init__ glassnet.optim
glassnet.torch_optim:NAdam betas fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:NAdam decoupled_weight_decay fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:NAdam eps fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:NAdam momentum_decay fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:NAdam weight_decay fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:RAdam __init__ plain __init__ signature.<locals>.__init__ glassnet.optim
glassnet.torch_optim:RAdam betas fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:RAdam decoupled_weight_decay fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:RAdam eps fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:RAdam weight_decay fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:RMSprop __init__ plain __init__ signature.<locals>.__init__ glassnet.optim
glassnet.torch_optim:RMSprop alpha fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:RMSprop centered fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:RMSprop eps fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:RMSprop momentum fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:RMSprop weight_decay fset set_all setting.<locals>.set_all glassnet.optim_signature
glassnet.torch_optim:_StateView __delitem__ plain _refuse _StateView._refuse glassnet.torch_optim
glassnet.torch_optim:_StateView __setitem__ plain _refuse _StateView._refuse glassnet.torch_optim
glassnet.torch_optim:_StateView clear plain _refuse _StateView._refuse glassnet.torch_optim
glassnet.torch_optim:_StateView pop plain _refuse _StateView._refuse glassnet.torch_optim
glassnet.torch_optim:_StateView popitem plain _refuse _StateView._refuse glassnet.torch_optim
glassnet.torch_optim:_StateView setdefault plain _refuse _StateView._refuse glassnet.torch_optim
glassnet.torch_optim:_StateView update plain _refuse _StateView._refuse glassnet.torch_optim
glassnet.train:History __eq__ plain __eq__ History.__eq__ glassnet.train
glassnet.train:History __init__ plain __init__ History.__init__ glassnet.train
glassnet.train:History __repr__ plain __repr__ History.__repr__ glassnet.train
glassnet.train:TrainState __eq__ plain __eq__ TrainState.__eq__ glassnet.train
glassnet.train:TrainState __init__ plain __init__ TrainState.__init__ glassnet.train
glassnet.train:TrainState __repr__ plain __repr__ TrainState.__repr__ glassnet.train
glassnet.train:_Books load_state_dict plain load_state_dict _Books.load_state_dict glassnet.train
glassnet.train:_Books state_dict plain state_dict _Books.state_dict glassnet.train
"""


def _owner(where):
    module, name = where.split(":")
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _function(cls, attr, kind):
    raw = vars(cls)[attr]
    if kind == "plain":
        return raw
    if kind in ("static", "class"):
        return raw.__func__
    return getattr(raw, kind)


@pytest.mark.parametrize("row", ATTACHED.split("\n")[1:-1])
def test_every_attached_method_keeps_its_names(row):
    where, attr, kind, name, qualname, module = row.split()
    importlib.import_module("glassnet.nn")  # (the modules that attach, loaded)
    cls = _owner(where)
    fn = _function(cls, attr, kind)
    assert (fn.__name__, fn.__qualname__, fn.__module__) == (name, qualname, module), row
    if kind == "plain":
        assert getattr(cls, attr) is fn
    if kind == "static":  # (the staticmethod's own copy of the names too)
        raw = vars(cls)[attr]
        got = [
            getattr(raw, a, fn_a) for a, fn_a in (("__name__", name), ("__qualname__", qualname))
        ]
        assert got == [name, qualname], row


@pytest.mark.parametrize(
    "fn",
    [
        glassnet.Tensor.detach,
        glassnet.Tensor.numpy,
        glassnet.Tensor.var,
        glassnet.nn.Module.state_dict,
        glassnet.nn.Linear.config,
        glassnet.nn.Neuron.config,
        glassnet.optim.Optimizer.zero_grad,
        glassnet.train.History.__repr__,
        glassnet.nn.Sequential.append,  # (named "append" alone before round 30: no pickle)
        glassnet.nn.Sequential.pop,
    ],
)
def test_attached_methods_pickle_by_their_names(fn):
    assert pickle.loads(pickle.dumps(fn)) is fn


def test_attach_names_a_mapping_as_in_the_class_body():
    class Box:
        pass

    def _area(self, scale=1):
        return 2 * scale

    def _twice(x):
        return 2 * x

    attach(Box, {"area": _area, "twice": staticmethod(_twice)})
    assert (_area.__name__, _area.__qualname__, _area.__module__) == ("area", "Box.area", __name__)
    assert Box.area is _area and Box().area(3) == 6
    assert Box.twice is _twice and _twice.__qualname__ == "Box.twice" and Box().twice(2) == 4
    assert vars(Box)["twice"].__qualname__ == "Box.twice"  # (not the stale name)
    assert str(inspect.signature(Box.area)) == "(self, scale=1)"


def test_attach_functions_under_their_own_names_an_owner_and_their_module():
    class Base:
        pass

    class Child(Base):
        pass

    def size(self):
        return 1

    size.__module__ = "elsewhere"
    attach(Child, [size], owner="Base", module=False)
    assert (size.__name__, size.__qualname__, size.__module__) == ("size", "Base.size", "elsewhere")
    assert Child.size is size and "size" not in vars(Base)
    with pytest.raises(TypeError, match="Base.size"):
        Child().size(1)
