"""PyTorch modules: the state_dict always, TorchScript when the module scripts (loads without its
Python class), else the pickled module."""

import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

NAME = "torch"
LIBRARY = "torch"
DISTRIBUTION = "torch"


def matches(obj: Any) -> bool:
    nn = sys.modules.get("torch.nn")
    return nn is not None and not isinstance(obj, type) and isinstance(obj, nn.Module)


def params(obj: Any) -> Dict[str, Any]:
    total = trainable = 0
    for parameter in obj.parameters():
        total += parameter.numel()
        if parameter.requires_grad:
            trainable += parameter.numel()
    return {
        "module_class": type(obj).__qualname__,
        "parameter_count": total,
        "trainable_parameter_count": trainable,
        "training_mode": bool(obj.training),
    }


def size_estimate(obj: Any) -> int:
    tensors = list(obj.parameters()) + list(obj.buffers())
    return sum(t.numel() * t.element_size() for t in tensors)


def save(obj: Any, folder: Path) -> Dict[str, Any]:
    import torch

    torch.save(obj.state_dict(), folder / "state_dict.pt")
    files = ["state_dict.pt"]
    try:
        scripted = torch.jit.script(obj)
        scripted.save(str(folder / "model.torchscript.pt"))
    except Exception as error:  # not scriptable (dynamic Python): keep the pickled module instead
        (folder / "model.torchscript.pt").unlink(missing_ok=True)
        torch.save(obj, folder / "module.pt")
        return {
            "serializer": "torch",
            "files": files + ["module.pt"],
            "pickle": True,
            "torchscript": False,
            "torchscript_error": f"{error.__class__.__name__}: {str(error).splitlines()[0] if str(error) else ''}",
            "load": "torch.load('module.pt', weights_only=False)  # or model.load_state_dict(torch.load('state_dict.pt'))",
        }
    return {
        "serializer": "torch",
        "files": files + ["model.torchscript.pt"],
        "pickle": False,
        "torchscript": True,
        "load": "torch.jit.load('model.torchscript.pt')  # or model.load_state_dict(torch.load('state_dict.pt'))",
    }


def load(folder: Path, descriptor: Dict[str, Any], trusted: Optional[List[str]]) -> Any:
    import torch

    if descriptor.get("torchscript"):
        return torch.jit.load(str(folder / "model.torchscript.pt"), map_location="cpu")
    from . import warn_pickle

    warn_pickle(folder / "module.pt")
    return torch.load(folder / "module.pt", map_location="cpu", weights_only=False)
