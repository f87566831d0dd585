"""From a dltutor model spec to PyTorch and Keras code: pure functions that return text.

    keras_code    one function per layer type: the ``keras.layers`` call of a resolved layer
    pytorch_code  one function per layer type: its ``nn.Module`` line(s) and forward lines, with
                  the tensor layout tracked (PyTorch is channels-first, Keras channels-last)
    pytorch_wrappers  the same for Bidirectional, TimeDistributed and MultiHeadAttention
    pieces        what a PyTorch writer returns (``Piece``) and the layout moves between layers
    layouts       one function per layer type: a layer's weights (Keras layout, as dltutor
                  saves them) rearranged into PyTorch's state_dict entries
    supported     the layer settings the writers know (any other is refused, never dropped)
    emit          whole programs: ``emit(spec, framework)`` (``dltutor solve params --emit``) and
                  ``converted(...)`` (the script and weights that ``dltutor convert`` writes)

Nothing here imports torch or keras: the code is text, run by the user (or the tests) in
a framework's own Python.
"""
