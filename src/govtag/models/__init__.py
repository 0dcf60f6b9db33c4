"""Learned models: base encoders and their import, windows and token heads, section models
(sentence head, sentence encoder, ensemble), the learned quantity layer and model directories."""
