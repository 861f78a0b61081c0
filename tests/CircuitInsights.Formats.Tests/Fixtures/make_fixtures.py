#!/usr/bin/python3
"""Writes the binary test fixtures in this folder with the system Python only (pickle, zipfile, struct; no numpy, no torch).

Torch checkpoints are imitated byte for byte: torch.save (>= 1.6, zip serialization) pickles with protocol 2, turns
every storage into the persistent id ('storage', torch.<Type>Storage, key, location, numel), rebuilds tensors with
torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict()), and writes a zip with
<archive>/data.pkl, <archive>/byteorder, <archive>/data/<key>, <archive>/version and <archive>/.data/serialization_id,
stored (uncompressed) with data aligned to 64 bytes through an extra field. Fake `torch`, `torch._utils` and
`sae_training.config` modules give the objects the right __module__/__qualname__ so pickle emits the same GLOBALs.

Also written: NumPy .npy/.npz files (headers built by hand like numpy.lib.format), a safetensors file whose header is
NOT padded (so its data is misaligned), a legacy (non-zip) torch file, and malicious pickles that would run
`touch MARKER` if loaded by Python's pickle. Re-run with:  /usr/bin/python3 make_fixtures.py
"""
import collections, io, os, pickle, struct, subprocess, sys, types, zipfile, builtins, json

HERE = os.path.dirname(os.path.abspath(__file__))
MARKER = "/tmp/circuitinsights-pickle-marker-must-not-exist"

# ---- fake torch -------------------------------------------------------------------------------------------------
torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
torch._utils = torch_utils
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils

def _rebuild_tensor_v2(*args):
    raise RuntimeError("never called while saving")
_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2

def _rebuild_parameter(*args):
    raise RuntimeError("never called while saving")
_rebuild_parameter.__module__ = "torch._utils"
torch_utils._rebuild_parameter = _rebuild_parameter

STORAGE_TYPES = {}
for name, (fmt, size) in {"FloatStorage": ("<f", 4), "BFloat16Storage": (None, 2), "HalfStorage": ("<e", 2),
                          "DoubleStorage": ("<d", 8), "LongStorage": ("<q", 8), "IntStorage": ("<i", 4),
                          "BoolStorage": ("<?", 1), "ByteStorage": ("<B", 1)}.items():
    cls = type(name, (), {})
    cls.__module__ = "torch"
    setattr(torch, name, cls)
    STORAGE_TYPES[name] = (cls, fmt, size)

class dtype:
    def __init__(self, name): self.name = name
    def __reduce__(self): return self.name
dtype.__module__ = "torch"
torch.float32 = dtype("float32")

class Storage:
    """Stands for a torch storage: raw little-endian bytes of one type."""
    def __init__(self, key, type_name, raw, location="cpu"):
        self.key, self.type_name, self.raw, self.location = key, type_name, raw, location
        self.numel = len(raw) // STORAGE_TYPES[type_name][2]

class Tensor:
    def __init__(self, storage, offset, size, stride, requires_grad=False):
        self.args = (storage, offset, tuple(size), tuple(stride), requires_grad, collections.OrderedDict())
    def __reduce_ex__(self, proto):
        return (_rebuild_tensor_v2, self.args)

class Parameter:
    def __init__(self, tensor): self.tensor = tensor
    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.tensor, True, collections.OrderedDict()))

class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", STORAGE_TYPES[obj.type_name][0], obj.key, obj.location, obj.numel)
        return None

def pack(type_name, values):
    cls, fmt, size = STORAGE_TYPES[type_name]
    if type_name == "BFloat16Storage":  # top 16 bits of the fp32 pattern (values chosen to be exact in bf16)
        return b"".join(struct.pack("<I", struct.unpack("<I", struct.pack("<f", v))[0])[2:] for v in values)
    return b"".join(struct.pack(fmt, v) for v in values)

def write_torch_zip(path, obj, storages, archive):
    buf = io.BytesIO()
    TorchPickler(buf, protocol=2).dump(obj)
    records = [("data.pkl", buf.getvalue()), ("byteorder", b"little")]
    records += [(f"data/{s.key}", s.raw) for s in storages]
    records += [("version", b"3\n"), (".data/serialization_id", b"0123456789012345678901234567890123456789")]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in records:
            info = zipfile.ZipInfo(f"{archive}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            # Pad the local header with an extra field ("FB", as torch's writer does) so the data starts 64-aligned.
            header_len = 30 + len(info.filename.encode())
            pad = (64 - (z.fp.tell() + header_len + 4) % 64) % 64
            info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
            z.writestr(info, data)

def f32_range(n, scale=0.25, shift=-1.0):
    return [shift + scale * i for i in range(n)]

# ---- 1. a pchlenski-style GPT-2 transcoder checkpoint (reference.md §1.4a), tiny: d_in=4, d_sae=6 -----------------
sae_training = types.ModuleType("sae_training")
sae_config = types.ModuleType("sae_training.config")
sys.modules["sae_training"] = sae_training
sys.modules["sae_training.config"] = sae_config
class LanguageModelSAERunnerConfig:
    pass
LanguageModelSAERunnerConfig.__module__ = "sae_training.config"
sae_config.LanguageModelSAERunnerConfig = LanguageModelSAERunnerConfig

cfg = LanguageModelSAERunnerConfig()
cfg.__dict__.update({
    "model_name": "gpt2-small", "hook_point": "blocks.8.ln2.hook_normalized", "hook_point_layer": 8,
    "out_hook_point": "blocks.8.hook_mlp_out", "d_in": 4, "d_out": 4, "expansion_factor": 32, "d_sae": 6,
    "is_transcoder": True, "lr": 0.0004, "l1_coefficient": 0.00014, "context_size": 128, "device": "cuda",
    "dtype": torch.float32, "b_dec_init_method": "mean", "dataset_path": "Skylion007/openwebtext", "seed": 42,
})
d_in, d_sae = 4, 6
s_wenc = Storage("0", "FloatStorage", pack("FloatStorage", f32_range(d_in * d_sae)))
s_benc = Storage("1", "FloatStorage", pack("FloatStorage", f32_range(d_sae, 0.5, 0.0)))
s_wdec = Storage("2", "FloatStorage", pack("FloatStorage", f32_range(d_sae * d_in, -0.125, 2.0)))
s_bdec = Storage("3", "FloatStorage", pack("FloatStorage", [0.5, -0.5, 1.5, -1.5]))
s_bout = Storage("4", "FloatStorage", pack("FloatStorage", [0.25, 0.75, -0.25, -0.75]), location="cuda:0")
state = collections.OrderedDict([
    ("W_enc", Tensor(s_wenc, 0, (d_in, d_sae), (d_sae, 1), True)),
    ("b_enc", Tensor(s_benc, 0, (d_sae,), (1,), True)),
    ("W_dec", Tensor(s_wdec, 0, (d_sae, d_in), (d_in, 1), True)),
    ("b_dec", Tensor(s_bdec, 0, (d_in,), (1,), True)),
    ("b_dec_out", Tensor(s_bout, 0, (d_in,), (1,), True)),
])
name = "final_sparse_autoencoder_gpt2-small_blocks.8.ln2.hook_normalized_24576"
write_torch_zip(os.path.join(HERE, "pchlenski_style.pt"), {"cfg": cfg, "state_dict": state},
                [s_wenc, s_benc, s_wdec, s_bdec, s_bout], name)

# ---- 2. dtypes, strides, offsets, shared storage, nn.Parameter --------------------------------------------------
s_f32 = Storage("0", "FloatStorage", pack("FloatStorage", f32_range(12)))            # 0..11 as -1, -0.75, ...
s_bf16 = Storage("1", "BFloat16Storage", pack("BFloat16Storage", [1.0, -2.0, 0.5, 3.0, -0.25, 8.0]))
s_f16 = Storage("2", "HalfStorage", pack("HalfStorage", [1.5, -0.5, 65504.0, 0.0]))
s_f64 = Storage("3", "DoubleStorage", pack("DoubleStorage", [3.141592653589793, -1e300]))
s_i64 = Storage("4", "LongStorage", pack("LongStorage", [1, -2, 2**40, -(2**62)]))
s_bool = Storage("5", "BoolStorage", pack("BoolStorage", [True, False, True]))
mixed = collections.OrderedDict([
    ("contiguous", Tensor(s_f32, 0, (3, 4), (4, 1))),
    ("transposed", Tensor(s_f32, 0, (4, 3), (1, 4))),            # non-contiguous view of the same storage
    ("row_slice", Tensor(s_f32, 4, (2, 4), (4, 1))),             # storage offset 4
    ("column_slice", Tensor(s_f32, 1, (3, 2), (4, 1))),          # strided rows
    ("bf16", Tensor(s_bf16, 0, (2, 3), (3, 1))),
    ("f16", Tensor(s_f16, 0, (4,), (1,))),
    ("f64", Tensor(s_f64, 0, (2,), (1,))),
    ("i64", Tensor(s_i64, 0, (2, 2), (2, 1))),
    ("mask", Tensor(s_bool, 0, (3,), (1,))),
    ("scalar", Tensor(s_f32, 5, (), ())),
    ("param", Parameter(Tensor(s_f32, 8, (4,), (1,), True))),
    ("nested", {"list": [Tensor(s_f32, 0, (2,), (1,)), "text", 7], "none": None, "pi": 3.5, "flag": True,
                "blob": b"\x00\x01\xff"}),
])
write_torch_zip(os.path.join(HERE, "mixed_dtypes.pt"), mixed, [s_f32, s_bf16, s_f16, s_f64, s_i64, s_bool], "mixed_dtypes")

# ---- 3. a bare tensor (like *_log_feature_sparsity.pt) -------------------------------------------------------------
s = Storage("0", "FloatStorage", pack("FloatStorage", [-1.0, -2.5, -4.0]))
write_torch_zip(os.path.join(HERE, "bare_tensor.pt"), Tensor(s, 0, (3,), (1,)), [s], "archive")

# ---- 4. malicious pickles: each would run a command if unpickled by Python -----------------------------------------
class EvilSystem:
    def __reduce__(self): return (os.system, (f"touch {MARKER}",))
class EvilEval:
    def __reduce__(self): return (builtins.eval, (f"__import__('os').system('touch {MARKER}')",))
class EvilExec:
    def __reduce__(self): return (builtins.exec, (f"import os; os.system('touch {MARKER}')",))
class EvilPopen:
    def __reduce__(self): return (subprocess.Popen, (["touch", MARKER],))
for tag, evil in [("os_system", EvilSystem()), ("eval", EvilEval()), ("exec", EvilExec()), ("popen", EvilPopen())]:
    with open(os.path.join(HERE, f"malicious_{tag}.pkl"), "wb") as f:
        pickle.dump({"state_dict": collections.OrderedDict(), "payload": evil}, f, protocol=2)
s = Storage("0", "FloatStorage", pack("FloatStorage", [1.0, 2.0]))
write_torch_zip(os.path.join(HERE, "malicious.pt"),
                {"state_dict": collections.OrderedDict([("w", Tensor(s, 0, (2,), (1,)))]), "payload": EvilSystem(),
                 "more": [EvilEval(), EvilExec(), EvilPopen()]}, [s], "archive")

# ---- 5. legacy (pre-1.6) torch serialization: starts with a pickled magic number ----------------------------------
with open(os.path.join(HERE, "legacy.pt"), "wb") as f:
    pickle.dump(0x1950a86a20f9469cfc6c, f, protocol=2)
    pickle.dump(1001, f, protocol=2)

# ---- 6. NumPy files (format as numpy.lib.format writes it) ---------------------------------------------------------
def npy_bytes(descr, shape, raw, fortran=False, version=(1, 0)):
    shape_text = "(%d,)" % shape[0] if len(shape) == 1 else "(" + ", ".join(str(d) for d in shape) + ")"
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape_text)
    prefix = 10 if version[0] == 1 else 12
    total = (prefix + len(header) + 1 + 63) // 64 * 64
    header = header + " " * (total - prefix - len(header) - 1) + "\n"
    enc = header.encode("utf-8" if version[0] == 3 else "latin1")
    size = struct.pack("<H", len(enc)) if version[0] == 1 else struct.pack("<I", len(enc))
    return b"\x93NUMPY" + bytes(version) + size + enc + raw

d_model, d_sae = 3, 5
gemma = [  # Gemma Scope params.npz layout (reference.md §1.4b), tiny
    ("W_enc", (d_model, d_sae), f32_range(d_model * d_sae, 0.125)),
    ("W_dec", (d_sae, d_model), f32_range(d_sae * d_model, -0.0625, 1.0)),
    ("b_enc", (d_sae,), [0.1 * i for i in range(d_sae)]),
    ("b_dec", (d_model,), [1.0, 2.0, 3.0]),
    ("threshold", (d_sae,), [0.5] * d_sae),
]
for fname, method in [("gemma_scope_params.npz", zipfile.ZIP_STORED), ("gemma_scope_params_compressed.npz", zipfile.ZIP_DEFLATED)]:
    with zipfile.ZipFile(os.path.join(HERE, fname), "w", method) as z:
        for key, shape, values in gemma:
            # numpy's savez opens each member with force_zip64=True (zip64 extra field in the local header).
            with z.open(key + ".npy", "w", force_zip64=True) as member:
                member.write(npy_bytes("<f4", shape, pack("FloatStorage", values)))

with open(os.path.join(HERE, "fortran_2x3.npy"), "wb") as f:  # [[0,1,2],[3,4,5]] in column-major order
    f.write(npy_bytes("<f4", (2, 3), pack("FloatStorage", [0, 3, 1, 4, 2, 5]), fortran=True))
with open(os.path.join(HERE, "v2_int64.npy"), "wb") as f:
    f.write(npy_bytes("<i8", (3,), pack("LongStorage", [1, -1, 2**50]), version=(2, 0)))
with open(os.path.join(HERE, "v3_f16.npy"), "wb") as f:
    f.write(npy_bytes("<f2", (2,), pack("HalfStorage", [0.5, -2.0]), version=(3, 0)))
with open(os.path.join(HERE, "big_endian.npy"), "wb") as f:
    f.write(npy_bytes(">f4", (2,), struct.pack(">ff", 1.0, 2.0)))

# ---- 7. safetensors with an unpadded header, so F32 data starts at a misaligned offset ----------------------------
header = json.dumps({"__metadata__": {"format": "pt"},
                     "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                     "b": {"dtype": "I64", "shape": [1], "data_offsets": [8, 16]}}, separators=(",", ":")).encode()
if (8 + len(header)) % 4 == 0:
    header += b" "
with open(os.path.join(HERE, "unaligned.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(header)) + header + struct.pack("<ff", 1.5, -2.25) + struct.pack("<q", -7))

print("fixtures written to", HERE)
