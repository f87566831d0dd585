"""PyTorch code for Bidirectional, TimeDistributed and MultiHeadAttention (self-attention).

The wrappers write their inner layer with the writer table of ``pytorch_code`` (handed in by
``writers(table)``) and arrange the data around it, as Keras 3 computes them:

    Bidirectional   merge_mode concat of nn.RNN/LSTM/GRU: the module itself with
                    ``bidirectional=True`` (its output holds [h⃗_t, h⃖_t] at every step; without
                    return_sequences Keras keeps h⃗_T and h⃖ after the whole reversed sequence,
                    which sits at step 0); other merges (sum, mul, ave) and GRU(reset_after=False):
                    two modules, ``*_forward`` and ``*_backward``, the second reading x.flip(1)
    TimeDistributed the inner module on (N·T, ...): the time steps side by side in the batch
    MultiHeadAttention  nn.MultiheadAttention where it fits (num_heads·key_dim = the model width
                    and value_dim = key_dim: its heads split that width), else a small
                    ``SelfAttention`` module written into the program (HELPERS)
"""

from __future__ import annotations

import functools

from dltutor.frameworks.pieces import Piece, to_last

TORCH_RECURRENT = {"SimpleRNN": "RNN", "LSTM": "LSTM", "GRU": "GRU"}
MERGES = {"sum": "x = h_forward + x", "mul": "x = h_forward * x", "ave": "x = (h_forward + x) / 2",
          "concat": "x = torch.cat([h_forward, x], dim=-1)"}


def native_bidirectional(layer) -> bool:
    """True when one ``nn.RNN/LSTM/GRU(bidirectional=True)`` computes Keras's Bidirectional layer."""
    inner = layer.wrapped
    return (layer.config.get("merge_mode", "concat") == "concat" and inner.type in TORCH_RECURRENT
            and not (inner.type == "GRU" and not inner.config.get("reset_after", True)))


def native_attention(layer) -> bool:
    """True when ``nn.MultiheadAttention`` computes Keras's MultiHeadAttention: its h heads split the
    model width E, so it needs h·key_dim = E and value_dim = key_dim."""
    cfg = layer.config
    kd = cfg["key_dim"]
    return cfg["num_heads"] * kd == layer.input_shape[-1] and (cfg.get("value_dim") or kd) == kd


def bidirectional(layer, attr, layout, table):
    inner = layer.wrapped
    seq = inner.config.get("return_sequences")
    u = inner.config["units"]
    if native_bidirectional(layer):
        p = table[inner.type](inner, attr, "cl")
        module = p.modules[0]
        assert "batch_first=True" in module, module
        lines = (f"x, _ = self.{attr}(x)",)
        if not seq:
            lines += (f"x = torch.cat([x[:, -1, :{u}], x[:, 0, {u}:]], dim=-1)",)
        params = p.params + tuple((f"{key}_reverse", shape) for key, shape in p.params)
        note = ("h⃗ and h⃖ side by side at every step" if seq else
                "h⃗ after the last step, h⃖ after the first (it read the sequence backwards)")
        return Piece((module.replace("batch_first=True", "batch_first=True, bidirectional=True"),),
                     to_last(layer, layout) + lines, "cl", params, helpers=p.helpers, note=note)
    forward = table[inner.type](inner, f"{attr}_forward", "cl")
    backward = table[inner.type](inner, f"{attr}_backward", "cl")
    lines = to_last(layer, layout) + ("x_in = x",) + forward.forward
    lines += ("h_forward, x = x, x_in.flip(1)  # the backward copy reads the sequence from its end",)
    lines += backward.forward + (("x = x.flip(1)  # back in time order",) if seq else ())
    lines += (MERGES[layer.config.get("merge_mode", "concat")],)
    return Piece(forward.modules + backward.modules, lines, "cl", forward.params + backward.params,
                 helpers=forward.helpers, note=f"merge_mode={layer.config.get('merge_mode', 'concat')!r}")


def time_distributed(layer, attr, layout, table):
    inner = layer.wrapped
    p = table[inner.type](inner, attr, "cl")
    back = ("x = x.movedim(1, -1)",) if p.layout == "cf" and len(inner.output_shape) >= 2 else ()
    lines = to_last(layer, layout) + ("x = x.flatten(0, 1)  # (N·T, ...): every time step a sample",)
    lines += p.forward + back + (f"x = x.unflatten(0, (-1, {layer.input_shape[0]}))",)
    return Piece(p.modules, lines, "cl", p.params, p.buffers, p.helpers, "the same weights at every time step")


def multi_head_attention(layer, attr, layout, table=None):
    cfg = layer.config
    e, h, kd = layer.input_shape[-1], cfg["num_heads"], cfg["key_dim"]
    vd = cfg.get("value_dim") or kd
    bias = cfg.get("use_bias", True)
    rate = float(cfg.get("dropout") or 0.0)
    options = ("" if bias else ", bias=False") + (f", dropout={rate:g}" if rate else "")
    if native_attention(layer):
        module = f"self.{attr} = nn.MultiheadAttention({e}, {h}{options}, batch_first=True)"
        call = f"x, _ = self.{attr}(x, x, x, need_weights=False)"
        params = ((f"{attr}.in_proj_weight", (3 * e, e)),) + (((f"{attr}.in_proj_bias", (3 * e,)),) if bias else ())
        params += ((f"{attr}.out_proj.weight", (e, e)),) + (((f"{attr}.out_proj.bias", (e,)),) if bias else ())
        helpers = ()
    else:
        module = f"self.{attr} = SelfAttention({e}, {h}, {kd}, {vd}{options})"
        call = f"x = self.{attr}(x)"
        params = ()
        for name, rows in (("query", h * kd), ("key", h * kd), ("value", h * vd)):
            params += ((f"{attr}.{name}.weight", (rows, e)),) + (((f"{attr}.{name}.bias", (rows,)),) if bias else ())
        params += ((f"{attr}.output.weight", (e, h * vd)),) + (((f"{attr}.output.bias", (e,)),) if bias else ())
        helpers = ("SelfAttention",)
    lines = to_last(layer, layout)
    positions = layer.input_shape[:-1]
    if len(positions) > 1:     # Keras attends over all positions at once
        lines += ("x = x.flatten(1, -2)  # every position of the map one step of a sequence",)
    lines += (call,)
    if len(positions) > 1:
        lines += (f"x = x.unflatten(1, {tuple(positions)})",)
    return Piece((module,), lines, "cl", params, helpers=helpers, note="self-attention: query = key = value = x")


def writers(table: dict) -> dict:
    """The writers of this module, each given ``table`` (layer type -> writer) for its inner layer."""
    return {name: functools.partial(fn, table=table) for name, fn in (
        ("Bidirectional", bidirectional), ("TimeDistributed", time_distributed),
        ("MultiHeadAttention", multi_head_attention))}


HELPERS = {
    "SelfAttention": '''
class SelfAttention(nn.Module):
    """Keras's MultiHeadAttention called as self-attention (query = key = value = x), for any
    num_heads, key_dim and value_dim (nn.MultiheadAttention needs num_heads * key_dim = the width):

        q, k = x W_q + b_q, x W_k + b_k  (key_dim per head);  v = x W_v + b_v  (value_dim per head)
        a = softmax(q k^T / sqrt(key_dim)) over the keys;  y = [a v of every head] W_o + b_o

    Input (N, T, E), batch first; output (N, T, E)."""

    def __init__(self, embed_dim, num_heads, key_dim, value_dim, bias=True, dropout=0.0):
        super().__init__()
        self.num_heads, self.key_dim, self.value_dim = num_heads, key_dim, value_dim
        self.query = nn.Linear(embed_dim, num_heads * key_dim, bias=bias)
        self.key = nn.Linear(embed_dim, num_heads * key_dim, bias=bias)
        self.value = nn.Linear(embed_dim, num_heads * value_dim, bias=bias)
        self.output = nn.Linear(num_heads * value_dim, embed_dim, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        n, t, _ = x.shape
        q = self.query(x).view(n, t, self.num_heads, self.key_dim).transpose(1, 2)      # (N, heads, T, key_dim)
        k = self.key(x).view(n, t, self.num_heads, self.key_dim).transpose(1, 2)
        v = self.value(x).view(n, t, self.num_heads, self.value_dim).transpose(1, 2)
        a = torch.softmax(q @ k.transpose(-2, -1) / self.key_dim ** 0.5, dim=-1)       # (N, heads, T, T)
        return self.output((self.dropout(a) @ v).transpose(1, 2).reshape(n, t, -1))
''',
}
