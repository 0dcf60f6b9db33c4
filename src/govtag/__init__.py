"""govtag: tag section roles and quantities in Chinese government work reports.

Data flows through these modules, one stage each (a module names the stage it belongs to):

- vocabulary and errors: ``errors``, ``labels`` (layers, spans, documents, IOB2 char tags),
  ``lexicon`` and ``numerals`` (the word lists in ``lexicons/``);
- reading a report: ``text`` (files, normalising, lines, sentences), ``headings``, ``report``
  (the prepared view every stage shares), ``inputs`` (files, directories, stdin), ``labelstudio``
  (exports and tasks);
- rules: ``rules`` (both layers), ``sections`` and ``section_cues`` (the section reader),
  ``rules_quantities`` (the quantity grammar), ``quantities`` (values and units),
  ``quantity_context`` (qualifier, rate base, change);
- models: ``encoding`` (windows, token labels), ``model`` (encoder with two token heads),
  ``decoding`` (probabilities to spans), ``sentences``, ``sentence_head``, ``sentence_vectors``,
  ``sentence_encoder`` (sentence classifiers of section roles);
- training: ``config``, ``train``, ``baseline`` (the sentence-head model and its tagger),
  ``adapt`` (masked-LM adaptation);
- running: ``runtime`` (device, stride, batch), ``predict`` (the taggers and ``load_predictor``),
  ``parallel`` (worker processes), ``distributed`` (Ray);
- results: ``formats`` (``analyse`` and the output formats), ``io`` (atomic writes), ``view``
  (HTML page), ``evaluate`` (metrics), ``studio`` (Label Studio server);
- command line: ``cli`` (arguments), ``commands`` and ``ls_commands`` (what each command does).
"""

__version__ = "0.1.0"
