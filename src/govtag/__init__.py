"""govtag: tag section roles and quantities in Chinese government work reports.

Data flows through these subpackages, bottom to top; a subpackage imports only from the layers
below its own (the contract in ``.importlinter``, checked by the test suite):

- ``core``: ``errors``, ``labels`` (layers, roles, colours, IOB2, spans, documents),
  ``components`` (section and quantity model interfaces, their registry, the ``Tagger``
  protocol), ``text`` (files, normalising, stops, lines, sentences), ``report_files`` (regular
  files, size limit), ``headings``, ``report`` (the prepared view every stage shares), ``io``
  (atomic writes), ``fitted`` (fitted arrays and settings on disk), ``labelstudio`` (exports and
  tasks);
- ``rules``: ``lexicon`` and ``numerals`` (the word lists in ``rules/lexicons/``), ``tagger`` (both
  layers), ``sections`` and ``section_cues`` (the section reader), ``quantity_grammar``,
  ``quantities`` (values and units), ``quantity_context`` (qualifier, rate base, change),
  ``quantity_kind`` (status, relation, total), ``quantity_candidates`` (candidate spans of the
  learned layer);
- ``models``: ``bases`` (base encoders), ``e5_import`` with ``e5_file``, ``e5_tokenizer`` and
  ``charsmap`` (the e5-small base converted from its 4-bit file), ``settings``, ``hf_arguments``,
  ``encoding`` (windows, token labels), ``model`` (encoder with two token heads), ``decoding``,
  ``sentences``, ``sentence_vectors``, ``sentence_head``, ``sentence_encoder``, ``ensemble``
  (section models), ``quantity_layer`` (the learned quantity model), ``manifest`` (what a model
  directory holds), ``model_files`` (checks of a model directory's files);
- ``outputs``: ``results`` (typed results, the quantity fields), ``writers`` (output formats by
  name), ``formats``, ``view`` (HTML page), ``evaluate`` (metrics), ``quantity_changes`` (spans a
  model adds or removes), ``studio`` (Label Studio server);
- ``run``: ``checks`` (outputs and options, before any work), ``runtime``, ``inputs``, ``predict``
  (the encoder's tagger, the rule tagger), ``sentence_tagger``, ``parallel`` (worker processes),
  ``loading`` (``load``: any model), ``distributed`` (Ray); beside it ``training``: ``config``,
  ``training_data``, ``baseline``, ``train``, ``adapt``;
- ``cli``: ``commands``, ``ls_commands`` and ``base_commands`` (what each command does), ``main``
  (arguments).
"""

__version__ = "0.1.0"
