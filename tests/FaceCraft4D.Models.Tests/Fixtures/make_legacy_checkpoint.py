#!/usr/bin/env python3
"""Writes legacy-state-dict.pth: a state dict in the legacy (pre-PyTorch 1.6, non-zip) torch.save format, the way
torch.serialization._legacy_save lays it out, WITHOUT torch (stand-in classes registered under torch's module names so
Python's own pickle emits the same globals and persistent ids). Run from this folder; the output is committed.

Content (checked by LegacyCheckpointTests):
  features.0.weight  float32 [2,3]  = 0..5            (storage A, offset 0)
  features.0.bias    float32 [2]    = 4, 5           (storage A, offset 4: a view sharing the storage)
  features.t         float32 [3,2]  = transpose of features.0.weight (storage A, strides (1,3))
  bn.num_batches_tracked int64 []   = 17              (storage B, 0-dim)
  head.scale         float64 [1,3,1,1] = 0.5, -1.25, 3 (storage C)
The OrderedDict carries a _metadata attribute like torch's state dicts (pickled as BUILD state).
"""
import collections
import pickle
import struct
import sys
import types

torch = types.ModuleType("torch")
utils = types.ModuleType("torch._utils")
torch._utils = utils
sys.modules["torch"] = torch
sys.modules["torch._utils"] = utils


def _storage_class(name):
    cls = type(name, (), {})
    cls.__module__ = "torch"
    setattr(torch, name, cls)
    return cls


FloatStorage, LongStorage, DoubleStorage = (_storage_class(n) for n in ("FloatStorage", "LongStorage", "DoubleStorage"))


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks):
    raise RuntimeError("stand-in")


_rebuild_tensor_v2.__module__ = "torch._utils"
utils._rebuild_tensor_v2 = _rebuild_tensor_v2


class Storage:
    def __init__(self, cls, key, fmt, values):
        self.cls, self.key, self.fmt, self.values = cls, key, fmt, values


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2, (self.storage, self.offset, tuple(self.size), tuple(self.stride), False, collections.OrderedDict()))


a = Storage(FloatStorage, "140234", "f", [0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
b = Storage(LongStorage, "140301", "q", [17])
c = Storage(DoubleStorage, "139999", "d", [0.5, -1.25, 3.0])

state = collections.OrderedDict()
state["features.0.weight"] = Tensor(a, 0, (2, 3), (3, 1))
state["features.0.bias"] = Tensor(a, 4, (2,), (1,))
state["features.t"] = Tensor(a, 0, (3, 2), (1, 3))
state["bn.num_batches_tracked"] = Tensor(b, 0, (), ())
state["head.scale"] = Tensor(c, 0, (1, 3, 1, 1), (3, 1, 1, 1))
state._metadata = collections.OrderedDict([("", {"version": 1})])

storages = {}


def persistent_id(obj):
    if isinstance(obj, Storage):
        storages[obj.key] = obj
        return ("storage", obj.cls, obj.key, "cpu", len(obj.values), None)
    return None


with open("legacy-state-dict.pth", "wb") as f:
    pickle.dump(0x1950A86A20F9469CFC6C, f, protocol=2)
    pickle.dump(1001, f, protocol=2)
    pickle.dump({"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}, f, protocol=2)
    pickler = pickle.Pickler(f, protocol=2)
    pickler.persistent_id = persistent_id
    pickler.dump(state)
    keys = sorted(storages)
    pickle.dump(keys, f, protocol=2)
    for key in keys:
        s = storages[key]
        f.write(struct.pack("<q", len(s.values)))
        f.write(struct.pack("<%d%s" % (len(s.values), s.fmt), *s.values))
print("wrote legacy-state-dict.pth")
