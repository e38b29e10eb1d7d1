"""Base encoders' run-time pieces: tokenizers and frozen word-embedding matrices, numpy only (no torch)."""
