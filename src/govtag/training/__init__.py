"""Training: the validated config, training documents, the Trainer run, the encoder-free fit and
domain adaptation."""
