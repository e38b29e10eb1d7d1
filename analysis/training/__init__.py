"""Training the stance model (needs the `train` extra: torch, transformers, onnx)."""
